//! Deliberation routes: make a proposal (directly, from a case or from a resident's comment), list
//! proposals, read one with its stages, meetings, documents and comments, record a meeting,
//! publish a document, withdraw, comment.
//!
//! Bodies are read field by field, so a bad value is refused naming its field (`held_at`,
//! `votes.for`, …) rather than failing the whole body anonymously.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shiyu_domain::area::AreaCode;
use shiyu_domain::deliberation::{Meeting, ProcedureKind, ProposalMove, ProposalStatus, Publication, Votes};
use shiyu_domain::ids::{CaseId, ProposalCommentId, ProposalId};
use shiyu_domain::time::SHANGHAI;
use shiyu_storage::deliberation::{NewProposal, ProposalFilter, ProposalRecord, ProposalSummary};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// A new proposal.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewProposalBody {
    /// Title.
    pub title: String,
    /// What is proposed, and why.
    pub content: String,
    /// The community or village (default: the case's community, or the commented proposal's).
    pub area_code: String,
    /// `village` or `community` (default: read from the area's code).
    pub procedure: String,
    /// The case it comes from.
    pub case_id: String,
    /// The resident's comment it comes from.
    pub comment_id: String,
}

fn opt<T>(s: &str, f: impl FnOnce(&str) -> Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    let t = s.trim();
    if t.is_empty() { Ok(None) } else { f(t).map(Some) }
}

impl NewProposalBody {
    /// The storage input, every field parsed and named on error.
    pub fn parse(&self) -> Result<NewProposal, ApiError> {
        Ok(NewProposal {
            title: self.title.clone(),
            content: self.content.clone(),
            area: opt(&self.area_code, |s| Ok(AreaCode::parse(s)?))?,
            procedure: opt(&self.procedure, |s| Ok(ProcedureKind::parse(s)?))?,
            case: opt(&self.case_id, |s| CaseId::parse(s).map_err(|_| ApiError::invalid("case", "not_a_uuid")))?,
            comment: opt(&self.comment_id, |s| {
                ProposalCommentId::parse(s).map_err(|_| ApiError::invalid("comment", "not_a_uuid"))
            })?,
        })
    }
}

/// The answer to a creation.
#[derive(Debug, Serialize)]
pub struct Created {
    /// The new record's id.
    pub id: String,
}

/// Make a proposal.
#[utoipa::path(post, path = "/api/proposals", tag = "deliberation", request_body = Object,
    responses((status = 200, body = Object), (status = 422), (status = 403)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewProposalBody>,
) -> Result<Json<Created>, ApiError> {
    let id = state.store.create_proposal(&auth.principal, body.parse()?, Utc::now()).await?;
    Ok(Json(Created { id: id.to_string() }))
}

/// List filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Only this area's subtree.
    pub area: String,
    /// `in_progress`, `completed`, `not_adopted` or `withdrawn`.
    pub status: String,
    /// At most (default 100).
    pub limit: Option<u32>,
}

impl ListQuery {
    /// The storage filter.
    pub fn filter(&self) -> Result<ProposalFilter, ApiError> {
        Ok(ProposalFilter {
            area: opt(&self.area, |s| AreaCode::parse(s).map_err(|_| ApiError::invalid("area", "not_an_area_code")))?,
            status: opt(&self.status, |s| {
                ProposalStatus::parse(s).map_err(|_| ApiError::invalid("status", "unknown_value"))
            })?,
            limit: self.limit,
        })
    }
}

