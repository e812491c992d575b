//! The rules of shiyu's Open311 GeoReport v2 face: how a service's extra attributes are defined
//! and how answers to them are checked, how a case reads as an Open311 request (status, public
//! or not), and the date format the specification asks for. The wire formats live in the http
//! crate; this module decides.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{CaseSnapshot, CaseState, Ledger};
use crate::time::SHANGHAI;

/// An attribute's data type, by its Open311 name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    /// One line of text.
    String,
    /// A number.
    Number,
    /// A date and time (W3C, with time zone).
    Datetime,
    /// Several lines of text.
    Text,
    /// One of the listed values.
    Singlevaluelist,
    /// Any of the listed values.
    Multivaluelist,
}

impl Datatype {
    /// Every type.
    pub const ALL: [Datatype; 6] =
        [Self::String, Self::Number, Self::Datetime, Self::Text, Self::Singlevaluelist, Self::Multivaluelist];

    /// The Open311 name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Datetime => "datetime",
            Self::Text => "text",
            Self::Singlevaluelist => "singlevaluelist",
            Self::Multivaluelist => "multivaluelist",
        }
    }

    /// Parses an Open311 name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    fn is_list(self) -> bool {
        matches!(self, Self::Singlevaluelist | Self::Multivaluelist)
    }
}

/// One choice of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the client submits.
    pub key: String,
    /// What a person reads.
    pub name: String,
}

/// An extra question a service (category) asks of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    /// Code, used as `attribute[code]`.
    pub code: String,
    /// Data type.
    pub datatype: Datatype,
    /// An answer is needed.
    pub required: bool,
    /// Asks for input (false: information shown only).
    pub variable: bool,
    /// Position, 1 first.
    pub order: u32,
    /// The question, in Chinese.
    pub description: String,
    /// Help for the input.
    #[serde(default)]
    pub datatype_description: String,
    /// Choices of a list type.
    #[serde(default)]
    pub values: Vec<Choice>,
}

/// Why a service's definitions or a request's answers were refused: the attribute and the
/// reason, so the error names the field (`attribute[code]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeError {
    /// The attribute's code.
    pub code: String,
    /// A reason key (`required`, `not_a_number`, `not_a_choice`, …).
    pub reason: &'static str,
}

impl AttributeError {
    fn new(code: &str, reason: &'static str) -> Self {
        Self { code: code.to_owned(), reason }
    }
}

fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks a service's attribute list as an administrator sets it: well-formed unique codes,
/// unique positive orders, choices for list types (unique keys) and none for others.
pub fn check_definitions(defs: &[AttributeDef]) -> Result<(), AttributeError> {
    let mut codes = std::collections::BTreeSet::new();
    let mut orders = std::collections::BTreeSet::new();
    for d in defs {
        if !valid_code(&d.code) {
            return Err(AttributeError::new(&d.code, "invalid_code"));
        }
        if !codes.insert(d.code.as_str()) {
            return Err(AttributeError::new(&d.code, "duplicate_code"));
        }
        if d.order == 0 || !orders.insert(d.order) {
            return Err(AttributeError::new(&d.code, "bad_order"));
        }
        if d.description.trim().is_empty() {
            return Err(AttributeError::new(&d.code, "description_required"));
        }
        if d.datatype.is_list() {
            let keys: std::collections::BTreeSet<&str> = d.values.iter().map(|c| c.key.as_str()).collect();
            if d.values.is_empty() || keys.len() != d.values.len() || keys.contains("") {
                return Err(AttributeError::new(&d.code, "bad_choices"));
            }
        } else if !d.values.is_empty() {
            return Err(AttributeError::new(&d.code, "choices_only_for_lists"));
        }
        if d.required && !d.variable {
            return Err(AttributeError::new(&d.code, "required_but_not_variable"));
        }
    }
    Ok(())
}

/// A checked answer: the attribute and its values (one, or several for a multi-value list),
/// numbers and dates normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The attribute's code.
    pub code: String,
    /// The values.
    pub values: Vec<String>,
}

