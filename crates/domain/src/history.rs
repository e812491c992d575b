//! One entry of a record's append-only, hash-chained history, for the records whose histories
//! share a shape (disputes, proposals): its position, time and actor, what changed, and what the
//! store computed when writing it. The chain itself is [`crate::case::event::link_hash`] over the
//! entry's stored JSON, as for a case (whose own event keeps its older field names).

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::case::Actor;

/// An entry of a history whose changes are `C` and whose computed effects are `F`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "C: Serialize, F: Serialize",
    deserialize = "C: Deserialize<'de>, F: Deserialize<'de> + Default"
))]
pub struct Entry<C, F> {
    /// Position in the history, from 1.
    pub seq: u32,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What.
    pub change: C,
    /// What the store computed.
    #[serde(default)]
    pub effects: F,
}

impl<C: Serialize + DeserializeOwned, F: Serialize + DeserializeOwned + Default> Entry<C, F> {
    /// The stored form: canonical JSON text.
    pub fn to_json(&self) -> String {
        // Plain data with string keys only: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses the stored form.
    pub fn from_json(text: &str) -> Result<Self, DomainError> {
        serde_json::from_str(text).map_err(|_| DomainError::invalid("event", "unreadable"))
    }

    /// The position read from stored JSON, for chain verification.
    pub fn seq_of(json: &str) -> Option<u32> {
        Self::from_json(json).ok().map(|e| e.seq)
    }
}
