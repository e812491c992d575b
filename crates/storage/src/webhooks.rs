//! Webhook subscriptions and their delivery queues (DESIGN §9).
//!
//! Every outbox row of a subscribable topic ([`shiyu_domain::webhook::TOPICS`]) is queued for each
//! active subscription of that topic by the same transaction that writes it ([`enqueue`]), so a
//! crash never loses one and a restart resumes where the queue stands. The delivery worker (in the
//! binary) takes [`Store::due_deliveries`]: pending rows whose time has come and whose aggregate
//! (case, dispute, base record) has no earlier row still undelivered for that subscription, so
//! each receiver sees an aggregate's events in order, even across a dead letter: the aggregate
//! waits until an administrator replays it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::scope::Principal;
use shiyu_domain::webhook::{NewSubscription, TOPICS};
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditAction};
use crate::base::V;
use crate::bulk::insert_rows;
use crate::crypto;
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms};

/// A subscription as administrators see it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// Id.
    pub id: String,
    /// Name of the receiver.
    pub name: String,
    /// Where events are POSTed.
    pub url: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Whether new events are queued and delivered.
    pub active: bool,
    /// When it was created (it receives changes from then on).
    pub created_at: DateTime<Utc>,
    /// Deliveries waiting (including those held back behind an earlier one).
    pub pending: i64,
    /// Deliveries given up (the dead-letter list).
    pub dead: i64,
}

/// A delivery given up after its last attempt, waiting for a replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The subscription.
    pub subscription_id: String,
    /// Its name.
    pub subscription_name: String,
    /// The outbox row (also the idempotency key).
    pub outbox_id: String,
    /// Topic.
    pub topic: String,
    /// The case, dispute or record it is about.
    pub aggregate_id: String,
    /// Its position in the aggregate's history.
    pub seq: i64,
    /// Attempts made.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
}

/// One delivery to make now. Not `Debug`: it carries the secret in clear.
#[derive(Clone)]
pub struct Delivery {
    /// The subscription.
    pub subscription_id: String,
    /// Where to POST.
    pub url: String,
    /// The signing secret in clear (opened only for the worker).
    pub secret: String,
    /// The outbox row id: the idempotency key.
    pub outbox_id: String,
    /// Topic.
    pub topic: String,
    /// The case, dispute or record.
    pub aggregate_id: String,
    /// Position in the aggregate's history.
    pub seq: i64,
    /// The event as JSON text.
    pub payload: String,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// Which dead letters to replay.
#[derive(Debug, Clone, Default)]
pub struct ReplaySelection {
    /// Only this subscription's.
    pub subscription_id: Option<String>,
    /// Only these outbox rows (all subscriptions' unless one is named).
    pub outbox_ids: Option<Vec<String>>,
}

/// The `LIKE` pattern finding `topic` in a comma list wrapped in commas.
fn topic_pattern(topic: &str) -> String {
    format!("%,{topic},%")
}

/// An outbox row about to be written.
pub(crate) struct OutboxRow {
    pub(crate) city: String,
    pub(crate) id: String,
    pub(crate) topic: String,
    pub(crate) aggregate: String,
    pub(crate) seq: i64,
    pub(crate) payload: String,
    pub(crate) at: DateTime<Utc>,
}

/// Writes outbox rows and, in the same transaction, queues each row of a subscribable topic for
/// every active subscription of it in its city (none can miss it): multi-row INSERTs, one
/// subscription lookup per city and topic.
pub(crate) async fn write_outbox(tx: &mut Transaction<'static, Any>, rows: Vec<OutboxRow>) -> Result<()> {
    let mut subs: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut queued = Vec::new();
    let mut written = Vec::with_capacity(rows.len());
    for row in rows {
        if TOPICS.contains(&row.topic.as_str()) {
            let key = (row.city.clone(), row.topic.clone());
            if !subs.contains_key(&key) {
                let ids = sqlx::query(
                    "SELECT id FROM webhook_subscriptions WHERE city = $1 AND active = 1 AND (',' || topics || ',') LIKE $2",
                )
                .bind(row.city.as_str())
                .bind(topic_pattern(&row.topic))
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
                subs.insert(key.clone(), ids);
            }
            for s in subs.get(&key).into_iter().flatten() {
                queued.push(vec![
                    V::T(Some(s.clone())),
                    V::T(Some(row.id.clone())),
                    V::T(Some(row.topic.clone())),
                    V::T(Some(row.aggregate.clone())),
                    V::I(row.seq),
                    V::T(Some("pending".to_owned())),
                    V::I(0),
                    V::I(ms(row.at)),
                ]);
            }
        }
        written.push(vec![
            V::T(Some(row.city)),
            V::T(Some(row.id)),
            V::T(Some(row.topic)),
            V::T(Some(row.aggregate)),
            V::I(row.seq),
            V::T(Some(row.payload)),
            V::I(ms(row.at)),
            V::N(None),
            V::I(0),
        ]);
    }
    let cols = ["city", "id", "topic", "aggregate_id", "seq", "payload", "created_at", "delivered_at", "attempts"];
    insert_rows(tx, "outbox", &cols, written, "").await?;
    let cols = ["subscription_id", "outbox_id", "topic", "aggregate_id", "seq", "state", "attempts", "next_attempt_at"];
    insert_rows(tx, "webhook_queue", &cols, queued, "").await
}

/// One outbox row of a batch: aggregate id, sequence, payload.
pub(crate) type OutboxItem = (String, i64, String);

impl Store {
    /// Writes many outbox rows of one topic (an import's records) and queues them for the
    /// topic's active subscriptions, with multi-row INSERTs inside `tx`.
    pub(crate) async fn outbox_many(
        &self,
        tx: &mut Transaction<'static, Any>,
        city: &str,
        topic: &str,
        items: Vec<OutboxItem>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let rows = items
            .into_iter()
            .map(|(aggregate, seq, payload)| OutboxRow {
                city: city.to_owned(),
                id: uuid::Uuid::now_v7().to_string(),
                topic: topic.to_owned(),
                aggregate,
                seq,
                payload,
                at,
            })
            .collect();
        write_outbox(tx, rows).await
    }

