-- Disputes and mediation (DESIGN §5): the registry of mediation organisations and mediators,
-- disputes with their parties and hash-chained history, screening sessions, and per-day dispute
-- counters written in the same transaction as each dispute event. Parties' identity and phone
-- numbers are sealed, with a keyed hash for lookup and a masked copy for screens.

CREATE TABLE mediation_orgs (
    city         TEXT NOT NULL,
    id           TEXT NOT NULL PRIMARY KEY,
    area_code    TEXT NOT NULL,
    tier         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    specialities TEXT NOT NULL,
    phone        TEXT NOT NULL,
    active       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX mediation_orgs_name ON mediation_orgs (area_code, name);

CREATE TABLE mediators (
    city         TEXT NOT NULL,
    id           TEXT NOT NULL PRIMARY KEY,
    org_id       TEXT NOT NULL,
    user_id      TEXT,
    name         TEXT NOT NULL,
    area_code    TEXT NOT NULL,
    specialities TEXT NOT NULL,
    active       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX mediators_org ON mediators (org_id);
CREATE UNIQUE INDEX mediators_user ON mediators (user_id);
CREATE INDEX mediators_area ON mediators (area_code);

CREATE TABLE dispute_serials (
    city TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (city, year)
);

CREATE TABLE disputes (
    city             TEXT NOT NULL,
    id               TEXT NOT NULL PRIMARY KEY,
    number           TEXT NOT NULL,
    title            TEXT NOT NULL,
    dispute_type     TEXT NOT NULL,
    risk             TEXT NOT NULL,
    source           TEXT NOT NULL,
    area_code        TEXT NOT NULL,
    tier             TEXT NOT NULL,
    tier_area        TEXT NOT NULL,
    mediation_kind   TEXT NOT NULL,
    money_fen        BIGINT NOT NULL,
    state            TEXT NOT NULL,
    attempts_at_tier BIGINT NOT NULL,
    org_id           TEXT,
    case_id          TEXT,
    screening_id     TEXT,
    session_due      TEXT,
    follow_up_due    TEXT,
    registered_at    BIGINT NOT NULL,
    finished_at      BIGINT,
    updated_at       BIGINT NOT NULL,
    last_seq         BIGINT NOT NULL,
    last_hash        TEXT NOT NULL,
    snapshot         TEXT NOT NULL
);
CREATE UNIQUE INDEX disputes_number ON disputes (number, city);
CREATE INDEX disputes_area ON disputes (area_code, registered_at);
CREATE INDEX disputes_tier_area ON disputes (tier_area, state);
CREATE INDEX disputes_case ON disputes (case_id);
CREATE INDEX disputes_session_due ON disputes (session_due);
CREATE INDEX disputes_follow_up_due ON disputes (follow_up_due);

-- The mediators currently on a dispute ("my disputes").
CREATE TABLE dispute_mediators (
    city        TEXT NOT NULL,
    dispute_id  TEXT NOT NULL,
    mediator_id TEXT NOT NULL,
    PRIMARY KEY (dispute_id, mediator_id)
);
CREATE INDEX dispute_mediators_mediator ON dispute_mediators (mediator_id);

CREATE TABLE dispute_parties (
    city         TEXT NOT NULL,
    dispute_id   TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    role         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    id_sealed    TEXT,
    id_hash      TEXT,
    id_masked    TEXT,
    phone_sealed TEXT,
    phone_masked TEXT,
    address      TEXT,
    base_id      TEXT,
    PRIMARY KEY (dispute_id, seq)
);
CREATE INDEX dispute_parties_id_hash ON dispute_parties (id_hash);
CREATE INDEX dispute_parties_base ON dispute_parties (base_id);

CREATE TABLE dispute_events (
    city       TEXT NOT NULL,
    dispute_id TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    actor_user TEXT,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (dispute_id, seq)
);

CREATE TABLE dispute_counters (
    city         TEXT NOT NULL,
    day          TEXT NOT NULL,
    area_code    TEXT NOT NULL,
    tier         TEXT NOT NULL,
    dispute_type TEXT NOT NULL,
    metric       TEXT NOT NULL,
    value        BIGINT NOT NULL,
    money_fen    BIGINT NOT NULL,
    PRIMARY KEY (day, area_code, tier, dispute_type, metric)
);
CREATE INDEX dispute_counters_area ON dispute_counters (area_code, day);

-- 排查: weekly per village or community, monthly per township or street.
CREATE TABLE screenings (
    city         TEXT NOT NULL,
    id           TEXT NOT NULL PRIMARY KEY,
    area_code    TEXT NOT NULL,
    tier         TEXT NOT NULL,
    held_on      TEXT NOT NULL,
    by_user      TEXT NOT NULL,
    by_name      TEXT NOT NULL,
    participants TEXT NOT NULL,
    notes        TEXT NOT NULL,
    found        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX screenings_area ON screenings (area_code, held_on);
