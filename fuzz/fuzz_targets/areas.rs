//! Area and grid GeoJSON imports: the FeatureCollection read, codes and parents checked, rings
//! checked, polygons converted to WGS-84 and held against each other (overlaps, children outside
//! their parent, parents left uncovered), as `shiyu import-areas` does on a new deployment.
//!
//! Input: the GeoJSON text; its first byte also picks the coordinate system the administrator
//! chose. Nothing may panic; a refusal lists problems with messages in both languages; and an
//! accepted polygon written as stored (`areas.polygon`) reads back as the same polygon.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shiyu_geo::Crs;
use shiyu_geo::import::{CheckOptions, NoAreas, import_areas, parse_geometry, to_geojson_geometry};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let crs = match data.first().map(|b| b % 4) {
        Some(1) => Some(Crs::Wgs84),
        Some(2) => Some(Crs::Gcj02),
        Some(3) => Some(Crs::Bd09),
        _ => None,
    };
    match import_areas(text, crs, &NoAreas, &CheckOptions::default()) {
        Ok(areas) => {
            for a in &areas {
                let Some(polygon) = &a.polygon else { continue };
                let stored = to_geojson_geometry(polygon);
                let back = parse_geometry(&stored).unwrap_or_else(|e| panic!("{stored} does not read back: {e}"));
                assert_eq!(to_geojson_geometry(&back), stored, "stored polygon round trip");
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in &problems {
                assert!(!p.message_zh().is_empty() && !p.message_en().is_empty());
            }
        }
    }
    // The stored form's reader on its own, as `areas.polygon` is read back.
    if let Ok(polygon) = parse_geometry(text) {
        let stored = to_geojson_geometry(&polygon);
        let _ = parse_geometry(&stored);
    }
});
