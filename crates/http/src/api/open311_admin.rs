//! Administration of the Open311 face: connected clients (a key is shown once, at creation) and
//! the extra questions each service (category) asks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::open311::{AttributeDef, check_definitions};
use shiyu_domain::role::Role;
use shiyu_storage::open311::Open311Client;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// A client to connect.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewClient {
    /// The app or system.
    pub name: String,
    /// The area its requests default to (default: the city).
    #[serde(default)]
    pub area_code: Option<String>,
}

/// A connected client and its key (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedClient {
    /// The client.
    #[schema(value_type = Object)]
    pub client: Open311Client,
    /// The api_key.
    pub api_key: String,
}

/// Connected clients.
#[utoipa::path(get, path = "/api/admin/open311/clients", tag = "open311",
    responses((status = 200, body = Vec<Object>), (status = 403)))]
pub async fn clients(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<Open311Client>>, ApiError> {
    auth.require(&[Role::Admin])?;
    Ok(Json(state.store.open311_clients().await?))
}

/// Connect a client: its requests are registered through an account of its own at the area.
#[utoipa::path(post, path = "/api/admin/open311/clients", tag = "open311", request_body = NewClient,
    responses((status = 201, body = CreatedClient), (status = 403), (status = 422, description = "names the field")))]
pub async fn create_client(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewClient>,
) -> Result<(StatusCode, Json<CreatedClient>), ApiError> {
    auth.require(&[Role::Admin])?;
    let area = match b.area_code.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => AreaCode::parse(a).map_err(|_| ApiError::invalid("area_code", "unknown_area"))?,
        None => AreaCode::parse(&format!("{}00000000", state.store.default_city().await?.as_str()))?,
    };
    state.store.area(&area).await.map_err(|_| ApiError::invalid("area_code", "unknown_area"))?;
    let (client, api_key) = state.store.create_open311_client(&b.name, &area, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedClient { client, api_key })))
}

/// A service's questions.
#[utoipa::path(get, path = "/api/admin/services/{code}/attributes", tag = "open311", params(("code" = String, Path)),
    responses((status = 200, body = Vec<Object>), (status = 403)))]
pub async fn attributes(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> Result<Json<Vec<AttributeDef>>, ApiError> {
    auth.require(&[Role::Admin])?;
    Ok(Json(state.store.service_attributes(&code).await?))
}

/// Replace a service's questions (checked as a whole; nothing changes when one is refused).
#[utoipa::path(put, path = "/api/admin/services/{code}/attributes", tag = "open311", params(("code" = String, Path)),
    request_body = Vec<Object>,
    responses((status = 204), (status = 403), (status = 422, description = "names the attribute")))]
pub async fn set_attributes(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Json(defs): Json<Vec<AttributeDef>>,
) -> Result<StatusCode, ApiError> {
    auth.require(&[Role::Admin])?;
    check_definitions(&defs).map_err(|e| ApiError::invalid(&format!("attributes[{}]", e.code), e.reason))?;
    state.store.set_service_attributes(&code, &defs).await?;
    Ok(StatusCode::NO_CONTENT)
}
