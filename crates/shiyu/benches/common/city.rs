//! The ten-million-case bench city, shared by the benches that read it: the demo's geography with
//! `SHIYU_BENCH_CASES` lives (default 10,000,000) over three years, built once by
//! `shiyu::demo::scale` into `SHIYU_BENCH_DIR` (default `~/.cache/shiyu-bench`) and reused while it
//! is complete.

use std::path::PathBuf;
use std::time::Instant;

/// Lives in the city.
pub fn cases() -> u64 {
    std::env::var("SHIYU_BENCH_CASES").ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(10_000_000)
}

/// The city's folder, built when it is missing or was left unfinished.
pub async fn city(cases: u64) -> PathBuf {
    let root = std::env::var_os("SHIYU_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into())).join(".cache/shiyu-bench")
    });
    let dir = root.join(format!("city-{cases}"));
    let done = dir.join("complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench folder");
    let url = shiyu::app::default_database_url(&dir);
    let store = shiyu::app::open_store(&url, &dir).await.expect("open store");
    let started = Instant::now();
    let all_rows = std::env::var_os("SHIYU_BENCH_ALL_ROWS").is_some();
    let r =
        shiyu::demo::scale::build(&store, cases, 3, all_rows, &mut std::io::stderr()).await.expect("build the city");
    store.close().await;
    std::fs::write(&done, format!("{r:?} in {:.0} s\n", started.elapsed().as_secs_f64())).expect("marker");
    dir
}
