//! `GET /lang/{zh|en}`: remembers the language in a cookie and goes back to the page the switch
//! was clicked on.

use axum::extract::Path;
use axum::http::header::{REFERER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::ApiError;

/// Sets the `lang` cookie and redirects back.
pub async fn switch(Path(code): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let code = match code.as_str() {
        "zh" | "en" => code,
        _ => return Err(ApiError::invalid("lang", "unknown_value")),
    };
    let cookie = HeaderValue::from_str(&format!("lang={code}; Path=/; Max-Age=31536000; SameSite=Lax"))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let back = headers.get(REFERER).and_then(|v| v.to_str().ok()).map_or_else(|| "/".to_owned(), back_path);
    Ok(([(SET_COOKIE, cookie)], Redirect::to(&back)).into_response())
}

/// The path and query of a referring URL, without any `lang=` parameter (it would override the
/// cookie just set). Only a path on this site is followed, so the switch cannot redirect away.
fn back_path(referer: &str) -> String {
    let after_scheme = referer.split_once("://").map_or(referer, |(_, rest)| rest);
    let path = match after_scheme.find('/') {
        Some(i) if referer.contains("://") => &after_scheme[i..],
        _ if referer.starts_with('/') => referer,
        _ => "/",
    };
    if path.starts_with("//") || path.starts_with("/lang/") {
        return "/".to_owned();
    }
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    if kept.is_empty() { path.to_owned() } else { format!("{path}?{}", kept.join("&")) }
}

#[cfg(test)]
mod tests {
    use super::back_path;

    #[test]
    fn goes_back_to_the_same_site_only() {
        assert_eq!(back_path("http://127.0.0.1:8080/cases?state=accepted&lang=zh"), "/cases?state=accepted");
        assert_eq!(back_path("https://example.org/cases/1?lang=en"), "/cases/1");
        assert_eq!(back_path("http://host"), "/");
        assert_eq!(back_path("http://host//evil.example/"), "/");
        assert_eq!(back_path("http://host/lang/en"), "/");
        assert_eq!(back_path("garbage"), "/");
    }
}
