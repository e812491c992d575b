//! A synthetic city of grid polygons, for benches, property tests and the demo.
//!
//! The tiling is a lattice of cells whose corners are jittered and whose edges carry one to four
//! extra vertices pushed a little to either side, so each grid is an irregular polygon of 8 to 20
//! vertices, like hand-drawn grids. Neighbouring grids share their edges vertex for vertex
//! (computed once per edge), so the tiling has no gaps and no overlaps, and the outer boundary is
//! the extent's rectangle. Everything is deterministic in the seed.

use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};
use shiyu_domain::area::AreaCode;

/// A city-sized extent: 116.0–117.0 E, 39.5–40.5 N (about 85 km × 111 km).
pub fn city_extent() -> Rect<f64> {
    Rect::new(Coord { x: 116.0, y: 39.5 }, Coord { x: 117.0, y: 40.5 })
}

/// The code of the `i`-th synthetic grid: city 3201, 20 grids per community, 30 communities per
/// street, 40 streets per district, 99 districts (codes repeat after 2,376,000 grids).
pub fn grid_code(i: usize) -> AreaCode {
    let district = 1 + (i / 24_000) % 99;
    let street = 1 + (i / 600) % 40;
    let community = 1 + (i / 20) % 30;
    let grid = 1 + i % 20;
    let text = format!("3201{district:02}{street:03}{community:03}{grid:03}");
    // Every part is non-zero and has its width, so the code is well formed.
    AreaCode::parse(&text).unwrap_or_else(|_| unreachable!())
}

/// `n` grids (exactly) tiling `extent`, as `cols × rows` with the most nearly square factoring of
/// `n` (a prime `n` gives one row).
pub fn city_grids(n: usize, extent: Rect<f64>, seed: u64) -> Vec<(AreaCode, MultiPolygon<f64>)> {
    let root = (n as f64).sqrt() as usize;
    let rows = (1..=root.max(1)).rev().find(|r| n.is_multiple_of(*r)).unwrap_or(1);
    tiling(n / rows, rows, extent, seed)
}

/// A `cols × rows` tiling of `extent`; grid `i` is row `i / cols`, column `i % cols`, counted
/// from the south-west, with code [`grid_code`]`(i)`.
pub fn tiling(cols: usize, rows: usize, extent: Rect<f64>, seed: u64) -> Vec<(AreaCode, MultiPolygon<f64>)> {
    let mut rng = SplitMix(seed);
    let (dx, dy) = (extent.width() / cols as f64, extent.height() / rows as f64);
    let (x0, y0) = (extent.min().x, extent.min().y);
    // Corner (i, j) for i in 0..=cols, j in 0..=rows. Border corners only slide along the border,
    // so the outer boundary stays the extent's rectangle.
    let mut corners = Vec::with_capacity((cols + 1) * (rows + 1));
    for j in 0..=rows {
        for i in 0..=cols {
            let jx = if i == 0 || i == cols { 0.0 } else { rng.signed() * 0.15 * dx };
            let jy = if j == 0 || j == rows { 0.0 } else { rng.signed() * 0.15 * dy };
            let x = if i == cols { extent.max().x } else { x0 + i as f64 * dx + jx };
            let y = if j == rows { extent.max().y } else { y0 + j as f64 * dy + jy };
            corners.push(Coord { x, y });
        }
    }
    let corner = |i: usize, j: usize| corners[j * (cols + 1) + i];
    // Extra vertices of each edge, from its lower corner to its upper (west→east, south→north).
    // A border edge gets no sideways push.
    let mut edge = |a: Coord<f64>, b: Coord<f64>, push: Coord<f64>| {
        let n = 1 + rng.below(4);
        (1..=n)
            .map(|k| {
                let t = k as f64 / (n + 1) as f64;
                let s = rng.signed();
                Coord { x: a.x + (b.x - a.x) * t + s * push.x, y: a.y + (b.y - a.y) * t + s * push.y }
            })
            .collect::<Vec<_>>()
    };
    let mut horizontal = Vec::with_capacity(cols * (rows + 1));
    for j in 0..=rows {
        for i in 0..cols {
            let push = if j == 0 || j == rows { 0.0 } else { 0.05 * dy };
            horizontal.push(edge(corner(i, j), corner(i + 1, j), Coord { x: 0.0, y: push }));
        }
    }
    let mut vertical = Vec::with_capacity((cols + 1) * rows);
    for j in 0..rows {
        for i in 0..=cols {
            let push = if i == 0 || i == cols { 0.0 } else { 0.05 * dx };
            vertical.push(edge(corner(i, j), corner(i, j + 1), Coord { x: push, y: 0.0 }));
        }
    }
    let mut out = Vec::with_capacity(cols * rows);
    for j in 0..rows {
        for i in 0..cols {
            // Counter-clockwise: south edge eastwards, east edge northwards, north edge
            // westwards, west edge southwards.
            let mut ring = vec![corner(i, j)];
            ring.extend(&horizontal[j * cols + i]);
            ring.push(corner(i + 1, j));
            ring.extend(&vertical[j * (cols + 1) + i + 1]);
            ring.push(corner(i + 1, j + 1));
            ring.extend(horizontal[(j + 1) * cols + i].iter().rev());
            ring.push(corner(i, j + 1));
            ring.extend(vertical[j * (cols + 1) + i].iter().rev());
            ring.push(corner(i, j));
            let polygon = Polygon::new(LineString(ring), Vec::new());
            out.push((grid_code(j * cols + i), MultiPolygon(vec![polygon])));
        }
    }
    out
}

/// `n` points spread uniformly over `extent`, as `(lon, lat)`.
pub fn random_points(n: usize, extent: Rect<f64>, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = SplitMix(seed ^ 0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| (extent.min().x + rng.unit() * extent.width(), extent.min().y + rng.unit() * extent.height()))
        .collect()
}

/// SplitMix64: tiny, fast, and good enough for jitter; no dependency needed for it.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [-1, 1).
    fn signed(&mut self) -> f64 {
        self.unit() * 2.0 - 1.0
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
}

#[cfg(test)]
mod tests {
    use geo::{Area, Validation};

    use super::*;

    #[test]
    fn tiles_are_valid_polygons_of_8_to_20_vertices_that_cover_the_extent() {
        for seed in 0..5 {
            let grids = tiling(17, 13, city_extent(), seed);
            assert_eq!(grids.len(), 17 * 13);
            let mut total = 0.0;
            for (code, poly) in &grids {
                assert!(poly.is_valid(), "{code}: {:?}", poly.validation_errors());
                let vertices = poly.0[0].exterior().0.len() - 1;
                assert!((8..=20).contains(&vertices), "{code}: {vertices} vertices");
                total += poly.unsigned_area();
            }
            let extent = city_extent().width() * city_extent().height();
            assert!((total - extent).abs() < 1e-9 * extent, "tiles cover {total}, extent is {extent}");
        }
    }

    #[test]
    fn city_grids_gives_exactly_n_with_distinct_codes() {
        let grids = city_grids(600, city_extent(), 1);
        assert_eq!(grids.len(), 600);
        let mut codes: Vec<_> = grids.iter().map(|(c, _)| c.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 600);
        assert_eq!(grid_code(59_999).to_string(), "320103020030020");
    }
}
