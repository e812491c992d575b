-- Live counts by state over an area (the board's open, overdue and supervised tiles) read only this
-- index instead of every case row with its stored snapshot.
CREATE INDEX cases_area_state ON cases (area_code, state, due_at, supervision);
