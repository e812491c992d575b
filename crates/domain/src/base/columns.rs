//! The columns of base-data files (CSV and XLSX alike): headers in Chinese, written on export and
//! read on import together with English aliases; each row checked into a record, every bad cell
//! reported with its row and column; and records written back in the same columns, so that an
//! export imported again changes nothing.

use chrono::NaiveDate;

use crate::DomainError;
use crate::area::{AreaCode, AreaLevel};
use crate::base::care;
use crate::base::credit::CreditCode;
use crate::base::idnum::IdNumber;
use crate::base::kinds::{CameraStatus, HouseUse, ResidentKind, Tenancy};
use crate::base::phone::Phone;
use crate::base::records::{CameraRecord, EntityRecord, HouseRecord, ResidentRecord, WgsPoint};

/// Which table a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// 实有人口.
    Residents,
    /// 实有房屋.
    Houses,
    /// 实有单位.
    Entities,
    /// 视频点位.
    Cameras,
}

/// One column: its field key (as errors name it), Chinese header, English alias, and whether a
/// value is required.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Field key.
    pub key: &'static str,
    /// Chinese header (written on export).
    pub zh: &'static str,
    /// English alias.
    pub en: &'static str,
    /// A value is required.
    pub required: bool,
}

const fn col(key: &'static str, zh: &'static str, en: &'static str, required: bool) -> Column {
    Column { key, zh, en, required }
}

const LOCATION: [Column; 3] =
    [col("lon", "经度", "lon", false), col("lat", "纬度", "lat", false), col("crs", "坐标系", "crs", false)];

impl Table {
    /// Every table.
    pub const ALL: [Table; 4] = [Table::Residents, Table::Houses, Table::Entities, Table::Cameras];

    /// The wire name (`residents`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Residents => "residents",
            Self::Houses => "houses",
            Self::Entities => "entities",
            Self::Cameras => "cameras",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|t| t.as_str() == text.trim()).ok_or(DomainError::invalid("table", "unknown_value"))
    }

    /// Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Residents => "实有人口",
            Self::Houses => "实有房屋",
            Self::Entities => "实有单位",
            Self::Cameras => "视频点位",
        }
    }

    /// English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Residents => "Residents",
            Self::Houses => "Houses",
            Self::Entities => "Legal entities",
            Self::Cameras => "Cameras",
        }
    }

    /// The columns, in file order.
    pub fn columns(self) -> Vec<Column> {
        match self {
            Self::Residents => vec![
                col("id_number", "身份证号", "id_number", true),
                col("name", "姓名", "name", true),
                col("phone", "联系电话", "phone", false),
                col("kind", "人口类型", "kind", true),
                col("grid", "网格编码", "grid", false),
                col("house", "房屋编号", "house", false),
                col("care", "关爱类别", "care", false),
            ],
            Self::Houses => {
                let mut v = vec![
                    col("code", "房屋编号", "code", true),
                    col("address", "地址", "address", true),
                    col("building", "楼栋", "building", false),
                    col("unit", "单元", "unit", false),
                    col("room", "房号", "room", false),
                    col("use", "用途", "use", true),
                    col("tenancy", "租住情况", "tenancy", true),
                ];
                v.extend(LOCATION);
                v.push(col("grid", "网格编码", "grid", false));
                v
            }
            Self::Entities => {
                let mut v = vec![
                    col("credit_code", "统一社会信用代码", "credit_code", true),
                    col("name", "名称", "name", true),
                    col("address", "地址", "address", true),
                ];
                v.extend(LOCATION);
                v.push(col("grid", "网格编码", "grid", false));
                v
            }
            Self::Cameras => vec![
                col("code", "设备编号", "code", true),
                col("name", "名称", "name", true),
                col("lon", "经度", "lon", true),
                col("lat", "纬度", "lat", true),
                col("crs", "坐标系", "crs", false),
                col("status", "状态", "status", true),
                col("stream_url", "视频流地址", "stream_url", true),
                col("grid", "网格编码", "grid", false),
            ],
        }
    }

    /// The Chinese headers, as written on export.
    pub fn headers(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.zh).collect()
    }
}

