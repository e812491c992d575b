-- Case rows counted per leaf area × state × supervised, kept in every write transaction, so a
-- board's open and supervised figures sum a few hundred rows instead of reading every open case
-- (`storage::case_counts`). Overdue depends on the clock, so it is counted from an index that
-- holds only the columns it needs: open states, deadline, area.

CREATE TABLE case_counts (
    area_code  TEXT NOT NULL,
    state      TEXT NOT NULL,
    supervised BIGINT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (area_code, state, supervised)
);

INSERT INTO case_counts (area_code, state, supervised, n)
SELECT area_code, state, supervised, COUNT(*)
FROM (SELECT area_code, state, CASE WHEN supervision IS NULL THEN 0 ELSE 1 END AS supervised FROM cases) c
GROUP BY area_code, state, supervised;

DROP INDEX cases_state_due;
CREATE INDEX cases_due ON cases (state, due_at, area_code);
