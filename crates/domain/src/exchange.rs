//! Records from other systems (DESIGN §9): how another system's file maps onto shiyu's cases,
//! disputes and residents, and what an import of it reports.
//!
//! A mapping file (TOML, one per source system and kind of record) names, for each shiyu field,
//! the other system's column header (`[columns]`), translates their values into shiyu's codes
//! (`[values.FIELD]`) and fills fields their file does not carry (`[defaults]`). Field mappings are
//! configuration, not code: a new source system is a new file. Everything here is pure: the
//! mapping text is parsed and checked, a file's header row is located, each row is mapped into a
//! [`Mapped`] record (shiyu field → text) and then checked into the record the write path takes.
//! The store keeps, per imported record, a fingerprint of its mapped form and the version of the
//! local record at the time, so that importing the same record again changes nothing and a record
//! changed on both sides is reported, never overwritten.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::DomainError;
use crate::area::AreaCode;
use crate::base::columns::{self, CellError};
use crate::base::records::ResidentRecord;
use crate::case::{CategoryCode, Channel, Intake, Ledger, Reporter, Urgency};
use crate::dispute::{DisputeType, Fen, MediationKind, NewParty, PartyKind, PartyRole, RiskLevel, Source};

/// The kinds of record another system may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Cases (诉求/事件).
    Cases,
    /// Disputes (矛盾纠纷).
    Disputes,
    /// Residents (实有人口).
    Residents,
}

/// One shiyu field a mapping may fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's key, as mapping files and errors name it.
    pub key: &'static str,
    /// Chinese label (reports, comments on cases).
    pub zh: &'static str,
    /// English label.
    pub en: &'static str,
    /// Every record needs a value (from a column or a default).
    pub required: bool,
    /// A personal identifier: never stored or reported in clear (masked, keyed hash).
    pub sensitive: bool,
}

const fn f(key: &'static str, zh: &'static str, en: &'static str, required: bool, sensitive: bool) -> FieldSpec {
    FieldSpec { key, zh, en, required, sensitive }
}

/// The key of the other system's identifier, which every kind carries.
pub const EXTERNAL_ID: &str = "external_id";

const CASE_FIELDS: [FieldSpec; 9] = [
    f(EXTERNAL_ID, "外部编号", "external id", true, false),
    f("title", "标题", "title", true, false),
    f("text", "内容", "text", true, false),
    f("ledger", "台账类型", "ledger", true, false),
    f("category", "分类", "category", true, false),
    f("area_code", "所属区域", "area", true, false),
    f("urgency", "紧急程度", "urgency", false, false),
    f("reporter_name", "反映人", "reporter", false, false),
    f("reporter_phone", "反映人电话", "reporter's phone", false, true),
];

const DISPUTE_FIELDS: [FieldSpec; 18] = [
    f(EXTERNAL_ID, "外部编号", "external id", true, false),
    f("title", "纠纷名称", "title", true, false),
    f("facts", "纠纷事实", "facts", true, false),
    f("dispute_type", "纠纷类型", "dispute type", true, false),
    f("risk", "风险等级", "risk level", false, false),
    f("area_code", "所属区域", "area", true, false),
    f("money", "涉及金额", "money involved", false, false),
    f("mediation_kind", "调解类型", "mediation kind", false, false),
    f("source", "纠纷来源", "source", false, false),
    f("court_ref", "法院委派号", "court referral number", false, false),
    f("applicant_name", "申请人", "applicant", true, false),
    f("applicant_kind", "申请人类别", "applicant kind", false, false),
    f("applicant_id", "申请人证件号", "applicant identifier", false, true),
    f("applicant_phone", "申请人电话", "applicant phone", false, true),
    f("respondent_name", "被申请人", "respondent", true, false),
    f("respondent_kind", "被申请人类别", "respondent kind", false, false),
    f("respondent_id", "被申请人证件号", "respondent identifier", false, true),
    f("respondent_phone", "被申请人电话", "respondent phone", false, true),
];

