//! Webhook administration (administrators only): subscriptions of upstream platforms to the
//! outbox, and the dead-letter list with its replay. The secret is shown once, when created.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shiyu_domain::role::Role;
use shiyu_domain::webhook::NewSubscription;
use shiyu_storage::webhooks::{DeadLetter, ReplaySelection, Subscription};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Auth, random_secret};
use crate::error::ApiError;
use crate::state::AppState;

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewWebhook {
    /// What the receiver is called, e.g. 省级平台.
    pub name: String,
    /// Where events are POSTed (http or https).
    pub url: String,
    /// Topics: `case.event`, `dispute.event`, `base.change`, `proposal.event`.
    pub topics: Vec<String>,
    /// The signing secret, at least 16 characters; generated when omitted.
    #[serde(default)]
    pub secret: Option<String>,
}

/// A created subscription with its secret (shown only now).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    /// The subscription.
    #[schema(value_type = Object)]
    pub subscription: Subscription,
    /// The signing secret: `X-Shiyu-Signature` is `sha256=` + hex HMAC-SHA256 under it of the
    /// `X-Shiyu-Timestamp` value, a dot, and the body.
    pub secret: String,
}

/// Which dead letters to replay; nothing named means all.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Replay {
    /// Only this subscription's.
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// Only these events (outbox ids, the idempotency keys).
    #[serde(default)]
    pub outbox_ids: Option<Vec<String>>,
}

/// How many were put back in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// Deliveries pending again.
    pub replayed: u64,
}

/// Dead-letter query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DeadParams {
    /// Only this subscription's.
    pub subscription_id: Option<String>,
    /// At most this many (default 200, at most 1000).
    pub limit: Option<u32>,
}

async fn city(state: &AppState) -> Result<String, ApiError> {
    Ok(state.store.default_city().await?.as_str().to_owned())
}

/// Subscriptions with their pending and dead counts.
#[utoipa::path(get, path = "/api/admin/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<Object>), (status = 403)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<Subscription>>, ApiError> {
    auth.require(&[Role::Admin])?;
    Ok(Json(state.store.webhooks(&city(&state).await?).await?))
}

/// Subscribe an upstream platform; it receives every change of its topics from now on.
#[utoipa::path(post, path = "/api/admin/webhooks", tag = "webhooks", request_body = NewWebhook,
    responses((status = 201, body = CreatedWebhook), (status = 403), (status = 422, description = "names the field")))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewWebhook>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    auth.require(&[Role::Admin])?;
    let secret = b.secret.filter(|s| !s.is_empty()).unwrap_or_else(|| format!("whsec_{}", random_secret()));
    let new = NewSubscription::parse(&b.name, &b.url, &b.topics, &secret)?;
    let sub = state.store.create_webhook(&city(&state).await?, &auth.principal, &new, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedWebhook { subscription: sub, secret: new.secret })))
}

/// Stop a subscription (final): nothing more is queued or sent to it.
#[utoipa::path(post, path = "/api/admin/webhooks/{id}/deactivate", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404, description = "no such active subscription")))]
pub async fn deactivate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    auth.require(&[Role::Admin])?;
    state.store.deactivate_webhook(&city(&state).await?, &auth.principal, &id, chrono::Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The dead-letter list: deliveries given up after their last attempt, oldest first. Later
/// events of the same case wait behind them until they are replayed.
#[utoipa::path(get, path = "/api/admin/webhooks/dead", tag = "webhooks", params(DeadParams),
    responses((status = 200, body = Vec<Object>), (status = 403)))]
pub async fn dead(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<DeadParams>,
) -> Result<Json<Vec<DeadLetter>>, ApiError> {
    auth.require(&[Role::Admin])?;
    let limit = p.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(state.store.dead_letters(&city(&state).await?, p.subscription_id.as_deref(), limit).await?))
}

/// Replay dead letters (all, one subscription's, or named events): back to pending with their
/// attempts reset, delivered in order before the events held behind them.
#[utoipa::path(post, path = "/api/admin/webhooks/dead/replay", tag = "webhooks", request_body = Replay,
    responses((status = 200, body = Replayed), (status = 403), (status = 422)))]
pub async fn replay(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<Replay>,
) -> Result<Json<Replayed>, ApiError> {
    auth.require(&[Role::Admin])?;
    if b.outbox_ids.as_ref().is_some_and(|ids| ids.len() > 1000) {
        return Err(ApiError::invalid("outbox_ids", "too_many"));
    }
    let sel = ReplaySelection { subscription_id: b.subscription_id, outbox_ids: b.outbox_ids };
    let replayed = state.store.replay_dead(&city(&state).await?, &auth.principal, &sel, chrono::Utc::now()).await?;
    Ok(Json(Replayed { replayed }))
}
