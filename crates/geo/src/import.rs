//! Reading an areas/grids GeoJSON file, and checking it before anything is stored.
//!
//! An administrator imports districts, streets, communities, grids or micro-grids as a GeoJSON
//! FeatureCollection. Each feature carries `properties.code` (the area code), `properties.name`,
//! optionally `properties.parent` (otherwise the parent is read from the code), and a Polygon or
//! MultiPolygon geometry in the declared coordinate system (the call's [`Crs`] or the file's
//! top-level `crs` member; WGS-84 when neither says). Geometry is optional above grid level.
//!
//! [`import_areas`] either returns the areas, converted to WGS-84 and rounded to 6 decimals
//! (about 0.1 m) as they will be stored, or **every** problem found, so a file is fixed in one
//! round: malformed features, rings that are not closed or cross themselves, codes that are bad
//! or repeated, parents that do not exist, siblings that overlap, children that stick out of
//! their parent or leave part of it uncovered. Checks run against the areas already stored too
//! ([`ExistingAreas`]), so grids imported under a stored community are held against that
//! community's polygon and its other grids.
//!
//! Areas are measured on the WGS-84 ellipsoid (geographiclib, through geo's [`GeodesicArea`]);
//! overlaps and differences are computed on longitude/latitude, which at grid scale differs from
//! the geodesic figure by far less than the tolerances.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use geo::algorithm::validation::{InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::{
    BooleanOps, BoundingRect, Coord, GeodesicArea, LineString, MultiPolygon, Orient, Polygon, Rect,
    RemoveRepeatedPoints, Validation, orient::Direction, unary_union,
};
use serde_json::Value;
use shiyu_domain::area::{AreaCode, AreaLevel};

use crate::GeoError;
use crate::crs::{Crs, to_wgs84};

/// One area read from the file, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaFeature {
    /// The area's code.
    pub code: AreaCode,
    /// The parent's code (`None` for a city).
    pub parent: Option<AreaCode>,
    /// The display name, trimmed.
    pub name: String,
    /// The outline in WGS-84, exterior rings counter-clockwise, 6 decimals. Grids and
    /// micro-grids always have one; higher levels may not.
    pub polygon: Option<MultiPolygon<f64>>,
}

/// Which ring of a (multi)polygon a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingRef {
    /// Position of the polygon in a MultiPolygon (0 for a Polygon).
    pub polygon: usize,
    /// `None` for the exterior ring, `Some(k)` for the k-th hole (from 0).
    pub hole: Option<usize>,
}

impl RingRef {
    fn zh(self) -> String {
        let part = if self.polygon > 0 { format!("第{}个多边形的", self.polygon + 1) } else { String::new() };
        match self.hole {
            None => format!("{part}外环"),
            Some(k) => format!("{part}第{}个内环", k + 1),
        }
    }