/// Proposals the caller may read: staff their area's, residents every one.
#[utoipa::path(get, path = "/api/proposals", tag = "deliberation",
    params(("area" = Option<String>, Query), ("status" = Option<String>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Object), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ProposalSummary>>, ApiError> {
    Ok(Json(state.store.proposals(&auth.principal, &q.filter()?).await?))
}

/// Parses a proposal id from a path; a malformed one is simply not found.
pub fn proposal_id(text: &str) -> Result<ProposalId, ApiError> {
    ProposalId::parse(text).map_err(|_| ApiError::NotFound("proposal".into()))
}

/// One proposal: stages, meetings, documents, comments (and, for staff, minutes, attendance and
/// the history).
#[utoipa::path(get, path = "/api/proposals/{id}", tag = "deliberation", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<ProposalRecord>, ApiError> {
    Ok(Json(state.store.proposal_record(&auth.principal, proposal_id(&id)?).await?))
}

fn text_of(obj: &Value, key: &str, field: &str) -> Result<String, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::invalid(field, "malformed")),
    }
}

fn count_of(obj: &Value, key: &str, field: &str) -> Result<u32, ApiError> {
    let bad = || ApiError::invalid(field, "not_a_whole_number");
    match obj.get(key) {
        None | Some(Value::Null) => Err(ApiError::invalid(field, "required")),
        Some(Value::Number(n)) => n.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(bad),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ApiError::invalid(field, "required")),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

fn list_of(obj: &Value, key: &str) -> Result<Vec<String>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        // A list typed into one box: one name per line or separated by the usual marks.
        Some(Value::String(s)) => Ok(split_names(s)),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| ApiError::invalid(key, "malformed")))
            .collect(),
        Some(_) => Err(ApiError::invalid(key, "malformed")),
    }
}

/// Names typed into one box: one per line, or separated by `、`, `，`, `,` or `;`.
pub fn split_names(s: &str) -> Vec<String> {
    s.split(['\n', '\r', '、', '，', ',', ';', '；'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A meeting time: RFC 3339, or a Shanghai local time `YYYY-MM-DDTHH:MM` (as a browser's
/// `datetime-local` sends it), or a day (taken at 09:00 local).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, ApiError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ApiError::invalid("held_at", "required"));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(9, 0, 0)))
        .ok_or(ApiError::invalid("held_at", "not_a_time"))?;
    local
        .and_local_timezone(SHANGHAI)
        .single()
        .map(|at| at.with_timezone(&Utc))
        .ok_or(ApiError::invalid("held_at", "not_a_time"))
}

/// Reads a meeting record, naming the field that is wrong.
fn meeting_of(m: &Value) -> Result<Meeting, ApiError> {
    if !m.is_object() {
        return Err(ApiError::invalid("meeting", "required"));
    }
    let votes = m.get("votes").cloned().unwrap_or(Value::Null);
    if !votes.is_object() {
        return Err(ApiError::invalid("votes", "required"));
    }
    Ok(Meeting {
        stage: text_of(m, "stage", "stage")?,
        held_at: parse_time(&text_of(m, "held_at", "held_at")?)?,
        members_total: count_of(m, "members_total", "members_total")?,
        attendees: list_of(m, "attendees")?,
        observers: list_of(m, "observers")?,
        votes: Votes {
            yes: count_of(&votes, "for", "votes.for")?,
            against: count_of(&votes, "against", "votes.against")?,
            abstain: count_of(&votes, "abstain", "votes.abstain")?,
        },
        minutes: text_of(m, "minutes", "minutes")?,
    })
}

/// Parses a move body, e.g. `{"move":"record_meeting","meeting":{"stage":"discuss",
/// "held_at":"2026-11-20T19:30:00+08:00","members_total":9,"attendees":["…"],
/// "votes":{"for":7,"against":1,"abstain":0},"minutes":"…"}}`, `{"move":"publish",
/// "publication":{"stage":"publish_resolution","text":"…"}}` or `{"move":"withdraw","reason":"…"}`.
pub fn parse_proposal_move(body: &Value) -> Result<ProposalMove, ApiError> {
    let name = body.get("move").and_then(Value::as_str).ok_or_else(|| ApiError::invalid("move", "required"))?;
    Ok(match name {
        "record_meeting" => {
            ProposalMove::RecordMeeting { meeting: meeting_of(body.get("meeting").unwrap_or(&Value::Null))? }
        }
        "publish" => {
            let p = body
                .get("publication")
                .filter(|p| p.is_object())
                .ok_or(ApiError::invalid("publication", "required"))?;
            ProposalMove::Publish {
                publication: Publication {
                    stage: text_of(p, "stage", "stage")?,
                    title: text_of(p, "title", "title")?,
                    text: text_of(p, "text", "text")?,
                },
            }
        }
        "withdraw" => ProposalMove::Withdraw { reason: text_of(body, "reason", "reason")? },
        _ => return Err(ApiError::invalid("move", "unknown_value")),
    })
}

/// Record the current stage's meeting, publish its document, or withdraw.
#[utoipa::path(post, path = "/api/proposals/{id}/moves", tag = "deliberation", params(("id" = String, Path)),
    request_body = Object,
    responses((status = 200, body = Object), (status = 409), (status = 422), (status = 403), (status = 404)))]
pub async fn make_move(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<ProposalRecord>, ApiError> {
    let id = proposal_id(&id)?;
    let mv = parse_proposal_move(&body)?;
    state
        .store
        .apply_proposal_move(&auth.principal, id, mv, Utc::now())
        .await
        .map_err(|e| ApiError::from(e).for_proposal())?;
    Ok(Json(state.store.proposal_record(&auth.principal, id).await?))
}

/// A comment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentBody {
    /// Text.
    pub text: String,
}

/// Comment on a proposal in progress.
#[utoipa::path(post, path = "/api/proposals/{id}/comments", tag = "deliberation", params(("id" = String, Path)),
    request_body = Object,
    responses((status = 200, body = Object), (status = 409), (status = 422), (status = 403), (status = 404)))]
