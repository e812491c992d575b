//! Group commit: the hot writes (registering a case, making a move, routing feedback) queue here,
//! and one task runs whatever has queued in one transaction, one change after another, then
//! commits once and only then answers every caller.
//!
//! SQLite has one writer and every commit waits for the disk; one transaction per request caps
//! the write rate at the disk's commit rate, and under load the writer lock turns into a convoy.
//! A batch pays one commit for all the changes that arrived while the previous one was written,
//! so throughput grows with concurrency and a lone request waits for nothing extra. Nothing is
//! acknowledged before its commit: a failed commit fails every change of the batch, and a change
//! refused on its own leaves nothing and does not touch the others.
//!
//! Every statement on the serial path costs a hand-off to the database's thread and back, more
//! than SQLite takes to run it; so a change's writes that nothing later in the batch reads back
//! (its event, outbox and webhook rows, notifications, counters, and a registration's case row)
//! are deferred: collected in memory and written just before the commit, many rows per statement,
//! in the same transaction. Counter cells are summed per batch, since the changes mostly add to
//! the same rollups. A change refuses before its first immediate write, so a refusal drops what
//! it deferred and needs no savepoint ([`Store::write`]). A registration then runs one statement
//! of its own (the repeat check) and a move two (read and update).
//!
//! PostgreSQL commits concurrent transactions together by itself, but every change adds to the
//! same rollup counter rows, whose locks would queue the changes one commit at a time; the same
//! batching (on a task of the server's runtime) sums them there too.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use shiyu_domain::stats::Metric;
use sqlx::{Any, Transaction};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::base::V;
use crate::case_counts::CountKey;
use crate::db::{Backend, Store};
use crate::error::{Result, StorageError};
use crate::stats::cells::{Amounts, CellKey};
use crate::webhooks::OutboxRow;

/// A row kind some change inserts: written with the batch's other rows of its kind in one
/// multi-row statement.
pub(crate) struct Insert {
    /// Table.
    pub(crate) table: &'static str,
    /// Columns, in the order of each row's values.
    pub(crate) cols: &'static [&'static str],
    /// What follows `VALUES (…), (…)`: an `ON CONFLICT` clause or nothing.
    pub(crate) suffix: &'static str,
}

/// What a registration of this batch looked like, for the repeat check of the registrations
/// after it: their rows are deferred, so the database cannot answer for them.
#[derive(Clone)]
pub(crate) struct Recent {
    pub(crate) area: String,
    pub(crate) category: String,
    pub(crate) created_at: i64,
    pub(crate) reporter_user: Option<String>,
    pub(crate) phone_hash: Option<String>,
}

/// What a change, or the batch's kept changes, left to be written at the commit.
#[derive(Default)]
struct Pending {
    cells: BTreeMap<CellKey, Amounts>,
    /// Rows per table, in the order the kinds were first deferred.
    rows: Vec<(&'static Insert, Vec<Vec<V>>)>,
    outbox: Vec<OutboxRow>,
    /// Additions to `case_counts`.
    counts: BTreeMap<CountKey, i64>,
    /// The last case number issued per (city, day).
    serials: BTreeMap<(String, String), i64>,
    recent: Vec<Recent>,
}

impl Pending {
    fn absorb(&mut self, other: Pending) {
        for (cell, amounts) in other.cells {
            let slot = self.cells.entry(cell).or_insert([0; Metric::ALL.len()]);
            for (s, n) in slot.iter_mut().zip(amounts) {
                *s += n;
            }
        }
        for (kind, rows) in other.rows {
            match self.rows.iter_mut().find(|(k, _)| std::ptr::eq(*k, kind)) {
                Some((_, mine)) => mine.extend(rows),
                None => self.rows.push((kind, rows)),
            }
        }
        self.outbox.extend(other.outbox);
        for (key, n) in other.counts {
            *self.counts.entry(key).or_default() += n;
        }
        self.serials.extend(other.serials);
        self.recent.extend(other.recent);
    }

