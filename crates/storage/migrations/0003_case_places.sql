-- Where a case is, as columns the map and the centre's "off grid" list read without parsing the
-- snapshot: WGS-84 degrees, and 1 when the point lies in no grid (DESIGN §3).
ALTER TABLE cases ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE cases ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE cases ADD COLUMN off_grid BIGINT NOT NULL DEFAULT 0;
CREATE INDEX cases_off_grid ON cases (off_grid, state);
