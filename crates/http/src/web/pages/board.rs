//! `GET /board`: the centre's board for an area (default: the user's) — this day's, week's and
//! month's figures, the live open, overdue and supervised counts, the month's figures by child
//! area (drill down to a grid) and by ledger, a 30-day trend chart, and every figure's definition.
//! Every number comes from the store's counter sums turned into figures by `api::stats::values`, the same
//! definitions the API and exports use; the board's independent queries run at once.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Days, Utc};
use shiyu_domain::case::Ledger;
use shiyu_domain::scope::Scope;
use shiyu_domain::stats::Metric;
use shiyu_domain::stats::access::figure_scope;
use shiyu_domain::stats::figures::Sums;
use shiyu_domain::time::local_date;
use shiyu_storage::stats::{GroupBy, StatFilter};

use crate::api::stats::{Definition, FigureValue, FiguresQuery, definitions, filter_of, values};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, render};
use crate::web::names::Names;
use crate::web::text::{Text, text};

/// A period's headline figures.
#[derive(Debug)]
pub struct Period {
    /// Label.
    pub label: &'static str,
    /// Figures.
    pub figures: Vec<FigureValue>,
}

/// A row of a breakdown table.
#[derive(Debug)]
pub struct Row {
    /// Name.
    pub name: String,
    /// Drill-down link, or empty.
    pub href: String,
    /// Figures.
    pub figures: Vec<FigureValue>,
}

/// An early-warning alert.
#[derive(Debug)]
pub struct AlertLine {
    /// Area name.
    pub area: String,
    /// Category name.
    pub category: String,
    /// Requests this week.
    pub count: i64,
    /// What history predicts, one decimal.
    pub expected: String,
    /// The control limit, one decimal.
    pub limit: String,
    /// The cases behind it.
    pub href: String,
}

/// The board.
#[derive(Template)]
#[template(path = "pages/board.html")]
pub struct BoardPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The area's name path.
    pub area_name: String,
    /// The area code.
    pub area: String,
    /// The parent to go back up to, or empty.
    pub up: String,
    /// Today, this week, this month.
    pub periods: Vec<Period>,
    /// Open cases now.
    pub open: i64,
    /// Open cases past their deadline now.
    pub overdue: i64,
    /// Supervised open cases now.
    pub supervised: i64,
    /// This month by child area.
    pub children: Vec<Row>,
    /// This month by ledger.
    pub ledgers: Vec<Row>,
    /// Figure headings of the tables.
    pub headings: Vec<&'static str>,
    /// 30 days of received and closed, as JSON for the chart.
    pub trend: String,
    /// Early-warning alerts of this week.
    pub alerts: Vec<AlertLine>,
    /// Definitions.
    pub definitions: Vec<Definition>,
}

/// The figures a table shows, by wire name.
const TABLE: [&str; 7] = [
    "received",
    "closed",
    "response_rate",
    "on_time_rate",
    "resolution_rate",
    "satisfaction_rate",
    "average_handling_time",
];

fn pick(all: Vec<FigureValue>, names: &[&str]) -> Vec<FigureValue> {
    names.iter().filter_map(|n| all.iter().find(|f| f.figure == *n).cloned()).collect()
}

/// `GET /board`.
pub async fn board(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    render(&board_page(&state, &auth, &q).await?)
}

/// The big screen (大屏) of the command centre: the same figures, large, dark, refreshing itself.
#[derive(Template)]
#[template(path = "pages/board_screen.html")]
pub struct ScreenPage {
    /// The board's data.
    pub b: BoardPage,
}

/// `GET /board/screen`.
pub async fn screen(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    render(&ScreenPage { b: board_page(&state, &auth, &q).await? })
}