const RESIDENT_FIELDS: [FieldSpec; 8] = [
    f(EXTERNAL_ID, "外部编号", "external id", true, false),
    f("id_number", "身份证号", "identity number", true, true),
    f("name", "姓名", "name", true, false),
    f("phone", "联系电话", "phone", false, true),
    f("kind", "人口类型", "resident kind", true, false),
    f("grid", "网格编码", "grid", false, false),
    f("house", "房屋编号", "house", false, false),
    f("care", "关爱类别", "care group", false, false),
];

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 3] = [Kind::Cases, Kind::Disputes, Kind::Residents];

    /// The wire name (`cases`, `disputes`, `residents`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cases => "cases",
            Self::Disputes => "disputes",
            Self::Residents => "residents",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// The fields a mapping of this kind may fill.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Self::Cases => &CASE_FIELDS,
            Self::Disputes => &DISPUTE_FIELDS,
            Self::Residents => &RESIDENT_FIELDS,
        }
    }

    /// One field by key.
    pub fn field(self, key: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|s| s.key == key)
    }
}

/// A problem with a mapping file, naming the TOML key it is about (`columns.titel`,
/// `values.ledger`, `kind`); the reason is a code translated at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingProblem {
    /// The key, dotted (`columns.title`).
    pub key: String,
    /// Reason code: `syntax`, `required`, `not_text`, `unknown_value`, `unknown_key`,
    /// `unknown_field`, `missing_mapping`, `duplicate_header`, `not_mapped`.
    pub reason: &'static str,
    /// More detail where the reason needs it (the TOML parser's message, the other field).
    pub detail: Option<String>,
}

fn problem(key: impl Into<String>, reason: &'static str) -> MappingProblem {
    MappingProblem { key: key.into(), reason, detail: None }
}

/// A checked mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The other system's name, as its records are keyed (`county-hotline`).
    pub source: String,
    /// What its file holds.
    pub kind: Kind,
    /// shiyu field → their column header.
    columns: BTreeMap<&'static str, String>,
    /// shiyu field → (their value → shiyu value).
    values: BTreeMap<&'static str, BTreeMap<String, String>>,
    /// shiyu field → value for every record (used when the column is absent or its cell empty).
    defaults: BTreeMap<&'static str, String>,
}