/// A bad cell (or header): which row (as the user numbers it, header = 1), which column (its
/// header), and why (a reason code the edge translates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Row number; 1 is the header row.
    pub row: usize,
    /// Column header (or field key when the column is missing).
    pub column: String,
    /// Field key.
    pub field: &'static str,
    /// Reason code.
    pub reason: &'static str,
}

/// Where each column of a table sits in a file.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    table: Table,
    /// For each column of the table, its position in the file's rows.
    positions: Vec<Option<usize>>,
    headers: Vec<String>,
}

/// Matches a file's header row to a table's columns: unknown, repeated and missing required
/// columns are all reported.
pub fn map_headers(table: Table, headers: &[String]) -> Result<HeaderMap, Vec<CellError>> {
    let cols = table.columns();
    let mut positions = vec![None; cols.len()];
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        match cols.iter().position(|c| c.zh == h || c.en.eq_ignore_ascii_case(h)) {
            Some(k) if positions[k].is_some() => {
                errors.push(CellError { row: 1, column: h.to_owned(), field: cols[k].key, reason: "duplicate_column" })
            }
            Some(k) => positions[k] = Some(i),
            None => errors.push(CellError { row: 1, column: h.to_owned(), field: "header", reason: "unknown_column" }),
        }
    }
    for (k, c) in cols.iter().enumerate() {
        if c.required && positions[k].is_none() {
            errors.push(CellError { row: 1, column: c.zh.to_owned(), field: c.key, reason: "missing_column" });
        }
    }
    if errors.is_empty() { Ok(HeaderMap { table, positions, headers: headers.to_vec() }) } else { Err(errors) }
}

/// Converts a point in a declared coordinate system (`""` = WGS-84) to WGS-84; the caller supplies
/// it (the geo crate), so this crate stays free of geodesy. Errs with a reason code.
pub type Convert<'a> = &'a dyn Fn(f64, f64, &str) -> Result<(f64, f64), &'static str>;

/// One row being read: collects every bad cell instead of stopping at the first.
struct RowReader<'a> {
    map: &'a HeaderMap,
    cells: &'a [String],
    row: usize,
    errors: Vec<CellError>,
}

