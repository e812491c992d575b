//! Chinese full-text search over `SHIYU_BENCH_SEARCH_DOCS` generated cases (default 10,000,000):
//! the demo's topic texts filled with places of a demo-like city, spread over three years in every
//! state (`shiyu::demo::search_texts`). The index is built once into
//! `~/.cache/shiyu-bench/search-{N}/` (`SHIYU_BENCH_DIR` moves the root) in chunks of 100,000,
//! each committed with its chunk number, so an interrupted build resumes; a `complete` file marks
//! it done. Then a mix of typical questions is asked under typical scopes (the city centre, a
//! district, a street, a department, with state and date filters): each question's latency is
//! recorded and the 50th, 95th and 99th percentiles printed beside Criterion's estimate.
//!
//! Run: `cargo bench -p shiyu --bench search` (`SHIYU_BENCH_SEARCH_DOCS=1000000` for a smaller one).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use shiyu::demo::search_texts::{CITY, TextGen, departments, district, street};
use shiyu_domain::area::AreaCode;
use shiyu_domain::scope::Scope;
use shiyu_search::{Progress, RebuildCursor, SearchIndex, SearchRequest, Visible, WriterOptions};

const CHUNK: u64 = 100_000;

fn docs() -> u64 {
    std::env::var("SHIYU_BENCH_SEARCH_DOCS").ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(10_000_000)
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).expect("code")
}

/// The index folder, built (or finished) when not marked complete.
fn build(n: u64) -> (PathBuf, SearchIndex) {
    let root = std::env::var_os("SHIYU_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into())).join(".cache/shiyu-bench")
    });
    let dir = root.join(format!("search-{n}"));
    let done = dir.join("complete");
    let opts = WriterOptions { threads: 2, heap_bytes: 1 << 30 };
    let ix = SearchIndex::open(&dir.join("index"), opts).expect("open index");
    if done.exists() {
        return (dir, ix);
    }
    // The end of the three years is fixed per index, so resumed chunks agree with earlier ones.
    let now_file = dir.join("now");
    let now = std::fs::read_to_string(&now_file)
        .ok()
        .and_then(|s| s.trim().parse::<chrono::DateTime<Utc>>().ok())
        .unwrap_or_else(|| {
            let now = Utc::now();
            std::fs::write(&now_file, now.to_rfc3339()).expect("now");
            now
        });
    let p = ix.progress();
    let mut chunk: u64 =
        p.rebuild.as_ref().and_then(|r| r.cases_after.as_deref()).and_then(|c| c.parse().ok()).unwrap_or(0);
    let started = Instant::now();
    let first = chunk;
    let chunks = n.div_ceil(CHUNK);
    while chunk < chunks {
        let mut g = TextGen::new(chunk, now);
        let from = chunk * CHUNK;
        let to = (from + CHUNK).min(n);
        let mut batch = Vec::with_capacity(1000);
        for i in from..to {
            batch.push(g.case(i).expect("case"));
            if batch.len() == 1000 {
                ix.add_new(&batch).expect("add");
                batch.clear();
            }
        }
        ix.add_new(&batch).expect("add");
        chunk += 1;
        let cursor = RebuildCursor { cases_after: Some(chunk.to_string()), ..RebuildCursor::default() };
        ix.commit(&Progress {
            schema: shiyu_search::schema::SCHEMA_VERSION,
            mark: None,
            rebuild: Some(cursor),
            built: false,
        })
        .expect("commit");
        let rate = ((chunk - first) * CHUNK) as f64 / started.elapsed().as_secs_f64();
        eprintln!("search bench: {} of {n} documents indexed ({rate:.0}/s)", (chunk * CHUNK).min(n));
    }
    ix.commit(&Progress { schema: shiyu_search::schema::SCHEMA_VERSION, mark: None, rebuild: None, built: true })
        .expect("commit");
    std::fs::write(&done, format!("{n} documents, last part built in {:.0} s\n", started.elapsed().as_secs_f64()))
        .expect("marker");
    (dir, ix)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn folder_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => folder_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The question mix: words people type, under the scopes people have.
fn mix() -> Vec<(String, SearchRequest, Visible)> {
    let depts = departments();
    let city = Visible { cases: Some(Scope::Subtree(code(CITY))), disputes: Some(code(CITY)) };
    let district2 = Visible { cases: Some(Scope::Subtree(code(&district(2)))), disputes: Some(code(&district(2))) };
    let street = Visible { cases: Some(Scope::Subtree(code(&street(3, 2)))), disputes: Some(code(&street(3, 2))) };
    let dept = Visible {
        cases: Some(Scope::Organisation(shiyu_domain::ids::OrgId::parse(&depts[7]).expect("org"))),
        disputes: None,
    };
    let now = Utc::now();
    let ask = |text: &str| SearchRequest { text: text.to_owned(), limit: 20, ..SearchRequest::default() };
    let mut out = Vec::new();
    for (label, v) in [("city", &city), ("district", &district2), ("street", &street), ("department", &dept)] {
        for text in
            ["路灯", "下水道堵塞", "噪音扰民", "占道经营", "电动车 充电", "物业 维修", "垃圾", "漏水", "油烟", "停车"]
        {
            out.push((format!("{label}: {text}"), ask(text), v.clone()));
        }
        out.push((
            format!("{label}: 路灯, open, last 30 days"),
            SearchRequest {
                states: vec!["accepted".into(), "dispatched".into(), "in_progress".into()],
                from: Some(now - TimeDelta::days(30)),
                ..ask("路灯")
            },
            v.clone(),
        ));
        out.push((format!("{label}: 积水, page 3"), SearchRequest { offset: 40, ..ask("积水") }, v.clone()));
        out.push((
            format!("{label}: newest, no words"),
            SearchRequest { from: Some(now - TimeDelta::days(7)), ..ask("") },
            v.clone(),
        ));
    }
    out
}

fn bench(c: &mut Criterion) {
    let n = docs();
    let (dir, ix) = build(n);
    let size = folder_bytes(&dir);
    let questions = mix();
    // Warm the page cache and the readers once.
    for (_, r, v) in &questions {
        ix.search(r, v).expect("search");
    }
    let mut all = Vec::new();
    let mut worst: Vec<(f64, String, usize)> = Vec::new();
    for _ in 0..5 {
        for (label, r, v) in &questions {
            let t = Instant::now();
            let res = ix.search(r, v).expect("search");
            let d = t.elapsed();
            all.push(d);
            worst.push((d.as_secs_f64() * 1e3, label.clone(), res.total));
        }
    }
    all.sort();
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    eprintln!(
        "search over {n} cases ({:.2} GB index, {} segments): {} questions, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        size as f64 / 1e9,
        ix.segment_count().unwrap_or(0),
        all.len(),
        percentile(&all, 0.50),
        percentile(&all, 0.95),
        percentile(&all, 0.99)
    );
    for (ms, label, total) in worst.iter().take(5) {
        eprintln!("  slowest: {ms:.2} ms  {label} ({total} hits)");
    }
    let mut g = c.benchmark_group("search");
    g.sample_size(20);
    let pick = |label: &str| questions.iter().find(|(l, _, _)| l == label).cloned().expect("question");
    for label in ["city: 路灯", "street: 下水道堵塞", "department: 噪音扰民", "city: 路灯, open, last 30 days"]
    {
        let (_, r, v) = pick(label);
        g.bench_function(label, |b| b.iter(|| ix.search(&r, &v).expect("search")));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
