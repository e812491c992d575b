//! Open311 GeoReport v2 calls as the http crate reads them: the query string and the form body
//! (`application/x-www-form-urlencoded`) decoded into `Params`, the named arguments, comma lists
//! and `attribute[code]` answers taken from them, coordinates, area codes, W3C dates and the
//! listing window, statuses, and the answers checked against a service's attribute definitions.
//!
//! Input: the query string, then `\n`, then the body (a body that is a JSON list of attribute
//! definitions is also checked as definitions). Nothing may panic; what is refused is refused
//! with the domain's reason codes; and the round trips hold: decode → encode → decode gives the
//! same parameters, a date written back parses to the same second, checked answers check again
//! to themselves.
#![no_main]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use shiyu_domain::area::AreaCode;
use shiyu_domain::open311::{
    AttributeDef, Choice, Datatype, Params, Status, UPDATE_STATUSES, check_answers, check_definitions, parse_datetime,
    public_coordinate, w3c, window,
};

/// Every argument name the Open311 face reads.
const NAMES: [&str; 21] = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "service_request_id",
    "status",
    "start_date",
    "end_date",
    "update_id",
    "updated_datetime",
];

fn def(code: &str, datatype: Datatype, required: bool, variable: bool, order: u32, choices: &[&str]) -> AttributeDef {
    AttributeDef {
        code: code.to_owned(),
        datatype,
        required,
        variable,
        order,
        description: format!("问题 {code}"),
        datatype_description: String::new(),
        values: choices.iter().map(|k| Choice { key: (*k).to_owned(), name: format!("选项 {k}") }).collect(),
    }
}

/// A service asking one question of every type, plus an informational one.
fn defs() -> Vec<AttributeDef> {
    vec![
        def("where", Datatype::String, true, true, 1, &[]),
        def("depth", Datatype::Number, false, true, 2, &[]),
        def("since", Datatype::Datetime, false, true, 3, &[]),
        def("notes", Datatype::Text, false, true, 4, &[]),
        def("kind", Datatype::Singlevaluelist, false, true, 5, &["cover", "grate"]),
        def("colour", Datatype::Multivaluelist, false, true, 6, &["red", "blue", "红"]),
        def("info", Datatype::String, false, false, 7, &[]),
    ]
}

fn check_attributes(defs: &[AttributeDef], given: &BTreeMap<String, Vec<String>>) {
    match check_answers(defs, given) {
        Ok(answers) => {
            for d in defs.iter().filter(|d| d.required) {
                assert!(answers.iter().any(|a| a.code == d.code), "required {} not answered", d.code);
            }
            for a in &answers {
                assert!(!a.values.is_empty());
                assert!(defs.iter().any(|d| d.code == a.code && d.variable));
            }
            // Checked answers are normal: checking them again changes nothing.
            let again: BTreeMap<String, Vec<String>> =
                answers.iter().map(|a| (a.code.clone(), a.values.clone())).collect();
            assert_eq!(check_answers(defs, &again).as_ref(), Ok(&answers), "answers are not stable");
        }
        Err(e) => {
            assert!(!e.reason.is_empty());
            assert!(
                defs.iter().any(|d| d.code == e.code) || given.contains_key(&e.code),
                "error names an unknown attribute {e:?}"
            );
        }
    }
}

fn check_date(v: &str) -> Option<DateTime<Utc>> {
    let t = parse_datetime(v)?;
    let written = w3c(t);
    let back = parse_datetime(&written).expect("a written date parses");
    assert!(t - back < Duration::seconds(1) && back <= t, "{v} → {written}");
    assert_eq!(w3c(back), written);
    Some(t)
}

fuzz_target!(|data: &[u8]| {
    let (query, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    // As the http crate does for a POST: the query's arguments, then the body's.
    let mut p = Params::parse(query);
    p.0.extend(Params::parse(body).0);

    // Decode → encode → decode is the identity.
    let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&p.0).finish();
    assert_eq!(Params::parse(encoded.as_bytes()), p, "form round trip");

    for name in NAMES {
        if let Some(v) = p.get(name) {
            assert!(!v.is_empty() && v == v.trim());
        }
        for item in p.list(name) {
            assert!(!item.is_empty() && item == item.trim() && !item.contains(','));
        }
    }

    // Where: a WGS-84 point within range, as `POST requests` accepts it.
    if let (Some(lat), Some(lon)) = (p.get("lat"), p.get("long"))
        && let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>())
        && lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
    {
        let (x, y) = shiyu_geo::crs::to_wgs84(shiyu_geo::Crs::Wgs84, lon, lat);
        assert!(x.is_finite() && y.is_finite());
        assert!((public_coordinate(y) - y).abs() <= 0.000_501 && (public_coordinate(x) - x).abs() <= 0.000_501);
    }
    if let Some(a) = p.get("address_id")
        && let Ok(code) = AreaCode::parse(a)
    {
        assert_eq!(AreaCode::parse(&code.to_string()).ok(), Some(code), "area code round trip");
    }

    // When: the listing window of `GET requests` (90 days) and of `GET servicerequestupdates` (7).
    let start = p.get("start_date").and_then(check_date);
    let end = p.get("end_date").and_then(check_date);
    let _ = p.get("updated_datetime").and_then(check_date);
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).single().expect("now");
    for default in [90, 7] {
        match window(start, end, default, 90, now) {
            Ok((from, to)) => assert!(from <= to && to - from <= Duration::days(90)),
            Err(reason) => assert!(matches!(reason, "before_start" | "span_over_90_days")),
        }
    }

    for s in p.list("status") {
        if let Some(status) = Status::parse(&s.to_lowercase()) {
            assert_eq!(status.as_str(), s.to_lowercase());
            assert!(!status.states().is_empty());
        }
    }
    if let Some(s) = p.get("status") {
        let _ = UPDATE_STATUSES.contains(&s);
    }

    // What: `attribute[code]` answers against the service's questions.
    let given = p.attributes();
    let fixed = defs();
    assert_eq!(check_definitions(&fixed), Ok(()));
    check_attributes(&fixed, &given);
    if let Ok(defs) = serde_json::from_slice::<Vec<AttributeDef>>(body)
        && check_definitions(&defs).is_ok()
    {
        check_attributes(&defs, &given);
    }
});
