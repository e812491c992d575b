//! Group commit for SQLite: the hot writes (registering a case, making a move) queue here, and
//! one task runs whatever has queued in one transaction, each change in its own savepoint, then
//! commits once and only then answers every caller.
//!
//! SQLite has one writer and every commit waits for the disk; one transaction per request caps
//! the write rate at the disk's commit rate, and under load the writer lock turns into a convoy.
//! A batch pays one commit for all the changes that arrived while the previous one was written,
//! so throughput grows with concurrency and a lone request waits for nothing extra. Nothing is
//! acknowledged before its commit: a failed commit fails every change of the batch, and a change
//! refused on its own is rolled back to its savepoint without touching the others.
//!
//! Counter cells are the bulk of a change's statements (a fine cell and its rollups, a dozen
//! upserts an event) and the changes of a batch mostly add to the same rollups; inside a batch
//! they are summed in memory and written once, just before the commit, in the same transaction.
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

use crate::db::{Backend, Store};
use crate::error::{Result, StorageError};
use crate::stats::cells::{Amounts, CellKey};

/// Counter amounts of the batch being written: of the changes kept so far, and of the change
/// running now (dropped if it is refused).
#[derive(Default)]
struct Deferred {
    batch: BTreeMap<CellKey, Amounts>,
    change: BTreeMap<CellKey, Amounts>,
}

tokio::task_local! {
    static DEFERRED: RefCell<Deferred>;
}

/// Adds a change's counter amounts to the running batch's sums, if it runs in a batch; `false`
/// when it does not (the caller writes them itself).
pub(crate) fn defer_cells(cells: Vec<CellKey>, amounts: &Amounts) -> bool {
    DEFERRED
        .try_with(|d| {
            let mut d = d.borrow_mut();
            for cell in cells {
                let slot = d.change.entry(cell).or_insert([0; Metric::ALL.len()]);
                for (s, n) in slot.iter_mut().zip(amounts) {
                    *s += n;
                }
            }
        })
        .is_ok()
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
    /// Runs `change` in a write transaction and returns its value once it is durable: batched
    /// with concurrent changes on SQLite (see the module doc), its own transaction on PostgreSQL.
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
        let (pool, writer, commits) = (self.pool.clone(), self.writer.clone(), self.queue.commits.clone());
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
    let alone = batch.len() == 1;
    let mut kept: Vec<(Value, oneshot::Sender<Result<Value>>)> = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    let broken = loop {
        let Some(Job { run, reply }) = jobs.next() else { break None };
        // A lone change needs no savepoint: its refusal rolls the whole transaction back.
        if !alone && let Err(e) = sqlx::query("SAVEPOINT change").execute(&mut *tx).await {
            let _ = reply.send(Err(StorageError::Database(e)));
            break Some(Arc::new(StorageError::Corrupt("savepoint")));
        }
        deferred(|d| d.change.clear());
        match run(&mut tx).await {
            Ok(v) => {
                deferred(|d| {
                    for (cell, amounts) in std::mem::take(&mut d.change) {
                        let slot = d.batch.entry(cell).or_insert([0; Metric::ALL.len()]);
                        for (s, n) in slot.iter_mut().zip(amounts) {
                            *s += n;
                        }
                    }
                });
                if !alone && let Err(e) = sqlx::query("RELEASE change").execute(&mut *tx).await {
                    let _ = reply.send(Err(StorageError::Database(e)));
                    break Some(Arc::new(StorageError::Corrupt("savepoint")));
                }
                kept.push((v, reply));
            }
            Err(refusal) => {
                if !alone {
                    let undone = match sqlx::query("ROLLBACK TO change").execute(&mut *tx).await {
                        Ok(_) => sqlx::query("RELEASE change").execute(&mut *tx).await.map(|_| ()),
                        Err(e) => Err(e),
                    };
                    if let Err(e) = undone {
                        let _ = reply.send(Err(refusal));
                        break Some(Arc::new(StorageError::Database(e)));
                    }
                }
                // Nothing of a refused change remains: it is answered at once.
                let _ = reply.send(Err(refusal));
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
            let cells = deferred(|d| std::mem::take(&mut d.batch)).unwrap_or_default();
            match crate::bulk::add_cells(&mut tx, backend, &cells).await {
                Ok(()) => tx.commit().await.map_err(|e| Arc::new(StorageError::Database(e))),
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

    /// Inserts `n`, then refuses when `n` is odd: the insert must not survive.
    async fn change(store: &Store, n: i64) -> Result<i64> {
        store
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO scratch (n) VALUES ($1)").bind(n).execute(&mut **tx).await?;
                    if n % 2 == 1 {
                        return Err(StorageError::Conflict("odd"));
                    }
                    Ok(n * 10)
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
