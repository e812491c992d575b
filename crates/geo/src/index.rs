//! Finding the grid a coordinate lies in, and the assets nearest to a place.
//!
//! [`GridIndex`] answers "which grid is this case in" for tens of thousands of grid polygons: an
//! R-tree over the polygons' bounding boxes narrows the search to the few grids whose box holds
//! the point, then an exact point-in-polygon test over flat precomputed vertex lists decides. The test uses
//! Shewchuk's robust orientation predicate, so "on the boundary" is decided exactly on the stored
//! coordinates rather than within a rounding tolerance; that is what makes the border rule below
//! hold for points that lie exactly on a shared edge.
//!
//! [`PointIndex`] holds point assets (cameras): nearest-first search within a distance in metres.

use std::ops::ControlFlow;

use geo::{BoundingRect, CoordsIter, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use shiyu_domain::area::AreaCode;

use crate::GeoError;
use crate::crs::{EARTH_RADIUS_M, distance_m};

/// Where a coordinate fell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locate<'a> {
    /// In this grid (see [`GridIndex`] for which one when the point is on a shared border).
    Inside(&'a AreaCode),
    /// In no grid. The caller keeps the item and flags it for the centre to place by hand.
    Outside,
}

impl<'a> Locate<'a> {
    /// The grid's code, if the point is in one.
    pub fn code(self) -> Option<&'a AreaCode> {
        match self {
            Locate::Inside(code) => Some(code),
            Locate::Outside => None,
        }
    }
}

/// Separates the rings of a grid in the flat vertex list. The two edges touching it have a NaN
/// end, which the y-range test in `classify` skips.
const RING_BREAK: [f64; 2] = [f64::NAN, f64::NAN];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Exterior,
    Boundary,
    Interior,
}

/// A grid as its R-tree box refers to it: its rank (position in `codes`) and the range of its
/// vertices.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Grid {
    rank: u32,
    start: u32,
    end: u32,
}

/// R-tree node size for grid boxes. Wider nodes than rstar's default (6) make the tree
/// shallower: a lookup chases fewer pointers, and scanning a node's contiguous boxes is cheap.
#[derive(Debug, Clone, Copy)]
struct WideNodes;

impl rstar::RTreeParams for WideNodes {
    const MIN_SIZE: usize = 8;
    const MAX_SIZE: usize = 16;
    const REINSERTION_COUNT: usize = 4;
    type DefaultInsertionStrategy = rstar::RStarInsertionStrategy;
}

/// The grid polygons of a city, for point-to-grid assignment.
///
/// # Border rule
///
/// A point is assigned as follows, whatever order the grids were given in:
/// 1. if it lies in the interior of a grid polygon, it goes to that grid (in a clean tiling there
///    is exactly one; should overlapping grids have slipped through the import checks, the one
///    with the lowest code among those whose interior holds the point);
/// 2. otherwise, if it lies on the boundary of one or more grids (an edge shared by two grids,
///    or a vertex shared by several), it goes to the grid with the **lowest code** (in the
///    codes' string order, which for same-length codes is numeric order) among those whose
///    closed polygon contains it;
/// 3. otherwise it is [`Locate::Outside`].
///
/// "On the boundary" is decided exactly on the stored `f64` coordinates (robust orientation
/// test), so a point that is on a shared edge is seen on it from both sides.
#[derive(Debug, Clone)]
pub struct GridIndex {
    // Each box carries its grid's rank and vertex range, so a candidate costs no extra lookup.
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, Grid>, WideNodes>,
    // Grids sorted by code: a grid's rank is its position here, so "lowest code" is "lowest
    // rank" and ties need no string comparison at lookup time.
    codes: Vec<AreaCode>,
    // Every grid's closed rings one after the other, separated by RING_BREAK: half the memory
    // of an edge list, so more of a city's grids stay in cache.
    vertices: Vec<[f64; 2]>,
}

