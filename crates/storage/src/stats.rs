//! The case counters behind every figure: written in each event's transaction
//! ([`Store::count_event`]), summed over any area subtree × period × ledger × category × channel ×
//! organisation ([`Store::case_sums`], [`Store::case_sums_by`]), and recomputed from the histories
//! by [`Store::rebuild_counters`], which reports every difference before it replaces anything.
//! What each event counts is `shiyu_domain::stats::amounts`; what each figure means is
//! `shiyu_domain::stats::figures`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::{CaseSnapshot, Channel, Event, Ledger};
use shiyu_domain::ids::{CaseId, OrgId};
use shiyu_domain::stats::figures::Sums;
use shiyu_domain::stats::{Metric, amounts};
use shiyu_domain::time;
use sqlx::{Any, Row, Transaction};

use crate::base::{V, insert_many};
use crate::cases::{Arg, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::map::child_code;
use crate::sql::prefix_pattern;

/// The dimensions one counter row is kept under.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CounterKey {
    /// Local day.
    pub day: String,
    /// The case's leaf area.
    pub area: String,
    /// Ledger.
    pub ledger: String,
    /// Category code.
    pub category: String,
    /// Lead organisation (empty before dispatch).
    pub org: String,
    /// Channel.
    pub channel: String,
    /// Metric.
    pub metric: String,
}

/// The counter rows an event adds to: the case as it is after the event, counted on the event's
/// local day and under the lead organisation after (or, when it was cleared, before) the event.
pub(crate) fn counter_rows(
    before: Option<&CaseSnapshot>,
    after: &CaseSnapshot,
    event: &Event,
) -> Vec<(CounterKey, i64)> {
    let org = after.lead_org.or(before.and_then(|b| b.lead_org)).map(|o| o.to_string()).unwrap_or_default();
    let day = time::local_date(event.at).to_string();
    amounts(before, event)
        .into_iter()
        .map(|(m, n)| {
            let key = CounterKey {
                day: day.clone(),
                area: after.area.to_string(),
                ledger: after.ledger.as_str().to_owned(),
                category: after.category.as_str().to_owned(),
                org: org.clone(),
                channel: after.channel.as_str().to_owned(),
                metric: m.as_str().to_owned(),
            };
            (key, n)
        })
        .collect()
}

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

/// A difference found by a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterDiff {
    /// The row.
    pub key: CounterKey,
    /// What the table holds.
    pub stored: i64,
    /// What the histories say.
    pub expected: i64,
}

/// The outcome of a rebuild.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RebuildReport {
    /// Cases replayed.
    pub cases: u64,
    /// Events replayed.
    pub events: u64,
    /// Counter rows the histories produce.
    pub rows: usize,
    /// Rows that differ (at most the first 1,000 are listed).
    pub differences: Vec<CounterDiff>,
    /// How many rows differ in all.
    pub different: usize,
    /// Whether the table was replaced by the rebuilt rows.
    pub applied: bool,
}

