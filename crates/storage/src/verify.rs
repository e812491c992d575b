//! Whole-database history checks: every case's, dispute's and proposal's chain links, and every
//! stored row equals the replay of its history.

use serde::Serialize;
use shiyu_domain::case::CaseSnapshot;
use shiyu_domain::case::event::{Event, StoredLink, verify_chain};
use shiyu_domain::deliberation::ProposalSnapshot;
use shiyu_domain::dispute::DisputeSnapshot;
use shiyu_domain::ids::CaseId;
use sqlx::Row;

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::history::{DISPUTES, PROPOSALS};

/// One problem found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// The case or dispute number.
    pub number: String,
    /// The sequence position concerned (0 for the row itself).
    pub seq: u32,
    /// What is wrong.
    pub problem: String,
}

/// The outcome of a check.
#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifyReport {
    /// Cases checked.
    pub cases: u64,
    /// Events checked.
    pub events: u64,
    /// Disputes checked.
    pub disputes: u64,
    /// Dispute events checked.
    pub dispute_events: u64,
    /// Proposals checked.
    pub proposals: u64,
    /// Proposal events checked.
    pub proposal_events: u64,
    /// Problems found.
    pub findings: Vec<Finding>,
}

impl Store {
    /// Verifies every case's hash chain and that its row equals the replay of its events.
    pub async fn verify_histories(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let mut after = String::new();
        loop {
            let rows =
                sqlx::query("SELECT id, number, snapshot, last_hash FROM cases WHERE id > $1 ORDER BY id LIMIT 500")
                    .bind(after.as_str())
                    .fetch_all(&self.pool)
                    .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let id: String = row.try_get("id")?;
                let number: String = row.try_get("number")?;
                let last_hash: String = row.try_get("last_hash")?;
                report.cases += 1;
                let links = self
                    .links("SELECT seq, body, prev_hash, hash FROM case_events WHERE case_id = $1 ORDER BY seq", &id)
                    .await?;
                report.events += links.len() as u64;
                let mut finding = |seq, problem: &str| {
                    report.findings.push(Finding { number: number.clone(), seq, problem: problem.to_owned() })
                };
                if let Err(b) = verify_chain(&links) {
                    finding(b.seq, b.problem);
                    continue;
                }
                if links.last().map(|l| l.hash.as_str()) != Some(last_hash.as_str()) {
                    finding(0, "row_hash_differs_from_chain_head");
                }
                let events: Vec<Event> = links.iter().filter_map(|l| Event::from_json(&l.json).ok()).collect();
                let case_id = CaseId::parse(&id).map_err(|_| StorageError::Corrupt("case id"))?;
                let stored: Option<CaseSnapshot> = serde_json::from_str(&row.try_get::<String, _>("snapshot")?).ok();
                match (CaseSnapshot::rebuild(case_id, &events), stored) {
                    (Ok(rebuilt), Some(stored)) if rebuilt == stored => {}
                    (Ok(_), Some(_)) => finding(0, "row_differs_from_replay"),
                    (Ok(_), None) => finding(0, "row_unreadable"),
                    (Err(_), _) => finding(0, "history_does_not_replay"),
                }
            }
            after = rows.last().map(|r| r.try_get::<String, _>("id")).transpose()?.unwrap_or_default();
        }
        let rules = &self.rules.dispute;
        self.verify_entries(
            &DISPUTES,
            &mut report,
            |e| DisputeSnapshot::replay(e, rules),
            |r, n| {
                r.disputes += 1;
                r.dispute_events += n;
            },
        )
        .await?;
        self.verify_entries(&PROPOSALS, &mut report, ProposalSnapshot::replay, |r, n| {
            r.proposals += 1;
            r.proposal_events += n;
        })
        .await?;
        Ok(report)
    }

    /// The stored links of one history.
    pub(crate) async fn links(&self, sql: &str, id: &str) -> Result<Vec<StoredLink>> {
        sqlx::query(sql)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(StoredLink {
                    seq: u32::try_from(r.try_get::<i64, _>("seq")?).unwrap_or(0),
                    json: r.try_get("body")?,
                    prev_hash: r.try_get("prev_hash")?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }
}
