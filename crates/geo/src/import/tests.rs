use serde_json::{Value, json};

use super::*;
use crate::crs::from_wgs84;

const DISTRICT: &str = "320102000000";
const STREET: &str = "320102001000";
const COMMUNITY: &str = "320102001002";

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).expect(s)
}

/// A closed counter-clockwise rectangle ring in GeoJSON positions.
fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]])
}

fn polygon(rings: Value) -> Value {
    json!({"type": "Polygon", "coordinates": rings})
}

fn feature(code: &str, name: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry})
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

// The street and its one community cover 116.00–116.02 E × 39.90–39.92 N (about 1.7 × 2.2 km);
// the community's four grids are its quarters.
const X0: f64 = 116.0;
const XM: f64 = 116.01;
const X1: f64 = 116.02;
const Y0: f64 = 39.9;
const YM: f64 = 39.91;
const Y1: f64 = 39.92;

fn quarters() -> Vec<(String, Value)> {
    vec![
        (format!("{COMMUNITY}001"), rect(X0, Y0, XM, YM)),
        (format!("{COMMUNITY}002"), rect(XM, Y0, X1, YM)),
        (format!("{COMMUNITY}003"), rect(X0, YM, XM, Y1)),
        (format!("{COMMUNITY}004"), rect(XM, YM, X1, Y1)),
    ]
}

fn clean_set() -> Vec<Value> {
    let mut features = vec![
        feature(STREET, "某街道", polygon(rect(X0, Y0, X1, Y1))),
        feature(COMMUNITY, "某社区", polygon(rect(X0, Y0, X1, Y1))),
    ];
    for (i, (c, ring)) in quarters().into_iter().enumerate() {
        features.push(feature(&c, &format!("第{}网格", i + 1), polygon(ring)));
    }
    features
}

fn district_stored() -> BTreeMap<AreaCode, Option<MultiPolygon<f64>>> {
    BTreeMap::from([(code("320100000000"), None), (code(DISTRICT), None)])
}

fn import(text: &str) -> Result<Vec<AreaFeature>, Vec<Problem>> {
    import_areas(text, None, &district_stored(), &CheckOptions::default())
}

fn problems(text: &str) -> Vec<Problem> {
    match import(text) {
        Ok(areas) => panic!("expected problems, got {} areas", areas.len()),
        Err(problems) => problems,
    }
}

/// The only problem, checking there is exactly one.
fn only(text: &str) -> Problem {
    let mut p = problems(text);
    assert_eq!(p.len(), 1, "{:#?}", p.iter().map(Problem::message_en).collect::<Vec<_>>());
    p.remove(0)
}

#[test]
fn a_clean_nested_set_passes_with_shared_edges() {
    let areas = import(&collection(clean_set())).expect("clean");
    assert_eq!(areas.len(), 6);
    assert_eq!(areas[0].code, code(STREET));
    assert_eq!(areas[0].parent, Some(code(DISTRICT)));
    assert_eq!(areas[2].parent, Some(code(COMMUNITY)));
    assert_eq!(areas[2].name, "第1网格");
    let grid = areas[2].polygon.as_ref().expect("grid polygon");
    assert_eq!(
        to_geojson_geometry(grid),
        r#"{"type":"MultiPolygon","coordinates":[[[[116,39.9],[116.01,39.9],[116.01,39.91],[116,39.91],[116,39.9]]]]}"#
    );
}

#[test]
fn areas_above_grid_level_may_come_without_geometry() {
    let mut features = clean_set();
    features[0]["geometry"] = Value::Null;
    features[1]["geometry"] = Value::Null;
    let areas = import(&collection(features)).expect("clean");
    assert_eq!(areas[1].polygon, None);
}

#[test]
fn not_json_and_not_a_collection_are_reported_for_the_file() {
    let p = only("{ not json");
    assert!(matches!(p.kind, ProblemKind::InvalidJson { .. }));
    assert_eq!(p.feature_index, None);
    assert!(p.message_zh().starts_with("文件：不是有效的 JSON"), "{}", p.message_zh());
    let p = only(&feature(STREET, "x", Value::Null).to_string());
    assert_eq!(p.kind, ProblemKind::NotFeatureCollection);
}

