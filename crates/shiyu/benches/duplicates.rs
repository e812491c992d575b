//! What the duplicate check adds to intake over the ten-million-case bench city (SQLite): for a
//! new report, the street's cases of the last 14 days are read (at most 500, newest first) and each
//! is judged by place, time and words (`shiyu_domain::duplicates`). The probes are the texts and
//! places of the city's own recent cases. Prints p50/p95/p99 beside Criterion's estimate.
//!
//! Run: `cargo bench -p shiyu --bench duplicates` (builds the city first if `board` has not).

use std::time::Instant;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use shiyu_domain::duplicates::{CLOSE_DAYS, Probe, judge_case};

#[path = "common/city.rs"]
mod city;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let dir = rt.block_on(city::city(city::cases()));
    let store = rt.block_on(async {
        shiyu::app::open_store(&shiyu::app::default_database_url(&dir), &dir).await.expect("open the city")
    });
    let now = Utc::now();
    let since = now - chrono::Duration::days(CLOSE_DAYS);
    // Probes: recent cases of every street, as if reported again.
    let probes = rt.block_on(async {
        let city_area = shiyu_domain::area::AreaCode::parse(&format!(
            "{}00000000",
            store.default_city().await.expect("city").as_str()
        ))
        .expect("city code");
        store.duplicate_candidates(&city_area, since, 400).await.expect("probes")
    });
    assert!(!probes.is_empty(), "the bench city has recent cases");
    let mut times = Vec::new();
    let mut i = 0usize;
    let mut looked = 0usize;
    c.bench_function("duplicate_check_10m", |b| {
        b.iter(|| {
            let t = Instant::now();
            let (n, _) = rt.block_on(check(&store, &probes[i % probes.len()], since, now));
            times.push(t.elapsed());
            looked += n;
            i += 1;
        })
    });
    times.sort();
    let pct = |p: f64| {
        let k = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[k].as_secs_f64() * 1e3
    };
    println!(
        "\nDuplicate check per intake over {} cases (SQLite, warm): n={} p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms; {:.0} candidates judged on average",
        city::cases(),
        times.len(),
        pct(0.5),
        pct(0.95),
        pct(0.99),
        looked as f64 / times.len().max(1) as f64
    );
}

/// One duplicate check for a report like `p`: the street's recent cases, each judged.
async fn check(
    store: &shiyu_storage::Store,
    p: &shiyu_domain::case::CaseSnapshot,
    since: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
) -> (usize, usize) {
    let text = format!("{} {}", p.title, p.text);
    let probe =
        Probe { text: &text, point: p.location, area: p.area.as_str(), category: Some(p.category.as_str()), at: now };
    let candidates = store.duplicate_candidates(&p.area, since, 500).await.expect("candidates");
    let found = candidates.iter().filter(|c| judge_case(&probe, c).is_some()).count();
    (candidates.len(), found)
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