async fn board_page(state: &AppState, auth: &Auth, q: &FiguresQuery) -> Result<BoardPage, ApiError> {
    let (state, auth) = (state.clone(), auth.clone());
    let lang = auth.lang;
    let t = text(lang);
    let month =
        filter_of(&auth, &FiguresQuery { from: String::new(), to: String::new(), by: String::new(), ..q.clone() })?;
    let today = local_date(Utc::now());
    let week_start = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    // Live counts: the user's scope narrowed to the area.
    let scope = match figure_scope(&auth.principal) {
        Some(s) if s.org().is_none() => Scope::Subtree(month.area.clone()),
        _ => auth.scope(),
    };
    // Every query of the board at once: they are independent reads. Today, this week, this month
    // and the 30-day trend are all sums of one per-day query (sums add over disjoint days).
    let store = &state.store;
    let first_day = month.from.min(today - Days::new(29));
    let days = StatFilter { from: first_day, to: month.to.max(today), ..month.clone() };
    let (by_day, by_child, by_ledger, weekly, live) = tokio::try_join!(
        store.case_sums_by(&days, GroupBy::Day),
        store.case_sums_by(&month, GroupBy::ChildArea),
        store.case_sums_by(&month, GroupBy::Ledger),
        async {
            // Alerts are area-wide: not for a department's handler.
            if month.org.is_none() {
                store.weekly_received(&month.area, week_start, 9).await.map(Some)
            } else {
                Ok(None)
            }
        },
        store.live_counts(&scope, Utc::now()),
    )?;
    let over = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        let mut s = Sums::default();
        for (day, sums) in &by_day {
            if day.parse::<chrono::NaiveDate>().is_ok_and(|d| d >= from && d <= to) {
                s.merge(sums);
            }
        }
        s
    };
    let (s_today, s_week, s_month) = (over(today, today), over(week_start, today), over(month.from, month.to));
    let headline = ["received", "closed", "on_time_rate", "satisfaction_rate"];
    let periods = vec![
        Period { label: t.board_today, figures: pick(values(lang, &s_today), &headline) },
        Period { label: t.board_week, figures: pick(values(lang, &s_week), &headline) },
        Period { label: t.board_month, figures: pick(values(lang, &s_month), &headline) },
    ];
    let (open, overdue, supervised) = (live.open, live.overdue, live.supervised);

    let mut names = Names::new(&state.store, lang);
    let mut children = Vec::new();
    for (key, sums) in by_child {
        children.push(Row {
            name: names.area(&key).await,
            href: format!("/board?area={key}"),
            figures: pick(values(lang, &sums), &TABLE),
        });
    }
    let ledgers = by_ledger
        .into_iter()
        .map(|(key, sums)| Row {
            name: Ledger::parse(&key).map_or(key.clone(), |l| lang.pick(l.label_zh(), l.label_en()).to_owned()),
            href: String::new(),
            figures: pick(values(lang, &sums), &TABLE),
        })
        .collect();
    let series = |metric: Metric| -> Vec<i64> {
        (0..30u64)
            .map(|i| {
                let d = (today - Days::new(29 - i)).to_string();
                by_day.iter().find(|(k, _)| *k == d).map_or(0, |(_, s)| s.get(metric))
            })
            .collect()
    };
    let trend = serde_json::json!({
        "days": (0..30u64).map(|i| (today - Days::new(29 - i)).format("%m-%d").to_string()).collect::<Vec<_>>(),
        "received": series(Metric::Received),
        "closed": series(Metric::Closed),
        "labels": [t.board_received, t.board_closed],
    })
    .to_string();
    // Early warning: this week of each child area × category against its own history.
    let mut alerts = Vec::new();
    if month.org.is_none() {
        let rules = shiyu_domain::stats::alerts::AlertRules::default();
        let mut raised = Vec::new();
        for ((area, category), (weeks, year_ago)) in weekly.unwrap_or_default() {
            let series = shiyu_domain::stats::alerts::Series { weeks, year_ago: Some(year_ago) };
            if let Some(j) = shiyu_domain::stats::alerts::judge(&series, &rules).filter(|j| j.alert) {
                raised.push((area, category, j));
            }
        }
        // Category names only when something is raised: most boards have no alert.
        let cats: std::collections::HashMap<String, String> = if raised.is_empty() {
            Default::default()
        } else {
            state
                .store
                .categories()
                .await?
                .into_iter()
                .map(|c| (c.code.as_str().to_owned(), lang.pick(&c.name_zh, &c.name_en).to_owned()))
                .collect()
        };
        for (area, category, j) in raised {
            alerts.push(AlertLine {
                area: names.area(&area).await,
                category: cats.get(&category).cloned().unwrap_or_else(|| category.clone()),
                count: j.count,
                expected: format!("{:.1}", j.expected),
                limit: format!("{:.1}", j.limit),
                href: format!("/cases?area={area}&category={category}"),
            });
        }
        alerts.sort_by_key(|a| std::cmp::Reverse(a.count));
    }
    let area_code = month.area.clone();
    let root = figure_scope(&auth.principal).map(|s| s.root().clone());
    let up = match (area_code.parent(), root) {
        (Some(p), Some(r)) if area_code != r && p.is_within(&r) => format!("/board?area={p}"),
        _ => String::new(),
    };
    Ok(BoardPage {
        chrome: Chrome::for_user(&auth, "/board"),
        t,
        area_name: names.area_path(&area_code).await,
        area: area_code.to_string(),
        up,
        periods,
        open,
        overdue,
        supervised,
        children,
        ledgers,
        headings: pick(crate::api::stats::values(lang, &Default::default()), &TABLE).iter().map(|f| f.label).collect(),
        trend,
        alerts,
        definitions: definitions(lang),
    })
}
