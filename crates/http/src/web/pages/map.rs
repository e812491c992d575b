//! `GET /map`: the centre's map — the children of an area coloured by open and overdue cases, open
//! cases as points, cameras, and a click through to the case list of any area. Leaflet is shipped
//! inside the binary; without a configured tile server the polygons stand on a plain background,
//! so the map works with no internet.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use shiyu_domain::role::Role;

use crate::api::map::MapParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::layout::{Chrome, render};
use crate::web::text::{Text, text};

/// The map page.
#[derive(Template)]
#[template(path = "pages/map.html")]
pub struct MapPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The area to open on (empty: the user's own).
    pub area: String,
    /// Tile URL template, or empty for none.
    pub tiles: String,
    /// The tiles' coordinate system.
    pub tile_crs: String,
}

/// The map.
pub async fn page(State(state): State<AppState>, auth: Auth, Query(p): Query<MapParams>) -> Result<Response, ApiError> {
    if auth.user.role == Role::Resident {
        return Err(ApiError::Forbidden);
    }
    let t = text(auth.lang);
    render(&MapPage {
        chrome: Chrome::for_user(&auth, "/map"),
        t,
        area: p.area.unwrap_or_default().trim().to_owned(),
        tiles: state.cfg.tile_url.clone().unwrap_or_default(),
        tile_crs: state.cfg.tile_crs.clone(),
    })
}
