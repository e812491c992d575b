//! Sign-in and sign-out, for the JSON API and for browser forms.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{SESSION_COOKIE, password, random_secret};
use crate::error::ApiError;
use crate::state::AppState;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A started session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The user.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role wire name.
    pub role: String,
    /// Token to send as `X-CSRF-Token` on unsafe requests with the session cookie.
    pub csrf: String,
}

/// Checks credentials and opens a session; returns the cookie header and the response body.
async fn open_session(state: &AppState, req: &LoginRequest) -> Result<(HeaderValue, LoginResponse), ApiError> {
    let found = state.store.user_for_login(&req.username).await;
    let (user, hash) = match found {
        Ok(pair) => pair,
        Err(shiyu_storage::StorageError::NotFound(_)) => {
            password::verify(&req.password, password::decoy());
            return Err(ApiError::BadCredentials);
        }
        Err(e) => return Err(e.into()),
    };
    if !password::verify(&req.password, &hash) || !user.active {
        return Err(ApiError::BadCredentials);
    }
    let token = random_secret();
    let csrf = random_secret();
    let now = chrono::Utc::now();
    let expires = now + chrono::Duration::hours(state.cfg.session_hours);
    state.store.create_session(&user, &token, &csrf, now, expires).await?;
    let secure = if state.cfg.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        state.cfg.session_hours * 3600
    );
    let header = HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((header, LoginResponse { username: user.username, name: user.name, role: user.role.as_str().to_owned(), csrf }))
}

/// The session token the request's cookie carries, if any.
fn presented_session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Ends the session the browser presented when it signs in again: a sign-in always starts a new
/// session id, and the one from before (perhaps planted by someone else) stops working.
async fn retire_presented(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(t) = presented_session(headers) {
        state.store.delete_session(&t).await?;
    }
    Ok(())
}

/// Sign in (JSON). Sets the session cookie.
#[utoipa::path(post, path = "/api/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "wrong credentials"), (status = 429, description = "too many attempts")))]
pub async fn api_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let (cookie, body) = open_session(&state, &req).await?;
    retire_presented(&state, &headers).await?;
    Ok(([(SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Sign in (browser form). Redirects home with the session cookie.
pub async fn form_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(req): axum::Form<LoginRequest>,
) -> Result<Response, ApiError> {
    let (cookie, _) = open_session(&state, &req).await?;
    retire_presented(&state, &headers).await?;
    Ok(([(SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

/// Sign out: deletes the server-side session and clears the cookie.
#[utoipa::path(post, path = "/api/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    retire_presented(&state, &headers).await?;
    let clear = HeaderValue::from_static("shiyu_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    let accepts_html =
        headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if accepts_html {
        Ok(([(SET_COOKIE, clear)], Redirect::to("/login")).into_response())
    } else {
        Ok(([(SET_COOKIE, clear)], axum::http::StatusCode::NO_CONTENT).into_response())
    }
}
