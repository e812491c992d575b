//! Dispute figures from the per-day counters, over an area subtree and a period, in total and by
//! child area. The definitions are `shiyu_domain::stats::disputes`; this only sums.

use chrono::NaiveDate;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::dispute::Tier;
use shiyu_domain::stats::disputes::{DisputeFigures, DisputeMetric};
use sqlx::Row;

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::map::child_code;
use crate::sql::prefix_pattern;

impl Store {
    /// The figures of disputes located in `root`'s subtree, for local days `from..=to`.
    pub async fn dispute_figures(&self, root: &AreaCode, from: NaiveDate, to: NaiveDate) -> Result<DisputeFigures> {
        let rows = sqlx::query(
            "SELECT metric, tier, CAST(SUM(value) AS BIGINT) AS n, CAST(SUM(money_fen) AS BIGINT) AS money FROM dispute_counters \
             WHERE area_code LIKE $1 AND day >= $2 AND day <= $3 GROUP BY metric, tier",
        )
        .bind(prefix_pattern(root.scope_prefix()))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut f = DisputeFigures::default();
        for r in &rows {
            add_row(&mut f, r)?;
        }
        Ok(f)
    }

    /// The same figures for each child area of `root` that has any, keyed by child code.
    pub async fn dispute_figures_by_child(
        &self,
        root: &AreaCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, DisputeFigures)>> {
        let Some(child_level) = AreaLevel::ALL.iter().copied().find(|l| *l > root.level()) else {
            return Ok(Vec::new());
        };
        let len = child_level.prefix_len();
        let sql = format!(
            "SELECT SUBSTR(area_code, 1, {len}) AS child, metric, tier, CAST(SUM(value) AS BIGINT) AS n, CAST(SUM(money_fen) AS BIGINT) AS money \
             FROM dispute_counters WHERE area_code LIKE $1 AND day >= $2 AND day <= $3 \
             GROUP BY SUBSTR(area_code, 1, {len}), metric, tier ORDER BY 1"
        );
        let rows = sqlx::query(&sql)
            .bind(prefix_pattern(root.scope_prefix()))
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<(String, DisputeFigures)> = Vec::new();
        for r in &rows {
            let prefix: String = r.try_get("child")?;
            // A dispute placed at the root itself has no child to be counted under.
            let Some(code) = child_code(&prefix, child_level).map(|c| c.to_string()) else { continue };
            if out.last().is_none_or(|(c, _)| *c != code) {
                out.push((code, DisputeFigures::default()));
            }
            if let Some((_, f)) = out.last_mut() {
                add_row(f, r)?;
            }
        }
        Ok(out)
    }
}

fn add_row(f: &mut DisputeFigures, r: &sqlx::any::AnyRow) -> Result<()> {
    let bad = || StorageError::Corrupt("dispute_counters");
    let metric = DisputeMetric::parse(&r.try_get::<String, _>("metric")?).ok_or_else(bad)?;
    let tier = Tier::parse(&r.try_get::<String, _>("tier")?).map_err(|_| bad())?;
    f.add(metric, tier, r.try_get("n")?, r.try_get("money")?);
    Ok(())
}
