//! Chinese full-text search over cases and disputes (DESIGN §10: search in tantivy, not the
//! database).
//!
//! This crate owns the search index and nothing else: the database stays the source of truth and
//! the index is a copy that may lag by a second and can be thrown away. It knows the domain's
//! records ([`SearchDoc::case`], [`SearchDoc::dispute`]) but not how they are stored; the binary
//! feeds it from the store (a rebuild from the tables, then the outbox) and the HTTP layer asks it
//! questions.
//!
//! - [`tokenizer`]: jieba word segmentation (search mode, so a long word also yields its parts),
//!   lower-casing, and the particles and punctuation left out;
//! - [`schema`]: the fields, which of them are stored, and the schema version kept beside the
//!   index (a change of it makes the index rebuild);
//! - [`doc`]: what one case or dispute puts in the index;
//! - [`index`]: the index folder: open (or start afresh when it is missing, unreadable or of
//!   another schema), write, commit with the "indexed up to" mark;
//! - [`query`]: a question (words and filters) inside the caller's visibility, answered with
//!   scores and highlighted snippets.

pub mod doc;
pub mod index;
pub mod query;
pub mod schema;
pub mod tokenizer;

pub use doc::{DocKind, SearchDoc};
pub use index::{Progress, RebuildCursor, SearchIndex, WriterOptions};
pub use query::{SearchHit, SearchRequest, SearchResults, Visible};

/// Why a search operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index files could not be read or written.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index folder could not be prepared.
    #[error("search index folder: {0}")]
    Io(#[from] std::io::Error),
    /// A question was malformed (names the parameter).
    #[error("invalid search parameter {0}")]
    Invalid(&'static str),
    /// The writer's lock was poisoned by a panic in another thread.
    #[error("search index writer unavailable")]
    Poisoned,
}

/// Result of this crate's operations.
pub type Result<T> = std::result::Result<T, SearchError>;
