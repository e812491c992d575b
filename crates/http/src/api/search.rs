//! `GET /api/search`: Chinese full-text search over the cases and disputes the caller may see
//! (`shiyu-search`), with filters and highlighted snippets. The same parameters serve the
//! `/search` page.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{Days, NaiveDate, TimeZone};
use serde::Deserialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::CaseState;
use shiyu_domain::dispute::DisputeState;
use shiyu_domain::time::SHANGHAI;
use shiyu_search::{DocKind, SearchError, SearchRequest, SearchResults, Visible};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// Default page size.
pub const DEFAULT_LIMIT: usize = 20;

/// The question, as text fields so that an odd value gets a message naming it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    /// Words (or a case number); empty lists by the filters, newest first.
    #[serde(default)]
    pub q: String,
    /// `case` or `dispute`; empty for both.
    #[serde(default)]
    pub kind: String,
    /// Area code: only records located in its subtree.
    #[serde(default)]
    pub area: String,
    /// First day registered (YYYY-MM-DD, Beijing time).
    #[serde(default)]
    pub from: String,
    /// Last day registered (inclusive).
    #[serde(default)]
    pub to: String,
    /// States, comma-separated wire names.
    #[serde(default)]
    pub state: String,
    /// Category code (and those below it), or a dispute type.
    #[serde(default)]
    pub category: String,
    /// Organisation id.
    #[serde(default)]
    pub org: String,
    /// Page size (1–100, default 20).
    #[serde(default)]
    pub limit: String,
    /// Hits to skip (at most 10,000).
    #[serde(default)]
    pub offset: String,
}

fn day(field: &str, text: &str) -> Result<Option<NaiveDate>, ApiError> {
    match text.trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| ApiError::invalid(field, "malformed")),
    }
}

fn number(field: &str, text: &str, default: usize, max: usize, min: usize) -> Result<usize, ApiError> {
    match text.trim() {
        "" => Ok(default),
        s => s
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| ApiError::invalid(field, "out_of_range")),
    }
}

fn start_of(day: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    SHANGHAI.from_local_datetime(&day.and_hms_opt(0, 0, 0)?).single().map(|t| t.to_utc())
}

impl SearchParams {
    /// The question for the index.
    pub fn request(&self) -> Result<SearchRequest, ApiError> {
        let kind = match self.kind.trim() {
            "" => None,
            k => Some(DocKind::parse(k).ok_or_else(|| ApiError::invalid("kind", "unknown"))?),
        };
        let states = self
            .state
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let known = CaseState::parse(s).is_ok() || DisputeState::ALL.iter().any(|d| d.as_str() == s);
                if known { Ok(s.to_owned()) } else { Err(ApiError::invalid("state", "unknown")) }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let from = day("from", &self.from)?;
        let to = day("to", &self.to)?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(ApiError::invalid("from", "out_of_range"));
        }
        let q: String = self.q.trim().chars().take(200).collect();
        Ok(SearchRequest {
            text: q,
            kind,
            area: Some(self.area.trim()).filter(|a| !a.is_empty()).map(AreaCode::parse).transpose()?,
            from: from.and_then(start_of),
            to: to.and_then(|t| t.checked_add_days(Days::new(1))).and_then(start_of),
            states,
            category: Some(self.category.trim().to_owned()).filter(|c| !c.is_empty()),
            org: Some(self.org.trim().to_owned()).filter(|o| !o.is_empty()),
            limit: number("limit", &self.limit, DEFAULT_LIMIT, shiyu_search::query::MAX_LIMIT, 1)?,
            offset: number("offset", &self.offset, 0, shiyu_search::query::MAX_OFFSET, 0)?,
        })
    }
}

/// Asks the index on a blocking thread, inside what `auth` may see.
pub async fn ask(state: &AppState, auth: &Auth, req: SearchRequest) -> Result<SearchResults, ApiError> {
    let ix = state.search.clone().ok_or_else(|| {
        ApiError::Unavailable(auth.lang.pick("全文检索暂不可用。", "Full-text search is unavailable.").to_owned())
    })?;
    let visible = Visible::of(&auth.principal);
    tokio::task::spawn_blocking(move || ix.search(&req, &visible))
        .await
        .map_err(|e| ApiError::Internal(format!("search task: {e}")))?
        .map_err(|e| match e {
            SearchError::Invalid(field) => ApiError::invalid(field, "out_of_range"),
            other => ApiError::Internal(other.to_string()),
        })
}

/// Full-text search over cases and disputes in the caller's scope. Words are matched inside
/// longer Chinese sentences (jieba segmentation); `title_html` and `snippet_html` are escaped
/// HTML with the words found in `<mark>`. `complete` is false while the index is being rebuilt.
#[utoipa::path(get, path = "/api/search", tag = "cases",
    params(("q" = Option<String>, Query, description = "words or a case number"),
        ("kind" = Option<String>, Query, description = "case or dispute"),
        ("area" = Option<String>, Query, description = "area code: its subtree"),
        ("from" = Option<String>, Query, description = "first day registered, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "last day registered, YYYY-MM-DD"),
        ("state" = Option<String>, Query, description = "states, comma-separated"),
        ("category" = Option<String>, Query, description = "category code (and below) or dispute type"),
        ("org" = Option<String>, Query, description = "organisation id"),
        ("limit" = Option<u32>, Query, description = "1-100, default 20"),
        ("offset" = Option<u32>, Query, description = "at most 10000")),
    responses((status = 200, body = Object, description = "{total, complete, hits: [{kind, id, number, title, title_html, snippet_html, state, area_code, category, created_at, score}]}"),
        (status = 401), (status = 422), (status = 503)))]
pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    Ok(Json(ask(&state, &auth, p.request()?).await?))
}
