//! 日走访: a grid worker's visit log. A visit names the households seen, what was found, and
//! (once a finding became a case) the case. Visiting a household brings the next visit of its
//! care-tagged residents forward by their rhythm.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::care::CareGroup;
use shiyu_domain::ids::CaseId;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Principal;
use sqlx::Row;

use super::changes::{Changes, Fields};
use super::{placeholders, under};
use crate::audit::{self, AuditAction};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// A visit as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    /// Id.
    pub id: String,
    /// Grid.
    pub grid: String,
    /// Who visited.
    pub worker_user: String,
    /// Day (Asia/Shanghai).
    pub visited_on: NaiveDate,
    /// Summary.
    pub summary: String,
    /// What was found (empty if nothing).
    pub found: String,
    /// The case a finding became, if any.
    pub case_id: Option<String>,
    /// Households visited.
    pub households: i64,
}

/// A new visit.
#[derive(Debug, Clone)]
pub struct NewVisit {
    /// Day.
    pub visited_on: NaiveDate,
    /// House ids visited.
    pub houses: Vec<String>,
    /// Summary.
    pub summary: String,
    /// What was found.
    pub found: String,
}

fn invalid(field: &'static str, reason: &'static str) -> StorageError {
    shiyu_domain::DomainError::invalid(field, reason).into()
}

