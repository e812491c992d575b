//! What the map reads: open and overdue cases per child area of the area being looked at (so the
//! map drills down city → district → street → community → grid, sending one polygon per child,
//! never every grid of a city at once), and open cases as points. Scoped like every other read.

use chrono::{DateTime, Utc};
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::ids::CaseId;
use shiyu_domain::scope::Scope;
use sqlx::Row;

use crate::cases::{Arg, OPEN_STATES, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{ms, prefix_pattern};

/// Open and overdue case counts of one area (its whole subtree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaLoad {
    /// The area.
    pub code: AreaCode,
    /// Cases not yet closed.
    pub open: i64,
    /// Open cases past their stage deadline.
    pub overdue: i64,
}

/// An open case with a point.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePoint {
    /// The case.
    pub id: CaseId,
    /// Its number.
    pub number: String,
    /// Title.
    pub title: String,
    /// State wire name.
    pub state: String,
    /// Longitude (WGS-84).
    pub lon: f64,
    /// Latitude (WGS-84).
    pub lat: f64,
    /// Past its stage deadline.
    pub overdue: bool,
}

impl Store {
    /// Open and overdue cases in `scope` under each child of `parent`, keyed by the child's code
    /// prefix. Children without cases are absent (the caller shows them as zero).
    pub async fn child_loads(&self, scope: &Scope, parent: &AreaCode, now: DateTime<Utc>) -> Result<Vec<AreaLoad>> {
        let Some(child_level) = AreaLevel::ALL.iter().copied().find(|l| *l > parent.level()) else {
            return Ok(Vec::new());
        };
        let len = child_level.prefix_len();
        let mut q = Query::new("");
        q.raw(&format!(
            "SELECT substr(c.area_code, 1, {len}) AS k, COUNT(*) AS open_n, \
             SUM(CASE WHEN c.due_at IS NOT NULL AND c.due_at < $1 THEN 1 ELSE 0 END) AS overdue_n \
             FROM cases c WHERE c.state IN {OPEN_STATES}"
        ));
        q.args.push(Arg::Int(ms(now)));
        q.push(" AND c.area_code LIKE ?", Arg::Text(prefix_pattern(parent.scope_prefix())));
        q.scope(scope);
        q.raw(" GROUP BY substr(c.area_code, 1, ");
        q.raw(&format!("{len})"));
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let key: String = r.try_get("k")?;
            // A case placed at the parent itself pads to no child's code; it has no polygon here.
            let Some(code) = child_code(&key, child_level) else { continue };
            out.push(AreaLoad {
                code,
                open: r.try_get("open_n")?,
                overdue: r.try_get::<Option<i64>, _>("overdue_n")?.unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// Open cases with a point in `scope` under `area`, most overdue first, at most `limit`.
    pub async fn case_points(
        &self,
        scope: &Scope,
        area: &AreaCode,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<CasePoint>> {
        let mut q = Query::new("");
        q.raw(&format!(
            "SELECT c.id, c.number, c.title, c.state, c.lon, c.lat, c.due_at FROM cases c \
             WHERE c.state IN {OPEN_STATES} AND c.lon IS NOT NULL AND c.lat IS NOT NULL"
        ));
        q.push(" AND c.area_code LIKE ?", Arg::Text(prefix_pattern(area.scope_prefix())));
        q.scope(scope);
        q.raw(" ORDER BY c.due_at ASC");
        q.push(" LIMIT ?", Arg::Int(i64::from(limit.clamp(1, 5000))));
        let rows = q.build().fetch_all(&self.pool).await?;
        let now = ms(now);
        rows.iter()
            .map(|r| {
                let due: Option<i64> = r.try_get("due_at")?;
                Ok(CasePoint {
                    id: CaseId::parse(&r.try_get::<String, _>("id")?).map_err(|_| StorageError::Corrupt("case id"))?,
                    number: r.try_get("number")?,
                    title: r.try_get("title")?,
                    state: r.try_get("state")?,
                    lon: r.try_get("lon")?,
                    lat: r.try_get("lat")?,
                    overdue: due.is_some_and(|d| d < now),
                })
            })
            .collect()
    }
}

/// The child area whose code starts with `key` (the grouping prefix), padded to a full code.
pub(crate) fn child_code(key: &str, level: AreaLevel) -> Option<AreaCode> {
    let padded = match level {
        AreaLevel::Grid | AreaLevel::MicroGrid => key.to_owned(),
        _ => format!("{key:0<12}"),
    };
    AreaCode::parse(&padded).ok().filter(|c| c.level() == level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grouping_prefix_becomes_the_childs_code() {
        assert_eq!(child_code("439901", AreaLevel::District).map(|c| c.to_string()), Some("439901000000".into()));
        assert_eq!(
            child_code("439901001001001", AreaLevel::Grid).map(|c| c.to_string()),
            Some("439901001001001".into())
        );
        // A case placed at the district itself groups under "439901000" at street level: no child.
        assert_eq!(child_code("439901000", AreaLevel::Street), None);
    }
}