/// Reads a table of text values (`[columns]`, `[defaults]`, one `[values.X]`).
fn text_table(
    kind: Option<Kind>,
    section: &str,
    value: &toml::Value,
    check_field: bool,
    problems: &mut Vec<MappingProblem>,
) -> Vec<(String, String)> {
    let Some(t) = value.as_table() else {
        problems.push(problem(section, "not_a_table"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in t {
        let key = format!("{section}.{k}");
        if check_field && kind.is_some_and(|kind| kind.field(k).is_none()) {
            problems.push(problem(&key, "unknown_field"));
            continue;
        }
        match v.as_str().map(str::trim) {
            Some("") => problems.push(problem(&key, "required")),
            Some(s) => out.push((k.clone(), s.to_owned())),
            None => problems.push(problem(&key, "not_text")),
        }
    }
    out
}

/// Parses and checks a mapping file: every problem is listed, each naming its key.
pub fn parse_mapping(text: &str) -> Result<Mapping, Vec<MappingProblem>> {
    let doc: toml::Table = match text.parse() {
        Ok(d) => d,
        Err(e) => {
            return Err(vec![MappingProblem {
                key: String::new(),
                reason: "syntax",
                detail: Some(e.message().trim().to_owned()),
            }]);
        }
    };
    let mut problems = Vec::new();
    let mut text_of = |key: &str| match doc.get(key) {
        None => {
            problems.push(problem(key, "required"));
            None
        }
        Some(v) => match v.as_str().map(str::trim) {
            Some("") => {
                problems.push(problem(key, "required"));
                None
            }
            Some(s) if s.chars().count() > 64 => {
                problems.push(problem(key, "too_long"));
                None
            }
            Some(s) => Some(s.to_owned()),
            None => {
                problems.push(problem(key, "not_text"));
                None
            }
        },
    };
    let source = text_of("source");
    let kind_text = text_of("kind");
    let kind = kind_text.as_deref().and_then(|k| {
        let parsed = Kind::parse(k);
        if parsed.is_none() {
            problems.push(MappingProblem { key: "kind".into(), reason: "unknown_value", detail: Some(k.to_owned()) });
        }
        parsed
    });
    for k in doc.keys() {
        if !matches!(k.as_str(), "source" | "kind" | "columns" | "values" | "defaults") {
            problems.push(problem(k.as_str(), "unknown_key"));
        }
    }
    let static_key = |k: &str| kind.and_then(|kind| kind.field(k)).map(|s| s.key);
    let mut columns: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut by_header: BTreeMap<String, &'static str> = BTreeMap::new();
    match doc.get("columns") {
        None => problems.push(problem("columns", "required")),
        Some(v) => {
            for (field, header) in text_table(kind, "columns", v, true, &mut problems) {
                let Some(key) = static_key(&field) else { continue };
                if let Some(other) = by_header.get(&header) {
                    problems.push(MappingProblem {
                        key: format!("columns.{field}"),
                        reason: "duplicate_header",
                        detail: Some(format!("{header} (columns.{other})")),
                    });
                    continue;
                }
                by_header.insert(header.clone(), key);
                columns.insert(key, header);
            }
        }
    }
    let mut defaults: BTreeMap<&'static str, String> = BTreeMap::new();
    if let Some(v) = doc.get("defaults") {
        for (field, value) in text_table(kind, "defaults", v, true, &mut problems) {
            if field == EXTERNAL_ID {
                // Each record's identity comes from their file; a default would make them all one.
                problems.push(problem("defaults.external_id", "unknown_field"));
            } else if let Some(key) = static_key(&field) {
                defaults.insert(key, value);
            }
        }
    }
    let mut values: BTreeMap<&'static str, BTreeMap<String, String>> = BTreeMap::new();
    if let Some(v) = doc.get("values") {
        match v.as_table() {
            None => problems.push(problem("values", "not_a_table")),
            Some(t) => {
                for (field, table) in t {
                    let key = format!("values.{field}");
                    let Some(spec) = kind.and_then(|k| k.field(field)) else {
                        if kind.is_some() {
                            problems.push(problem(&key, "unknown_field"));
                        }
                        continue;
                    };
                    if !columns.contains_key(spec.key) {
                        problems.push(problem(&key, "not_mapped"));
                        continue;
                    }
                    let pairs = text_table(None, &key, table, false, &mut problems);
                    values.insert(spec.key, pairs.into_iter().collect());
                }
            }
        }
    }
    if let Some(kind) = kind {
        for spec in kind.fields() {
            let mapped = columns.contains_key(spec.key) || defaults.contains_key(spec.key);
            if spec.required && !mapped {
                problems.push(problem(format!("columns.{}", spec.key), "missing_mapping"));
            }
        }
    }
    match (source, kind) {
        (Some(source), Some(kind)) if problems.is_empty() => Ok(Mapping { source, kind, columns, values, defaults }),
        _ => Err(problems),
    }
}

/// Where each mapped column sits in a file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    positions: BTreeMap<&'static str, usize>,
}

/// One row of their file as shiyu fields: value translation and defaults applied, trimmed, empty
/// fields left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// Row number in the file (header = 1).
    pub row: usize,
    /// Their identifier of the record.
    pub external_id: String,
    /// shiyu field → value.
    pub fields: BTreeMap<&'static str, String>,
}

impl Mapped {
    /// A field's value, `""` when absent.
    pub fn get(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", String::as_str)
    }
}

impl Mapping {
    /// How errors name a field: their column header, else the default's key.
    pub fn column_label(&self, field: &str) -> String {
        match (self.columns.get(field), self.defaults.contains_key(field)) {
            (Some(h), _) => h.clone(),
            (None, true) => format!("defaults.{field}"),
            (None, false) => field.to_owned(),
        }
    }

    /// Finds the mapped columns in a file's header row; each missing one is an error on row 1.
    /// Their other columns are ignored: other systems carry more than shiyu takes.
    pub fn locate(&self, headers: &[String]) -> Result<Located, Vec<CellError>> {
        let mut positions = BTreeMap::new();
        let mut errors = Vec::new();
        for (key, header) in &self.columns {
            match headers.iter().position(|h| h.trim() == header) {
                Some(i) => {
                    positions.insert(*key, i);
                }
                None => errors.push(CellError { row: 1, column: header.clone(), field: key, reason: "missing_column" }),
            }
        }
        if errors.is_empty() { Ok(Located { positions }) } else { Err(errors) }
    }

    /// Maps one row: translated values, defaults for empty cells, required fields present.
    pub fn map_row(&self, at: &Located, cells: &[String], row: usize) -> Result<Mapped, Vec<CellError>> {
        let mut fields = BTreeMap::new();
        let mut errors = Vec::new();
        for spec in self.kind.fields() {
            let cell = at.positions.get(spec.key).and_then(|i| cells.get(*i)).map_or("", |c| c.trim());
            let value = if cell.is_empty() {
                self.defaults.get(spec.key).map_or("", String::as_str)
            } else {
                self.values.get(spec.key).and_then(|v| v.get(cell)).map_or(cell, String::as_str)
            };
            if value.is_empty() {
                if spec.required {
                    errors.push(CellError {
                        row,
                        column: self.column_label(spec.key),
                        field: spec.key,
                        reason: "required",
                    });
                }
                continue;
            }
            if value.chars().count() > 5000 {
                errors.push(CellError {
                    row,
                    column: self.column_label(spec.key),
                    field: spec.key,
                    reason: "too_long",
                });
                continue;
            }
            fields.insert(spec.key, value.to_owned());
        }
        let external_id = fields.get(EXTERNAL_ID).cloned().unwrap_or_default();
        if external_id.chars().count() > 128 {
            errors.push(CellError {
                row,
                column: self.column_label(EXTERNAL_ID),
                field: EXTERNAL_ID,
                reason: "too_long",
            });
        }
        if errors.is_empty() { Ok(Mapped { row, external_id, fields }) } else { Err(errors) }
    }

    fn cell_error(&self, row: usize, key: &'static str, reason: &'static str) -> CellError {
        CellError { row, column: self.column_label(key), field: key, reason }
    }

    /// Collects a field's parse result, recording a refusal against the field's column.
    fn check<T>(
        &self,
        r: &Mapped,
        key: &'static str,
        res: Result<T, DomainError>,
        errors: &mut Vec<CellError>,
    ) -> Option<T> {
        match res {
            Ok(v) => Some(v),
            Err(DomainError::Invalid { reason, .. }) => {
                errors.push(self.cell_error(r.row, key, reason));
                None
            }
            Err(_) => {
                errors.push(self.cell_error(r.row, key, "invalid"));
                None
            }
        }
    }
}

/// A case from another system, ready for the normal registration.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseImport {
    /// The intake (channel `external`).
    pub intake: Intake,
    /// The reporter's name and phone when both are given.
    pub contact: Option<(String, String)>,
}

