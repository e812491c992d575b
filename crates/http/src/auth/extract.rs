//! The [`Auth`] extractor: resolves a Bearer API token or the session cookie into the signed-in
//! user and principal. Every scoped handler takes it, so no route can forget authentication.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use shiyu_domain::scope::{Principal, Scope};
use shiyu_storage::directory::User;

use super::SESSION_COOKIE;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;

/// How the request authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    /// Browser session; carries the CSRF token for forms.
    Session {
        /// The CSRF token to embed in forms.
        csrf: String,
    },
    /// API token (machine client).
    Token,
}

/// The signed-in user.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The account.
    pub user: User,
    /// The acting identity.
    pub principal: Principal,
    /// How they authenticated.
    pub via: Via,
    /// Their language.
    pub lang: Lang,
}

impl Auth {
    /// The user's data scope.
    pub fn scope(&self) -> Scope {
        self.principal.scope()
    }

    /// The CSRF token for forms (empty for token clients, which do not use forms).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf } => csrf,
            Via::Token => "",
        }
    }

    /// Fails unless the role is one of `roles`.
    pub fn require(&self, roles: &[shiyu_domain::role::Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) { Ok(()) } else { Err(ApiError::Forbidden) }
    }
}

/// Reads a cookie's value from the request headers.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<Auth>, ApiError> {
    let lang = Lang::from_parts(parts);
    let now = chrono::Utc::now();
    if let Some(h) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let token = h.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(ApiError::Unauthenticated)?;
        let user = state.store.api_token_user(token.trim(), now).await?.ok_or(ApiError::Unauthenticated)?;
        return Ok(Some(Auth::of_token(user, lang)));
    }
    let Some(token) = cookie(parts, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = state.store.session(&token, now).await? else {
        return Ok(None);
    };
    Ok(Some(Auth::of_session(session, lang)))
}

impl Auth {
    /// A machine client's, by its API token's user.
    pub(crate) fn of_token(user: User, lang: Lang) -> Self {
        Self { principal: user.principal(), user, via: Via::Token, lang }
    }

    /// A browser's, by its session.
    pub(crate) fn of_session(session: shiyu_storage::sessions::Session, lang: Lang) -> Self {
        Self { principal: session.user.principal(), user: session.user, via: Via::Session { csrf: session.csrf }, lang }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(a.clone());
        }
        let auth = resolve(parts, state).await?.ok_or(ApiError::Unauthenticated)?;
        parts.extensions.insert(auth.clone());
        Ok(auth)
    }
}

/// The signed-in user if any (public pages that show more when signed in).
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(Self(Some(a.clone())));
        }
        Ok(Self(resolve(parts, state).await.ok().flatten()))
    }
}
