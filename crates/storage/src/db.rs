//! Opening the database, migrating it, and the write discipline.

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::config::Rules;
use crate::error::Result;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which engine is behind the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (the default).
    Sqlite,
    /// PostgreSQL (production).
    Postgres,
}

/// The store: a connection pool plus the rules decisions consult. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    /// Where write transactions run: on SQLite a pool of one connection, on PostgreSQL `pool`.
    pub(crate) writes: AnyPool,
    backend: Backend,
    /// SQLite allows one writer; taking this before `BEGIN` turns lock contention into a queue
    /// instead of `SQLITE_BUSY` failures.
    pub(crate) writer: Arc<Mutex<()>>,
    pub(crate) rules: Arc<Rules>,
    /// Key for the keyed hashes of phone numbers (lookup without clear text).
    pub(crate) secret: Arc<Vec<u8>>,
    /// The group-commit queue of the hot writes (SQLite).
    pub(crate) queue: Arc<crate::group_commit::Queue>,
    /// Area and category codes seen to exist. Neither is ever deleted, so a code once found
    /// stays valid and every intake after the first skips the lookup.
    pub(crate) known: Arc<Known>,
}

/// Codes known to exist (see [`Store::known`]).
#[derive(Default)]
pub(crate) struct Known {
    pub(crate) areas: std::sync::RwLock<std::collections::HashSet<String>>,
    pub(crate) categories: std::sync::RwLock<std::collections::HashSet<String>>,
}

/// A write transaction; holds the single-writer lock on SQLite until dropped.
pub struct WriteTx<'a> {
    /// The open transaction.
    pub tx: Transaction<'static, Any>,
    _guard: Option<MutexGuard<'a, ()>>,
}

impl Store {
    /// Opens (creating when needed) and migrates the database at `url`: a `postgres://` URL, a
    /// `sqlite:` URL, or a plain file path for SQLite.
    pub async fn open(url: &str, rules: Rules, secret: Vec<u8>) -> Result<Self> {
        install_default_drivers();
        let (backend, url) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else if url.starts_with("sqlite:") {
            (Backend::Sqlite, url.to_owned())
        } else {
            (Backend::Sqlite, format!("sqlite://{url}?mode=rwc"))
        };
        let options = || {
            AnyPoolOptions::new()
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            // WAL lets readers run beside the writer; synchronous=FULL makes a commit
                            // durable before it is acknowledged, even across power loss.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            // 64 MiB of page cache (default 2 MiB): bulk imports insert into indexes
                            // keyed by hashes, whose pages are touched at random.
                            conn.execute("PRAGMA cache_size = -65536").await?;
                            // Statement journals (a multi-row INSERT inside a transaction keeps one)
                            // stay in memory instead of spilling to a temporary file.
                            conn.execute("PRAGMA temp_store = MEMORY").await?;
                        }
                        Ok(())
                    })
                })
                // A connection whose transaction sqlx could not end is closed, never reused. After
                // SQLITE_FULL (or an I/O error) SQLite may roll the transaction back itself; sqlx's
                // own ROLLBACK then fails and sqlx goes on counting the transaction as open, so the
                // connection's next `begin` would issue a SAVEPOINT instead of BEGIN, and a refusal
                // there (ROLLBACK TO) leaves a transaction open that holds the write lock and turns
                // later "commits" on that connection into savepoint releases: acknowledged, never
                // committed. Closing it lets SQLite roll back whatever it still holds.
                .after_release(move |conn, _meta| {
                    Box::pin(async move {
                        use sqlx::Connection as _;
                        // Only a connection that still counts a transaction needs the round trip
                        // (which runs any rollback queued when a transaction was dropped unfinished);
                        // the common release pays nothing.
                        if backend == Backend::Sqlite && conn.is_in_transaction() {
                            conn.ping().await?;
                            return Ok(!conn.is_in_transaction());
                        }
                        Ok(true)
                    })
                })
        };
        let pool = options().max_connections(if backend == Backend::Sqlite { 8 } else { 16 }).connect(&url).await?;
        MIGRATOR.run(&pool).await?;
        // SQLite has one writer: writes get a connection of their own, whose page cache stays
        // warm from one transaction to the next (a connection's cache is dropped whenever
        // another connection has written), instead of whichever pool connection is free.
        let writes = match backend {
            Backend::Sqlite => options().max_connections(1).connect(&url).await?,
            Backend::Postgres => pool.clone(),
        };
        let store = Self {
            pool,
            writes,
            backend,
            writer: Arc::new(Mutex::new(())),
            rules: Arc::new(rules),
            secret: Arc::new(secret),
            queue: Arc::default(),
            known: Arc::default(),
        };
        // A database from before the statistics counters gets them from its histories once.
        store.fill_counters_if_empty().await?;
        Ok(store)
    }

    /// The engine in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Begins a write transaction under the single-writer discipline.
    pub async fn begin_write(&self) -> Result<WriteTx<'_>> {
        let guard = if self.backend == Backend::Sqlite { Some(self.writer.lock().await) } else { None };
        // SQLite: IMMEDIATE takes the write lock at BEGIN, where the busy timeout waits for it. A
        // deferred BEGIN reads first and upgrades later, and an upgrade that meets a writer
        // outside this mutex (a report written at start, another process such as a CLI
        // import) fails at once with SQLITE_BUSY, the busy timeout unused.
        let tx = match self.backend {
            Backend::Sqlite => self.writes.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writes.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    /// The connection pool, for maintenance tools and tests that must reach under the API (e.g.
    /// to show that a tampered audit entry is detected).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Copies an SQLite database, as one consistent snapshot, into a new file (`VACUUM INTO`);
    /// writers may go on meanwhile.
    pub async fn sqlite_copy_into(&self, path: &str) -> Result<()> {
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.writes.close().await;
        self.pool.close().await;
    }

    /// HMAC-SHA256 of a personal value (a phone number) under the deployment's secret, for
    /// lookups without storing the value in clear.
    pub fn keyed_hash(&self, value: &str) -> String {
        use hmac::{Hmac, Mac};
        // HMAC accepts keys of any length, so construction cannot fail.
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(self.secret.as_slice()) else {
            return String::new();
        };
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}
