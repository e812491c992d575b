//! The points shops: goods and their stock, redemptions, hand-over at the counter and refunds.
//!
//! A redemption is one transaction: the goods row first (a guarded decrement of the units on the
//! shelf), then the ledger entry moving the points from the member to the shop's held account (a
//! guarded decrement of the member's balance), then the redemption row with its pick-up code.
//! Either guard failing refuses the whole redemption. A hand-over moves the points on to the
//! shop's spent account; a cancellation puts the units back on the shelf and posts the reversal
//! of the redemption's entry. Every change of stock by staff is kept in `stock_changes`.
//!
//! A redemption may carry the client's `request_id`: the same request sent again (a double click,
//! a retry after a lost answer) returns the first redemption instead of making a second.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::ids::{GoodsId, RedemptionId, UserId};
use shiyu_domain::points::access::{PointsAct, may, points_root, role_may};
use shiyu_domain::points::shop::{decide_redemption, redemption_cost, stock_change};
use shiyu_domain::points::{Account, Entry, GoodsPlan, PickupCode, Points, Quantity, RedemptionMove, RedemptionState};
use shiyu_domain::scope::Principal;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{EntryMeta, Posted};
use crate::cases::{Arg, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms};

/// Goods as shops show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoodsView {
    /// Id.
    pub id: GoodsId,
    /// The shop's area.
    pub area_code: AreaCode,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price in points.
    pub price: Points,
    /// Units on the shelf.
    pub stock: i64,
    /// Units reserved, not yet handed over.
    pub reserved: i64,
    /// Units handed over.
    pub handed: i64,
    /// On offer.
    pub active: bool,
}

/// A redemption. The pick-up code is shown to the member only: staff type what the member shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedemptionView {
    /// Id.
    pub id: RedemptionId,
    /// The member.
    pub member: UserId,
    /// Their name.
    pub member_name: String,
    /// The goods.
    pub goods_id: GoodsId,
    /// Their name.
    pub goods_name: String,
    /// The shop's area.
    pub area_code: AreaCode,
    /// Units.
    pub quantity: u32,
    /// Points paid.
    pub points: i64,
    /// The pick-up code (the member's own view only).
    pub pickup_code: Option<String>,
    /// State.
    pub state: RedemptionState,
    /// Reserved at.
    pub created_at: DateTime<Utc>,
    /// Handed over or cancelled at.
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub end_reason: Option<String>,
}

/// The answer to a redemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redeemed {
    /// The redemption, with its pick-up code.
    pub redemption: RedemptionView,
    /// The member's balance after it.
    pub balance: i64,
    /// Whether this request had been made before (the first redemption is returned).
    pub repeated: bool,
}

const GOODS_COLS: &str = "id, area_code, name, description, price, stock, reserved, handed, active";
const RED_COLS: &str = "r.id, r.member_user, u.name AS member_name, r.goods_id, g.name AS goods_name, r.area_code, \
                        r.quantity, r.points, r.pickup_code, r.state, r.created_at, r.ended_at, r.end_reason";
const RED_FROM: &str =
    "FROM redemptions r JOIN shop_goods g ON g.id = r.goods_id LEFT JOIN users u ON u.id = r.member_user";

fn corrupt() -> StorageError {
    StorageError::Corrupt("shop")
}

