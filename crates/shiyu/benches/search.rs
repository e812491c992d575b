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

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

fn docs() -> u64 {
    std::env::var("SHIYU_BENCH_SEARCH_DOCS").ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(10_000_000)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn bench(c: &mut Criterion) {
    let n = docs();
    let (dir, ix) = shiyu::bench::scale::search_index(n).expect("search index");
    let size = shiyu::bench::scale::folder_bytes(&dir);
    let questions = shiyu::bench::scale::search_mix().expect("questions");
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
