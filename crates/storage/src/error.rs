//! The storage layer's one error type.

use shiyu_domain::DomainError;

/// Why a storage call failed. Domain refusals pass through unchanged so that the HTTP layer can
/// name the field or rule.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The domain refused the change; nothing was written.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The record does not exist or is outside the caller's scope (indistinguishable on purpose).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is already taken.
    #[error("{field} already exists")]
    Duplicate {
        /// The field that must be unique.
        field: &'static str,
    },
    /// Someone else changed the record first; the caller may retry.
    #[error("concurrent change to {0}")]
    Conflict(&'static str),
    /// Stored data could not be read back (corruption or a version mismatch).
    #[error("stored {0} is unreadable")]
    Corrupt(&'static str),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Rows of an import file were refused, each naming its row and column; nothing was written.
    #[error("{} rows refused", .0.len())]
    Rows(Vec<shiyu_domain::base::columns::CellError>),
    /// A failure shared by every change of one group commit (the batch's transaction could not
    /// begin or commit): none of them was written.
    #[error(transparent)]
    Shared(std::sync::Arc<StorageError>),
    /// Migrations failed.
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StorageError {
    /// Whether the database refused a write because its disk is full: SQLite's `SQLITE_FULL`
    /// (result code 13, which has no extended variants) or PostgreSQL's SQLSTATE 53100
    /// `disk_full`. Nothing was written, and the same request can succeed once space is freed, so
    /// the HTTP layer tells the user so instead of reporting an internal error. A method rather
    /// than a variant: every path that wraps an `sqlx::Error` (`?`, and the write path's own
    /// mappings) is covered without changing them.
    pub fn is_storage_full(&self) -> bool {
        let e = match self {
            StorageError::Shared(inner) => return inner.is_storage_full(),
            StorageError::Database(e) => e,
            StorageError::Migration(sqlx::migrate::MigrateError::Execute(e)) => e,
            _ => return false,
        };
        match e {
            sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("13" | "53100")),
            sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    /// Maps a unique-constraint violation to [`StorageError::Duplicate`].
    pub(crate) fn unique(field: &'static str) -> impl FnOnce(sqlx::Error) -> StorageError {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Duplicate { field },
            _ => StorageError::Database(e),
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;