impl<'a> RowReader<'a> {
    fn cell(&self, key: &str) -> &'a str {
        let cols = self.map.table.columns();
        cols.iter()
            .position(|c| c.key == key)
            .and_then(|k| self.map.positions[k])
            .and_then(|i| self.cells.get(i))
            .map_or("", |s| s.trim())
    }

    fn fail(&mut self, key: &'static str, reason: &'static str) {
        let cols = self.map.table.columns();
        let column = cols
            .iter()
            .position(|c| c.key == key)
            .and_then(|k| {
                self.map.positions[k].and_then(|i| self.map.headers.get(i).cloned()).or(Some(cols[k].zh.to_owned()))
            })
            .unwrap_or_else(|| key.to_owned());
        self.errors.push(CellError { row: self.row, column, field: key, reason });
    }

    /// A required text cell, at most `max` characters.
    fn text(&mut self, key: &'static str, required: bool, max: usize) -> String {
        let v = self.cell(key).to_owned();
        if required && v.is_empty() {
            self.fail(key, "required");
        } else if v.chars().count() > max {
            self.fail(key, "too_long");
        }
        v
    }

    fn checked<T>(&mut self, key: &'static str, r: Result<T, DomainError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(DomainError::Invalid { reason, .. }) => {
                self.fail(key, reason);
                None
            }
            Err(_) => {
                self.fail(key, "invalid");
                None
            }
        }
    }

    fn grid(&mut self) -> Option<AreaCode> {
        let v = self.cell("grid");
        if v.is_empty() {
            return None;
        }
        match AreaCode::parse(v) {
            Ok(c) if c.level() >= AreaLevel::Grid => Some(c),
            Ok(_) => {
                self.fail("grid", "not_a_grid");
                None
            }
            Err(_) => {
                self.fail("grid", "not_an_area_code");
                None
            }
        }
    }

    fn number(&mut self, key: &'static str, min: f64, max: f64) -> Option<f64> {
        match self.cell(key).parse::<f64>() {
            Ok(x) if x.is_finite() && (min..=max).contains(&x) => Some(x),
            Ok(_) => {
                self.fail(key, "out_of_range");
                None
            }
            Err(_) => {
                self.fail(key, "not_a_number");
                None
            }
        }
    }

    /// Both coordinates or neither; converted to WGS-84.
    fn location(&mut self, convert: Convert<'_>, required: bool) -> Option<WgsPoint> {
        if !required && self.cell("lon").is_empty() && self.cell("lat").is_empty() {
            return None;
        }
        let lon = self.number("lon", -180.0, 180.0);
        let lat = self.number("lat", -90.0, 90.0);
        let (lon, lat) = (lon?, lat?);
        match convert(lon, lat, self.cell("crs")) {
            Ok((x, y)) => Some(WgsPoint::new(x, y)),
            Err(reason) => {
                self.fail("crs", reason);
                None
            }
        }
    }

    fn done<T>(self, value: Option<T>) -> Result<T, Vec<CellError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

fn reader<'a>(map: &'a HeaderMap, cells: &'a [String], row: usize) -> RowReader<'a> {
    RowReader { map, cells, row, errors: Vec::new() }
}

/// Reads a residents row.
pub fn resident(
    map: &HeaderMap,
    cells: &[String],
    row: usize,
    today: NaiveDate,
) -> Result<ResidentRecord, Vec<CellError>> {
    let mut r = reader(map, cells, row);
    let id = {
        let v = r.cell("id_number");
        r.checked("id_number", IdNumber::parse(v, today))
    };
    let name = r.text("name", true, 50);
    let phone = match r.cell("phone") {
        "" => Some(None),
        v => r.checked("phone", Phone::parse(v)).map(Some),
    };
    let kind = {
        let v = r.cell("kind");
        r.checked("kind", ResidentKind::parse_any(v))
    };
    let grid = r.grid();
    let house = Some(r.text("house", false, 64)).filter(|h| !h.is_empty());
    let care = {
        let v = r.cell("care");
        r.checked("care", care::parse_list(v))
    };
    let value =
        (|| Some(ResidentRecord { id_number: id?, name, phone: phone?, kind: kind?, grid, house, care: care? }))();
    r.done(value)
}

/// Reads a houses row.
pub fn house(
    map: &HeaderMap,
    cells: &[String],
    row: usize,
    convert: Convert<'_>,
) -> Result<HouseRecord, Vec<CellError>> {
    let mut r = reader(map, cells, row);
    let code = r.text("code", true, 64);
    let address = r.text("address", true, 200);
    let building = r.text("building", false, 20);
    let unit = r.text("unit", false, 20);
    let room = r.text("room", false, 20);
    let use_ = {
        let v = r.cell("use");
        r.checked("use", HouseUse::parse_any(v))
    };
    let tenancy = {
        let v = r.cell("tenancy");
        r.checked("tenancy", Tenancy::parse_any(v))
    };
    let location = r.location(convert, false);
    let grid = r.grid();
    let value =
        (|| Some(HouseRecord { code, address, building, unit, room, use_: use_?, tenancy: tenancy?, location, grid }))(
        );
    r.done(value)
}

