//! Point-to-grid assignment over a city of 60,000 grid polygons (DESIGN §11).
//!
//! `cargo bench -p shiyu-geo --bench locate`. Criterion reports lookups per second as
//! "thrpt … elem/s": each iteration locates every point of a precomputed list of random points
//! over the city's extent (where almost every point falls inside some grid).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shiyu_geo::{GridIndex, PointIndex, synth};

const GRIDS: usize = 60_000;
const POINTS: usize = 100_000;

fn locate(c: &mut Criterion) {
    let extent = synth::city_extent();
    let grids = synth::city_grids(GRIDS, extent, 2026);
    let vertices: usize = grids.iter().map(|(_, p)| p.0[0].exterior().0.len() - 1).sum();
    let index = GridIndex::new(grids).unwrap_or_else(|e| panic!("synthetic grids: {e}"));
    let points = synth::random_points(POINTS, extent, 11);
    let inside = points.iter().filter(|(x, y)| index.locate(*x, *y).code().is_some()).count();
    eprintln!(
        "{} grids, {:.1} vertices per grid on average, {inside} of {POINTS} points inside a grid",
        index.len(),
        vertices as f64 / GRIDS as f64
    );

    let mut group = c.benchmark_group("locate");
    group.throughput(Throughput::Elements(POINTS as u64));
    group.bench_function("60k_grids", |b| {
        b.iter(|| {
            let mut found = 0usize;
            for &(x, y) in &points {
                found += usize::from(black_box(index.locate(black_box(x), black_box(y))).code().is_some());
            }
            found
        })
    });
    group.finish();

    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    let grids = synth::city_grids(GRIDS, extent, 2026);
    group.bench_function("60k_grids", |b| b.iter(|| GridIndex::new(grids.clone()).map(|i| i.len())));
    group.finish();

    // 200,000 cameras over the city; the 5 nearest within 500 m of each point.
    let cameras = synth::random_points(200_000, extent, 5);
    let cams = PointIndex::new(cameras.iter().enumerate().map(|(i, &(x, y))| (x, y, i)))
        .unwrap_or_else(|e| panic!("synthetic cameras: {e}"));
    let queries = &points[..10_000];
    let mut group = c.benchmark_group("nearest");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("5_of_200k_cameras_within_500m", |b| {
        b.iter(|| queries.iter().map(|&(x, y)| cams.nearest(x, y, 5, 500.0).len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, locate);
criterion_main!(benches);
