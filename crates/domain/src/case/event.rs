//! The history of a case: append-only events, each naming its actor, time and reason, chained by
//! SHA-256 so that any edit of stored history is detectable.
//!
//! The hash covers the exact JSON text that is stored, so verification re-hashes stored bytes and
//! never depends on re-serialising (field order, float formatting) staying stable across versions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::moves::Move;
use crate::area::{AreaCode, AreaLevel};
use crate::ids::{CaseNumber, UserId};
use crate::role::Role;

/// Who made a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user, or `None` for the platform itself (timers, imports).
    pub user: Option<UserId>,
    /// The name at the time, kept so history reads right after renames.
    pub name: String,
    /// The role at the time.
    pub role: Option<Role>,
}

/// What a decision computed, recorded so that replaying history needs no policy or calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effects {
    /// The case number (set by `register`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<CaseNumber>,
    /// New deadline to sign for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_by: Option<DateTime<Utc>>,
    /// New deadline to handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_by: Option<DateTime<Utc>>,
    /// New deadline to revisit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisit_by: Option<DateTime<Utc>>,
    /// The centre now responsible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_area: Option<AreaCode>,
    /// The level at which the case was closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_level: Option<AreaLevel>,
    /// Working minutes from registration to this result (set by `report_result`), for the
    /// average handling time; recorded so a later calendar edit does not change history's figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_minutes: Option<i64>,
    /// Set at registration when the same reporter, or the same place about the same matter, made
    /// a request in the 30 days before (重复诉求); found by the store, recorded for the counters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<bool>,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the history, from 1.
    pub seq: u32,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What was done, with its reason.
    #[serde(rename = "move")]
    pub change: Move,
    /// What the decision computed.
    #[serde(default)]
    pub effects: Effects,
}

/// The hash before the first event of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Event {
    /// The stored form: canonical JSON text.
    pub fn to_json(&self) -> String {
        // Serialising this plain data cannot fail (no maps with non-string keys, no I/O).
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses the stored form.
    pub fn from_json(text: &str) -> Result<Self, crate::DomainError> {
        serde_json::from_str(text).map_err(|_| crate::DomainError::invalid("event", "unreadable"))
    }
}

/// The link hash of an event: SHA-256 over the previous hash and the stored JSON text.
pub fn link_hash(prev_hash: &str, json: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(json.as_bytes());
    hex::encode(h.finalize())
}

/// One stored link, as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredLink {
    /// Position in the history.
    pub seq: u32,
    /// The stored JSON.
    pub json: String,
    /// The stored previous hash.
    pub prev_hash: String,
    /// The stored hash.
    pub hash: String,
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first position (1-based) whose link is wrong.
    pub seq: u32,
    /// What is wrong.
    pub problem: &'static str,
}

/// Checks a whole chain, in order: positions 1..n without gaps, each previous hash equal to the
/// last hash, each hash equal to the recomputed one, each JSON readable with a matching `seq`.
pub fn verify_chain(links: &[StoredLink]) -> Result<(), ChainBreak> {
    verify_links(links, |json| Event::from_json(json).ok().map(|e| e.seq))
}

/// [`verify_chain`] for any kind of history: `seq_of` reads an event's position from its stored
/// JSON, or `None` when the JSON is unreadable (disputes chain their events the same way).
pub fn verify_links(links: &[StoredLink], seq_of: impl Fn(&str) -> Option<u32>) -> Result<(), ChainBreak> {
    let mut prev = GENESIS.to_owned();
    for (i, link) in links.iter().enumerate() {
        let expected_seq = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let brk = |problem| Err(ChainBreak { seq: expected_seq, problem });
        if link.seq != expected_seq {
            return brk("gap_in_sequence");
        }
        if link.prev_hash != prev {
            return brk("previous_hash_mismatch");
        }
        if link_hash(&link.prev_hash, &link.json) != link.hash {
            return brk("hash_mismatch");
        }
        match seq_of(&link.json) {
            Some(seq) if seq == link.seq => {}
            Some(_) => return brk("seq_mismatch"),
            None => return brk("unreadable_event"),
        }
        prev.clone_from(&link.hash);
    }
    Ok(())
}
