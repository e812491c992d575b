-- Counters as cells: one row per key with a column per metric (a case's events mostly fall on a
-- few days, so a case adds a few rows rather than one per metric), plus three rollups that boards
-- and reports of big areas read instead of the fine cells:
--   stat_area_days      city, district and street × day × ledger
--   stat_category_days  city and district × day × category
--   stat_category_weeks district and street × week (its Monday) × category (early warning)
-- Every metric column is named by `shiyu_domain::stats::Metric::as_str`. The store fills all four
-- from the case histories at the first start after this migration (`Store::rebuild_counters`).

DROP TABLE stat_counters;

CREATE TABLE stat_cells (
    day       TEXT NOT NULL,
    area_code TEXT NOT NULL,
    ledger    TEXT NOT NULL,
    category  TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    channel   TEXT NOT NULL,
    received             BIGINT NOT NULL DEFAULT 0,
    accepted             BIGINT NOT NULL DEFAULT 0,
    not_accepted         BIGINT NOT NULL DEFAULT 0,
    merged               BIGINT NOT NULL DEFAULT 0,
    dispatched           BIGINT NOT NULL DEFAULT 0,
    signed               BIGINT NOT NULL DEFAULT 0,
    signed_on_time       BIGINT NOT NULL DEFAULT 0,
    returned             BIGINT NOT NULL DEFAULT 0,
    handled              BIGINT NOT NULL DEFAULT 0,
    handled_on_time      BIGINT NOT NULL DEFAULT 0,
    resolved             BIGINT NOT NULL DEFAULT 0,
    revisited            BIGINT NOT NULL DEFAULT 0,
    satisfied            BIGINT NOT NULL DEFAULT 0,
    unsatisfied          BIGINT NOT NULL DEFAULT 0,
    closed               BIGINT NOT NULL DEFAULT 0,
    closed_locally       BIGINT NOT NULL DEFAULT 0,
    escalated            BIGINT NOT NULL DEFAULT 0,
    closed_at_grid       BIGINT NOT NULL DEFAULT 0,
    closed_at_community  BIGINT NOT NULL DEFAULT 0,
    closed_at_street     BIGINT NOT NULL DEFAULT 0,
    timed                BIGINT NOT NULL DEFAULT 0,
    handling_minutes     BIGINT NOT NULL DEFAULT 0,
    repeated             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, area_code, ledger, category, org_id, channel)
);
CREATE INDEX stat_cells_area ON stat_cells (area_code, day);

CREATE TABLE stat_area_days (
    level     TEXT NOT NULL,
    area_code TEXT NOT NULL,
    day       TEXT NOT NULL,
    ledger    TEXT NOT NULL,
    received             BIGINT NOT NULL DEFAULT 0,
    accepted             BIGINT NOT NULL DEFAULT 0,
    not_accepted         BIGINT NOT NULL DEFAULT 0,
    merged               BIGINT NOT NULL DEFAULT 0,
    dispatched           BIGINT NOT NULL DEFAULT 0,
    signed               BIGINT NOT NULL DEFAULT 0,
    signed_on_time       BIGINT NOT NULL DEFAULT 0,
    returned             BIGINT NOT NULL DEFAULT 0,
    handled              BIGINT NOT NULL DEFAULT 0,
    handled_on_time      BIGINT NOT NULL DEFAULT 0,
    resolved             BIGINT NOT NULL DEFAULT 0,
    revisited            BIGINT NOT NULL DEFAULT 0,
    satisfied            BIGINT NOT NULL DEFAULT 0,
    unsatisfied          BIGINT NOT NULL DEFAULT 0,
    closed               BIGINT NOT NULL DEFAULT 0,
    closed_locally       BIGINT NOT NULL DEFAULT 0,
    escalated            BIGINT NOT NULL DEFAULT 0,
    closed_at_grid       BIGINT NOT NULL DEFAULT 0,
    closed_at_community  BIGINT NOT NULL DEFAULT 0,
    closed_at_street     BIGINT NOT NULL DEFAULT 0,
    timed                BIGINT NOT NULL DEFAULT 0,
    handling_minutes     BIGINT NOT NULL DEFAULT 0,
    repeated             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (level, area_code, day, ledger)
);

