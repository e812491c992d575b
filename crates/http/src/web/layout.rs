//! The frame around every page (top bar with the user, role, language switch and sign-out; the
//! navigation for the role) and the rendering of templates into responses.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use shiyu_domain::role::Role;

use super::text::{Text, text};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;

/// One link of the navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the page being shown.
    pub active: bool,
}

/// What the frame of a page needs.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The page's language.
    pub lang: Lang,
    /// Its strings.
    pub t: &'static Text,
    /// Whether someone is signed in.
    pub signed_in: bool,
    /// The signed-in user's display name.
    pub user_name: String,
    /// Their role's title.
    pub role_title: &'static str,
    /// The session's CSRF token (empty when signed out), for forms and htmx requests.
    pub csrf: String,
    /// Navigation for the role.
    pub nav: Vec<NavLink>,
}

impl Chrome {
    /// The frame for a signed-in user; `active` is the path of the navigation entry to highlight.
    pub fn for_user(auth: &Auth, active: &str) -> Self {
        let lang = auth.lang;
        let t = text(lang);
        let delib = super::pages::proposals::text::text(lang).nav;
        let p = super::points_text::points_text(lang);
        let links: Vec<(&'static str, &'static str)> = match auth.user.role {
            Role::Resident => vec![
                ("/r", t.nav_my),
                ("/r/new", t.nav_new_request),
                ("/proposals", delib),
                ("/r/points", p.nav_points),
                ("/r/shop", p.nav_shop),
                ("/r/volunteer", p.nav_volunteer),
                ("/p", super::pages::community::nav_label(lang)),
            ],
            Role::GridWorker => {
                vec![
                    ("/grid", t.nav_grid),
                    ("/cases", t.nav_cases),
                    ("/search", t.nav_search),
                    ("/grid/report", t.nav_report),
                    ("/disputes", t.nav_disputes),
                    ("/proposals", delib),
                    ("/map", t.nav_map),
                ]
            }
            Role::Operator | Role::Leader => vec![
                ("/", t.nav_home),
                ("/board", t.nav_board),
                ("/reports", t.nav_reports),
                ("/assessment", t.nav_assessment),
                ("/cases", t.nav_cases),
                ("/search", t.nav_search),
                ("/cases/overdue", t.nav_overdue),
                ("/cases/new", t.nav_intake),
                ("/disputes", t.nav_disputes),
                ("/proposals", delib),
                ("/map", t.nav_map),
                ("/base/residents", t.nav_base),
                ("/volunteers", p.nav_volunteers),
                ("/shop", p.nav_shop_admin),
            ],
            Role::Handler => {
                vec![
                    ("/", t.nav_home),
                    ("/cases", t.nav_cases),
                    ("/search", t.nav_search),
                    ("/cases/overdue", t.nav_overdue),
                    ("/map", t.nav_map),
                ]
            }
            Role::Mediator | Role::Analyst => vec![
                ("/", t.nav_home),
                ("/board", t.nav_board),
                ("/reports", t.nav_reports),
                ("/assessment", t.nav_assessment),
                (if auth.user.role == Role::Mediator { "/disputes" } else { "/disputes/figures" }, t.nav_disputes),
                ("/cases", t.nav_cases),
                ("/search", t.nav_search),
                ("/cases/overdue", t.nav_overdue),
                ("/map", t.nav_map),
                (if auth.user.role == Role::Mediator { "/base/residents" } else { "/base/care" }, t.nav_base),
            ],
            Role::Admin => vec![
                ("/", t.nav_home),
                ("/board", t.nav_board),
                ("/reports", t.nav_reports),
                ("/assessment", t.nav_assessment),
                ("/cases", t.nav_cases),
                ("/search", t.nav_search),
                ("/cases/overdue", t.nav_overdue),
                ("/map", t.nav_map),
                ("/base/residents", t.nav_base),
                ("/admin/areas/import", t.nav_admin_areas),
                ("/admin/mediation", t.nav_mediation),
                ("/volunteers", p.nav_volunteers),
                ("/shop", p.nav_shop_admin),
            ],
        };
        Self {
            lang,
            t,
            signed_in: true,
            user_name: auth.user.name.clone(),
            role_title: lang.pick(auth.user.role.label_zh(), auth.user.role.label_en()),
            csrf: auth.csrf().to_owned(),
            nav: links.into_iter().map(|(href, label)| NavLink { href, label, active: href == active }).collect(),
        }
    }

