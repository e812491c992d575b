-- shiyu foundation schema. One SQL text for SQLite and PostgreSQL (and PostgreSQL-compatible
-- distributed engines): TEXT / BIGINT / DOUBLE PRECISION only, application-made keys, no
-- triggers, UTC instants as BIGINT milliseconds, every table carries the city key.

CREATE TABLE areas (
    city        TEXT NOT NULL,
    code        TEXT NOT NULL PRIMARY KEY,
    parent_code TEXT,
    level       TEXT NOT NULL,
    name        TEXT NOT NULL,
    polygon     TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX areas_parent ON areas (parent_code);

CREATE TABLE orgs (
    city       TEXT NOT NULL,
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX orgs_area ON orgs (area_code);

CREATE TABLE users (
    city          TEXT NOT NULL,
    id            TEXT NOT NULL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    area_code     TEXT,
    org_id        TEXT,
    password_hash TEXT NOT NULL,
    active        BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    city       TEXT NOT NULL,
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    city       TEXT NOT NULL,
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
);

CREATE TABLE categories (
    city        TEXT NOT NULL,
    code        TEXT NOT NULL PRIMARY KEY,
    parent_code TEXT,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    active      BIGINT NOT NULL
);

CREATE TABLE case_serials (
    city TEXT NOT NULL,
    day  TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (city, day)
);

-- The row kept for fast reads; `snapshot` is the domain's CaseSnapshot as JSON, the other
-- columns are copies of its fields that lists filter and sort on.
CREATE TABLE cases (
    city           TEXT NOT NULL,
    id             TEXT NOT NULL PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL,
    ledger         TEXT NOT NULL,
    category       TEXT NOT NULL,
    channel        TEXT NOT NULL,
    urgency        TEXT NOT NULL,
    title          TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    handling_area  TEXT NOT NULL,
    lead_org       TEXT,
    reporter_user  TEXT,
    supervision    TEXT,
    due_at         BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    last_seq       BIGINT NOT NULL,
    last_hash      TEXT NOT NULL,
    snapshot       TEXT NOT NULL
);
CREATE INDEX cases_area ON cases (area_code, created_at);
CREATE INDEX cases_state_due ON cases (state, due_at);
CREATE INDEX cases_handling ON cases (handling_area, state);
CREATE INDEX cases_lead ON cases (lead_org, state);
CREATE INDEX cases_reporter ON cases (reporter_user);
CREATE INDEX cases_created ON cases (created_at);

-- Organisations a case was ever dispatched to: the handlers' data scope.
CREATE TABLE case_orgs (
    city    TEXT NOT NULL,
    case_id TEXT NOT NULL,
    org_id  TEXT NOT NULL,
    PRIMARY KEY (case_id, org_id)
);
CREATE INDEX case_orgs_org ON case_orgs (org_id);

-- Append-only, hash-chained history.
CREATE TABLE case_events (
    city       TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    actor_user TEXT,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Reporter contact: never in history. The phone is sealed (encrypted), with a keyed hash for
-- "follow my case by number and phone" and a masked form for screens.
CREATE TABLE case_contacts (
    city         TEXT NOT NULL,
    case_id      TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    phone_sealed TEXT NOT NULL,
    phone_hash   TEXT NOT NULL,
    phone_masked TEXT NOT NULL
);
CREATE INDEX case_contacts_phone ON case_contacts (phone_hash);

CREATE TABLE case_counters (
    city      TEXT NOT NULL,
    day       TEXT NOT NULL,
    area_code TEXT NOT NULL,
    category  TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    channel   TEXT NOT NULL,
    metric    TEXT NOT NULL,
    value     BIGINT NOT NULL,
    PRIMARY KEY (day, area_code, category, org_id, channel, metric)
);
CREATE INDEX case_counters_area ON case_counters (area_code, day);

CREATE TABLE attachments (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    sha256      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    mime        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    uploaded_by TEXT,
    created_at  BIGINT NOT NULL
);

-- Every change, for delivery to subscribers and to reporters (SMS adapter) in order.
CREATE TABLE outbox (
    city         TEXT NOT NULL,
    id           TEXT NOT NULL PRIMARY KEY,
    topic        TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT,
    attempts     BIGINT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (topic, delivered_at, id);

-- In-platform notices to users, organisations or area centres.
CREATE TABLE notifications (
    city       TEXT NOT NULL,
    id         TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT,
    org_id     TEXT,
    area_code  TEXT,
    case_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_org ON notifications (org_id, created_at);
CREATE INDEX notifications_area ON notifications (area_code, created_at);

CREATE TABLE case_attachments (
    city          TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    PRIMARY KEY (case_id, attachment_id)
);
CREATE INDEX case_attachments_file ON case_attachments (attachment_id);
