//! `GET /search`: full-text search over the cases and disputes the user may see, with the
//! filters of `/api/search` and the words found marked in titles and passages.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use shiyu_domain::case::CaseState;
use shiyu_domain::dispute::DisputeState;
use shiyu_search::DocKind;

use crate::api::search::{SearchParams, ask};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::layout::{Chrome, render};
use crate::web::text::{Text, fill, text};
use crate::web::views::{Opt, state_label};

/// One hit as the page shows it.
#[derive(Debug, Clone)]
pub struct HitRow {
    /// The record's page.
    pub href: String,
    /// Number.
    pub number: String,
    /// "诉求" or "矛盾纠纷".
    pub kind: &'static str,
    /// State label.
    pub state: &'static str,
    /// Title with marks (escaped HTML).
    pub title_html: String,
    /// Passage with marks (escaped HTML).
    pub snippet_html: String,
    /// Registered (Beijing time).
    pub created: String,
}

/// The page.
#[derive(Template)]
#[template(path = "pages/search.html")]
pub struct SearchPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The question as typed.
    pub q: String,
    /// Kind choices.
    pub kind_opts: Vec<Opt>,
    /// State choices.
    pub state_opts: Vec<Opt>,
    /// Date filters as typed.
    pub from: String,
    /// Date filters as typed.
    pub to: String,
    /// Area filter, kept.
    pub area: String,
    /// Category filter, kept.
    pub category: String,
    /// Whether anything was asked.
    pub asked: bool,
    /// "N found".
    pub count: String,
    /// The index is being rebuilt.
    pub partial: bool,
    /// Hits.
    pub hits: Vec<HitRow>,
    /// Next page, or empty.
    pub next_href: String,
    /// Previous page, or empty.
    pub prev_href: String,
}

fn state_name(lang: Lang, kind: DocKind, s: &str) -> &'static str {
    match kind {
        DocKind::Case => CaseState::parse(s).map(|st| state_label(lang, st)).unwrap_or(""),
        DocKind::Dispute => DisputeState::ALL
            .iter()
            .find(|d| d.as_str() == s)
            .map(|d| lang.pick(d.label_zh(), d.label_en()))
            .unwrap_or(""),
    }
}

fn href(p: &SearchParams, offset: usize) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &p.q),
        ("kind", &p.kind),
        ("state", &p.state),
        ("from", &p.from),
        ("to", &p.to),
        ("area", &p.area),
        ("category", &p.category),
        ("org", &p.org),
    ] {
        if !v.trim().is_empty() {
            q.append_pair(k, v.trim());
        }
    }
    q.append_pair("offset", &offset.to_string());
    format!("/search?{}", q.finish())
}

/// The search page.
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let lang = auth.lang;
    let t = text(lang);
    let req = p.request()?;
    let asked = !p.q.trim().is_empty()
        || [&p.kind, &p.state, &p.from, &p.to, &p.area, &p.category, &p.org].iter().any(|v| !v.trim().is_empty());
    let (total, partial, hits) = if asked {
        let r = ask(&state, &auth, req.clone()).await?;
        let hits = r
            .hits
            .into_iter()
            .map(|h| HitRow {
                href: match h.kind {
                    DocKind::Case => format!("/cases/{}", h.id),
                    DocKind::Dispute => format!("/disputes/{}", h.id),
                },
                number: h.number,
                kind: match h.kind {
                    DocKind::Case => t.search_kind_case,
                    DocKind::Dispute => t.search_kind_dispute,
                },
                state: state_name(lang, h.kind, &h.state),
                title_html: h.title_html,
                snippet_html: h.snippet_html,
                created: shiyu_domain::time::show(h.created_at),
            })
            .collect::<Vec<_>>();
        (r.total, !r.complete, hits)
    } else {
        (0, false, Vec::new())
    };
    let kind = p.kind.trim();
    let kind_opts = vec![
        Opt::new("", t.search_kind_all, kind),
        Opt::new("case", t.search_kind_case, kind),
        Opt::new("dispute", t.search_kind_dispute, kind),
    ];
    let current = p.state.trim();
    let mut state_opts = vec![Opt::new("", t.search_state_any, current)];
    state_opts.extend(CaseState::ALL.iter().map(|s| Opt::new(s.as_str(), state_label(lang, *s), current)));
    let shown = req.offset + hits.len();
    render(&SearchPage {
        chrome: Chrome::for_user(&auth, "/search"),
        t,
        q: p.q.trim().to_owned(),
        kind_opts,
        state_opts,
        from: p.from.trim().to_owned(),
        to: p.to.trim().to_owned(),
        area: p.area.trim().to_owned(),
        category: p.category.trim().to_owned(),
        asked,
        count: fill(t.search_count, &[("total", total.to_string())]),
        partial,
        next_href: if shown < total && shown < shiyu_search::query::MAX_OFFSET {
            href(&p, shown)
        } else {
            String::new()
        },
        prev_href: if req.offset > 0 { href(&p, req.offset.saturating_sub(req.limit)) } else { String::new() },
        hits,
    })
}
