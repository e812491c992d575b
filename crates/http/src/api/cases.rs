//! Case routes: intake, lists, one case, its history, and moves.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{
    CaseSnapshot, CaseState, CategoryCode, Channel, Event, Intake, Ledger, Move, Reporter, Urgency,
};
use shiyu_domain::deadline::warning::{DEFAULT_YELLOW_SHARE, warning};
use shiyu_domain::ids::{AttachmentId, CaseId, CaseNumber, OrgId};
use shiyu_domain::place::{Located, place};
use shiyu_domain::role::Role;
use shiyu_storage::{CaseFilter, CaseSummary, ContactInput};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// Who reported, as chosen at intake.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReporterChoice {
    /// The signed-in user.
    #[serde(rename = "self")]
    Myself,
    /// A person who gave contact details.
    Contact,
    /// Nobody named.
    Anonymous,
}

/// Contact details given at intake.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ContactBody {
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
}

/// A point with its coordinate system.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LocationBody {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Coordinate system of `lon`/`lat`: `wgs84` (default), `gcj02` or `bd09`; stored as WGS-84.
    #[serde(default)]
    pub crs: Option<String>,
}

/// A new case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewCase {
    /// `suggestion`, `demand`, `complaint` or `event`.
    pub ledger: String,
    /// Category code.
    pub category: String,
    /// Channel wire name.
    pub channel: String,
    /// `normal`, `urgent` or `critical` (default normal).
    #[serde(default)]
    pub urgency: Option<String>,
    /// One-line title.
    pub title: String,
    /// The request.
    pub text: String,
    /// Leaf area code. May be left out when `location` is given: the grid the point lies in is
    /// used (a point in no grid keeps the given area, or the caller's own, and is flagged).
    #[serde(default)]
    pub area_code: String,
    /// Exact place.
    #[serde(default)]
    pub location: Option<LocationBody>,
    /// Who reported (default: `self` for residents and grid workers, else `anonymous`).
    #[serde(default)]
    pub reporter: Option<ReporterChoice>,
    /// Contact, with `reporter = contact`.
    #[serde(default)]
    pub contact: Option<ContactBody>,
    /// Attachment ids from `POST /api/attachments`.
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl NewCase {
    /// Parses the body into the domain's intake and the contact, placing the point in its grid
    /// (DESIGN §3: coordinates decide the area; see [`shiyu_domain::place`]).
    pub async fn into_intake(self, state: &AppState, auth: &Auth) -> Result<(Intake, Option<ContactInput>), ApiError> {
        let reporter = match self.reporter {
            Some(r) => r,
            None if matches!(auth.user.role, Role::Resident | Role::GridWorker) => ReporterChoice::Myself,
            None if self.contact.is_some() => ReporterChoice::Contact,
            None => ReporterChoice::Anonymous,
        };
        let location = match &self.location {
            None => None,
            Some(l) => Some(crate::places::to_wgs84(l.lon, l.lat, l.crs.as_deref())?),
        };
        let given = Some(self.area_code.trim()).filter(|a| !a.is_empty()).map(AreaCode::parse).transpose()?;
        let located = match location {
            Some(p) => state.places.locate(p),
            None => Located::NoPoint,
        };
        let fallback = match auth.principal.home_area() {
            Some(a) => a.clone(),
            None => {
                let city = state.store.default_city().await?;
                AreaCode::parse(&format!("{}00000000", city.as_str()))?
            }
        };
        let placement = place(located, given, &fallback)?;
        let attachments = self
            .attachments
            .iter()
            .map(|a| AttachmentId::parse(a).map_err(|_| ApiError::invalid("attachments", "malformed")))
            .collect::<Result<Vec<_>, _>>()?;
        let intake = Intake {
            ledger: Ledger::parse(&self.ledger)?,
            category: CategoryCode::parse(&self.category)?,
            channel: Channel::parse(&self.channel)?,
            urgency: self.urgency.as_deref().map(Urgency::parse).transpose()?.unwrap_or(Urgency::Normal),
            title: self.title,
            text: self.text,
            area: placement.area,
            location,
            off_grid: placement.off_grid,
            reporter: match reporter {
                ReporterChoice::Myself => Reporter::Account { user: auth.user.id },
                ReporterChoice::Contact => Reporter::Contact,
                ReporterChoice::Anonymous => Reporter::Anonymous,
            },
            attachments,
        };
        let contact = self.contact.map(|c| ContactInput { name: c.name, phone: c.phone });
        Ok((intake, contact))
    }
}

