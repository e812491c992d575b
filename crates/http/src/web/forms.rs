//! HTML forms of the case page: which fields each move's form has, and the conversion of a
//! submitted form into the JSON body the API's [`parse_move`](crate::api::cases::parse_move)
//! reads, so the browser and the JSON API decide moves through one parser and name bad fields
//! the same way.

use serde_json::{Map, Value};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{ResultKind, Satisfaction, SupervisionLevel};
use shiyu_domain::ids::{CaseNumber, OrgId};

use crate::error::ApiError;

/// A submitted `application/x-www-form-urlencoded` body, keeping repeated keys (multi-selects).
#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses a body.
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The first value of a key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of a key, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
}

/// What a field holds, which decides both its input element and its JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text over several lines.
    Textarea,
    /// Working days (a positive whole number).
    Days,
    /// Yes or no.
    Bool,
    /// One organisation.
    Org,
    /// Any number of organisations.
    Orgs,
    /// An area below the case's centre.
    Area,
    /// A [`ResultKind`].
    Outcome,
    /// A [`Satisfaction`].
    Satisfaction,
    /// A [`SupervisionLevel`].
    Level,
    /// A case number typed by the user.
    CaseNumber,
}

impl FieldKind {
    /// The input element the template renders for it.
    pub fn input(self) -> &'static str {
        match self {
            Self::Textarea => "textarea",
            Self::Days => "number",
            Self::Bool => "bool",
            Self::Satisfaction => "radio",
            Self::Org | Self::Area | Self::Outcome | Self::Level => "select",
            Self::Orgs => "multi",
            Self::CaseNumber => "text",
        }
    }
}

/// One field of a move form.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// The JSON field name of the move (and the form input's name).
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether the domain refuses the move without it (rendered as `required`).
    pub required: bool,
}

const fn f(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec { name, kind, required }
}

use FieldKind as K;

const NOTE: FieldSpec = f("note", K::Textarea, false);
const REASON: FieldSpec = f("reason", K::Textarea, true);

const REVIEW: &[FieldSpec] = &[f("accept", K::Bool, true), f("instruction", K::Textarea, true)];
const MERGE: &[FieldSpec] = &[f("into_number", K::CaseNumber, true), REASON];
const DISPATCH: &[FieldSpec] = &[f("lead", K::Org, true), f("co", K::Orgs, false), NOTE];
const EXTENSION: &[FieldSpec] = &[f("days", K::Days, true), REASON];
const DECIDE: &[FieldSpec] = &[f("grant", K::Bool, true), NOTE];
const DELEGATE: &[FieldSpec] = &[f("to", K::Area, true), REASON];
const RESULT: &[FieldSpec] = &[f("outcome", K::Outcome, true), f("text", K::Textarea, true)];
const REVISIT: &[FieldSpec] = &[f("satisfaction", K::Satisfaction, true), NOTE];
const SUPERVISE: &[FieldSpec] = &[f("level", K::Level, true), NOTE];
const COMMENT: &[FieldSpec] = &[f("text", K::Textarea, true)];

/// The fields of a move's form, or `None` for a name that is no move one can make by form.
pub fn move_fields(name: &str) -> Option<&'static [FieldSpec]> {
    Some(match name {
        "request_review" | "accept" | "self_handle" | "verify" | "close" | "urge" => &[NOTE],
        "not_accept" | "return" | "request_escalation" | "escalate" | "send_back" | "redo" => &[REASON],
        "review" => REVIEW,
        "merge" => MERGE,
        "dispatch" => DISPATCH,
        "sign" | "archive" => &[],
        "request_extension" => EXTENSION,
        "decide_extension" => DECIDE,
        "delegate" => DELEGATE,
        "report_result" => RESULT,
        "comment" => COMMENT,
        "record_revisit" => REVISIT,
        "supervise" => SUPERVISE,
        _ => return None,
    })
}