    /// The frame for a public page; a signed-in visitor keeps their CSRF token so that the page's
    /// forms still pass the check their session cookie triggers.
    pub fn public(lang: Lang, auth: Option<&Auth>, active: &str) -> Self {
        match auth {
            Some(a) => Self::for_user(a, active),
            None => {
                let t = text(lang);
                Self {
                    lang,
                    t,
                    signed_in: false,
                    user_name: String::new(),
                    role_title: "",
                    csrf: String::new(),
                    nav: vec![
                        NavLink { href: "/follow", label: t.nav_follow, active: active == "/follow" },
                        NavLink { href: "/p", label: super::pages::community::nav_label(lang), active: active == "/p" },
                    ],
                }
            }
        }
    }

    /// The `lang` attribute of the page.
    pub fn lang_code(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Where the language switch goes.
    pub fn switch_href(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "/lang/en",
            Lang::En => "/lang/zh",
        }
    }
}

/// Renders a page with status 200.
pub fn render<T: Template>(page: &T) -> Result<Response, ApiError> {
    render_status(StatusCode::OK, page)
}

/// Renders a page with a status (a form shown again with its error is not a 200).
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Result<Response, ApiError> {
    let html = page.render().map_err(|e| ApiError::Internal(format!("template: {e}")))?;
    Ok((status, Html(html)).into_response())
}

/// The status a refused form is shown again with: the one the API would answer.
pub fn status_of(e: &ApiError) -> StatusCode {
    e.status()
}

/// Whether a refused form should be shown again with the message (the user can fix it), rather
/// than answered by the error page (nothing on this form can fix it).
pub fn fixable(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Invalid { .. }
            | ApiError::IllegalMove { .. }
            | ApiError::Rule(_)
            | ApiError::Conflict
            | ApiError::Duplicate(_)
            | ApiError::Forbidden
            | ApiError::NotFound(_)
    )
}

/// Answers a form's submission: a redirect to `done(value)` when it went through; a refusal the
/// user can fix shows the form's page again, built by `again` with the message in their language,
/// under the status the API would answer; any other error is the error page.
pub async fn answer_form<T, P: Template>(
    lang: Lang,
    outcome: Result<T, ApiError>,
    done: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(String) -> Result<P, ApiError>,
) -> Result<Response, ApiError> {
    answer_form_when(lang, true, outcome, done, again).await
}

/// [`answer_form`], showing the form again only when `may_show` (the user may see its page).
pub async fn answer_form_when<T, P: Template>(
    lang: Lang,
    may_show: bool,
    outcome: Result<T, ApiError>,
    done: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(String) -> Result<P, ApiError>,
) -> Result<Response, ApiError> {
    match outcome {
        Ok(value) => Ok(axum::response::Redirect::to(&done(value)).into_response()),
        Err(e) if may_show && fixable(&e) => render_status(status_of(&e), &again(e.message(lang)).await?),
        Err(e) => Err(e),
    }
}

/// The language of a page anyone may read: the signed-in reader's, else the request's.
pub fn reader_lang(auth: Option<&Auth>, uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Lang {
    auth.map_or_else(|| request_lang(uri, headers), |a| a.lang)
}

/// The language of a request without a signed-in user: `?lang=` first, then cookie and headers
/// (the same order as [`Lang::from_parts`]).
pub fn request_lang(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Lang {
    let query = uri.query().unwrap_or("");
    for pair in query.split('&') {
        match pair {
            "lang=en" => return Lang::En,
            "lang=zh" => return Lang::Zh,
            _ => {}
        }
    }
    Lang::from_headers(headers)
}