impl GridIndex {
    /// Builds the index. Grids with an empty polygon are left out (they contain no point); a
    /// polygon with a NaN or infinite coordinate is refused, naming its grid.
    pub fn new(grids: impl IntoIterator<Item = (AreaCode, MultiPolygon<f64>)>) -> Result<Self, GeoError> {
        let mut grids: Vec<(AreaCode, MultiPolygon<f64>)> = grids.into_iter().collect();
        grids.sort_by(|a, b| a.0.cmp(&b.0));
        let mut codes = Vec::with_capacity(grids.len());
        let mut vertices = Vec::new();
        let mut boxes = Vec::with_capacity(grids.len());
        for (code, polygon) in grids {
            let Some(rect) = polygon.bounding_rect() else { continue };
            // Checked per coordinate: a bounding box skips NaN silently.
            if !polygon.coords_iter().all(|c| c.x.is_finite() && c.y.is_finite()) {
                return Err(GeoError::BadCoordinate(format!("grid {code}")));
            }
            let rank = u32::try_from(codes.len()).map_err(|_| GeoError::Geometry("too many grids".into()))?;
            let start = vertices.len();
            for (r, ring) in
                polygon.iter().flat_map(|part| std::iter::once(part.exterior()).chain(part.interiors())).enumerate()
            {
                if r > 0 {
                    vertices.push(RING_BREAK);
                }
                // geo rings are closed (last == first), so consecutive vertices are the edges.
                vertices.extend(ring.coords().map(|c| [c.x, c.y]));
            }
            let span = (u32::try_from(start), u32::try_from(vertices.len()));
            let (Ok(s), Ok(e)) = span else { return Err(GeoError::Geometry("too many polygon edges".into())) };
            codes.push(code);
            let envelope = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
            boxes.push(GeomWithData::new(Rectangle::from_aabb(envelope), Grid { rank, start: s, end: e }));
        }
        Ok(Self { tree: RTree::bulk_load_with_params(boxes), codes, vertices })
    }

    /// The grid holding WGS-84 `(lon, lat)`, by the border rule above. Allocates nothing.
    pub fn locate(&self, lon: f64, lat: f64) -> Locate<'_> {
        // Best so far: (is interior, rank). Interior beats boundary; then the lower rank.
        let mut best: Option<(bool, u32)> = None;
        let _ = self.tree.locate_all_at_point_int(&[lon, lat], |leaf| {
            let Grid { rank, start, end } = leaf.data;
            let interior = match self.classify(start, end, lon, lat) {
                Position::Exterior => return ControlFlow::<()>::Continue(()),
                Position::Boundary => false,
                Position::Interior => true,
            };
            let better = match best {
                None => true,
                Some((best_interior, best_rank)) => {
                    (interior, std::cmp::Reverse(rank)) > (best_interior, std::cmp::Reverse(best_rank))
                }
            };
            if better {
                best = Some((interior, rank));
            }
            ControlFlow::Continue(())
        });
        match best.and_then(|(_, rank)| self.codes.get(rank as usize)) {
            Some(code) => Locate::Inside(code),
            None => Locate::Outside,
        }
    }

    /// How many grids are indexed.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when no grid is indexed (every point is then [`Locate::Outside`]).
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Crossing-number test with exact orientation: the ray from the point towards +x crosses
    /// the boundary an odd number of times iff the point is inside. Edges are taken half-open in
    /// y so a ray through a vertex counts once.
    fn classify(&self, start: u32, end: u32, px: f64, py: f64) -> Position {
        let Some(vertices) = self.vertices.get(start as usize..end as usize) else { return Position::Exterior };
        let mut inside = false;
        for pair in vertices.windows(2) {
            let ([ax, ay], [bx, by]) = (pair[0], pair[1]);
            let (ylo, yhi) = if ay <= by { (ay, by) } else { (by, ay) };
            // Written so that a NaN (ring break) fails it.
            if !(py >= ylo && py <= yhi) {
                continue;
            }
            let (xlo, xhi) = if ax <= bx { (ax, bx) } else { (bx, ax) };
            if px > xhi {
                continue;
            }
            let straddles = (ay <= py) != (by <= py);
            if px < xlo {
                // Entirely to the right: it cannot touch the point, and crosses the ray iff it
                // straddles the ray's line.
                inside ^= straddles;
                continue;
            }
            let o = robust::orient2d(
                robust::Coord { x: ax, y: ay },
                robust::Coord { x: bx, y: by },
                robust::Coord { x: px, y: py },
            );
            if o == 0.0 {
                // Collinear and within the edge's box: on the edge.
                return Position::Boundary;
            }
            // An upward edge crosses the ray to the right iff the point is left of it (o > 0);
            // a downward edge iff the point is right of it.
            if straddles && ((o > 0.0) == (by > ay)) {
                inside = !inside;
            }
        }
        if inside { Position::Interior } else { Position::Exterior }
    }
}

