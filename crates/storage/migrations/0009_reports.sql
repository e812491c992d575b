-- Reports as they were made (weekly, monthly, quarterly, annual), kept so that last month's report
-- reads the same next year. Made by the scheduler for the city and each district when a period
-- ends, and listed on the reports page.

CREATE TABLE reports (
    city         TEXT NOT NULL,
    id           TEXT NOT NULL PRIMARY KEY,
    area_code    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    period_start TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    generated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX reports_period ON reports (area_code, kind, period_start);
CREATE INDEX reports_generated ON reports (generated_at);
