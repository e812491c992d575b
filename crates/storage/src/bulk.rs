//! Bulk loading of generated data for the benchmarks: case rows written from their final
//! snapshots and counter cells added from pre-summed amounts, many rows per statement. The
//! serving path never uses it; what it writes has the shape the write path gives (the same row
//! columns, the same cells from `stats::cells`), without the event histories.

use std::collections::BTreeMap;

use shiyu_domain::case::CaseSnapshot;
use shiyu_domain::stats::Metric;

use sqlx::{Any, Transaction};

use crate::base::{V, bind_rows};
use crate::db::Store;
use crate::error::Result;
use crate::stats::cells::{self, Amounts, CellKey};

/// Bind parameters per statement on PostgreSQL.
const MAX_PARAMS: usize = 3000;
/// Bind parameters per statement on SQLite: sqlx asks SQLite for every parameter's name, a
/// linear scan each, so binding is quadratic in the statement's size (measured with perf on the
/// scaled city build); a few hundred keeps it below the cost of another statement.
const SQLITE_PARAMS: usize = 250;

impl Store {
    /// Writes finished or running cases as rows (with their organisations) in one transaction.
    pub async fn bulk_cases(&self, cases: &[CaseSnapshot]) -> Result<()> {
        let mut w = self.begin_write().await?;
        let mut rows = Vec::with_capacity(cases.len());
        let mut orgs = Vec::new();
        for snap in cases {
            let city = snap.area.city_key();
            rows.push(crate::cases::case_row(snap, shiyu_domain::case::event::GENESIS)?);
            for org in &snap.orgs_ever {
                orgs.push(vec![
                    V::T(Some(city.as_str().to_owned())),
                    V::T(Some(snap.id.to_string())),
                    V::T(Some(org.to_string())),
                ]);
            }
        }
        let cases_row = &crate::cases::CASE_ROW;
        self.insert_rows(&mut w.tx, cases_row.table, cases_row.cols, rows, "").await?;
        self.insert_rows(&mut w.tx, "case_orgs", &["city", "case_id", "org_id"], orgs, "").await?;
        let counts = crate::case_counts::tally(cases).into_iter().map(|(k, n)| k.row(n)).collect();
        self.insert_rows(&mut w.tx, "case_counts", crate::case_counts::COLS, counts, crate::case_counts::ADD).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Adds pre-summed amounts to counter cells (creating them as needed) in one transaction.
    pub async fn bulk_cells(&self, cells: &BTreeMap<CellKey, Amounts>) -> Result<()> {
        let mut w = self.begin_write().await?;
        add_cells(&mut w.tx, cells).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Multi-row `INSERT … VALUES (…), (…) suffix` inside `tx` (anonymous `?` parameters on
    /// SQLite, `$N` on PostgreSQL).
    async fn insert_rows(
        &self,
        tx: &mut Transaction<'static, Any>,
        table: &str,
        cols: &[&str],
        rows: Vec<Vec<V>>,
        suffix: &str,
    ) -> Result<()> {
        insert_rows(tx, table, cols, rows, suffix).await
    }
}

/// Adds pre-summed amounts to counter cells inside `tx`, many cells per statement (the bulk
/// loader, and the group commit's cells of a whole batch).
pub(crate) async fn add_cells(tx: &mut Transaction<'static, Any>, cells: &BTreeMap<CellKey, Amounts>) -> Result<()> {
    let metrics: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
    for table in cells::TABLES {
        let cols: Vec<&str> = table.keys.iter().copied().chain(metrics.iter().copied()).collect();
        let sets: Vec<String> = metrics.iter().map(|m| format!("{m} = {0}.{m} + excluded.{m}", table.name)).collect();
        let upsert = format!(" ON CONFLICT ({}) DO UPDATE SET {}", table.keys.join(", "), sets.join(", "));
        let rows: Vec<Vec<V>> = cells
            .iter()
            .filter(|(k, _)| k.table == table.name)
            .map(|(k, a)| k.key.iter().map(|v| V::T(Some(v.clone()))).chain(a.iter().map(|n| V::I(*n))).collect())
            .collect();
        if !rows.is_empty() {
            insert_rows(tx, table.name, &cols, rows, &upsert).await?;
        }
    }
    Ok(())
}

/// Multi-row `INSERT … VALUES (…), (…) suffix` inside `tx` (anonymous `?` parameters on SQLite,
/// `$N` on PostgreSQL); nothing when `rows` is empty.
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<V>>,
    suffix: &str,
) -> Result<()> {
    let sqlite = tx.backend_name() == "SQLite";
    let per = ((if sqlite { SQLITE_PARAMS } else { MAX_PARAMS }) / cols.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(" } else { ",(" });
            for k in 0..cols.len() {
                if k > 0 {
                    sql.push(',');
                }
                n += 1;
                if sqlite {
                    sql.push('?');
                } else {
                    sql.push_str(&format!("${n}"));
                }
            }
            sql.push(')');
        }
        sql.push_str(suffix);
        bind_rows(sqlx::query(&sql), chunk).execute(&mut **tx).await?;
    }
    Ok(())
}
