//! `GET /`: each role's desk — the queues of cases waiting for that person, counts of their scope,
//! and their latest notices. `GET /notifications` re-renders the notices panel (htmx polls it).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use shiyu_domain::case::CaseState;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Binding;
use shiyu_storage::CaseFilter;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, render};
use crate::web::names::Names;
use crate::web::text::{Text, text};
use crate::web::views::{CaseRow, NoticeRow, OPEN_STATES, case_rows, notice_rows, state_label};

/// How many cases a desk queue shows before "see all".
const QUEUE_LEN: u32 = 10;

/// A queue on a desk.
#[derive(Debug)]
pub struct Queue {
    /// Stable id (element id and test hook).
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// The first cases.
    pub rows: Vec<CaseRow>,
    /// How many there are in all.
    pub total: i64,
    /// Where the whole list is, or empty.
    pub more_href: String,
}

/// A count of cases in one state.
#[derive(Debug)]
pub struct CountTile {
    /// State wire name, or `overdue`.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Count.
    pub n: i64,
    /// The list it opens.
    pub href: String,
}

/// A button on a desk.
#[derive(Debug)]
pub struct Action {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Test hook.
    pub id: &'static str,
}

/// A role's desk.
#[derive(Template)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Heading.
    pub heading: &'static str,
    /// Buttons.
    pub actions: Vec<Action>,
    /// Queues.
    pub queues: Vec<Queue>,
    /// Counts of the scope.
    pub counts: Vec<CountTile>,
    /// Total cases in scope.
    pub total: i64,
    /// Latest notices.
    pub notices: Vec<NoticeRow>,
}

/// The notices panel alone.
#[derive(Template)]
#[template(path = "parts/notices.html")]
pub struct NoticesPanel {
    /// Strings.
    pub t: &'static Text,
    /// Latest notices.
    pub notices: Vec<NoticeRow>,
}

pub(crate) async fn queue(
    state: &AppState,
    auth: &Auth,
    names: &mut Names<'_>,
    id: &'static str,
    title: &'static str,
    filter: CaseFilter,
    more_href: &str,
) -> Result<Queue, ApiError> {
    let filter = CaseFilter { limit: Some(QUEUE_LEN), ..filter };
    let (items, total) = state.store.list_cases(&auth.scope(), &filter).await?;
    Ok(Queue {
        id,
        title,
        rows: case_rows(state, names, auth.lang, &auth.scope(), items).await,
        total,
        more_href: more_href.to_owned(),
    })
}

pub(crate) fn states(states: &[CaseState]) -> CaseFilter {
    CaseFilter { states: states.to_vec(), ..CaseFilter::default() }
}

/// Cases in progress whose handler asked the centre for more time or a higher level. The list
/// row does not carry these flags, so the first in-progress cases are read whole.
async fn requests_queue(
    state: &AppState,
    auth: &Auth,
    names: &mut Names<'_>,
    title: &'static str,
) -> Result<Queue, ApiError> {
    let scope = auth.scope();
    let filter = CaseFilter { states: vec![CaseState::InProgress], limit: Some(50), ..CaseFilter::default() };
    let (items, _) = state.store.list_cases(&scope, &filter).await?;
    let mut asking = Vec::new();
    for item in items {
        let record = state.store.case_record(&scope, item.id).await?;
        if record.case.extension_pending.is_some() || record.case.escalation_requested {
            asking.push(item);
        }
    }
    let total = i64::try_from(asking.len()).unwrap_or(i64::MAX);
    Ok(Queue {
        id: "requests",
        title,
        rows: case_rows(state, names, auth.lang, &scope, asking).await,
        total,
        more_href: String::new(),
    })
}

