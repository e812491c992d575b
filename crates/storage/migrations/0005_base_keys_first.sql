-- The unique keys of base data lead with the key, not the city: PostgreSQL's generic plan for the
-- import's `city = $1 AND id_hash IN (…)` lookup otherwise scans the city's whole range of the
-- index (`shiyu bench import --n 100000` on PostgreSQL 15: re-importing 1,704 rows/s with the city first, 46,846 with the key first).
DROP INDEX residents_id_hash;
CREATE UNIQUE INDEX residents_id_hash ON residents (id_hash, city);
DROP INDEX houses_code;
CREATE UNIQUE INDEX houses_code ON houses (code, city);
DROP INDEX entities_code;
CREATE UNIQUE INDEX entities_code ON entities (credit_code, city);
DROP INDEX cameras_code;
CREATE UNIQUE INDEX cameras_code ON cameras (code, city);
