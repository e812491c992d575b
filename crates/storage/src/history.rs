//! The hash-chained histories that share [`Entry`]'s shape (disputes, proposals): appending an
//! entry's row inside the record's transaction ([`append_entry`]), and the walk `shiyu
//! verify-audit` makes over every record of one kind ([`Store::verify_entries`]). A case's history
//! has its own event type and writer (`cases.rs`, `group_commit.rs`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use shiyu_domain::DomainError;
use shiyu_domain::case::event::verify_links;
use shiyu_domain::history::Entry;
use sqlx::{Any, Row, Transaction};

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;
use crate::verify::{Finding, VerifyReport};

/// Where one kind of record keeps its rows and its history.
pub(crate) struct Chain {
    /// The records (`id`, `number`, `snapshot`, `last_hash`).
    pub rows: &'static str,
    /// Their events.
    pub events: &'static str,
    /// The events' column naming the record.
    pub id_column: &'static str,
    /// The record's name in a conflict.
    pub what: &'static str,
}

/// Disputes.
pub(crate) const DISPUTES: Chain =
    Chain { rows: "disputes", events: "dispute_events", id_column: "dispute_id", what: "dispute" };

/// Proposals.
pub(crate) const PROPOSALS: Chain =
    Chain { rows: "proposals", events: "proposal_events", id_column: "proposal_id", what: "proposal" };

/// Appends `entry` (stored as `body`, its [`Entry::to_json`]) to the history of record `id`,
/// linked from `prev_hash` by `hash`. A second writer of the same position is a conflict.
#[expect(clippy::too_many_arguments, reason = "the row's columns")]
pub(crate) async fn append_entry<C, F>(
    tx: &mut Transaction<'static, Any>,
    chain: &Chain,
    city: &str,
    id: &str,
    entry: &Entry<C, F>,
    kind: &str,
    body: &str,
    prev_hash: &str,
    hash: &str,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {} (city, {}, seq, at, actor_user, kind, body, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        chain.events, chain.id_column
    );
    sqlx::query(&sql)
        .bind(city)
        .bind(id)
        .bind(i64::from(entry.seq))
        .bind(ms(entry.at))
        .bind(entry.actor.user.map(|u| u.to_string()))
        .bind(kind)
        .bind(body)
        .bind(prev_hash)
        .bind(hash)
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::Conflict(chain.what),
            _ => StorageError::Database(e),
        })?;
    Ok(())
}

impl Store {
    /// Checks every record of `chain`: its links, that the row's hash is the chain's head, and
    /// that the stored snapshot equals `replay` of the history. `tally` counts a record and its
    /// events into the report.
    pub(crate) async fn verify_entries<C, F, S>(
        &self,
        chain: &Chain,
        report: &mut VerifyReport,
        replay: impl Fn(&[Entry<C, F>]) -> std::result::Result<S, DomainError>,
        tally: impl Fn(&mut VerifyReport, u64),
    ) -> Result<()>
    where
        C: Serialize + DeserializeOwned,
        F: Serialize + DeserializeOwned + Default,
        S: DeserializeOwned + PartialEq,
    {
        let page =
            format!("SELECT id, number, snapshot, last_hash FROM {} WHERE id > $1 ORDER BY id LIMIT 500", chain.rows);
        let links_sql = format!(
            "SELECT seq, body, prev_hash, hash FROM {} WHERE {} = $1 ORDER BY seq",
            chain.events, chain.id_column
        );
        let mut after = String::new();
        loop {
            let rows = sqlx::query(&page).bind(after.as_str()).fetch_all(&self.pool).await?;
            if rows.is_empty() {
                return Ok(());
            }
            for row in &rows {
                let id: String = row.try_get("id")?;
                let number: String = row.try_get("number")?;
                let last_hash: String = row.try_get("last_hash")?;
                let links = self.links(&links_sql, &id).await?;
                tally(report, links.len() as u64);
                let mut finding = |seq, problem: &str| {
                    report.findings.push(Finding { number: number.clone(), seq, problem: problem.to_owned() })
                };
                if let Err(b) = verify_links(&links, Entry::<C, F>::seq_of) {
                    finding(b.seq, b.problem);
                    continue;
                }
                if links.last().map(|l| l.hash.as_str()) != Some(last_hash.as_str()) {
                    finding(0, "row_hash_differs_from_chain_head");
                }
                let events: Vec<Entry<C, F>> = links.iter().filter_map(|l| Entry::from_json(&l.json).ok()).collect();
                let stored: Option<S> = serde_json::from_str(&row.try_get::<String, _>("snapshot")?).ok();
                match (replay(&events), stored) {
                    (Ok(rebuilt), Some(stored)) if rebuilt == stored => {}
                    (Ok(_), Some(_)) => finding(0, "row_differs_from_replay"),
                    (Ok(_), None) => finding(0, "row_unreadable"),
                    (Err(_), _) => finding(0, "history_does_not_replay"),
                }
            }
            after = rows.last().map(|r| r.try_get::<String, _>("id")).transpose()?.unwrap_or_default();
        }
    }
}