    fn en(self) -> String {
        let ring = match self.hole {
            None => "the outer ring".to_owned(),
            Some(k) => format!("hole {}", k + 1),
        };
        if self.polygon > 0 { format!("{ring} of polygon {}", self.polygon + 1) } else { ring }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// The file is not JSON.
    InvalidJson {
        /// The parser's message.
        detail: String,
    },
    /// The file is JSON but not a GeoJSON FeatureCollection.
    NotFeatureCollection,
    /// The file's `crs` member names no coordinate system shiyu knows.
    UnknownCrs {
        /// What the file says.
        declared: String,
    },
    /// The file declares one coordinate system and the import was asked for another.
    CrsConflict {
        /// What the file says.
        declared: Crs,
        /// What the import was called with.
        requested: Crs,
    },
    /// An entry of `features` is not a GeoJSON Feature.
    NotAFeature,
    /// The geometry is not a Polygon/MultiPolygon, is malformed, or has a coordinate out of range.
    BadGeometry {
        /// What is wrong, in English (geometry vocabulary is shown as is).
        detail: String,
    },
    /// A grid or micro-grid has no geometry.
    MissingGeometry,
    /// A ring's last coordinate is not its first (checked on the file's own coordinates).
    UnclosedRing {
        /// The ring.
        ring: RingRef,
    },
    /// A ring has fewer than 3 distinct points.
    TooFewPoints {
        /// The ring.
        ring: RingRef,
    },
    /// A ring crosses or touches itself.
    SelfIntersection {
        /// The ring.
        ring: RingRef,
    },
    /// `code` is missing or not an area code.
    BadCode {
        /// The text found (empty when missing).
        value: String,
    },
    /// `parent` is not an area code.
    BadParentCode {
        /// The text found.
        value: String,
    },
    /// `parent` is a valid code but not the one the area's code belongs under.
    ParentMismatch {
        /// The declared parent.
        parent: String,
        /// The parent the code implies.
        expected: String,
    },
    /// The same code appears earlier in the file.
    DuplicateCode {
        /// Position of the first occurrence (from 0).
        first_index: usize,
    },
    /// `name` is missing or blank.
    MissingName,
    /// The parent is neither in the file nor stored.
    UnknownParent {
        /// The parent's code.
        parent: String,
    },
    /// Overlaps a sibling (same parent) by more than the tolerance. Shared edges are fine.
    SiblingOverlap {
        /// The sibling's code.
        other: String,
        /// Overlapping area in m².
        overlap_m2: f64,
    },
    /// Lies partly outside its parent's polygon, by more than the tolerance.
    OutsideParent {
        /// The parent's code.
        parent: String,
        /// Area outside the parent, in m².
        outside_m2: f64,
    },
    /// The children of this area leave part of its polygon uncovered, beyond the tolerance.
    ParentCoverageHole {
        /// The parent's code (the area this problem is about).
        parent: String,
        /// Uncovered area in m².
        uncovered_m2: f64,
    },
}

fn m2(value: f64) -> String {
    if value < 10.0 { format!("{value:.2}") } else { format!("{value:.0}") }
}

impl ProblemKind {
    /// The problem in Chinese, without saying which feature.
    pub fn message_zh(&self) -> String {
        match self {
            Self::InvalidJson { detail } => format!("不是有效的 JSON（{detail}）"),
            Self::NotFeatureCollection => "不是 GeoJSON 要素集合（FeatureCollection）".into(),
            Self::UnknownCrs { declared } => format!("无法识别的坐标系“{declared}”（可用 wgs84、gcj02、bd09）"),
            Self::CrsConflict { declared, requested } => {
                format!("文件声明的坐标系 {declared} 与导入时选择的 {requested} 不一致")
            }
            Self::NotAFeature => "不是 GeoJSON 要素（Feature）".into(),
            Self::BadGeometry { detail } => format!("几何图形无效：{detail}"),
            Self::MissingGeometry => "网格必须有边界多边形".into(),
            Self::UnclosedRing { ring } => format!("{}未闭合（首尾坐标不同）", ring.zh()),
            Self::TooFewPoints { ring } => format!("{}少于 3 个不同的点", ring.zh()),
            Self::SelfIntersection { ring } => format!("{}自相交", ring.zh()),
            Self::BadCode { value } if value.is_empty() => "缺少编码".into(),
            Self::BadCode { value } => format!("编码“{value}”不是有效的区划编码（12、15 或 18 位数字）"),
            Self::BadParentCode { value } => format!("上级编码“{value}”不是有效的区划编码"),
            Self::ParentMismatch { parent, expected } => {
                format!("上级编码 {parent} 与本区域编码不符，应为 {expected}")
            }
            Self::DuplicateCode { first_index } => format!("编码与第{}个要素重复", first_index + 1),
            Self::MissingName => "缺少名称".into(),
            Self::UnknownParent { parent } => format!("上级区域 {parent} 既不在文件中，也不在系统中"),
            Self::SiblingOverlap { other, overlap_m2 } => {
                format!("与同级区域 {other} 重叠 {} 平方米", m2(*overlap_m2))
            }
            Self::OutsideParent { parent, outside_m2 } => {
                format!("有 {} 平方米超出上级区域 {parent} 的范围", m2(*outside_m2))
            }
            Self::ParentCoverageHole { parent, uncovered_m2 } => {
                format!("区域 {parent} 有 {} 平方米未被下级区域覆盖", m2(*uncovered_m2))
            }
        }
    }

