//! The JSON API: one module per area of the product, each handler with its request and response
//! types and OpenAPI description beside it.

pub mod attachments;
pub mod board;
pub mod cases;
pub mod directory;
pub mod disputes;
pub mod duplicates;
pub mod imports;
pub mod map;
pub mod open311_admin;
pub mod points;
pub mod proposals;
pub mod public;
pub mod routing;
pub mod search;
pub mod stats;
pub mod volunteers;
pub mod webhooks;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The API routes (login and the public follow-up routes are mounted with the rate limiter in
/// [`crate::router`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/cases", post(cases::create).get(cases::list))
        .route("/api/cases/by-number/{number}", get(cases::by_number))
        .route("/api/cases/duplicates", get(duplicates::duplicates))
        .route("/api/cases/{id}", get(cases::get))
        .route("/api/cases/{id}/events", get(cases::events))
        .route("/api/cases/{id}/moves", post(cases::make_move))
        .route("/api/attachments", post(attachments::upload))
        .route("/api/attachments/{id}", get(attachments::download))
        .route("/api/board/overdue", get(board::overdue))
        .route("/api/board/summary", get(board::summary))
        .route("/api/stats/figures", get(stats::figures))
        .route("/api/map/areas", get(map::areas))
        .route("/api/map/cases", get(map::cases))
        .route("/api/map/cameras", get(map::cameras))
        .route("/api/search", get(search::search))
        .route("/api/me", get(directory::me))
        .route("/api/notifications", get(directory::notifications))
        .route("/api/notifications/{id}/read", post(directory::read_notification))
        .route("/api/areas", get(directory::areas).post(directory::create_area))
        .route("/api/orgs", get(directory::orgs).post(directory::create_org))
        .route("/api/categories", get(directory::categories).post(directory::upsert_category))
        .route("/api/users", get(directory::users).post(directory::create_user))
        .route("/api/tokens", post(directory::create_token))
        .route("/api/disputes", post(disputes::create).get(disputes::list))
        .route("/api/disputes/figures", get(disputes::figures))
        .route("/api/disputes/{id}", get(disputes::get))
        .route("/api/disputes/{id}/moves", post(disputes::make_move))
        .route("/api/disputes/{id}/agreement", get(disputes::agreement))
        .route("/api/screenings", post(disputes::create_screening))
        .route("/api/screenings/status", get(disputes::screening_status))
        .route("/api/mediation/registry", get(disputes::registry))
        .route("/api/mediation/orgs", post(disputes::create_org))
        .route("/api/mediation/mediators", post(disputes::create_mediator))
        .route("/api/public/areas/{code}", get(public::area))
        .route("/api/proposals", post(proposals::create).get(proposals::list))
        .route("/api/proposals/{id}", get(proposals::get))
        .route("/api/proposals/{id}/moves", post(proposals::make_move))
        .route("/api/proposals/{id}/comments", post(proposals::comment))
        .route("/api/admin/imports", post(imports::import))
        .route("/api/routing/proposal", get(routing::proposal))
        .route("/api/admin/routing/retrain", post(routing::retrain))
        .route("/api/admin/routing/rules", get(routing::rules).post(routing::set_rule))
        .route("/api/admin/open311/clients", get(open311_admin::clients).post(open311_admin::create_client))
        .route(
            "/api/admin/services/{code}/attributes",
            get(open311_admin::attributes).put(open311_admin::set_attributes),
        )
        .route("/api/admin/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/api/admin/webhooks/{id}/deactivate", post(webhooks::deactivate))
        .route("/api/admin/webhooks/dead", get(webhooks::dead))
        .route("/api/admin/webhooks/dead/replay", post(webhooks::replay))
        .route("/api/volunteers", post(volunteers::register).get(volunteers::list))
        .route("/api/volunteers/me", get(volunteers::me))
        .route("/api/teams", post(volunteers::create_team).get(volunteers::teams))
        .route("/api/teams/{id}/members", post(volunteers::add_member))
        .route("/api/activities", post(volunteers::create_activity).get(volunteers::activities))
        .route("/api/activities/{id}", get(volunteers::activity))
        .route("/api/activities/{id}/moves", post(volunteers::activity_move))
        .route("/api/points/me", get(points::me))
        .route("/api/points/rules", get(points::rules).post(points::set_rules))
        .route("/api/points/ledger", get(points::ledger))
        .route("/api/shop/goods", get(points::goods).post(points::create_goods))
        .route("/api/shop/goods/{id}/stock", post(points::change_stock))
        .route("/api/shop/redemptions", post(points::redeem).get(points::redemptions))
        .route("/api/shop/redemptions/{id}/moves", post(points::redemption_move))
}
