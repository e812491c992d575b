-- Routing: configured owners (a category's lead organisation per area subtree) and what operators
-- did with each proposal (kept to report how often proposals were taken; the final category and
-- lead organisation of every case are what the model learns from).

CREATE TABLE routing_rules (
    category   TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (category, area_code)
);

CREATE TABLE routing_feedback (
    case_id  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    proposed TEXT NOT NULL,
    chosen   TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (case_id, kind)
);