/// Reads a legal-entities row.
pub fn entity(
    map: &HeaderMap,
    cells: &[String],
    row: usize,
    convert: Convert<'_>,
) -> Result<EntityRecord, Vec<CellError>> {
    let mut r = reader(map, cells, row);
    let code = {
        let v = r.cell("credit_code");
        r.checked("credit_code", CreditCode::parse(v))
    };
    let name = r.text("name", true, 200);
    let address = r.text("address", true, 200);
    let location = r.location(convert, false);
    let grid = r.grid();
    let value = (|| Some(EntityRecord { credit_code: code?, name, address, location, grid }))();
    r.done(value)
}

/// Reads a cameras row.
pub fn camera(
    map: &HeaderMap,
    cells: &[String],
    row: usize,
    convert: Convert<'_>,
) -> Result<CameraRecord, Vec<CellError>> {
    let mut r = reader(map, cells, row);
    let code = r.text("code", true, 64);
    let name = r.text("name", true, 100);
    let location = r.location(convert, true);
    let status = {
        let v = r.cell("status");
        r.checked("status", CameraStatus::parse_any(v))
    };
    let stream_url = r.text("stream_url", true, 500);
    let scheme_ok =
        ["http://", "https://", "rtsp://", "rtmp://"].iter().any(|s| stream_url.to_ascii_lowercase().starts_with(s));
    if !stream_url.is_empty() && !scheme_ok {
        r.fail("stream_url", "bad_url");
    }
    let grid = r.grid();
    let value = (|| Some(CameraRecord { code, name, location: location?, status: status?, stream_url, grid }))();
    r.done(value)
}

fn coord(p: Option<WgsPoint>) -> [String; 3] {
    match p {
        Some(p) => [p.lon.to_string(), p.lat.to_string(), "wgs84".to_owned()],
        None => [String::new(), String::new(), String::new()],
    }
}

