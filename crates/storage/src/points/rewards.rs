//! Points for a report that proves true, paid exactly once per case.
//!
//! **Why from the outbox, not inside the case move.** A case move is the platform's hot path,
//! batched by the group commit (`group_commit.rs`); paying points there would add reads (rules,
//! the reporter's role) and ledger rows to every batch and tie the points ledger to the case
//! write path. Instead every case event already leaves an outbox entry in its own transaction
//! (`case.event`, with the state after it); the server's points feed (`shiyu::points`) reads
//! those after a mark and, for each case that reached `closed` (or `archived`), calls
//! [`Store::award_true_report`]. The entry's `idem_key` (`report_true:<case id>`) is unique, so
//! however often the feed reads an entry — again after a restart, in its sweep of late commits,
//! or from two servers at once — the points are paid once. Nothing is lost either: the mark
//! moves only past entries already handled, and outbox entries are never deleted.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaLevel;
use shiyu_domain::case::CaseSnapshot;
use shiyu_domain::ids::{CaseId, UserId};
use shiyu_domain::points::{Entry, EntryKind};
use shiyu_domain::role::Role;
use sqlx::Row;

use super::{EntryMeta, Posted};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// What happened to a case's reward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Award {
    /// Paid now.
    Paid {
        /// Who.
        member: UserId,
        /// How much.
        points: i64,
    },
    /// Paid before; nothing written.
    AlreadyPaid,
    /// Nothing to pay: the case is not (yet) a true report of a resident's account.
    NotEligible,
}

/// A case event in the outbox, as the points feed reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEventMark {
    /// The outbox entry's id (a UUIDv7).
    pub outbox_id: String,
    /// The case.
    pub case_id: String,
    /// Whether the case was closed or archived by this event.
    pub ends: bool,
}

/// The feed's row in `point_feed`.
const FEED: &str = "case.event";

fn key(case: CaseId) -> String {
    format!("report_true:{case}")
}

impl Store {
    /// Pays the reporter of a closed case the rules' points for a true report, once. Safe to call
    /// any number of times, concurrently too.
    pub async fn award_true_report(&self, case: CaseId, now: DateTime<Utc>) -> Result<Award> {
        let paid = sqlx::query("SELECT 1 AS x FROM point_entries WHERE idem_key = $1")
            .bind(key(case))
            .fetch_optional(&self.pool)
            .await?;
        if paid.is_some() {
            return Ok(Award::AlreadyPaid);
        }
        let Some(row) = sqlx::query("SELECT snapshot FROM cases WHERE id = $1")
            .bind(case.to_string())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(Award::NotEligible);
        };
        let snap: CaseSnapshot =
            serde_json::from_str(&row.try_get::<String, _>("snapshot")?).map_err(|_| StorageError::Corrupt("case"))?;
        let rules = self.point_rules(&snap.area).await?.rules;
        let Some((member, points)) = rules.report_award(&snap) else { return Ok(Award::NotEligible) };
        // Staff who report for work earn nothing; only residents' own reports do.
        let role = sqlx::query("SELECT role FROM users WHERE id = $1")
            .bind(member.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<String, _>("role"))
            .transpose()?;
        if role.as_deref() != Some(Role::Resident.as_str()) {
            return Ok(Award::NotEligible);
        }
        let issuer = snap.area.ancestor_at(AreaLevel::Community).unwrap_or_else(|| snap.area.clone());
        let entry = Entry::earn(EntryKind::ReportTrue, issuer.clone(), member, points)?;
        let meta = EntryMeta {
            idem_key: key(case),
            area: issuer,
            memo: format!("{} {}", snap.number, snap.title),
            ref_id: Some(case.to_string()),
            actor: None,
        };
        let mut w = self.begin_write().await?;
        match self.post_entry(&mut w.tx, &entry, meta, now).await {
            Ok(Posted::New(_)) => {
                w.tx.commit().await?;
                Ok(Award::Paid { member, points: points.get() })
            }
            Ok(Posted::Already(_)) | Err(StorageError::Conflict("point entry")) => Ok(Award::AlreadyPaid),
            Err(e) => Err(e),
        }
    }

    /// Case events in the outbox after `after` (all when `None`), oldest first, at most `limit`.
    /// Only an event that closes or archives its case can pay, so only those are read in full.
    pub async fn case_events_after(&self, after: Option<&str>, limit: u32) -> Result<Vec<CaseEventMark>> {
        let rows = sqlx::query(
            "SELECT id, aggregate_id, CASE WHEN payload LIKE '%\"closed\"%' OR payload LIKE '%\"archived\"%' \
             THEN payload ELSE NULL END AS payload FROM outbox WHERE topic = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(FEED)
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let payload: Option<String> = r.try_get("payload")?;
                // The state after the event is the payload's own `state` (the event inside may
                // mention states too; only the top level counts).
                let ends = payload
                    .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
                    .and_then(|v| v.get("state").and_then(|s| s.as_str()).map(|s| s == "closed" || s == "archived"))
                    .unwrap_or(false);
                Ok(CaseEventMark { outbox_id: r.try_get("id")?, case_id: r.try_get("aggregate_id")?, ends })
            })
            .collect()
    }

    /// How far the points feed has read the outbox.
    pub async fn point_feed_mark(&self) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT mark FROM point_feed WHERE name = $1").bind(FEED).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get("mark")).transpose()?)
    }

    /// Records the feed's mark; it only ever moves forward.
    pub async fn set_point_feed_mark(&self, mark: &str, now: DateTime<Utc>) -> Result<()> {
        // A server may run before its city is set up (`shiyu init`); the mark belongs to no city then.
        let city = self.default_city().await.map(|c| c.as_str().to_owned()).unwrap_or_default();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO point_feed (city, name, mark, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE \
             SET mark = $3, updated_at = $4 WHERE point_feed.mark < $3",
        )
        .bind(city.as_str())
        .bind(FEED)
        .bind(mark)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }
}
