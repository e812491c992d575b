//! `GET|POST /follow`: the public page where someone who phoned or walked in follows their case
//! with its number and the phone they gave, sees its progress and the result once checked, and
//! (`POST /follow/rate`) rates it while it waits for the revisit. No account, no personal data
//! shown, no internal notes.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use shiyu_domain::case::{CaseSnapshot, CaseState, Move, Satisfaction};
use shiyu_domain::ids::CaseNumber;
use shiyu_domain::time;
use shiyu_storage::StorageError;

use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::layout::{Chrome, reader_lang, render, render_status, status_of};
use crate::web::text::{Text, labelled, text};
use crate::web::views::{Opt, state_label};

/// What the follower sees of the case.
#[derive(Debug)]
pub struct FollowView {
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// State wire name.
    pub state: &'static str,
    /// State label.
    pub state_label: &'static str,
    /// Registered at.
    pub created: String,
    /// Expected by, or empty.
    pub expected: String,
    /// The verified result, or empty.
    pub result: String,
    /// The rating given, or empty.
    pub rated: &'static str,
    /// Whether it can be rated now.
    pub can_rate: bool,
    /// Rating choices.
    pub ratings: Vec<Opt>,
}

impl FollowView {
    fn of(lang: Lang, c: &CaseSnapshot, chosen: &str) -> Self {
        let verified = matches!(c.state, CaseState::Revisit | CaseState::Closed | CaseState::Archived);
        let result = match (verified, c.result, &c.result_text) {
            (true, Some(r), Some(result_text)) => {
                labelled(text(lang), lang.pick(r.label_zh(), r.label_en()), result_text)
            }
            _ => String::new(),
        };
        Self {
            number: c.number.to_string(),
            title: c.title.clone(),
            state: c.state.as_str(),
            state_label: state_label(lang, c.state),
            created: time::show(c.created_at),
            expected: if c.state.is_open() { c.handle_by.map(time::show).unwrap_or_default() } else { String::new() },
            result,
            rated: c.satisfaction.map_or("", |s| lang.pick(s.label_zh(), s.label_en())),
            can_rate: c.state == CaseState::Revisit,
            ratings: [Satisfaction::Satisfied, Satisfaction::Basic, Satisfaction::Unsatisfied]
                .iter()
                .map(|s| Opt::new(s.as_str(), lang.pick(s.label_zh(), s.label_en()), chosen))
                .collect(),
        }
    }
}

/// The follow page.
#[derive(Template)]
#[template(path = "pages/follow.html")]
pub struct FollowPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Number typed.
    pub number: String,
    /// Phone typed (kept in the rating form so the follower need not type it again).
    pub phone: String,
    /// Why the last submission failed, or empty.
    pub error: String,
    /// The case found.
    pub found: Option<FollowView>,
    /// A rating was just recorded.
    pub thanks: bool,
}

/// Number and phone.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowForm {
    /// Case number.
    pub number: String,
    /// Phone.
    pub phone: String,
    /// Rating (rate only).
    pub satisfaction: String,
    /// Comment (rate only).
    pub note: String,
}

fn page_of(lang: Lang, auth: Option<&crate::auth::Auth>, f: &FollowForm) -> FollowPage {
    FollowPage {
        chrome: Chrome::public(lang, auth, "/follow"),
        t: text(lang),
        number: f.number.trim().to_owned(),
        phone: f.phone.trim().to_owned(),
        error: String::new(),
        found: None,
        thanks: false,
    }
}

/// The case for a number and phone; a wrong number or phone is one "not found", so the page does
/// not tell which of the two was wrong.
async fn find(state: &AppState, f: &FollowForm) -> Result<CaseSnapshot, ApiError> {
    let number = CaseNumber::parse(&f.number)?;
    match state.store.follow_case(&number, &f.phone).await {
        Ok(c) => Ok(c),
        Err(StorageError::NotFound(_)) => Err(ApiError::NotFound("case".into())),
        Err(e) => Err(e.into()),
    }
}

fn message(lang: Lang, e: &ApiError) -> String {
    match e {
        ApiError::NotFound(_) => text(lang).follow_not_found.to_owned(),
        other => other.message(lang),
    }
}

/// The empty form.
pub async fn page(MaybeAuth(auth): MaybeAuth, uri: Uri, headers: HeaderMap) -> Result<Response, ApiError> {
    let lang = reader_lang(auth.as_ref(), &uri, &headers);
    render(&page_of(lang, auth.as_ref(), &FollowForm::default()))
}

/// Looks the case up.
pub async fn lookup(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    uri: Uri,
    headers: HeaderMap,
    Form(f): Form<FollowForm>,
) -> Result<Response, ApiError> {
    let lang = reader_lang(auth.as_ref(), &uri, &headers);
    let mut page = page_of(lang, auth.as_ref(), &f);
    match find(&state, &f).await {
        Ok(c) => {
            page.found = Some(FollowView::of(lang, &c, ""));
            render(&page)
        }
        Err(e) if matches!(e, ApiError::Internal(_)) => Err(e),
        Err(e) => {
            page.error = message(lang, &e);
            render_status(status_of(&e), &page)
        }
    }
}

/// Records the follower's rating (the revisit) as the reporter of that one case.
pub async fn rate(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    uri: Uri,
    headers: HeaderMap,
    Form(f): Form<FollowForm>,
) -> Result<Response, ApiError> {
    let lang = reader_lang(auth.as_ref(), &uri, &headers);
    let mut page = page_of(lang, auth.as_ref(), &f);
    let result = async {
        let satisfaction = Satisfaction::parse(f.satisfaction.trim())
            .ok()
            .filter(|s| *s != Satisfaction::Unreachable)
            .ok_or_else(|| {
                ApiError::invalid(
                    "satisfaction",
                    if f.satisfaction.trim().is_empty() { "required" } else { "unknown_value" },
                )
            })?;
        let number = CaseNumber::parse(&f.number)?;
        let (case, principal) = match state.store.followed_case_principal(&number, &f.phone).await {
            Ok(found) => found,
            Err(StorageError::NotFound(_)) => return Err(ApiError::NotFound("case".into())),
            Err(e) => return Err(e.into()),
        };
        let mv = Move::RecordRevisit { satisfaction, note: f.note.trim().to_owned() };
        Ok::<_, ApiError>(state.store.apply_move(&principal, case.id, mv, chrono::Utc::now()).await?)
    }
    .await;
    match result {
        Ok(after) => {
            page.found = Some(FollowView::of(lang, &after, ""));
            page.thanks = true;
            render(&page)
        }
        Err(e) if matches!(e, ApiError::Internal(_)) => Err(e),
        Err(e) => {
            page.error = message(lang, &e);
            // Show the case again (if the number and phone still find it) so the form stays.
            page.found = find(&state, &f).await.ok().map(|c| FollowView::of(lang, &c, f.satisfaction.trim()));
            let status = if page.found.is_some() { status_of(&e) } else { StatusCode::NOT_FOUND };
            render_status(status, &page)
        }
    }
}