/// A case as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// The case (see the domain's CaseSnapshot).
    #[schema(value_type = Object)]
    pub case: CaseSnapshot,
    /// The reporter's masked contact.
    #[schema(value_type = Option<Object>)]
    pub contact: Option<shiyu_storage::cases::ContactView>,
    /// Moves the caller may make now.
    pub available_moves: Vec<String>,
    /// `normal`, `yellow` or `red` for the current stage's deadline.
    pub warning: Option<String>,
}

/// The moves the caller could make on the case now, under the deployment's rules.
pub fn moves_for(state: &AppState, auth: &Auth, case: &CaseSnapshot) -> Vec<&'static str> {
    let rules = state.store.rules();
    let ctx = shiyu_domain::case::Ctx {
        actor: &auth.principal,
        now: chrono::Utc::now(),
        calendar: &rules.calendar,
        policy: &rules.policy,
        rules: &rules.case,
    };
    shiyu_domain::case::machine::available_moves(case, &ctx)
}

/// Builds the view of a case for a caller.
pub fn view(
    state: &AppState,
    auth: &Auth,
    case: CaseSnapshot,
    contact: Option<shiyu_storage::cases::ContactView>,
) -> CaseView {
    let rules = state.store.rules();
    let warn = case.current_due().map(|due| {
        warning(&rules.calendar, case.stage_started_at, due, chrono::Utc::now(), DEFAULT_YELLOW_SHARE)
            .as_str()
            .to_owned()
    });
    CaseView {
        available_moves: moves_for(state, auth, &case).into_iter().map(str::to_owned).collect(),
        warning: warn,
        contact,
        case,
    }
}

/// Register a case (分类建账).
#[utoipa::path(post, path = "/api/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = CaseView), (status = 422, description = "a field is invalid; the body names it"), (status = 403)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewCase>,
) -> Result<(axum::http::StatusCode, Json<CaseView>), ApiError> {
    let (intake, contact) = body.into_intake(&state, &auth).await?;
    // The registrar typed the contact; it is shown back masked without reading it again.
    let shown = contact.as_ref().map(shiyu_storage::cases::ContactInput::view);
    let proposed = state.routing.proposed_category(&intake.title, &intake.text);
    let case = state.store.register_case_judged(&auth.principal, intake, contact, chrono::Utc::now(), proposed).await?;
    Ok((axum::http::StatusCode::CREATED, Json(view(&state, &auth, case, shown))))
}

/// List filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ListParams {
    /// Comma-separated states.
    pub state: Option<String>,
    /// Responsible centre's area code.
    pub handling_area: Option<String>,
    /// Lead organisation id.
    pub lead_org: Option<String>,
    /// `true` for overdue open cases only.
    pub overdue: Option<bool>,
    /// `true` for supervised cases only.
    pub supervised: Option<bool>,
    /// Title contains.
    pub q: Option<String>,
    /// Place of the matter within this area's subtree.
    pub area: Option<String>,
    /// `true` for cases whose point lies in no grid.
    pub off_grid: Option<bool>,
    /// Only this category and the ones below it.
    pub category: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Offset.
    pub offset: Option<u32>,
}