impl Store {
    /// Logs a grid worker's visit to households of their grid; updates the care visits due of the
    /// residents there; audited.
    pub async fn log_visit(&self, city: &str, actor: &Principal, v: NewVisit, now: DateTime<Utc>) -> Result<String> {
        let grid = match (actor.role, actor.home_area()) {
            (Role::GridWorker, Some(g)) => g.clone(),
            _ => {
                return Err(
                    shiyu_domain::DomainError::Forbidden { role: actor.role.as_str(), action: "log_visit" }.into()
                );
            }
        };
        if v.summary.trim().is_empty() {
            return Err(invalid("summary", "required"));
        }
        if v.summary.chars().count() > 2000 || v.found.chars().count() > 2000 {
            return Err(invalid("summary", "too_long"));
        }
        if v.houses.is_empty() {
            return Err(invalid("houses", "required"));
        }
        let today = shiyu_domain::time::local_date(now);
        if v.visited_on > today || v.visited_on < today - chrono::Duration::days(30) {
            return Err(invalid("visited_on", "out_of_range"));
        }
        let mut houses = v.houses.clone();
        houses.sort();
        houses.dedup();
        let sql = format!("SELECT id, grid_code FROM houses WHERE id IN ({})", placeholders(1, houses.len()));
        let mut q = sqlx::query(&sql);
        for h in &houses {
            q = q.bind(h.as_str());
        }
        let found = q.fetch_all(&self.pool).await?;
        let in_grid = found
            .iter()
            .filter(|r| {
                r.try_get::<Option<String>, _>("grid_code")
                    .ok()
                    .flatten()
                    .and_then(|g| AreaCode::parse(&g).ok())
                    .is_some_and(|g| g.is_within(&grid))
            })
            .count();
        if found.len() != houses.len() || in_grid != houses.len() {
            return Err(invalid("houses", "not_in_your_grid"));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO visits (city, id, grid_code, worker_user, visited_on, summary, found, case_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
        )
        .bind(city)
        .bind(id.as_str())
        .bind(grid.as_str())
        .bind(actor.user_id.to_string())
        .bind(v.visited_on.to_string())
        .bind(v.summary.trim())
        .bind(v.found.trim())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        for h in &houses {
            sqlx::query("INSERT INTO visit_households (city, visit_id, house_id) VALUES ($1, $2, $3)")
                .bind(city)
                .bind(id.as_str())
                .bind(h.as_str())
                .execute(&mut *w.tx)
                .await?;
        }
        // Bring the care visits of the residents of these households forward.
        let sql = format!(
            "SELECT t.resident_id, t.grp, t.tagged_on, t.last_visit FROM care_tags t JOIN residents r ON r.id = t.resident_id \
             WHERE r.house_id IN ({})",
            placeholders(1, houses.len())
        );
        let mut q = sqlx::query(&sql);
        for h in &houses {
            q = q.bind(h.as_str());
        }
        let tags = q.fetch_all(&mut *w.tx).await?;
        for t in &tags {
            let g =
                CareGroup::parse(&t.try_get::<String, _>("grp")?).map_err(|_| StorageError::Corrupt("care group"))?;
            let tagged: NaiveDate =
                t.try_get::<String, _>("tagged_on")?.parse().map_err(|_| StorageError::Corrupt("care tag"))?;
            let last: Option<NaiveDate> = t
                .try_get::<Option<String>, _>("last_visit")?
                .map(|d| d.parse())
                .transpose()
                .map_err(|_| StorageError::Corrupt("care tag"))?;
            let latest = last.map_or(v.visited_on, |l| l.max(v.visited_on));
            sqlx::query("UPDATE care_tags SET last_visit = $1, visit_due = $2 WHERE resident_id = $3 AND grp = $4")
                .bind(latest.to_string())
                .bind(g.visit_due(tagged, Some(latest)).to_string())
                .bind(t.try_get::<String, _>("resident_id")?)
                .bind(g.as_str())
                .execute(&mut *w.tx)
                .await?;
        }
        let detail =
            serde_json::json!({"grid": grid.as_str(), "households": houses.len(), "care_records_updated": tags.len()});
        audit::append(&mut w.tx, city, actor, AuditAction::Visit, ("visit", &id), &detail, now).await?;
        // Upstream learns that a visit was made and whether something was found, not what was said.
        let mut changes = Changes::default();
        let mut f = Fields::new();
        f.insert("grid".into(), serde_json::json!(grid.as_str()));
        f.insert("visited_on".into(), serde_json::json!(v.visited_on.to_string()));
        f.insert("households".into(), serde_json::json!(houses.len()));
        f.insert("found".into(), serde_json::json!(!v.found.trim().is_empty()));
        changes.insert("visit", &id, f);
        changes.write(self, &mut w.tx, city, now).await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// Visits under an area between two days (inclusive), newest first.
    pub async fn visits(&self, area: &AreaCode, from: NaiveDate, to: NaiveDate, limit: u32) -> Result<Vec<Visit>> {
        let rows = sqlx::query(&format!(
            "SELECT v.id, v.grid_code, v.worker_user, v.visited_on, v.summary, v.found, v.case_id, \
             (SELECT COUNT(*) FROM visit_households x WHERE x.visit_id = v.id) AS n FROM visits v \
             WHERE v.grid_code LIKE $1 AND v.visited_on >= $2 AND v.visited_on <= $3 \
             ORDER BY v.visited_on DESC, v.created_at DESC LIMIT {}",
            limit.clamp(1, 1000)
        ))
        .bind(under(area))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Visit {
                    id: r.try_get("id")?,
                    grid: r.try_get("grid_code")?,
                    worker_user: r.try_get("worker_user")?,
                    visited_on: r
                        .try_get::<String, _>("visited_on")?
                        .parse()
                        .map_err(|_| StorageError::Corrupt("visit"))?,
                    summary: r.try_get("summary")?,
                    found: r.try_get("found")?,
                    case_id: r.try_get("case_id")?,
                    households: r.try_get("n")?,
                })
            })
            .collect()
    }

    /// One visit, if it lies under `area`.
    pub async fn visit(&self, area: &AreaCode, id: &str) -> Result<Visit> {
        let all =
            sqlx::query("SELECT visited_on FROM visits WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        let day: String = all.ok_or(StorageError::NotFound("visit"))?.try_get("visited_on")?;
        let day: NaiveDate = day.parse().map_err(|_| StorageError::Corrupt("visit"))?;
        self.visits(area, day, day, 1000).await?.into_iter().find(|v| v.id == id).ok_or(StorageError::NotFound("visit"))
    }

    /// Records the case a visit's finding became (once).
    pub async fn link_visit_case(&self, id: &str, case: CaseId) -> Result<()> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query("UPDATE visits SET case_id = $1 WHERE id = $2 AND case_id IS NULL")
            .bind(case.to_string())
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict("visit"));
        }
        let city: String = sqlx::query("SELECT city FROM visits WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("city")?;
        let mut changes = Changes::default();
        let mut f = Fields::new();
        f.insert("case_id".into(), serde_json::json!(case.to_string()));
        changes.update("visit", id, f);
        changes.write(self, &mut w.tx, &city, Utc::now()).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// How many visits each grid worker under an area logged between two days (for the figures).
    pub async fn visit_counts(&self, area: &AreaCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT worker_user, COUNT(*) AS n FROM visits WHERE grid_code LIKE $1 AND visited_on >= $2 AND visited_on <= $3 \
             GROUP BY worker_user ORDER BY worker_user",
        )
        .bind(under(area))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("worker_user")?, r.try_get("n")?))).collect()
    }
}
