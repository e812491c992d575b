//! The earning rules and star thresholds of each area. Rules set for an area apply to its
//! subtree; the nearest area up the tree that has rules wins, and without any the domain's
//! defaults apply.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::ResultKind;
use shiyu_domain::points::access::{PointsAct, may, role_may};
use shiyu_domain::points::{PointRules, Points};
use shiyu_domain::scope::Principal;
use sqlx::Row;

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// The rules in force for an area and where they were set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RulesInForce {
    /// The rules.
    pub rules: PointRules,
    /// The area whose rules these are; `None` for the defaults.
    pub set_at: Option<AreaCode>,
}

fn corrupt() -> StorageError {
    StorageError::Corrupt("point rules")
}

fn rules_of(r: &sqlx::any::AnyRow) -> Result<PointRules> {
    let amount =
        |col: &str| -> Result<Points> { Points::new("points", r.try_get::<i64, _>(col)?).map_err(|_| corrupt()) };
    let results: String = r.try_get("true_results")?;
    let true_results = results
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| ResultKind::parse(s).map_err(|_| corrupt()))
        .collect::<Result<Vec<_>>>()?;
    let star_hours = PointRules::parse_star_hours(&r.try_get::<String, _>("star_hours")?).map_err(|_| corrupt())?;
    Ok(PointRules {
        report_true: amount("report_true")?,
        per_service_hour: amount("per_service_hour")?,
        attendance: amount("attendance")?,
        true_results,
        star_hours,
    })
}

impl Store {
    /// The rules in force at `area`.
    pub async fn point_rules(&self, area: &AreaCode) -> Result<RulesInForce> {
        let lineage = area.lineage();
        let sql = format!(
            "SELECT area_code, report_true, per_service_hour, attendance, true_results, star_hours FROM point_rules \
             WHERE area_code IN ({})",
            crate::base::placeholders(1, lineage.len())
        );
        let mut q = sqlx::query(&sql);
        for a in &lineage {
            q = q.bind(a.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        // The deepest area of the lineage that has rules.
        let mut best: Option<(AreaCode, PointRules)> = None;
        for r in &rows {
            let at = super::area(&r.try_get::<String, _>("area_code")?)?;
            if best.as_ref().is_none_or(|(b, _)| at.level() > b.level()) {
                best = Some((at, rules_of(r)?));
            }
        }
        Ok(match best {
            Some((at, rules)) => RulesInForce { rules, set_at: Some(at) },
            None => RulesInForce { rules: PointRules::default(), set_at: None },
        })
    }

    /// Sets the rules of an area (and so of its subtree, where no deeper area has its own).
    pub async fn set_point_rules(
        &self,
        actor: &Principal,
        area: &AreaCode,
        rules: PointRules,
        now: DateTime<Utc>,
    ) -> Result<RulesInForce> {
        if !role_may(actor.role, PointsAct::Configure) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "set_point_rules" }.into());
        }
        if !may(actor, PointsAct::Configure, area) {
            return Err(DomainError::invalid("area_code", "outside_scope").into());
        }
        self.area(area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        let rules = rules.check()?;
        let results: Vec<&str> = rules.true_results.iter().map(|r| r.as_str()).collect();
        let stars: Vec<String> = rules.star_hours.iter().map(u32::to_string).collect();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO point_rules (city, area_code, report_true, per_service_hour, attendance, true_results, star_hours, \
             updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (area_code) DO UPDATE SET \
             report_true = $3, per_service_hour = $4, attendance = $5, true_results = $6, star_hours = $7, updated_by = $8, \
             updated_at = $9",
        )
        .bind(area.city_key().as_str())
        .bind(area.as_str())
        .bind(rules.report_true.get())
        .bind(rules.per_service_hour.get())
        .bind(rules.attendance.get())
        .bind(results.join(","))
        .bind(stars.join(","))
        .bind(actor.user_id.to_string())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(RulesInForce { rules, set_at: Some(area.clone()) })
    }
}
