-- Base data (DESIGN §6): residents, houses, legal entities, cameras, care tags, visit logs, and
-- the hash-chained audit log of personal-data reads and base-data writes (DESIGN §2, §12).
-- Identity and phone numbers are stored sealed (encrypted), with a keyed hash for lookup and a
-- masked copy for screens; never in clear.

CREATE TABLE houses (
    city       TEXT NOT NULL,
    id         TEXT NOT NULL PRIMARY KEY,
    code       TEXT NOT NULL,
    address    TEXT NOT NULL,
    building   TEXT NOT NULL,
    unit       TEXT NOT NULL,
    room       TEXT NOT NULL,
    house_use  TEXT NOT NULL,
    tenancy    TEXT NOT NULL,
    lon        DOUBLE PRECISION,
    lat        DOUBLE PRECISION,
    grid_code  TEXT,
    off_grid   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX houses_code ON houses (city, code);
CREATE INDEX houses_grid ON houses (grid_code);

CREATE TABLE residents (
    city         TEXT NOT NULL,
    id           TEXT NOT NULL PRIMARY KEY,
    grid_code    TEXT NOT NULL,
    name         TEXT NOT NULL,
    id_sealed    TEXT NOT NULL,
    id_hash      TEXT NOT NULL,
    id_masked    TEXT NOT NULL,
    phone_sealed TEXT,
    phone_hash   TEXT,
    phone_masked TEXT,
    kind         TEXT NOT NULL,
    house_id     TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX residents_id_hash ON residents (city, id_hash);
CREATE INDEX residents_grid ON residents (grid_code, name);
CREATE INDEX residents_house ON residents (house_id);
CREATE INDEX residents_phone ON residents (phone_hash);

CREATE TABLE entities (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    credit_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    lon         DOUBLE PRECISION,
    lat         DOUBLE PRECISION,
    grid_code   TEXT,
    off_grid    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX entities_code ON entities (city, credit_code);
CREATE INDEX entities_grid ON entities (grid_code);

CREATE TABLE cameras (
    city       TEXT NOT NULL,
    id         TEXT NOT NULL PRIMARY KEY,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    status     TEXT NOT NULL,
    stream_url TEXT NOT NULL,
    grid_code  TEXT,
    off_grid   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX cameras_code ON cameras (city, code);
CREATE INDEX cameras_grid ON cameras (grid_code);

-- A resident's care groups; dates are Asia/Shanghai calendar days (YYYY-MM-DD).
CREATE TABLE care_tags (
    city        TEXT NOT NULL,
    resident_id TEXT NOT NULL,
    grp         TEXT NOT NULL,
    grid_code   TEXT NOT NULL,
    tagged_on   TEXT NOT NULL,
    last_visit  TEXT,
    visit_due   TEXT NOT NULL,
    PRIMARY KEY (resident_id, grp)
);
CREATE INDEX care_tags_due ON care_tags (grid_code, visit_due);

-- 日走访: a grid worker's visit log entry.
CREATE TABLE visits (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    grid_code   TEXT NOT NULL,
    worker_user TEXT NOT NULL,
    visited_on  TEXT NOT NULL,
    summary     TEXT NOT NULL,
    found       TEXT NOT NULL,
    case_id     TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX visits_grid_day ON visits (grid_code, visited_on);
CREATE INDEX visits_worker ON visits (worker_user, visited_on);

CREATE TABLE visit_households (
    city     TEXT NOT NULL,
    visit_id TEXT NOT NULL,
    house_id TEXT NOT NULL,
    PRIMARY KEY (visit_id, house_id)
);

-- Append-only, hash-chained per city. The head row is updated in the same transaction as each
-- append, so concurrent appends queue on its row lock (PostgreSQL) or the single writer (SQLite).
CREATE TABLE audit_log (
    city         TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    actor_user   TEXT,
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (city, seq)
);
CREATE INDEX audit_subject ON audit_log (subject_kind, subject_id);
CREATE INDEX audit_actor ON audit_log (actor_user, at);

CREATE TABLE audit_heads (
    city TEXT NOT NULL PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