/// The desk.
pub async fn home(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    match auth.user.role {
        Role::Resident => return Ok(Redirect::to("/r").into_response()),
        // A grid worker's day starts on the phone desk of their grid.
        Role::GridWorker if matches!(auth.principal.binding, Binding::Area { .. }) => {
            return Ok(Redirect::to("/grid").into_response());
        }
        _ => {}
    }
    let lang = auth.lang;
    let t = text(lang);
    let mut names = Names::new(&state.store, lang);
    let overdue = || CaseFilter { due_before: Some(Utc::now()), ..CaseFilter::default() };
    let mut actions = Vec::new();
    let mut queues = Vec::new();
    let n = &mut names;
    let heading = match auth.user.role {
        Role::Operator => {
            actions.push(Action { href: "/cases/new", label: t.nav_intake, id: "intake" });
            let s = &state;
            let a = &auth;
            queues.push(
                queue(
                    s,
                    a,
                    n,
                    "to-accept",
                    t.q_to_accept,
                    states(&[CaseState::Registered, CaseState::PendingReview]),
                    "/cases?state=registered",
                )
                .await?,
            );
            queues.push(
                queue(s, a, n, "to-dispatch", t.q_to_dispatch, states(&[CaseState::Accepted]), "/cases?state=accepted")
                    .await?,
            );
            queues.push(requests_queue(s, a, n, t.q_requests).await?);
            queues.push(
                queue(s, a, n, "to-revisit", t.q_revisit, states(&[CaseState::Revisit]), "/cases?state=revisit")
                    .await?,
            );
            queues.push(queue(s, a, n, "overdue", t.q_overdue, overdue(), "/cases/overdue").await?);
            t.home_operator
        }
        Role::Handler => {
            let org = match &auth.principal.binding {
                Binding::Org { org, .. } => Some(*org),
                _ => None,
            };
            let mine = |st: CaseState| CaseFilter { states: vec![st], lead_org: org, ..CaseFilter::default() };
            queues.push(
                queue(&state, &auth, n, "to-sign", t.q_to_sign, mine(CaseState::Dispatched), "/cases?state=dispatched")
                    .await?,
            );
            queues.push(
                queue(
                    &state,
                    &auth,
                    n,
                    "in-progress",
                    t.q_in_progress,
                    mine(CaseState::InProgress),
                    "/cases?state=in_progress",
                )
                .await?,
            );
            queues.push(queue(&state, &auth, n, "overdue", t.q_overdue, overdue(), "/cases/overdue").await?);
            t.home_handler
        }
        Role::Leader => {
            actions.push(Action { href: "/cases/new", label: t.nav_intake, id: "intake" });
            queues.push(
                queue(
                    &state,
                    &auth,
                    n,
                    "to-review",
                    t.q_review,
                    states(&[CaseState::PendingReview]),
                    "/cases?state=pending_review",
                )
                .await?,
            );
            queues.push(
                queue(&state, &auth, n, "to-verify", t.q_verify, states(&[CaseState::Handled]), "/cases?state=handled")
                    .await?,
            );
            let supervised = CaseFilter { states: OPEN_STATES.to_vec(), supervised: true, ..CaseFilter::default() };
            queues
                .push(queue(&state, &auth, n, "supervised", t.q_supervised, supervised, "/cases?supervised=1").await?);
            queues.push(queue(&state, &auth, n, "overdue", t.q_overdue, overdue(), "/cases/overdue").await?);
            t.home_leader
        }
        Role::GridWorker => {
            actions.push(Action { href: "/cases/new", label: t.nav_report, id: "report" });
            queues.push(
                queue(&state, &auth, n, "grid-open", t.q_grid_open, states(&OPEN_STATES), "/cases?state=open").await?,
            );
            t.home_grid
        }
        Role::Resident | Role::Mediator | Role::Analyst | Role::Admin => t.home_overview,
    };
    let scope = auth.scope();
    let by_state = state.store.state_counts(&scope).await?;
    let total = by_state.iter().map(|(_, n)| n).sum();
    let mut counts: Vec<CountTile> = CaseState::ALL
        .iter()
        .filter_map(|s| by_state.iter().find(|(st, _)| st == s).map(|(st, n)| (*st, *n)))
        .map(|(s, n)| CountTile {
            key: s.as_str(),
            label: state_label(lang, s),
            n,
            href: format!("/cases?state={}", s.as_str()),
        })
        .collect();
    let (_, overdue_n) = state.store.list_cases(&scope, &CaseFilter { limit: Some(1), ..overdue() }).await?;
    counts.push(CountTile { key: "overdue", label: t.overdue_count, n: overdue_n, href: "/cases/overdue".into() });
    let notices = notice_rows(&state, &auth.principal).await;
    render(&HomePage { chrome: Chrome::for_user(&auth, "/"), t, heading, actions, queues, counts, total, notices })
}

/// The notices panel, for htmx to refresh.
pub async fn notices(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    let notices = notice_rows(&state, &auth.principal).await;
    render(&NoticesPanel { t: text(auth.lang), notices })
}
