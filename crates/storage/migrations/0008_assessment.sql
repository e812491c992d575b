-- Assessment (考评): the plan (indicators, weights, targets, rules, veto items) as checked JSON,
-- and what assessors record per unit and period: manual values, deductions with reasons (通报、
-- 约谈), veto items that occurred. Records are appended, never edited; a correction is a new
-- record (a negative deduction), so the score sheet's history stays readable.

CREATE TABLE assessment_plans (
    city       TEXT NOT NULL PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE assessment_records (
    city         TEXT NOT NULL,
    id           TEXT NOT NULL PRIMARY KEY,
    unit         TEXT NOT NULL,
    period_kind  TEXT NOT NULL,
    period_start TEXT NOT NULL,
    kind         TEXT NOT NULL,
    code         TEXT NOT NULL,
    amount       DOUBLE PRECISION NOT NULL,
    reason       TEXT NOT NULL,
    by_user      TEXT NOT NULL,
    by_name      TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX assessment_records_period ON assessment_records (period_kind, period_start, unit);
