//! The data the scale measurements share, built once into `SHIYU_BENCH_DIR` (default
//! `~/.cache/shiyu-bench`) and reused while complete: the city of `SHIYU_BENCH_CASES` lives
//! (default 10,000,000) over three years built by `demo::scale`, and a search index of as many
//! generated cases. Used by `shiyu bench city` and by the Criterion benches.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{TimeDelta, Utc};
use shiyu_domain::area::AreaCode;
use shiyu_domain::scope::Scope;
use shiyu_search::{Progress, RebuildCursor, SearchIndex, SearchRequest, Visible, WriterOptions};

use crate::demo::search_texts::{CITY, TextGen, departments, district, street};

/// Documents the search index is built in, per commit.
const CHUNK: u64 = 100_000;

/// The bench folder.
pub fn root() -> PathBuf {
    std::env::var_os("SHIYU_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into())).join(".cache/shiyu-bench")
    })
}

fn code(s: &str) -> anyhow::Result<AreaCode> {
    AreaCode::parse(s).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Lives in the city.
pub fn cases() -> u64 {
    std::env::var("SHIYU_BENCH_CASES").ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(10_000_000)
}

/// The city's folder, built when it is missing or was left unfinished.
pub async fn city(cases: u64) -> anyhow::Result<PathBuf> {
    let dir = root().join(format!("city-{cases}"));
    let done = dir.join("complete");
    if done.exists() {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let url = crate::app::default_database_url(&dir);
    let store = crate::app::open_store(&url, &dir).await?;
    let started = Instant::now();
    let all_rows = std::env::var_os("SHIYU_BENCH_ALL_ROWS").is_some();
    let r = crate::demo::scale::build(&store, cases, 3, all_rows, &mut std::io::stderr()).await?;
    store.close().await;
    std::fs::write(&done, format!("{r:?} in {:.0} s\n", started.elapsed().as_secs_f64()))?;
    Ok(dir)
}

/// The search index of `n` generated cases, built once into the bench folder (resumable) and
/// reused while complete.
pub fn search_index(n: u64) -> anyhow::Result<(PathBuf, SearchIndex)> {
    let dir = root().join(format!("search-{n}"));
    let done = dir.join("complete");
    let opts = WriterOptions { threads: 2, heap_bytes: 1 << 30 };
    let ix = SearchIndex::open(&dir.join("index"), opts)?;
    if done.exists() {
        return Ok((dir, ix));
    }
    // The end of the three years is fixed per index, so resumed chunks agree with earlier ones.
    let now_file = dir.join("now");
    let now = std::fs::read_to_string(&now_file)
        .ok()
        .and_then(|s| s.trim().parse::<chrono::DateTime<Utc>>().ok())
        .unwrap_or_else(|| {
            let now = Utc::now();
            let _ = std::fs::write(&now_file, now.to_rfc3339());
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
            batch.push(g.case(i)?);
            if batch.len() == 1000 {
                ix.add_new(&batch)?;
                batch.clear();
            }
        }
        ix.add_new(&batch)?;
        chunk += 1;
        let cursor = RebuildCursor { cases_after: Some(chunk.to_string()), ..RebuildCursor::default() };
        ix.commit(&Progress {
            schema: shiyu_search::schema::SCHEMA_VERSION,
            mark: None,
            rebuild: Some(cursor),
            built: false,
        })?;
        let rate = ((chunk - first) * CHUNK) as f64 / started.elapsed().as_secs_f64();
        eprintln!("search bench: {} of {n} documents indexed ({rate:.0}/s)", (chunk * CHUNK).min(n));
    }
    ix.commit(&Progress { schema: shiyu_search::schema::SCHEMA_VERSION, mark: None, rebuild: None, built: true })?;
    std::fs::write(&done, format!("{n} documents, last part built in {:.0} s\n", started.elapsed().as_secs_f64()))?;
    Ok((dir, ix))
}

/// Bytes under a folder.
pub fn folder_bytes(dir: &std::path::Path) -> u64 {
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
/// Questions of every scope: words, filters, paging and no words.
pub fn search_mix() -> anyhow::Result<Vec<(String, SearchRequest, Visible)>> {
    let depts = departments();
    let city = Visible { cases: Some(Scope::Subtree(code(CITY)?)), disputes: Some(code(CITY)?) };
    let district2 = Visible { cases: Some(Scope::Subtree(code(&district(2))?)), disputes: Some(code(&district(2))?) };
    let street = Visible { cases: Some(Scope::Subtree(code(&street(3, 2))?)), disputes: Some(code(&street(3, 2))?) };
    let dept = Visible {
        cases: Some(Scope::Organisation(
            shiyu_domain::ids::OrgId::parse(&depts[7]).map_err(|e| anyhow::anyhow!("{e}"))?,
        )),
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
    Ok(out)
}
