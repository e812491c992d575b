//! Volunteer routes: registration, the volunteer lists of staff, teams, activities with their
//! sign-up, attendance, closing and cancelling.
//!
//! Bodies are read leniently (numbers as numbers or text, as forms send them) and every field is
//! parsed here or in the domain with its name, so a refusal names the field in the user's
//! language. The web pages build the same bodies and go through the same parsers.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::Phone;
use shiyu_domain::ids::{ActivityId, TeamId, VolunteerId};
use shiyu_domain::points::{ActivityKind, ActivityPlan, Registration, TeamPlan};
use shiyu_domain::time::SHANGHAI;
use shiyu_storage::points::activities::{ActivityAction, ActivityDetail, ActivityFilter, ActivityRecord, Attended};
use shiyu_storage::points::volunteers::{TeamView, VolunteerView};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// A whole number from a JSON number or a typed text; `None` when absent or empty.
pub(crate) fn int(field: &str, v: &Value) -> Result<Option<i64>, ApiError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or_else(|| ApiError::invalid(field, "not_a_whole_number")),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => {
            let t = s.trim();
            if t.len() > 12 {
                return Err(ApiError::invalid(field, "out_of_range"));
            }
            t.parse::<i64>().map(Some).map_err(|_| ApiError::invalid(field, "not_a_whole_number"))
        }
        _ => Err(ApiError::invalid(field, "not_a_whole_number")),
    }
}

/// A required whole number.
pub(crate) fn required_int(field: &str, v: &Value) -> Result<i64, ApiError> {
    int(field, v)?.ok_or_else(|| ApiError::invalid(field, "required"))
}

/// A yes/no from JSON `true`/`false` or a form's `on`/`1`/`true`.
pub(crate) fn yes(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.trim(), "on" | "1" | "true" | "yes"),
        Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// A required area code.
pub(crate) fn area_field(text: &str) -> Result<AreaCode, ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid("area_code", "required"));
    }
    Ok(AreaCode::parse(text)?)
}

/// An optional area code (a query's filter).
pub(crate) fn area_opt(text: &str) -> Result<Option<AreaCode>, ApiError> {
    if text.trim().is_empty() { Ok(None) } else { area_field(text).map(Some) }
}

/// An instant as RFC 3339 (`2026-11-21T09:00:00+08:00`) or as a form's local date and time
/// (`2026-11-21T09:00`, Shanghai time).
pub(crate) fn instant(field: &'static str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ApiError::invalid(field, "required"));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(t, f)
            && let Some(at) = local.and_local_timezone(SHANGHAI).single()
        {
            return Ok(at.with_timezone(&Utc));
        }
    }
    Err(ApiError::invalid(field, "not_a_time"))
}

fn id_field<T>(
    field: &str,
    text: &str,
    parse: fn(&str) -> Result<T, shiyu_domain::DomainError>,
) -> Result<T, ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid(field, "required"));
    }
    parse(text.trim()).map_err(|_| ApiError::invalid(field, "not_a_uuid"))
}

/// Refusals by an activity's state, as rules the user can read ("the activity is closed").
pub(crate) fn for_activity(e: ApiError) -> ApiError {
    match e {
        ApiError::IllegalMove { state, .. } => ApiError::Rule(format!("activity_is_{state}")),
        other => other,
    }
}

/// A registration.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RegisterBody {
    /// Name as shown to organisers.
    pub name: String,
    /// Phone (sealed; staff see it masked).
    pub phone: String,
    /// The community's area code.
    pub area_code: String,
    /// Skills and availability.
    pub skills: String,
    /// Consent to keep and use these details for volunteer service: must be `true`.
    pub consent: Value,
}

impl RegisterBody {
    /// The domain's registration, every field parsed and named on error.
    pub fn parse(&self) -> Result<Registration, ApiError> {
        if !yes(&self.consent) {
            return Err(ApiError::invalid("consent", "required"));
        }
        if self.phone.trim().is_empty() {
            return Err(ApiError::invalid("phone", "required"));
        }
        Ok(Registration {
            name: self.name.clone(),
            phone: Phone::parse(&self.phone)?,
            community: area_field(&self.area_code)?,
            skills: self.skills.clone(),
            consent: true,
        })
    }
}

/// Register the signed-in resident as a volunteer.
#[utoipa::path(post, path = "/api/volunteers", tag = "volunteers", request_body = Object,
    responses((status = 201, body = Object), (status = 409), (status = 422), (status = 403)))]
