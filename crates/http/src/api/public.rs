//! Public routes for residents without an account: follow a case by number and phone, and rate
//! its result; read an area's public page. They show no personal data and no internal notes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shiyu_domain::case::{CaseSnapshot, Move, Satisfaction};
use shiyu_domain::ids::CaseNumber;
use utoipa::ToSchema;

use crate::auth::MaybeAuth;
use crate::community::community_view;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::reader_lang;

/// How long a browser or proxy may keep a public page: the figures move by the minute, not the
/// second, and a page shared around a community should not hit the database for every reader.
pub const PUBLIC_MAX_AGE: &str = "public, max-age=60";

/// What a public answer's language depends on.
pub const PUBLIC_VARY: &str = "Accept-Language, Cookie";

/// Number and phone.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FollowRequest {
    /// Case number.
    pub number: String,
    /// The phone given at intake.
    pub phone: String,
}

/// What a reporter sees of their case.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCase {
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// State wire name.
    pub state: String,
    /// State in Chinese.
    pub state_label: String,
    /// Registered at.
    pub created_at: String,
    /// Expected by.
    pub expected_by: Option<String>,
    /// Result text, once reported and verified.
    pub result: Option<String>,
    /// Whether the reporter can rate now.
    pub can_rate: bool,
    /// The reporter's rating, if given.
    pub satisfaction: Option<String>,
}

impl PublicCase {
    /// The public view of a case.
    pub fn of(c: &CaseSnapshot) -> Self {
        use shiyu_domain::case::CaseState as S;
        let result_visible = matches!(c.state, S::Revisit | S::Closed | S::Archived);
        Self {
            number: c.number.to_string(),
            title: c.title.clone(),
            state: c.state.as_str().to_owned(),
            state_label: c.state.label_zh().to_owned(),
            created_at: shiyu_domain::time::show(c.created_at),
            expected_by: c.handle_by.map(shiyu_domain::time::show),
            result: if result_visible { c.result_text.clone() } else { None },
            can_rate: c.state == S::Revisit,
            satisfaction: c.satisfaction.map(|s| s.as_str().to_owned()),
        }
    }
}

/// Follow a case by number and phone.
#[utoipa::path(post, path = "/api/public/follow", tag = "public", request_body = FollowRequest,
    responses((status = 200, body = PublicCase), (status = 404, description = "no case with that number and phone")))]
pub async fn follow(State(state): State<AppState>, Json(b): Json<FollowRequest>) -> Result<Json<PublicCase>, ApiError> {
    let number = CaseNumber::parse(&b.number)?;
    let case = state.store.follow_case(&number, &b.phone).await?;
    Ok(Json(PublicCase::of(&case)))
}

/// A rating.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RateRequest {
    /// Case number.
    pub number: String,
    /// The phone given at intake.
    pub phone: String,
    /// `satisfied`, `basic` or `unsatisfied`.
    pub satisfaction: String,
    /// Comment.
    #[serde(default)]
    pub note: String,
}

/// Rate the result of a case followed by number and phone.
#[utoipa::path(post, path = "/api/public/rate", tag = "public", request_body = RateRequest,
    responses((status = 200, body = PublicCase), (status = 404), (status = 409), (status = 422)))]
pub async fn rate(State(state): State<AppState>, Json(b): Json<RateRequest>) -> Result<Json<PublicCase>, ApiError> {
    let number = CaseNumber::parse(&b.number)?;
    let satisfaction = Satisfaction::parse(&b.satisfaction)?;
    if satisfaction == Satisfaction::Unreachable {
        return Err(ApiError::invalid("satisfaction", "unknown_value"));
    }
    let (case, principal) = state.store.followed_case_principal(&number, &b.phone).await?;
    let after = state
        .store
        .apply_move(&principal, case.id, Move::RecordRevisit { satisfaction, note: b.note }, chrono::Utc::now())
        .await?;
    Ok(Json(PublicCase::of(&after)))
}

/// The public page of an area as data: how its requests are answered, its open and recently
/// finished cases (communities and villages) and its proposals. No personal data.
#[utoipa::path(get, path = "/api/public/areas/{code}", tag = "public",
    params(("code" = String, Path, description = "a city, district, street, community or village code")),
    responses((status = 200, body = Object), (status = 404), (status = 422, description = "not an area code, or a grid's")))]
pub async fn area(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    uri: Uri,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let lang = reader_lang(auth.as_ref(), &uri, &headers);
    let code = crate::community::area_of(&code)?;
    let view = community_view(&state, lang, &code, chrono::Utc::now()).await?;
    Ok(([(CACHE_CONTROL, PUBLIC_MAX_AGE), (VARY, PUBLIC_VARY)], Json(view)).into_response())
}
