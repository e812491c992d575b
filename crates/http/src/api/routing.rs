//! Routing proposals for an operator at intake and dispatch, the configured owners, and training
//! on demand.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::ids::OrgId;
use shiyu_domain::role::Role;
use shiyu_domain::routing::{Because, OwnerRule};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::routing::TrainingReport;
use crate::state::AppState;

/// What to propose for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ProposalParams {
    /// The request's words (title and text).
    pub text: String,
    /// Where (default: the caller's area).
    pub area: Option<String>,
    /// The category, when already chosen: organisations are proposed for it.
    pub category: Option<String>,
}

/// A proposed category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryChoice {
    /// Code.
    pub code: String,
    /// Name in the caller's language.
    pub name: String,
    /// Share of the model's belief, 0–1.
    pub confidence: f64,
}

/// A proposed lead organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgChoice {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `rule` or `history`.
    pub because: String,
    /// Past cases behind a history proposal.
    pub cases: u64,
}

/// Proposals with the model's provenance.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalView {
    /// Categories, best first.
    pub categories: Vec<CategoryChoice>,
    /// Organisations for the best (or the given) category.
    pub orgs: Vec<OrgChoice>,
    /// Cases the model learned from.
    pub examples: usize,
    /// When it was trained (none yet: no proposals).
    pub trained_at: Option<String>,
}

/// Proposals for a request: category from its words, lead organisation from category and place.
#[utoipa::path(get, path = "/api/routing/proposal", tag = "routing", params(ProposalParams),
    responses((status = 200, body = ProposalView), (status = 403)))]
pub async fn proposal(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<ProposalParams>,
) -> Result<Json<ProposalView>, ApiError> {
    auth.require(&[Role::Operator, Role::Leader, Role::GridWorker, Role::Admin])?;
    Ok(Json(propose(&state, &auth, &p.text, p.area.as_deref(), p.category.as_deref()).await?))
}

/// The proposals for a text at an area (shared by the intake and case pages).
pub async fn propose(
    state: &AppState,
    auth: &Auth,
    text: &str,
    area: Option<&str>,
    category: Option<&str>,
) -> Result<ProposalView, ApiError> {
    let area = match area.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => AreaCode::parse(a)?,
        None => match auth.principal.home_area() {
            Some(a) => a.clone(),
            None => AreaCode::parse(&format!("{}00000000", state.store.default_city().await?.as_str()))?,
        },
    };
    let trained = state.routing.current();
    let rules = state.store.owner_rules().await?;
    let p = trained.router.propose(text, &area, category.filter(|c| !c.is_empty()), &rules, 3);
    let cats = state.store.categories().await?;
    let lang = auth.lang;
    let categories = p
        .categories
        .into_iter()
        .map(|s| CategoryChoice {
            name: cats
                .iter()
                .find(|c| c.code.as_str() == s.label)
                .map_or_else(|| s.label.clone(), |c| lang.pick(&c.name_zh, &c.name_en).to_owned()),
            code: s.label,
            confidence: s.confidence,
        })
        .collect();
    let mut orgs = Vec::new();
    for o in p.orgs.into_iter().take(3) {
        let name = match uuid::Uuid::parse_str(&o.org) {
            Ok(u) => state.store.org(OrgId(u)).await.map(|x| x.name).unwrap_or_else(|_| o.org.clone()),
            Err(_) => o.org.clone(),
        };
        orgs.push(OrgChoice {
            id: o.org,
            name,
            because: match o.because {
                Because::Rule => "rule",
                Because::History => "history",
            }
            .to_owned(),
            cases: o.cases,
        });
    }
    Ok(ProposalView {
        categories,
        orgs,
        examples: trained.router.examples,
        trained_at: trained.at.map(shiyu_domain::open311::w3c),
    })
}

/// Train the router now on the recent cases (it also trains at start and nightly).
#[utoipa::path(post, path = "/api/admin/routing/retrain", tag = "routing",
    responses((status = 200, body = Object), (status = 403)))]
pub async fn retrain(State(state): State<AppState>, auth: Auth) -> Result<Json<TrainingReport>, ApiError> {
    auth.require(&[Role::Admin])?;
    Ok(Json(state.routing.retrain(&state.store).await?))
}

/// A configured owner.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRule {
    /// Category code (a branch covers the codes below it).
    pub category: String,
    /// Area code (a subtree).
    pub area_code: String,
    /// The owning organisation.
    pub org_id: String,
}

/// The configured owners.
#[utoipa::path(get, path = "/api/admin/routing/rules", tag = "routing", responses((status = 200, body = Vec<Object>), (status = 403)))]
pub async fn rules(State(state): State<AppState>, auth: Auth) -> Result<Json<Vec<OwnerRule>>, ApiError> {
    auth.require(&[Role::Admin])?;
    Ok(Json(state.store.owner_rules().await?))
}

/// Set a category's owner in an area subtree (replacing any before).
#[utoipa::path(post, path = "/api/admin/routing/rules", tag = "routing", request_body = NewRule,
    responses((status = 204), (status = 403), (status = 422, description = "names the field")))]
pub async fn set_rule(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewRule>,
) -> Result<StatusCode, ApiError> {
    auth.require(&[Role::Admin])?;
    let area = AreaCode::parse(&b.area_code).map_err(|_| ApiError::invalid("area_code", "unknown_area"))?;
    let org = uuid::Uuid::parse_str(&b.org_id).map(OrgId).map_err(|_| ApiError::invalid("org_id", "unknown_org"))?;
    state.store.set_owner_rule(&b.category, &area, org, chrono::Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
