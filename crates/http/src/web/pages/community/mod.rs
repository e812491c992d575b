//! `GET /p` and `GET /p/{area}`: the public community page (DESIGN §7), open to anyone. `/p`
//! leads to the city's page; a city, district or street page shows its figures and links down to
//! the communities and villages; a community or village page adds its open and recently finished
//! cases. Every page shows the area's proposals and their published results. A grid's code leads
//! to its community's page. What it shows is [`crate::community::CommunityView`], which holds no
//! personal data.

pub mod text;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Redirect, Response};

use self::text::CommunityText;
use crate::api::public::{PUBLIC_MAX_AGE, PUBLIC_VARY};
use crate::auth::MaybeAuth;
use crate::community::{CLOSED_DAYS, CommunityView, LIST_LIMIT, community_view, level_label, page_area};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::layout::{Chrome, reader_lang, render};
use crate::web::text::fill;

/// The page.
#[derive(Template)]
#[template(path = "pages/community.html")]
pub struct CommunityPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub c: &'static CommunityText,
    /// What it shows.
    pub v: CommunityView,
    /// The area's level, named.
    pub level: &'static str,
    /// The heading of the finished list.
    pub closed_heading: String,
    /// The note under a full list.
    pub list_more: String,
    /// Whether the open list may be cut short.
    pub open_full: bool,
    /// Whether the finished list may be cut short.
    pub closed_full: bool,
}

impl CommunityPage {
    /// A meeting's count in words.
    pub fn meeting_count(&self, m: &crate::community::MeetingLine) -> String {
        fill(
            self.c.meeting_count,
            &[
                ("day", m.held_on.to_string()),
                ("stage", m.stage.clone()),
                ("members", m.members.to_string()),
                ("present", m.present.to_string()),
                ("for", m.yes.to_string()),
                ("against", m.against.to_string()),
                ("abstain", m.abstain.to_string()),
            ],
        )
    }

    /// Yes or no, or empty when unknown.
    pub fn yes_no(&self, b: &Option<bool>) -> &'static str {
        match b {
            Some(true) => self.c.yes,
            Some(false) => self.c.no,
            None => "",
        }
    }
}

/// `/p`: the first city's page.
pub async fn root(State(state): State<AppState>) -> Result<Response, ApiError> {
    let city = state.store.root_area().await?;
    Ok(Redirect::to(&format!("/p/{city}")).into_response())
}

/// `/p/{area}`.
pub async fn page(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    uri: Uri,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let lang = reader_lang(auth.as_ref(), &uri, &headers);
    let code = crate::community::area_of(&code)?;
    let area = page_area(&code);
    if area != code {
        return Ok(Redirect::to(&format!("/p/{area}")).into_response());
    }
    let v = community_view(&state, lang, &area, chrono::Utc::now()).await?;
    let c = text::text(lang);
    let limit = LIST_LIMIT as usize;
    let page = CommunityPage {
        chrome: Chrome::public(lang, auth.as_ref(), "/p"),
        level: level_label(lang, area.level()),
        closed_heading: fill(c.closed_cases, &[("n", CLOSED_DAYS.to_string())]),
        list_more: fill(c.list_more, &[("n", LIST_LIMIT.to_string())]),
        open_full: v.open_cases.len() >= limit,
        closed_full: v.closed_cases.len() >= limit,
        c,
        v,
    };
    let mut response = render(&page)?;
    // The frame of a signed-in visitor carries their name and CSRF token: never a shared copy.
    if auth.is_none() {
        let h = response.headers_mut();
        h.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_MAX_AGE));
        h.insert(VARY, HeaderValue::from_static(PUBLIC_VARY));
    }
    Ok(response)
}

/// The navigation label of the page, for the frames that link to it.
pub fn nav_label(lang: Lang) -> &'static str {
    text::text(lang).nav
}
