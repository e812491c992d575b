//! Where things are, with no I/O, no async and no SQL.
//!
//! This crate owns shiyu's geometry: the coordinate systems a map source may use and their exact
//! conversion to the WGS-84 the database stores ([`crs`]); finding the one grid a coordinate
//! belongs to among tens of thousands of grid polygons, and the cameras nearest to a place
//! ([`index`]); reading an areas/grids GeoJSON file and checking it against itself and against
//! the areas already stored, reporting every problem at once ([`import`]); and the synthetic
//! grid tiling the benches and the demo city draw on ([`synth`]). Storage keeps polygons as
//! GeoJSON geometry text ([`import::to_geojson_geometry`], [`import::parse_geometry`]); the rest
//! of shiyu hands coordinates in and gets area codes out.

#![warn(missing_docs)]

pub mod crs;
pub mod import;
pub mod index;
pub mod synth;

pub use crs::{Crs, distance_m};
pub use import::{AreaFeature, Problem, ProblemKind};
pub use index::{GridIndex, Locate, PointIndex};

/// Why a geometry operation was refused. Import checks do not use this: they collect
/// [`Problem`]s so the administrator sees every fault of a file at once.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    /// The name of a coordinate system was not recognised.
    #[error("unknown coordinate system {0:?}")]
    UnknownCrs(String),
    /// Geometry text could not be read as a polygon or multipolygon.
    #[error("invalid geometry: {0}")]
    Geometry(String),
    /// A coordinate was NaN or infinite, or a longitude/latitude out of range.
    #[error("coordinate out of range in {0}")]
    BadCoordinate(String),
}
