-- Webhooks (DESIGN §9): upstream platforms subscribed to outbox topics, and each subscription's
-- own delivery queue. Queue rows are written by the change's own transaction (one INSERT … SELECT
-- over the active subscriptions of the topic), so no subscription misses an event and a
-- subscription added later starts from the first change after it.

CREATE TABLE webhook_subscriptions (
    city           TEXT NOT NULL,
    id             TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL,
    url            TEXT NOT NULL,
    -- The signing secret, sealed under the deployment secret (crypto.rs).
    secret_sealed  TEXT NOT NULL,
    -- Comma list of topics, e.g. 'case.event,base.change'.
    topics         TEXT NOT NULL,
    active         BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    deactivated_at BIGINT
);
CREATE INDEX webhook_subscriptions_city ON webhook_subscriptions (city, active);

-- state: pending (to be tried at next_attempt_at), delivered, or dead (given up; replayable).
CREATE TABLE webhook_queue (
    subscription_id TEXT NOT NULL,
    outbox_id       TEXT NOT NULL,
    topic           TEXT NOT NULL,
    aggregate_id    TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    delivered_at    BIGINT,
    PRIMARY KEY (subscription_id, outbox_id)
);
-- Due pending rows, oldest first.
CREATE INDEX webhook_queue_due ON webhook_queue (state, next_attempt_at);
-- An aggregate's rows per subscription in order, to hold back a row while an earlier one is
-- undelivered.
CREATE INDEX webhook_queue_order ON webhook_queue (subscription_id, aggregate_id, seq, outbox_id);