/// Checks a mapped row into a case intake; every bad field is reported.
pub fn case_intake(m: &Mapping, r: &Mapped) -> Result<CaseImport, Vec<CellError>> {
    let mut e = Vec::new();
    let ledger = m.check(r, "ledger", Ledger::parse_any(r.get("ledger")), &mut e);
    let category = m.check(r, "category", CategoryCode::parse(r.get("category")), &mut e);
    let area = m.check(
        r,
        "area_code",
        AreaCode::parse(r.get("area_code")).map_err(|_| DomainError::invalid("area_code", "not_an_area_code")),
        &mut e,
    );
    let urgency = match r.get("urgency") {
        "" => Some(Urgency::Normal),
        u => m.check(r, "urgency", Urgency::parse_any(u), &mut e),
    };
    for (key, max) in [("title", 200), ("text", 5000)] {
        if r.get(key).chars().count() > max {
            e.push(m.cell_error(r.row, key, "too_long"));
        }
    }
    let contact = match (r.get("reporter_name"), r.get("reporter_phone")) {
        ("", "") => None,
        ("", _) => {
            e.push(m.cell_error(r.row, "reporter_name", "required"));
            None
        }
        (_, "") => {
            e.push(m.cell_error(r.row, "reporter_phone", "required"));
            None
        }
        (n, p) => {
            // The same rule as the case intake's, so a bad number is named by its row here.
            let digits: String = p.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
            if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                Some((n.to_owned(), p.to_owned()))
            } else {
                e.push(m.cell_error(r.row, "reporter_phone", "not_a_phone_number"));
                None
            }
        }
    };
    let (Some(ledger), Some(category), Some(area), Some(urgency)) = (ledger, category, area, urgency) else {
        return Err(e);
    };
    if !e.is_empty() {
        return Err(e);
    }
    let intake = Intake {
        ledger,
        category,
        channel: Channel::External,
        urgency,
        title: r.get("title").to_owned(),
        text: r.get("text").to_owned(),
        area,
        location: None,
        off_grid: false,
        reporter: if contact.is_some() { Reporter::Contact } else { Reporter::Anonymous },
        attachments: Vec::new(),
    };
    Ok(CaseImport { intake, contact })
}

/// A dispute from another system, ready for the normal registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeImport {
    /// Short title.
    pub title: String,
    /// Facts.
    pub facts: String,
    /// Type.
    pub dispute_type: DisputeType,
    /// Risk (default blue).
    pub risk: RiskLevel,
    /// Source (default a party's application; a screening or a case cannot come from outside).
    pub source: Source,
    /// Where.
    pub area: AreaCode,
    /// Money involved.
    pub money: Fen,
    /// Kind of mediation (default people's).
    pub mediation_kind: MediationKind,
    /// Applicant and respondent.
    pub parties: Vec<NewParty>,
    /// A court's referral number.
    pub court_ref: Option<String>,
}

