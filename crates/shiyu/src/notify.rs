//! Telling reporters without an account (SMS). Every notice is first an outbox row written in the
//! case's own transaction, so none is lost; a [`ReporterSender`] adapter, when one is configured,
//! delivers the rows in order and marks them delivered. With no adapter the notices wait in the
//! outbox, where a gateway added later finds them.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Deserialize;
use shiyu_storage::Store;

/// What a gateway needs to send one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The reporter's phone, in clear (decrypted only here, at delivery).
    pub phone: String,
    /// The text.
    pub text: String,
    /// An idempotency key (the outbox row id) so a gateway can drop repeats after a crash.
    pub key: String,
}

/// A way of reaching reporters (an SMS gateway).
pub trait ReporterSender: Send + Sync {
    /// Sends one message; an error leaves it in the outbox for the next round.
    fn send<'a>(&'a self, msg: &'a Message) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

/// A gateway reached by an HTTP POST of `{"phone", "text", "key"}` JSON (most SMS providers'
/// HTTP APIs, or a small bridge in front of them).
pub struct WebhookSms {
    url: String,
    client: reqwest::Client,
}

impl WebhookSms {
    /// A sender posting to `url`.
    pub fn new(url: &str) -> Self {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Self { url: url.to_owned(), client }
    }
}

impl ReporterSender for WebhookSms {
    fn send<'a>(&'a self, msg: &'a Message) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let body = serde_json::json!({ "phone": msg.phone, "text": msg.text, "key": msg.key });
            let res = self.client.post(&self.url).json(&body).send().await.map_err(|e| e.to_string())?;
            if res.status().is_success() { Ok(()) } else { Err(format!("gateway answered {}", res.status())) }
        })
    }
}

#[derive(Deserialize)]
struct Payload {
    case_id: String,
    text: String,
}

/// Delivers pending reporter notices, oldest first, stopping at the first failure so that order
/// is kept. Returns how many were delivered.
pub async fn deliver_pending(store: &Store, sender: &dyn ReporterSender, limit: u32) -> anyhow::Result<usize> {
    let mut delivered = 0;
    for (id, _case, payload) in store.pending_outbox("reporter.sms", limit).await? {
        let p: Payload = serde_json::from_str(&payload)?;
        let Some(phone) = store.reporter_phone(&p.case_id).await? else {
            // The contact is gone (should not happen); nothing can be sent, so don't block the queue.
            store.mark_delivered(&id, chrono::Utc::now()).await?;
            continue;
        };
        let msg = Message { phone, text: p.text, key: id.clone() };
        if let Err(e) = sender.send(&msg).await {
            tracing::warn!(outbox = %id, error = %e, "reporter notice not delivered; will retry");
            break;
        }
        store.mark_delivered(&id, chrono::Utc::now()).await?;
        delivered += 1;
    }
    Ok(delivered)
}

/// Runs delivery every `every` until the task is dropped.
pub async fn run(store: Store, sender: Box<dyn ReporterSender>, every: Duration) {
    loop {
        if let Err(e) = deliver_pending(&store, sender.as_ref(), 200).await {
            tracing::warn!(error = %e, "reporter notice delivery failed");
        }
        tokio::time::sleep(every).await;
    }
}
