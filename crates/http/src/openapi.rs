//! The OpenAPI document, served at `/api/openapi.json`. Paths are collected from the handlers'
//! own annotations so the document cannot drift from the routes' types.

use utoipa::OpenApi;

use crate::api::{
    attachments, board, cases, directory, disputes, duplicates, imports, map, open311_admin, points, proposals, public,
    routing, search, stats, volunteers, webhooks,
};
use crate::auth::login;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "shiyu API", description = "市域社会治理平台 JSON API. Sign in with POST /api/login (cookie + X-CSRF-Token) or use `Authorization: Bearer <token>`."),
    paths(
        login::api_login, login::logout,
        cases::create, cases::list, cases::get, cases::by_number, cases::events, cases::make_move, search::search,
        attachments::upload, attachments::download,
        board::overdue, board::summary, stats::figures,
        map::areas, map::cases, map::cameras,
        directory::me, directory::notifications, directory::read_notification, directory::areas, directory::create_area, directory::orgs, directory::create_org,
        directory::categories, directory::upsert_category, directory::users, directory::create_user, directory::create_token,
        public::follow, public::rate, public::area,
        disputes::create, disputes::list, disputes::get, disputes::make_move, disputes::agreement, disputes::figures,
        disputes::create_screening, disputes::screening_status, disputes::registry, disputes::create_org, disputes::create_mediator,
        proposals::create, proposals::list, proposals::get, proposals::make_move, proposals::comment,
        duplicates::duplicates, imports::import,
        routing::proposal, routing::retrain, routing::rules, routing::set_rule,
        open311_admin::clients, open311_admin::create_client, open311_admin::attributes, open311_admin::set_attributes,
        webhooks::list, webhooks::create, webhooks::deactivate, webhooks::dead, webhooks::replay,
        volunteers::register, volunteers::list, volunteers::me, volunteers::create_team, volunteers::teams,
        volunteers::add_member, volunteers::create_activity, volunteers::activities, volunteers::activity,
        volunteers::activity_move,
        points::me, points::rules, points::set_rules, points::ledger, points::goods, points::create_goods,
        points::change_stock, points::redeem, points::redemptions, points::redemption_move,
    ),
    tags((name = "cases"), (name = "board"), (name = "map"), (name = "directory"), (name = "public"), (name = "auth"), (name = "disputes"), (name = "deliberation"), (name = "webhooks"), (name = "open311"), (name = "routing"), (name = "imports"), (name = "volunteers"), (name = "points"))
)]
pub struct ApiDoc;

/// The document as JSON.
pub async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
