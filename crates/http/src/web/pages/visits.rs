//! The grid worker's visit log (日走访), on a phone. `GET /grid/visits`: the last weeks' visits
//! of the grid and the care visits due. `GET|POST /grid/visits/new`: log a visit — households
//! ticked from the grid's houses (care-tagged ones first), what was seen, what was found.
//! `POST /grid/visits/{id}/case`: a finding becomes an event case in one tap, linked to the visit.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{Channel, Intake, Ledger, Reporter, Urgency};
use shiyu_storage::base::care::CareFilter;
use shiyu_storage::base::visits::NewVisit;

use super::grid::my_grid;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, answer_form, render};
use crate::web::text::{Text, text};

/// A household to tick.
#[derive(Debug)]
pub struct HouseChoice {
    /// House id.
    pub id: String,
    /// Address line.
    pub label: String,
    /// Care groups of its residents with a visit due, in words; empty if none.
    pub care: String,
    /// Ticked.
    pub checked: bool,
}

/// A visit line.
#[derive(Debug)]
pub struct VisitLine {
    /// Id.
    pub id: String,
    /// Day.
    pub day: String,
    /// Summary.
    pub summary: String,
    /// Finding.
    pub found: String,
    /// Households.
    pub households: i64,
    /// The case the finding became, if any.
    pub case_id: String,
}

/// A care visit due.
#[derive(Debug)]
pub struct CareLine {
    /// Name.
    pub name: String,
    /// Group.
    pub group: &'static str,
    /// Address.
    pub address: String,
    /// Due day.
    pub due: String,
    /// Past due.
    pub overdue: bool,
}

/// The visit log page.
#[derive(Template)]
#[template(path = "pages/visits.html")]
pub struct VisitsPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Recent visits.
    pub visits: Vec<VisitLine>,
    /// Care visits due within a week.
    pub care: Vec<CareLine>,
}

/// `GET /grid/visits`.
pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    let grid = my_grid(&auth)?;
    let lang = auth.lang;
    let today = shiyu_domain::time::local_date(Utc::now());
    let visits = state
        .store
        .visits(&grid, today - chrono::Duration::days(30), today, 100)
        .await?
        .into_iter()
        .map(|v| VisitLine {
            id: v.id,
            day: v.visited_on.to_string(),
            summary: v.summary,
            found: v.found,
            households: v.households,
            case_id: v.case_id.unwrap_or_default(),
        })
        .collect();
    let city = state.store.default_city().await?;
    let filter = CareFilter { due_by: Some(today + chrono::Duration::days(6)), ..CareFilter::default() };
    let care = state
        .store
        .care_list(city.as_str(), &auth.principal, &filter, 200, Utc::now())
        .await?
        .into_iter()
        .map(|c| CareLine {
            name: c.name,
            group: lang.pick(c.group.label_zh(), c.group.label_en()),
            address: c.address.unwrap_or_default(),
            due: c.visit_due.to_string(),
            overdue: c.visit_due < today,
        })
        .collect();
    render(&VisitsPage { chrome: Chrome::for_user(&auth, "/grid/visits"), t: text(lang), visits, care })
}

/// The new-visit form.
#[derive(Template)]
#[template(path = "pages/visit_new.html")]
pub struct VisitForm {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Refusal, or empty.
    pub error: String,
    /// Day (YYYY-MM-DD).
    pub day: String,
    /// Households of the grid.
    pub houses: Vec<HouseChoice>,
    /// Summary typed.
    pub summary: String,
    /// Finding typed.
    pub found: String,
}

async fn form_page(state: &AppState, auth: &Auth, v: &VisitBody, error: String) -> Result<VisitForm, ApiError> {
    let grid = my_grid(auth)?;
    let lang = auth.lang;
    let (houses, _) = state.store.houses(&auth.principal, Some(&grid), 500, 0).await?;
    // Which households have care visits due soon: care records read here are audited.
    let today = shiyu_domain::time::local_date(Utc::now());
    let city = state.store.default_city().await?;
    let filter = CareFilter { due_by: Some(today + chrono::Duration::days(6)), ..CareFilter::default() };
    let care = state.store.care_list(city.as_str(), &auth.principal, &filter, 500, Utc::now()).await?;
    let mut choices: Vec<HouseChoice> = houses
        .into_iter()
        .map(|h| {
            let groups: Vec<&str> = care
                .iter()
                .filter(|c| c.house_id.as_deref() == Some(h.id.as_str()))
                .map(|c| lang.pick(c.group.label_zh(), c.group.label_en()))
                .collect();
            let r = &h.record;
            HouseChoice {
                checked: v.houses.contains(&h.id),
                label: format!("{} {}{}{}", r.address, r.building, r.unit, r.room),
                care: groups.join("、"),
                id: h.id,
            }
        })
        .collect();
    choices.sort_by_key(|c| c.care.is_empty());
    Ok(VisitForm {
        chrome: Chrome::for_user(auth, "/grid/visits"),
        t: text(lang),
        error,
        day: if v.day.is_empty() { today.to_string() } else { v.day.clone() },
        houses: choices,
        summary: v.summary.clone(),
        found: v.found.clone(),
    })
}

