//! The points feed: pays residents for reports that prove true, from the outbox of case events
//! (why there and not in the case move: `shiyu_storage::points::rewards`).
//!
//! Every second the feed reads the `case.event` outbox entries after its mark; for each that
//! closed or archived a case it asks the store to pay the case's reward, which happens at most
//! once per case whatever calls it. Outbox ids are UUIDv7 made before their transaction commits
//! (and the group commit writes a batch's entries at its commit), so an entry can become visible
//! behind the mark: every tenth round re-reads the last minute before the mark. The mark is
//! stored after each round that paid anything, and otherwise every [`SAVE_EVERY`] entries, so a
//! restart re-reads at most that many entries beyond the last payment (all harmless repeats).
//!
//! A database whose feed never ran starts at the end of its outbox, and stores that mark at once:
//! points are earned from the day the feature is switched on (give or take the minute a sweep
//! re-reads), not paid out for years of history (a city's shops could not honour that). The demo, whose history is made up, asks for it
//! ([`Feed::from_the_start`]).

use std::time::Duration;

use chrono::Utc;
use shiyu_domain::ids::CaseId;
use shiyu_storage::Store;
use shiyu_storage::points::rewards::Award;

use crate::search::{uuid_floor, uuid_ms};

/// How often the outbox is read.
const POLL: Duration = Duration::from_secs(1);
/// How far back a sweep re-reads.
const SWEEP_MS: u64 = 60_000;
/// Entries read between stored marks when nothing is paid.
pub const SAVE_EVERY: usize = 10_000;
/// Entries per read.
const PAGE: u32 = 2_000;

/// Where the feed stands.
#[derive(Debug, Default)]
pub struct Feed {
    /// The newest entry handled.
    pub mark: Option<String>,
    /// Entries handled since the mark was last stored.
    unsaved: usize,
    /// Whether the stored mark has been read.
    loaded: bool,
    /// Without a stored mark, read the outbox from its first entry (not from its end).
    from_start: bool,
}

impl Feed {
    /// A feed that, on a database where none ever ran, pays the whole history.
    pub fn from_the_start() -> Self {
        Self { from_start: true, ..Self::default() }
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Entries read.
    pub read: usize,
    /// Rewards paid now.
    pub paid: usize,
    /// Rewards found paid already.
    pub already: usize,
}

/// Reads the entries after the mark (for a sweep, after a minute before it) and pays what they
/// earn. Safe to run beside another feed: payments are once per case.
pub async fn catch_up(store: &Store, feed: &mut Feed, sweep: bool) -> anyhow::Result<Round> {
    if !feed.loaded {
        feed.mark = store.point_feed_mark().await?;
        if feed.mark.is_none() && !feed.from_start {
            // An empty outbox stores the empty mark, which every id sorts after.
            let end = store.outbox_last_id().await?.unwrap_or_default();
            store.set_point_feed_mark(&end, Utc::now()).await?;
            feed.mark = Some(end);
        }
        feed.loaded = true;
    }
    let mut round = Round::default();
    let mut after = match (&feed.mark, sweep) {
        (Some(m), true) => uuid_ms(m).map(|t| uuid_floor(t.saturating_sub(SWEEP_MS))).or(feed.mark.clone()),
        _ => feed.mark.clone(),
    };
    loop {
        let page = store.case_events_after(after.as_deref(), PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.outbox_id.clone());
        let full = page.len() == PAGE as usize;
        for e in &page {
            round.read += 1;
            if e.ends
                && let Ok(case) = CaseId::parse(&e.case_id)
            {
                match store.award_true_report(case, Utc::now()).await? {
                    Award::Paid { .. } => round.paid += 1,
                    Award::AlreadyPaid => round.already += 1,
                    Award::NotEligible => {}
                }
            }
            if feed.mark.as_deref().is_none_or(|m| e.outbox_id.as_str() > m) {
                feed.mark = Some(e.outbox_id.clone());
                feed.unsaved += 1;
            }
        }
        if !full {
            break;
        }
    }
    if let Some(m) = &feed.mark
        && feed.unsaved > 0
        && (round.paid > 0 || feed.unsaved >= SAVE_EVERY)
    {
        store.set_point_feed_mark(m, Utc::now()).await?;
        feed.unsaved = 0;
    }
    Ok(round)
}

/// Pays rewards, round after round, until the task is aborted with the server (a round cut short
/// leaves its transaction unwritten, and the next start reads those entries again).
pub async fn run(store: Store) {
    let mut feed = Feed::default();
    let mut n = 0u64;
    loop {
        n += 1;
        match catch_up(&store, &mut feed, n.is_multiple_of(10)).await {
            Ok(r) if r.paid > 0 => tracing::info!(paid = r.paid, "points for true reports"),
            Ok(_) => {}
            Err(e) => tracing::warn!("points feed: {e:#}"),
        }
        tokio::time::sleep(POLL).await;
    }
}