fn code(a: &Option<AreaCode>) -> String {
    a.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// A resident as a row of [`Table::Residents`].
pub fn resident_row(r: &ResidentRecord) -> Vec<String> {
    vec![
        r.id_number.as_str().to_owned(),
        r.name.clone(),
        r.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        r.kind.label_zh().to_owned(),
        code(&r.grid),
        r.house.clone().unwrap_or_default(),
        care::format_list(&r.care),
    ]
}

/// A house as a row of [`Table::Houses`].
pub fn house_row(h: &HouseRecord) -> Vec<String> {
    let mut v = vec![
        h.code.clone(),
        h.address.clone(),
        h.building.clone(),
        h.unit.clone(),
        h.room.clone(),
        h.use_.label_zh().to_owned(),
        h.tenancy.label_zh().to_owned(),
    ];
    v.extend(coord(h.location));
    v.push(code(&h.grid));
    v
}

/// An entity as a row of [`Table::Entities`].
pub fn entity_row(e: &EntityRecord) -> Vec<String> {
    let mut v = vec![e.credit_code.as_str().to_owned(), e.name.clone(), e.address.clone()];
    v.extend(coord(e.location));
    v.push(code(&e.grid));
    v
}

/// A camera as a row of [`Table::Cameras`].
pub fn camera_row(c: &CameraRecord) -> Vec<String> {
    let [lon, lat, crs] = coord(Some(c.location));
    vec![
        c.code.clone(),
        c.name.clone(),
        lon,
        lat,
        crs,
        c.status.label_zh().to_owned(),
        c.stream_url.clone(),
        code(&c.grid),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("d")
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    fn wgs(lon: f64, lat: f64, crs: &str) -> Result<(f64, f64), &'static str> {
        match crs {
            "" | "wgs84" => Ok((lon, lat)),
            "shift" => Ok((lon + 0.001, lat)),
            _ => Err("unknown_value"),
        }
    }

    #[test]
    fn headers_in_either_language_and_every_header_problem() {
        let m = map_headers(Table::Residents, &s(&["身份证号", "name", "人口类型"])).expect("map");
        let r = resident(&m, &s(&["11010519491231002X", "张三", "流动"]), 2, today()).expect("row");
        assert_eq!(r.kind, ResidentKind::Floating);
        let errs = map_headers(Table::Residents, &s(&["身份证号", "身份证号", "血型"])).expect_err("bad");
        let reasons: Vec<_> = errs.iter().map(|e| (e.column.as_str(), e.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                ("身份证号", "duplicate_column"),
                ("血型", "unknown_column"),
                ("姓名", "missing_column"),
                ("人口类型", "missing_column")
            ]
        );
    }

    #[test]
    fn every_bad_cell_of_a_row_is_named_with_row_and_column() {
        let m = map_headers(Table::Residents, &s(&Table::Residents.headers())).expect("map");
        let errs = resident(&m, &s(&["110105194912310021", "", "123", "外籍", "4399", "", "信访"]), 7, today())
            .expect_err("bad");
        let got: Vec<_> = errs.iter().map(|e| (e.row, e.column.as_str(), e.reason)).collect();
        assert_eq!(
            got,
            vec![
                (7, "身份证号", "bad_check_digit"),
                (7, "姓名", "required"),
                (7, "联系电话", "not_a_phone_number"),
                (7, "人口类型", "unknown_value"),
                (7, "网格编码", "not_an_area_code"),
                (7, "关爱类别", "unknown_value"),
            ]
        );
    }

    #[test]
    fn records_written_as_rows_read_back_equal() {
        let m = map_headers(Table::Houses, &s(&Table::Houses.headers())).expect("map");
        let h = house(
            &m,
            &s(&[
                "H-001",
                "东门路1号",
                "3栋",
                "2单元",
                "501",
                "出租",
                "出租",
                "113.0212345",
                "28.1",
                "shift",
                "439901001001001",
            ]),
            2,
            &wgs,
        )
        .expect_err("use 出租 is not a use");
        assert_eq!(h[0].column, "用途");
        let row = s(&[
            "H-001",
            "东门路1号",
            "3栋",
            "2单元",
            "501",
            "住宅",
            "出租",
            "113.0212345",
            "28.1",
            "shift",
            "439901001001001",
        ]);
        let h = house(&m, &row, 2, &wgs).expect("house");
        assert_eq!(h.location, Some(WgsPoint::new(113.022_234_5, 28.1)), "converted and rounded");
        assert_eq!(house(&m, &house_row(&h), 2, &wgs).expect("again"), h);

        let m = map_headers(Table::Cameras, &s(&Table::Cameras.headers())).expect("map");
        let c = camera(&m, &s(&["C1", "东门路口", "113.02", "28.1", "", "在线", "rtsp://10.0.0.1/1", ""]), 2, &wgs)
            .expect("cam");
        assert_eq!(camera(&m, &camera_row(&c), 2, &wgs).expect("again"), c);
        let bad = camera(&m, &s(&["C2", "无", "", "28.1", "mars", "坏了", "ftp://x", ""]), 3, &wgs).expect_err("bad");
        let reasons: Vec<_> = bad.iter().map(|e| (e.field, e.reason)).collect();
        assert_eq!(reasons, vec![("lon", "not_a_number"), ("status", "unknown_value"), ("stream_url", "bad_url")]);

        let m = map_headers(Table::Residents, &s(&Table::Residents.headers())).expect("map");
        let r = resident(
            &m,
            &s(&["11010519491231002x", "李四", "138 1234 5678", "户籍", "", "H-001", "独居老人"]),
            2,
            today(),
        )
        .expect("resident");
        assert_eq!(resident(&m, &resident_row(&r), 2, today()).expect("again"), r);

        let m = map_headers(Table::Entities, &s(&Table::Entities.headers())).expect("map");
        let e = entity(&m, &s(&["91350100M000100Y43", "某公司", "西门路2号", "", "", "", "439901002001001"]), 2, &wgs)
            .expect("entity");
        assert_eq!(entity(&m, &entity_row(&e), 2, &wgs).expect("again"), e);
    }
}