pub async fn register(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<RegisterBody>,
) -> Result<(StatusCode, Json<VolunteerView>), ApiError> {
    let reg = body.parse()?;
    Ok((StatusCode::CREATED, Json(state.store.register_volunteer(&auth.principal, reg, Utc::now()).await?)))
}

/// `?area=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AreaQuery {
    /// Only under this area.
    pub area: String,
}

/// Volunteers in the caller's area (staff; phones masked).
#[utoipa::path(get, path = "/api/volunteers", tag = "volunteers", params(("area" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AreaQuery>,
) -> Result<Json<Vec<VolunteerView>>, ApiError> {
    let area = area_opt(&q.area)?;
    Ok(Json(state.store.volunteers(&auth.principal, area.as_ref(), 2000).await?))
}

/// My volunteering.
#[derive(Debug, Serialize)]
pub struct MyVolunteering {
    /// My registration, if any.
    pub volunteer: Option<VolunteerView>,
    /// Activities I signed up for, with what my attendance earned.
    pub activities: Vec<(ActivityRecord, Option<Attended>)>,
}

/// The caller's own volunteer record and activities.
#[utoipa::path(get, path = "/api/volunteers/me", tag = "volunteers", responses((status = 200, body = Object)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> Result<Json<MyVolunteering>, ApiError> {
    let volunteer = state.store.volunteer_of_user(auth.user.id).await?;
    let activities = if volunteer.is_some() { state.store.my_activities(auth.user.id, 200).await? } else { Vec::new() };
    Ok(Json(MyVolunteering { volunteer, activities }))
}

/// A new team.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TeamBody {
    /// Name.
    pub name: String,
    /// Area code (a community or above).
    pub area_code: String,
    /// What it does.
    pub description: String,
}

impl TeamBody {
    /// The domain's plan.
    pub fn parse(&self) -> Result<TeamPlan, ApiError> {
        Ok(TeamPlan {
            name: self.name.clone(),
            area: area_field(&self.area_code)?,
            description: self.description.clone(),
        })
    }
}

/// Create a team (staff).
#[utoipa::path(post, path = "/api/teams", tag = "volunteers", request_body = Object,
    responses((status = 201, body = Object), (status = 422)))]
pub async fn create_team(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<TeamBody>,
) -> Result<(StatusCode, Json<TeamView>), ApiError> {
    let plan = body.parse()?;
    Ok((StatusCode::CREATED, Json(state.store.create_team(&auth.principal, plan, Utc::now()).await?)))
}

/// Teams in the caller's area (staff).
#[utoipa::path(get, path = "/api/teams", tag = "volunteers", params(("area" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403)))]
pub async fn teams(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AreaQuery>,
) -> Result<Json<Vec<TeamView>>, ApiError> {
    let area = area_opt(&q.area)?;
    Ok(Json(state.store.teams(&auth.principal, area.as_ref()).await?))
}

/// A member to add.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MemberBody {
    /// The volunteer's id.
    pub volunteer_id: String,
}

/// Add a volunteer to a team (staff).
#[utoipa::path(post, path = "/api/teams/{id}/members", tag = "volunteers", params(("id" = String, Path)),
    request_body = Object, responses((status = 200, body = Object), (status = 404), (status = 422)))]
pub async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<MemberBody>,
) -> Result<Json<TeamView>, ApiError> {
    let team = TeamId::parse(&id).map_err(|_| ApiError::NotFound("team".into()))?;
    let volunteer = id_field("volunteer", &body.volunteer_id, VolunteerId::parse)?;
    Ok(Json(state.store.add_team_member(&auth.principal, team, volunteer, Utc::now()).await?))
}

/// A new activity.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActivityBody {
    /// Title.
    pub title: String,
    /// What will be done.
    pub description: String,
    /// Where to meet.
    pub place: String,
    /// `service` (volunteer service: hours and points per hour) or `meeting` (attendance points).
    pub kind: String,
    /// Area code (a community or above).
    pub area_code: String,
    /// Start (RFC 3339, or local `YYYY-MM-DDTHH:MM`).
    pub starts_at: String,
    /// End.
    pub ends_at: String,
    /// Places.
    pub capacity: Value,
    /// The team that runs it.
    pub team_id: String,
}

