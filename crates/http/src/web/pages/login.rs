//! `GET /login`: the sign-in form (the form posts to the login route of [`crate::auth::login`]).

use askama::Template;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::web::layout::{Chrome, render, request_lang};
use crate::web::text::{Text, text};

/// The sign-in page.
#[derive(Template)]
#[template(path = "pages/login.html")]
pub struct LoginPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
}

/// Shows the sign-in form, or sends a signed-in user home.
pub async fn page(MaybeAuth(auth): MaybeAuth, uri: Uri, headers: HeaderMap) -> Result<Response, ApiError> {
    if auth.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let lang = request_lang(&uri, &headers);
    render(&LoginPage { chrome: Chrome::public(lang, None, "/login"), t: text(lang) })
}