    /// The problem in English, without saying which feature.
    pub fn message_en(&self) -> String {
        match self {
            Self::InvalidJson { detail } => format!("not valid JSON ({detail})"),
            Self::NotFeatureCollection => "not a GeoJSON FeatureCollection".into(),
            Self::UnknownCrs { declared } => {
                format!("unknown coordinate system \"{declared}\" (use wgs84, gcj02 or bd09)")
            }
            Self::CrsConflict { declared, requested } => {
                format!("the file declares coordinate system {declared} but the import was asked for {requested}")
            }
            Self::NotAFeature => "not a GeoJSON Feature".into(),
            Self::BadGeometry { detail } => format!("invalid geometry: {detail}"),
            Self::MissingGeometry => "a grid must have a boundary polygon".into(),
            Self::UnclosedRing { ring } => format!("{} is not closed (first and last coordinates differ)", ring.en()),
            Self::TooFewPoints { ring } => format!("{} has fewer than 3 distinct points", ring.en()),
            Self::SelfIntersection { ring } => format!("{} intersects itself", ring.en()),
            Self::BadCode { value } if value.is_empty() => "the code is missing".into(),
            Self::BadCode { value } => format!("\"{value}\" is not an area code (12, 15 or 18 digits)"),
            Self::BadParentCode { value } => format!("parent \"{value}\" is not an area code"),
            Self::ParentMismatch { parent, expected } => {
                format!("parent {parent} does not match the area's code, which belongs under {expected}")
            }
            Self::DuplicateCode { first_index } => format!("the code repeats feature {}", first_index + 1),
            Self::MissingName => "the name is missing".into(),
            Self::UnknownParent { parent } => format!("parent {parent} is neither in the file nor stored"),
            Self::SiblingOverlap { other, overlap_m2 } => {
                format!("overlaps sibling {other} by {} m²", m2(*overlap_m2))
            }
            Self::OutsideParent { parent, outside_m2 } => {
                format!("{} m² lie outside parent {parent}", m2(*outside_m2))
            }
            Self::ParentCoverageHole { parent, uncovered_m2 } => {
                format!("{} m² of {parent} are not covered by its children", m2(*uncovered_m2))
            }
        }
    }
}

/// One problem, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Position of the feature in the file's `features` array, from 0. `None` when the problem
    /// is about the file as a whole, or about an area already stored (then `code` says which).
    pub feature_index: Option<usize>,
    /// The area's code as written (even if invalid), when there is one.
    pub code: Option<String>,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl Problem {
    /// E.g. "第3个要素（编码 320102001002003）：外环未闭合（首尾坐标不同）". Features are counted
    /// from 1 here.
    pub fn message_zh(&self) -> String {
        let kind = self.kind.message_zh();
        match (self.feature_index, &self.code) {
            (Some(i), Some(code)) => format!("第{}个要素（编码 {code}）：{kind}", i + 1),
            (Some(i), None) => format!("第{}个要素：{kind}", i + 1),
            (None, Some(code)) => format!("已有区域（编码 {code}）：{kind}"),
            (None, None) => format!("文件：{kind}"),
        }
    }

    /// E.g. "Feature 3 (code 320102001002003): the outer ring is not closed (…)".
    pub fn message_en(&self) -> String {
        let kind = self.kind.message_en();
        match (self.feature_index, &self.code) {
            (Some(i), Some(code)) => format!("Feature {} (code {code}): {kind}", i + 1),
            (Some(i), None) => format!("Feature {}: {kind}", i + 1),
            (None, Some(code)) => format!("Stored area {code}: {kind}"),
            (None, None) => format!("File: {kind}"),
        }
    }
}

/// The areas already stored, as the checks need them. Storage loads what an import touches
/// (e.g. the city's areas) and hands it over; [`BTreeMap`] and [`NoAreas`] implement it.
pub trait ExistingAreas {
    /// `None` if `code` is not stored; otherwise its polygon, if it has one.
    fn get(&self, code: &AreaCode) -> Option<Option<MultiPolygon<f64>>>;
    /// The stored children of `code`, with their polygons.
    fn children(&self, code: &AreaCode) -> Vec<(AreaCode, Option<MultiPolygon<f64>>)>;
}

/// Nothing is stored yet (a new deployment's first import).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAreas;

impl ExistingAreas for NoAreas {
    fn get(&self, _: &AreaCode) -> Option<Option<MultiPolygon<f64>>> {
        None
    }