impl ActivityBody {
    /// The domain's plan and the team.
    pub fn parse(&self) -> Result<(ActivityPlan, Option<TeamId>), ApiError> {
        let kind = if self.kind.trim().is_empty() {
            return Err(ApiError::invalid("activity_kind", "required"));
        } else {
            ActivityKind::parse(self.kind.trim())?
        };
        let capacity = required_int("capacity", &self.capacity)?;
        let plan = ActivityPlan {
            title: self.title.clone(),
            description: self.description.clone(),
            place: self.place.clone(),
            kind,
            area: area_field(&self.area_code)?,
            starts_at: instant("starts_at", &self.starts_at)?,
            ends_at: instant("ends_at", &self.ends_at)?,
            capacity: u32::try_from(capacity).map_err(|_| ApiError::invalid("capacity", "out_of_range"))?,
        };
        let team =
            if self.team_id.trim().is_empty() { None } else { Some(id_field("team", &self.team_id, TeamId::parse)?) };
        Ok((plan, team))
    }
}

/// Create an activity (staff).
#[utoipa::path(post, path = "/api/activities", tag = "volunteers", request_body = Object,
    responses((status = 201, body = Object), (status = 422)))]
pub async fn create_activity(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<ActivityBody>,
) -> Result<(StatusCode, Json<ActivityRecord>), ApiError> {
    let (plan, team) = body.parse()?;
    Ok((StatusCode::CREATED, Json(state.store.create_activity(&auth.principal, plan, team, Utc::now()).await?)))
}

/// `?area=&upcoming=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivitiesQuery {
    /// Only under this area.
    pub area: String,
    /// Only those still taking sign-ups (always so for residents).
    pub upcoming: bool,
}

/// Activities: staff see their area's; residents those taking sign-ups.
#[utoipa::path(get, path = "/api/activities", tag = "volunteers",
    params(("area" = Option<String>, Query), ("upcoming" = Option<bool>, Query)), responses((status = 200, body = Object)))]
pub async fn activities(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ActivitiesQuery>,
) -> Result<Json<Vec<ActivityRecord>>, ApiError> {
    let filter = ActivityFilter { area: area_opt(&q.area)?, upcoming: q.upcoming, limit: 500 };
    Ok(Json(state.store.activities(&auth.principal, &filter, Utc::now()).await?))
}

/// Parses an activity id from a path; a malformed one is simply not found.
pub fn activity_id(text: &str) -> Result<ActivityId, ApiError> {
    ActivityId::parse(text).map_err(|_| ApiError::NotFound("activity".into()))
}

/// One activity (staff of its area see who signed up, phones masked).
#[utoipa::path(get, path = "/api/activities/{id}", tag = "volunteers", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn activity(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<ActivityDetail>, ApiError> {
    Ok(Json(state.store.activity(&auth.principal, activity_id(&id)?).await?))
}

/// A move on an activity.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActivityMoveBody {
    /// `sign_up`, `withdraw` (the volunteer), `attend`, `close`, `cancel` (staff).
    #[serde(rename = "move")]
    pub mv: String,
    /// For `attend`: the volunteer.
    pub volunteer_id: String,
    /// For `attend`: minutes served (default the whole activity).
    pub minutes: Value,
    /// For `cancel`: why.
    pub reason: String,
}

impl ActivityMoveBody {
    /// The storage action.
    pub fn parse(&self) -> Result<ActivityAction, ApiError> {
        Ok(match self.mv.trim() {
            "sign_up" => ActivityAction::SignUp,
            "withdraw" => ActivityAction::Withdraw,
            "attend" => {
                let minutes = match int("minutes", &self.minutes)? {
                    None => None,
                    Some(m) => Some(u32::try_from(m).map_err(|_| ApiError::invalid("minutes", "must_be_positive"))?),
                };
                ActivityAction::Attend {
                    volunteer: id_field("volunteer", &self.volunteer_id, VolunteerId::parse)?,
                    minutes,
                }
            }
            "close" => ActivityAction::Close,
            "cancel" => ActivityAction::Cancel { reason: self.reason.clone() },
            "" => return Err(ApiError::invalid("move", "required")),
            _ => return Err(ApiError::invalid("move", "unknown_value")),
        })
    }
}

/// Sign up, withdraw, record attendance (paying hours and points once), close or cancel, e.g.
/// `{"move":"attend","volunteer_id":"…","minutes":90}`.
#[utoipa::path(post, path = "/api/activities/{id}/moves", tag = "volunteers", params(("id" = String, Path)),
    request_body = Object, responses((status = 200, body = Object), (status = 409), (status = 422), (status = 404)))]
pub async fn activity_move(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<ActivityMoveBody>,
) -> Result<Json<ActivityDetail>, ApiError> {
    let id = activity_id(&id)?;
    let action = body.parse()?;
    state
        .store
        .activity_action(&auth.principal, id, action, Utc::now())
        .await
        .map(Json)
        .map_err(|e| for_activity(e.into()))
}
