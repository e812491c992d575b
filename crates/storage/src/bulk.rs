//! Bulk loading of generated data for the benchmarks: case rows written from their final
//! snapshots and counter cells added from pre-summed amounts, many rows per statement. The
//! serving path never uses it; what it writes has the shape the write path gives (the same row
//! columns, the same cells from `stats::cells`), without the event histories.

use std::collections::BTreeMap;

use shiyu_domain::case::CaseSnapshot;
use shiyu_domain::stats::Metric;

use crate::base::{V, insert_many};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;
use crate::stats::cells::{self, Amounts, CellKey};

/// Bind parameters per statement (see `base::MAX_PARAMS` on why not more).
const MAX_PARAMS: usize = 300;

impl Store {
    /// Writes finished or running cases as rows (with their organisations) in one transaction.
    pub async fn bulk_cases(&self, cases: &[CaseSnapshot]) -> Result<()> {
        let mut w = self.begin_write().await?;
        let mut rows = Vec::with_capacity(cases.len());
        let mut orgs = Vec::new();
        for snap in cases {
            let city = snap.area.city_key();
            rows.push(vec![
                V::T(Some(city.as_str().to_owned())),
                V::T(Some(snap.id.to_string())),
                V::T(Some(snap.number.as_str().to_owned())),
                V::T(Some(snap.state.as_str().to_owned())),
                V::T(Some(snap.ledger.as_str().to_owned())),
                V::T(Some(snap.category.as_str().to_owned())),
                V::T(Some(snap.channel.as_str().to_owned())),
                V::T(Some(snap.urgency.as_str().to_owned())),
                V::T(Some(snap.title.clone())),
                V::T(Some(snap.area.to_string())),
                V::T(Some(snap.handling_area.to_string())),
                V::T(snap.lead_org.map(|o| o.to_string())),
                V::T(snap.reporter_user().map(|u| u.to_string())),
                V::T(snap.supervision.map(|s| s.as_str().to_owned())),
                V::N(snap.current_due().map(ms)),
                V::I(ms(snap.created_at)),
                V::I(ms(snap.updated_at)),
                V::I(i64::from(snap.last_seq)),
                V::T(Some(shiyu_domain::case::event::GENESIS.to_owned())),
                V::T(Some(serde_json::to_string(snap).map_err(|_| StorageError::Corrupt("case"))?)),
                V::F(snap.location.map(|p| p.lon)),
                V::F(snap.location.map(|p| p.lat)),
                V::I(i64::from(snap.off_grid)),
            ]);
            for org in &snap.orgs_ever {
                orgs.push(vec![
                    V::T(Some(city.as_str().to_owned())),
                    V::T(Some(snap.id.to_string())),
                    V::T(Some(org.to_string())),
                ]);
            }
        }
        insert_many(
            &mut w.tx,
            "cases",
            &[
                "city",
                "id",
                "number",
                "state",
                "ledger",
                "category",
                "channel",
                "urgency",
                "title",
                "area_code",
                "handling_area",
                "lead_org",
                "reporter_user",
                "supervision",
                "due_at",
                "created_at",
                "updated_at",
                "last_seq",
                "last_hash",
                "snapshot",
                "lon",
                "lat",
                "off_grid",
            ],
            rows,
        )
        .await?;
        insert_many(&mut w.tx, "case_orgs", &["city", "case_id", "org_id"], orgs).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Adds pre-summed amounts to counter cells (creating them as needed) in one transaction.
    pub async fn bulk_cells(&self, cells: &BTreeMap<CellKey, Amounts>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let metrics: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        for table in cells::TABLES {
            let cols: Vec<&str> = table.keys.iter().copied().chain(metrics.iter().copied()).collect();
            let per = (MAX_PARAMS / cols.len()).max(1);
            let of_table: Vec<(&CellKey, &Amounts)> = cells.iter().filter(|(k, _)| k.table == table.name).collect();
            for chunk in of_table.chunks(per) {
                let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, cols.join(", "));
                let mut n = 0;
                for (i, _) in chunk.iter().enumerate() {
                    sql.push_str(if i == 0 { "(" } else { ",(" });
                    let params: Vec<String> = (0..cols.len())
                        .map(|_| {
                            n += 1;
                            format!("${n}")
                        })
                        .collect();
                    sql.push_str(&params.join(","));
                    sql.push(')');
                }
                let sets: Vec<String> =
                    metrics.iter().map(|m| format!("{m} = {0}.{m} + excluded.{m}", table.name)).collect();
                sql.push_str(&format!(" ON CONFLICT ({}) DO UPDATE SET {}", table.keys.join(", "), sets.join(", ")));
                let mut q = sqlx::query(&sql);
                for (k, a) in chunk {
                    for v in &k.key {
                        q = q.bind(v.as_str());
                    }
                    for n in a.iter() {
                        q = q.bind(*n);
                    }
                }
                q.execute(&mut *w.tx).await?;
            }
        }
        w.tx.commit().await?;
        Ok(())
    }
}
