//! Imports from other systems without a database: a TOML mapping file parsed and checked, their
//! CSV or XLSX file read, its header row located, and every row mapped and checked into the
//! case, dispute or resident the write path takes, as `shiyu_http::external_import` does before
//! it hands the records to the store.
//!
//! Input: the mapping text, then a NUL byte, then their file. Nothing may panic; a refused
//! mapping lists at least one problem naming its key; every refused row names its row; mapped
//! fields are trimmed and non-empty; the stored form of a record has a stable fingerprint and
//! no changes against itself.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use shiyu_domain::exchange::{self, Kind, changed_fields, fingerprint, parse_mapping, stored_form};
use shiyu_tabular::Format;

fuzz_target!(|data: &[u8]| {
    let (mapping, file) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(mapping) = std::str::from_utf8(mapping) else { return };
    let m = match parse_mapping(mapping) {
        Ok(m) => m,
        Err(problems) => {
            assert!(!problems.is_empty(), "a refused mapping says why");
            for p in &problems {
                assert!(!p.reason.is_empty());
                assert!(!p.key.is_empty() || p.reason == "syntax", "{p:?}");
            }
            return;
        }
    };
    assert!(!m.source.trim().is_empty() && m.source.chars().count() <= 64);

    let Ok(format) = Format::detect(None, file) else { return };
    let Ok(t) = shiyu_tabular::read(format, file) else { return };
    let at = match m.locate(&t.headers) {
        Ok(at) => at,
        Err(errors) => {
            assert!(!errors.is_empty() && errors.iter().all(|e| e.row == 1 && e.reason == "missing_column"));
            return;
        }
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    for r in t.rows.iter().take(200) {
        let mapped = match m.map_row(&at, &r.cells, r.number) {
            Ok(mapped) => mapped,
            Err(errors) => {
                assert!(!errors.is_empty() && errors.iter().all(|e| e.row == r.number));
                continue;
            }
        };
        assert_eq!(mapped.row, r.number);
        assert_eq!(mapped.external_id, mapped.get(exchange::EXTERNAL_ID));
        for (k, v) in &mapped.fields {
            assert!(m.kind.field(k).is_some(), "{k} is not a field of {:?}", m.kind);
            assert!(!v.is_empty() && v.trim() == v, "{k} = {v:?} is not trimmed");
        }
        let checked = match m.kind {
            Kind::Cases => exchange::case_intake(&m, &mapped).map(|_| ()),
            Kind::Disputes => exchange::dispute(&m, &mapped).map(|_| ()),
            Kind::Residents => exchange::resident(&m, &mapped, today).map(|_| ()),
        };
        if let Err(errors) = checked {
            assert!(!errors.is_empty() && errors.iter().all(|e| e.row == r.number && !e.reason.is_empty()));
        }
        let keyed = |v: &str| format!("{:064x}", v.len());
        let form = stored_form(m.kind, &mapped, keyed);
        assert_eq!(fingerprint(&form), fingerprint(&stored_form(m.kind, &mapped, keyed)));
        assert!(changed_fields(m.kind, &form, &form).is_empty());
    }
});