/// Point assets (e.g. cameras) for nearest-first search by distance on the Earth.
///
/// Points are kept as unit vectors in 3-D: the straight-line (chord) distance between two of them
/// grows with their great-circle distance, so the R-tree's Euclidean nearest-neighbour search is
/// an exact great-circle search, with no distortion at any latitude.
#[derive(Debug, Clone)]
pub struct PointIndex<T> {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
    items: Vec<(T, (f64, f64))>,
}

impl<T> PointIndex<T> {
    /// Builds the index from WGS-84 `(lon, lat, item)`. A NaN, infinite or out-of-range
    /// coordinate is refused, naming the item's position in the input.
    pub fn new(items: impl IntoIterator<Item = (f64, f64, T)>) -> Result<Self, GeoError> {
        let mut kept = Vec::new();
        let mut points = Vec::new();
        for (i, (lon, lat, item)) in items.into_iter().enumerate() {
            if !lon.is_finite() || !lat.is_finite() || lon.abs() > 180.0 || lat.abs() > 90.0 {
                return Err(GeoError::BadCoordinate(format!("point {i} ({lon}, {lat})")));
            }
            let id = u32::try_from(kept.len()).map_err(|_| GeoError::Geometry("too many points".into()))?;
            points.push(GeomWithData::new(unit_vector(lon, lat), id));
            kept.push((item, (lon, lat)));
        }
        Ok(Self { tree: RTree::bulk_load(points), items: kept })
    }

    /// Up to `k` items within `max_m` metres of WGS-84 `(lon, lat)`, nearest first, each with its
    /// great-circle distance in metres. Items at equal distance come in input order.
    pub fn nearest(&self, lon: f64, lat: f64, k: usize, max_m: f64) -> Vec<(&T, f64)> {
        if k == 0 || max_m.is_nan() || max_m < 0.0 || !lon.is_finite() || !lat.is_finite() {
            return Vec::new();
        }
        let angle = (max_m / EARTH_RADIUS_M).min(std::f64::consts::PI);
        let chord = 2.0 * (angle / 2.0).sin();
        // Slightly generous so rounding in the chord never drops a point that is within max_m by
        // its haversine distance, which is the figure the caller sees and the one filtered on.
        let max_chord2 = chord * chord * (1.0 + 1e-9) + 1e-18;
        let mut found: Vec<(u32, f64)> = Vec::new();
        let mut last_chord2 = 0.0;
        for (point, chord2) in self.tree.nearest_neighbor_iter_with_distance_2(&unit_vector(lon, lat)) {
            if chord2 > max_chord2 {
                break;
            }
            // Once k are found, keep taking only exact ties of the k-th so tie order is stable.
            if found.len() >= k && chord2 > last_chord2 {
                break;
            }
            last_chord2 = chord2;
            let Some((_, at)) = self.items.get(point.data as usize) else { continue };
            let metres = distance_m((lon, lat), *at);
            if metres <= max_m {
                found.push((point.data, metres));
            }
        }
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found.truncate(k);
        found
            .into_iter()
            .filter_map(|(id, metres)| self.items.get(id as usize).map(|(item, _)| (item, metres)))
            .collect()
    }

