//! Assessment storage: the city's plan (checked by the domain before it is kept) and the records
//! assessors add per unit and period (manual values, deductions, veto items). Scoring itself is
//! `shiyu_domain::stats::assessment::score`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::scope::Principal;
use shiyu_domain::stats::assessment::Plan;
use shiyu_domain::stats::period::ReportPeriod;
use sqlx::Row;

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms};

/// What an assessor records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A manual indicator's value.
    Manual,
    /// Points off, with the reason.
    Deduction,
    /// A veto item occurred.
    Veto,
}

impl RecordKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Deduction => "deduction",
            Self::Veto => "veto",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "manual" => Ok(Self::Manual),
            "deduction" => Ok(Self::Deduction),
            "veto" => Ok(Self::Veto),
            _ => Err(DomainError::invalid("record_kind", "unknown_value")),
        }
    }
}

/// A stored record.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentRecord {
    /// Unit code.
    pub unit: String,
    /// Kind.
    pub kind: RecordKind,
    /// Indicator or veto code (empty for deductions).
    pub code: String,
    /// Value or points.
    pub amount: f64,
    /// Why.
    pub reason: String,
    /// Who.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Store {
    /// The city's plan, or the standard one when none was configured.
    pub async fn assessment_plan(&self, city: &str) -> Result<Plan> {
        let row = sqlx::query("SELECT body FROM assessment_plans WHERE city = $1")
            .bind(city)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => serde_json::from_str(&r.try_get::<String, _>("body")?)
                .map_err(|_| StorageError::Corrupt("assessment plan")),
            None => Ok(Plan::standard()),
        }
    }

    /// Replaces the city's plan after checking it.
    pub async fn save_assessment_plan(
        &self,
        city: &str,
        actor: &Principal,
        plan: &Plan,
        now: DateTime<Utc>,
    ) -> Result<()> {
        plan.check()?;
        let body = serde_json::to_string(plan).map_err(|_| StorageError::Corrupt("assessment plan"))?;
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM assessment_plans WHERE city = $1").bind(city).execute(&mut *w.tx).await?;
        sqlx::query("INSERT INTO assessment_plans (city, body, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(city)
            .bind(body)
            .bind(actor.name.as_str())
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Appends a record for a unit and period.
    #[expect(clippy::too_many_arguments, reason = "one record's fields")]
    pub async fn add_assessment_record(
        &self,
        city: &str,
        actor: &Principal,
        period: ReportPeriod,
        unit: &str,
        kind: RecordKind,
        code: &str,
        amount: f64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DomainError::invalid("reason", "required").into());
        }
        if reason.chars().count() > 500 {
            return Err(DomainError::invalid("reason", "too_long").into());
        }
        if !amount.is_finite() || !(-1000.0..=1000.0).contains(&amount) {
            return Err(DomainError::invalid("amount", "out_of_range").into());
        }
        let plan = self.assessment_plan(city).await?;
        let known = match kind {
            RecordKind::Deduction => true,
            RecordKind::Manual => plan.indicators.iter().any(|i| i.code == code),
            RecordKind::Veto => plan.vetoes.iter().any(|v| v.code == code),
        };
        if !known {
            return Err(DomainError::invalid("code", "unknown_value").into());
        }
        sqlx::query(
            "INSERT INTO assessment_records (city, id, unit, period_kind, period_start, kind, code, amount, reason, by_user, by_name, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(city)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(unit)
        .bind(period.kind.as_str())
        .bind(period.from.to_string())
        .bind(kind.as_str())
        .bind(code)
        .bind(amount)
        .bind(reason)
        .bind(actor.user_id.to_string())
        .bind(actor.name.as_str())
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The records of a period, oldest first.
    pub async fn assessment_records(&self, city: &str, period: ReportPeriod) -> Result<Vec<AssessmentRecord>> {
        let rows = sqlx::query(
            "SELECT unit, kind, code, amount, reason, by_name, at FROM assessment_records \
             WHERE city = $1 AND period_kind = $2 AND period_start = $3 ORDER BY at",
        )
        .bind(city)
        .bind(period.kind.as_str())
        .bind(period.from.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AssessmentRecord {
                    unit: r.try_get("unit")?,
                    kind: RecordKind::parse(&r.try_get::<String, _>("kind")?)
                        .map_err(|_| StorageError::Corrupt("assessment record"))?,
                    code: r.try_get("code")?,
                    amount: r.try_get("amount")?,
                    reason: r.try_get("reason")?,
                    by_name: r.try_get("by_name")?,
                    at: from_ms(r.try_get("at")?),
                })
            })
            .collect()
    }
}
