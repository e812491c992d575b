-- Volunteers and points (DESIGN §7): volunteers linked to residents' accounts (registered with
-- consent; phones sealed, with a keyed hash and a masked copy), teams, activities with sign-ups
-- and attendance, the configurable earning rules, the double-entry points ledger (an append-only
-- journal of entries and their postings, with each account's balance cached in the same
-- transaction), and the points shops: goods with stock per area, redemptions with pick-up codes.

-- Earning rules and star thresholds set for an area; the nearest area up the tree wins.
CREATE TABLE point_rules (
    city             TEXT NOT NULL,
    area_code        TEXT NOT NULL PRIMARY KEY,
    report_true      BIGINT NOT NULL,
    per_service_hour BIGINT NOT NULL,
    attendance       BIGINT NOT NULL,
    true_results     TEXT NOT NULL,
    star_hours       TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE volunteers (
    city            TEXT NOT NULL,
    id              TEXT NOT NULL PRIMARY KEY,
    user_id         TEXT NOT NULL,
    name            TEXT NOT NULL,
    phone_sealed    TEXT NOT NULL,
    phone_hash      TEXT NOT NULL,
    phone_masked    TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    skills          TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    consent_at      BIGINT NOT NULL,
    service_minutes BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX volunteers_user ON volunteers (user_id);
CREATE INDEX volunteers_area ON volunteers (area_code);

CREATE TABLE volunteer_teams (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    area_code   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX volunteer_teams_name ON volunteer_teams (area_code, name);

CREATE TABLE team_members (
    city         TEXT NOT NULL,
    team_id      TEXT NOT NULL,
    volunteer_id TEXT NOT NULL,
    joined_at    BIGINT NOT NULL,
    PRIMARY KEY (team_id, volunteer_id)
);
CREATE INDEX team_members_volunteer ON team_members (volunteer_id);

CREATE TABLE activities (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    area_code   TEXT NOT NULL,
    team_id     TEXT,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    place       TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    capacity    BIGINT NOT NULL,
    signed_up   BIGINT NOT NULL,
    state       TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX activities_area ON activities (area_code, starts_at);
CREATE INDEX activities_state ON activities (state, starts_at);

CREATE TABLE activity_signups (
    city         TEXT NOT NULL,
    activity_id  TEXT NOT NULL,
    volunteer_id TEXT NOT NULL,
    signed_up_at BIGINT NOT NULL,
    PRIMARY KEY (activity_id, volunteer_id)
);
CREATE INDEX activity_signups_volunteer ON activity_signups (volunteer_id);

-- Once per volunteer and activity (the key), with the entry that paid for it.
CREATE TABLE attendance (
    city         TEXT NOT NULL,
    activity_id  TEXT NOT NULL,
    volunteer_id TEXT NOT NULL,
    minutes      BIGINT NOT NULL,
    service      BIGINT NOT NULL,
    points       BIGINT NOT NULL,
    entry_id     TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (activity_id, volunteer_id)
);
CREATE INDEX attendance_volunteer ON attendance (volunteer_id, recorded_at);

-- The ledger. An account's balance is the sum of its postings, kept here in the transaction that
-- posts them; only an issuing account ('issue') may hold a negative balance.
CREATE TABLE point_accounts (
    city       TEXT NOT NULL,
    id         TEXT NOT NULL PRIMARY KEY,
    kind       TEXT NOT NULL,
    owner      TEXT NOT NULL,
    balance    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX point_accounts_owner ON point_accounts (owner);

-- One row per entry. `idem_key` makes each cause pay once: a case's true report, one
-- volunteer's attendance at one activity, one redemption and its refund or hand-over.
CREATE TABLE point_entries (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL,
    idem_key    TEXT NOT NULL,
    member_user TEXT,
    area_code   TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    memo        TEXT NOT NULL,
    ref_id      TEXT,
    actor_user  TEXT,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX point_entries_idem ON point_entries (idem_key);
CREATE INDEX point_entries_member ON point_entries (member_user, created_at);
CREATE INDEX point_entries_area ON point_entries (area_code, created_at);

CREATE TABLE point_postings (
    city       TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    PRIMARY KEY (entry_id, seq)
);
CREATE INDEX point_postings_account ON point_postings (account_id);

-- Goods of an area's shop. Units are on the shelf (`stock`), reserved, or handed over; their sum
-- is every unit ever added (`added`), so no unit is sold twice or lost.
CREATE TABLE shop_goods (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    area_code   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    price       BIGINT NOT NULL,
    stock       BIGINT NOT NULL,
    reserved    BIGINT NOT NULL,
    handed      BIGINT NOT NULL,
    added       BIGINT NOT NULL,
    removed     BIGINT NOT NULL,
    active      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX shop_goods_name ON shop_goods (area_code, name);

-- Every stock change by staff (deliveries and write-offs), append-only.
CREATE TABLE stock_changes (
    city     TEXT NOT NULL,
    id       TEXT NOT NULL PRIMARY KEY,
    goods_id TEXT NOT NULL,
    delta    BIGINT NOT NULL,
    reason   TEXT NOT NULL,
    by_user  TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX stock_changes_goods ON stock_changes (goods_id, at);

CREATE TABLE redemptions (
    city        TEXT NOT NULL,
    id          TEXT NOT NULL PRIMARY KEY,
    member_user TEXT NOT NULL,
    goods_id    TEXT NOT NULL,
    area_code   TEXT NOT NULL,
    quantity    BIGINT NOT NULL,
    points      BIGINT NOT NULL,
    pickup_code TEXT NOT NULL,
    state       TEXT NOT NULL,
    entry_id    TEXT NOT NULL,
    end_entry   TEXT,
    end_reason  TEXT,
    ended_by    TEXT,
    created_at  BIGINT NOT NULL,
    ended_at    BIGINT
);
CREATE INDEX redemptions_member ON redemptions (member_user, created_at);
CREATE INDEX redemptions_area ON redemptions (area_code, state, created_at);
CREATE INDEX redemptions_goods ON redemptions (goods_id);

-- How far the outbox of case events has been read for rewards (written with each award, and
-- every so many entries otherwise).
CREATE TABLE point_feed (
    city       TEXT NOT NULL,
    name       TEXT NOT NULL PRIMARY KEY,
    mark       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
