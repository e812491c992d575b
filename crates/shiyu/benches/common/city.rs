//! The ten-million-case bench city, shared by the benches that read it: the demo's geography with
//! `SHIYU_BENCH_CASES` lives (default 10,000,000) over three years, built once by
//! `shiyu::demo::scale` into `SHIYU_BENCH_DIR` (default `~/.cache/shiyu-bench`) and reused while it
//! is complete.

/// Lives in the city.
pub fn cases() -> u64 {
    shiyu::bench::scale::cases()
}

/// The city's folder, built when it is missing or was left unfinished.
pub async fn city(cases: u64) -> std::path::PathBuf {
    shiyu::bench::scale::city(cases).await.expect("the bench city")
}
