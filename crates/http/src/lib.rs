//! shiyu over HTTP.
//!
//! [`router`] assembles everything: the JSON API ([`api`]) with its OpenAPI document
//! ([`openapi`]), the server-rendered web UI ([`web`]), authentication and CSRF ([`auth`]), the
//! embedded assets, and the error renderer ([`error`]) that answers in the user's language.

pub mod api;
pub mod area_import;
pub mod assets;
pub mod auth;
pub mod base_import;
pub mod community;
pub mod error;
pub mod external_import;
pub mod i18n;
pub mod open311;
pub mod openapi;
pub mod places;
pub mod reports;
pub mod routing;
pub mod state;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;

pub use state::{AppState, HttpConfig};

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    let governor = GovernorConfigBuilder::default()
        .per_millisecond(state.cfg.login_replenish_seconds.max(1) * 1000)
        .burst_size(state.cfg.login_burst.max(1))
        .finish()
        .map(Arc::new);
    // Guessing routes: passwords, and phone numbers for a known case number.
    let mut login = Router::new()
        .route("/api/login", post(auth::login::api_login))
        .route("/login", post(auth::login::form_login))
        .route("/api/public/follow", post(api::public::follow))
        .route("/api/public/rate", post(api::public::rate))
        .route("/follow", post(web::pages::follow::lookup))
        .route("/follow/rate", post(web::pages::follow::rate));
    if let Some(conf) = governor {
        login = login.layer(GovernorLayer::new(conf));
    }
    Router::new()
        .merge(login)
        .route("/api/logout", post(auth::login::logout))
        .route("/logout", post(auth::login::logout))
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi::document))
        .route("/assets/{*path}", get(assets::serve))
        .merge(api::routes())
        .merge(open311::routes())
        .merge(web::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf::protect))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(state.cfg.max_upload_bytes + 64 * 1024))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}

/// Answers 200 once the database answers.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, error::ApiError> {
    state.store.ping().await?;
    Ok("ok")
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// How long a graceful shutdown may take before connections are dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
