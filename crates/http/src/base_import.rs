//! Base-data files in and out, shared by the web pages and `shiyu import` / `shiyu export`: the
//! tabular crate reads CSV or XLSX, the domain checks every row into a record (naming row, column
//! and reason), points are converted to WGS-84 and placed in their grids, and the store writes the
//! whole file or nothing. Exports write the same columns, so an export imported again changes
//! nothing.

use chrono::Utc;
use shiyu_domain::base::columns::{self, CellError, HeaderMap, Table};
use shiyu_domain::base::records::WgsPoint;
use shiyu_domain::case::GeoPoint;
use shiyu_domain::place::Located;
use shiyu_domain::scope::Principal;
use shiyu_geo::Crs;
use shiyu_storage::Store;
use shiyu_storage::base::{ImportCounts, Placed};
use shiyu_tabular::Format;

use crate::error::ApiError;
use crate::places::Places;

/// Converts a declared coordinate system's point to WGS-84 (`""` means WGS-84).
fn convert(lon: f64, lat: f64, crs: &str) -> Result<(f64, f64), &'static str> {
    let crs = match crs.trim() {
        "" => Crs::Wgs84,
        c => c.parse::<Crs>().map_err(|_| "unknown_value")?,
    };
    Ok(shiyu_geo::crs::to_wgs84(crs, lon, lat))
}

/// The grid a record's point lies in when none was typed; whether it lies in no grid.
fn placed_grid(places: &Places, grid: &mut Option<shiyu_domain::area::AreaCode>, at: Option<WgsPoint>) -> bool {
    if grid.is_some() {
        return false;
    }
    match at.map(|p| places.locate(GeoPoint { lon: p.lon, lat: p.lat })) {
        Some(Located::Grid(g)) => {
            *grid = Some(g);
            false
        }
        Some(Located::Outside) => true,
        _ => false,
    }
}

/// Reads the rows of a file for `table`: every bad cell of every row is collected.
fn rows<T>(
    t: &shiyu_tabular::Table,
    table: Table,
    mut parse: impl FnMut(&HeaderMap, &[String], usize) -> Result<T, Vec<CellError>>,
) -> Result<Vec<(usize, T)>, ApiError> {
    let map = columns::map_headers(table, &t.headers).map_err(ApiError::Rows)?;
    let mut out = Vec::with_capacity(t.rows.len());
    let mut errors = Vec::new();
    for r in &t.rows {
        match parse(&map, &r.cells, r.number) {
            Ok(v) => out.push((r.number, v)),
            Err(e) => errors.extend(e),
        }
        // A file wrong in every row is reported by its first thousand errors.
        if errors.len() >= 1000 {
            break;
        }
    }
    if t.rows.is_empty() {
        return Err(ApiError::invalid("file", "empty_file"));
    }
    if errors.is_empty() { Ok(out) } else { Err(ApiError::Rows(errors)) }
}

/// Imports one file of `table` as `actor`. All or nothing.
pub async fn import_file(
    store: &Store,
    places: &Places,
    actor: &Principal,
    table: Table,
    file_name: Option<&str>,
    bytes: &[u8],
) -> Result<ImportCounts, ApiError> {
    let format = Format::detect(file_name, bytes).map_err(|_| ApiError::invalid("file", "type_not_allowed"))?;
    let t = shiyu_tabular::read(format, bytes)
        .map_err(|e| ApiError::Invalid { field: "file".into(), reason: e.message_zh() })?;
    let city = store.default_city().await?;
    let city = city.as_str();
    let now = Utc::now();
    let today = shiyu_domain::time::local_date(now);
    let counts = match table {
        Table::Residents => {
            let rs = rows(&t, table, |m, c, n| columns::resident(m, c, n, today))?;
            let placed = rs.into_iter().map(|(row, record)| Placed { row, record, off_grid: false }).collect();
            store.import_residents(city, actor, placed, now).await?
        }
        Table::Houses => {
            let rs = rows(&t, table, |m, c, n| columns::house(m, c, n, &convert))?;
            let placed = rs
                .into_iter()
                .map(|(row, mut record)| {
                    let off_grid = placed_grid(places, &mut record.grid, record.location);
                    Placed { row, record, off_grid }
                })
                .collect();
            store.import_houses(city, actor, placed, now).await?
        }
        Table::Entities => {
            let rs = rows(&t, table, |m, c, n| columns::entity(m, c, n, &convert))?;
            let placed = rs
                .into_iter()
                .map(|(row, mut record)| {
                    let off_grid = placed_grid(places, &mut record.grid, record.location);
                    Placed { row, record, off_grid }
                })
                .collect();
            store.import_entities(city, actor, placed, now).await?
        }
        Table::Cameras => {
            let rs = rows(&t, table, |m, c, n| columns::camera(m, c, n, &convert))?;
            let placed = rs
                .into_iter()
                .map(|(row, mut record)| {
                    let off_grid = placed_grid(places, &mut record.grid, Some(record.location));
                    Placed { row, record, off_grid }
                })
                .collect();
            let counts = store.import_cameras(city, actor, placed, now).await?;
            places.reload_cameras(store).await?;
            counts
        }
    };
    Ok(counts)
}

/// An exported file: its bytes, content type and a file name.
#[derive(Debug)]
pub struct Exported {
    /// The file.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub content_type: &'static str,
    /// A name for it (`实有人口.xlsx`).
    pub file_name: String,
}

/// Exports everything of `table` under the actor's area (audited by the store).
pub async fn export_file(store: &Store, actor: &Principal, table: Table, format: Format) -> Result<Exported, ApiError> {
    let city = store.default_city().await?;
    let city = city.as_str();
    let now = Utc::now();
    let rows: Vec<Vec<String>> = match table {
        Table::Residents => store.export_residents(city, actor, now).await?.iter().map(columns::resident_row).collect(),
        Table::Houses => store.export_houses(city, actor, now).await?.iter().map(columns::house_row).collect(),
        Table::Entities => store.export_entities(city, actor, now).await?.iter().map(columns::entity_row).collect(),
        Table::Cameras => store.export_cameras(city, actor, now).await?.iter().map(columns::camera_row).collect(),
    };
    let headers = table.headers();
    let bytes = match format {
        Format::Csv => shiyu_tabular::write_csv(&headers, rows),
        Format::Xlsx => shiyu_tabular::write_xlsx(table.label_zh(), &headers, rows)
            .map_err(|e| ApiError::Internal(format!("xlsx: {}", e.message_en())))?,
    };
    Ok(Exported {
        bytes,
        content_type: format.content_type(),
        file_name: format!("{}.{}", table.label_zh(), format.extension()),
    })
}