#[test]
fn an_unclosed_ring_is_caught_before_geo_would_close_it() {
    let mut features = clean_set();
    features[2]["geometry"] = polygon(json!([[[X0, Y0], [XM, Y0], [XM, YM], [X0, YM]]]));
    let p = only(&collection(features));
    assert_eq!(p.kind, ProblemKind::UnclosedRing { ring: RingRef { polygon: 0, hole: None } });
    assert_eq!(p.feature_index, Some(2));
    assert_eq!(p.message_zh(), format!("第3个要素（编码 {COMMUNITY}001）：外环未闭合（首尾坐标不同）"));
    assert_eq!(
        p.message_en(),
        format!("Feature 3 (code {COMMUNITY}001): the outer ring is not closed (first and last coordinates differ)")
    );
}

#[test]
fn too_few_points_and_self_intersections_are_reported_per_ring() {
    let mut features = clean_set();
    // Grid 1: a hole of two distinct points. Grid 2: a bow tie instead of its quarter.
    let mut rings = rect(X0, Y0, XM, YM);
    rings.as_array_mut().expect("rings").push(json!([[116.003, 39.903], [116.004, 39.904], [116.003, 39.903]]));
    features[2]["geometry"] = polygon(rings);
    features[3]["geometry"] = polygon(json!([[[XM, Y0], [X1, YM], [X1, Y0], [XM, YM], [XM, Y0]]]));
    let p = problems(&collection(features));
    assert!(p.contains(&Problem {
        feature_index: Some(2),
        code: Some(format!("{COMMUNITY}001")),
        kind: ProblemKind::TooFewPoints { ring: RingRef { polygon: 0, hole: Some(0) } },
    }));
    assert!(p.contains(&Problem {
        feature_index: Some(3),
        code: Some(format!("{COMMUNITY}002")),
        kind: ProblemKind::SelfIntersection { ring: RingRef { polygon: 0, hole: None } },
    }));
    // The broken grids cannot be measured, so no coverage or overlap noise follows from them.
    assert_eq!(p.len(), 2, "{:#?}", p.iter().map(Problem::message_en).collect::<Vec<_>>());
    assert_eq!(p[0].kind.message_zh(), "第1个内环少于 3 个不同的点");
}

#[test]
fn geometry_that_is_not_polygonal_or_out_of_range_is_bad() {
    let mut features = clean_set();
    features[2]["geometry"] = json!({"type": "Point", "coordinates": [X0, Y0]});
    features[3]["geometry"] = polygon(json!([[[XM, Y0], [X1, Y0], [X1, 95.0], [XM, Y0]]]));
    features[4]["geometry"] = json!({"type": "Polygon", "coordinates": "nonsense"});
    let p = problems(&collection(features));
    assert_eq!(p.len(), 3, "{:#?}", p.iter().map(Problem::message_en).collect::<Vec<_>>());
    assert!(p.iter().all(|p| matches!(p.kind, ProblemKind::BadGeometry { .. })));
    assert_eq!(p.iter().map(|p| p.feature_index).collect::<Vec<_>>(), [Some(2), Some(3), Some(4)]);
}

#[test]
fn a_grid_without_geometry_is_reported() {
    let mut features = clean_set();
    features[5]["geometry"] = Value::Null;
    let p = only(&collection(features));
    assert_eq!((p.feature_index, p.kind), (Some(5), ProblemKind::MissingGeometry));
}

#[test]
fn bad_missing_and_duplicate_codes_and_names() {
    let mut features = clean_set();
    features[2]["properties"]["code"] = json!("32010200100200A");
    features[3]["properties"]["name"] = json!("  ");
    features[4]["properties"]["code"] = json!(format!("{COMMUNITY}004"));
    features.push(json!({"type": "Feature", "properties": {"name": "无编码"}, "geometry": null}));
    features.push(json!(42));
    let p = problems(&collection(features));
    let kinds: Vec<(Option<usize>, &ProblemKind)> = p.iter().map(|p| (p.feature_index, &p.kind)).collect();
    assert!(kinds.contains(&(Some(2), &ProblemKind::BadCode { value: "32010200100200A".into() })), "{kinds:#?}");
    assert!(kinds.contains(&(Some(3), &ProblemKind::MissingName)));
    assert!(kinds.contains(&(Some(5), &ProblemKind::DuplicateCode { first_index: 4 })));
    assert!(kinds.contains(&(Some(6), &ProblemKind::BadCode { value: String::new() })));
    assert!(kinds.contains(&(Some(7), &ProblemKind::NotAFeature)));
    assert_eq!(
        p.iter().find(|p| p.feature_index == Some(6)).map(Problem::message_zh).as_deref(),
        Some("第7个要素：缺少编码")
    );
}

