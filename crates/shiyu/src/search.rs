//! Keeping the search index (`DATA/search/`, crate `shiyu-search`) in step with the database,
//! which stays the truth.
//!
//! - **Rebuild** when the index is missing, unreadable, of another schema version, or interrupted
//!   mid-build: every case and dispute is copied in id order, a page at a time, each commit
//!   recording the last id copied so a restart resumes there. The outbox's newest id is noted
//!   first; everything written after it is applied afterwards from the outbox.
//! - **Catch up**, every half second: the case and dispute events the outbox holds after the
//!   index's mark name the records to re-read and re-index (a record gone from its table is
//!   removed); the writer commits once per round, with the new mark. Outbox ids are UUIDv7,
//!   made before their transaction commits, so a slow transaction can commit an id below the
//!   mark: every tenth round re-reads the last minute of entries and applies those not yet seen.
//! - **Check** at start, once caught up: when the index's counts differ from the tables' (rows
//!   written around the outbox, e.g. by a bulk load), the index is rebuilt.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use shiyu_search::{DocKind, Progress, RebuildCursor, SearchDoc, SearchIndex, WriterOptions};
use shiyu_storage::Store;
use shiyu_storage::search_feed::RecordChange;

/// Records copied per page of a rebuild.
const PAGE: u32 = 2_000;
/// Documents between commits of a rebuild.
const COMMIT_EVERY: usize = 50_000;
/// How often the outbox is read.
const POLL: Duration = Duration::from_millis(500);
/// How far back a sweep re-reads the outbox.
const SWEEP_MS: u64 = 60_000;

/// Opens (or starts afresh) the index in `DATA/search`.
pub fn open(data_dir: &Path) -> anyhow::Result<Arc<SearchIndex>> {
    let dir = data_dir.join("search");
    let ix = SearchIndex::open(&dir, WriterOptions::default())
        .with_context(|| format!("search index in {}", dir.display()))?;
    Ok(Arc::new(ix))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> shiyu_search::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    Ok(tokio::task::spawn_blocking(f).await.context("search index task")??)
}

async fn commit(ix: &Arc<SearchIndex>, p: Progress) -> anyhow::Result<()> {
    let ix = ix.clone();
    blocking(move || ix.commit(&p)).await
}

/// Copies every case and dispute into the index, resuming an interrupted copy. Returns the
/// documents copied by this call.
pub async fn rebuild(store: &Store, ix: &Arc<SearchIndex>) -> anyhow::Result<u64> {
    let started = std::time::Instant::now();
    let mut p = ix.progress();
    let mut cursor = match p.rebuild.clone() {
        Some(c) => {
            tracing::info!("search index: resuming the rebuild");
            c
        }
        None => {
            p = Progress {
                schema: shiyu_search::schema::SCHEMA_VERSION,
                mark: store.outbox_last_id().await?,
                rebuild: Some(RebuildCursor::default()),
                built: false,
            };
            let (ix2, p2) = (ix.clone(), p.clone());
            blocking(move || ix2.clear(&p2)).await?;
            tracing::info!("search index: rebuilding from the database");
            RebuildCursor::default()
        }
    };
    let mut copied = 0u64;
    let mut since_commit = 0usize;
    while !cursor.cases_done {
        let page = store.cases_after(cursor.cases_after.as_deref(), PAGE).await?;
        let Some(last) = page.last() else {
            cursor.cases_done = true;
            break;
        };
        cursor.cases_after = Some(last.id.to_string());
        let docs: Vec<SearchDoc> = page.iter().map(SearchDoc::case).collect();
        since_commit += docs.len();
        copied += docs.len() as u64;
        let ix2 = ix.clone();
        blocking(move || ix2.add_new(&docs)).await?;
        if since_commit >= COMMIT_EVERY {
            since_commit = 0;
            commit(ix, Progress { rebuild: Some(cursor.clone()), ..p.clone() }).await?;
        }
    }
    loop {
        let page = store.disputes_after(cursor.disputes_after.as_deref(), PAGE).await?;
        let Some(last) = page.last() else { break };
        cursor.disputes_after = Some(last.id.clone());
        let docs: Vec<SearchDoc> = page.iter().map(|d| SearchDoc::dispute(&d.id, &d.snapshot, &d.events)).collect();
        copied += docs.len() as u64;
        let ix2 = ix.clone();
        blocking(move || ix2.add_new(&docs)).await?;
        commit(ix, Progress { rebuild: Some(cursor.clone()), ..p.clone() }).await?;
    }
    commit(ix, Progress { rebuild: None, built: true, ..p }).await?;
    tracing::info!(docs = copied, seconds = started.elapsed().as_secs_f64(), "search index rebuilt");
    Ok(copied)
}

