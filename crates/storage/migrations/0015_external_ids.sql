-- Records imported from other systems (DESIGN §9), by the other system's identifier. One row per
-- (source, kind, external_id): the local record it became, the fingerprint of the mapped form as
-- last imported (personal identifiers only as mask and keyed hash), that form itself (so a later
-- import can name the fields that changed), and the local version at that time (a case's or
-- dispute's last event seq, a hash of a resident's stored row), so a change made here since is
-- seen and reported as a conflict instead of being overwritten.

CREATE TABLE external_ids (
    city          TEXT NOT NULL,
    source        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    local_id      TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    fields        TEXT NOT NULL,
    local_version TEXT NOT NULL,
    imported_at   BIGINT NOT NULL,
    PRIMARY KEY (source, kind, external_id)
);

CREATE INDEX external_ids_local ON external_ids (kind, local_id);