#[test]
fn numeric_codes_from_spreadsheets_are_read() {
    let mut features = clean_set();
    features[2]["properties"]["code"] = json!(320102001002001u64);
    assert_eq!(import(&collection(features)).expect("clean")[2].code, code("320102001002001"));
}

#[test]
fn parents_must_exist_and_match_the_code() {
    let mut features = clean_set();
    features[2]["properties"]["parent"] = json!("320102001003");
    features[3]["properties"]["parent"] = json!("32010");
    features.remove(0);
    let p = problems(&collection(features));
    let kinds: Vec<(Option<usize>, &ProblemKind)> = p.iter().map(|p| (p.feature_index, &p.kind)).collect();
    assert!(kinds.contains(&(Some(0), &ProblemKind::UnknownParent { parent: STREET.into() })), "{kinds:#?}");
    assert!(kinds.contains(&(
        Some(1),
        &ProblemKind::ParentMismatch { parent: "320102001003".into(), expected: COMMUNITY.into() }
    )));
    assert!(kinds.contains(&(Some(2), &ProblemKind::BadParentCode { value: "32010".into() })));
}

#[test]
fn a_declared_parent_equal_to_the_derived_one_is_fine() {
    let mut features = clean_set();
    features[2]["properties"]["parent"] = json!(COMMUNITY);
    assert!(import(&collection(features)).is_ok());
}

#[test]
fn overlapping_siblings_are_reported_once_on_the_later_feature() {
    let mut features = clean_set();
    // Grid 2 reaches 0.001° (about 85 m) west into grid 1: about 85 m × 1.1 km.
    features[3]["geometry"] = polygon(rect(XM - 0.001, Y0, X1, YM));
    let p = only(&collection(features));
    let ProblemKind::SiblingOverlap { other, overlap_m2 } = &p.kind else { panic!("{p:?}") };
    assert_eq!((p.feature_index, other.as_str()), (Some(3), format!("{COMMUNITY}001").as_str()));
    assert!((90_000.0..100_000.0).contains(overlap_m2), "{overlap_m2}");
    assert!(p.message_zh().contains("与同级区域 320102001002001 重叠"), "{}", p.message_zh());
}

#[test]
fn a_child_outside_its_parent_and_a_parent_left_uncovered_are_reported() {
    let mut features = clean_set();
    // Grid 4 shrinks to the south half of its quarter and grid 2 pokes out to the east.
    features[5]["geometry"] = polygon(rect(XM, YM, X1, YM + 0.005));
    features[3]["geometry"] = polygon(rect(XM, Y0, X1 + 0.001, YM));
    let p = problems(&collection(features));
    let kinds: Vec<(Option<usize>, &ProblemKind)> = p.iter().map(|p| (p.feature_index, &p.kind)).collect();
    assert!(
        kinds.iter().any(|(i, k)| *i == Some(3)
            && matches!(k, ProblemKind::OutsideParent { parent, outside_m2 } if parent == COMMUNITY && *outside_m2 > 90_000.0)),
        "{kinds:#?}"
    );
    assert!(kinds.iter().any(|(i, k)| *i == Some(1)
        && matches!(k, ProblemKind::ParentCoverageHole { parent, uncovered_m2 } if parent == COMMUNITY && *uncovered_m2 > 400_000.0)));
    // Only the direct parent is checked: grid 2 is not also reported against the street.
    assert_eq!(p.len(), 2, "{:#?}", p.iter().map(Problem::message_en).collect::<Vec<_>>());
}

#[test]
fn tiny_slivers_under_the_tolerance_pass() {
    let mut features = clean_set();
    // Grid 2 bulges 2e-6° (about 0.2 m) into grid 1 over 2e-6° of its edge: about 0.02 m².
    features[3]["geometry"] = polygon(json!([[
        [XM, Y0],
        [X1, Y0],
        [X1, YM],
        [XM, YM],
        [XM, 39.905002],
        [XM - 0.000002, 39.905001],
        [XM, 39.905],
        [XM, Y0]
    ]]));
    assert!(import(&collection(features)).is_ok());
}