    /// How many items are indexed.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when no item is indexed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (slon, clon) = lon.to_radians().sin_cos();
    let (slat, clat) = lat.to_radians().sin_cos();
    [clat * clon, clat * slon, slat]
}

#[cfg(test)]
mod tests {
    use geo::{Contains, Intersects, Point, Polygon, Rect, polygon};
    use proptest::prelude::*;

    use super::*;
    use crate::synth;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect(s)
    }

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Rect::new((x0, y0), (x1, y1)).to_polygon()])
    }

    /// Four unit squares meeting at (1, 1), codes deliberately not in spatial order.
    fn four() -> Vec<(AreaCode, MultiPolygon<f64>)> {
        vec![
            (code("320102001002004"), square(0.0, 0.0, 1.0, 1.0)),
            (code("320102001002002"), square(1.0, 0.0, 2.0, 1.0)),
            (code("320102001002003"), square(0.0, 1.0, 1.0, 2.0)),
            (code("320102001002001"), square(1.0, 1.0, 2.0, 2.0)),
        ]
    }

    fn permutations(grids: &[(AreaCode, MultiPolygon<f64>)]) -> Vec<Vec<(AreaCode, MultiPolygon<f64>)>> {
        let n = grids.len();
        let mut out = Vec::new();
        // All rotations and their reverses: enough to change the R-tree's bulk-load input order.
        for r in 0..n {
            let mut v: Vec<_> = grids.iter().cycle().skip(r).take(n).cloned().collect();
            out.push(v.clone());
            v.reverse();
            out.push(v);
        }
        out
    }

    fn at(index: &GridIndex, lon: f64, lat: f64) -> Option<String> {
        index.locate(lon, lat).code().map(ToString::to_string)
    }

    #[test]
    fn interior_points_go_to_their_grid() {
        let index = GridIndex::new(four()).expect("index");
        assert_eq!(at(&index, 0.5, 0.5).as_deref(), Some("320102001002004"));
        assert_eq!(at(&index, 1.5, 0.5).as_deref(), Some("320102001002002"));
        assert_eq!(at(&index, 0.5, 1.5).as_deref(), Some("320102001002003"));
        assert_eq!(at(&index, 1.5, 1.5).as_deref(), Some("320102001002001"));
    }

    #[test]
    fn border_points_go_to_the_lowest_code_whatever_the_build_order() {
        for grids in permutations(&four()) {
            let index = GridIndex::new(grids).expect("index");
            // Shared vertex of all four: lowest of all four.
            assert_eq!(at(&index, 1.0, 1.0).as_deref(), Some("320102001002001"));
            // Edge shared by …004 (left-bottom) and …002 (right-bottom).
            assert_eq!(at(&index, 1.0, 0.5).as_deref(), Some("320102001002002"));
            // Edge shared by …004 and …003 (left column).
            assert_eq!(at(&index, 0.5, 1.0).as_deref(), Some("320102001002003"));
            // Edge shared by …003 and …001 (top row).
            assert_eq!(at(&index, 1.0, 1.5).as_deref(), Some("320102001002001"));
            // Outer boundary, one grid only: that grid.
            assert_eq!(at(&index, 0.0, 0.5).as_deref(), Some("320102001002004"));
            assert_eq!(at(&index, 2.0, 2.0).as_deref(), Some("320102001002001"));
        }
    }

    #[test]
    fn a_point_on_a_slanted_shared_edge_is_seen_on_it_from_both_sides() {
        // Two triangles sharing the diagonal (0,0)-(3,1); (1.5, 0.5) is exactly on it.
        let lower = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 1.0)]]);
        let upper = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 3.0, y: 1.0), (x: 0.0, y: 1.0)]]);
        for (a, b) in [("320102001002009", "320102001002005"), ("320102001002005", "320102001002009")] {
            let index = GridIndex::new([(code(a), lower.clone()), (code(b), upper.clone())]).expect("index");
            assert_eq!(at(&index, 1.5, 0.5).as_deref(), Some("320102001002005"));
            assert_eq!(at(&index, 2.0, 0.2).as_deref(), Some(a));
            assert_eq!(at(&index, 1.0, 0.8).as_deref(), Some(b));
        }
    }

    #[test]
    fn points_in_no_grid_are_outside() {
        let index = GridIndex::new(four()).expect("index");
        assert_eq!(index.locate(2.5, 0.5), Locate::Outside);
        assert_eq!(index.locate(-0.000_001, 1.0), Locate::Outside);
        assert_eq!(index.locate(f64::NAN, 1.0), Locate::Outside);
        assert_eq!(GridIndex::new([]).expect("empty").locate(0.5, 0.5), Locate::Outside);
    }

    #[test]
    fn holes_and_multipart_grids_are_respected() {
        let outer = Rect::new((0.0, 0.0), (4.0, 4.0)).to_polygon();
        let hole = Rect::new((1.0, 1.0), (3.0, 3.0)).to_polygon();
        let ring = MultiPolygon(vec![
            Polygon::new(outer.exterior().clone(), vec![hole.exterior().clone()]),
            Rect::new((10.0, 10.0), (11.0, 11.0)).to_polygon(),
        ]);
        let inner = square(1.0, 1.0, 3.0, 3.0);
        let index = GridIndex::new([(code("320102001002002"), ring), (code("320102001002001"), inner)]).expect("index");
        assert_eq!(at(&index, 0.5, 0.5).as_deref(), Some("320102001002002"));
        assert_eq!(at(&index, 2.0, 2.0).as_deref(), Some("320102001002001"));
        assert_eq!(at(&index, 10.5, 10.5).as_deref(), Some("320102001002002"));
        // On the hole's edge: both closed polygons hold it; the lower code wins.
        assert_eq!(at(&index, 1.0, 2.0).as_deref(), Some("320102001002001"));
        assert_eq!(index.locate(5.0, 5.0), Locate::Outside);
    }

    #[test]
    fn non_finite_polygons_are_refused() {
        let bad = square(0.0, 0.0, f64::NAN, 1.0);
        assert!(matches!(GridIndex::new([(code("320102001002001"), bad)]), Err(GeoError::BadCoordinate(_))));
    }

    #[test]
    fn nearest_cameras_come_nearest_first_within_the_distance() {
        // Cameras east of a point on the equator-ish latitude of Beijing, at ~100 m steps.
        let origin = (116.4, 39.9);
        let step = 100.0 / (111_195.08 * 39.9f64.to_radians().cos());
        let cams = PointIndex::new([
            (origin.0 + 3.0 * step, origin.1, "c300"),
            (origin.0 + step, origin.1, "c100"),
            (origin.0 + 5.0 * step, origin.1, "c500"),
            (origin.0 - 2.0 * step, origin.1, "w200"),
            (origin.0, origin.1 + 0.02, "n2km"),
        ])
        .expect("index");
        fn names(v: Vec<(&&'static str, f64)>) -> Vec<&'static str> {
            v.into_iter().map(|(n, _)| *n).collect()
        }
        assert_eq!(names(cams.nearest(origin.0, origin.1, 10, 350.0)), ["c100", "w200", "c300"]);
        assert_eq!(names(cams.nearest(origin.0, origin.1, 2, 10_000.0)), ["c100", "w200"]);
        assert_eq!(names(cams.nearest(origin.0, origin.1, 10, 10_000.0)), ["c100", "w200", "c300", "c500", "n2km"]);
        assert!(cams.nearest(origin.0, origin.1, 10, 50.0).is_empty());
        assert!(cams.nearest(origin.0, origin.1, 0, 10_000.0).is_empty());
        let found = cams.nearest(origin.0, origin.1, 1, 1_000.0);
        let (_, metres) = found[0];
        assert!((metres - 100.0).abs() < 0.5, "{metres}");
    }

    #[test]
    fn nearest_ties_keep_input_order_and_the_limit_is_inclusive() {
        let cams = PointIndex::new([(116.401, 39.9, 'b'), (116.401, 39.9, 'a'), (116.402, 39.9, 'c')]).expect("index");
        let d = distance_m((116.4, 39.9), (116.401, 39.9));
        let got: Vec<char> = cams.nearest(116.4, 39.9, 1, d).into_iter().map(|(c, _)| *c).collect();
        assert_eq!(got, ['b']);
        let got: Vec<char> = cams.nearest(116.4, 39.9, 5, d).into_iter().map(|(c, _)| *c).collect();
        assert_eq!(got, ['b', 'a']);
        // A hair under the distance: the metres the caller sees decide, not the search's slack.
        assert!(cams.nearest(116.4, 39.9, 5, d * (1.0 - 1e-12)).is_empty());
        // Many at the same place: the first k in input order, whatever order the tree holds them.
        let same = PointIndex::new((0..50).map(|i| (116.401 + f64::from(i % 2) * 1e-3, 39.9, i))).expect("index");
        let got: Vec<i32> = same.nearest(116.4, 39.9, 5, 1_000.0).into_iter().map(|(i, _)| *i).collect();
        assert_eq!(got, [0, 2, 4, 6, 8]);
    }

    #[test]
    fn bad_camera_coordinates_are_refused() {
        assert!(PointIndex::new([(f64::NAN, 39.9, ())]).is_err());
        assert!(PointIndex::new([(116.4, 95.0, ())]).is_err());
    }

    #[test]
    fn the_synthetic_tiling_is_found_exactly_like_geo_finds_it() {
        let grids = synth::tiling(12, 10, synth::city_extent(), 7);
        let index = GridIndex::new(grids.clone()).expect("index");
        for (x, y) in synth::random_points(2_000, synth::city_extent(), 3) {
            let p = Point::new(x, y);
            let expected: Vec<&AreaCode> =
                grids.iter().filter(|(_, poly)| poly.intersects(&p)).map(|(c, _)| c).collect();
            let interior: Vec<&AreaCode> = grids.iter().filter(|(_, poly)| poly.contains(&p)).map(|(c, _)| c).collect();
            let want = interior.first().or(expected.iter().min()).copied();
            assert_eq!(index.locate(x, y).code(), want, "({x}, {y})");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn random_points_are_located_in_the_tile_that_holds_them(
            seed in 0u64..1_000,
            cols in 2usize..9,
            rows in 2usize..9,
            points in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), 1..40),
        ) {
            let extent = synth::city_extent();
            let grids = synth::tiling(cols, rows, extent, seed);
            let mut shuffled = grids.clone();
            shuffled.reverse();
            let index = GridIndex::new(shuffled).expect("index");
            let (w, h) = (extent.width(), extent.height());
            for (fx, fy) in points {
                let (x, y) = (extent.min().x + fx * w, extent.min().y + fy * h);
                let p = Point::new(x, y);
                let holder: Vec<&AreaCode> = grids.iter().filter(|(_, poly)| poly.contains(&p)).map(|(c, _)| c).collect();
                // A random f64 point is (almost surely) interior to exactly one tile.
                prop_assert!(holder.len() <= 1, "tiles overlap at ({x}, {y}): {holder:?}");
                if let Some(&tile) = holder.first() {
                    prop_assert_eq!(index.locate(x, y).code(), Some(tile));
                }
            }
            // Every tile's vertices are on a border: they go to the lowest code touching them.
            for (_, poly) in grids.iter().take(3) {
                for c in poly.0[0].exterior().coords() {
                    let p = Point::new(c.x, c.y);
                    let lowest = grids.iter().filter(|(_, q)| q.intersects(&p)).map(|(code, _)| code).min();
                    prop_assert_eq!(index.locate(c.x, c.y).code(), lowest);
                }
            }
        }
    }
}
