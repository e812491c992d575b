-- Case counters with the ledger as a dimension and amounts as well as counts (working minutes for
-- the average handling time). They replace case_counters; the store fills them from the case
-- histories at the first start after this migration (`Store::rebuild_counters`).

CREATE TABLE stat_counters (
    city      TEXT NOT NULL,
    day       TEXT NOT NULL,
    area_code TEXT NOT NULL,
    ledger    TEXT NOT NULL,
    category  TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    channel   TEXT NOT NULL,
    metric    TEXT NOT NULL,
    value     BIGINT NOT NULL,
    PRIMARY KEY (day, area_code, ledger, category, org_id, channel, metric)
);
CREATE INDEX stat_counters_area ON stat_counters (area_code, day);

DROP TABLE case_counters;
