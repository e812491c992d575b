//! Table files as users upload them: the format detected from the bytes, CSV (UTF-8 with or
//! without BOM, or GB18030/GBK) and XLSX read whole and row by row, and what was read written
//! back and read again.
//!
//! Input: the file. Nothing may panic; errors are `TabularError`s with a message in both
//! languages; reading whole and reading row by row agree; every table read has non-empty,
//! unique, trimmed headers and rows exactly as wide, numbered upwards from 2; and writing a
//! table read as CSV (and, when small, as XLSX) then reading it gives back the same headers and
//! cells.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shiyu_tabular::{Format, Table, TabularError, XlsxBook, read, read_csv, read_csv_iter, write_csv, write_xlsx};

fn cells(t: &Table) -> Vec<Vec<String>> {
    t.rows.iter().map(|r| r.cells.clone()).collect()
}

fn well_formed(t: &Table) {
    let mut seen = std::collections::BTreeSet::new();
    for h in &t.headers {
        assert!(!h.is_empty() && h.trim() == h, "header {h:?}");
        assert!(seen.insert(h), "repeated header {h:?}");
    }
    let mut last = 1;
    for r in &t.rows {
        assert_eq!(r.cells.len(), t.headers.len(), "row {} width", r.number);
        assert!(r.number > last, "row numbers go up: {} after {last}", r.number);
        assert!(r.cells.iter().any(|c| !c.is_empty()), "blank row {} kept", r.number);
        last = r.number;
    }
}

fn explained(e: &TabularError) {
    assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
}

/// The whole-file read and the row-by-row read of the same bytes agree.
fn same_as_iterated(format: Format, bytes: &[u8], whole: &Result<Table, TabularError>) {
    let iterated: Result<Table, TabularError> = match format {
        Format::Csv => read_csv_iter(bytes).and_then(|rows| {
            let headers = rows.headers().to_vec();
            Ok(Table { headers, rows: rows.collect::<Result<_, _>>()? })
        }),
        Format::Xlsx => XlsxBook::open(bytes).and_then(|mut book| {
            let rows = book.rows(None)?;
            let headers = rows.headers().to_vec();
            Ok(Table { headers, rows: rows.collect::<Result<_, _>>()? })
        }),
    };
    assert_eq!(&iterated, whole, "{format:?}: whole and row-by-row reads differ");
}

fuzz_target!(|data: &[u8]| {
    let format = match Format::detect(None, data) {
        Ok(f) => f,
        Err(e) => {
            explained(&e);
            // The CSV reader is never handed such bytes by `read`, but must not panic on them either.
            if let Err(e) = read_csv(data) {
                explained(&e);
            }
            return;
        }
    };
    let whole = read(format, data);
    same_as_iterated(format, data, &whole);
    let t = match whole {
        Ok(t) => t,
        Err(e) => {
            explained(&e);
            return;
        }
    };
    well_formed(&t);

    // Written as CSV and read again: the same table.
    let csv = write_csv(&t.headers, cells(&t));
    let back = read_csv(&csv).unwrap_or_else(|e| panic!("a written CSV does not read: {e}"));
    assert_eq!(back.headers, t.headers, "CSV round trip changed the headers");
    assert_eq!(cells(&back), cells(&t), "CSV round trip changed the cells");

    // And as XLSX: slow to write (a few milliseconds a workbook), so for small tables read from
    // an XLSX and for one CSV in eight (by length, so a given input always does the same).
    if t.rows.len() <= 20 && t.headers.len() <= 20 && (format == Format::Xlsx || data.len() % 8 == 0) {
        match write_xlsx("表", &t.headers, cells(&t)) {
            Ok(xlsx) => {
                let back = read(Format::Xlsx, &xlsx).unwrap_or_else(|e| panic!("a written XLSX does not read: {e}"));
                assert_eq!(back.headers, t.headers, "XLSX round trip changed the headers");
                assert_eq!(cells(&back), cells(&t), "XLSX round trip changed the cells");
            }
            Err(e) => explained(&e),
        }
    }
});
