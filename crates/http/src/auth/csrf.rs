//! CSRF protection for cookie sessions: every unsafe request that carries the session cookie
//! must also carry the session's CSRF token, in the `X-CSRF-Token` header (scripts, htmx) or the
//! `_csrf` form field (plain forms) or query parameter (multipart uploads). Requests with a valid
//! Bearer token carry no ambient credential and are exempt. The cookie is also `SameSite=Lax`.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::SESSION_COOKIE;
use super::extract::{Auth, cookie};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;

/// Largest urlencoded form body read for the token.
const MAX_FORM: usize = 1 << 20;

fn form_value(body: &[u8], key: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

/// The middleware.
pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // Only a valid API token stands in for the check: a made-up `Authorization` header beside a
    // session cookie must not switch it off (a public route would then act on the session).
    let bearer = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    if let Some(t) = &bearer
        && let Ok(Some(user)) = state.store.api_token_user(t, chrono::Utc::now()).await
    {
        // The handler's `Auth` extractor takes it from here instead of looking it up again.
        let mut parts = parts;
        let lang = Lang::from_parts(&parts);
        parts.extensions.insert(Auth::of_token(user, lang));
        return next.run(Request::from_parts(parts, body)).await;
    }
    let Some(token) = cookie(&parts, SESSION_COOKIE) else {
        // No ambient credential: nothing to forge. Login itself is such a request.
        return next.run(Request::from_parts(parts, body)).await;
    };
    let Ok(Some(session)) = state.store.session(&token, chrono::Utc::now()).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let header = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let query = parts.uri.query().and_then(|q| form_value(q.as_bytes(), "_csrf"));
    let is_form = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let (given, body) = match (header.or(query), is_form) {
        (Some(t), _) => (Some(t), body),
        (None, true) => match to_bytes(body, MAX_FORM).await {
            Ok(bytes) => (form_value(&bytes, "_csrf"), Body::from(bytes)),
            Err(_) => return ApiError::invalid("body", "too_long").into_response(),
        },
        (None, false) => (None, body),
    };
    if given.as_deref() != Some(session.csrf.as_str()) {
        return ApiError::Csrf.into_response();
    }
    // The extractor would resolve the same session again (it gives a made-up bearer header
    // precedence, so only without one).
    let mut parts = parts;
    if bearer.is_none() {
        let lang = Lang::from_parts(&parts);
        parts.extensions.insert(Auth::of_session(session, lang));
    }
    next.run(Request::from_parts(parts, body)).await
}
