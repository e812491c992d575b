//! Points and shop routes: a resident's balance and history, the earning rules, the ledger of an
//! area for its staff, the shops' goods and stock, redemptions, and hand-over or cancellation.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::ResultKind;
use shiyu_domain::ids::{GoodsId, RedemptionId};
use shiyu_domain::points::access::{PointsAct, points_root};
use shiyu_domain::points::{Account, GoodsPlan, PointRules, Points, Quantity, RedemptionMove, RedemptionState};
use shiyu_storage::points::rules::RulesInForce;
use shiyu_storage::points::shop::{GoodsView, Redeemed, RedemptionView};
use shiyu_storage::points::volunteers::VolunteerView;
use shiyu_storage::points::{HistoryLine, LedgerLine};

use super::volunteers::{AreaQuery, area_field, area_opt, int, required_int};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// A resident's points.
#[derive(Debug, Serialize)]
pub struct MyPoints {
    /// Balance.
    pub balance: i64,
    /// Movements, newest first.
    pub history: Vec<HistoryLine>,
    /// Redemptions with their pick-up codes, newest first.
    pub redemptions: Vec<RedemptionView>,
    /// Their volunteer record (hours, stars), if registered.
    pub volunteer: Option<VolunteerView>,
}

/// The caller's balance, history, redemptions and volunteer standing.
#[utoipa::path(get, path = "/api/points/me", tag = "points", responses((status = 200, body = Object)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> Result<Json<MyPoints>, ApiError> {
    let me = auth.user.id;
    Ok(Json(MyPoints {
        balance: state.store.balance(&Account::Member(me)).await?,
        history: state.store.member_history(me, 200).await?,
        redemptions: state.store.my_redemptions(me, 200).await?,
        volunteer: state.store.volunteer_of_user(me).await?,
    }))
}

/// The area whose rules a reader asks for: the one named, else the staff member's own, else the
/// resident's volunteer community, else the city.
pub(crate) async fn rules_area(state: &AppState, auth: &Auth, named: &str) -> Result<AreaCode, ApiError> {
    if let Some(a) = area_opt(named)? {
        return Ok(a);
    }
    if let Some(a) = auth.principal.home_area() {
        return Ok(a.clone());
    }
    if let Some(v) = state.store.volunteer_of_user(auth.user.id).await? {
        return Ok(v.area_code);
    }
    let city = state.store.default_city().await?;
    Ok(AreaCode::parse(&format!("{}00000000", city.as_str()))?)
}

/// The rules in force at an area (anyone signed in: how points are earned is public).
#[utoipa::path(get, path = "/api/points/rules", tag = "points", params(("area" = Option<String>, Query)),
    responses((status = 200, body = Object)))]
pub async fn rules(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AreaQuery>,
) -> Result<Json<RulesInForce>, ApiError> {
    let area = rules_area(&state, &auth, &q.area).await?;
    Ok(Json(state.store.point_rules(&area).await?))
}

/// New rules for an area.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RulesBody {
    /// The area (its subtree follows them).
    pub area_code: String,
    /// Points for a report that proves true.
    pub report_true: Value,
    /// Points per hour of volunteer service.
    pub per_service_hour: Value,
    /// Points for attending a meeting or activity.
    pub attendance: Value,
    /// Case results that make a report true (default `["resolved"]`).
    pub true_results: Vec<String>,
    /// Hours for one to five stars: five numbers, or text `"100,300,600,1000,1500"`.
    pub star_hours: Value,
}

impl RulesBody {
    /// The area and the rules, every field parsed and named on error.
    pub fn parse(&self) -> Result<(AreaCode, PointRules), ApiError> {
        let amount = |field: &'static str, v: &Value| -> Result<Points, ApiError> {
            Ok(Points::new(field, required_int(field, v)?)?)
        };
        let star_hours = match &self.star_hours {
            Value::Array(items) => {
                let text: Vec<String> = items.iter().map(|v| v.to_string().trim_matches('"').to_owned()).collect();
                PointRules::parse_star_hours(&text.join(","))?
            }
            Value::String(s) => PointRules::parse_star_hours(s)?,
            Value::Null => return Err(ApiError::invalid("star_hours", "required")),
            _ => return Err(ApiError::invalid("star_hours", "five_numbers")),
        };
        let true_results = if self.true_results.is_empty() {
            vec![ResultKind::Resolved]
        } else {
            self.true_results
                .iter()
                .map(|r| ResultKind::parse(r.trim()).map_err(|_| ApiError::invalid("true_results", "unknown_value")))
                .collect::<Result<_, _>>()?
        };
        Ok((
            area_field(&self.area_code)?,
            PointRules {
                report_true: amount("report_true", &self.report_true)?,
                per_service_hour: amount("per_service_hour", &self.per_service_hour)?,
                attendance: amount("attendance", &self.attendance)?,
                true_results,
                star_hours,
            },
        ))
    }
}