/// The smallest UUIDv7 text of the millisecond `ms`.
pub(crate) fn uuid_floor(ms: u64) -> String {
    format!("{:08x}-{:04x}-0000-0000-000000000000", ms >> 16, ms & 0xffff)
}

/// The millisecond a UUIDv7 text was made, if it is one.
pub(crate) fn uuid_ms(id: &str) -> Option<u64> {
    let hex: String = id.chars().filter(|c| *c != '-').take(12).collect();
    u64::from_str_radix(&hex, 16).ok()
}

/// Applies outbox entries after the mark (or, for a sweep, after a minute before it) that were
/// not applied yet. Returns the records re-indexed.
pub async fn catch_up(store: &Store, ix: &Arc<SearchIndex>, seen: &mut Seen, sweep: bool) -> anyhow::Result<usize> {
    let mut applied = 0;
    let mut mark = ix.progress().mark;
    let mut after = match (&mark, sweep) {
        (Some(m), true) => uuid_ms(m).map(|t| uuid_floor(t.saturating_sub(SWEEP_MS))).or(mark.clone()),
        _ => mark.clone(),
    };
    loop {
        let batch = store.record_changes_after(after.as_deref(), 2_000).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.outbox_id.clone());
        let full = batch.len() == 2_000;
        let fresh: Vec<RecordChange> = batch.into_iter().filter(|c| !seen.contains(&c.outbox_id)).collect();
        if let Some(newest) = fresh.iter().map(|c| c.outbox_id.clone()).max()
            && mark.as_deref().is_none_or(|m| newest.as_str() > m)
        {
            mark = Some(newest);
        }
        if !fresh.is_empty() {
            applied += apply(store, ix, &fresh, Progress { mark: mark.clone(), ..ix.progress() }).await?;
            for c in &fresh {
                seen.insert(&c.outbox_id);
            }
        }
        if !full {
            break;
        }
    }
    if let Some(m) = mark.as_deref().and_then(uuid_ms) {
        seen.forget_before(m.saturating_sub(2 * SWEEP_MS));
    }
    Ok(applied)
}

/// Re-reads the records `changes` name and commits them to the index with `progress`.
async fn apply(
    store: &Store,
    ix: &Arc<SearchIndex>,
    changes: &[RecordChange],
    progress: Progress,
) -> anyhow::Result<usize> {
    let mut cases: Vec<String> = Vec::new();
    let mut disputes: Vec<String> = Vec::new();
    for c in changes {
        let list = if c.topic == "dispute.event" { &mut disputes } else { &mut cases };
        if !list.contains(&c.aggregate_id) {
            list.push(c.aggregate_id.clone());
        }
    }
    let mut docs: Vec<SearchDoc> = store.cases_by_ids(&cases).await?.iter().map(SearchDoc::case).collect();
    docs.extend(
        store.disputes_by_ids(&disputes).await?.iter().map(|d| SearchDoc::dispute(&d.id, &d.snapshot, &d.events)),
    );
    let gone: Vec<String> =
        cases.iter().chain(&disputes).filter(|id| !docs.iter().any(|d| &d.id == *id)).cloned().collect();
    let n = docs.len();
    let ix2 = ix.clone();
    blocking(move || {
        ix2.upsert(&docs)?;
        for id in &gone {
            ix2.delete(id)?;
        }
        ix2.commit(&progress)
    })
    .await?;
    Ok(n)
}

