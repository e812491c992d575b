-- Which cases were merged into which (the same matter reported again), so that the reporters of
-- merged cases hear the answer of the case they were folded into.
CREATE TABLE case_merges (
    into_id TEXT NOT NULL,
    case_id TEXT NOT NULL PRIMARY KEY
);
CREATE INDEX case_merges_into ON case_merges (into_id);