/// Checks a mapped row into a dispute; every bad field is reported.
pub fn dispute(m: &Mapping, r: &Mapped) -> Result<DisputeImport, Vec<CellError>> {
    let mut e = Vec::new();
    let dispute_type = m.check(r, "dispute_type", DisputeType::parse_any(r.get("dispute_type")), &mut e);
    let risk = match r.get("risk") {
        "" => Some(RiskLevel::Blue),
        v => m.check(r, "risk", RiskLevel::parse_any(v), &mut e),
    };
    let source = match r.get("source") {
        "" => Some(Source::Application),
        v => match Source::parse_any(v) {
            Ok(s @ (Source::Application | Source::CourtReferral)) => Some(s),
            Ok(_) => {
                e.push(m.cell_error(r.row, "source", "unknown_value"));
                None
            }
            Err(err) => m.check(r, "source", Err(err), &mut e),
        },
    };
    let area = m.check(
        r,
        "area_code",
        AreaCode::parse(r.get("area_code")).map_err(|_| DomainError::invalid("area_code", "not_an_area_code")),
        &mut e,
    );
    let money = m.check(r, "money", Fen::parse_yuan(r.get("money")), &mut e);
    let mediation_kind = match r.get("mediation_kind") {
        "" => Some(MediationKind::Peoples),
        v => m.check(r, "mediation_kind", MediationKind::parse_any(v), &mut e),
    };
    let mut parties = Vec::new();
    for (role, prefix) in [(PartyRole::Applicant, "applicant"), (PartyRole::Respondent, "respondent")] {
        let key = |suffix: &str| {
            DISPUTE_FIELDS.iter().find(|s| s.key == format!("{prefix}_{suffix}")).map_or(EXTERNAL_ID, |s| s.key)
        };
        let kind = match r.get(key("kind")) {
            "" => Some(PartyKind::Person),
            v => m.check(r, key("kind"), PartyKind::parse_any(v), &mut e),
        };
        let phone = match r.get(key("phone")) {
            "" => Some(None),
            v => m.check(r, key("phone"), crate::base::Phone::parse(v).map(Some), &mut e),
        };
        let identifier = Some(r.get(key("id")).to_owned()).filter(|s| !s.is_empty());
        if let (Some(kind), Some(phone)) = (kind, phone) {
            parties.push(NewParty {
                role,
                kind,
                name: r.get(key("name")).to_owned(),
                identifier,
                phone,
                address: None,
                base_id: None,
            });
        }
    }
    let court_ref = Some(r.get("court_ref").to_owned()).filter(|s| !s.is_empty());
    match (dispute_type, risk, source, area, money, mediation_kind) {
        (Some(dispute_type), Some(risk), Some(source), Some(area), Some(money), Some(mediation_kind))
            if e.is_empty() =>
        {
            Ok(DisputeImport {
                title: r.get("title").to_owned(),
                facts: r.get("facts").to_owned(),
                dispute_type,
                risk,
                source,
                area,
                money,
                mediation_kind,
                parties,
                court_ref,
            })
        }
        _ => Err(e),
    }
}

/// Checks a mapped row into a resident with the base-data rules (identity number check digit,
/// phone, kind, grid, care groups), errors naming their columns.
pub fn resident(m: &Mapping, r: &Mapped, today: NaiveDate) -> Result<ResidentRecord, Vec<CellError>> {
    use crate::base::columns::Table;
    let cols = Table::Residents.columns();
    let headers: Vec<String> = cols.iter().map(|c| c.en.to_owned()).collect();
    let cells: Vec<String> = cols.iter().map(|c| r.get(c.key).to_owned()).collect();
    let map = columns::map_headers(Table::Residents, &headers).map_err(|errs| {
        errs.into_iter().map(|mut c| {
            c.column = m.column_label(c.field);
            c
        })
    });
    let map = match map {
        Ok(map) => map,
        Err(errs) => return Err(errs.collect()),
    };
    columns::resident(&map, &cells, r.row, today).map_err(|errs| {
        errs.into_iter()
            .map(|mut c| {
                c.column = m.column_label(c.field);
                c
            })
            .collect()
    })
}

