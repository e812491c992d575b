//! Map data as GeoJSON: the children of an area with their open and overdue case counts (the map
//! drills down one level at a time, so a city of 60,000 grids never sends them all at once), and
//! open cases as points. Residents have no map of cases.

use axum::Json;
use axum::extract::{Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::role::Role;
use utoipa::IntoParams;

use super::directory::browse_root;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// Which area to show.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MapParams {
    /// The area whose children are drawn (default: the caller's own area).
    pub area: Option<String>,
}

/// The area asked for, kept inside what the caller may browse: an area above or beside their own
/// shows their own instead.
/// Returns the focus and the caller's root.
async fn focus(state: &AppState, auth: &Auth, p: &MapParams) -> Result<(AreaCode, AreaCode), ApiError> {
    if auth.user.role == Role::Resident {
        return Err(ApiError::Forbidden);
    }
    let root = browse_root(state, auth).await?;
    let focus = match p.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => Some(AreaCode::parse(a)?).filter(|a| a.is_within(&root)).unwrap_or_else(|| root.clone()),
        None => root.clone(),
    };
    Ok((focus, root))
}

/// The children of an area as a GeoJSON FeatureCollection with `open` and `overdue` per child.
#[utoipa::path(get, path = "/api/map/areas", tag = "map", params(MapParams),
    responses((status = 200, description = "GeoJSON FeatureCollection"), (status = 403)))]
pub async fn areas(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<MapParams>,
) -> Result<Json<Value>, ApiError> {
    let (parent, root) = focus(&state, &auth, &p).await?;
    let loads = state.store.child_loads(&auth.scope(), &parent, Utc::now()).await?;
    let mut children = state.store.child_areas(&parent).await?;
    // A leaf shows itself, so a grid worker's map is their grid.
    if children.is_empty() {
        children.push(state.store.area(&parent).await?);
    }
    let features: Vec<Value> = children
        .into_iter()
        .filter_map(|a| {
            let geometry: Value = serde_json::from_str(a.polygon.as_deref()?).ok()?;
            let load = loads.iter().find(|l| l.code == a.code);
            Some(json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": a.code.as_str(),
                    "name": a.name,
                    "level": a.level.as_str(),
                    "open": load.map_or(0, |l| l.open),
                    "overdue": load.map_or(0, |l| l.overdue),
                    "drill": a.level < AreaLevel::Grid && a.code != parent,
                }
            }))
        })
        .collect();
    let parent_area = state.store.area(&parent).await?;
    Ok(Json(json!({
        "type": "FeatureCollection",
        "features": features,
        // Where "up" goes: nowhere above the caller's own area.
        "area": {
            "code": parent.as_str(),
            "name": parent_area.name,
            "up": parent_area.parent.filter(|up| up.is_within(&root)).map(|up| up.to_string()),
        },
    })))
}

/// Open cases with a point under an area, as GeoJSON points (most overdue first, at most 2,000).
#[utoipa::path(get, path = "/api/map/cases", tag = "map", params(MapParams),
    responses((status = 200, description = "GeoJSON FeatureCollection"), (status = 403)))]
pub async fn cases(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<MapParams>,
) -> Result<Json<Value>, ApiError> {
    let (area, _) = focus(&state, &auth, &p).await?;
    let points = state.store.case_points(&auth.scope(), &area, Utc::now(), 2000).await?;
    let features: Vec<Value> = points
        .into_iter()
        .map(|c| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [c.lon, c.lat] },
                "properties": {
                    "id": c.id.to_string(),
                    "number": c.number,
                    "title": c.title,
                    "state": c.state,
                    "overdue": c.overdue,
                }
            })
        })
        .collect();
    Ok(Json(json!({ "type": "FeatureCollection", "features": features })))
}

/// Cameras under an area as GeoJSON points (assets, not personal data).
#[utoipa::path(get, path = "/api/map/cameras", tag = "map", params(MapParams),
    responses((status = 200, description = "GeoJSON FeatureCollection"), (status = 403)))]
pub async fn cameras(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<MapParams>,
) -> Result<Json<Value>, ApiError> {
    let (area, _) = focus(&state, &auth, &p).await?;
    let features: Vec<Value> = state
        .store
        .cameras_within(&area, 5000)
        .await?
        .into_iter()
        .map(|c| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [c.lon, c.lat] },
                "properties": { "code": c.code, "name": c.name, "status": c.status, "stream_url": c.stream_url },
            })
        })
        .collect();
    Ok(Json(json!({ "type": "FeatureCollection", "features": features })))
}