    fn children(&self, _: &AreaCode) -> Vec<(AreaCode, Option<MultiPolygon<f64>>)> {
        Vec::new()
    }
}

impl ExistingAreas for BTreeMap<AreaCode, Option<MultiPolygon<f64>>> {
    fn get(&self, code: &AreaCode) -> Option<Option<MultiPolygon<f64>>> {
        BTreeMap::get(self, code).cloned()
    }

    fn children(&self, code: &AreaCode) -> Vec<(AreaCode, Option<MultiPolygon<f64>>)> {
        // Descendants share the code's scope prefix and sort after it, so one range scan finds
        // them.
        let prefix = code.scope_prefix();
        self.range(code.clone()..)
            .take_while(|(c, _)| c.as_str().starts_with(prefix))
            .filter(|(c, _)| c.parent().as_ref() == Some(code))
            .map(|(c, p)| (c.clone(), p.clone()))
            .collect()
    }
}

/// How much disagreement between polygons is tolerated, in m². Below these, differences are
/// taken as digitising noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckOptions {
    /// Largest overlap between siblings not reported.
    pub overlap_m2: f64,
    /// Largest part of a child outside its parent not reported.
    pub outside_m2: f64,
    /// Largest part of a parent left uncovered by its children not reported.
    pub hole_m2: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self { overlap_m2: 1.0, outside_m2: 1.0, hole_m2: 1.0 }
    }
}

/// Reads and checks an areas/grids GeoJSON FeatureCollection.
///
/// `crs` is the coordinate system the administrator chose for the file; the file may also
/// declare one in a top-level `crs` member (`"gcj02"`, or the old GeoJSON `{"type": "name",
/// "properties": {"name": …}}` form). Both given and different is a problem; neither means
/// WGS-84. Returns every area, in file order, or every problem found, in file order.
pub fn import_areas(
    text: &str,
    crs: Option<Crs>,
    existing: &dyn ExistingAreas,
    options: &CheckOptions,
) -> Result<Vec<AreaFeature>, Vec<Problem>> {
    let file_problem = |kind| vec![Problem { feature_index: None, code: None, kind }];
    let doc: Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => return Err(file_problem(ProblemKind::InvalidJson { detail: e.to_string() })),
    };
    let features = match (&doc["type"], &doc["features"]) {
        (Value::String(t), Value::Array(features)) if t == "FeatureCollection" => features,
        _ => return Err(file_problem(ProblemKind::NotFeatureCollection)),
    };
    let mut problems = Vec::new();
    let declared = match declared_crs(&doc) {
        Ok(declared) => declared,
        Err(text) => {
            problems.push(Problem {
                feature_index: None,
                code: None,
                kind: ProblemKind::UnknownCrs { declared: text },
            });
            None
        }
    };
    if let (Some(declared), Some(requested)) = (declared, crs)
        && declared != requested
    {
        problems.push(Problem {
            feature_index: None,
            code: None,
            kind: ProblemKind::CrsConflict { declared, requested },
        });
    }
    let crs = crs.or(declared).unwrap_or(Crs::Wgs84);

    let mut areas = Vec::new();
    let mut positions = Vec::new();
    let mut unusable = HashSet::new();
    let mut first_seen: HashMap<AreaCode, usize> = HashMap::new();
    for (index, value) in features.iter().enumerate() {
        let read = read_feature(value, crs, |code, kind| {
            problems.push(Problem { feature_index: Some(index), code, kind });
        });
        let Some((area, geometry_ok)) = read else { continue };
        if let Some(&first_index) = first_seen.get(&area.code) {
            let code = Some(area.code.to_string());
            problems.push(Problem {
                feature_index: Some(index),
                code,
                kind: ProblemKind::DuplicateCode { first_index },
            });
            continue;
        }
        first_seen.insert(area.code.clone(), index);
        // A feature whose geometry failed still counts as present (its children's parent
        // exists), but its outline cannot be measured against others.
        if !geometry_ok {
            unusable.insert(area.code.clone());
        }
        areas.push(area);
        positions.push(index);
    }
    problems.extend(check_at(&areas, &positions, &unusable, existing, options));
    if problems.is_empty() {
        Ok(areas)
    } else {
        sort_problems(&mut problems);
        Err(problems)
    }
}

