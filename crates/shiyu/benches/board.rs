//! The centre's board and the periodic reports over a generated city of ten million cases on
//! SQLite, through the HTTP server end to end (signed in as the city centre's operator): each
//! request's latency is recorded and its 50th, 95th and 99th percentiles printed beside
//! Criterion's estimate. The city is the demo's (5 districts, 18 streets, 252 grids, its
//! organisations and accounts) with `SHIYU_BENCH_CASES` lives (default 10,000,000) over three
//! years, built once by `shiyu::demo::scale` into `SHIYU_BENCH_DIR` (default
//! `~/.cache/shiyu-bench`) and reused while it is complete. Every life's counter cells are
//! written; case rows only for the cases open today unless `SHIYU_BENCH_ALL_ROWS` is set (the
//! board's live counts read only open cases; all rows at ten million cases need some 45 GB).
//!
//! Run: `cargo bench -p shiyu --bench board`

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/city.rs"]
mod city;
use city::{cases, city};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let cases = cases();
    let dir = rt.block_on(city(cases));
    let (running, http, base) = rt.block_on(async {
        let url = shiyu::app::default_database_url(&dir);
        let store = shiyu::app::open_store(&url, &dir).await.expect("open store");
        let running = shiyu::app::start(store, dir.clone(), "127.0.0.1:0", |c| {
            c.report_schedule = false;
            c.login_burst = 1000;
        })
        .await
        .expect("start server");
        let base = format!("http://{}", running.addr);
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let res = http
            .post(format!("{base}/api/login"))
            .json(&serde_json::json!({"username": "city_operator", "password": shiyu::demo::DEMO_PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 200, "login");
        (running, http, base)
    });
    let today = shiyu_domain::time::local_date(Utc::now());
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("month");
    let last_month = this_month - Months::new(1);
    let last_year = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).expect("year");
    let pages = [
        ("board_city", "/board".to_owned()),
        ("board_district", "/board?area=439902000000".to_owned()),
        ("board_screen_city", "/board/screen".to_owned()),
        ("board_grid", "/board?area=439902001001001".to_owned()),
        ("report_month_city_html", format!("/reports/view?kind=monthly&start={last_month}")),
        ("report_month_city_xlsx", format!("/reports/view?kind=monthly&start={last_month}&format=xlsx")),
        ("report_month_city_pdf", format!("/reports/view?kind=monthly&start={last_month}&format=pdf")),
        ("report_year_city_html", format!("/reports/view?kind=annual&start={last_year}")),
    ];
    let mut g = c.benchmark_group(format!("board_sqlite_{cases}_cases"));
    g.sample_size(30);
    g.measurement_time(Duration::from_secs(10));
    let mut lines = Vec::new();
    for (name, path) in pages {
        let url = format!("{base}{path}");
        let seen = Arc::new(Mutex::new(Vec::new()));
        g.bench_function(name, |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (http, url, seen) = (http.clone(), url.clone(), seen.clone());
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let t = Instant::now();
                        let res = http.get(&url).send().await.expect("request");
                        assert_eq!(res.status(), 200, "{url}");
                        let body = res.bytes().await.expect("body");
                        assert!(!body.is_empty());
                        let d = t.elapsed();
                        total += d;
                        seen.lock().expect("samples").push(d);
                    }
                    total
                }
            })
        });
        let mut all = seen.lock().expect("samples").clone();
        if all.is_empty() {
            // Filtered out on the command line.
            continue;
        }
        all.sort_unstable();
        lines.push(format!(
            "{name:<24} n={:<5} p50 {:>8.1} ms  p95 {:>8.1} ms  p99 {:>8.1} ms",
            all.len(),
            percentile(&all, 0.50),
            percentile(&all, 0.95),
            percentile(&all, 0.99)
        ));
    }
    g.finish();
    println!("\nLatency per request over {cases} cases (HTTP end to end, SQLite, warm):");
    for l in lines {
        println!("  {l}");
    }
    drop(running);
}

criterion_group!(benches, bench);
criterion_main!(benches);