#[test]
fn grids_are_checked_against_a_stored_community_and_its_stored_grids() {
    let mut stored = district_stored();
    stored.insert(code(STREET), None);
    let community = MultiPolygon(vec![Rect::new((X0, Y0), (X1, Y1)).to_polygon()]);
    stored.insert(code(COMMUNITY), Some(community));
    let q = quarters();
    // Grid 1 is stored; the file brings grids 2 and 3, grid 2 overlapping the stored grid 1 and
    // poking out of the community, and no grid 4: a hole.
    stored.insert(code(&q[0].0), Some(MultiPolygon(vec![Rect::new((X0, Y0), (XM, YM)).to_polygon()])));
    let text = collection(vec![
        feature(&q[1].0, "二", polygon(rect(XM - 0.001, Y0 - 0.001, X1, YM))),
        feature(&q[2].0, "三", polygon(q[2].1.clone())),
    ]);
    let p = import_areas(&text, None, &stored, &CheckOptions::default()).expect_err("problems");
    let messages: Vec<String> = p.iter().map(Problem::message_zh).collect();
    assert!(
        matches!(&p[0].kind, ProblemKind::SiblingOverlap { other, .. } if other == &q[0].0)
            && p[0].feature_index == Some(0),
        "{messages:#?}"
    );
    assert!(p.iter().any(|p| p.feature_index == Some(0) && matches!(p.kind, ProblemKind::OutsideParent { .. })));
    let hole = p.last().expect("hole");
    assert_eq!((hole.feature_index, hole.code.as_deref()), (None, Some(COMMUNITY)));
    assert!(matches!(hole.kind, ProblemKind::ParentCoverageHole { .. }));
    assert!(hole.message_zh().starts_with("已有区域（编码 320102001002）：区域 320102001002 有"), "{messages:#?}");
    assert_eq!(p.len(), 3, "{messages:#?}");

    // With grid 4 too and grid 2 fixed, the stored grid 1 completes the community.
    let text = collection(vec![
        feature(&q[1].0, "二", polygon(q[1].1.clone())),
        feature(&q[2].0, "三", polygon(q[2].1.clone())),
        feature(&q[3].0, "四", polygon(q[3].1.clone())),
    ]);
    assert_eq!(import_areas(&text, None, &stored, &CheckOptions::default()).map(|a| a.len()), Ok(3));
}

#[test]
fn a_new_parent_outline_is_checked_against_its_stored_children() {
    let mut stored = district_stored();
    stored.insert(code(STREET), None);
    for (c, ring) in quarters() {
        let geometry = parse_geometry(&polygon(ring).to_string()).expect("quarter");
        stored.insert(code(&c), Some(geometry));
    }
    // The re-drawn community is smaller than its stored grids on the north side.
    let text = collection(vec![feature(COMMUNITY, "某社区", polygon(rect(X0, Y0, X1, Y1 - 0.002)))]);
    let p = import_areas(&text, None, &stored, &CheckOptions::default()).expect_err("problems");
    assert_eq!(p.len(), 2, "{:#?}", p.iter().map(Problem::message_zh).collect::<Vec<_>>());
    assert!(p.iter().all(|p| p.feature_index.is_none() && matches!(p.kind, ProblemKind::OutsideParent { .. })));
    assert_eq!(p[0].message_zh().split('：').next(), Some("已有区域（编码 320102001002003）"));
}

