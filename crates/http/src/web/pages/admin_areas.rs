//! `GET|POST /admin/areas/import`: the administrator uploads a GeoJSON file of areas and grids;
//! the page shows every problem found (nothing written) or what was imported.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use shiyu_domain::role::Role;
use shiyu_geo::Crs;

use crate::area_import::{AreaImportOutcome, import_geojson};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, render, render_status};
use crate::web::text::{Text, fill, text};

/// The import page.
#[derive(Template)]
#[template(path = "pages/admin_areas.html")]
pub struct AreaImportPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// What was imported, or empty.
    pub done: String,
    /// Problems found, in file order.
    pub problems: Vec<String>,
    /// Coordinate systems to choose from (wire name, label).
    pub crs_opts: Vec<(&'static str, &'static str)>,
}

fn page(auth: &Auth, done: String, problems: Vec<String>) -> AreaImportPage {
    let t = text(auth.lang);
    AreaImportPage {
        chrome: Chrome::for_user(auth, "/admin/areas/import"),
        t,
        done,
        problems,
        crs_opts: vec![("", t.crs_declared), ("wgs84", "WGS-84"), ("gcj02", "GCJ-02"), ("bd09", "BD-09")],
    }
}

fn admin(auth: &Auth) -> Result<(), ApiError> {
    if auth.user.role == Role::Admin { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// `GET /admin/areas/import`.
pub async fn form(auth: Auth) -> Result<Response, ApiError> {
    admin(&auth)?;
    render(&page(&auth, String::new(), Vec::new()))
}

/// `POST /admin/areas/import` (multipart: `file`, `crs`).
pub async fn submit(State(state): State<AppState>, auth: Auth, mut form: Multipart) -> Result<Response, ApiError> {
    admin(&auth)?;
    let mut file = None;
    let mut crs = String::new();
    while let Some(field) = form.next_field().await.map_err(|_| ApiError::invalid("file", "too_large"))? {
        match field.name() {
            Some("file") => file = Some(field.bytes().await.map_err(|_| ApiError::invalid("file", "too_large"))?),
            Some("crs") => crs = field.text().await.map_err(|_| ApiError::invalid("crs", "malformed"))?,
            _ => {}
        }
    }
    let bytes = file.filter(|b| !b.is_empty()).ok_or_else(|| ApiError::invalid("file", "required"))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::invalid("file", "malformed"))?;
    let crs = match crs.trim() {
        "" => None,
        c => Some(c.parse::<Crs>().map_err(|_| ApiError::invalid("crs", "unknown_value"))?),
    };
    let t = text_of(&auth);
    match import_geojson(&state.store, &state.places, text, crs).await? {
        AreaImportOutcome::Imported { counts, grids } => {
            let done = fill(
                t.areas_imported,
                &[
                    ("inserted", counts.inserted.to_string()),
                    ("updated", counts.updated.to_string()),
                    ("unchanged", counts.unchanged.to_string()),
                    ("grids", grids.to_string()),
                ],
            );
            render(&page(&auth, done, Vec::new()))
        }
        AreaImportOutcome::Refused(problems) => {
            let lines = problems.iter().map(|p| auth.lang.pick(&p.message_zh(), &p.message_en()).to_owned()).collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&auth, String::new(), lines))
        }
    }
}

fn text_of(auth: &Auth) -> &'static Text {
    text(auth.lang)
}
