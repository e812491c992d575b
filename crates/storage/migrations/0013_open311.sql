-- Open311 GeoReport v2: the clients connected with an api_key (each acts through its own staff
-- account, which cannot sign in), the extra questions a service (category) asks, the answers a
-- request gave, which client filed which request, and the updates clients posted (by their own
-- id, so a repeated post changes nothing).

CREATE TABLE open311_clients (
    city       TEXT NOT NULL,
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    key_hint   TEXT NOT NULL,
    active     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE service_attributes (
    category   TEXT NOT NULL,
    code       TEXT NOT NULL,
    ord        BIGINT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (category, code)
);

CREATE TABLE case_attributes (
    case_id TEXT NOT NULL,
    code    TEXT NOT NULL,
    vals    TEXT NOT NULL,
    PRIMARY KEY (case_id, code)
);

CREATE TABLE open311_requests (
    case_id    TEXT NOT NULL PRIMARY KEY,
    client_id  TEXT NOT NULL,
    account_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE open311_updates (
    client_id        TEXT NOT NULL,
    client_update_id TEXT NOT NULL,
    case_id          TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    PRIMARY KEY (client_id, client_update_id)
);

-- Updates since a time (servicerequestupdates) read events by time.
CREATE INDEX case_events_at ON case_events (at);
