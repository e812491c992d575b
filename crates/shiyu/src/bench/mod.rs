//! `shiyu bench`: measurements too large for a Criterion loop, run once on generated data and
//! printed with what was measured. `locate`: point-to-grid lookups per second on one core over a
//! generated tiling of grids. `import`: residents per second through the whole import path (CSV
//! parse, every cell checked, identity numbers sealed and hashed, one transaction) into a fresh
//! database.

pub mod city;
pub mod load;
pub mod peer;
pub mod scale;

use std::hint::black_box;
use std::time::Instant;

use anyhow::Context as _;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::columns::{Table, resident_row};
use shiyu_domain::base::idnum::{IdNumber, check_char};
use shiyu_domain::base::kinds::ResidentKind;
use shiyu_domain::base::phone::Phone;
use shiyu_domain::base::records::ResidentRecord;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Binding;

/// Peak resident memory of this process so far, in MiB (Linux; 0 elsewhere).
pub fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// What the point-to-grid lookup measurement saw.
#[derive(Debug, Clone, Copy)]
pub struct LocateFigures {
    /// Grids in the index.
    pub grids: usize,
    /// Their polygons' vertices.
    pub vertices: usize,
    /// Milliseconds to build the index.
    pub build_ms: f64,
    /// Lookups per second on one core.
    pub per_second: f64,
    /// Share of the random points that fell inside a grid.
    pub inside: f64,
}

