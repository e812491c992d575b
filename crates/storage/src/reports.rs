//! Stored reports: each made once per area, kind and period and kept as it was made.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::stats::period::{ReportKind, ReportPeriod};
use sqlx::Row;

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms, prefix_pattern};

/// A stored report's line in the list.
#[derive(Debug, Clone, Serialize)]
pub struct StoredReport {
    /// Id.
    pub id: String,
    /// Area.
    pub area: AreaCode,
    /// Period.
    pub period: ReportPeriod,
    /// Title.
    pub title: String,
    /// When it was made.
    pub generated_at: DateTime<Utc>,
}

fn stored(r: &sqlx::any::AnyRow) -> Result<StoredReport> {
    let bad = || StorageError::Corrupt("report");
    let kind = ReportKind::parse(&r.try_get::<String, _>("kind")?).map_err(|_| bad())?;
    let start: NaiveDate = r.try_get::<String, _>("period_start")?.parse().map_err(|_| bad())?;
    Ok(StoredReport {
        id: r.try_get("id")?,
        area: AreaCode::parse(&r.try_get::<String, _>("area_code")?).map_err(|_| bad())?,
        period: ReportPeriod::parse(kind, start).map_err(|_| bad())?,
        title: r.try_get("title")?,
        generated_at: from_ms(r.try_get("generated_at")?),
    })
}

impl Store {
    /// Whether a report of this area and period is stored.
    pub async fn report_exists(&self, area: &AreaCode, period: ReportPeriod) -> Result<bool> {
        Ok(sqlx::query("SELECT id FROM reports WHERE area_code = $1 AND kind = $2 AND period_start = $3")
            .bind(area.as_str())
            .bind(period.kind.as_str())
            .bind(period.from.to_string())
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// Keeps a report; a second one for the same area and period is ignored. Returns whether it was kept.
    pub async fn save_report(
        &self,
        area: &AreaCode,
        period: ReportPeriod,
        title: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO reports (city, id, area_code, kind, period_start, title, body, generated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (area_code, kind, period_start) DO NOTHING",
        )
        .bind(area.city_key().as_str())
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(area.as_str())
        .bind(period.kind.as_str())
        .bind(period.from.to_string())
        .bind(title)
        .bind(body)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stored reports of areas in `root`'s subtree, newest period first.
    pub async fn reports_under(&self, root: &AreaCode, limit: u32) -> Result<Vec<StoredReport>> {
        sqlx::query(
            "SELECT id, area_code, kind, period_start, title, generated_at FROM reports WHERE area_code LIKE $1 \
             ORDER BY period_start DESC, kind, area_code LIMIT $2",
        )
        .bind(prefix_pattern(root.scope_prefix()))
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(stored)
        .collect()
    }

    /// One stored report and its body.
    pub async fn report(&self, id: &str) -> Result<(StoredReport, String)> {
        let r = sqlx::query(
            "SELECT id, area_code, kind, period_start, title, generated_at, body FROM reports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("report"))?;
        Ok((stored(&r)?, r.try_get("body")?))
    }
}
