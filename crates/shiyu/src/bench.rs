//! `shiyu bench`: measurements too large for a Criterion loop, run once on generated data and
//! printed with what was measured. `locate`: point-to-grid lookups per second on one core over a
//! generated tiling of grids. `import`: residents per second through the whole import path (CSV
//! parse, every cell checked, identity numbers sealed and hashed, one transaction) into a fresh
//! database.

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

/// Point-to-grid lookups over `n` generated grids.
pub fn locate(n: usize) -> anyhow::Result<()> {
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
    println!("grids: {} ({} vertices), index built in {:.1} ms", index.len(), vertices, build.as_secs_f64() * 1e3);
    println!(
        "lookups: {} on one core in {:.2} s = {:.0} lookups/s ({:.0} ns each; {:.1}% inside a grid)",
        lookups,
        secs,
        lookups / secs,
        secs / lookups * 1e9,
        inside as f64 / lookups * 100.0
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
