//! Importing areas and grids from GeoJSON, shared by the administrator's page and `shiyu import
//! areas`: the geo crate reads and checks the whole file against what is stored, the store writes
//! it in one transaction, and the grid index is rebuilt. Any problem means nothing is written.

use std::collections::BTreeMap;

use shiyu_geo::Crs;
use shiyu_geo::import::{CheckOptions, Problem, import_areas, parse_geometry, to_geojson_geometry};
use shiyu_storage::Store;
use shiyu_storage::directory::{AreaImport, ImportCounts};

use crate::error::ApiError;
use crate::places::Places;

/// What an area import came to.
#[derive(Debug)]
pub enum AreaImportOutcome {
    /// Written: how many areas were new, changed, or already so; and the grids now indexed.
    Imported {
        /// Counts.
        counts: ImportCounts,
        /// Grids in the index after the rebuild.
        grids: usize,
    },
    /// Refused: every problem found. Nothing was written.
    Refused(Vec<Problem>),
}

/// Checks and imports a GeoJSON FeatureCollection of areas.
pub async fn import_geojson(
    store: &Store,
    places: &Places,
    text: &str,
    crs: Option<Crs>,
) -> Result<AreaImportOutcome, ApiError> {
    let mut existing = BTreeMap::new();
    for a in store.all_areas().await? {
        // A stored polygon that no longer parses counts as absent rather than blocking imports.
        let polygon = a.polygon.as_deref().and_then(|p| parse_geometry(p).ok());
        existing.insert(a.code, polygon);
    }
    let features = match import_areas(text, crs, &existing, &CheckOptions::default()) {
        Ok(f) => f,
        Err(problems) => return Ok(AreaImportOutcome::Refused(problems)),
    };
    let mut rows: Vec<AreaImport> = features
        .into_iter()
        .map(|f| AreaImport { code: f.code, name: f.name, polygon: f.polygon.as_ref().map(to_geojson_geometry) })
        .collect();
    // Parents sort before their children, so each parent exists when its children are written.
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    let counts = store.import_areas(&rows, chrono::Utc::now()).await?;
    let grids = places.reload(store).await?;
    Ok(AreaImportOutcome::Imported { counts, grids })
}