/// The stored form of a mapped record: field → text, with personal identifiers already replaced
/// by the caller's `seal` (a mask and a keyed hash), so the form can be kept and compared.
pub type StoredForm = BTreeMap<String, String>;

/// Marks where the keyed hash starts in a sensitive field's stored form (`138****5678#ab12…`).
const HASH_MARK: char = '#';

/// The stored form of `r`: sensitive fields become `mask#keyed_hash`, computed by `keyed`.
pub fn stored_form(kind: Kind, r: &Mapped, keyed: impl Fn(&str) -> String) -> StoredForm {
    r.fields
        .iter()
        .map(|(k, v)| {
            let sensitive = kind.field(k).is_some_and(|s| s.sensitive);
            let v =
                if sensitive { format!("{}{HASH_MARK}{}", crate::base::phone::mask(v), keyed(v)) } else { v.clone() };
            ((*k).to_owned(), v)
        })
        .collect()
}

/// The fingerprint of a stored form: SHA-256 of its canonical JSON (keys sorted).
pub fn fingerprint(form: &StoredForm) -> String {
    let canonical = serde_json::to_string(form).unwrap_or_default();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// A stored value as reports show it: sensitive values masked, without their hash.
pub fn shown(value: &str) -> String {
    match value.rsplit_once(HASH_MARK) {
        Some((mask, hash)) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => mask.to_owned(),
        _ => value.to_owned(),
    }
}

/// One field that differs between two imports of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Field key.
    pub field: String,
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
    /// Their value at the last import (masked when personal).
    pub before: Option<String>,
    /// Their value now.
    pub theirs: Option<String>,
    /// Our value now, where the local record carries the field.
    pub ours: Option<String>,
}

/// The fields whose values differ between the last imported form and this one.
pub fn changed_fields(kind: Kind, before: &StoredForm, now: &StoredForm) -> Vec<FieldChange> {
    kind.fields()
        .iter()
        .filter(|s| before.get(s.key) != now.get(s.key))
        .map(|s| FieldChange {
            field: s.key.to_owned(),
            label_zh: s.zh.to_owned(),
            label_en: s.en.to_owned(),
            before: before.get(s.key).map(|v| shown(v)),
            theirs: now.get(s.key).map(|v| shown(v)),
            ours: None,
        })
        .collect()
}

/// The comment a case receives when the other system changed it and we did not: history is
/// append-only, so the change is recorded beside the case, not written over it.
pub fn update_comment(source: &str, external_id: &str, changes: &[FieldChange]) -> String {
    let clip = |v: &Option<String>| {
        let v = v.as_deref().unwrap_or("（空）");
        if v.chars().count() > 300 { format!("{}…", v.chars().take(300).collect::<String>()) } else { v.to_owned() }
    };
    let lines: Vec<String> =
        changes.iter().map(|c| format!("{}：“{}” → “{}”", c.label_zh, clip(&c.before), clip(&c.theirs))).collect();
    format!("外部系统“{source}”更新了记录 {external_id}：{}", lines.join("；"))
}

/// What happened to one record of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// New here: registered (or, for a resident already on file, linked and corrected).
    Created,
    /// Same as last time: nothing written.
    Unchanged,
    /// Changed there and not here since the last import: applied.
    Updated,
    /// Not applied; see the conflict.
    Conflict,
}

/// A record not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Row in the file.
    pub row: usize,
    /// Their identifier.
    pub external_id: String,
    /// Our record (case number, dispute number or resident id).
    pub local: String,
    /// Reason code: `changed_on_both_sides`, `dispute_not_amendable`, `local_record_missing`.
    pub reason: &'static str,
    /// What changed here since the last import (moves on the record, or `edited`).
    pub local_changes: Vec<String>,
    /// The fields their system changed, with both sides' values.
    pub fields: Vec<FieldChange>,
}

/// One record's line in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordLine {
    /// Row in the file.
    pub row: usize,
    /// Their identifier.
    pub external_id: String,
    /// What happened.
    pub outcome: Outcome,
    /// Our record (case number, dispute number or resident id).
    pub local: String,
}

/// What an import did, record by record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The source system.
    pub source: String,
    /// The kind of records.
    pub kind: Kind,
    /// Checked and reported only; nothing written.
    pub dry_run: bool,
    /// Records created.
    pub created: usize,
    /// Records unchanged.
    pub unchanged: usize,
    /// Records updated.
    pub updated: usize,
    /// Records in conflict, each explained.
    pub conflicts: Vec<Conflict>,
    /// Every record's outcome, in file order.
    pub records: Vec<RecordLine>,
}