fn filtered(select: &str, f: &StatFilter) -> Query {
    let mut q = Query::new(select);
    q.push(" WHERE area_code LIKE ?", Arg::Text(prefix_pattern(f.area.scope_prefix())));
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

impl Store {
    /// Adds an event's counter rows inside its transaction.
    pub(crate) async fn count_event(
        &self,
        tx: &mut Transaction<'static, Any>,
        before: Option<&CaseSnapshot>,
        after: &CaseSnapshot,
        event: &Event,
    ) -> Result<()> {
        let city = after.area.city_key();
        for (k, n) in counter_rows(before, after, event) {
            sqlx::query(
                "INSERT INTO stat_counters (city, day, area_code, ledger, category, org_id, channel, metric, value) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (day, area_code, ledger, category, org_id, channel, metric) \
                 DO UPDATE SET value = stat_counters.value + $9",
            )
            .bind(city.as_str())
            .bind(k.day)
            .bind(k.area)
            .bind(k.ledger)
            .bind(k.category)
            .bind(k.org)
            .bind(k.channel)
            .bind(k.metric)
            .bind(n)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Counter sums by metric over a filter.
    pub async fn case_sums(&self, f: &StatFilter) -> Result<Sums> {
        let mut q = filtered("SELECT metric, CAST(SUM(value) AS BIGINT) AS total FROM stat_counters", f);
        q.raw(" GROUP BY metric");
        let mut sums = Sums::default();
        for r in q.build().fetch_all(&self.pool).await? {
            if let Some(m) = Metric::parse(&r.try_get::<String, _>("metric")?) {
                sums.add(m, r.try_get("total")?);
            }
        }
        Ok(sums)
    }

    /// Counter sums over a filter, one per value of `by`, in key order.
    pub async fn case_sums_by(&self, f: &StatFilter, by: GroupBy) -> Result<Vec<(String, Sums)>> {
        let child_level = AreaLevel::ALL.iter().copied().find(|l| *l > f.area.level());
        let col = match by {
            GroupBy::ChildArea => match child_level {
                Some(l) => format!("SUBSTR(area_code, 1, {})", l.prefix_len()),
                None => return Ok(Vec::new()),
            },
            GroupBy::Ledger => "ledger".to_owned(),
            GroupBy::Category => "category".to_owned(),
            GroupBy::Channel => "channel".to_owned(),
            GroupBy::Org => "org_id".to_owned(),
            GroupBy::Day => "day".to_owned(),
        };
        let mut q =
            filtered(&format!("SELECT {col} AS k, metric, CAST(SUM(value) AS BIGINT) AS total FROM stat_counters"), f);
        q.raw(&format!(" GROUP BY {col}, metric ORDER BY 1"));
        let mut out: Vec<(String, Sums)> = Vec::new();
        for r in q.build().fetch_all(&self.pool).await? {
            let raw: String = r.try_get("k")?;
            let key = match (by, child_level) {
                (GroupBy::ChildArea, Some(l)) => match child_code(&raw, l) {
                    Some(c) => c.to_string(),
                    None => continue,
                },
                _ => raw,
            };
            let Some(m) = Metric::parse(&r.try_get::<String, _>("metric")?) else { continue };
            if out.last().is_none_or(|(k, _)| *k != key) {
                out.push((key, Sums::default()));
            }
            if let Some((_, s)) = out.last_mut() {
                s.add(m, r.try_get("total")?);
            }
        }
        Ok(out)
    }

    /// Cases received per week for each (area, category) under `root`, for `weeks` weeks ending
    /// with the week starting `last_monday`, and the same weeks a year earlier. Areas are `root`'s
    /// children (or `root` itself when it has none). Returns `(area, category) → (weeks, year_ago)`,
    /// oldest week first.
    pub async fn weekly_received(
        &self,
        root: &AreaCode,
        last_monday: NaiveDate,
        weeks: usize,
    ) -> Result<BTreeMap<(String, String), (Vec<i64>, Vec<i64>)>> {
        let child_level = AreaLevel::ALL.iter().copied().find(|l| *l > root.level());
        let len = child_level.map_or(root.as_str().len(), AreaLevel::prefix_len);
        let span = chrono::Days::new(7 * weeks as u64);
        let first = last_monday + chrono::Days::new(7) - span;
        let end = last_monday + chrono::Days::new(6);
        let year_first = first.checked_sub_months(chrono::Months::new(12)).unwrap_or(first);
        let year_end = year_first + span - chrono::Days::new(1);
        let rows = sqlx::query(&format!(
            "SELECT SUBSTR(area_code, 1, {len}) AS k, category, day, CAST(SUM(value) AS BIGINT) AS n FROM stat_counters \
             WHERE metric = 'received' AND area_code LIKE $1 AND ((day >= $2 AND day <= $3) OR (day >= $4 AND day <= $5)) \
             GROUP BY SUBSTR(area_code, 1, {len}), category, day"
        ))
        .bind(prefix_pattern(root.scope_prefix()))
        .bind(first.to_string())
        .bind(end.to_string())
        .bind(year_first.to_string())
        .bind(year_end.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<(String, String), (Vec<i64>, Vec<i64>)> = BTreeMap::new();
        for r in rows {
            let raw: String = r.try_get("k")?;
            let area = match child_level {
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
            let week = ((day - start).num_days() / 7) as usize;
            if let Some(slot) = series.get_mut(week) {
                *slot += n;
            }
        }
        Ok(out)
    }

    /// Recomputes every counter from the case histories and compares with the table; with
    /// `apply`, replaces the table's rows by the recomputed ones in one transaction.
    pub async fn rebuild_counters(&self, apply: bool) -> Result<RebuildReport> {
        let mut report = RebuildReport::default();
        let mut expected: BTreeMap<CounterKey, (String, i64)> = BTreeMap::new();
        let mut after_id = String::new();
        loop {
            let ids: Vec<String> = sqlx::query("SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT 500")
                .bind(after_id.as_str())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
            let Some(last) = ids.last() else { break };
            after_id.clone_from(last);
            for id in &ids {
                let case_id = CaseId::parse(id).map_err(|_| StorageError::Corrupt("case id"))?;
                let events: Vec<Event> = sqlx::query("SELECT body FROM case_events WHERE case_id = $1 ORDER BY seq")
                    .bind(id.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Event::from_json(&r.try_get::<String, _>("body")?)
                            .map_err(|_| StorageError::Corrupt("case event"))
                    })
                    .collect::<Result<_>>()?;
                let Some((first, rest)) = events.split_first() else { continue };
                let mut snap = CaseSnapshot::genesis(case_id, first)?;
                let city = snap.area.city_key().as_str().to_owned();
                let mut add = |rows: Vec<(CounterKey, i64)>| {
                    for (k, n) in rows {
                        expected.entry(k).or_insert_with(|| (city.clone(), 0)).1 += n;
                    }
                };
                add(counter_rows(None, &snap, first));
                for e in rest {
                    let before = snap.clone();
                    snap.evolve(e)?;
                    add(counter_rows(Some(&before), &snap, e));
                }
                report.cases += 1;
                report.events += events.len() as u64;
            }
        }
        report.rows = expected.len();
        let mut stored: BTreeMap<CounterKey, i64> = BTreeMap::new();
        for r in
            sqlx::query("SELECT day, area_code, ledger, category, org_id, channel, metric, value FROM stat_counters")
                .fetch_all(&self.pool)
                .await?
        {
            let key = CounterKey {
                day: r.try_get("day")?,
                area: r.try_get("area_code")?,
                ledger: r.try_get("ledger")?,
                category: r.try_get("category")?,
                org: r.try_get("org_id")?,
                channel: r.try_get("channel")?,
                metric: r.try_get("metric")?,
            };
            stored.insert(key, r.try_get("value")?);
        }
        let mut note = |key: &CounterKey, stored: i64, expected: i64| {
            report.different += 1;
            if report.differences.len() < 1000 {
                report.differences.push(CounterDiff { key: key.clone(), stored, expected });
            }
        };
        for (k, (_, n)) in &expected {
            let s = stored.get(k).copied().unwrap_or(0);
            if s != *n {
                note(k, s, *n);
            }
        }
        for (k, s) in &stored {
            if !expected.contains_key(k) && *s != 0 {
                note(k, *s, 0);
            }
        }
        if apply && report.different > 0 {
            let mut w = self.begin_write().await?;
            sqlx::query("DELETE FROM stat_counters").execute(&mut *w.tx).await?;
            let rows = expected
                .into_iter()
                .map(|(k, (city, n))| {
                    vec![
                        V::T(Some(city)),
                        V::T(Some(k.day)),
                        V::T(Some(k.area)),
                        V::T(Some(k.ledger)),
                        V::T(Some(k.category)),
                        V::T(Some(k.org)),
                        V::T(Some(k.channel)),
                        V::T(Some(k.metric)),
                        V::I(n),
                    ]
                })
                .collect();
            insert_many(
                &mut w.tx,
                "stat_counters",
                &["city", "day", "area_code", "ledger", "category", "org_id", "channel", "metric", "value"],
                rows,
            )
            .await?;
            w.tx.commit().await?;
            report.applied = true;
        }
        Ok(report)
    }

    /// Fills the counters from history when they are empty but cases exist (the first start after
    /// the counters' migration). Returns whether it did.
    pub async fn fill_counters_if_empty(&self) -> Result<bool> {
        let has_counters =
            sqlx::query("SELECT 1 AS x FROM stat_counters LIMIT 1").fetch_optional(&self.pool).await?.is_some();
        let has_events =
            sqlx::query("SELECT 1 AS x FROM case_events LIMIT 1").fetch_optional(&self.pool).await?.is_some();
        if has_counters || !has_events {
            return Ok(false);
        }
        Ok(self.rebuild_counters(true).await?.applied)
    }
}
