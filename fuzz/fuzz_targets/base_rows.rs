//! Rows of base-data files (residents, houses, legal entities, cameras) as `shiyu import` and the
//! import page check them: the header row matched to the table's columns (Chinese headers or
//! English aliases), then each row checked into a record, points converted to WGS-84.
//!
//! Input: one byte choosing the table, then text: the header line and data lines, cells
//! separated by tabs. Nothing may panic; every refusal names its row, a column and a reason;
//! and a record read, written back as an export row and read again is the same record.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use shiyu_domain::base::columns::{self, CellError, HeaderMap, Table};
use shiyu_geo::Crs;

/// As the http crate converts a declared coordinate system (`""` = WGS-84).
fn convert(lon: f64, lat: f64, crs: &str) -> Result<(f64, f64), &'static str> {
    let crs = match crs.trim() {
        "" => Crs::Wgs84,
        c => c.parse::<Crs>().map_err(|_| "unknown_value")?,
    };
    Ok(shiyu_geo::crs::to_wgs84(crs, lon, lat))
}

fn refused(errors: &[CellError], row: usize) {
    assert!(!errors.is_empty());
    for e in errors {
        assert_eq!(e.row, row);
        assert!(!e.reason.is_empty() && !e.field.is_empty(), "{e:?}");
    }
}

/// Reads a row of `table`, and reads it again from its export form: the same record.
fn check<T: PartialEq + std::fmt::Debug>(
    table: Table,
    map: &HeaderMap,
    cells: &[String],
    row: usize,
    read: impl Fn(&HeaderMap, &[String], usize) -> Result<T, Vec<CellError>>,
    write: impl Fn(&T) -> Vec<String>,
) {
    match read(map, cells, row) {
        Ok(record) => {
            let exported = write(&record);
            assert_eq!(exported.len(), table.columns().len());
            let headers: Vec<String> = table.headers().into_iter().map(str::to_owned).collect();
            let export_map = columns::map_headers(table, &headers).expect("export headers");
            match read(&export_map, &exported, row) {
                Ok(again) => assert_eq!(again, record, "export round trip of {exported:?}"),
                Err(e) => panic!("an exported row does not read back: {exported:?}: {e:?}"),
            }
        }
        Err(errors) => refused(&errors, row),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, text)) = data.split_first() else { return };
    let table = Table::ALL[usize::from(which) % Table::ALL.len()];
    let text = String::from_utf8_lossy(text);
    let mut lines = text.split('\n');
    let headers: Vec<String> = lines.next().unwrap_or_default().split('\t').map(str::to_owned).collect();
    let map = match columns::map_headers(table, &headers) {
        Ok(map) => map,
        Err(errors) => return refused(&errors, 1),
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    for (i, line) in lines.enumerate().take(100) {
        let cells: Vec<String> = line.split('\t').map(str::to_owned).collect();
        let row = i + 2;
        match table {
            Table::Residents => {
                check(table, &map, &cells, row, |m, c, r| columns::resident(m, c, r, today), columns::resident_row)
            }
            Table::Houses => {
                check(table, &map, &cells, row, |m, c, r| columns::house(m, c, r, &convert), columns::house_row)
            }
            Table::Entities => {
                check(table, &map, &cells, row, |m, c, r| columns::entity(m, c, r, &convert), columns::entity_row)
            }
            Table::Cameras => {
                check(table, &map, &cells, row, |m, c, r| columns::camera(m, c, r, &convert), columns::camera_row)
            }
        }
    }
});
