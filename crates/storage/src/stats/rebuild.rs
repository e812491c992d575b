//! Recomputing the counters from the case histories: every fine cell and rollup is replayed from
//! the events, compared cell by cell and metric by metric with what is stored, and — when asked —
//! the stored tables are replaced in one transaction.

use std::collections::BTreeMap;

use serde::Serialize;
use shiyu_domain::case::{CaseSnapshot, Event};
use shiyu_domain::ids::CaseId;
use shiyu_domain::stats::Metric;
use sqlx::Row;

use super::cells::{Amounts, CellKey, TABLES, fine_cell};
use crate::base::{V, insert_many};
use crate::db::Store;
use crate::error::{Result, StorageError};

/// A difference found by a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterDiff {
    /// The cell.
    pub key: CellKey,
    /// The metric.
    pub metric: &'static str,
    /// What the table holds.
    pub stored: i64,
    /// What the histories say.
    pub expected: i64,
}

/// The outcome of a rebuild.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RebuildReport {
    /// Cases replayed.
    pub cases: u64,
    /// Events replayed.
    pub events: u64,
    /// Cells (fine and rollup) the histories produce.
    pub rows: usize,
    /// Differences (at most the first 1,000 are listed).
    pub differences: Vec<CounterDiff>,
    /// How many cell metrics differ in all.
    pub different: usize,
    /// Whether the tables were replaced by the rebuilt cells.
    pub applied: bool,
    /// Where the kept case counts differ from the case rows (replaced too when applying).
    pub count_differences: Vec<crate::case_counts::CountDiff>,
}

impl Store {
    /// Every cell the stored case histories produce.
    async fn replay_cells(&self, report: &mut RebuildReport) -> Result<BTreeMap<CellKey, Amounts>> {
        let mut expected: BTreeMap<CellKey, Amounts> = BTreeMap::new();
        let mut after_id = String::new();
        loop {
            let ids: Vec<String> = sqlx::query("SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT 500")
                .bind(after_id.as_str())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
            let Some(last) = ids.last() else { break };
            after_id.clone_from(last);
            for id in &ids {
                let case_id = CaseId::parse(id).map_err(|_| StorageError::Corrupt("case id"))?;
                let events: Vec<Event> = sqlx::query("SELECT body FROM case_events WHERE case_id = $1 ORDER BY seq")
                    .bind(id.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Event::from_json(&r.try_get::<String, _>("body")?)
                            .map_err(|_| StorageError::Corrupt("case event"))
                    })
                    .collect::<Result<_>>()?;
                let Some((first, rest)) = events.split_first() else { continue };
                let mut snap = CaseSnapshot::genesis(case_id, first)?;
                let mut add = |before: Option<&CaseSnapshot>, after: &CaseSnapshot, e: &Event| {
                    let Some((fine, amounts)) = fine_cell(before, after, e) else { return };
                    for cell in fine.cells() {
                        let slot = expected.entry(cell).or_insert([0; Metric::ALL.len()]);
                        for (s, n) in slot.iter_mut().zip(amounts) {
                            *s += n;
                        }
                    }
                };
                add(None, &snap, first);
                for e in rest {
                    let before = snap.clone();
                    snap.evolve(e)?;
                    add(Some(&before), &snap, e);
                }
                report.cases += 1;
                report.events += events.len() as u64;
            }
        }
        Ok(expected)
    }

    /// Every stored cell.
    async fn stored_cells(&self) -> Result<BTreeMap<CellKey, Amounts>> {
        let mut stored = BTreeMap::new();
        for t in TABLES {
            let metrics: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
            let sql = format!("SELECT {}, {} FROM {}", t.keys.join(", "), metrics.join(", "), t.name);
            for r in sqlx::query(&sql).fetch_all(&self.pool).await? {
                let key = t.keys.iter().map(|k| r.try_get::<String, _>(*k)).collect::<std::result::Result<_, _>>()?;
                let mut a = [0; Metric::ALL.len()];
                for (slot, m) in a.iter_mut().zip(&metrics) {
                    *slot = r.try_get(*m)?;
                }
                stored.insert(CellKey { table: t.name, key }, a);
            }
        }
        Ok(stored)
    }

    /// Recomputes every counter cell from the case histories and compares with the tables; with
    /// `apply`, replaces the tables' rows by the recomputed ones in one transaction.
    pub async fn rebuild_counters(&self, apply: bool) -> Result<RebuildReport> {
        let mut report = RebuildReport::default();
        let expected = self.replay_cells(&mut report).await?;
        report.rows = expected.len();
        let stored = self.stored_cells().await?;
        report.count_differences = self.verify_case_counts(apply).await?;
        let zero = [0; Metric::ALL.len()];
        let mut note = |key: &CellKey, stored: &Amounts, expected: &Amounts| {
            for ((m, s), e) in Metric::ALL.iter().zip(stored).zip(expected) {
                if s != e {
                    report.different += 1;
                    if report.differences.len() < 1000 {
                        report.differences.push(CounterDiff {
                            key: key.clone(),
                            metric: m.as_str(),
                            stored: *s,
                            expected: *e,
                        });
                    }
                }
            }
        };
        for (k, e) in &expected {
            note(k, stored.get(k).unwrap_or(&zero), e);
        }
        for (k, s) in &stored {
            if !expected.contains_key(k) {
                note(k, s, &zero);
            }
        }
        if apply && report.different > 0 {
            let mut w = self.begin_write().await?;
            let metrics: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
            for t in TABLES {
                sqlx::query(&format!("DELETE FROM {}", t.name)).execute(&mut *w.tx).await?;
                let rows = expected
                    .iter()
                    .filter(|(k, _)| k.table == t.name)
                    .map(|(k, a)| {
                        k.key.iter().map(|v| V::T(Some(v.clone()))).chain(a.iter().map(|n| V::I(*n))).collect()
                    })
                    .collect();
                let cols: Vec<&str> = t.keys.iter().copied().chain(metrics.iter().copied()).collect();
                insert_many(&mut w.tx, t.name, &cols, rows).await?;
            }
            w.tx.commit().await?;
            report.applied = true;
        }
        Ok(report)
    }

    /// Fills the counters from history when they are empty but cases exist (the first start after
    /// a counters' migration). Returns whether it did.
    pub async fn fill_counters_if_empty(&self) -> Result<bool> {
        let has_counters =
            sqlx::query("SELECT 1 AS x FROM stat_area_days LIMIT 1").fetch_optional(&self.pool).await?.is_some();
        let has_events =
            sqlx::query("SELECT 1 AS x FROM case_events LIMIT 1").fetch_optional(&self.pool).await?.is_some();
        if has_counters || !has_events {
            return Ok(false);
        }
        Ok(self.rebuild_counters(true).await?.applied)
    }
}
