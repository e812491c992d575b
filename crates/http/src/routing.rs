//! The router the program has learned from its own cases (`shiyu_domain::routing`), kept in
//! memory, retrained on a schedule and on demand, and the record of what operators did with its
//! proposals: at registration the proposed category against the chosen one, at dispatch the
//! proposed lead organisation against the chosen one.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::case::{CaseSnapshot, Move};
use shiyu_domain::routing::Router;
use shiyu_storage::Store;

/// At most this many recent cases are learned from.
const EXAMPLES: u32 = 200_000;

/// A trained router and when it was trained.
#[derive(Debug, Default)]
pub struct Trained {
    /// The router.
    pub router: Router,
    /// When (none before the first training).
    pub at: Option<DateTime<Utc>>,
}

/// What a training did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingReport {
    /// Cases learned from.
    pub examples: usize,
    /// When.
    pub trained_at: DateTime<Utc>,
}

/// The current router, shared by every request.
#[derive(Debug, Default)]
pub struct Routing {
    current: RwLock<Arc<Trained>>,
}

impl Routing {
    /// The router in use now.
    pub fn current(&self) -> Arc<Trained> {
        self.current.read().map(|g| Arc::clone(&g)).unwrap_or_default()
    }

    /// Learns again from the recent cases (off the async threads) and swaps the result in.
    pub async fn retrain(&self, store: &Store) -> Result<TrainingReport, shiyu_storage::StorageError> {
        let examples = store.routing_examples(EXAMPLES).await?;
        let n = examples.len();
        let router = tokio::task::spawn_blocking(move || Router::train(&examples)).await.unwrap_or_default();
        let at = Utc::now();
        if let Ok(mut g) = self.current.write() {
            *g = Arc::new(Trained { router, at: Some(at) });
        }
        Ok(TrainingReport { examples: n, trained_at: at })
    }

    /// The category the model proposes for a request's words (nothing before a training), to be
    /// judged against what is registered in the registration's own transaction.
    pub fn proposed_category(&self, title: &str, text: &str) -> Option<String> {
        let t = self.current();
        t.at?;
        t.router.categories.predict(&format!("{title} {text}"))
    }

    /// Records the organisation proposal against a dispatch's lead (nothing before a training).
    pub async fn judge_move(&self, store: &Store, case: &CaseSnapshot, mv: &Move) {
        let Move::Dispatch { lead, .. } = mv else { return };
        let t = self.current();
        if t.at.is_none() {
            return;
        }
        let rules = store.owner_rules().await.unwrap_or_default();
        let text = format!("{} {}", case.title, case.text);
        let p = t.router.propose(&text, &case.area, Some(case.category.as_str()), &rules, 1);
        if let Some(first) = p.orgs.first()
            && let Err(e) =
                store.record_routing_feedback(case.id, "org", &first.org, &lead.to_string(), Utc::now()).await
        {
            tracing::warn!("routing feedback: {e}");
        }
    }
}