/// Checks already-read areas against each other and against what is stored: unknown parents,
/// sibling overlaps, children outside their parent, parents not covered by their children.
/// `feature_index` in the problems is the position in `areas`.
pub fn check(areas: &[AreaFeature], existing: &dyn ExistingAreas, options: &CheckOptions) -> Vec<Problem> {
    let positions: Vec<usize> = (0..areas.len()).collect();
    let mut problems = check_at(areas, &positions, &HashSet::new(), existing, options);
    sort_problems(&mut problems);
    problems
}

fn sort_problems(problems: &mut [Problem]) {
    // The file first, then features in order, then stored areas.
    problems.sort_by_key(|p| match (p.feature_index, &p.code) {
        (None, None) => 0,
        (Some(i), _) => i.saturating_add(1),
        (None, Some(_)) => usize::MAX,
    });
}

fn declared_crs(doc: &Value) -> Result<Option<Crs>, String> {
    let name = match &doc["crs"] {
        Value::Null => return Ok(None),
        Value::String(name) => name,
        other => match &other["properties"]["name"] {
            Value::String(name) => name,
            _ => return Err(other.to_string()),
        },
    };
    name.parse().map(Some).map_err(|_| name.clone())
}

fn code_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        // Spreadsheet exports write codes as numbers; integers up to 18 digits fit a u64.
        Value::Number(n) => n.as_u64().map(|n| n.to_string()).or_else(|| Some(n.to_string())),
        _ => None,
    }
}

/// Reads one feature, reporting through `report(code, kind)`. Returns the area when its code is
/// usable, with whether its geometry was read without problems.
fn read_feature(
    value: &Value,
    crs: Crs,
    mut report: impl FnMut(Option<String>, ProblemKind),
) -> Option<(AreaFeature, bool)> {
    if value["type"] != "Feature" {
        report(None, ProblemKind::NotAFeature);
        return None;
    }
    let props = &value["properties"];
    let raw_code = code_text(&props["code"]);
    let shown = raw_code.clone().filter(|c| !c.is_empty());
    let code = match raw_code.as_deref().map(AreaCode::parse) {
        Some(Ok(code)) => Some(code),
        _ => {
            report(shown.clone(), ProblemKind::BadCode { value: raw_code.clone().unwrap_or_default() });
            None
        }
    };
    let name = match &props["name"] {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => {
            report(shown.clone(), ProblemKind::MissingName);
            None
        }
    };
    let parent = match &props["parent"] {
        Value::Null => code.as_ref().and_then(AreaCode::parent),
        raw => match code_text(raw).as_deref().map(AreaCode::parse) {
            Some(Ok(parent)) => {
                let expected = code.as_ref().and_then(AreaCode::parent);
                if let Some(expected) = expected.as_ref().filter(|e| **e != parent) {
                    let kind =
                        ProblemKind::ParentMismatch { parent: parent.to_string(), expected: expected.to_string() };
                    report(shown.clone(), kind);
                }
                Some(parent)
            }
            _ => {
                report(shown.clone(), ProblemKind::BadParentCode { value: code_text(raw).unwrap_or_default() });
                None
            }
        },
    };
    let (polygon, geometry_ok) = match &value["geometry"] {
        Value::Null => {
            let needs = code.as_ref().is_some_and(|c| matches!(c.level(), AreaLevel::Grid | AreaLevel::MicroGrid));
            if needs {
                report(shown.clone(), ProblemKind::MissingGeometry);
            }
            (None, !needs)
        }
        geometry => match read_geometry(geometry, crs, true) {
            Ok(polygon) => (Some(polygon), true),
            Err(kinds) => {
                for kind in kinds {
                    report(shown.clone(), kind);
                }
                (None, false)
            }
        },
    };
    Some((AreaFeature { code: code?, parent, name: name.unwrap_or_default(), polygon }, geometry_ok))
}