impl ListParams {
    /// Parses into a storage filter.
    pub fn filter(&self) -> Result<CaseFilter, ApiError> {
        let states = self
            .state
            .as_deref()
            .map(|s| s.split(',').filter(|x| !x.is_empty()).map(CaseState::parse).collect::<Result<Vec<_>, _>>())
            .transpose()?
            .unwrap_or_default();
        Ok(CaseFilter {
            states,
            handling_area: self.handling_area.as_deref().filter(|s| !s.is_empty()).map(AreaCode::parse).transpose()?,
            lead_org: self
                .lead_org
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(OrgId::parse)
                .transpose()
                .map_err(|_| ApiError::invalid("lead_org", "malformed"))?,
            due_before: self.overdue.unwrap_or(false).then(chrono::Utc::now),
            supervised: self.supervised.unwrap_or(false),
            title_contains: self.q.clone(),
            area: self.area.as_deref().filter(|s| !s.is_empty()).map(AreaCode::parse).transpose()?,
            off_grid: self.off_grid.unwrap_or(false),
            category: self.category.clone().filter(|c| !c.trim().is_empty()),
            limit: self.limit,
            offset: self.offset,
        })
    }
}

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    /// The cases.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<CaseSummary>,
    /// How many match in total.
    pub total: i64,
}

/// List cases in the caller's scope.
#[utoipa::path(get, path = "/api/cases", tag = "cases", params(ListParams), responses((status = 200, body = CaseList)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<ListParams>,
) -> Result<Json<CaseList>, ApiError> {
    let (items, total) = state.store.list_cases(&auth.scope(), &p.filter()?).await?;
    Ok(Json(CaseList { items, total }))
}

/// One case.
#[utoipa::path(get, path = "/api/cases/{id}", tag = "cases", params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseView), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let id = CaseId::parse(&id).map_err(|_| ApiError::NotFound("case".into()))?;
    let r = state.store.case_record(&auth.scope(), id).await?;
    Ok(Json(view(&state, &auth, r.case, r.contact)))
}

/// One case by its number.
#[utoipa::path(get, path = "/api/cases/by-number/{number}", tag = "cases", params(("number" = String, Path)),
    responses((status = 200, body = CaseView), (status = 404)))]
pub async fn by_number(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let n = CaseNumber::parse(&number)?;
    let r = state.store.case_by_number(&auth.scope(), &n).await?;
    Ok(Json(view(&state, &auth, r.case, r.contact)))
}

/// The history of a case.
#[utoipa::path(get, path = "/api/cases/{id}/events", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Object>), (status = 404)))]
pub async fn events(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Vec<Event>>, ApiError> {
    let id = CaseId::parse(&id).map_err(|_| ApiError::NotFound("case".into()))?;
    Ok(Json(state.store.case_history(&auth.scope(), id).await?))
}

/// Make a move on a case. The body is the move, e.g. `{"move":"dispatch","lead":"…","co":[],"note":""}`.
#[utoipa::path(post, path = "/api/cases/{id}/moves", tag = "cases", params(("id" = String, Path)), request_body = Object,
    responses((status = 200, body = CaseView), (status = 409, description = "not allowed now; state unchanged"), (status = 422), (status = 403), (status = 404)))]
pub async fn make_move(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> Result<Json<CaseView>, ApiError> {
    let id = CaseId::parse(&id).map_err(|_| ApiError::NotFound("case".into()))?;
    let mv = parse_move(body)?;
    let case = state.store.apply_move(&auth.principal, id, mv.clone(), chrono::Utc::now()).await?;
    state.routing.judge_move(&state.store, &case, &mv).await;
    let contact = state.store.case_record(&auth.scope(), id).await.ok().and_then(|r| r.contact);
    Ok(Json(view(&state, &auth, case, contact)))
}

/// Parses a move body, naming the field that is wrong.
pub fn parse_move(body: serde_json::Value) -> Result<Move, ApiError> {
    let name =
        body.get("move").and_then(|m| m.as_str()).ok_or_else(|| ApiError::invalid("move", "required"))?.to_owned();
    if !Move::NAMES.contains(&name.as_str()) || name == "register" {
        return Err(ApiError::invalid("move", "unknown_value"));
    }
    serde_json::from_value::<Move>(body).map_err(|e| {
        let msg = e.to_string();
        // serde names the missing or bad field in backticks; surface it as the field.
        let field = msg.split('`').nth(1).unwrap_or("move").to_owned();
        let reason = if msg.starts_with("missing field") { "required" } else { "malformed" };
        ApiError::invalid(&field, reason)
    })
}