/// What the form sends (`houses` repeated, one per ticked household).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VisitBody {
    /// Day.
    pub day: String,
    /// House ids.
    #[serde(rename = "house")]
    pub houses: Vec<String>,
    /// Summary.
    pub summary: String,
    /// Finding.
    pub found: String,
}

/// `GET /grid/visits/new`.
pub async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    render(&form_page(&state, &auth, &VisitBody::default(), String::new()).await?)
}

/// `POST /grid/visits/new`.
pub async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Result<Response, ApiError> {
    my_grid(&auth)?;
    // serde_urlencoded cannot gather repeated keys into a Vec; read the pairs by hand.
    let mut v = VisitBody::default();
    for (k, val) in form_urlencoded::parse(&raw) {
        match k.as_ref() {
            "day" => v.day = val.into_owned(),
            "house" => v.houses.push(val.into_owned()),
            "summary" => v.summary = val.into_owned(),
            "found" => v.found = val.into_owned(),
            _ => {}
        }
    }
    let result = async {
        let day = v.day.trim().parse().map_err(|_| ApiError::invalid("visited_on", "malformed"))?;
        let city = state.store.default_city().await?;
        let visit =
            NewVisit { visited_on: day, houses: v.houses.clone(), summary: v.summary.clone(), found: v.found.clone() };
        Ok::<_, ApiError>(state.store.log_visit(city.as_str(), &auth.principal, visit, Utc::now()).await?)
    }
    .await;
    answer_form(
        auth.lang,
        result,
        |_| "/grid/visits?done=1".to_owned(),
        async |message| form_page(&state, &auth, &v, message).await,
    )
    .await
}

/// The category a visit finding is registered under: the first of the tree's "event" branch,
/// else the first category.
async fn finding_category(state: &AppState) -> Result<shiyu_domain::case::CategoryCode, ApiError> {
    let all = state.store.categories().await?;
    let leafish = all.iter().filter(|c| {
        let below = format!("{}.", c.code.as_str());
        !all.iter().any(|o| o.code.as_str().starts_with(&below))
    });
    let pick = leafish
        .clone()
        .find(|c| c.name_zh.contains("隐患") || c.name_zh.contains("矛盾"))
        .or_else(|| leafish.clone().next());
    pick.map(|c| c.code.clone()).ok_or_else(|| ApiError::invalid("category", "required"))
}

/// Form of the one-tap button (only the CSRF token).
#[derive(Debug, Deserialize)]
pub struct Tap {}

/// `POST /grid/visits/{id}/case`: the visit's finding becomes an event case of the grid.
pub async fn to_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(_): Form<Tap>,
) -> Result<Response, ApiError> {
    let grid = my_grid(&auth)?;
    let visit = state.store.visit(&grid, &id).await?;
    if visit.found.trim().is_empty() {
        return Err(ApiError::invalid("found", "required"));
    }
    if let Some(case) = visit.case_id {
        return Ok(Redirect::to(&format!("/cases/{case}")).into_response());
    }
    let title: String = visit.found.chars().take(30).collect();
    let intake = Intake {
        ledger: Ledger::Event,
        category: finding_category(&state).await?,
        channel: Channel::GridWorker,
        urgency: Urgency::Normal,
        title,
        text: format!("{}（走访发现，{}）", visit.found, visit.visited_on),
        area: AreaCode::parse(&visit.grid)?,
        location: None,
        off_grid: false,
        reporter: Reporter::Account { user: auth.user.id },
        attachments: Vec::new(),
    };
    let case = state.store.register_case(&auth.principal, intake, None, Utc::now()).await?;
    state.store.link_visit_case(&id, case.id).await?;
    Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response())
}