fn goods_of(r: &AnyRow) -> Result<GoodsView> {
    Ok(GoodsView {
        id: GoodsId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt())?,
        area_code: super::area(&r.try_get::<String, _>("area_code")?)?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        price: Points::new("price", r.try_get("price")?).map_err(|_| corrupt())?,
        stock: r.try_get("stock")?,
        reserved: r.try_get("reserved")?,
        handed: r.try_get("handed")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

fn redemption_of(r: &AnyRow, with_code: bool) -> Result<RedemptionView> {
    Ok(RedemptionView {
        id: RedemptionId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt())?,
        member: super::user_id(&r.try_get::<String, _>("member_user")?)?,
        member_name: r.try_get::<Option<String>, _>("member_name")?.unwrap_or_default(),
        goods_id: GoodsId::parse(&r.try_get::<String, _>("goods_id")?).map_err(|_| corrupt())?,
        goods_name: r.try_get("goods_name")?,
        area_code: super::area(&r.try_get::<String, _>("area_code")?)?,
        quantity: u32::try_from(r.try_get::<i64, _>("quantity")?).map_err(|_| corrupt())?,
        points: r.try_get("points")?,
        pickup_code: if with_code { Some(r.try_get("pickup_code")?) } else { None },
        state: RedemptionState::parse(&r.try_get::<String, _>("state")?).map_err(|_| corrupt())?,
        created_at: from_ms(r.try_get("created_at")?),
        ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(from_ms),
        end_reason: r.try_get("end_reason")?,
    })
}

/// Eight random digits from a fresh UUIDv7's random bits (the uuid crate draws them from the
/// operating system).
fn fresh_code() -> PickupCode {
    let bits = uuid::Uuid::now_v7().as_u128() & ((1u128 << 62) - 1);
    PickupCode::from_entropy(u64::try_from(bits).unwrap_or_default())
}

impl Store {
    /// Puts new goods in a shop, with their first stock.
    pub async fn create_goods(&self, actor: &Principal, plan: GoodsPlan, now: DateTime<Utc>) -> Result<GoodsView> {
        if !role_may(actor.role, PointsAct::Manage) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "create_goods" }.into());
        }
        let plan = plan.check()?;
        if !may(actor, PointsAct::Manage, &plan.area) {
            return Err(DomainError::invalid("area_code", "outside_scope").into());
        }
        self.area(&plan.area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        let id = GoodsId::new();
        let city = plan.area.city_key();
        let stock = i64::from(plan.stock);
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO shop_goods (city, id, area_code, name, description, price, stock, reserved, handed, added, removed, \
             active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $7, 0, 1, $8, $8)",
        )
        .bind(city.as_str())
        .bind(id.to_string())
        .bind(plan.area.as_str())
        .bind(plan.name.as_str())
        .bind(plan.description.as_str())
        .bind(plan.price.get())
        .bind(stock)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await
        .map_err(StorageError::unique("name"))?;
        if stock > 0 {
            log_stock(&mut w.tx, city.as_str(), id, stock, "上架", actor.user_id, now).await?;
        }
        w.tx.commit().await?;
        self.one_goods(id).await
    }

    async fn one_goods(&self, id: GoodsId) -> Result<GoodsView> {
        let row = sqlx::query(&format!("SELECT {GOODS_COLS} FROM shop_goods WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("goods"))?;
        goods_of(&row)
    }

    /// The goods on offer in the shop of `area` (a public list: anyone signed in may browse it).
    pub async fn shop(&self, area: &AreaCode) -> Result<Vec<GoodsView>> {
        let rows = sqlx::query(&format!(
            "SELECT {GOODS_COLS} FROM shop_goods WHERE area_code = $1 AND active = 1 ORDER BY price, name"
        ))
        .bind(area.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(goods_of).collect()
    }

    /// The areas that have a shop with goods on offer, by code.
    pub async fn shop_areas(&self) -> Result<Vec<AreaCode>> {
        let rows = sqlx::query("SELECT DISTINCT area_code FROM shop_goods WHERE active = 1 ORDER BY area_code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| super::area(&r.try_get::<String, _>("area_code")?)).collect()
    }

    /// Every good of the shops a staff member manages (optionally only under `area`).
    pub async fn goods_managed(&self, actor: &Principal, area: Option<&AreaCode>) -> Result<Vec<GoodsView>> {
        let root = staff_root(actor, area, "list_goods")?;
        let mut q = Query::new(&format!("SELECT {GOODS_COLS} FROM shop_goods WHERE 1 = 1"));
        q.within("area_code", root.scope_prefix());
        q.raw(" ORDER BY area_code, name");
        q.build().fetch_all(&self.pool).await?.iter().map(goods_of).collect()
    }

    /// Adds units to the shelf (a delivery) or takes them off (damaged, expired), never more than
    /// are on it.
    pub async fn change_stock(
        &self,
        actor: &Principal,
        goods: GoodsId,
        delta: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<GoodsView> {
        if !role_may(actor.role, PointsAct::Manage) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "change_stock" }.into());
        }
        let g = self.one_goods(goods).await?;
        if !may(actor, PointsAct::Manage, &g.area_code) {
            return Err(StorageError::NotFound("goods"));
        }
        let reason = shiyu_domain::dispute::record::required_text("reason", reason, 200)?;
        let mut w = self.begin_write().await?;
        let row = sqlx::query("SELECT stock FROM shop_goods WHERE id = $1")
            .bind(goods.to_string())
            .fetch_one(&mut *w.tx)
            .await?;
        let delta = stock_change(delta, row.try_get("stock")?)?;
        let (added, removed) = if delta > 0 { (delta, 0) } else { (0, -delta) };
        let done = sqlx::query(
            "UPDATE shop_goods SET stock = stock + $1, added = added + $2, removed = removed + $3, updated_at = $4 \
             WHERE id = $5 AND stock + $1 >= 0",
        )
        .bind(delta)
        .bind(added)
        .bind(removed)
        .bind(ms(now))
        .bind(goods.to_string())
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(DomainError::invalid("stock", "exceeds_stock").into());
        }
        log_stock(&mut w.tx, g.area_code.city_key().as_str(), goods, delta, &reason, actor.user_id, now).await?;
        w.tx.commit().await?;
        self.one_goods(goods).await
    }

    /// Redeems points for goods: reserves the units and the points and gives a pick-up code.
    pub async fn redeem(
        &self,
        actor: &Principal,
        goods: GoodsId,
        quantity: Quantity,
        request_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Redeemed> {
        if !role_may(actor.role, PointsAct::Take) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "redeem" }.into());
        }
        let request_id = request_id.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = request_id
            && (r.len() > 64 || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return Err(DomainError::invalid("request_id", "malformed").into());
        }
        let id = RedemptionId::new();
        let idem_key = match request_id {
            Some(r) => format!("redeem:{}:{r}", actor.user_id),
            None => format!("redeem:{id}"),
        };
        if let Some(first) = self.redemption_by_key(actor.user_id, &idem_key).await? {
            return Ok(Redeemed {
                balance: self.balance(&Account::Member(actor.user_id)).await?,
                redemption: first,
                repeated: true,
            });
        }
        match self.redeem_once(actor, goods, quantity, id, &idem_key, now).await {
            // The same request, made concurrently, won the race: answer with its redemption.
            Err(StorageError::Conflict("point entry")) if request_id.is_some() => {
                let first = self
                    .redemption_by_key(actor.user_id, &idem_key)
                    .await?
                    .ok_or(StorageError::Conflict("redemption"))?;
                Ok(Redeemed {
                    balance: self.balance(&Account::Member(actor.user_id)).await?,
                    redemption: first,
                    repeated: true,
                })
            }
            other => other,
        }
    }

    async fn redemption_by_key(&self, member: UserId, idem_key: &str) -> Result<Option<RedemptionView>> {
        let row = sqlx::query(&format!(
            "SELECT {RED_COLS} {RED_FROM} JOIN point_entries e ON e.id = r.entry_id WHERE e.idem_key = $1 AND r.member_user = $2"
        ))
        .bind(idem_key)
        .bind(member.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| redemption_of(r, true)).transpose()
    }

    async fn redeem_once(
        &self,
        actor: &Principal,
        goods: GoodsId,
        quantity: Quantity,
        id: RedemptionId,
        idem_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Redeemed> {
        let member = Account::Member(actor.user_id);
        let mut w = self.begin_write().await?;
        let row = sqlx::query(&format!("SELECT {GOODS_COLS} FROM shop_goods WHERE id = $1"))
            .bind(goods.to_string())
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StorageError::NotFound("goods"))?;
        let g = goods_of(&row)?;
        if !g.active {
            return Err(StorageError::NotFound("goods"));
        }
        let balance = balance_in(&mut w.tx, &member).await?;
        let cost = redemption_cost(g.price, quantity, balance, g.stock)?;
        let q = i64::from(quantity.get());
        // Goods first, then accounts (in key order, inside `post_entry`): one lock order for all.
        let taken = sqlx::query(
            "UPDATE shop_goods SET stock = stock - $1, reserved = reserved + $1, updated_at = $2 \
             WHERE id = $3 AND active = 1 AND stock >= $1",
        )
        .bind(q)
        .bind(ms(now))
        .bind(goods.to_string())
        .execute(&mut *w.tx)
        .await?;
        if taken.rows_affected() != 1 {
            return Err(DomainError::invalid("quantity", "exceeds_stock").into());
        }
        let entry = Entry::redeem(actor.user_id, g.area_code.clone(), cost)?;
        let meta = EntryMeta {
            idem_key: idem_key.to_owned(),
            area: g.area_code.clone(),
            memo: format!("{} × {}", g.name, quantity.get()),
            ref_id: Some(id.to_string()),
            actor: Some(actor.user_id),
        };
        let entry_id = match self.post_entry(&mut w.tx, &entry, meta, now).await {
            Ok(Posted::New(e)) => e,
            Ok(Posted::Already(_)) => return Err(StorageError::Conflict("point entry")),
            Err(StorageError::Domain(DomainError::Rule { rule: "insufficient_points" })) => {
                return Err(DomainError::invalid("quantity", "exceeds_balance").into());
            }
            Err(e) => return Err(e),
        };
        let code = fresh_code();
        sqlx::query(
            "INSERT INTO redemptions (city, id, member_user, goods_id, area_code, quantity, points, pickup_code, state, \
             entry_id, end_entry, end_reason, ended_by, created_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             'reserved', $9, NULL, NULL, NULL, $10, NULL)",
        )
        .bind(g.area_code.city_key().as_str())
        .bind(id.to_string())
        .bind(actor.user_id.to_string())
        .bind(goods.to_string())
        .bind(g.area_code.as_str())
        .bind(q)
        .bind(cost.get())
        .bind(code.as_str())
        .bind(entry_id.as_str())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        let balance = balance_in(&mut w.tx, &member).await?;
        w.tx.commit().await?;
        let redemption = self.redemption_row(id, true).await?;
        Ok(Redeemed { redemption, balance, repeated: false })
    }

    async fn redemption_row(&self, id: RedemptionId, with_code: bool) -> Result<RedemptionView> {
        let row = sqlx::query(&format!("SELECT {RED_COLS} {RED_FROM} WHERE r.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("redemption"))?;
        redemption_of(&row, with_code)
    }

    /// A member's redemptions, newest first, with their pick-up codes.
    pub async fn my_redemptions(&self, member: UserId, limit: u32) -> Result<Vec<RedemptionView>> {
        let rows = sqlx::query(&format!(
            "SELECT {RED_COLS} {RED_FROM} WHERE r.member_user = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2"
        ))
        .bind(member.to_string())
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| redemption_of(r, true)).collect()
    }

    /// Redemptions of the shops a staff member manages (optionally only under `area`, only in
    /// `state`), newest first; without pick-up codes.
    pub async fn redemptions_managed(
        &self,
        actor: &Principal,
        area: Option<&AreaCode>,
        state: Option<RedemptionState>,
        limit: u32,
    ) -> Result<Vec<RedemptionView>> {
        let root = staff_root(actor, area, "list_redemptions")?;
        let mut q = Query::new(&format!("SELECT {RED_COLS} {RED_FROM} WHERE 1 = 1"));
        q.within("r.area_code", root.scope_prefix());
        if let Some(s) = state {
            q.push(" AND r.state = ?", Arg::Text(s.as_str().to_owned()));
        }
        q.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ?", Arg::Int(i64::from(limit.clamp(1, 1000))));
        q.build().fetch_all(&self.pool).await?.iter().map(|r| redemption_of(r, false)).collect()
    }

    /// Hands a reservation over (staff, against the code the member shows) or cancels it (staff,
    /// or the member their own), in one transaction.
    pub async fn redemption_action(
        &self,
        actor: &Principal,
        id: RedemptionId,
        mv: RedemptionMove,
        now: DateTime<Utc>,
    ) -> Result<RedemptionView> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT member_user, goods_id, area_code, quantity, points, pickup_code, state FROM redemptions WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StorageError::NotFound("redemption"))?;
        let member = super::user_id(&row.try_get::<String, _>("member_user")?)?;
        let area = super::area(&row.try_get::<String, _>("area_code")?)?;
        let own = member == actor.user_id;
        let staff = may(actor, PointsAct::Manage, &area);
        if !own && !staff {
            return Err(StorageError::NotFound("redemption"));
        }
        if matches!(mv, RedemptionMove::HandOver { .. }) && !staff {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "hand_over" }.into());
        }
        let state = RedemptionState::parse(&row.try_get::<String, _>("state")?).map_err(|_| corrupt())?;
        let code = PickupCode::parse(&row.try_get::<String, _>("pickup_code")?).map_err(|_| corrupt())?;
        let after = decide_redemption(state, &code, &mv)?;
        let goods: String = row.try_get("goods_id")?;
        let q: i64 = row.try_get("quantity")?;
        let points = Points::new("points", row.try_get("points")?).map_err(|_| corrupt())?;
        // The redemption row first (it decides who wins a race between hand-over and cancel),
        // then the goods, then the accounts.
        let reason = match &mv {
            RedemptionMove::Cancel { reason } => Some(reason.trim().to_owned()),
            RedemptionMove::HandOver { .. } => None,
        };
        let ended = sqlx::query(
            "UPDATE redemptions SET state = $1, end_reason = $2, ended_by = $3, ended_at = $4 WHERE id = $5 AND state = 'reserved'",
        )
        .bind(after.as_str())
        .bind(reason.as_deref())
        .bind(actor.user_id.to_string())
        .bind(ms(now))
        .bind(id.to_string())
        .execute(&mut *w.tx)
        .await?;
        if ended.rows_affected() != 1 {
            return Err(StorageError::Conflict("redemption"));
        }
        let (goods_sql, entry, key) = match after {
            RedemptionState::HandedOver => (
                "UPDATE shop_goods SET reserved = reserved - $1, handed = handed + $1, updated_at = $2 WHERE id = $3 AND reserved >= $1",
                Entry::hand_over(area.clone(), points)?,
                format!("hand_over:{id}"),
            ),
            _ => (
                "UPDATE shop_goods SET reserved = reserved - $1, stock = stock + $1, updated_at = $2 WHERE id = $3 AND reserved >= $1",
                Entry::redeem(member, area.clone(), points)?.reversal()?,
                format!("refund:{id}"),
            ),
        };
        let moved = sqlx::query(goods_sql).bind(q).bind(ms(now)).bind(goods.as_str()).execute(&mut *w.tx).await?;
        if moved.rows_affected() != 1 {
            return Err(StorageError::Corrupt("shop goods"));
        }
        let memo = match &reason {
            Some(r) => r.clone(),
            None => "领取".to_owned(),
        };
        let meta = EntryMeta { idem_key: key, area, memo, ref_id: Some(id.to_string()), actor: Some(actor.user_id) };
        let end_entry = match self.post_entry(&mut w.tx, &entry, meta, now).await? {
            Posted::New(e) => e,
            Posted::Already(_) => return Err(StorageError::Conflict("redemption")),
        };
        sqlx::query("UPDATE redemptions SET end_entry = $1 WHERE id = $2")
            .bind(end_entry)
            .bind(id.to_string())
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        self.redemption_row(id, own).await
    }
}

fn staff_root(actor: &Principal, area: Option<&AreaCode>, action: &'static str) -> Result<AreaCode> {
    let Some(root) = points_root(actor, PointsAct::Manage) else {
        return Err(DomainError::Forbidden { role: actor.role.as_str(), action }.into());
    };
    match area {
        Some(a) if a.is_within(&root) => Ok(a.clone()),
        Some(_) => Err(DomainError::invalid("area_code", "outside_scope").into()),
        None => Ok(root),
    }
}

async fn balance_in(tx: &mut Transaction<'static, Any>, account: &Account) -> Result<i64> {
    let row = sqlx::query("SELECT balance FROM point_accounts WHERE id = $1")
        .bind(account.key())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("balance")?,
        None => 0,
    })
}

async fn log_stock(
    tx: &mut Transaction<'static, Any>,
    city: &str,
    goods: GoodsId,
    delta: i64,
    reason: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO stock_changes (city, id, goods_id, delta, reason, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(city)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(goods.to_string())
        .bind(delta)
        .bind(reason)
        .bind(by.to_string())
        .bind(ms(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