/// Outbox entries applied lately, so a sweep applies each once.
#[derive(Debug, Default)]
pub struct Seen(BTreeMap<u64, HashSet<String>>);

impl Seen {
    fn contains(&self, id: &str) -> bool {
        uuid_ms(id).and_then(|t| self.0.get(&t)).is_some_and(|s| s.contains(id))
    }

    fn insert(&mut self, id: &str) {
        if let Some(t) = uuid_ms(id) {
            self.0.entry(t).or_default().insert(id.to_owned());
        }
    }

    fn forget_before(&mut self, ms: u64) {
        self.0 = self.0.split_off(&ms);
    }
}

/// Whether the index holds as many cases and disputes as the tables.
pub async fn counts_match(store: &Store, ix: &Arc<SearchIndex>) -> anyhow::Result<bool> {
    let (cases, disputes) = store.searchable_counts().await?;
    let ix2 = ix.clone();
    let (ic, id) = blocking(move || Ok((ix2.count(DocKind::Case)?, ix2.count(DocKind::Dispute)?))).await?;
    if (ic, id) != (cases, disputes) {
        tracing::info!(
            cases,
            disputes,
            indexed_cases = ic,
            indexed_disputes = id,
            "search index differs from the tables"
        );
    }
    Ok((ic, id) == (cases, disputes))
}

/// Brings the index up to the database: rebuilds it when needed (or when its counts differ from
/// the tables' after catching up), then applies the outbox.
pub async fn bring_up(store: &Store, ix: &Arc<SearchIndex>, seen: &mut Seen) -> anyhow::Result<()> {
    if ix.needs_rebuild() {
        rebuild(store, ix).await?;
    }
    catch_up(store, ix, seen, true).await?;
    if !counts_match(store, ix).await? {
        // Writes may have landed between the two counts: look once more before rebuilding.
        catch_up(store, ix, seen, true).await?;
        if !counts_match(store, ix).await? {
            let p = ix.progress();
            commit(ix, Progress { rebuild: None, built: false, ..p }).await?;
            rebuild(store, ix).await?;
            catch_up(store, ix, seen, true).await?;
        }
    }
    Ok(())
}

/// Keeps the index current until `stop` resolves.
pub async fn run(store: Store, ix: Arc<SearchIndex>, stop: tokio::sync::oneshot::Receiver<()>) {
    let mut stop = stop;
    let mut seen = Seen::default();
    loop {
        tokio::select! {
            r = bring_up(&store, &ix, &mut seen) => match r {
                Ok(()) => break,
                Err(e) => tracing::warn!("search index: {e:#}; retrying"),
            },
            _ = &mut stop => return,
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = &mut stop => return,
        }
    }
    let mut round = 0u64;
    loop {
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = &mut stop => return,
        }
        round += 1;
        if let Err(e) = catch_up(&store, &ix, &mut seen, round.is_multiple_of(10)).await {
            tracing::warn!("search index: {e:#}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_floor_sorts_before_every_id_of_its_millisecond_and_after_earlier_ones() {
        let id = uuid::Uuid::now_v7().to_string();
        let ms = uuid_ms(&id).expect("v7");
        assert!(uuid_floor(ms) <= id && uuid_floor(ms + 1) > id, "{id}");
        assert!(uuid_floor(ms.saturating_sub(SWEEP_MS)) < id);
    }

    #[test]
    fn seen_forgets_old_entries() {
        let mut s = Seen::default();
        let id = uuid::Uuid::now_v7().to_string();
        s.insert(&id);
        assert!(s.contains(&id));
        s.forget_before(uuid_ms(&id).expect("v7") + 1);
        assert!(!s.contains(&id));
    }
}
