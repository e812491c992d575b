//! `GET /r`: a resident's own requests, newest first, with a button for a new one and their
//! notices (accepted, result, closed).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use shiyu_domain::role::Role;
use shiyu_storage::CaseFilter;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, render};
use crate::web::names::Names;
use crate::web::text::{Text, text};
use crate::web::views::{CaseRow, NoticeRow, case_rows, notice_rows};

/// The resident's home.
#[derive(Template)]
#[template(path = "pages/resident.html")]
pub struct ResidentHome {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Their requests.
    pub rows: Vec<CaseRow>,
    /// How many in all.
    pub total: i64,
    /// More than the page shows.
    pub more: bool,
    /// Latest notices.
    pub notices: Vec<NoticeRow>,
}

/// The resident's home; staff are sent to their desk.
pub async fn home(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    if auth.user.role != Role::Resident {
        return Ok(Redirect::to("/").into_response());
    }
    let lang = auth.lang;
    let filter = CaseFilter { limit: Some(50), ..CaseFilter::default() };
    let (items, total) = state.store.list_cases(&auth.scope(), &filter).await?;
    let mut names = Names::new(&state.store, lang);
    let rows = case_rows(&state, &mut names, lang, &auth.scope(), items).await;
    let more = usize::try_from(total).unwrap_or(usize::MAX) > rows.len();
    let notices = notice_rows(&state, &auth.principal).await;
    render(&ResidentHome { chrome: Chrome::for_user(&auth, "/r"), t: text(lang), rows, total, more, notices })
}
