//! Criterion: residents imported per second through the whole path (CSV parse, every cell checked,
//! identifiers sealed and hashed, one SQLite transaction), 100,000 rows per iteration into a fresh
//! database each time. The million-row figure comes from `shiyu bench import`, which runs once:
//! ten samples of a million rows would take a quarter of an hour.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shiyu_domain::base::columns::Table;

const ROWS: usize = 100_000;

fn import(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("residents_100k_csv_sqlite", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().expect("dir");
                    let store = shiyu::app::open_store(&dir.path().join("b.db").display().to_string(), dir.path())
                        .await
                        .expect("store");
                    let (admin, grids) = shiyu::bench::bench_city(&store).await.expect("city");
                    let csv = shiyu::bench::residents_csv(ROWS, &grids).expect("csv");
                    let places = shiyu::app::places(&store).await.expect("places");
                    let t = std::time::Instant::now();
                    shiyu_http::base_import::import_file(
                        &store,
                        &places,
                        &admin.principal(),
                        Table::Residents,
                        Some("r.csv"),
                        &csv,
                    )
                    .await
                    .expect("import");
                    total += t.elapsed();
                    store.close().await;
                }
                total
            })
        });
    });
    g.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