pub async fn comment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<CommentBody>,
) -> Result<Json<Created>, ApiError> {
    let cid = state.store.comment_on_proposal(&auth.principal, proposal_id(&id)?, &body.text, Utc::now()).await?;
    Ok(Json(Created { id: cid.to_string() }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn moves_are_read_field_by_field() {
        let ok = json!({"move": "record_meeting", "meeting": {"stage": "discuss", "held_at": "2026-11-20T19:30",
            "members_total": "9", "attendees": "张三\n李四、王五", "votes": {"for": 2, "against": 1, "abstain": 0},
            "minutes": "同意"}});
        let ProposalMove::RecordMeeting { meeting } = parse_proposal_move(&ok).expect("valid") else {
            panic!("a meeting")
        };
        assert_eq!(meeting.attendees, ["张三", "李四", "王五"]);
        assert_eq!(meeting.members_total, 9);
        assert_eq!(meeting.held_at.to_rfc3339(), "2026-11-20T11:30:00+00:00", "local time is Shanghai time");
        let field = |body: Value| match parse_proposal_move(&body) {
            Err(ApiError::Invalid { field, reason }) => (field, reason),
            other => panic!("{other:?}"),
        };
        let mut bad = ok.clone();
        bad["meeting"]["votes"]["for"] = json!(-1);
        assert_eq!(field(bad), ("votes.for".into(), "not_a_whole_number".into()));
        let mut bad = ok.clone();
        bad["meeting"]["held_at"] = json!("昨天");
        assert_eq!(field(bad), ("held_at".into(), "not_a_time".into()));
        let mut bad = ok.clone();
        bad["meeting"]["members_total"] = json!(null);
        assert_eq!(field(bad), ("members_total".into(), "required".into()));
        assert_eq!(field(json!({"move": "publish"})), ("publication".into(), "required".into()));
        assert_eq!(field(json!({"move": "vote"})), ("move".into(), "unknown_value".into()));
        assert_eq!(field(json!({})), ("move".into(), "required".into()));
        assert_eq!(parse_time("2026-11-20").map(|t| t.to_rfc3339()).ok(), Some("2026-11-20T01:00:00+00:00".into()));
    }
}
