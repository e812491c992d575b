//! The server-rendered web UI: askama templates compiled into the binary, Chinese by default with
//! English on request, small scripts (htmx) for partial updates, usable on a phone.

use axum::Router;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::auth::MaybeAuth;
use crate::i18n::Lang;
use crate::state::AppState;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The web routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/login", get(login_page))
}

async fn home(MaybeAuth(auth): MaybeAuth) -> Response {
    match auth {
        None => Redirect::to("/login").into_response(),
        Some(a) => {
            Html(format!("<!doctype html><meta charset=utf-8><title>shiyu</title><p>{}</p>", escape(&a.user.name)))
                .into_response()
        }
    }
}

async fn login_page(headers: axum::http::HeaderMap) -> Html<String> {
    let lang = Lang::from_headers(&headers);
    Html(format!(
        "<!doctype html><html lang=\"{}\"><meta charset=utf-8><title>shiyu</title><form method=post action=/login><input name=username><input name=password type=password><button>{}</button></form></html>",
        lang.code(),
        lang.pick("登录", "Sign in")
    ))
}