/// Reads a GeoJSON geometry as a WGS-84 multipolygon, reporting every ring problem. With
/// `round`, coordinates are rounded to 6 decimals first so that what is checked is what is
/// stored.
fn read_geometry(value: &Value, crs: Crs, round: bool) -> Result<MultiPolygon<f64>, Vec<ProblemKind>> {
    let bad = |detail: String| vec![ProblemKind::BadGeometry { detail }];
    let geometry: geojson::Geometry = match serde_json::from_value(value.clone()) {
        Ok(g) => g,
        Err(e) => return Err(bad(e.to_string())),
    };
    let parts: Vec<&geojson::PolygonType> = match &geometry.value {
        geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
        geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        other => return Err(bad(format!("{} is not a Polygon or MultiPolygon", other.type_name()))),
    };
    if parts.is_empty() || parts.iter().any(|rings| rings.is_empty()) {
        return Err(bad("empty polygon".into()));
    }
    let mut problems = Vec::new();
    for (p, rings) in parts.iter().enumerate() {
        for (r, ring) in rings.iter().enumerate() {
            let at = RingRef { polygon: p, hole: r.checked_sub(1) };
            let out_of_range = ring.iter().find(|pos| {
                let s = pos.as_slice();
                s.len() < 2 || !s[0].is_finite() || !s[1].is_finite() || s[0].abs() > 180.0 || s[1].abs() > 90.0
            });
            if let Some(pos) = out_of_range {
                problems.push(ProblemKind::BadGeometry {
                    detail: format!("coordinate {:?} of {} is out of range", pos.as_slice(), at.en()),
                });
                continue;
            }
            let xy = |i: usize| ring.get(i).map(|pos| (pos.as_slice()[0], pos.as_slice()[1]));
            if ring.len() > 1 && xy(0) != xy(ring.len() - 1) {
                problems.push(ProblemKind::UnclosedRing { ring: at });
            }
            let mut distinct: Vec<(f64, f64)> = (0..ring.len()).filter_map(xy).collect();
            distinct.dedup();
            if distinct.len() > 1 && distinct.first() == distinct.last() {
                distinct.pop();
            }
            if distinct.len() < 3 {
                problems.push(ProblemKind::TooFewPoints { ring: at });
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let convert = |pos: &geojson::Position| {
        let s = pos.as_slice();
        let (x, y) = to_wgs84(crs, s[0], s[1]);
        if round { Coord { x: round6(x), y: round6(y) } } else { Coord { x, y } }
    };
    let polygons = parts
        .iter()
        .map(|rings| {
            let mut rings = rings.iter().map(|ring| LineString(ring.iter().map(convert).collect()));
            let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
            Polygon::new(exterior, rings.collect())
        })
        .collect();
    let polygon = MultiPolygon(polygons).remove_repeated_points().orient(Direction::Default);
    // Rounding may have merged the points of a tiny ring.
    for (p, part) in polygon.0.iter().enumerate() {
        for (r, ring) in std::iter::once(part.exterior()).chain(part.interiors()).enumerate() {
            if ring.0.len() < 4 {
                problems.push(ProblemKind::TooFewPoints { ring: RingRef { polygon: p, hole: r.checked_sub(1) } });
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for error in polygon.validation_errors() {
        problems.push(match error {
            InvalidMultiPolygon::InvalidPolygon(p, InvalidPolygon::SelfIntersection(role)) => {
                ProblemKind::SelfIntersection { ring: ring_ref(p.0, role) }
            }
            InvalidMultiPolygon::InvalidPolygon(p, InvalidPolygon::TooFewPointsInRing(role)) => {
                ProblemKind::TooFewPoints { ring: ring_ref(p.0, role) }
            }
            InvalidMultiPolygon::InvalidPolygon(p, other) => {
                ProblemKind::BadGeometry { detail: format!("polygon {}: {other}", p.0 + 1) }
            }
            other => ProblemKind::BadGeometry { detail: other.to_string() },
        });
    }
    if problems.is_empty() { Ok(polygon) } else { Err(problems) }
}

fn ring_ref(polygon: usize, role: RingRole) -> RingRef {
    RingRef {
        polygon,
        hole: match role {
            RingRole::Exterior => None,
            RingRole::Interior(k) => Some(k),
        },
    }
}

fn round6(v: f64) -> f64 {
    let r = (v * 1e6).round() / 1e6;
    // No "-0" in stored text.
    if r == 0.0 { 0.0 } else { r }
}

/// Geodesic area of a (multi)polygon in m², whatever its rings' orientation.
pub fn area_m2(polygon: &MultiPolygon<f64>) -> f64 {
    // Per part: geo's signed area is negative for clockwise rings, and a sum over parts of
    // mixed orientation would cancel.
    polygon.0.iter().map(|p| p.geodesic_area_signed().abs()).sum()
}

/// A member of a family (a parent and its children) as the checks see it.
struct Member<'a> {
    code: &'a AreaCode,
    // Position in the file, or None for a stored area.
    index: Option<usize>,
    polygon: Option<&'a MultiPolygon<f64>>,
    usable: bool,
}

fn check_at(
    areas: &[AreaFeature],
    positions: &[usize],
    unusable: &HashSet<AreaCode>,
    existing: &dyn ExistingAreas,
    options: &CheckOptions,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let in_file: HashMap<&AreaCode, usize> = areas.iter().enumerate().map(|(i, a)| (&a.code, i)).collect();
    let problem = |i: usize, kind| Problem {
        feature_index: positions.get(i).copied(),
        code: Some(areas[i].code.to_string()),
        kind,
    };

    // Parents must exist.
    let mut stored_cache: HashMap<AreaCode, Option<Option<MultiPolygon<f64>>>> = HashMap::new();
    let mut stored = |code: &AreaCode| stored_cache.entry(code.clone()).or_insert_with(|| existing.get(code)).clone();
    for (i, area) in areas.iter().enumerate() {
        if let Some(parent) = &area.parent
            && !in_file.contains_key(parent)
            && stored(parent).is_none()
        {
            problems.push(problem(i, ProblemKind::UnknownParent { parent: parent.to_string() }));
        }
    }

    // Every family the file touches: the parents of its areas, and its areas as parents of
    // stored children.
    let families: BTreeSet<&AreaCode> =
        areas.iter().flat_map(|a| a.parent.iter().chain(std::iter::once(&a.code))).collect();
    let mut file_children: HashMap<&AreaCode, Vec<usize>> = HashMap::new();
    for (i, area) in areas.iter().enumerate() {
        if let Some(parent) = &area.parent {
            file_children.entry(parent).or_default().push(i);
        }
    }
    for parent in families {
        let stored_children: Vec<(AreaCode, Option<MultiPolygon<f64>>)> =
            existing.children(parent).into_iter().filter(|(c, _)| !in_file.contains_key(c)).collect();
        let mut members: Vec<Member<'_>> = file_children
            .get(parent)
            .into_iter()
            .flatten()
            .map(|&i| Member {
                code: &areas[i].code,
                index: Some(i),
                polygon: areas[i].polygon.as_ref(),
                usable: !unusable.contains(&areas[i].code),
            })
            .collect();
        members.extend(stored_children.iter().map(|(code, polygon)| Member {
            code,
            index: None,
            polygon: polygon.as_ref(),
            usable: true,
        }));
        if members.is_empty() {
            continue;
        }
        let parent_index = in_file.get(parent).copied();
        let stored_parent;
        let parent_polygon = match parent_index {
            Some(i) => areas[i].polygon.as_ref().filter(|_| !unusable.contains(parent)),
            None => {
                stored_parent = stored(parent).flatten();
                stored_parent.as_ref()
            }
        };
        let report = |member: &Member<'_>, kind| match member.index {
            Some(i) => problem(i, kind),
            None => Problem { feature_index: None, code: Some(member.code.to_string()), kind },
        };

        sibling_overlaps(&members, options, &mut |a, b, overlap_m2| {
            // On the later of the two in the file; a stored one is only ever the `other`.
            let (on, other) = match (a.index, b.index) {
                (Some(x), Some(y)) if x > y => (a, b),
                (Some(_), None) => (a, b),
                _ => (b, a),
            };
            problems.push(report(on, ProblemKind::SiblingOverlap { other: other.code.to_string(), overlap_m2 }));
        });

        let Some(parent_polygon) = parent_polygon else { continue };
        for member in &members {
            let Some(child) = member.polygon.filter(|_| member.usable) else { continue };
            // A stored child under a stored parent is not this import's business.
            if member.index.is_none() && parent_index.is_none() {
                continue;
            }
            let outside_m2 = area_m2(&child.difference(parent_polygon));
            if outside_m2 > options.outside_m2 {
                problems.push(report(member, ProblemKind::OutsideParent { parent: parent.to_string(), outside_m2 }));
            }
        }

        // Coverage can only be judged when every child has a usable outline.
        let children: Option<Vec<&MultiPolygon<f64>>> =
            members.iter().map(|m| m.polygon.filter(|_| m.usable)).collect();
        let Some(children) = children else { continue };
        let uncovered_m2 = area_m2(&parent_polygon.difference(&unary_union(children)));
        if uncovered_m2 > options.hole_m2 {
            let kind = ProblemKind::ParentCoverageHole { parent: parent.to_string(), uncovered_m2 };
            problems.push(match parent_index {
                Some(i) => problem(i, kind),
                None => Problem { feature_index: None, code: Some(parent.to_string()), kind },
            });
        }
    }
    problems
}

/// Calls `found(a, b, m²)` for each pair of members, at least one from the file, overlapping by
/// more than the tolerance. A sweep over bounding boxes sorted by west edge keeps this near
/// linear for large families.
fn sibling_overlaps<'m, 'a>(
    members: &'m [Member<'a>],
    options: &CheckOptions,
    found: &mut dyn FnMut(&'m Member<'a>, &'m Member<'a>, f64),
) {
    let mut boxed: Vec<(Rect<f64>, &Member<'a>, &MultiPolygon<f64>)> = members
        .iter()
        .filter(|m| m.usable)
        .filter_map(|m| m.polygon.and_then(|p| p.bounding_rect().map(|r| (r, m, p))))
        .collect();
    boxed.sort_by(|a, b| a.0.min().x.total_cmp(&b.0.min().x));
    for (i, (ra, a, pa)) in boxed.iter().enumerate() {
        for (rb, b, pb) in &boxed[i + 1..] {
            if rb.min().x > ra.max().x {
                break;
            }
            if a.index.is_none() && b.index.is_none() {
                continue;
            }
            if rb.min().y > ra.max().y || rb.max().y < ra.min().y {
                continue;
            }
            let overlap_m2 = area_m2(&pa.intersection(*pb));
            if overlap_m2 > options.overlap_m2 {
                found(a, b, overlap_m2);
            }
        }
    }
}

/// A polygon as GeoJSON geometry text, the form of the `areas.polygon` column: always a
/// MultiPolygon, WGS-84, 6 decimals (about 0.1 m), no insignificant zeros.
pub fn to_geojson_geometry(polygon: &MultiPolygon<f64>) -> String {
    let mut out = String::from(r#"{"type":"MultiPolygon","coordinates":["#);
    for (p, part) in polygon.0.iter().enumerate() {
        out.push_str(if p > 0 { ",[" } else { "[" });
        for (r, ring) in std::iter::once(part.exterior()).chain(part.interiors()).enumerate() {
            out.push_str(if r > 0 { ",[" } else { "[" });
            for (c, coord) in ring.0.iter().enumerate() {
                let sep = if c > 0 { "," } else { "" };
                // Display of an f64 never uses exponent notation, and a value rounded to 6
                // decimals prints with at most 6.
                let _ = write!(out, "{sep}[{},{}]", round6(coord.x), round6(coord.y));
            }
            out.push(']');
        }
        out.push(']');
    }
    out.push_str("]}");
    out
}

/// Reads GeoJSON geometry text (Polygon or MultiPolygon, WGS-84) as stored in `areas.polygon`.
pub fn parse_geometry(text: &str) -> Result<MultiPolygon<f64>, GeoError> {
    let value: Value = serde_json::from_str(text).map_err(|e| GeoError::Geometry(e.to_string()))?;
    read_geometry(&value, Crs::Wgs84, false).map_err(|problems| {
        let detail: Vec<String> = problems.iter().map(ProblemKind::message_en).collect();
        GeoError::Geometry(detail.join("; "))
    })
}

#[cfg(test)]
mod tests;
