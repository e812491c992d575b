//! What the search index is fed from: case and dispute rows in id order (a rebuild), and the
//! outbox entries of case and dispute events after a mark (keeping it current). The index itself
//! is `shiyu-search`'s; this module only reads.

use shiyu_domain::case::CaseSnapshot;
use shiyu_domain::dispute::{DisputeEvent, DisputeSnapshot};
use sqlx::Row;

use crate::db::Store;
use crate::error::{Result, StorageError};

/// The outbox topics whose records are searchable.
pub const SEARCH_TOPICS: [&str; 2] = ["case.event", "dispute.event"];

/// One outbox entry naming a changed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordChange {
    /// The outbox entry's id (a UUIDv7: ids sort by the time they were made).
    pub outbox_id: String,
    /// `case.event` or `dispute.event`.
    pub topic: String,
    /// The case's or dispute's id.
    pub aggregate_id: String,
}

/// A dispute with its history, for the index.
#[derive(Debug, Clone)]
pub struct DisputeForIndex {
    /// Id.
    pub id: String,
    /// As it stands.
    pub snapshot: DisputeSnapshot,
    /// Its events in order.
    pub events: Vec<DisputeEvent>,
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// The newest outbox entry's id, if any.
    pub async fn outbox_last_id(&self) -> Result<Option<String>> {
        let row = sqlx::query("SELECT MAX(id) AS id FROM outbox").fetch_one(&self.pool).await?;
        Ok(row.try_get::<Option<String>, _>("id")?)
    }

    /// Case and dispute changes whose outbox id is after `after` (all when `None`), oldest first.
    pub async fn record_changes_after(&self, after: Option<&str>, limit: u32) -> Result<Vec<RecordChange>> {
        // Each topic read along `outbox_topic_id`, then merged: one range scan each, no sort of a
        // whole topic.
        let rows = sqlx::query(
            "SELECT id, topic, aggregate_id FROM \
             (SELECT id, topic, aggregate_id FROM outbox WHERE topic = $2 AND id > $1 ORDER BY id LIMIT $4) a \
             UNION ALL SELECT id, topic, aggregate_id FROM \
             (SELECT id, topic, aggregate_id FROM outbox WHERE topic = $3 AND id > $1 ORDER BY id LIMIT $4) b \
             ORDER BY id LIMIT $4",
        )
        .bind(after.unwrap_or(""))
        .bind(SEARCH_TOPICS[0])
        .bind(SEARCH_TOPICS[1])
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RecordChange {
                    outbox_id: r.try_get("id")?,
                    topic: r.try_get("topic")?,
                    aggregate_id: r.try_get("aggregate_id")?,
                })
            })
            .collect()
    }

    /// Cases and disputes in the database.
    pub async fn searchable_counts(&self) -> Result<(u64, u64)> {
        let cases: i64 = sqlx::query("SELECT COUNT(*) AS n FROM cases").fetch_one(&self.pool).await?.try_get("n")?;
        let disputes: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM disputes").fetch_one(&self.pool).await?.try_get("n")?;
        Ok((u64::try_from(cases).unwrap_or(0), u64::try_from(disputes).unwrap_or(0)))
    }

    /// Cases whose id is after `after`, in id order (a rebuild's pages).
    pub async fn cases_after(&self, after: Option<&str>, limit: u32) -> Result<Vec<CaseSnapshot>> {
        let rows = sqlx::query("SELECT snapshot FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit.clamp(1, 10_000)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| case_of(&r.try_get::<String, _>("snapshot")?)).collect()
    }

    /// The cases with these ids that exist.
    pub async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<CaseSnapshot>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(200) {
            let sql = format!("SELECT snapshot FROM cases WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(case_of(&r.try_get::<String, _>("snapshot")?)?);
            }
        }
        Ok(out)
    }

    /// Disputes whose id is after `after`, in id order, with their histories.
    pub async fn disputes_after(&self, after: Option<&str>, limit: u32) -> Result<Vec<DisputeForIndex>> {
        let rows = sqlx::query("SELECT id, snapshot FROM disputes WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.unwrap_or(""))
            .bind(i64::from(limit.clamp(1, 2_000)))
            .fetch_all(&self.pool)
            .await?;
        self.with_events(&rows).await
    }

    /// The disputes with these ids that exist, with their histories.
    pub async fn disputes_by_ids(&self, ids: &[String]) -> Result<Vec<DisputeForIndex>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(200) {
            let sql = format!("SELECT id, snapshot FROM disputes WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.as_str());
            }
            let rows = q.fetch_all(&self.pool).await?;
            out.extend(self.with_events(&rows).await?);
        }
        Ok(out)
    }

    async fn with_events(&self, rows: &[sqlx::any::AnyRow]) -> Result<Vec<DisputeForIndex>> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: String = r.try_get("id")?;
            let snapshot = serde_json::from_str::<DisputeSnapshot>(&r.try_get::<String, _>("snapshot")?)
                .map_err(|_| StorageError::Corrupt("dispute"))?;
            out.push(DisputeForIndex { id, snapshot, events: Vec::new() });
        }
        for chunk in out.chunks_mut(200) {
            let sql = format!(
                "SELECT dispute_id, body FROM dispute_events WHERE dispute_id IN ({}) ORDER BY dispute_id, seq",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for d in chunk.iter() {
                q = q.bind(d.id.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                let id: String = r.try_get("dispute_id")?;
                let event = DisputeEvent::from_json(&r.try_get::<String, _>("body")?)
                    .map_err(|_| StorageError::Corrupt("dispute event"))?;
                if let Some(d) = chunk.iter_mut().find(|d| d.id == id) {
                    d.events.push(event);
                }
            }
        }
        Ok(out)
    }
}

fn case_of(text: &str) -> Result<CaseSnapshot> {
    serde_json::from_str(text).map_err(|_| StorageError::Corrupt("case"))
}
