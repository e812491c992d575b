//! The case counters behind every figure: written in each event's transaction
//! ([`Store::count_event`]) to the fine cells and their rollups ([`cells`]), summed over any area
//! subtree × period × ledger × category × channel × organisation ([`Store::case_sums`],
//! [`Store::case_sums_by`]) from the smallest table that answers the question, and recomputed
//! from the histories by [`Store::rebuild_counters`] ([`rebuild`]), which reports every difference
//! before it replaces anything. What each event counts is `shiyu_domain::stats::amounts`; what
//! each figure means is `shiyu_domain::stats::figures`.

pub mod cells;
mod rebuild;

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::{CaseSnapshot, Channel, Event, Ledger};
use shiyu_domain::ids::OrgId;
use shiyu_domain::stats::Metric;
use shiyu_domain::stats::figures::Sums;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use self::cells::{AREA_DAYS, CATEGORY_DAYS, CATEGORY_WEEKS, FINE, Table, fine_cell, sums_sql, upsert_sql, week_of};
pub use self::rebuild::{CounterDiff, RebuildReport};
use crate::cases::{Arg, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::map::child_code;

/// What the figures are summed over. Everything but the area and the period is optional.
#[derive(Debug, Clone)]
pub struct StatFilter {
    /// The area subtree.
    pub area: AreaCode,
    /// First local day.
    pub from: NaiveDate,
    /// Last local day (inclusive).
    pub to: NaiveDate,
    /// Only this ledger.
    pub ledger: Option<Ledger>,
    /// Only this category and the ones below it.
    pub category: Option<String>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only cases led by this organisation.
    pub org: Option<OrgId>,
}

/// What [`Store::case_sums_by`] groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The children of the filter's area (a case at the area itself belongs to none).
    ChildArea,
    /// Ledger.
    Ledger,
    /// Category.
    Category,
    /// Channel.
    Channel,
    /// Lead organisation.
    Org,
    /// Local day.
    Day,
}

/// The level below `level`, if any.
fn child_level(level: AreaLevel) -> Option<AreaLevel> {
    AreaLevel::ALL.iter().copied().find(|l| *l > level)
}

/// The smallest table that holds the filter's sums (grouped by `by`): a rollup keeps only the
/// dimensions it is named for, at its levels; anything else reads the fine cells.
fn table_for(f: &StatFilter, by: Option<GroupBy>) -> &'static Table {
    if f.channel.is_some() || f.org.is_some() || matches!(by, Some(GroupBy::Channel | GroupBy::Org)) {
        return &FINE;
    }
    // The level the rows are read at: the area's own, or its children's.
    let level = match by {
        Some(GroupBy::ChildArea) => child_level(f.area.level()),
        _ => Some(f.area.level()),
    };
    let by_category = f.category.is_some() || by == Some(GroupBy::Category);
    let candidate = match (by_category, f.ledger.is_some() || by == Some(GroupBy::Ledger)) {
        (true, true) => return &FINE,
        (true, false) => &CATEGORY_DAYS,
        (false, _) => &AREA_DAYS,
    };
    if level.is_some_and(|l| candidate.levels.contains(&l)) { candidate } else { &FINE }
}

/// The `WHERE` clause of a filter over `t`, reading the rows of the filter's area (or, with
/// `children`, of its children) in `t`.
fn filtered(select: &str, t: &Table, f: &StatFilter, children: bool) -> Query {
    let mut q = Query::new(&format!("{select} FROM {} WHERE 1 = 1", t.name));
    if t.levels.is_empty() {
        fine_area(&mut q, &f.area);
    } else if children {
        let level = child_level(f.area.level()).map_or("", AreaLevel::as_str);
        q.push(" AND level = ?", Arg::Text(level.to_owned())).within("area_code", f.area.scope_prefix());
    } else {
        q.push(" AND level = ?", Arg::Text(f.area.level().as_str().to_owned()));
        q.push(" AND area_code = ?", Arg::Text(f.area.to_string()));
    }
    q.push(" AND day >= ?", Arg::Text(f.from.to_string()));
    q.push(" AND day <= ?", Arg::Text(f.to.to_string()));
    if let Some(l) = f.ledger {
        q.push(" AND ledger = ?", Arg::Text(l.as_str().to_owned()));
    }
    if let Some(c) = &f.category {
        q.push(" AND (category = ?", Arg::Text(c.clone()));
        q.push(" OR category LIKE ?)", Arg::Text(format!("{c}.%")));
    }
    if let Some(ch) = f.channel {
        q.push(" AND channel = ?", Arg::Text(ch.as_str().to_owned()));
    }
    if let Some(o) = f.org {
        q.push(" AND org_id = ?", Arg::Text(o.to_string()));
    }
    q
}