/// Set the rules of an area (staff of that area).
#[utoipa::path(post, path = "/api/points/rules", tag = "points", request_body = Object,
    responses((status = 200, body = Object), (status = 422)))]
pub async fn set_rules(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<RulesBody>,
) -> Result<Json<RulesInForce>, ApiError> {
    let (area, rules) = body.parse()?;
    Ok(Json(state.store.set_point_rules(&auth.principal, &area, rules, Utc::now()).await?))
}

/// The ledger of the caller's area (staff): entries with their postings, newest first.
#[utoipa::path(get, path = "/api/points/ledger", tag = "points", params(("area" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403)))]
pub async fn ledger(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AreaQuery>,
) -> Result<Json<Vec<LedgerLine>>, ApiError> {
    let area = area_opt(&q.area)?;
    Ok(Json(state.store.ledger(&auth.principal, area.as_ref(), 500).await?))
}

/// Goods: of the shop of `area` for anyone (on offer only); without an area, every good of the
/// shops a staff member manages.
#[utoipa::path(get, path = "/api/shop/goods", tag = "points", params(("area" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 422)))]
pub async fn goods(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AreaQuery>,
) -> Result<Json<Vec<GoodsView>>, ApiError> {
    match area_opt(&q.area)? {
        Some(a) => Ok(Json(state.store.shop(&a).await?)),
        None if points_root(&auth.principal, PointsAct::Manage).is_some() => {
            Ok(Json(state.store.goods_managed(&auth.principal, None).await?))
        }
        None => Err(ApiError::invalid("area_code", "required")),
    }
}

/// New goods.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct GoodsBody {
    /// The shop's area.
    pub area_code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price in points.
    pub price: Value,
    /// Units put on the shelf.
    pub stock: Value,
}

impl GoodsBody {
    /// The domain's plan.
    pub fn parse(&self) -> Result<GoodsPlan, ApiError> {
        let stock = int("stock", &self.stock)?.unwrap_or(0);
        if stock < 0 {
            return Err(ApiError::invalid("stock", "negative"));
        }
        Ok(GoodsPlan {
            name: self.name.clone(),
            description: self.description.clone(),
            price: Points::new("price", required_int("price", &self.price)?)?,
            stock: u32::try_from(stock).map_err(|_| ApiError::invalid("stock", "out_of_range"))?,
            area: area_field(&self.area_code)?,
        })
    }
}

/// Put goods in a shop (staff).
#[utoipa::path(post, path = "/api/shop/goods", tag = "points", request_body = Object,
    responses((status = 201, body = Object), (status = 422)))]
pub async fn create_goods(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<GoodsBody>,
) -> Result<(StatusCode, Json<GoodsView>), ApiError> {
    let plan = body.parse()?;
    Ok((StatusCode::CREATED, Json(state.store.create_goods(&auth.principal, plan, Utc::now()).await?)))
}

/// A change of stock.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct StockBody {
    /// Units added (positive) or taken off the shelf (negative).
    pub delta: Value,
    /// Why (a delivery, damaged, expired).
    pub reason: String,
}

fn goods_id(text: &str) -> Result<GoodsId, ApiError> {
    GoodsId::parse(text).map_err(|_| ApiError::NotFound("goods".into()))
}

/// Add or remove stock (staff).
#[utoipa::path(post, path = "/api/shop/goods/{id}/stock", tag = "points", params(("id" = String, Path)),
    request_body = Object, responses((status = 200, body = Object), (status = 404), (status = 422)))]
pub async fn change_stock(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<StockBody>,
) -> Result<Json<GoodsView>, ApiError> {
    let id = goods_id(&id)?;
    let delta = required_int("stock", &body.delta)?;
    Ok(Json(state.store.change_stock(&auth.principal, id, delta, &body.reason, Utc::now()).await?))
}

/// A redemption.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RedeemBody {
    /// The goods.
    pub goods_id: String,
    /// Units (default 1).
    pub quantity: Value,
    /// The client's id for this request: sending it again returns the first redemption.
    pub request_id: String,
}

