//! The grid worker's pages, laid out for a phone. `GET /grid`: the day's desk — a map of the grid,
//! tasks sent to the grid, the worker's overdue items, care visits due and the day's visit log.
//! `GET|POST /grid/report`: report what was found with a photo and the phone's location, and
//! optionally solve it on the spot (网格自办: accept, handle and report the result in one
//! transaction; a leader still verifies it).

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::Utc;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{CaseState, Ledger, Move, ResultKind};
use shiyu_domain::role::Role;
use shiyu_storage::CaseFilter;

use super::home::{Queue, queue, states};
use crate::api::attachments::save_upload;
use crate::api::cases::{NewCase, ReporterChoice};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, answer_form, render};
use crate::web::names::Names;
use crate::web::pages::intake::{category_groups, location};
use crate::web::text::{Text, text};
use crate::web::views::OptGroup;

/// The grid a grid worker serves; other roles have no grid pages.
pub(crate) fn my_grid(auth: &Auth) -> Result<AreaCode, ApiError> {
    match (auth.user.role, auth.principal.home_area()) {
        (Role::GridWorker, Some(area)) => Ok(area.clone()),
        _ => Err(ApiError::Forbidden),
    }
}

/// The grid worker's desk.
#[derive(Template)]
#[template(path = "pages/grid.html")]
pub struct GridDesk {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The grid's code (the map opens on it).
    pub grid: String,
    /// The grid's name.
    pub grid_name: String,
    /// Tile URL template, or empty.
    pub tiles: String,
    /// The tiles' coordinate system.
    pub tile_crs: String,
    /// Tasks, overdue items and what waits for the centre.
    pub queues: Vec<Queue>,
}

/// `GET /grid`.
pub async fn desk(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    let grid = my_grid(&auth)?;
    let t = text(auth.lang);
    let mut names = Names::new(&state.store, auth.lang);
    let tasks =
        CaseFilter { handling_area: Some(grid.clone()), ..states(&[CaseState::Accepted, CaseState::InProgress]) };
    let waiting = CaseFilter { handling_area: Some(grid.clone()), ..states(&[CaseState::Registered]) };
    let overdue = CaseFilter { due_before: Some(Utc::now()), ..CaseFilter::default() };
    let queues = vec![
        queue(&state, &auth, &mut names, "grid-tasks", t.grid_tasks, tasks, "/cases?state=in_progress").await?,
        queue(&state, &auth, &mut names, "grid-overdue", t.grid_overdue, overdue, "/cases/overdue").await?,
        queue(&state, &auth, &mut names, "grid-waiting", t.grid_waiting, waiting, "/cases?state=registered").await?,
    ];
    render(&GridDesk {
        chrome: Chrome::for_user(&auth, "/grid"),
        t,
        grid_name: names.area(grid.as_str()).await,
        grid: grid.to_string(),
        tiles: state.cfg.tile_url.clone().unwrap_or_default(),
        tile_crs: state.cfg.tile_crs.clone(),
        queues,
    })
}

/// What the report form sends. Text fields are kept as typed so a refused form comes back whole.
#[derive(Debug, Clone, Default)]
pub struct ReportForm {
    /// Category code.
    pub category: String,
    /// Title.
    pub title: String,
    /// What was found.
    pub text: String,
    /// Longitude (WGS-84, from the phone).
    pub lon: String,
    /// Latitude.
    pub lat: String,
    /// Solved on the spot.
    pub solved: bool,
    /// What was done, when solved on the spot.
    pub done: String,
}

/// The report page.
#[derive(Template)]
#[template(path = "pages/grid_report.html")]
pub struct ReportPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Message of a refused form, or empty.
    pub error: String,
    /// Category choices.
    pub categories: Vec<OptGroup>,
    /// What was typed.
    pub v: ReportForm,
}

async fn report_page(state: &AppState, auth: &Auth, v: ReportForm, error: String) -> Result<ReportPage, ApiError> {
    Ok(ReportPage {
        chrome: Chrome::for_user(auth, "/grid/report"),
        t: text(auth.lang),
        error,
        categories: category_groups(auth.lang, state.store.categories().await?, &v.category),
        v,
    })
}

