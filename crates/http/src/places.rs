//! Where things are: the grid index every point is placed with (cases at intake, houses, entities
//! and cameras on import), loaded from the areas' polygons at start and rebuilt after an area
//! import, and the camera index for "cameras near this case".
//!
//! The index is swapped whole behind a lock held only for the pointer copy, so lookups never wait
//! on a rebuild.

use std::sync::{Arc, RwLock};

use shiyu_domain::area::AreaCode;
use shiyu_domain::case::GeoPoint;
use shiyu_domain::place::Located;
use shiyu_geo::{Crs, GridIndex, Locate, PointIndex};
use shiyu_storage::Store;
use shiyu_storage::base::cameras::Camera;

use crate::error::ApiError;

/// The shared grid index.
#[derive(Default)]
pub struct Places {
    /// `None` until loaded (and for a city without polygons).
    grids: RwLock<Option<Arc<GridIndex>>>,
    /// Cameras by position.
    cameras: RwLock<Option<Arc<PointIndex<Camera>>>>,
}

impl Places {
    /// Builds the index from the stored polygons of the leaf areas.
    pub async fn load(store: &Store) -> Result<Self, ApiError> {
        let places = Self::default();
        places.reload(store).await?;
        places.reload_cameras(store).await?;
        Ok(places)
    }

    /// Rebuilds the index (after areas were imported). A stored polygon that no longer parses is
    /// skipped with a warning rather than taking the whole index down.
    pub async fn reload(&self, store: &Store) -> Result<usize, ApiError> {
        let leaves = store.leaf_polygons().await?;
        let mut grids = Vec::with_capacity(leaves.len());
        for (code, text) in leaves {
            match shiyu_geo::import::parse_geometry(&text) {
                Ok(polygon) => grids.push((code, polygon)),
                Err(e) => {
                    tracing::warn!(area = %code, error = %e, "stored polygon does not parse; left out of the grid index")
                }
            }
        }
        let n = grids.len();
        let index = Arc::new(GridIndex::new(grids).map_err(|e| ApiError::Internal(format!("grid index: {e}")))?);
        if let Ok(mut slot) = self.grids.write() {
            *slot = Some(index);
        }
        Ok(n)
    }

    /// Rebuilds the camera index (after cameras were imported).
    pub async fn reload_cameras(&self, store: &Store) -> Result<usize, ApiError> {
        let all = store.all_cameras().await?;
        let n = all.len();
        let index = PointIndex::new(all.into_iter().map(|c| (c.lon, c.lat, c)))
            .map_err(|e| ApiError::Internal(format!("camera index: {e}")))?;
        if let Ok(mut slot) = self.cameras.write() {
            *slot = Some(Arc::new(index));
        }
        Ok(n)
    }

    /// Up to `k` cameras within `max_m` metres of a point, nearest first, with their distance.
    pub fn nearest_cameras(&self, point: GeoPoint, k: usize, max_m: f64) -> Vec<(Camera, f64)> {
        let Some(index) = self.cameras.read().ok().and_then(|c| c.clone()) else { return Vec::new() };
        index.nearest(point.lon, point.lat, k, max_m).into_iter().map(|(c, d)| (c.clone(), d)).collect()
    }

    fn index(&self) -> Option<Arc<GridIndex>> {
        self.grids.read().ok().and_then(|g| g.clone())
    }

    /// The grid a WGS-84 point lies in. Before any grid has a polygon nothing can be placed, so
    /// the point counts as absent (the typed area decides, nothing is flagged).
    pub fn locate(&self, point: GeoPoint) -> Located {
        let Some(index) = self.index().filter(|i| !i.is_empty()) else { return Located::NoPoint };
        match index.locate(point.lon, point.lat) {
            Locate::Inside(code) => Located::Grid(code.clone()),
            Locate::Outside => Located::Outside,
        }
    }

    /// How many grids the index holds.
    pub fn len(&self) -> usize {
        self.index().map_or(0, |i| i.len())
    }

    /// Whether the index is empty (no area has a polygon yet).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A point given in a declared coordinate system (default WGS-84), converted to WGS-84.
pub fn to_wgs84(lon: f64, lat: f64, crs: Option<&str>) -> Result<GeoPoint, ApiError> {
    let crs = match crs.map(str::trim).filter(|c| !c.is_empty()) {
        None => Crs::Wgs84,
        Some(c) => c.parse::<Crs>().map_err(|_| ApiError::invalid("crs", "unknown_value"))?,
    };
    if !(lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
        return Err(ApiError::invalid("location", "out_of_range"));
    }
    let (lon, lat) = shiyu_geo::crs::to_wgs84(crs, lon, lat);
    Ok(GeoPoint { lon, lat })
}

/// The area a caller falls back on when a point lies in no grid: their own, else the city.
pub fn fallback_area(home: Option<&AreaCode>, city_root: &AreaCode) -> AreaCode {
    home.cloned().unwrap_or_else(|| city_root.clone())
}
