//! `GET /assessment`: the period's scores and ranking of the units below an area (the streets of
//! a district, the districts of the city), each with its score sheet explaining every point.
//! `POST /assessment/records`: an assessor records a manual value, a deduction or a veto item,
//! with the reason. `GET|POST /assessment/plan`: the plan as JSON, checked before it is kept.

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use shiyu_domain::role::Role;
use shiyu_domain::stats::assessment::{Deduction, Plan, ScoreSheet, UnitInput, score};
use shiyu_domain::stats::period::{ReportKind, ReportPeriod};
use shiyu_domain::time::local_date;
use shiyu_storage::assessment::RecordKind;
use shiyu_storage::stats::GroupBy;

use crate::api::stats::{FiguresQuery, filter_of};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::forms::FormData;
use crate::web::layout::{Chrome, answer_form, fixable, render, render_status, status_of};
use crate::web::names::Names;
use crate::web::text::{Text, text};
use crate::web::views::Opt;

/// `?kind=&start=&area=`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AssessQuery {
    /// Period kind (default monthly).
    pub kind: String,
    /// Period start (default: the current period).
    pub start: String,
    /// Area whose children are assessed (default: the user's).
    pub area: String,
}

/// The page.
#[derive(Template)]
#[template(path = "pages/assessment.html")]
pub struct AssessPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Plan name.
    pub plan: String,
    /// Period in words.
    pub period: String,
    /// Minimum cases to be ranked.
    pub min_cases: i64,
    /// Sheets, best first.
    pub sheets: Vec<ScoreSheet>,
    /// May record.
    pub records: bool,
    /// May edit the plan.
    pub edits: bool,
    /// Unit choices.
    pub units: Vec<Opt>,
    /// Code choices (indicators with manual source, veto items).
    pub codes: Vec<Opt>,
    /// Hidden period fields.
    pub kind: String,
    /// Period start.
    pub start: String,
    /// Area.
    pub area: String,
    /// Refusal.
    pub error: String,
}

fn may_record(role: Role) -> bool {
    matches!(role, Role::Leader | Role::Analyst | Role::Admin)
}

fn period_of(q: &AssessQuery) -> Result<ReportPeriod, ApiError> {
    let kind = if q.kind.trim().is_empty() { ReportKind::Monthly } else { ReportKind::parse(q.kind.trim())? };
    match q.start.trim() {
        "" => Ok(ReportPeriod::containing(kind, local_date(Utc::now()))),
        s => {
            Ok(ReportPeriod::parse(kind, s.parse::<NaiveDate>().map_err(|_| ApiError::invalid("start", "malformed"))?)?)
        }
    }
}

async fn page_of(state: &AppState, auth: &Auth, q: &AssessQuery, error: String) -> Result<AssessPage, ApiError> {
    let lang = auth.lang;
    let period = period_of(q)?;
    let base = filter_of(auth, &FiguresQuery { area: q.area.clone(), ..FiguresQuery::default() })?;
    let f = shiyu_storage::stats::StatFilter { from: period.from, to: period.to, ..base };
    let city = f.area.city_key();
    let plan = state.store.assessment_plan(city.as_str()).await?;
    let records = state.store.assessment_records(city.as_str(), period).await?;
    let mut names = Names::new(&state.store, lang);
    let mut units = Vec::new();
    for (code, sums) in state.store.case_sums_by(&f, GroupBy::ChildArea).await? {
        let mine: Vec<_> = records.iter().filter(|r| r.unit == code).collect();
        let mut manual: Vec<(String, f64)> = Vec::new();
        for r in mine.iter().filter(|r| r.kind == RecordKind::Manual) {
            manual.retain(|(c, _)| *c != r.code);
            manual.push((r.code.clone(), r.amount));
        }
        units.push(UnitInput {
            name: names.area(&code).await,
            unit: code,
            sums,
            manual,
            deductions: mine
                .iter()
                .filter(|r| r.kind == RecordKind::Deduction)
                .map(|r| Deduction {
                    points: r.amount,
                    reason: format!("{}（{}，{}）", r.reason, r.by_name, r.at.date_naive()),
                })
                .collect(),
            vetoes: mine
                .iter()
                .filter(|r| r.kind == RecordKind::Veto)
                .map(|r| (r.code.clone(), r.reason.clone()))
                .collect(),
        });
    }
    let sheets = score(&plan, &units);
    let unit_opts = sheets.iter().map(|s| Opt::new(s.unit.clone(), s.name.clone(), "")).collect();
    let mut codes: Vec<Opt> = plan
        .indicators
        .iter()
        .filter(|i| i.source == shiyu_domain::stats::assessment::Source::Manual)
        .map(|i| Opt::new(i.code.clone(), i.name.clone(), ""))
        .collect();
    codes.extend(
        plan.vetoes.iter().map(|v| Opt::new(v.code.clone(), format!("{}（{}）", v.name, text(lang).asm_veto), "")),
    );
    Ok(AssessPage {
        chrome: Chrome::for_user(auth, "/assessment"),
        t: text(lang),
        plan: plan.name.clone(),
        period: match lang {
            crate::i18n::Lang::Zh => period.label_zh(),
            crate::i18n::Lang::En => period.label_en(),
        },
        min_cases: plan.min_cases,
        sheets,
        records: may_record(auth.user.role),
        edits: matches!(auth.user.role, Role::Admin | Role::Analyst),
        units: unit_opts,
        codes,
        kind: period.kind.as_str().to_owned(),
        start: period.from.to_string(),
        area: f.area.to_string(),
        error,
    })
}

