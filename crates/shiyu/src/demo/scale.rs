//! A city at scale for the statistics benchmarks: the demo's areas, organisations and accounts,
//! and `cases` lives spread over `years` years ending today (more in later years, fewer at
//! weekends, a yearly swell), each played through the domain as the demo plays its cases: the
//! demo's life mix, registered and moved by the state machine's own decisions. Each life is
//! written as its case row and as the counter cells the write path would have added, event by
//! event. The event histories are not stored (at ten million cases they would be some ninety
//! million rows that no board or report reads), so `verify-audit` and `rebuild-counters` do not
//! apply to such a city; repeat flags, which the store decides against earlier requests at
//! registration, are not set.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context as _;
use chrono::{DateTime, Datelike, Days, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shiyu_domain::case::machine::{Ctx, decide, register};
use shiyu_domain::case::{CaseSnapshot, Event};
use shiyu_domain::ids::{CaseId, CaseNumber};
use shiyu_domain::stats::Metric;
use shiyu_domain::time::local_date;
use shiyu_storage::Store;
use shiyu_storage::stats::cells::{Amounts, CellKey, fine_cell};

use super::life::{Planner, is_cutoff};
use super::{SEED, city, mix};

/// What a scaled build wrote.
#[derive(Debug, Default)]
pub struct ScaleReport {
    /// Cases written.
    pub cases: u64,
    /// Events played (not stored).
    pub events: u64,
    /// Counter cells written (fine and rollups).
    pub cells: u64,
    /// Case rows written.
    pub rows: u64,
    /// Cases still open today.
    pub open: u64,
}

/// The last local day a cell adds to: cells before a day that every later case starts after
/// are final and can be written.
fn last_day(k: &CellKey) -> String {
    match k.table {
        "stat_cells" => k.key[0].clone(),
        "stat_category_weeks" => {
            k.key[1].parse::<chrono::NaiveDate>().map(|d| (d + Days::new(6)).to_string()).unwrap_or_default()
        }
        _ => k.key[2].clone(),
    }
}

/// Registration times of `n` cases over `years` years before `now`, in order.
fn times(n: u64, years: u32, now: DateTime<Utc>, rng: &mut StdRng) -> Vec<DateTime<Utc>> {
    let days = i64::from(years) * 365;
    let start = now - TimeDelta::days(days);
    let weight = |d: i64| {
        let t = start + TimeDelta::days(d);
        let growth = 0.6 + 0.4 * d as f64 / days as f64;
        let season = 1.0 + 0.2 * (f64::from(t.ordinal()) / 365.0 * std::f64::consts::TAU).sin();
        let weekday = if t.weekday().num_days_from_monday() >= 5 { 0.7 } else { 1.0 };
        growth * season * weekday
    };
    let mut out = Vec::with_capacity(n as usize);
    while out.len() < n as usize {
        let d = rng.random_range(0..days);
        if rng.random::<f64>() * 1.2 < weight(d) {
            let t = start + TimeDelta::days(d) + TimeDelta::seconds(rng.random_range(0..86_400));
            if t < now {
                out.push(t);
            }
        }
    }
    out.sort_unstable();
    out
}

/// A time-ordered case id (UUID version 7 layout) for registration time `t` and serial `i`.
fn case_id(t: DateTime<Utc>, i: u64) -> CaseId {
    let ms = t.timestamp_millis().max(0) as u128;
    CaseId(uuid::Uuid::from_u128((ms << 80) | (7 << 76) | (2 << 62) | u128::from(i)))
}

/// Builds the scaled city into an empty store, writing progress lines to `out`. With
/// `closed_rows` false, only the rows of cases still open today are written (with every case's
/// counter cells): no board or report reads a closed case's row, and at ten million cases they
/// would take some 45 GB (4.8 KB a case with its indexes, measured at 100,000).
pub async fn build(
    store: &Store,
    cases: u64,
    years: u32,
    closed_rows: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ScaleReport> {
    let started = Instant::now();
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(SEED);
    let world = city::build(store, &mut rng, now).await.context("building the demo city")?;
    crate::seed::categories(store).await?;
    let rules = store.rules();
    let planner = Planner::new(&world, rules, now);
    let ctx = |actor, at| Ctx { actor, now: at, calendar: &rules.calendar, policy: &rules.policy, rules: &rules.case };
    let starts = times(cases, years, now, &mut rng);
    writeln!(
        out,
        "areas, accounts and {} registration times in {:.1} s",
        starts.len(),
        started.elapsed().as_secs_f64()
    )?;

    let mut report = ScaleReport::default();
    let mut serial: BTreeMap<chrono::NaiveDate, u32> = BTreeMap::new();
    let mut pending: BTreeMap<(String, CellKey), Amounts> = BTreeMap::new();
    let mut rows: Vec<CaseSnapshot> = Vec::new();
    let mut specs = Vec::new().into_iter();
    let mut next_report = 100_000;
    for (i, t0) in starts.into_iter().enumerate() {
        let spec = match specs.next() {
            Some(s) => s,
            None => {
                // Fewer than the demo's forced minimum: only natural lives.
                specs = mix::specs(&world, 149, &mut rng).into_iter();
                specs.next().context("the life mix gave nothing")?
            }
        };
        let plan = match planner.simulate(&spec, t0, now) {
            Ok(p) => p,
            // Registered only after today (moved into office hours): not a case yet.
            Err(e) if is_cutoff(&e) => continue,
            Err(e) => return Err(e),
        };
        let day = local_date(plan.t0);
        let n = serial.entry(day).or_insert(0);
        *n += 1;
        let id = case_id(plan.t0, i as u64);
        let (mut snap, first) = register(id, CaseNumber::new(day, *n), plan.intake.clone(), &ctx(plan.actor, plan.t0))?;
        let mut add = |before: Option<&CaseSnapshot>, after: &CaseSnapshot, e: &Event| {
            let Some((fine, amounts)) = fine_cell(before, after, e) else { return };
            for cell in fine.cells() {
                let slot = pending.entry((last_day(&cell), cell)).or_insert([0; Metric::ALL.len()]);
                for (s, n) in slot.iter_mut().zip(amounts) {
                    *s += n;
                }
            }
        };
        add(None, &snap, &first);
        report.events += 1;
        for step in plan.steps {
            let e = decide(&snap, step.mv, &ctx(step.actor, step.at))
                .with_context(|| format!("replaying a {} life", spec.outcome.as_str()))?;
            let before = snap.clone();
            snap.evolve(&e)?;
            add(Some(&before), &snap, &e);
            report.events += 1;
        }
        if snap.state.is_open() {
            report.open += 1;
        }
        if closed_rows || snap.state.is_open() {
            rows.push(snap);
        }
        report.cases += 1;
        if report.cases.is_multiple_of(50_000) {
            store.bulk_cases(&rows).await?;
            report.rows += rows.len() as u64;
            rows.clear();
            // Every later case starts on `day` or after (times are in order; the life may move
            // its registration into office hours, so keep one day in hand).
            let keep = pending.split_off(&((day - Days::new(1)).to_string(), CellKey { table: "", key: Vec::new() }));
            let done = std::mem::replace(&mut pending, keep);
            report.cells += done.len() as u64;
            store.bulk_cells(&done.into_iter().map(|((_, k), a)| (k, a)).collect()).await?;
        }
        if report.cases >= next_report {
            writeln!(out, "cases: {} … {:.0} s", report.cases, started.elapsed().as_secs_f64())?;
            next_report += 100_000;
        }
    }
    store.bulk_cases(&rows).await?;
    report.rows += rows.len() as u64;
    report.cells += pending.len() as u64;
    store.bulk_cells(&pending.into_iter().map(|((_, k), a)| (k, a)).collect()).await?;
    writeln!(
        out,
        "cases: {} ({} open today, {} events played), case rows: {}, counter cells: {} in {:.0} s",
        report.cases,
        report.open,
        report.events,
        report.rows,
        report.cells,
        started.elapsed().as_secs_f64()
    )?;
    Ok(report)
}