/// `AND` the fine cell lies in `area`'s subtree. Below the city the subtree's leaf codes are
/// listed from `areas`, so the index (area_code, day) seeks each code's days instead of reading
/// a whole range of areas over all time or a period of the whole city by the day-first key.
fn fine_area(q: &mut Query, area: &AreaCode) {
    if area.level() == AreaLevel::City {
        q.within("area_code", area.scope_prefix());
    } else {
        q.raw(" AND area_code IN (SELECT code FROM areas WHERE 1 = 1");
        q.within("code", area.scope_prefix()).raw(")");
    }
}

/// The metric sums of a row selected with [`sums_sql`].
fn sums_of(r: &AnyRow) -> Result<Sums> {
    let mut s = Sums::default();
    for m in Metric::ALL {
        // SUM over no rows is NULL.
        let n = r.try_get::<Option<i64>, _>(m.as_str())?.unwrap_or(0);
        if n != 0 {
            s.add(m, n);
        }
    }
    Ok(s)
}

impl Store {
    /// Adds an event's amounts to its fine cell and the rollups above it, inside its transaction.
    pub(crate) async fn count_event(
        &self,
        tx: &mut Transaction<'static, Any>,
        before: Option<&CaseSnapshot>,
        after: &CaseSnapshot,
        event: &Event,
    ) -> Result<()> {
        let Some((fine, amounts)) = fine_cell(before, after, event) else { return Ok(()) };
        // In a group commit the batch writes its cells once, summed (see `group_commit`).
        if crate::group_commit::defer_cells(fine.cells(), &amounts) {
            return Ok(());
        }
        let counted: Vec<(Metric, i64)> = Metric::ALL.iter().copied().zip(amounts).filter(|(_, n)| *n != 0).collect();
        let metrics: Vec<Metric> = counted.iter().map(|(m, _)| *m).collect();
        for cell in fine.cells() {
            let Some(t) = cells::table(cell.table) else { continue };
            let sql = upsert_sql(t, &metrics);
            let mut q = sqlx::query(&sql);
            for k in cell.key {
                q = q.bind(k);
            }
            for (_, n) in &counted {
                q = q.bind(*n);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Counter sums over a filter.
    pub async fn case_sums(&self, f: &StatFilter) -> Result<Sums> {
        let t = table_for(f, None);
        let q = filtered(&format!("SELECT {}", sums_sql()), t, f, false);
        match q.build().fetch_optional(&self.pool).await? {
            Some(r) => sums_of(&r),
            None => Ok(Sums::default()),
        }
    }

    /// Counter sums over a filter, one per value of `by`, in key order.
    pub async fn case_sums_by(&self, f: &StatFilter, by: GroupBy) -> Result<Vec<(String, Sums)>> {
        let child = child_level(f.area.level());
        let t = table_for(f, Some(by));
        let col = match by {
            GroupBy::ChildArea => match child {
                // Rollup rows are the children themselves.
                Some(_) if !t.levels.is_empty() => "area_code".to_owned(),
                Some(l) => format!("SUBSTR(area_code, 1, {})", l.prefix_len()),
                None => return Ok(Vec::new()),
            },
            GroupBy::Ledger => "ledger".to_owned(),
            GroupBy::Category => "category".to_owned(),
            GroupBy::Channel => "channel".to_owned(),
            GroupBy::Org => "org_id".to_owned(),
            GroupBy::Day => "day".to_owned(),
        };
        let mut q = filtered(&format!("SELECT {col} AS k, {}", sums_sql()), t, f, by == GroupBy::ChildArea);
        q.raw(&format!(" GROUP BY {col} ORDER BY 1"));
        let mut out = Vec::new();
        for r in q.build().fetch_all(&self.pool).await? {
            let raw: String = r.try_get("k")?;
            let key = match (by, child) {
                (GroupBy::ChildArea, Some(l)) => match child_code(&raw, l) {
                    Some(c) => c.to_string(),
                    None => continue,
                },
                _ => raw,
            };
            out.push((key, sums_of(&r)?));
        }
        Ok(out)
    }

    /// Cases received per week for each (area, category) under `root`, for `weeks` weeks ending
    /// with the week starting `last_monday`, and the same weeks 52 weeks earlier (so weekdays line
    /// up). Areas are `root`'s children (or `root` itself when it has none). Returns
    /// `(area, category) → (weeks, year_ago)`, oldest week first.
    pub async fn weekly_received(
        &self,
        root: &AreaCode,
        last_monday: NaiveDate,
        weeks: usize,
    ) -> Result<BTreeMap<(String, String), (Vec<i64>, Vec<i64>)>> {
        let last_monday = week_of(last_monday);
        let child = child_level(root.level());
        let first = last_monday - Days::new(7 * (weeks as u64).saturating_sub(1));
        let year_first = first - Days::new(364);
        let year_last = last_monday - Days::new(364);
        let end = last_monday + Days::new(6);
        let rollup = child.is_some_and(|l| CATEGORY_WEEKS.levels.contains(&l));
        let q = if rollup {
            let level = child.map_or("", AreaLevel::as_str);
            let mut q = Query::new(&format!(
                "SELECT area_code AS k, category, week AS day, CAST(SUM(received) AS BIGINT) AS n FROM {} WHERE 1 = 1",
                CATEGORY_WEEKS.name
            ));
            q.push(" AND level = ?", Arg::Text(level.to_owned()));
            // The Mondays listed, so the index seeks each week instead of scanning the level.
            q.raw(" AND week IN (");
            let mondays = (0..weeks as u64).flat_map(|i| [first + Days::new(7 * i), year_first + Days::new(7 * i)]);
            for (i, monday) in mondays.enumerate() {
                q.push(if i == 0 { "?" } else { ", ?" }, Arg::Text(monday.to_string()));
            }
            q.raw(")");
            q.within("area_code", root.scope_prefix());
            q.raw(" GROUP BY area_code, category, week");
            q
        } else {
            let len = child.map_or(root.as_str().len(), AreaLevel::prefix_len);
            // The two windows as two selects: an OR of day ranges sends SQLite to the day key.
            let mut q = Query::new("");
            for (i, (from, to)) in [(first, end), (year_first, year_last + Days::new(6))].into_iter().enumerate() {
                q.raw(&format!(
                    "{}SELECT SUBSTR(area_code, 1, {len}) AS k, category, day, CAST(SUM(received) AS BIGINT) AS n \
                     FROM {} WHERE received <> 0",
                    if i == 0 { "" } else { " UNION ALL " },
                    FINE.name
                ));
                fine_area(&mut q, root);
                q.push(" AND day >= ?", Arg::Text(from.to_string()));
                q.push(" AND day <= ?", Arg::Text(to.to_string()));
                q.raw(&format!(" GROUP BY SUBSTR(area_code, 1, {len}), category, day"));
            }
            q
        };
        let mut out: BTreeMap<(String, String), (Vec<i64>, Vec<i64>)> = BTreeMap::new();
        for r in q.build().fetch_all(&self.pool).await? {
            let raw: String = r.try_get("k")?;
            let area = match child {
                Some(l) => match child_code(&raw, l) {
                    Some(c) => c.to_string(),
                    None => continue,
                },
                None => raw,
            };
            let day: NaiveDate =
                r.try_get::<String, _>("day")?.parse().map_err(|_| StorageError::Corrupt("counter day"))?;
            let n: i64 = r.try_get("n")?;
            let entry = out.entry((area, r.try_get("category")?)).or_insert_with(|| (vec![0; weeks], vec![0; weeks]));
            let (series, start) = if day >= first { (&mut entry.0, first) } else { (&mut entry.1, year_first) };
            let week = ((week_of(day) - start).num_days() / 7) as usize;
            if let Some(slot) = series.get_mut(week) {
                *slot += n;
            }
        }
        Ok(out)
    }
}
