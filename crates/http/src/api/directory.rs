//! Directory routes: the caller, notices, areas, organisations, categories, users and API tokens.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::CategoryCode;
use shiyu_domain::ids::OrgId;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Binding;
use shiyu_storage::directory::{Area, Category, Org, OrgKind, User};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Auth, password, random_secret};
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The account.
    #[schema(value_type = Object)]
    pub user: User,
    /// Role title in Chinese.
    pub role_label: String,
    /// CSRF token for cookie sessions.
    pub csrf: String,
}

/// Who am I.
#[utoipa::path(get, path = "/api/me", tag = "directory", responses((status = 200, body = Me), (status = 401)))]
pub async fn me(auth: Auth) -> Json<Me> {
    Json(Me { role_label: auth.user.role.label_zh().to_owned(), csrf: auth.csrf().to_owned(), user: auth.user })
}

/// My notices.
#[utoipa::path(get, path = "/api/notifications", tag = "directory", responses((status = 200, body = Vec<Object>)))]
pub async fn notifications(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<shiyu_storage::cases::Notification>>, ApiError> {
    Ok(Json(state.store.notifications(&auth.principal, 100).await?))
}

/// Mark one of my notices read.
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "directory", params(("id" = String, Path)),
    responses((status = 204), (status = 404, description = "no such notice addressed to you")))]
pub async fn read_notification(
    State(state): State<AppState>,
    auth: Auth,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    if state.store.mark_notification_read(&auth.principal, &id, chrono::Utc::now()).await? {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("notification".into()))
    }
}

/// The root of what a caller may browse in the tree: their area, their organisation's area, or
/// the city for residents (who see names, not cases).
pub(crate) async fn browse_root(state: &AppState, auth: &Auth) -> Result<AreaCode, ApiError> {
    match auth.principal.home_area() {
        Some(a) => Ok(a.clone()),
        None => {
            let city = state.store.default_city().await?;
            AreaCode::parse(&format!("{}00000000", city.as_str())).map_err(ApiError::from)
        }
    }
}

/// Area query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AreaParams {
    /// Children of this area only.
    pub parent: Option<String>,
}

/// Areas visible to the caller (the subtree of their area; residents: the whole city's names).
#[utoipa::path(get, path = "/api/areas", tag = "directory", params(AreaParams), responses((status = 200, body = Vec<Object>)))]
pub async fn areas(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<AreaParams>,
) -> Result<Json<Vec<Area>>, ApiError> {
    let root = browse_root(&state, &auth).await?;
    let mut list = match p.parent.as_deref() {
        Some(parent) => {
            let parent = AreaCode::parse(parent)?;
            state
                .store
                .child_areas(&parent)
                .await?
                .into_iter()
                .filter(|a| a.code.is_within(&root) || auth.user.role == Role::Resident)
                .collect()
        }
        None => state.store.areas_within(&root).await?,
    };
    // Polygons are large; lists carry names and codes only.
    for a in &mut list {
        a.polygon = None;
    }
    Ok(Json(list))
}

/// A new area.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewArea {
    /// Division code (12 digits, or 15/18 for grids and micro-grids).
    pub code: String,
    /// Name.
    pub name: String,
    /// Boundary, GeoJSON geometry.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub polygon: Option<serde_json::Value>,
}

/// Add an area (administrators, inside their own subtree).
#[utoipa::path(post, path = "/api/areas", tag = "directory", request_body = NewArea, responses((status = 201, body = Object), (status = 403), (status = 422)))]
pub async fn create_area(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewArea>,
) -> Result<(axum::http::StatusCode, Json<Area>), ApiError> {
    auth.require(&[Role::Admin])?;
    let code = AreaCode::parse(&b.code)?;
    if !auth.scope().covers_area(&code) {
        return Err(ApiError::Rule("out_of_scope".into()));
    }
    let poly = b.polygon.map(|p| p.to_string());
    let area = state.store.create_area(&code, &b.name, poly.as_deref(), chrono::Utc::now()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(area)))
}

