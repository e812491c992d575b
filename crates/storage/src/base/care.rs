//! Care records: who in a grid belongs to a care group and when their next visit is due. Visible
//! only to those who serve the area (grid workers, centre operators, administrators); every read
//! is audited. Leaders and analysts get counts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::BaseAct;
use shiyu_domain::base::care::CareGroup;
use shiyu_domain::scope::Principal;
use sqlx::Row;

use super::{root_for, under};
use crate::audit::{self, AuditAction};
use crate::db::Store;
use crate::error::{Result, StorageError};

/// One care record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CareRow {
    /// Resident id.
    pub resident_id: String,
    /// Name.
    pub name: String,
    /// Care group.
    pub group: CareGroup,
    /// Grid.
    pub grid: String,
    /// Address of their house, if known.
    pub address: Option<String>,
    /// House id (visits are logged per household).
    pub house_id: Option<String>,
    /// Last visit.
    pub last_visit: Option<NaiveDate>,
    /// Next visit due.
    pub visit_due: NaiveDate,
}

/// Care-list filters.
#[derive(Debug, Clone, Default)]
pub struct CareFilter {
    /// One grid only.
    pub grid: Option<AreaCode>,
    /// One group only.
    pub group: Option<CareGroup>,
    /// Only visits due on or before this day.
    pub due_by: Option<NaiveDate>,
}

impl Store {
    /// Care records under the actor's area, earliest visit due first. Audited: one entry naming
    /// the records returned.
    pub async fn care_list(
        &self,
        city: &str,
        actor: &Principal,
        filter: &CareFilter,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<CareRow>> {
        let root = root_for(actor, BaseAct::ReadCare)?;
        let within = filter.grid.as_ref().filter(|g| g.is_within(&root)).unwrap_or(&root);
        let mut sql = String::from(
            "SELECT t.resident_id, r.name, t.grp, t.grid_code, h.address, r.house_id, t.last_visit, t.visit_due \
             FROM care_tags t JOIN residents r ON r.id = t.resident_id LEFT JOIN houses h ON h.id = r.house_id \
             WHERE t.city = $1 AND t.grid_code LIKE $2",
        );
        let mut n = 2;
        if filter.group.is_some() {
            n += 1;
            sql.push_str(&format!(" AND t.grp = ${n}"));
        }
        if filter.due_by.is_some() {
            n += 1;
            sql.push_str(&format!(" AND t.visit_due <= ${n}"));
        }
        sql.push_str(&format!(" ORDER BY t.visit_due, r.name LIMIT {}", limit.clamp(1, 1000)));
        let mut q = sqlx::query(&sql).bind(city).bind(under(within));
        if let Some(g) = filter.group {
            q = q.bind(g.as_str());
        }
        if let Some(d) = filter.due_by {
            q = q.bind(d.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let corrupt = |_| StorageError::Corrupt("care tag");
        let out = rows
            .iter()
            .map(|r| {
                let last: Option<String> = r.try_get("last_visit")?;
                Ok(CareRow {
                    resident_id: r.try_get("resident_id")?,
                    name: r.try_get("name")?,
                    group: CareGroup::parse(&r.try_get::<String, _>("grp")?)
                        .map_err(|_| StorageError::Corrupt("care group"))?,
                    grid: r.try_get("grid_code")?,
                    address: r.try_get("address")?,
                    house_id: r.try_get("house_id")?,
                    last_visit: last.as_deref().map(str::parse).transpose().map_err(corrupt)?,
                    visit_due: r.try_get::<String, _>("visit_due")?.parse().map_err(corrupt)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<&str> = out.iter().map(|c| c.resident_id.as_str()).take(200).collect();
        let detail = serde_json::json!({"area": within.as_str(), "rows": out.len(), "residents": ids});
        let mut w = self.begin_write().await?;
        audit::append(
            &mut w.tx,
            city,
            actor,
            AuditAction::CareList,
            ("care_tags", &out.len().to_string()),
            &detail,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(out)
    }

    /// How many people of each care group live under the actor's area, and how many are overdue
    /// a visit on `today`. No names: leaders and analysts may ask.
    pub async fn care_counts(&self, actor: &Principal, today: NaiveDate) -> Result<Vec<(CareGroup, i64, i64)>> {
        let root = root_for(actor, BaseAct::Count)?;
        let rows = sqlx::query(
            "SELECT grp, COUNT(*) AS n, SUM(CASE WHEN visit_due < $2 THEN 1 ELSE 0 END) AS overdue \
             FROM care_tags WHERE grid_code LIKE $1 GROUP BY grp",
        )
        .bind(under(&root))
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let g =
                CareGroup::parse(&r.try_get::<String, _>("grp")?).map_err(|_| StorageError::Corrupt("care group"))?;
            out.push((g, r.try_get("n")?, r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0)));
        }
        out.sort();
        Ok(out)
    }
}