#[test]
fn coordinates_in_gcj02_are_converted_and_the_declared_crs_is_checked() {
    // The street's corners given in GCJ-02: stored as the WGS-84 corners, to 6 decimals.
    let g = |x: f64, y: f64| {
        let (a, b) = from_wgs84(Crs::Gcj02, x, y);
        json!([a, b])
    };
    let ring = json!([[g(X0, Y0), g(X1, Y0), g(X1, Y1), g(X0, Y1), g(X0, Y0)]]);
    let doc = json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "GCJ-02"}},
        "features": [feature(STREET, "某街道", polygon(ring))],
    })
    .to_string();
    let areas = import_areas(&doc, None, &district_stored(), &CheckOptions::default()).expect("clean");
    let stored = to_geojson_geometry(areas[0].polygon.as_ref().expect("polygon"));
    assert_eq!(
        stored,
        r#"{"type":"MultiPolygon","coordinates":[[[[116,39.9],[116.02,39.9],[116.02,39.92],[116,39.92],[116,39.9]]]]}"#
    );
    assert_eq!(
        import_areas(&doc, Some(Crs::Gcj02), &district_stored(), &CheckOptions::default()).map(|a| a.len()),
        Ok(1)
    );

    let p = import_areas(&doc, Some(Crs::Wgs84), &district_stored(), &CheckOptions::default()).expect_err("conflict");
    assert_eq!(p[0].kind, ProblemKind::CrsConflict { declared: Crs::Gcj02, requested: Crs::Wgs84 });
    let unknown = doc.replace("GCJ-02", "EPSG:32650");
    let p = import_areas(&unknown, None, &district_stored(), &CheckOptions::default()).expect_err("unknown");
    assert_eq!(p[0].kind, ProblemKind::UnknownCrs { declared: "EPSG:32650".into() });
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let mut features = clean_set();
    features[2]["properties"]["name"] = Value::Null;
    features[3]["geometry"] = polygon(json!([[[XM, Y0], [X1, Y0], [X1, YM], [XM, YM]]]));
    features[4]["properties"]["code"] = json!("abc");
    features[5]["geometry"] = polygon(rect(XM, YM, X1 + 0.01, Y1));
    let p = problems(&collection(features));
    let at: Vec<Option<usize>> = p.iter().map(|p| p.feature_index).collect();
    // Missing name (2), unclosed ring (3), bad code (4), outside parent (5).
    assert_eq!(
        at,
        [Some(2), Some(3), Some(4), Some(5)],
        "{:#?}",
        p.iter().map(Problem::message_en).collect::<Vec<_>>()
    );
}

#[test]
fn check_works_on_areas_already_read() {
    let areas = import(&collection(clean_set())).expect("clean");
    assert!(check(&areas, &district_stored(), &CheckOptions::default()).is_empty());
    let p = check(&areas[1..], &district_stored(), &CheckOptions::default());
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].feature_index, &p[0].kind), (Some(0), &ProblemKind::UnknownParent { parent: STREET.into() }));
}

#[test]
fn stored_geometry_text_round_trips() {
    let ring = json!([[[116.1234567, 39.5], [116.2, 39.5], [116.2, 39.6], [116.1234567, 39.5]]]);
    let parsed = parse_geometry(&polygon(ring).to_string()).expect("polygon");
    let text = to_geojson_geometry(&parsed);
    assert_eq!(
        text,
        r#"{"type":"MultiPolygon","coordinates":[[[[116.123457,39.5],[116.2,39.5],[116.2,39.6],[116.123457,39.5]]]]}"#
    );
    let again = parse_geometry(&text).expect("multipolygon");
    assert_eq!(to_geojson_geometry(&again), text);
    // Negative coordinates and holes survive too.
    let holed = json!({"type": "MultiPolygon", "coordinates": [[
        [[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0]],
        [[-0.5, -0.5], [-0.5, 0.5], [0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]]
    ]]});
    let parsed = parse_geometry(&holed.to_string()).expect("holed");
    assert_eq!(parsed.0[0].interiors().len(), 1);
    assert_eq!(parse_geometry(&to_geojson_geometry(&parsed)), Ok(parsed));
    assert!(matches!(parse_geometry("{\"type\":\"Point\",\"coordinates\":[1,2]}"), Err(GeoError::Geometry(_))));
    assert!(matches!(parse_geometry("nope"), Err(GeoError::Geometry(_))));
}

#[test]
fn areas_are_measured_geodesically() {
    // 0.01° × 0.01° at 39.9 N: 853.9 m × 1110.9 m ≈ 948,600 m².
    let a = area_m2(&parse_geometry(&polygon(rect(X0, Y0, XM, YM)).to_string()).expect("square"));
    assert!((a - 948_600.0).abs() < 2_000.0, "{a}");
    // Orientation does not change it (parse_geometry orients rings; this one is built clockwise).
    let cw = LineString::from(vec![(X0, Y0), (X0, YM), (XM, YM), (XM, Y0), (X0, Y0)]);
    let b = area_m2(&MultiPolygon(vec![Polygon::new(cw, Vec::new())]));
    assert!((a - b).abs() < 1e-3, "{a} {b}");
}