/// Redeem points for goods (residents): reserves them and answers with the pick-up code.
#[utoipa::path(post, path = "/api/shop/redemptions", tag = "points", request_body = Object,
    responses((status = 201, body = Object), (status = 200, description = "the same request_id again"), (status = 422), (status = 404)))]
pub async fn redeem(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<RedeemBody>,
) -> Result<(StatusCode, Json<Redeemed>), ApiError> {
    let (goods, quantity) = redeem_input(&body)?;
    let r = state.store.redeem(&auth.principal, goods, quantity, Some(body.request_id.as_str()), Utc::now()).await?;
    Ok((if r.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(r)))
}

/// The goods and quantity of a redemption body.
pub(crate) fn redeem_input(body: &RedeemBody) -> Result<(GoodsId, Quantity), ApiError> {
    if body.goods_id.trim().is_empty() {
        return Err(ApiError::invalid("goods", "required"));
    }
    let goods = GoodsId::parse(body.goods_id.trim()).map_err(|_| ApiError::invalid("goods", "not_a_uuid"))?;
    let quantity = match &body.quantity {
        Value::String(s) => Quantity::parse(s)?,
        v => Quantity::new(int("quantity", v)?.unwrap_or(1))?,
    };
    Ok((goods, quantity))
}

/// `?state=&area=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RedemptionsQuery {
    /// Only in this state.
    pub state: String,
    /// Only under this area (staff).
    pub area: String,
}

/// Redemptions: a resident's own (with pick-up codes); staff those of the shops they manage.
#[utoipa::path(get, path = "/api/shop/redemptions", tag = "points",
    params(("state" = Option<String>, Query), ("area" = Option<String>, Query)), responses((status = 200, body = Object)))]
pub async fn redemptions(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RedemptionsQuery>,
) -> Result<Json<Vec<RedemptionView>>, ApiError> {
    let filter = if q.state.trim().is_empty() { None } else { Some(RedemptionState::parse(q.state.trim())?) };
    if points_root(&auth.principal, PointsAct::Manage).is_some() {
        let area = area_opt(&q.area)?;
        return Ok(Json(state.store.redemptions_managed(&auth.principal, area.as_ref(), filter, 500).await?));
    }
    let mine = state.store.my_redemptions(auth.user.id, 500).await?;
    Ok(Json(mine.into_iter().filter(|r| filter.is_none_or(|s| r.state == s)).collect()))
}

/// A move on a redemption.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RedemptionMoveBody {
    /// `hand_over` (staff, with the code) or `cancel` (staff, or the resident their own).
    #[serde(rename = "move")]
    pub mv: String,
    /// For `hand_over`: the pick-up code the resident shows.
    pub code: String,
    /// For `cancel`: why.
    pub reason: String,
}

impl RedemptionMoveBody {
    /// The domain's move.
    pub fn parse(&self) -> Result<RedemptionMove, ApiError> {
        Ok(match self.mv.trim() {
            "hand_over" => {
                if self.code.trim().is_empty() {
                    return Err(ApiError::invalid("pickup_code", "required"));
                }
                RedemptionMove::HandOver { code: self.code.clone() }
            }
            "cancel" => RedemptionMove::Cancel { reason: self.reason.clone() },
            "" => return Err(ApiError::invalid("move", "required")),
            _ => return Err(ApiError::invalid("move", "unknown_value")),
        })
    }
}

/// Refusals by a redemption's state, as rules the user can read.
pub(crate) fn for_redemption(e: ApiError) -> ApiError {
    match e {
        ApiError::IllegalMove { state, .. } => ApiError::Rule(format!("redemption_is_{state}")),
        other => other,
    }
}

/// Parses a redemption id from a path; a malformed one is simply not found.
pub fn redemption_id(text: &str) -> Result<RedemptionId, ApiError> {
    RedemptionId::parse(text).map_err(|_| ApiError::NotFound("redemption".into()))
}

/// Hand goods over against the pick-up code, or cancel (the points come back by a reversing
/// entry), e.g. `{"move":"hand_over","code":"12345678"}`.
#[utoipa::path(post, path = "/api/shop/redemptions/{id}/moves", tag = "points", params(("id" = String, Path)),
    request_body = Object, responses((status = 200, body = Object), (status = 409), (status = 422), (status = 404)))]
pub async fn redemption_move(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<RedemptionMoveBody>,
) -> Result<Json<RedemptionView>, ApiError> {
    let id = redemption_id(&id)?;
    let mv = body.parse()?;
    state
        .store
        .redemption_action(&auth.principal, id, mv, Utc::now())
        .await
        .map(Json)
        .map_err(|e| for_redemption(e.into()))
}