impl ImportReport {
    /// An empty report for a mapping.
    pub fn new(m: &Mapping, dry_run: bool) -> Self {
        Self {
            source: m.source.clone(),
            kind: m.kind,
            dry_run,
            created: 0,
            unchanged: 0,
            updated: 0,
            conflicts: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Records one outcome.
    pub fn push(&mut self, row: usize, external_id: &str, outcome: Outcome, local: &str) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Conflict => {}
        }
        self.records.push(RecordLine { row, external_id: external_id.to_owned(), outcome, local: local.to_owned() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &str = r#"
source = "county-hotline"
kind = "cases"
[columns]
external_id = "工单编号"
title = "标题"
text = "诉求内容"
category = "问题分类"
area_code = "区划代码"
[values.category]
"房屋漏水" = "urban.housing.repair"
[defaults]
ledger = "demand"
"#;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    fn reasons(text: &str) -> Vec<(String, &'static str)> {
        parse_mapping(text).expect_err("refused").into_iter().map(|p| (p.key, p.reason)).collect()
    }

    #[test]
    fn a_good_mapping_maps_rows_with_values_and_defaults() {
        let m = parse_mapping(CASES).expect("mapping");
        assert_eq!((m.source.as_str(), m.kind), ("county-hotline", Kind::Cases));
        let headers = s(&["工单编号", "标题", "诉求内容", "问题分类", "区划代码", "他们的其他列"]);
        let at = m.locate(&headers).expect("located");
        let row = s(&[" GD-1 ", "漏水", "楼上漏水", "房屋漏水", "439901001001001", "x"]);
        let r = m.map_row(&at, &row, 2).expect("row");
        assert_eq!(r.external_id, "GD-1");
        assert_eq!(r.get("category"), "urban.housing.repair", "their value translated");
        assert_eq!(r.get("ledger"), "demand", "default filled");
        let c = case_intake(&m, &r).expect("intake");
        assert_eq!(c.intake.channel, Channel::External);
        assert_eq!(c.intake.reporter, Reporter::Anonymous);
        // An untranslated value passes through to shiyu's own checks.
        let bad = s(&["GD-2", "t", "x", "no.such..code", "4399", ""]);
        let errs = case_intake(&m, &m.map_row(&at, &bad, 3).expect("row")).expect_err("bad");
        let got: Vec<_> = errs.iter().map(|e| (e.row, e.column.as_str(), e.reason)).collect();
        assert_eq!(got[0].0, 3);
        assert!(got.iter().any(|g| g.1 == "问题分类"), "{got:?}");
        assert!(got.iter().any(|g| g.1 == "区划代码" && g.2 == "not_an_area_code"), "{got:?}");
    }

    #[test]
    fn every_mapping_problem_names_its_key() {
        let text = r#"
source = "x"
kind = "cases"
colour = "blue"
[columns]
external_id = "编号"
titel = "标题"
text = "编号"
ledger = 3
[values.urgency]
"急" = "urgent"
[defaults]
external_id = "1"
"#;
        let got = reasons(text);
        for want in [
            ("colour", "unknown_key"),
            ("columns.titel", "unknown_field"),
            ("columns.text", "duplicate_header"),
            ("columns.ledger", "not_text"),
            ("values.urgency", "not_mapped"),
            ("defaults.external_id", "unknown_field"),
            ("columns.title", "missing_mapping"),
            ("columns.category", "missing_mapping"),
            ("columns.area_code", "missing_mapping"),
        ] {
            assert!(got.contains(&(want.0.to_owned(), want.1)), "{want:?} not in {got:?}");
        }
        assert_eq!(
            reasons("kind = \"tickets\"\n[columns]\n"),
            vec![("source".to_owned(), "required"), ("kind".to_owned(), "unknown_value")]
        );
        let syntax = parse_mapping("source = \"x\nkind").expect_err("syntax");
        assert_eq!(syntax[0].reason, "syntax");
        assert!(syntax[0].detail.is_some());
    }

    #[test]
    fn missing_headers_and_empty_required_cells_name_row_and_column() {
        let m = parse_mapping(CASES).expect("mapping");
        let errs = m.locate(&s(&["工单编号", "标题"])).expect_err("missing");
        let cols: Vec<_> = errs.iter().map(|e| (e.row, e.column.as_str(), e.reason)).collect();
        assert!(cols.contains(&(1, "诉求内容", "missing_column")), "{cols:?}");
        let at = m.locate(&s(&["工单编号", "标题", "诉求内容", "问题分类", "区划代码"])).expect("ok");
        let errs = m.map_row(&at, &s(&["", "t", "", "房屋漏水", "439901001001001"]), 9).expect_err("empty");
        let got: Vec<_> = errs.iter().map(|e| (e.row, e.column.as_str(), e.reason)).collect();
        assert_eq!(got, vec![(9, "工单编号", "required"), (9, "诉求内容", "required")]);
    }

    #[test]
    fn residents_are_checked_by_the_base_data_rules_and_never_stored_in_clear() {
        let text = r#"
source = "police"
kind = "residents"
[columns]
external_id = "人员编号"
id_number = "公民身份号码"
name = "姓名"
phone = "手机"
grid = "网格"
[values.kind]
[defaults]
kind = "户籍"
"#;
        // `values.kind` names a field with a default only: refused as not mapped to a column.
        assert_eq!(reasons(text), vec![("values.kind".to_owned(), "not_mapped")]);
        let m = parse_mapping(&text.replace("[values.kind]\n", "")).expect("mapping");
        let at = m.locate(&s(&["人员编号", "公民身份号码", "姓名", "手机", "网格"])).expect("ok");
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("d");
        let row = s(&["P1", "11010519491231002X", "张三", "13812345678", "439901001001001"]);
        let r = m.map_row(&at, &row, 2).expect("row");
        let rec = resident(&m, &r, today).expect("resident");
        assert_eq!(rec.name, "张三");
        let bad = m.map_row(&at, &s(&["P2", "110105194912310021", "李四", "12", "4399"]), 3).expect("row");
        let errs = resident(&m, &bad, today).expect_err("bad");
        let got: Vec<_> = errs.iter().map(|e| (e.column.as_str(), e.reason)).collect();
        assert_eq!(
            got,
            vec![("公民身份号码", "bad_check_digit"), ("手机", "not_a_phone_number"), ("网格", "not_an_area_code")]
        );

        let keyed = |v: &str| hex::encode(Sha256::digest(format!("k{v}").as_bytes()));
        let form = stored_form(Kind::Residents, &r, keyed);
        assert!(!serde_json::to_string(&form).expect("json").contains("11010519491231002X"));
        assert_eq!(shown(&form["phone"]), "138****5678");
        assert_eq!(fingerprint(&form), fingerprint(&stored_form(Kind::Residents, &r, keyed)));
        let mut renamed = r.clone();
        renamed.fields.insert("name", "张三丰".into());
        let after = stored_form(Kind::Residents, &renamed, keyed);
        assert_ne!(fingerprint(&form), fingerprint(&after));
        let changes = changed_fields(Kind::Residents, &form, &after);
        assert_eq!(changes.len(), 1);
        assert_eq!((changes[0].before.as_deref(), changes[0].theirs.as_deref()), (Some("张三"), Some("张三丰")));
        assert_eq!(update_comment("police", "P1", &changes), "外部系统“police”更新了记录 P1：姓名：“张三” → “张三丰”");
    }

    #[test]
    fn disputes_map_two_parties_and_refuse_sources_that_need_local_records() {
        let text = r#"
source = "court"
kind = "disputes"
[columns]
external_id = "案号"
title = "案由"
facts = "事实"
dispute_type = "类型"
area_code = "区划"
source = "来源"
applicant_name = "原告"
respondent_name = "被告"
"#;
        let m = parse_mapping(text).expect("mapping");
        let at = m.locate(&s(&["案号", "案由", "事实", "类型", "区划", "来源", "原告", "被告"])).expect("ok");
        let row = s(&["(2026)1号", "欠款", "借款未还", "合同纠纷", "439901001001", "", "甲", "乙"]);
        let d = dispute(&m, &m.map_row(&at, &row, 2).expect("row")).expect("dispute");
        assert_eq!(d.parties.len(), 2);
        assert_eq!(
            (d.source, d.risk, d.mediation_kind),
            (Source::Application, RiskLevel::Blue, MediationKind::Peoples)
        );
        let row = s(&["(2026)2号", "欠款", "借款未还", "合同纠纷", "439901001001", "排查发现", "甲", "乙"]);
        let errs = dispute(&m, &m.map_row(&at, &row, 3).expect("row")).expect_err("screening");
        assert_eq!((errs[0].column.as_str(), errs[0].reason), ("来源", "unknown_value"));
    }
}