/// Point-to-grid lookups over `n` generated grids, measured on one core.
pub fn locate_figures(n: usize) -> anyhow::Result<LocateFigures> {
    let extent = shiyu_geo::synth::city_extent();
    let grids = shiyu_geo::synth::city_grids(n, extent, 7);
    let vertices: usize = grids.iter().map(|(_, p)| p.0.iter().map(|q| q.exterior().0.len()).sum::<usize>()).sum();
    let t = Instant::now();
    let index = shiyu_geo::GridIndex::new(grids).context("building the index")?;
    let build = t.elapsed();
    let points = shiyu_geo::synth::random_points(1_000_000, extent, 11);
    let mut inside = 0usize;
    let rounds = 5;
    let t = Instant::now();
    for _ in 0..rounds {
        for &(lon, lat) in &points {
            if black_box(index.locate(lon, lat)).code().is_some() {
                inside += 1;
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let lookups = (points.len() * rounds) as f64;
    Ok(LocateFigures {
        grids: index.len(),
        vertices,
        build_ms: build.as_secs_f64() * 1e3,
        per_second: lookups / secs,
        inside: inside as f64 / lookups,
    })
}

/// Point-to-grid lookups over `n` generated grids, printed.
pub fn locate(n: usize) -> anyhow::Result<()> {
    let f = locate_figures(n)?;
    println!("grids: {} ({} vertices), index built in {:.1} ms", f.grids, f.vertices, f.build_ms);
    println!(
        "lookups on one core: {:.0} lookups/s ({:.0} ns each; {:.1}% inside a grid)",
        f.per_second,
        1e9 / f.per_second,
        f.inside * 100.0
    );
    println!("peak memory: {} MiB", peak_mib());
    Ok(())
}

/// A valid identity number for person `i` (distinct for distinct `i` below 10^9).
fn id_number(i: usize) -> anyhow::Result<IdNumber> {
    let region = 439_901 + (i / 36_500_000) % 90;
    let day = chrono::NaiveDate::from_ymd_opt(1930, 1, 1).context("date")?
        + chrono::Duration::days(((i / 1000) % 30_000) as i64);
    let body = format!("{region:06}{}{:03}", day.format("%Y%m%d"), i % 1000);
    let check = check_char(&body).context("check")?;
    IdNumber::parse(&format!("{body}{check}"), chrono::NaiveDate::from_ymd_opt(2100, 1, 1).context("date")?)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A city with one community of 200 grids and an administrator, in `store`; returns the
/// administrator and the grids.
pub async fn bench_city(
    store: &shiyu_storage::Store,
) -> anyhow::Result<(shiyu_storage::directory::User, Vec<AreaCode>)> {
    let now = chrono::Utc::now();
    let code = |s: &str| AreaCode::parse(s).map_err(|e| anyhow::anyhow!("{e}"));
    for (c, name) in [
        ("439900000000", "测评市"),
        ("439901000000", "测评区"),
        ("439901001000", "测评街道"),
        ("439901001001", "测评社区"),
    ] {
        store.create_area(&code(c)?, name, None, now).await?;
    }
    let grids: Vec<AreaCode> =
        (1..=200).map(|g| code(&format!("439901001001{g:03}"))).collect::<anyhow::Result<_>>()?;
    for (i, g) in grids.iter().enumerate() {
        store.create_area(g, &format!("第{}网格", i + 1), None, now).await?;
    }
    let admin = store
        .create_user("bench-admin", "测评管理员", Role::Admin, Binding::Area { area: code("439900000000")? }, "!", now)
        .await?;
    Ok((admin, grids))
}

/// `n` generated residents spread over `grids`, as a CSV file in the import columns.
pub fn residents_csv(n: usize, grids: &[AreaCode]) -> anyhow::Result<Vec<u8>> {
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let r = ResidentRecord {
            id_number: id_number(i)?,
            name: format!("居民{i}"),
            phone: Some(Phone::parse(&format!("139{:08}", i % 100_000_000)).map_err(|e| anyhow::anyhow!("{e}"))?),
            kind: if i % 4 == 0 { ResidentKind::Floating } else { ResidentKind::Registered },
            grid: Some(grids[i % grids.len()].clone()),
            house: None,
            care: Vec::new(),
        };
        rows.push(resident_row(&r));
    }
    Ok(shiyu_tabular::write_csv(&Table::Residents.headers(), rows))
}

/// Imports `n` generated residents into a fresh database (or `database`).
pub async fn import(n: usize, database: Option<String>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = database.unwrap_or_else(|| dir.path().join("bench.db").display().to_string());
    let store = crate::app::open_store(&url, dir.path()).await?;
    let (admin, grids) = bench_city(&store).await?;
    let t = Instant::now();
    let csv = residents_csv(n, &grids)?;
    println!(
        "generated {n} residents as CSV ({} MiB) in {:.1} s (not measured)",
        csv.len() / (1 << 20),
        t.elapsed().as_secs_f64()
    );
    let places = crate::app::places(&store).await?;
    let t = Instant::now();
    let counts = shiyu_http::base_import::import_file(
        &store,
        &places,
        &admin.principal(),
        Table::Residents,
        Some("r.csv"),
        &csv,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "imported {} residents (new {}, changed {}, unchanged {}) in {:.1} s = {:.0} rows/s, one transaction, {}",
        n,
        counts.inserted,
        counts.updated,
        counts.unchanged,
        secs,
        n as f64 / secs,
        if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" }
    );
    let t = Instant::now();
    let again = shiyu_http::base_import::import_file(
        &store,
        &places,
        &admin.principal(),
        Table::Residents,
        Some("r.csv"),
        &csv,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "the same file again: {} unchanged in {:.1} s = {:.0} rows/s (nothing written but the audit entry)",
        again.unchanged,
        secs,
        n as f64 / secs
    );
    println!("peak memory: {} MiB", peak_mib());
    store.close().await;
    Ok(())
}

/// Routing accuracy on held-out cases: a demo city of `cases` cases is built in a temporary
/// folder, the router trains on the oldest 80% and proposes a category and a lead organisation
/// for each of the newest 20%, compared with what the centre chose and with always answering the
/// commonest. With `messages` (a labelled CSV with `label` and `text` columns, e.g. real public
/// messages kept outside the program), the category model is also cross-validated on it (5 folds).
pub async fn routing(cases: u32, messages: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    use shiyu_domain::routing::{Accuracy, Example, TextModel, accuracy, evaluate};
    let line = |what: &str, a: &Accuracy| {
        println!(
            "  {what:<44} n={:<6} accuracy {:>5.1}%  macro-F1 {:>5.1}%  always-the-commonest {:>5.1}%",
            a.n,
            a.accuracy * 100.0,
            a.macro_f1 * 100.0,
            a.baseline * 100.0
        );
    };
    let dir = tempfile::tempdir()?;
    let store = crate::app::open_store(&dir.path().join("bench.db").display().to_string(), dir.path()).await?;
    let t = Instant::now();
    crate::demo::build(&store, cases, &mut std::io::sink()).await?;
    let examples = store.routing_examples(u32::MAX).await?;
    println!("demo city with {} cases built in {:.1} s (not measured)", examples.len(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let e = evaluate(&examples, 0.8);
    println!(
        "held-out demo cases (trained on the oldest {}, judged on the newest {}; {:.1} s):",
        e.trained_on,
        e.category.n,
        t.elapsed().as_secs_f64()
    );
    line("category from the text", &e.category);
    line("lead organisation from text and place", &e.org);
    if let Some(path) = messages {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let table = shiyu_tabular::csv::read_csv(&bytes).map_err(|e| anyhow::anyhow!("{}", e.message_en()))?;
        let (Some(label), Some(text)) = (table.column("label"), table.column("text")) else {
            anyhow::bail!("{}: needs `label` and `text` columns", path.display());
        };
        let rows: Vec<(String, String)> =
            table.rows.iter().map(|r| (r.get(text).to_owned(), r.get(label).to_owned())).collect();
        let mut pairs = Vec::new();
        let mut commonest = std::collections::HashMap::<&str, usize>::new();
        for (_, l) in &rows {
            *commonest.entry(l.as_str()).or_insert(0) += 1;
        }
        let top = commonest.into_iter().max_by_key(|(_, n)| *n).map(|(l, _)| l.to_owned()).unwrap_or_default();
        let t = Instant::now();
        for fold in 0..5 {
            let train =
                rows.iter().enumerate().filter(|(i, _)| i % 5 != fold).map(|(_, (t, l))| (t.as_str(), l.as_str()));
            let model = TextModel::train(train, 2);
            for (_, (t, l)) in rows.iter().enumerate().filter(|(i, _)| i % 5 == fold) {
                pairs.push((l.clone(), model.predict(t)));
            }
        }
        println!("{} (5-fold cross-validation; {:.1} s):", path.display(), t.elapsed().as_secs_f64());
        line("category from the text", &accuracy(&pairs, &top));
    }
    // What one proposal costs at intake, on the trained router.
    let router = shiyu_domain::routing::Router::train(&examples);
    let probe: Vec<&Example> = examples.iter().rev().take(2000).collect();
    let t = Instant::now();
    for e in &probe {
        black_box(router.propose(&e.text, &e.area, None, &[], 3));
    }
    println!(
        "one proposal (category + organisations): {:.0} µs on average over {}",
        t.elapsed().as_secs_f64() * 1e6 / probe.len().max(1) as f64,
        probe.len()
    );
    Ok(())
}
