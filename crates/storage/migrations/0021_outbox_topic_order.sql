-- The search feed reads each topic's outbox rows after an id in id order; `outbox_pending` puts
-- `delivered_at` between topic and id, so that read sorted every row of the topic (tens of
-- milliseconds at a hundred thousand rows, growing with the outbox).
CREATE INDEX outbox_topic_id ON outbox (topic, id);