    /// Adds a subscription; it receives every change of its topics committed from now on.
    pub async fn create_webhook(
        &self,
        city: &str,
        actor: &Principal,
        new: &NewSubscription,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        let id = uuid::Uuid::now_v7().to_string();
        let sealed = crypto::seal(&self.secret, &new.secret)?;
        let topics = new.topics.join(",");
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_subscriptions (city, id, name, url, secret_sealed, topics, active, created_at, deactivated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, NULL)",
        )
        .bind(city)
        .bind(id.as_str())
        .bind(new.name.as_str())
        .bind(new.url.as_str())
        .bind(sealed)
        .bind(topics.as_str())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        let detail = serde_json::json!({"op": "create", "name": new.name, "url": new.url, "topics": new.topics});
        audit::append(&mut w.tx, city, actor, AuditAction::Webhook, ("webhook", &id), &detail, now).await?;
        w.tx.commit().await?;
        Ok(Subscription {
            id,
            name: new.name.clone(),
            url: new.url.clone(),
            topics: new.topics.clone(),
            active: true,
            created_at: from_ms(ms(now)),
            pending: 0,
            dead: 0,
        })
    }

    /// The city's subscriptions, newest first, with their queue counts.
    pub async fn webhooks(&self, city: &str) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT s.id, s.name, s.url, s.topics, s.active, s.created_at, \
             (SELECT COUNT(*) FROM webhook_queue q WHERE q.subscription_id = s.id AND q.state = 'pending') AS pending, \
             (SELECT COUNT(*) FROM webhook_queue q WHERE q.subscription_id = s.id AND q.state = 'dead') AS dead \
             FROM webhook_subscriptions s WHERE s.city = $1 ORDER BY s.created_at DESC, s.id DESC",
        )
        .bind(city)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Subscription {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    url: r.try_get("url")?,
                    topics: r.try_get::<String, _>("topics")?.split(',').map(str::to_owned).collect(),
                    active: r.try_get::<i64, _>("active")? != 0,
                    created_at: from_ms(r.try_get("created_at")?),
                    pending: r.try_get("pending")?,
                    dead: r.try_get("dead")?,
                })
            })
            .collect()
    }

    /// Stops a subscription: no new events are queued for it and its waiting deliveries are not
    /// sent. Final (a receiver that returns is a new subscription, starting afresh).
    pub async fn deactivate_webhook(&self, city: &str, actor: &Principal, id: &str, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE webhook_subscriptions SET active = 0, deactivated_at = $1 WHERE city = $2 AND id = $3 AND active = 1",
        )
        .bind(ms(now))
        .bind(city)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::NotFound("webhook"));
        }
        let detail = serde_json::json!({"op": "deactivate"});
        audit::append(&mut w.tx, city, actor, AuditAction::Webhook, ("webhook", id), &detail, now).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The dead-letter list of the city's subscriptions, oldest event first, at most `limit`.
    pub async fn dead_letters(&self, city: &str, subscription: Option<&str>, limit: u32) -> Result<Vec<DeadLetter>> {
        let rows = sqlx::query(
            "SELECT q.subscription_id, s.name, q.outbox_id, q.topic, q.aggregate_id, q.seq, q.attempts, q.last_error, o.created_at \
             FROM webhook_queue q JOIN webhook_subscriptions s ON s.id = q.subscription_id JOIN outbox o ON o.id = q.outbox_id \
             WHERE q.state = 'dead' AND s.city = $1 AND ($2 = '' OR q.subscription_id = $2) \
             ORDER BY q.outbox_id LIMIT $3",
        )
        .bind(city)
        .bind(subscription.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeadLetter {
                    subscription_id: r.try_get("subscription_id")?,
                    subscription_name: r.try_get("name")?,
                    outbox_id: r.try_get("outbox_id")?,
                    topic: r.try_get("topic")?,
                    aggregate_id: r.try_get("aggregate_id")?,
                    seq: r.try_get("seq")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                    created_at: from_ms(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Puts dead letters back in the queue with their attempts reset, due now; returns how many.
    /// Held-back events of the same aggregates follow once these are delivered.
    pub async fn replay_dead(
        &self,
        city: &str,
        actor: &Principal,
        sel: &ReplaySelection,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut sql = String::from(
            "UPDATE webhook_queue SET state = 'pending', attempts = 0, next_attempt_at = $1, last_error = NULL \
             WHERE state = 'dead' AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE city = $2)",
        );
        let mut n = 3;
        if sel.subscription_id.is_some() {
            sql.push_str(&format!(" AND subscription_id = ${n}"));
            n += 1;
        }
        if let Some(ids) = &sel.outbox_ids {
            if ids.is_empty() {
                return Ok(0);
            }
            sql.push_str(&format!(" AND outbox_id IN ({})", crate::base::placeholders(n, ids.len())));
        }
        let mut q = sqlx::query(&sql).bind(ms(now)).bind(city);
        if let Some(s) = &sel.subscription_id {
            q = q.bind(s.as_str());
        }
        for id in sel.outbox_ids.iter().flatten() {
            q = q.bind(id.as_str());
        }
        let mut w = self.begin_write().await?;
        let done = q.execute(&mut *w.tx).await?.rows_affected();
        let detail = serde_json::json!({"op": "replay", "subscription": sel.subscription_id, "outbox_ids": sel.outbox_ids, "replayed": done});
        let subject = sel.subscription_id.as_deref().unwrap_or("all");
        audit::append(&mut w.tx, city, actor, AuditAction::Webhook, ("webhook", subject), &detail, now).await?;
        w.tx.commit().await?;
        Ok(done)
    }

    /// Deliveries due at `now`, at most `limit`, at most one per subscription and aggregate: a
    /// row is held back while an earlier row (lower sequence, or the same sequence and an older
    /// outbox id) of its aggregate is undelivered for the same subscription, pending or dead.
    pub async fn due_deliveries(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Delivery>> {
        let rows = sqlx::query(
            "SELECT q.subscription_id, s.url, s.secret_sealed, q.outbox_id, q.topic, q.aggregate_id, q.seq, q.attempts, \
             o.payload, o.created_at \
             FROM webhook_queue q JOIN webhook_subscriptions s ON s.id = q.subscription_id JOIN outbox o ON o.id = q.outbox_id \
             WHERE q.state = 'pending' AND q.next_attempt_at <= $1 AND s.active = 1 \
             AND NOT EXISTS (SELECT 1 FROM webhook_queue e WHERE e.subscription_id = q.subscription_id \
                 AND e.aggregate_id = q.aggregate_id AND e.state <> 'delivered' \
                 AND (e.seq < q.seq OR (e.seq = q.seq AND e.outbox_id < q.outbox_id))) \
             ORDER BY q.next_attempt_at, q.outbox_id LIMIT $2",
        )
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Delivery {
                    subscription_id: r.try_get("subscription_id")?,
                    url: r.try_get("url")?,
                    secret: crypto::open(&self.secret, &r.try_get::<String, _>("secret_sealed")?)?,
                    outbox_id: r.try_get("outbox_id")?,
                    topic: r.try_get("topic")?,
                    aggregate_id: r.try_get("aggregate_id")?,
                    seq: r.try_get("seq")?,
                    payload: r.try_get("payload")?,
                    created_at: from_ms(r.try_get("created_at")?),
                    attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    /// Records a delivery the receiver accepted.
    pub async fn delivery_succeeded(&self, subscription: &str, outbox_id: &str, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query(
            "UPDATE webhook_queue SET state = 'delivered', attempts = attempts + 1, delivered_at = $1, last_error = NULL \
             WHERE subscription_id = $2 AND outbox_id = $3 AND state = 'pending'",
        )
        .bind(ms(now))
        .bind(subscription)
        .bind(outbox_id)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or given up (dead) when `None`.
    pub async fn delivery_failed(
        &self,
        subscription: &str,
        outbox_id: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let error: String = error.chars().take(500).collect();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "UPDATE webhook_queue SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3 \
             WHERE subscription_id = $4 AND outbox_id = $5 AND state = 'pending'",
        )
        .bind(if retry_at.is_some() { "pending" } else { "dead" })
        .bind(retry_at.map_or(i64::MAX, ms))
        .bind(error)
        .bind(subscription)
        .bind(outbox_id)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// How many deliveries are not yet made (pending or dead), over every subscription; for
    /// tests and health checks.
    pub async fn undelivered_webhooks(&self) -> Result<i64> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM webhook_queue WHERE state <> 'delivered'")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get("n")?)
    }
}