    /// Writes everything, many rows per statement.
    async fn flush(self, tx: &mut Transaction<'static, Any>) -> Result<()> {
        for (kind, rows) in self.rows {
            crate::bulk::insert_rows(tx, kind.table, kind.cols, rows, kind.suffix).await?;
        }
        crate::webhooks::write_outbox(tx, self.outbox).await?;
        let counts = self.counts.into_iter().filter(|(_, n)| *n != 0).map(|(k, n)| k.row(n)).collect();
        crate::bulk::insert_rows(tx, "case_counts", crate::case_counts::COLS, counts, crate::case_counts::ADD).await?;
        let serials = self.serials.into_iter().map(|((c, d), n)| vec![V::T(Some(c)), V::T(Some(d)), V::I(n)]).collect();
        crate::bulk::insert_rows(
            tx,
            "case_serials",
            &["city", "day", "last"],
            serials,
            " ON CONFLICT (city, day) DO UPDATE SET last = excluded.last",
        )
        .await?;
        crate::bulk::add_cells(tx, &self.cells).await
    }
}

/// The batch being written: its kept changes' pending writes, and the running change's (dropped
/// if it is refused).
#[derive(Default)]
struct Deferred {
    batch: Pending,
    change: Pending,
}

tokio::task_local! {
    static DEFERRED: RefCell<Deferred>;
}

/// Whether this code runs inside a batch (its writes may be deferred to the commit).
pub(crate) fn batching() -> bool {
    DEFERRED.try_with(|_| ()).is_ok()
}

/// Adds a change's counter amounts to the running batch's sums, if it runs in a batch; `false`
/// when it does not (the caller writes them itself).
pub(crate) fn defer_cells(cells: Vec<CellKey>, amounts: &Amounts) -> bool {
    deferred(|d| {
        for cell in cells {
            let slot = d.change.cells.entry(cell).or_insert([0; Metric::ALL.len()]);
            for (s, n) in slot.iter_mut().zip(amounts) {
                *s += n;
            }
        }
    })
    .is_some()
}

/// Inserts `row` of `kind`: deferred to the batch's commit inside a batch, at once otherwise.
pub(crate) async fn insert(tx: &mut Transaction<'static, Any>, kind: &'static Insert, row: Vec<V>) -> Result<()> {
    let mut row = Some(row);
    deferred(|d| {
        if let Some(r) = row.take() {
            match d.change.rows.iter_mut().find(|(k, _)| std::ptr::eq(*k, kind)) {
                Some((_, rows)) => rows.push(r),
                None => d.change.rows.push((kind, vec![r])),
            }
        }
    });
    match row {
        None => Ok(()),
        Some(r) => crate::bulk::insert_rows(tx, kind.table, kind.cols, vec![r], kind.suffix).await,
    }
}

/// Defers an outbox row to the batch's commit; gives it back outside a batch.
pub(crate) fn defer_outbox(row: OutboxRow) -> Option<OutboxRow> {
    let mut row = Some(row);
    deferred(|d| d.change.outbox.extend(row.take()));
    row
}

/// Defers an addition to a `case_counts` key; `false` outside a batch.
pub(crate) fn defer_count(key: &CountKey, n: i64) -> bool {
    deferred(|d| *d.change.counts.entry(key.clone()).or_default() += n).is_some()
}

/// The last case number this batch issued for (city, day), if it issued one.
pub(crate) fn last_serial(key: &(String, String)) -> Option<i64> {
    deferred(|d| d.change.serials.get(key).or_else(|| d.batch.serials.get(key)).copied()).flatten()
}

/// Records the case number a change of this batch issued.
pub(crate) fn issue_serial(key: (String, String), n: i64) {
    deferred(|d| d.change.serials.insert(key, n));
}

/// Records a registration for the repeat checks of the ones after it in the batch.
pub(crate) fn remember(recent: Recent) {
    deferred(|d| d.change.recent.push(recent));
}

/// Whether a registration earlier in this batch satisfies `repeats`.
pub(crate) fn any_recent(repeats: impl Fn(&Recent) -> bool) -> bool {
    deferred(|d| d.batch.recent.iter().chain(&d.change.recent).any(&repeats)).unwrap_or(false)
}

fn deferred<T>(f: impl FnOnce(&mut Deferred) -> T) -> Option<T> {
    DEFERRED.try_with(|d| f(&mut d.borrow_mut())).ok()
}

/// A boxed future borrowing the transaction.
pub type TxFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>;

/// Most changes in one transaction: bounds a batch's latency and its savepoint stack.
const MAX_BATCH: usize = 128;

/// What a change returned, its type erased while it waits in the queue.
type Value = Box<dyn std::any::Any + Send>;
/// A queued change, run in the batch's transaction.
type Run = Box<
    dyn for<'t> FnOnce(&'t mut Transaction<'static, Any>) -> Pin<Box<dyn Future<Output = Result<Value>> + Send + 't>>
        + Send,
>;

/// A change and where its answer goes.
struct Job {
    run: Run,
    reply: oneshot::Sender<Result<Value>>,
}

/// The queue to the committing thread (SQLite), started on first use; it ends when the store's
/// last clone is dropped.
#[derive(Default)]
pub(crate) struct Queue {
    tx: std::sync::Mutex<Option<mpsc::UnboundedSender<Job>>>,
    /// Transactions committed, for the tests and the bench to see how much was grouped.
    pub(crate) commits: Arc<AtomicU64>,
}

impl Store {
    /// Runs `change` in the next batch's transaction and returns its value once it is durable.
    ///
    /// A change refuses (a rule, a missing or concurrently changed record) only before its first
    /// immediate write, and writes everything else through [`insert`] and the other `defer_`
    /// functions, which are dropped with it when it refuses: no savepoint is needed, two
    /// statements fewer on the serial path. Any other failure, which may come after an immediate
    /// write, fails the whole batch.
    pub(crate) async fn write<T, F>(&self, change: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Transaction<'static, Any>) -> TxFuture<'t, T> + Send + 'static,
    {
        let run: Run = Box::new(move |tx| Box::pin(async move { change(tx).await.map(|v| Box::new(v) as Value) }));
        let (reply, answer) = oneshot::channel();
        self.enqueue(Job { run, reply })?;
        let value = answer.await.map_err(|_| lost())??;
        value.downcast::<T>().map(|v| *v).map_err(|_| lost())
    }

    fn enqueue(&self, job: Job) -> Result<()> {
        let mut slot = self.queue.tx.lock().map_err(|_| lost())?;
        let job = match slot.as_ref() {
            Some(sender) => match sender.send(job) {
                Ok(()) => return Ok(()),
                // The committing thread has ended (it cannot while a sender lives; kept for safety).
                Err(mpsc::error::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        // The committer has a thread of its own: every statement is a hand-off to SQLite's worker
        // thread and back, and a parked thread woken directly answers sooner than a task that
        // waits its turn on the shared runtime's two workers (the batch's statements run one
        // after another, so that wait is the write rate's limit).
        // PostgreSQL's connections belong to the runtime that opened them: there the committer
        // is a task on the server's runtime.
        let (pool, writer, commits) = (self.writes.clone(), self.writer.clone(), self.queue.commits.clone());
        let backend = self.backend();
        if backend == Backend::Postgres {
            tokio::spawn(commit_loop(pool, backend, writer, commits, rx));
        } else {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|_| lost())?;
            std::thread::Builder::new()
                .name("shiyu-commit".into())
                .spawn(move || runtime.block_on(commit_loop(pool, backend, writer, commits, rx)))
                .map_err(|_| lost())?;
        }
        tx.send(job).map_err(|_| lost())?;
        *slot = Some(tx);
        Ok(())
    }
}

/// The committing task went away without answering (its runtime was shut down).
fn lost() -> StorageError {
    StorageError::Shared(Arc::new(StorageError::Corrupt("write queue")))
}

/// Takes what has queued, runs it in one transaction and commits, until every sender is gone.
async fn commit_loop(
    pool: sqlx::AnyPool,
    backend: Backend,
    writer: Arc<Mutex<()>>,
    commits: Arc<AtomicU64>,
    mut rx: mpsc::UnboundedReceiver<Job>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let waited = std::time::Instant::now();
        let _guard = writer.lock().await;
        let started = std::time::Instant::now();
        let n = batch.len();
        DEFERRED.scope(RefCell::new(Deferred::default()), run_batch(&pool, backend, std::mem::take(&mut batch))).await;
        tracing::debug!(
            changes = n,
            lock_us = (started - waited).as_micros() as u64,
            batch_us = started.elapsed().as_micros() as u64,
            "group commit"
        );
        commits.fetch_add(1, Ordering::Relaxed);
    }
}

/// Whether a refusal is one a change makes before writing anything (a rule, a missing or
/// concurrently changed record) rather than a failure that may come after a write.
fn refuses_early(e: &StorageError) -> bool {
    matches!(e, StorageError::Domain(_) | StorageError::NotFound(_) | StorageError::Conflict(_))
}

/// Runs one batch and answers each of its callers.
async fn run_batch(pool: &sqlx::AnyPool, backend: Backend, batch: Vec<Job>) {
    // SQLite IMMEDIATE: wait for the write lock at BEGIN rather than fail on upgrading (see
    // `Store::begin_write`).
    let begun = match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    };
    let mut tx = match begun {
        Ok(tx) => tx,
        Err(e) => {
            let e = Arc::new(StorageError::Database(e));
            for job in batch {
                let _ = job.reply.send(Err(StorageError::Shared(e.clone())));
            }
            return;
        }
    };
    let began = std::time::Instant::now();
    let mut kept: Vec<(Value, oneshot::Sender<Result<Value>>)> = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    let broken = loop {
        let Some(Job { run, reply }) = jobs.next() else { break None };
        deferred(|d| d.change = Pending::default());
        match run(&mut tx).await {
            Ok(v) => {
                deferred(|d| {
                    let change = std::mem::take(&mut d.change);
                    d.batch.absorb(change);
                });
                kept.push((v, reply));
            }
            // Nothing of a refused change remains: it is answered at once.
            Err(refusal) if refuses_early(&refusal) => {
                let _ = reply.send(Err(refusal));
            }
            // It may have written before it failed, and nothing marks where it began.
            Err(failure) => {
                let _ = reply.send(Err(failure));
                break Some(Arc::new(StorageError::Corrupt("change failed after writing")));
            }
        }
    };
    let outcome = match broken {
        Some(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
        None if kept.is_empty() => {
            let _ = tx.rollback().await;
            Ok(())
        }
        None => {
            let pending = deferred(|d| std::mem::take(&mut d.batch)).unwrap_or_default();
            let flushing = std::time::Instant::now();
            let ran_us = (flushing - began).as_micros() as u64;
            match pending.flush(&mut tx).await {
                Ok(()) => {
                    let committing = std::time::Instant::now();
                    let done = tx.commit().await.map_err(|e| Arc::new(StorageError::Database(e)));
                    tracing::debug!(
                        ran_us,
                        flush_us = (committing - flushing).as_micros() as u64,
                        commit_us = committing.elapsed().as_micros() as u64,
                        "group commit phases"
                    );
                    done
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    Err(Arc::new(e))
                }
            }
        }
    };
    for (v, reply) in kept {
        let _ = reply.send(outcome.clone().map(|()| v).map_err(StorageError::Shared));
    }
    // Changes never reached because the transaction broke: nothing of them was written.
    if let Err(e) = outcome {
        for job in jobs {
            let _ = job.reply.send(Err(StorageError::Shared(e.clone())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules;

    async fn store(dir: &std::path::Path) -> Store {
        let store = Store::open(&dir.join("t.db").display().to_string(), Rules::default(), vec![7; 32])
            .await
            .expect("test setup");
        sqlx::query("CREATE TABLE scratch (n INTEGER PRIMARY KEY)").execute(store.pool()).await.expect("test setup");
        store
    }

    static SCRATCH: Insert = Insert { table: "scratch", cols: &["n"], suffix: "" };

    /// Inserts `n` (deferred), then refuses when `n` is odd: the insert must not survive.
    async fn change(store: &Store, n: i64) -> Result<i64> {
        store
            .write(move |tx| {
                Box::pin(async move {
                    insert(tx, &SCRATCH, vec![V::I(n)]).await?;
                    if n % 2 == 1 {
                        return Err(StorageError::Conflict("odd"));
                    }
                    Ok(n * 10)
                })
            })
            .await
    }

    /// Inserts `n` at once, then fails as a database error would, after writing.
    async fn failing_after_a_write(store: &Store, n: i64) -> Result<i64> {
        store
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO scratch (n) VALUES ($1)").bind(n).execute(&mut **tx).await?;
                    Err(StorageError::Corrupt("after the write"))
                })
            })
            .await
    }

    async fn rows(store: &Store) -> Vec<i64> {
        sqlx::query_scalar::<_, i64>("SELECT n FROM scratch ORDER BY n")
            .fetch_all(store.pool())
            .await
            .expect("test setup")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_changes_share_commits_and_a_refusal_undoes_only_itself() {
        let dir = tempfile::tempdir().expect("test setup");
        let store = store(dir.path()).await;
        let tasks: Vec<_> = (0..300i64)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move { (n, change(&store, n).await) })
            })
            .collect();
        for t in tasks {
            let (n, r) = t.await.expect("test setup");
            match r {
                Ok(v) => assert_eq!((n % 2, v), (0, n * 10)),
                Err(StorageError::Conflict("odd")) => assert_eq!(n % 2, 1),
                Err(e) => panic!("{n}: {e}"),
            }
        }
        assert_eq!(rows(&store).await, (0..300).filter(|n| n % 2 == 0).collect::<Vec<_>>());
        let commits = store.queue.commits.load(std::sync::atomic::Ordering::Relaxed);
        assert!(commits < 300, "300 concurrent changes took {commits} commits: nothing was grouped");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failure_after_a_write_fails_its_whole_batch_and_leaves_nothing() {
        let dir = tempfile::tempdir().expect("test setup");
        let store = store(dir.path()).await;
        let tasks: Vec<_> = (0..200i64)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    let r = if n == 101 { failing_after_a_write(&store, n).await } else { change(&store, n * 2).await };
                    (n, r)
                })
            })
            .collect();
        let mut written = Vec::new();
        let mut failed = 0;
        for t in tasks {
            let (n, r) = t.await.expect("test setup");
            match r {
                Ok(v) => {
                    assert_ne!(n, 101);
                    assert_eq!(v, n * 20);
                    written.push(n * 2);
                }
                Err(_) => failed += 1,
            }
        }
        written.sort();
        assert_eq!(rows(&store).await, written, "exactly the acknowledged changes are written");
        assert!(failed >= 1, "the failing change was answered with its failure");
        assert!(failed < 200, "the batches without the failure committed");
    }

    #[tokio::test]
    async fn a_lone_refused_change_leaves_nothing() {
        let dir = tempfile::tempdir().expect("test setup");
        let store = store(dir.path()).await;
        assert!(matches!(change(&store, 3).await, Err(StorageError::Conflict("odd"))));
        assert_eq!(change(&store, 4).await.expect("test setup"), 40);
        assert_eq!(rows(&store).await, vec![4]);
    }

    #[test]
    fn the_queue_survives_the_runtime_it_started_in() {
        let dir = tempfile::tempdir().expect("test setup");
        let rt =
            || tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("test setup");
        let first = rt();
        let store = first.block_on(store(dir.path()));
        assert_eq!(first.block_on(change(&store, 2)).expect("test setup"), 20);
        drop(first);
        assert_eq!(rt().block_on(change(&store, 6)).expect("test setup"), 60);
        assert_eq!(rt().block_on(rows(&store)), vec![2, 6]);
    }
}