/// `GET /assessment`.
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AssessQuery>,
) -> Result<Response, ApiError> {
    render(&page_of(&state, &auth, &q, String::new()).await?)
}

/// `POST /assessment/records`.
pub async fn add_record(
    State(state): State<AppState>,
    auth: Auth,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let get = |k: &str| form.get(k).unwrap_or_default().trim().to_owned();
    let q = AssessQuery { kind: get("kind"), start: get("start"), area: get("area") };
    let result = async {
        if !may_record(auth.user.role) {
            return Err(ApiError::Forbidden);
        }
        let period = period_of(&q)?;
        let f = filter_of(&auth, &FiguresQuery { area: q.area.clone(), ..FiguresQuery::default() })?;
        let unit = get("unit");
        let unit_code =
            shiyu_domain::area::AreaCode::parse(&unit).map_err(|_| ApiError::invalid("unit", "required"))?;
        if !unit_code.is_within(&f.area) || unit_code == f.area {
            return Err(ApiError::invalid("unit", "out_of_scope"));
        }
        let kind = RecordKind::parse(&get("record_kind"))?;
        let amount: f64 = match (kind, get("amount").as_str()) {
            (RecordKind::Veto, _) => 0.0,
            (_, "") => return Err(ApiError::invalid("amount", "required")),
            (_, a) => a.parse().map_err(|_| ApiError::invalid("amount", "not_a_number"))?,
        };
        let code = if kind == RecordKind::Deduction { String::new() } else { get("code") };
        state
            .store
            .add_assessment_record(
                f.area.city_key().as_str(),
                &auth.principal,
                period,
                &unit,
                kind,
                &code,
                amount,
                &get("reason"),
                Utc::now(),
            )
            .await?;
        Ok(())
    }
    .await;
    let done = |()| format!("/assessment?kind={}&start={}&area={}", q.kind, q.start, q.area);
    answer_form(auth.lang, result, done, async |message| page_of(&state, &auth, &q, message).await).await
}

/// The plan editor.
#[derive(Template)]
#[template(path = "pages/assessment_plan.html")]
pub struct PlanPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The plan as JSON.
    pub body: String,
    /// Refusal.
    pub error: String,
}

fn plan_editor(auth: &Auth) -> Result<(), ApiError> {
    if matches!(auth.user.role, Role::Admin | Role::Analyst) { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// `GET /assessment/plan`.
pub async fn plan_form(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    plan_editor(&auth)?;
    let city = state.store.default_city().await?;
    let plan = state.store.assessment_plan(city.as_str()).await?;
    let body = serde_json::to_string_pretty(&plan).map_err(|e| ApiError::Internal(e.to_string()))?;
    render(&PlanPage { chrome: Chrome::for_user(&auth, "/assessment"), t: text(auth.lang), body, error: String::new() })
}

/// `POST /assessment/plan`.
pub async fn plan_save(State(state): State<AppState>, auth: Auth, RawForm(raw): RawForm) -> Result<Response, ApiError> {
    plan_editor(&auth)?;
    let form = FormData::parse(&raw);
    let body = form.get("body").unwrap_or_default().to_owned();
    let result = async {
        let plan: Plan = serde_json::from_str(&body).map_err(|_| ApiError::invalid("plan", "malformed"))?;
        let city = state.store.default_city().await?;
        state.store.save_assessment_plan(city.as_str(), &auth.principal, &plan, Utc::now()).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/assessment").into_response()),
        Err(e) if fixable(&e) => {
            let error = e.message(auth.lang);
            render_status(
                status_of(&e),
                &PlanPage { chrome: Chrome::for_user(&auth, "/assessment"), t: text(auth.lang), body, error },
            )
        }
        Err(e) => Err(e),
    }
}
