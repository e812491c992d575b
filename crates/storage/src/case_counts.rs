//! Case rows counted per leaf area × state × supervised (table `case_counts`), moved in the same
//! transaction as the case row, so boards and home pages of a big area sum a few hundred rows
//! instead of counting every case. `verify_case_counts` recounts them from the rows.

use std::collections::BTreeMap;

use serde::Serialize;
use shiyu_domain::case::CaseSnapshot;
use sqlx::{Any, Row, Transaction};

use crate::base::V;
use crate::db::Store;
use crate::error::Result;

/// The key a case row is counted under.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CountKey {
    /// Leaf area code.
    pub area_code: String,
    /// State (`CaseState::as_str`).
    pub state: String,
    /// Under supervision.
    pub supervised: bool,
}

impl CountKey {
    /// The `case_counts` row adding `n` under this key ([`COLS`]).
    pub(crate) fn row(self, n: i64) -> Vec<V> {
        vec![V::T(Some(self.area_code)), V::T(Some(self.state)), V::I(i64::from(self.supervised)), V::I(n)]
    }

    /// The key of a case as its row stores it.
    pub fn of(snap: &CaseSnapshot) -> Self {
        Self {
            area_code: snap.area.as_str().to_owned(),
            state: snap.state.as_str().to_owned(),
            supervised: snap.supervision.is_some(),
        }
    }
}

/// A count that differs from the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountDiff {
    /// The key.
    pub key: CountKey,
    /// What `case_counts` holds.
    pub stored: i64,
    /// How many rows there are.
    pub expected: i64,
}

/// The columns of a `case_counts` row.
pub(crate) const COLS: &[&str] = &["area_code", "state", "supervised", "n"];
/// Inserting a row adds to the key's count.
pub(crate) const ADD: &str = " ON CONFLICT (area_code, state, supervised) DO UPDATE SET n = case_counts.n + excluded.n";

/// Adds `n` (possibly negative) to a key's count inside `tx`: summed with the rest of the batch
/// in a group commit, at once otherwise.
pub(crate) async fn add(tx: &mut Transaction<'static, Any>, key: &CountKey, n: i64) -> Result<()> {
    if crate::group_commit::defer_count(key, n) {
        return Ok(());
    }
    crate::bulk::insert_rows(tx, "case_counts", COLS, vec![key.clone().row(n)], ADD).await
}

/// Moves one case from its key before a change to its key after (nothing when they are equal).
pub(crate) async fn shift(
    tx: &mut Transaction<'static, Any>,
    before: Option<&CaseSnapshot>,
    after: &CaseSnapshot,
) -> Result<()> {
    let to = CountKey::of(after);
    match before.map(CountKey::of) {
        Some(from) if from == to => Ok(()),
        Some(from) => {
            add(tx, &from, -1).await?;
            add(tx, &to, 1).await
        }
        None => add(tx, &to, 1).await,
    }
}

/// Counts of many new rows, summed per key (bulk loading).
pub(crate) fn tally<'a>(snaps: impl IntoIterator<Item = &'a CaseSnapshot>) -> BTreeMap<CountKey, i64> {
    let mut out = BTreeMap::new();
    for s in snaps {
        *out.entry(CountKey::of(s)).or_insert(0) += 1;
    }
    out
}

impl Store {
    /// Recounts the case rows per key and lists where `case_counts` differs; with `apply`,
    /// replaces the table by the recount in one transaction.
    pub async fn verify_case_counts(&self, apply: bool) -> Result<Vec<CountDiff>> {
        let keyed = |r: &sqlx::any::AnyRow| -> Result<(CountKey, i64)> {
            Ok((
                CountKey {
                    area_code: r.try_get("area_code")?,
                    state: r.try_get("state")?,
                    supervised: r.try_get::<i64, _>("supervised")? != 0,
                },
                r.try_get("n")?,
            ))
        };
        let expected: BTreeMap<CountKey, i64> = sqlx::query(
            "SELECT area_code, state, supervised, COUNT(*) AS n FROM \
             (SELECT area_code, state, CASE WHEN supervision IS NULL THEN 0 ELSE 1 END AS supervised FROM cases) c \
             GROUP BY area_code, state, supervised",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(keyed)
        .collect::<Result<_>>()?;
        let stored: BTreeMap<CountKey, i64> =
            sqlx::query("SELECT area_code, state, supervised, n FROM case_counts WHERE n <> 0")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(keyed)
                .collect::<Result<_>>()?;
        let mut diffs: Vec<CountDiff> = expected
            .iter()
            .filter(|(k, e)| stored.get(*k) != Some(e))
            .map(|(k, e)| CountDiff { key: k.clone(), stored: stored.get(k).copied().unwrap_or(0), expected: *e })
            .collect();
        diffs.extend(stored.iter().filter(|(k, _)| !expected.contains_key(*k)).map(|(k, s)| CountDiff {
            key: k.clone(),
            stored: *s,
            expected: 0,
        }));
        if apply && !diffs.is_empty() {
            let mut w = self.begin_write().await?;
            sqlx::query("DELETE FROM case_counts").execute(&mut *w.tx).await?;
            for (k, n) in &expected {
                add(&mut w.tx, k, *n).await?;
            }
            w.tx.commit().await?;
        }
        Ok(diffs)
    }
}
