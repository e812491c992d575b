//! The server-rendered web UI: askama templates compiled into the binary, Chinese by default with
//! English on request, htmx for partial updates, usable on a phone. Every page works without
//! scripts; htmx only spares reloads (list filters, notices, the merge lookup).
//!
//! - [`layout`]: the page frame (top bar, navigation by role) and rendering;
//! - [`text`]: every string of the pages in both languages ([`points_text`]: those of the volunteer
//!   and points pages);
//! - [`forms`]: the fields of each move's form and their conversion to the API's move body;
//! - [`views`], [`names`]: what lists show of a case, and names looked up once per page;
//! - [`pages`]: the handlers, one module per page.

pub mod forms;
pub mod layout;
pub mod names;
pub mod pages;
pub mod points_text;
pub mod text;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The web routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::home))
        .route("/notifications", get(pages::home::notices))
        .route("/login", get(pages::login::page))
        .route("/lang/{code}", get(pages::language::switch))
        .route("/cases", get(pages::cases::list))
        .route("/search", get(pages::search::page))
        .route("/cases/overdue", get(pages::cases::overdue))
        .route("/cases/export", get(pages::export::cases))
        .route("/map", get(pages::map::page))
        .route("/base/care", get(pages::base::care))
        .route("/base/import", get(pages::base::import_form).post(pages::base::import_submit))
        .route("/base/export", get(pages::base::export))
        .route("/base/residents/{id}/unmask", post(pages::base::unmask))
        .route("/base/{table}", get(pages::base::list))
        .route("/admin/areas/import", get(pages::admin_areas::form).post(pages::admin_areas::submit))
        .route("/grid", get(pages::grid::desk))
        .route("/grid/visits", get(pages::visits::list))
        .route("/grid/visits/new", get(pages::visits::new_form).post(pages::visits::submit))
        .route("/grid/visits/{id}/case", post(pages::visits::to_case))
        .route("/grid/report", get(pages::grid::report_form).post(pages::grid::report_submit))
        .route("/cases/lookup", get(pages::case::lookup))
        .route("/cases/new", get(pages::intake::staff_form).post(pages::intake::staff_submit))
        .route("/cases/new/proposal", get(pages::intake::proposal))
        .route("/cases/new/duplicates", get(pages::intake::duplicates))
        .route("/cases/{id}", get(pages::case::page))
        .route("/cases/{id}/moves/{name}", post(pages::case::make_move))
        .route("/board", get(pages::board::board))
        .route("/board/screen", get(pages::board::screen))
        .route("/reports", get(pages::reports::pick))
        .route("/assessment", get(pages::assessment::page))
        .route("/assessment/records", post(pages::assessment::add_record))
        .route("/assessment/plan", get(pages::assessment::plan_form).post(pages::assessment::plan_save))
        .route("/reports/view", get(pages::reports::view))
        .route("/reports/saved/{id}", get(pages::reports::saved))
        .route("/disputes", get(pages::disputes::desk))
        .route("/disputes/export", get(pages::export::disputes))
        .route("/disputes/screenings", get(pages::mediation::screenings).post(pages::mediation::record_screening))
        .route("/disputes/figures", get(pages::mediation::figures))
        .route("/admin/mediation", get(pages::mediation::registry))
        .route("/admin/mediation/orgs", post(pages::mediation::add_org))
        .route("/admin/mediation/mediators", post(pages::mediation::add_mediator))
        .route("/disputes/new", get(pages::disputes::new_form).post(pages::disputes::create))
        .route("/disputes/{id}", get(pages::disputes::page))
        .route("/disputes/{id}/moves/{name}", post(pages::disputes::make_move))
        .route("/disputes/{id}/agreement", get(crate::api::disputes::agreement))
        .route("/proposals", get(pages::proposals::list))
        .route("/proposals/new", get(pages::proposals::new_form).post(pages::proposals::create))
        .route("/proposals/{id}", get(pages::proposals::page))
        .route("/proposals/{id}/moves/{name}", post(pages::proposals::make_move))
        .route("/proposals/{id}/comments", post(pages::proposals::comment))
        .route("/r", get(pages::resident::home))
        .route("/r/new", get(pages::intake::resident_form).post(pages::intake::resident_submit))
        .route("/follow", get(pages::follow::page))
        .route("/p", get(pages::community::root))
        .route("/p/{area}", get(pages::community::page))
        .route("/r/points", get(pages::my_points::points))
        .route("/r/redemptions/{id}/cancel", post(pages::my_points::cancel))
        .route("/r/shop", get(pages::my_points::shop))
        .route("/r/shop/redeem", post(pages::my_points::redeem))
        .route("/r/volunteer", get(pages::my_points::volunteer).post(pages::my_points::register))
        .route("/r/activities/{id}/{action}", post(pages::my_points::activity_action))
        .route("/volunteers", get(pages::points_admin::volunteers))
        .route("/volunteers/teams", post(pages::points_admin::create_team))
        .route("/volunteers/members", post(pages::points_admin::add_member))
        .route("/activities", get(pages::points_admin::activities).post(pages::points_admin::create_activity))
        .route("/activities/{id}", get(pages::points_admin::activity))
        .route("/activities/{id}/moves/{name}", post(pages::points_admin::activity_move))
        .route("/shop", get(pages::points_admin::shop))
        .route("/shop/goods", post(pages::points_admin::create_goods))
        .route("/shop/goods/{id}/stock", post(pages::points_admin::change_stock))
        .route("/shop/redemptions/{id}/{action}", post(pages::points_admin::redemption_action))
        .route("/points", get(pages::points_admin::points))
        .route("/points/rules", post(pages::points_admin::set_rules))
}
