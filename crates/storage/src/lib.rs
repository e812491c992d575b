//! shiyu's persistence.
//!
//! One SQL dialect serves SQLite (the embedded default: a file, WAL, one writer) and PostgreSQL
//! (chosen by a `postgres://` URL) through sqlx's `Any` driver. The schema is versioned in
//! `migrations/` and applied at start. Every state change of a case is one transaction that writes
//! the case row, its hash-chained event, the counters, the outbox entry and the notifications
//! ([`cases`]), and so is every change of a dispute ([`disputes`]) and of a proposal
//! ([`deliberation`]); every read takes a [`Scope`](shiyu_domain::scope::Scope) (or the dispute or
//! deliberation access rules) and filters by it in SQL.
//! Volunteers and the points ledger ([`points`]) post balanced entries, each once per cause.

pub mod assessment;
pub mod attachments;
pub mod audit;
pub mod base;
pub mod batch;
mod bulk;
pub mod case_counts;
pub mod cases;
pub mod config;
pub mod crypto;
pub mod db;
pub mod deliberation;
pub mod directory;
pub mod disputes;
pub mod exchange;
mod group_commit;
mod history;
pub mod map;
pub mod open311;
pub mod points;
pub mod public_cases;
pub use cases::{CaseFilter, CaseRecord, CaseSummary, ContactInput, LiveCounts};
pub mod error;
pub mod reports;
pub mod routing;
pub mod search_feed;
pub mod sessions;
mod sql;
pub mod stats;
pub mod verify;
pub mod webhooks;

pub use db::{Backend, Store};
pub use error::StorageError;
