//! `GET /cases`: the case list of the user's scope with filters and pages (htmx refreshes the
//! results as filters change; without scripts the filter form submits normally).
//! `GET /cases/overdue`: the overdue board, most overdue first.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::CaseState;
use shiyu_storage::CaseFilter;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, render};
use crate::web::names::Names;
use crate::web::text::{Text, fill, text};
use crate::web::views::{CaseRow, OPEN_STATES, Opt, case_rows, state_label};

/// Cases per page.
const PAGE_SIZE: u32 = 20;

/// The list's query string. Every field is text so that an odd value gets a message naming it
/// rather than a bare rejection.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// A state's wire name, `open`, or empty for all.
    #[serde(default)]
    pub state: String,
    /// `1` for overdue only.
    #[serde(default)]
    pub overdue: String,
    /// `1` for supervised only.
    #[serde(default)]
    pub supervised: String,
    /// Title contains.
    #[serde(default)]
    pub q: String,
    /// Place within this area (the map's click-through).
    #[serde(default)]
    pub area: String,
    /// `1` for cases whose point lies in no grid.
    #[serde(default)]
    pub off_grid: String,
    /// Category code (and those below it).
    #[serde(default)]
    pub category: String,
    /// Page, from 1.
    #[serde(default)]
    pub page: String,
    /// Download format (`/cases/export`): `xlsx` or `csv`.
    #[serde(default)]
    pub format: String,
}

fn flag(v: &str) -> bool {
    matches!(v, "1" | "true" | "on" | "yes")
}

impl ListQuery {
    fn page(&self) -> Result<u32, ApiError> {
        if self.page.trim().is_empty() {
            return Ok(1);
        }
        self.page
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| ApiError::invalid("page", "out_of_range"))
    }

    pub(crate) fn filter(&self) -> Result<CaseFilter, ApiError> {
        let states = match self.state.trim() {
            "" => Vec::new(),
            "open" => OPEN_STATES.to_vec(),
            s => vec![CaseState::parse(s)?],
        };
        let page = self.page()?;
        Ok(CaseFilter {
            states,
            due_before: flag(&self.overdue).then(Utc::now),
            supervised: flag(&self.supervised),
            title_contains: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            area: Some(self.area.trim()).filter(|a| !a.is_empty()).map(AreaCode::parse).transpose()?,
            off_grid: flag(&self.off_grid),
            category: Some(self.category.trim().to_owned()).filter(|c| !c.is_empty()),
            limit: Some(PAGE_SIZE),
            offset: Some((page - 1).saturating_mul(PAGE_SIZE)),
            ..CaseFilter::default()
        })
    }

    /// The query string of another page of the same list.
    fn href(&self, base: &str, page: u32) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", &self.state),
            ("overdue", &self.overdue),
            ("supervised", &self.supervised),
            ("q", &self.q),
            ("area", &self.area),
            ("off_grid", &self.off_grid),
            ("category", &self.category),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.append_pair("page", &page.to_string());
        format!("{base}?{}", q.finish())
    }
}

/// A list page.
#[derive(Template)]
#[template(path = "pages/cases.html")]
pub struct CasesPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Heading.
    pub heading: &'static str,
    /// The overdue board rather than the filtered list.
    pub board: bool,
    /// State choices.
    pub state_opts: Vec<Opt>,
    /// Overdue filter on.
    pub overdue: bool,
    /// Supervised filter on.
    pub supervised: bool,
    /// Title filter.
    pub q: String,
    /// Area filter (code), kept across filter changes.
    pub area: String,
    /// The area filter's name, shown above the list.
    pub area_name: String,
    /// Off-grid filter on.
    pub off_grid: bool,
    /// The page's cases.
    pub rows: Vec<CaseRow>,
    /// "N cases, page x of y".
    pub page_info: String,
    /// Previous page, or empty.
    pub prev_href: String,
    /// Next page, or empty.
    pub next_href: String,
    /// The same list as a download, without the format (the page appends it).
    pub export_href: String,
}

async fn page(state: AppState, auth: Auth, query: ListQuery, board: bool) -> Result<Response, ApiError> {
    let lang = auth.lang;
    let t = text(lang);
    let mut filter = query.filter()?;
    if board {
        filter.due_before = Some(Utc::now());
    }
    let (items, total) = state.store.list_cases(&auth.scope(), &filter).await?;
    let mut names = Names::new(&state.store, lang);
    let rows = case_rows(&state, &mut names, lang, &auth.scope(), items).await;
    let page = query.page()?;
    let pages = u32::try_from(total.max(1)).unwrap_or(u32::MAX).div_ceil(PAGE_SIZE);
    let base = if board { "/cases/overdue" } else { "/cases" };
    let current = query.state.trim();
    let mut state_opts = vec![Opt::new("", t.filter_all_states, current), Opt::new("open", t.filter_open, current)];
    state_opts.extend(CaseState::ALL.iter().map(|s| Opt::new(s.as_str(), state_label(lang, *s), current)));
    render(&CasesPage {
        chrome: Chrome::for_user(&auth, base),
        t,
        heading: if board { t.overdue_title } else { t.nav_cases },
        board,
        state_opts,
        overdue: flag(&query.overdue),
        supervised: flag(&query.supervised),
        q: query.q.trim().to_owned(),
        area_name: match &filter.area {
            Some(a) => names.area(a.as_str()).await,
            None => String::new(),
        },
        area: query.area.trim().to_owned(),
        off_grid: filter.off_grid,
        rows,
        page_info: fill(
            t.page_of,
            &[("total", total.to_string()), ("page", page.to_string()), ("pages", pages.to_string())],
        ),
        prev_href: if page > 1 { query.href(base, page - 1) } else { String::new() },
        next_href: if page < pages { query.href(base, page + 1) } else { String::new() },
        export_href: {
            let mut q = query.clone();
            if board {
                q.overdue = "1".into();
            }
            q.href("/cases/export", 1)
        },
    })
}

/// The filtered list.
pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    page(state, auth, q, false).await
}

/// The overdue board.
pub async fn overdue(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    page(state, auth, q, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_page_links() {
        let q = ListQuery {
            state: "open".into(),
            overdue: "1".into(),
            q: " 路灯 ".into(),
            page: "3".into(),
            ..Default::default()
        };
        let f = q.filter().expect("filter");
        assert_eq!(f.states.len(), OPEN_STATES.len());
        assert!(f.due_before.is_some() && !f.supervised);
        assert_eq!(f.title_contains.as_deref(), Some("路灯"));
        assert_eq!(f.offset, Some(40));
        assert_eq!(q.href("/cases", 4), "/cases?state=open&overdue=1&q=%E8%B7%AF%E7%81%AF&page=4");
        let bad = ListQuery { state: "lost".into(), ..Default::default() };
        assert!(matches!(bad.filter(), Err(ApiError::Invalid { field, .. }) if field == "state"));
        let bad = ListQuery { page: "0".into(), ..Default::default() };
        assert!(matches!(bad.filter(), Err(ApiError::Invalid { field, .. }) if field == "page"));
    }
}