/// Checks a request's answers (`attribute[code]` → the values given) against the service's
/// definitions: every required one answered, no unknown or informational one, each value of
/// its type. Empty values count as not given, as the specification asks of optional arguments.
pub fn check_answers(
    defs: &[AttributeDef],
    given: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Answer>, AttributeError> {
    for code in given.keys() {
        match defs.iter().find(|d| &d.code == code) {
            None => return Err(AttributeError::new(code, "unknown_attribute")),
            Some(d) if !d.variable && given[code].iter().any(|v| !v.trim().is_empty()) => {
                return Err(AttributeError::new(code, "not_variable"));
            }
            Some(_) => {}
        }
    }
    let mut ordered: Vec<&AttributeDef> = defs.iter().collect();
    ordered.sort_by_key(|d| d.order);
    let mut out = Vec::new();
    for d in ordered {
        let values: Vec<&str> = given
            .get(&d.code)
            .map(|v| v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        if values.is_empty() {
            if d.required {
                return Err(AttributeError::new(&d.code, "required"));
            }
            continue;
        }
        if d.datatype != Datatype::Multivaluelist && values.len() > 1 {
            return Err(AttributeError::new(&d.code, "one_value_only"));
        }
        let mut checked = Vec::new();
        for v in values {
            checked.push(match d.datatype {
                Datatype::String if v.contains(['\n', '\r']) => {
                    return Err(AttributeError::new(&d.code, "one_line_only"));
                }
                Datatype::String | Datatype::Text if v.chars().count() > 4000 => {
                    return Err(AttributeError::new(&d.code, "too_long"));
                }
                Datatype::String | Datatype::Text => v.to_owned(),
                Datatype::Number => match v.parse::<f64>() {
                    Ok(n) if n.is_finite() => v.to_owned(),
                    _ => return Err(AttributeError::new(&d.code, "not_a_number")),
                },
                Datatype::Datetime => match parse_datetime(v) {
                    Some(at) => w3c(at),
                    None => return Err(AttributeError::new(&d.code, "not_a_datetime")),
                },
                Datatype::Singlevaluelist | Datatype::Multivaluelist => {
                    if !d.values.iter().any(|c| c.key == v) {
                        return Err(AttributeError::new(&d.code, "not_a_choice"));
                    }
                    v.to_owned()
                }
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        checked.retain(|v| seen.insert(v.clone()));
        out.push(Answer { code: d.code.clone(), values: checked });
    }
    Ok(out)
}

/// A request's status in core GeoReport: `open` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Still being worked on.
    Open,
    /// Ended: closed, archived, not accepted or merged into another.
    Closed,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    /// The case states a status stands for.
    pub fn states(self) -> Vec<CaseState> {
        CaseState::ALL.into_iter().filter(|s| status(*s) == self).collect()
    }
}

/// The core status of a case state.
pub fn status(state: CaseState) -> Status {
    if state.is_open() { Status::Open } else { Status::Closed }
}

/// The extended status (mySociety's servicerequestupdates states, lower case) of a case as it
/// stands: what a connected system shows its users.
pub fn extended_status(case: &CaseSnapshot) -> &'static str {
    use CaseState as S;
    match case.state {
        S::Registered | S::PendingReview => "open",
        S::Accepted => "action_scheduled",
        S::Dispatched | S::InProgress => "in_progress",
        S::Handled | S::Revisit => "fixed",
        S::Closed | S::Archived => "closed",
        S::NotAccepted => "no_further_action",
        S::Merged => "duplicate",
    }
}

/// Upper-case statuses a client may send with an update (mySociety's list).
pub const UPDATE_STATUSES: [&str; 12] = [
    "OPEN",
    "CLOSED",
    "FIXED",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "REOPEN",
    "FOR_TRIAGE",
];

/// Whether a case is listed to every Open311 client. Complaints and reports (投诉举报) can name
/// people and are shown only to the client that filed them.
pub fn published(case: &CaseSnapshot) -> bool {
    case.ledger != Ledger::Complaint
}

/// A time as the specification writes it: W3C date-time in the city's zone (+08:00), whole
/// seconds.
pub fn w3c(at: DateTime<Utc>) -> String {
    at.with_timezone(&SHANGHAI).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses a W3C date-time that carries its time zone (`Z` or `±hh:mm`); none without one.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// A public position: rounded to three decimals (about 100 m), so a listing shows the place of a
/// matter, not a doorway.
pub fn public_coordinate(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The parameters of a query string or a form-encoded body (`application/x-www-form-urlencoded`):
/// every value of every name, decoded (invalid UTF-8 replaced), in the order given. The http
/// crate reads every Open311 call through it; public so that the fuzz target
/// (`fuzz/fuzz_targets/open311.rs`) runs the same parsing on arbitrary bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Decodes a query string or form body.
    pub fn parse(bytes: &[u8]) -> Self {
        Self(form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The first non-empty value, trimmed: an empty argument counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }

    /// A comma-delimited list, items trimmed.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// `attribute[code]` and `attribute[code][]` values by code, as [`check_answers`] takes them.
    pub fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in &self.0 {
            let Some(inner) = k.strip_prefix("attribute[") else { continue };
            let code = inner.strip_suffix("][]").or_else(|| inner.strip_suffix(']'));
            if let Some(code) = code {
                out.entry(code.to_owned()).or_default().push(v.clone());
            }
        }
        out
    }
}

/// The window a listing covers, from its optional `start_date` and `end_date`: both given as
/// they are; only a start, `default_days` from it but not past `now`; only an end, the
/// `default_days` before it; neither, the last `default_days` up to `now`. Refused with a reason
/// (against `end_date`) when it ends before it starts or spans more than `max_days`.
pub fn window(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    default_days: i64,
    max_days: i64,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static str> {
    let default = chrono::Duration::days(default_days);
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, (s + default).min(now)),
        (None, Some(e)) => (e - default, e),
        (None, None) => (now - default, now),
    };
    if to < from {
        return Err("before_start");
    }
    if to - from > chrono::Duration::days(max_days) {
        return Err("span_over_90_days");
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(code: &str, datatype: Datatype, required: bool, order: u32) -> AttributeDef {
        AttributeDef {
            code: code.into(),
            datatype,
            required,
            variable: true,
            order,
            description: "问题".into(),
            datatype_description: String::new(),
            values: if datatype.is_list() {
                vec![Choice { key: "a".into(), name: "甲".into() }, Choice { key: "b".into(), name: "乙".into() }]
            } else {
                vec![]
            },
        }
    }

    fn given(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    fn refused(defs: &[AttributeDef], pairs: &[(&str, &[&str])]) -> (String, &'static str) {
        let e = check_answers(defs, &given(pairs)).expect_err("refused");
        (e.code, e.reason)
    }

    #[test]
    fn answers_are_checked_by_type_and_named_when_wrong() {
        let defs = vec![
            def("width", Datatype::Number, true, 1),
            def("kind", Datatype::Singlevaluelist, false, 2),
            def("tags", Datatype::Multivaluelist, false, 3),
            def("seen", Datatype::Datetime, false, 4),
            def("where", Datatype::String, false, 5),
        ];
        let ok = check_answers(
            &defs,
            &given(&[
                ("width", &["2.5"]),
                ("kind", &["b"]),
                ("tags", &["a", "b", "a"]),
                ("seen", &["2026-11-01T08:00:00Z"]),
            ]),
        )
        .expect("valid");
        assert_eq!(ok.len(), 4);
        assert_eq!(ok[2].values, vec!["a", "b"], "repeated choices count once");
        assert_eq!(ok[3].values, vec!["2026-11-01T16:00:00+08:00"], "dates in the city's zone");
        assert_eq!(refused(&defs, &[("kind", &["a"])]), ("width".into(), "required"));
        assert_eq!(refused(&defs, &[("width", &["  "])]), ("width".into(), "required"), "blank is absent");
        assert_eq!(refused(&defs, &[("width", &["wide"])]), ("width".into(), "not_a_number"));
        assert_eq!(refused(&defs, &[("width", &["NaN"])]), ("width".into(), "not_a_number"));
        assert_eq!(refused(&defs, &[("width", &["1"]), ("kind", &["c"])]), ("kind".into(), "not_a_choice"));
        assert_eq!(refused(&defs, &[("width", &["1"]), ("kind", &["a", "b"])]), ("kind".into(), "one_value_only"));
        assert_eq!(refused(&defs, &[("width", &["1"]), ("tags", &["a", "z"])]), ("tags".into(), "not_a_choice"));
        assert_eq!(
            refused(&defs, &[("width", &["1"]), ("seen", &["2026-11-01 08:00"])]),
            ("seen".into(), "not_a_datetime")
        );
        assert_eq!(
            refused(&defs, &[("width", &["1"]), ("seen", &["2026-11-01T08:00:00"])]),
            ("seen".into(), "not_a_datetime"),
            "a time without its zone is refused"
        );
        assert_eq!(refused(&defs, &[("width", &["1"]), ("where", &["a\nb"])]), ("where".into(), "one_line_only"));
        assert_eq!(refused(&defs, &[("width", &["1"]), ("colour", &["red"])]), ("colour".into(), "unknown_attribute"));
    }

    #[test]
    fn informational_attributes_take_no_answer() {
        let mut info = def("note", Datatype::Text, false, 1);
        info.variable = false;
        assert!(check_answers(std::slice::from_ref(&info), &given(&[])).expect("none").is_empty());
        assert_eq!(refused(&[info], &[("note", &["x"])]), ("note".into(), "not_variable"));
    }

    #[test]
    fn definitions_must_be_well_formed() {
        let a = def("a", Datatype::Number, true, 1);
        assert!(check_definitions(&[a.clone(), def("b", Datatype::Singlevaluelist, false, 2)]).is_ok());
        let e = |defs: &[AttributeDef]| check_definitions(defs).expect_err("refused").reason;
        assert_eq!(e(&[a.clone(), def("a", Datatype::Text, false, 2)]), "duplicate_code");
        assert_eq!(e(&[a.clone(), def("b", Datatype::Text, false, 1)]), "bad_order");
        assert_eq!(e(&[def("a b", Datatype::Text, false, 1)]), "invalid_code");
        let mut no_choices = def("c", Datatype::Multivaluelist, false, 1);
        no_choices.values.clear();
        assert_eq!(e(&[no_choices]), "bad_choices");
        let mut stray = def("d", Datatype::Number, false, 1);
        stray.values.push(Choice { key: "x".into(), name: "x".into() });
        assert_eq!(e(&[stray]), "choices_only_for_lists");
        let mut shown = def("e", Datatype::Text, true, 1);
        shown.variable = false;
        assert_eq!(e(&[shown]), "required_but_not_variable");
    }

    #[test]
    fn every_state_has_one_core_status_and_open_means_open() {
        for s in CaseState::ALL {
            assert_eq!(status(s) == Status::Open, s.is_open(), "{s:?}");
            assert!(Status::Open.states().contains(&s) ^ Status::Closed.states().contains(&s));
        }
    }

    #[test]
    fn params_decode_lists_and_attribute_keys() {
        let p = Params::parse(b"lat=+28.2&lat=1&status=open,%20closed,&attribute[kind]=a&attribute%5Bcolour%5D%5B%5D=x&attribute[colour][]=y&attribute[bad=z&description=");
        assert_eq!(p.get("lat"), Some("28.2"));
        assert_eq!(p.get("description"), None, "an empty argument counts as absent");
        assert_eq!(p.list("status"), ["open", "closed"]);
        let a = p.attributes();
        assert_eq!(a.keys().collect::<Vec<_>>(), ["colour", "kind"]);
        assert_eq!(a["colour"], ["x", "y"]);
    }

    #[test]
    fn windows_default_and_are_bounded() {
        let t = |s: &str| parse_datetime(s).expect("date");
        let now = t("2026-11-23T00:00:00Z");
        assert_eq!(window(None, None, 7, 90, now), Ok((t("2026-11-16T00:00:00Z"), now)));
        assert_eq!(window(Some(t("2026-11-20T00:00:00Z")), None, 7, 90, now), Ok((t("2026-11-20T00:00:00Z"), now)));
        assert_eq!(window(None, Some(now), 90, 90, now), Ok((t("2026-08-25T00:00:00Z"), now)));
        assert_eq!(window(Some(now), Some(t("2026-11-22T00:00:00Z")), 7, 90, now), Err("before_start"));
        assert_eq!(window(Some(t("2026-01-01T00:00:00Z")), Some(now), 7, 90, now), Err("span_over_90_days"));
    }

    #[test]
    fn dates_carry_the_zone_and_whole_seconds() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T01:02:03.456Z").expect("t").with_timezone(&Utc);
        assert_eq!(w3c(at), "2026-11-23T09:02:03+08:00");
        assert_eq!(parse_datetime("2026-11-23T09:02:03+08:00"), Some(at - chrono::Duration::milliseconds(456)));
        assert_eq!(parse_datetime("2026-11-23"), None);
        assert_eq!(public_coordinate(113.123_456), 113.123);
    }
}
