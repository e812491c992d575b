//! `GET /reports`: pick a report — weekly, monthly, quarterly or annual — for an area and period.
//! `GET /reports/view?kind=&start=&area=[&format=xlsx|pdf]`: the report as a page with its chart,
//! or as XLSX or PDF. All three come from one `reports::Report`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use shiyu_domain::stats::period::{ReportKind, ReportPeriod};
use shiyu_domain::time::local_date;

use crate::api::stats::{FiguresQuery, filter_of};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::reports::{Report, build};
use crate::state::AppState;
use crate::web::layout::{Chrome, render};
use crate::web::text::{Text, text};
use crate::web::views::Opt;

/// What a report is asked for with.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    /// `weekly`, `monthly` (default), `quarterly`, `annual`.
    pub kind: String,
    /// The first day of the period (default: the current period's).
    pub start: String,
    /// Area (default: the user's).
    pub area: String,
    /// `html` (default), `xlsx` or `pdf`.
    pub format: String,
}

/// A stored report's line.
#[derive(Debug)]
pub struct SavedLine {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind label.
    pub kind: &'static str,
    /// When made.
    pub made: String,
}

/// The picker and the list of reports made so far.
#[derive(Template)]
#[template(path = "pages/reports.html")]
pub struct PickPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Kinds, with the current period's start of each.
    pub kinds: Vec<(Opt, String)>,
    /// Area.
    pub area: String,
    /// Reports made by the scheduler, newest first.
    pub saved: Vec<SavedLine>,
}

/// `GET /reports`.
pub async fn pick(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let f = filter_of(&auth, &FiguresQuery { area: q.area.clone(), ..FiguresQuery::default() })?;
    let lang = auth.lang;
    let today = local_date(Utc::now());
    let kinds = ReportKind::ALL
        .iter()
        .map(|k| {
            let p = ReportPeriod::containing(*k, today);
            (Opt::new(k.as_str(), lang.pick(k.label_zh(), k.label_en()), "monthly"), p.from.to_string())
        })
        .collect();
    // Stored reports are area-wide: only area-bound people see them.
    let saved = if f.org.is_none() {
        state
            .store
            .reports_under(&f.area, 200)
            .await?
            .into_iter()
            .map(|r| SavedLine {
                id: r.id,
                title: r.title,
                kind: lang.pick(r.period.kind.label_zh(), r.period.kind.label_en()),
                made: shiyu_domain::time::show(r.generated_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&PickPage {
        chrome: Chrome::for_user(&auth, "/reports"),
        t: text(lang),
        kinds,
        area: f.area.to_string(),
        saved,
    })
}

/// The report page.
#[derive(Template)]
#[template(path = "pages/report.html")]
pub struct ReportPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The report.
    pub r: Report,
    /// The query string that made it (for the download links).
    pub query: String,
    /// Days as JSON for the chart.
    pub days: String,
}

/// `GET /reports/view`.
pub async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let lang = auth.lang;
    let kind = if q.kind.is_empty() { ReportKind::Monthly } else { ReportKind::parse(&q.kind)? };
    let today = local_date(Utc::now());
    let period = match q.start.trim() {
        "" => ReportPeriod::containing(kind, today),
        s => ReportPeriod::parse(kind, s.parse::<NaiveDate>().map_err(|_| ApiError::invalid("start", "malformed"))?)?,
    };
    let f = filter_of(&auth, &FiguresQuery { area: q.area.clone(), ..FiguresQuery::default() })?;
    let r = build(&state, lang, &f, period).await?;
    let query = format!("kind={}&start={}&area={}", kind.as_str(), period.from, r.area);
    respond(&state, &auth, r, &q.format, &format!("/reports/view?{query}"))
}

/// `GET /reports/saved/{id}[?format=xlsx|pdf]`: a stored report as it was made.
pub async fn saved(
    State(state): State<AppState>,
    auth: Auth,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let scope = shiyu_domain::stats::access::figure_scope(&auth.principal).ok_or(ApiError::Forbidden)?;
    let (meta, body) = state.store.report(&id).await?;
    if scope.org().is_some() || !meta.area.is_within(scope.root()) {
        return Err(ApiError::NotFound("report".into()));
    }
    let r: Report = serde_json::from_str(&body).map_err(|_| ApiError::Internal("stored report unreadable".into()))?;
    respond(&state, &auth, r, &q.format, &format!("/reports/saved/{id}?x=1"))
}

fn respond(state: &AppState, auth: &Auth, r: Report, format: &str, self_href: &str) -> Result<Response, ApiError> {
    let lang = auth.lang;
    let (kind, period) = (r.period.kind, r.period);
    let file =
        |ext: &str| format!("attachment; filename=\"report-{}-{}-{}.{ext}\"", r.area, kind.as_str(), period.from);
    match format {
        "" | "html" => {
            let days = serde_json::json!({
                "days": r.days.iter().map(|d| d.0.clone()).collect::<Vec<_>>(),
                "received": r.days.iter().map(|d| d.1).collect::<Vec<_>>(),
                "label": text(lang).board_received,
            })
            .to_string();
            render(&ReportPage {
                chrome: Chrome::for_user(auth, "/reports"),
                t: text(lang),
                r,
                query: self_href.to_owned(),
                days,
            })
        }
        "xlsx" => {
            let bytes = shiyu_tabular::report::write_report_xlsx(&r.sheets(lang))
                .map_err(|e| ApiError::Internal(format!("report xlsx: {e:?}")))?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                    ),
                    (header::CONTENT_DISPOSITION, file("xlsx")),
                ],
                bytes,
            )
                .into_response())
        }
        "pdf" => {
            let fonts = state.pdf_fonts(lang)?;
            let bytes = shiyu_docs::report_pdf(&r.doc(lang), fonts)
                .map_err(|e| ApiError::Internal(format!("report pdf: {e}")))?;
            Ok((
                [(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, file("pdf"))],
                bytes,
            )
                .into_response())
        }
        _ => Err(ApiError::invalid("format", "unknown_value")),
    }
}
