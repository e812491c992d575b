//! Delivering the outbox to subscribed upstream platforms as signed webhooks (DESIGN §9).
//!
//! All state is in the database ([`shiyu_storage::webhooks`]): a delivery is marked done only
//! after the receiver answered 2xx, so a crash at any moment at worst sends an event again, with
//! the same `Idempotency-Key`, and the receiver applies it once. Each round takes the due
//! deliveries (at most one per subscription and aggregate, the earliest undelivered), sends them
//! concurrently, and records each outcome: delivered, retry after a back-off, or dead letter.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shiyu_domain::webhook::{IDEMPOTENCY_HEADER, Policy, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use shiyu_storage::Store;
use shiyu_storage::webhooks::Delivery;

/// The JSON body of one delivery: the same bytes on every attempt (only the timestamp and
/// signature headers change).
pub fn body(d: &Delivery) -> Vec<u8> {
    let payload: serde_json::Value =
        serde_json::from_str(&d.payload).unwrap_or_else(|_| serde_json::Value::String(d.payload.clone()));
    let v = serde_json::json!({
        "id": d.outbox_id,
        "topic": d.topic,
        "aggregate_id": d.aggregate_id,
        "seq": d.seq,
        "created_at": d.created_at,
        "payload": payload,
    });
    serde_json::to_vec(&v).unwrap_or_default()
}

/// An HTTP client for deliveries: no redirects (a receiver that moved is a configuration error
/// to see, not to follow with the signature), the policy's timeout.
pub fn client(policy: &Policy) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("shiyu-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// POSTs one delivery; `Ok` when the receiver answered 2xx.
async fn post(client: &reqwest::Client, d: &Delivery, now: DateTime<Utc>) -> Result<(), String> {
    let body = body(d);
    let ts = now.timestamp();
    let res = client
        .post(&d.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(IDEMPOTENCY_HEADER, &d.outbox_id)
        .header(TIMESTAMP_HEADER, ts.to_string())
        .header(SIGNATURE_HEADER, sign(d.secret.as_bytes(), ts, &body))
        .header("X-Shiyu-Topic", &d.topic)
        .header("X-Shiyu-Attempt", (d.attempts + 1).to_string())
        .body(body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = res.status();
    if status.is_success() { Ok(()) } else { Err(format!("receiver answered {status}")) }
}

/// Makes one round of deliveries; returns how many were attempted (0 when nothing was due).
pub async fn deliver_due(store: &Store, client: &reqwest::Client, policy: &Policy) -> anyhow::Result<usize> {
    let due = store.due_deliveries(Utc::now(), policy.batch.max(1)).await?;
    let n = due.len();
    let permits = Arc::new(tokio::sync::Semaphore::new(policy.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for d in due {
        let (store, client, policy, permits) = (store.clone(), client.clone(), policy.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await?;
            let outcome = post(&client, &d, Utc::now()).await;
            let now = Utc::now();
            match outcome {
                Ok(()) => store.delivery_succeeded(&d.subscription_id, &d.outbox_id, now).await?,
                Err(e) => {
                    let retry = policy.next_attempt(d.attempts + 1, now);
                    if retry.is_none() {
                        tracing::warn!(subscription = %d.subscription_id, outbox = %d.outbox_id, error = %e,
                            "webhook delivery given up after {} attempts; in the dead-letter list", d.attempts + 1);
                    } else {
                        tracing::debug!(outbox = %d.outbox_id, error = %e, "webhook delivery failed; will retry");
                    }
                    store.delivery_failed(&d.subscription_id, &d.outbox_id, &e, retry).await?;
                }
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(n)
}

/// Delivers until the task is dropped: straight on while deliveries are due, else every
/// `policy.every`.
pub async fn run(store: Store, policy: Policy) {
    let client = client(&policy);
    loop {
        let pause = match deliver_due(&store, &client, &policy).await {
            Ok(0) => policy.every,
            Ok(_) => Duration::ZERO,
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery round failed");
                policy.every
            }
        };
        tokio::time::sleep(pause).await;
    }
}