CREATE TABLE stat_category_days (
    level     TEXT NOT NULL,
    area_code TEXT NOT NULL,
    day       TEXT NOT NULL,
    category  TEXT NOT NULL,
    received             BIGINT NOT NULL DEFAULT 0,
    accepted             BIGINT NOT NULL DEFAULT 0,
    not_accepted         BIGINT NOT NULL DEFAULT 0,
    merged               BIGINT NOT NULL DEFAULT 0,
    dispatched           BIGINT NOT NULL DEFAULT 0,
    signed               BIGINT NOT NULL DEFAULT 0,
    signed_on_time       BIGINT NOT NULL DEFAULT 0,
    returned             BIGINT NOT NULL DEFAULT 0,
    handled              BIGINT NOT NULL DEFAULT 0,
    handled_on_time      BIGINT NOT NULL DEFAULT 0,
    resolved             BIGINT NOT NULL DEFAULT 0,
    revisited            BIGINT NOT NULL DEFAULT 0,
    satisfied            BIGINT NOT NULL DEFAULT 0,
    unsatisfied          BIGINT NOT NULL DEFAULT 0,
    closed               BIGINT NOT NULL DEFAULT 0,
    closed_locally       BIGINT NOT NULL DEFAULT 0,
    escalated            BIGINT NOT NULL DEFAULT 0,
    closed_at_grid       BIGINT NOT NULL DEFAULT 0,
    closed_at_community  BIGINT NOT NULL DEFAULT 0,
    closed_at_street     BIGINT NOT NULL DEFAULT 0,
    timed                BIGINT NOT NULL DEFAULT 0,
    handling_minutes     BIGINT NOT NULL DEFAULT 0,
    repeated             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (level, area_code, day, category)
);

CREATE TABLE stat_category_weeks (
    level     TEXT NOT NULL,
    week      TEXT NOT NULL,
    area_code TEXT NOT NULL,
    category  TEXT NOT NULL,
    received             BIGINT NOT NULL DEFAULT 0,
    accepted             BIGINT NOT NULL DEFAULT 0,
    not_accepted         BIGINT NOT NULL DEFAULT 0,
    merged               BIGINT NOT NULL DEFAULT 0,
    dispatched           BIGINT NOT NULL DEFAULT 0,
    signed               BIGINT NOT NULL DEFAULT 0,
    signed_on_time       BIGINT NOT NULL DEFAULT 0,
    returned             BIGINT NOT NULL DEFAULT 0,
    handled              BIGINT NOT NULL DEFAULT 0,
    handled_on_time      BIGINT NOT NULL DEFAULT 0,
    resolved             BIGINT NOT NULL DEFAULT 0,
    revisited            BIGINT NOT NULL DEFAULT 0,
    satisfied            BIGINT NOT NULL DEFAULT 0,
    unsatisfied          BIGINT NOT NULL DEFAULT 0,
    closed               BIGINT NOT NULL DEFAULT 0,
    closed_locally       BIGINT NOT NULL DEFAULT 0,
    escalated            BIGINT NOT NULL DEFAULT 0,
    closed_at_grid       BIGINT NOT NULL DEFAULT 0,
    closed_at_community  BIGINT NOT NULL DEFAULT 0,
    closed_at_street     BIGINT NOT NULL DEFAULT 0,
    timed                BIGINT NOT NULL DEFAULT 0,
    handling_minutes     BIGINT NOT NULL DEFAULT 0,
    repeated             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (level, week, area_code, category)
);

-- The board's live counts read only the open cases of an area: state first, then the area range.
DROP INDEX cases_area_state;
CREATE INDEX cases_open ON cases (state, area_code, due_at, supervision);