/// Organisations in the caller's city (dispatch targets are chosen from these).
#[utoipa::path(get, path = "/api/orgs", tag = "directory", responses((status = 200, body = Vec<Object>)))]
pub async fn orgs(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<Org>>, ApiError> {
    auth.require(&[
        Role::Operator,
        Role::Leader,
        Role::Admin,
        Role::Analyst,
        Role::Handler,
        Role::GridWorker,
        Role::Mediator,
    ])?;
    Ok(Json(state.store.orgs(None).await?))
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrg {
    /// Name.
    pub name: String,
    /// `department` or `centre`.
    pub kind: String,
    /// Where it sits.
    pub area_code: String,
}

/// Add an organisation (administrators).
#[utoipa::path(post, path = "/api/orgs", tag = "directory", request_body = NewOrg, responses((status = 201, body = Object), (status = 403), (status = 422)))]
pub async fn create_org(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewOrg>,
) -> Result<(axum::http::StatusCode, Json<Org>), ApiError> {
    auth.require(&[Role::Admin])?;
    let area = AreaCode::parse(&b.area_code)?;
    if !auth.scope().covers_area(&area) {
        return Err(ApiError::Rule("out_of_scope".into()));
    }
    let kind = match b.kind.as_str() {
        "department" => OrgKind::Department,
        "centre" => OrgKind::Centre,
        _ => return Err(ApiError::invalid("kind", "unknown_value")),
    };
    Ok((axum::http::StatusCode::CREATED, Json(state.store.create_org(&b.name, kind, &area, chrono::Utc::now()).await?)))
}

/// The category tree.
#[utoipa::path(get, path = "/api/categories", tag = "directory", responses((status = 200, body = Vec<Object>)))]
pub async fn categories(State(state): State<AppState>, _auth: Auth) -> Result<Json<Vec<Category>>, ApiError> {
    Ok(Json(state.store.categories().await?))
}

/// A new or renamed category.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCategory {
    /// Dotted code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// Add or rename a category (administrators).
#[utoipa::path(post, path = "/api/categories", tag = "directory", request_body = NewCategory, responses((status = 204), (status = 403), (status = 422)))]
pub async fn upsert_category(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewCategory>,
) -> Result<axum::http::StatusCode, ApiError> {
    auth.require(&[Role::Admin])?;
    let code = CategoryCode::parse(&b.code)?;
    if b.name_zh.trim().is_empty() {
        return Err(ApiError::invalid("name", "required"));
    }
    state.store.upsert_category(&code, b.name_zh.trim(), b.name_en.trim()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Users attached inside the administrator's subtree.
#[utoipa::path(get, path = "/api/users", tag = "directory", responses((status = 200, body = Vec<Object>), (status = 403)))]
pub async fn users(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<User>>, ApiError> {
    auth.require(&[Role::Admin])?;
    let root = browse_root(&state, &auth).await?;
    Ok(Json(state.store.users_within(&root).await?))
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role wire name.
    pub role: String,
    /// Initial password (at least 8 characters).
    pub password: String,
    /// Area, for area-bound roles.
    #[serde(default)]
    pub area_code: Option<String>,
    /// Organisation, for handlers.
    #[serde(default)]
    pub org_id: Option<String>,
}

/// Add a user (administrators, inside their subtree).
#[utoipa::path(post, path = "/api/users", tag = "directory", request_body = NewUser, responses((status = 201, body = Object), (status = 403), (status = 422)))]
pub async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewUser>,
) -> Result<(axum::http::StatusCode, Json<User>), ApiError> {
    auth.require(&[Role::Admin])?;
    let role = Role::parse(&b.role)?;
    let binding = match (role, b.area_code.as_deref(), b.org_id.as_deref()) {
        (Role::Resident, _, _) => Binding::Resident,
        (Role::Handler, _, Some(org)) => {
            let org = OrgId::parse(org).map_err(|_| ApiError::invalid("org_id", "malformed"))?;
            let o = state.store.org(org).await.map_err(|_| ApiError::invalid("org_id", "unknown_org"))?;
            Binding::Org { org, area: o.area }
        }
        (Role::Handler, _, None) => return Err(ApiError::invalid("org_id", "required")),
        (_, Some(a), _) => Binding::Area { area: AreaCode::parse(a)? },
        (_, None, _) => return Err(ApiError::invalid("area_code", "required")),
    };
    if let Binding::Area { area } | Binding::Org { area, .. } = &binding
        && !auth.scope().covers_area(area)
    {
        return Err(ApiError::Rule("out_of_scope".into()));
    }
    let hash = password::hash(&b.password)?;
    let user = state.store.create_user(&b.username, &b.name, role, binding, &hash, chrono::Utc::now()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(user)))
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// What the token is for.
    pub label: String,
}

/// An issued token; shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Issue an API token acting as the caller (for machine clients).
#[utoipa::path(post, path = "/api/tokens", tag = "directory", request_body = NewToken, responses((status = 201, body = IssuedToken)))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewToken>,
) -> Result<(axum::http::StatusCode, Json<IssuedToken>), ApiError> {
    if auth.user.role == Role::Resident {
        return Err(ApiError::Forbidden);
    }
    let label = b.label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(ApiError::invalid("label", "required"));
    }
    let token = format!("shiyu_{}", random_secret());
    state.store.create_api_token(&auth.user, &token, label, chrono::Utc::now(), None).await?;
    Ok((axum::http::StatusCode::CREATED, Json(IssuedToken { token })))
}
