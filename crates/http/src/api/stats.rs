//! Figures: every case figure of `shiyu_domain::stats::figures` over an area subtree × period ×
//! ledger × category × channel × organisation, in total and grouped, each with its definition.
//! The board pages and every export call the same [`figures_of`].

use axum::Json;
use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{Channel, Ledger};
use shiyu_domain::ids::OrgId;
use shiyu_domain::stats::access::figure_scope;
use shiyu_domain::stats::figures::{Figure, Sums, Value};
use shiyu_domain::time::local_date;
use shiyu_storage::stats::{GroupBy, StatFilter};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;

/// A figures request; everything is optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct FiguresQuery {
    /// Area (default: the caller's).
    pub area: String,
    /// First day (default: the first of this month).
    pub from: String,
    /// Last day (default: today).
    pub to: String,
    /// Ledger wire name.
    pub ledger: String,
    /// Category code (its subtree).
    pub category: String,
    /// Channel wire name.
    pub channel: String,
    /// Lead organisation id.
    pub org: String,
    /// Group by `child` (areas), `ledger`, `category`, `channel`, `org` or `day`.
    pub by: String,
}

/// One figure's value.
#[derive(Debug, Clone, Serialize)]
pub struct FigureValue {
    /// Wire name.
    pub figure: &'static str,
    /// Name in the caller's language.
    pub label: &'static str,
    /// `count`, `permille` or `minutes`.
    pub unit: &'static str,
    /// The number (`null` when a rate has no denominator).
    pub value: Option<i64>,
    /// As shown on screen.
    pub shown: String,
}

/// The figures of one group.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The group's key (child area code, ledger, …).
    pub key: String,
    /// Every figure.
    pub figures: Vec<FigureValue>,
}

/// A figure's definition.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    /// Wire name.
    pub figure: &'static str,
    /// Name.
    pub label: &'static str,
    /// The written definition.
    pub definition: &'static str,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct FiguresView {
    /// Area.
    pub area: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// The whole filter's figures.
    pub total: Vec<FigureValue>,
    /// Grouped, when asked.
    pub groups: Vec<Group>,
    /// What each figure means.
    pub definitions: Vec<Definition>,
}

/// Every figure of some sums, in the caller's language.
pub fn values(lang: Lang, s: &Sums) -> Vec<FigureValue> {
    Figure::ALL
        .iter()
        .map(|f| {
            let v = f.of(s);
            let (unit, value) = match v {
                Value::Count(n) => ("count", Some(n)),
                Value::Permille(p) => ("permille", p),
                Value::Minutes(m) => ("minutes", m),
            };
            FigureValue {
                figure: f.as_str(),
                label: lang.pick(f.label_zh(), f.label_en()),
                unit,
                value,
                shown: v.show(),
            }
        })
        .collect()
}

/// The definitions in the caller's language.
pub fn definitions(lang: Lang) -> Vec<Definition> {
    Figure::ALL
        .iter()
        .map(|f| Definition {
            figure: f.as_str(),
            label: lang.pick(f.label_zh(), f.label_en()),
            definition: lang.pick(f.definition_zh(), f.definition_en()),
        })
        .collect()
}

fn day(field: &str, text: &str, default: NaiveDate) -> Result<NaiveDate, ApiError> {
    match text.trim() {
        "" => Ok(default),
        s => s.parse().map_err(|_| ApiError::invalid(field, "malformed")),
    }
}

/// Resolves a request against what the caller may see: the area must lie in their part, and a
/// handler's sums are always narrowed to their organisation.
pub fn filter_of(auth: &Auth, q: &FiguresQuery) -> Result<StatFilter, ApiError> {
    let scope = figure_scope(&auth.principal).ok_or(ApiError::Forbidden)?;
    let root = scope.root().clone();
    let area = match q.area.trim() {
        "" => root.clone(),
        a => AreaCode::parse(a)?,
    };
    if !area.is_within(&root) {
        return Err(ApiError::invalid("area", "out_of_scope"));
    }
    let today = local_date(Utc::now());
    let from = day("from", &q.from, today.with_day(1).unwrap_or(today))?;
    let to = day("to", &q.to, today)?;
    if from > to {
        return Err(ApiError::invalid("from", "out_of_range"));
    }
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let org = match (scope.org(), opt(&q.org)) {
        (Some(own), _) => Some(own),
        (None, Some(o)) => Some(OrgId::parse(&o).map_err(|_| ApiError::invalid("org", "not_a_uuid"))?),
        (None, None) => None,
    };
    Ok(StatFilter {
        area,
        from,
        to,
        ledger: opt(&q.ledger).map(|l| Ledger::parse(&l)).transpose()?,
        category: opt(&q.category),
        channel: opt(&q.channel).map(|c| Channel::parse(&c)).transpose()?,
        org,
    })
}

/// What a `by=` asks for.
pub fn group_of(by: &str) -> Result<Option<GroupBy>, ApiError> {
    Ok(Some(match by {
        "" => return Ok(None),
        "child" => GroupBy::ChildArea,
        "ledger" => GroupBy::Ledger,
        "category" => GroupBy::Category,
        "channel" => GroupBy::Channel,
        "org" => GroupBy::Org,
        "day" => GroupBy::Day,
        _ => return Err(ApiError::invalid("by", "unknown_value")),
    }))
}

/// The figures of a filter, in total and grouped.
pub async fn figures_of(
    state: &AppState,
    lang: Lang,
    f: &StatFilter,
    by: Option<GroupBy>,
) -> Result<FiguresView, ApiError> {
    let total = state.store.case_sums(f).await?;
    let groups = match by {
        Some(by) => state
            .store
            .case_sums_by(f, by)
            .await?
            .into_iter()
            .map(|(key, s)| Group { key, figures: values(lang, &s) })
            .collect(),
        None => Vec::new(),
    };
    Ok(FiguresView {
        area: f.area.to_string(),
        from: f.from,
        to: f.to,
        total: values(lang, &total),
        groups,
        definitions: definitions(lang),
    })
}

/// Case figures over a filter, with their definitions.
#[utoipa::path(get, path = "/api/stats/figures", tag = "board",
    params(("area" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("ledger" = Option<String>, Query), ("category" = Option<String>, Query), ("channel" = Option<String>, Query),
        ("org" = Option<String>, Query), ("by" = Option<String>, Query, description = "child, ledger, category, channel, org or day")),
    responses((status = 200, body = Object), (status = 403), (status = 422)))]
pub async fn figures(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<FiguresView>, ApiError> {
    let f = filter_of(&auth, &q)?;
    Ok(Json(figures_of(&state, auth.lang, &f, group_of(&q.by)?).await?))
}