/// Converts a submitted move form into the API's JSON move body. Values are checked for their
/// type here (so the message names the field); whether the move is allowed is the domain's call.
/// A `merge` body carries `into_number` only: the caller resolves it to `into` within its scope.
pub fn move_json(name: &str, form: &FormData) -> Result<Value, ApiError> {
    let specs = move_fields(name).ok_or_else(|| ApiError::invalid("move", "unknown_value"))?;
    let mut body = Map::new();
    body.insert("move".into(), Value::String(name.to_owned()));
    for spec in specs {
        let field = spec.name;
        if spec.kind == K::Orgs {
            let mut ids = Vec::new();
            for v in form.all(field).into_iter().map(str::trim).filter(|v| !v.is_empty()) {
                OrgId::parse(v).map_err(|_| ApiError::invalid(field, "unknown_org"))?;
                ids.push(Value::String(v.to_owned()));
            }
            body.insert(field.into(), Value::Array(ids));
            continue;
        }
        // A text left out is the same as one left empty: the domain decides whether it is needed.
        let Some(raw) = form.get(field).or((spec.kind == K::Textarea).then_some("")) else { continue };
        let text = raw.trim();
        // An empty select or number is "not given"; the parser then names the field as required.
        if text.is_empty() && spec.kind != K::Textarea {
            continue;
        }
        let value = match spec.kind {
            K::Textarea => Value::String(text.to_owned()),
            K::Days => {
                let n: i64 = text.parse().map_err(|_| ApiError::invalid(field, "malformed"))?;
                let n = u32::try_from(n).map_err(|_| ApiError::invalid(field, "out_of_range"))?;
                Value::from(n)
            }
            K::Bool => Value::Bool(match text {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                _ => return Err(ApiError::invalid(field, "malformed")),
            }),
            K::Org => {
                OrgId::parse(text).map_err(|_| ApiError::invalid(field, "unknown_org"))?;
                Value::String(text.to_owned())
            }
            K::Area => {
                Value::String(AreaCode::parse(text).map_err(|_| ApiError::invalid(field, "unknown_area"))?.into())
            }
            K::Outcome => Value::String(ResultKind::parse(text)?.as_str().to_owned()),
            K::Satisfaction => Value::String(Satisfaction::parse(text)?.as_str().to_owned()),
            K::Level => Value::String(SupervisionLevel::parse(text)?.as_str().to_owned()),
            K::CaseNumber => Value::String(
                CaseNumber::parse(text).map_err(|_| ApiError::invalid(field, "not_a_case_number"))?.to_string(),
            ),
            K::Orgs => continue,
        };
        body.insert(field.into(), value);
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::cases::parse_move;
    use shiyu_domain::case::Move;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        FormData::parse(body.as_bytes())
    }

    fn field_of(e: ApiError) -> String {
        match e {
            ApiError::Invalid { field, .. } => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn every_move_but_register_has_a_form() {
        for name in Move::NAMES {
            assert_eq!(move_fields(name).is_some(), name != "register", "{name}");
        }
    }

    #[test]
    fn dispatch_keeps_every_co_organisation_and_ignores_the_token() {
        let (a, b, c) = (OrgId::new(), OrgId::new(), OrgId::new());
        let f = form(&[
            ("_csrf", "x"),
            ("lead", &a.to_string()),
            ("co", &b.to_string()),
            ("co", ""),
            ("co", &c.to_string()),
            ("note", "  请尽快  "),
        ]);
        let json = move_json("dispatch", &f).expect("json");
        assert!(json.get("_csrf").is_none());
        match parse_move(json).expect("move") {
            Move::Dispatch { lead, co, note } => {
                assert_eq!(lead, a);
                assert_eq!(co, vec![b, c]);
                assert_eq!(note, "请尽快");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dispatch_without_lead_names_the_lead() {
        let json = move_json("dispatch", &form(&[("lead", ""), ("note", "")])).expect("json");
        assert_eq!(field_of(parse_move(json).expect_err("no lead")), "lead");
        assert_eq!(field_of(move_json("dispatch", &form(&[("lead", "water")])).expect_err("bad id")), "lead");
        assert_eq!(field_of(move_json("dispatch", &form(&[("co", "x")])).expect_err("bad co")), "co");
    }

    #[test]
    fn booleans_and_numbers_get_their_json_types() {
        let json = move_json("review", &form(&[("accept", "false"), ("instruction", "不属于受理范围")])).expect("json");
        assert_eq!(
            parse_move(json).expect("move"),
            Move::Review { accept: false, instruction: "不属于受理范围".into() }
        );
        let json = move_json("request_extension", &form(&[("days", " 5 "), ("reason", "材料未齐")])).expect("json");
        assert_eq!(parse_move(json).expect("move"), Move::RequestExtension { days: 5, reason: "材料未齐".into() });
        let json = move_json("decide_extension", &form(&[("grant", "true")])).expect("json");
        assert_eq!(parse_move(json).expect("move"), Move::DecideExtension { grant: true, note: String::new() });
    }

    #[test]
    fn bad_values_name_their_field() {
        assert_eq!(field_of(move_json("request_extension", &form(&[("days", "five")])).expect_err("x")), "days");
        assert_eq!(field_of(move_json("request_extension", &form(&[("days", "-2")])).expect_err("x")), "days");
        assert_eq!(field_of(move_json("review", &form(&[("accept", "maybe")])).expect_err("x")), "accept");
        assert_eq!(field_of(move_json("report_result", &form(&[("outcome", "done")])).expect_err("x")), "outcome");
        assert_eq!(
            field_of(move_json("record_revisit", &form(&[("satisfaction", "meh")])).expect_err("x")),
            "satisfaction"
        );
        assert_eq!(field_of(move_json("supervise", &form(&[("level", "king")])).expect_err("x")), "level");
        assert_eq!(field_of(move_json("delegate", &form(&[("to", "nowhere")])).expect_err("x")), "to");
        assert_eq!(field_of(move_json("merge", &form(&[("into_number", "12")])).expect_err("x")), "into_number");
        assert_eq!(field_of(move_json("fly", &form(&[])).expect_err("x")), "move");
        assert_eq!(field_of(move_json("register", &form(&[])).expect_err("x")), "move");
    }

    #[test]
    fn missing_required_values_are_named_by_the_parser() {
        let json = move_json("request_extension", &form(&[("days", ""), ("reason", "x")])).expect("json");
        assert_eq!(field_of(parse_move(json).expect_err("no days")), "days");
        let json = move_json("report_result", &form(&[("text", "已修复")])).expect("json");
        assert_eq!(field_of(parse_move(json).expect_err("no outcome")), "outcome");
    }

    #[test]
    fn moves_without_fields_and_plain_notes() {
        assert_eq!(parse_move(move_json("sign", &form(&[("_csrf", "t")])).expect("json")).expect("move"), Move::Sign);
        let json =
            move_json("record_revisit", &form(&[("satisfaction", "satisfied"), ("note", "很好")])).expect("json");
        assert_eq!(
            parse_move(json).expect("move"),
            Move::RecordRevisit { satisfaction: Satisfaction::Satisfied, note: "很好".into() }
        );
        let json =
            move_json("merge", &form(&[("into_number", " 2026-0421-000153 "), ("reason", "同一事项")])).expect("json");
        assert_eq!(json["into_number"], "2026-0421-000153");
    }
}