/// `GET /grid/report`.
pub async fn report_form(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    my_grid(&auth)?;
    render(&report_page(&state, &auth, ReportForm::default(), String::new()).await?)
}

/// Reads the multipart form: text fields and at most one photo.
async fn read_form(mut form: Multipart) -> Result<(ReportForm, Option<(String, Vec<u8>)>), ApiError> {
    let mut v = ReportForm::default();
    let mut photo = None;
    while let Some(field) = form.next_field().await.map_err(|_| ApiError::invalid("photo", "too_large"))? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photo" {
            let file_name = field.file_name().unwrap_or("photo").to_owned();
            let bytes = field.bytes().await.map_err(|_| ApiError::invalid("photo", "too_large"))?;
            if !bytes.is_empty() {
                photo = Some((file_name, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await.map_err(|_| ApiError::invalid("body", "malformed"))?;
        match name.as_str() {
            "category" => v.category = value,
            "title" => v.title = value,
            "text" => v.text = value,
            "lon" => v.lon = value,
            "lat" => v.lat = value,
            "solved" => v.solved = matches!(value.as_str(), "1" | "on" | "true"),
            "done" => v.done = value,
            _ => {}
        }
    }
    Ok((v, photo))
}

/// Registers the report (and, when solved on the spot, accepts, self-handles and reports the result)
/// in one transaction. Returns the case id.
async fn file_report(
    state: &AppState,
    auth: &Auth,
    grid: &AreaCode,
    v: &ReportForm,
    photo: Option<(String, Vec<u8>)>,
) -> Result<String, ApiError> {
    if v.category.trim().is_empty() {
        return Err(ApiError::invalid("category", "required"));
    }
    if v.solved && v.done.trim().is_empty() {
        return Err(ApiError::invalid("done", "required"));
    }
    let location = location(&v.lon, &v.lat)?;
    let mut attachments = Vec::new();
    if let Some((name, bytes)) = photo {
        attachments.push(save_upload(state, auth, &name, &bytes).await.map_err(|e| match e {
            ApiError::Invalid { reason, .. } => ApiError::Invalid { field: "photo".into(), reason },
            e => e,
        })?);
    }
    let body = NewCase {
        ledger: Ledger::Event.as_str().to_owned(),
        category: v.category.trim().to_owned(),
        channel: shiyu_domain::case::Channel::GridWorker.as_str().to_owned(),
        urgency: None,
        title: v.title.trim().to_owned(),
        text: v.text.trim().to_owned(),
        area_code: grid.to_string(),
        location,
        reporter: Some(ReporterChoice::Myself),
        contact: None,
        attachments: attachments.into_iter().map(|a| a.id).collect(),
    };
    let (intake, contact) = body.into_intake(state, auth).await?;
    let now = Utc::now();
    let mut batch = state.store.batch().await?;
    let case = batch.register(&auth.principal, intake, contact, now).await?;
    if v.solved {
        let done = v.done.trim().to_owned();
        batch.apply(&auth.principal, case.id, Move::Accept { note: String::new() }, now).await?;
        batch.apply(&auth.principal, case.id, Move::SelfHandle { note: done.clone() }, now).await?;
        batch
            .apply(&auth.principal, case.id, Move::ReportResult { outcome: ResultKind::Resolved, text: done }, now)
            .await?;
    }
    batch.commit().await?;
    Ok(case.id.to_string())
}

/// `POST /grid/report` (multipart: the photo travels with the form).
pub async fn report_submit(State(state): State<AppState>, auth: Auth, form: Multipart) -> Result<Response, ApiError> {
    let grid = my_grid(&auth)?;
    let (v, photo) = read_form(form).await?;
    answer_form(
        auth.lang,
        file_report(&state, &auth, &grid, &v, photo).await,
        |id| format!("/cases/{id}"),
        async |message| report_page(&state, &auth, v, message).await,
    )
    .await
}
