//! Boards: the overdue board and the summary counts of the caller's scope.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use shiyu_domain::deadline::warning::{DEFAULT_YELLOW_SHARE, warning};
use shiyu_storage::{CaseFilter, CaseSummary};
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// An overdue board line.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueLine {
    /// The case.
    #[schema(value_type = Object)]
    pub case: CaseSummary,
    /// Hours overdue (wall-clock).
    pub hours_overdue: i64,
}

/// Open cases whose current stage is past its deadline, most overdue first.
#[utoipa::path(get, path = "/api/board/overdue", tag = "board", responses((status = 200, body = Vec<OverdueLine>)))]
pub async fn overdue(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<OverdueLine>>, ApiError> {
    let now = chrono::Utc::now();
    let filter = CaseFilter { due_before: Some(now), limit: Some(200), ..CaseFilter::default() };
    let (items, _) = state.store.list_cases(&auth.scope(), &filter).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|c| OverdueLine { hours_overdue: c.due_at.map_or(0, |d| (now - d).num_hours()), case: c })
            .collect(),
    ))
}

/// Counts for the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    /// Cases per state.
    pub by_state: Vec<(String, i64)>,
    /// Open cases at yellow warning.
    pub yellow: i64,
    /// Open cases overdue.
    pub red: i64,
}

/// Case counts per state and warnings, in scope.
#[utoipa::path(get, path = "/api/board/summary", tag = "board", responses((status = 200, body = Summary)))]
pub async fn summary(State(state): State<AppState>, auth: Auth) -> Result<Json<Summary>, ApiError> {
    let scope = auth.scope();
    let by_state =
        state.store.state_counts(&scope).await?.into_iter().map(|(s, n)| (s.as_str().to_owned(), n)).collect();
    let now = chrono::Utc::now();
    let rules = state.store.rules();
    let filter = CaseFilter {
        states: vec![
            shiyu_domain::case::CaseState::Dispatched,
            shiyu_domain::case::CaseState::InProgress,
            shiyu_domain::case::CaseState::Revisit,
        ],
        limit: Some(500),
        ..CaseFilter::default()
    };
    let (open, _) = state.store.list_cases(&scope, &filter).await?;
    let (mut yellow, mut red) = (0, 0);
    for c in &open {
        if let Some(due) = c.due_at {
            match warning(&rules.calendar, c.updated_at, due, now, DEFAULT_YELLOW_SHARE) {
                shiyu_domain::deadline::Warning::Red => red += 1,
                shiyu_domain::deadline::Warning::Yellow => yellow += 1,
                shiyu_domain::deadline::Warning::Normal => {}
            }
        }
    }
    Ok(Json(Summary { by_state, yellow, red }))
}
