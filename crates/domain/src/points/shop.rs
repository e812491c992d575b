//! The points shop (平安超市 / 积分超市) of an area: goods with a price in points and a stock, and
//! redemptions.
//!
//! A redemption reserves goods and points at once (the points move to the shop's held account,
//! the goods leave the shelf) and gives the resident a pick-up code. At the counter, staff check
//! the code and hand the goods over; a reservation can instead be cancelled — by the resident or by
//! staff — which puts the goods back and returns the points by a reversing entry.
//!
//! | state | moves to |
//! |---|---|
//! | reserved 待领取 | handed_over (the code matches), cancelled (with a reason) |
//! | handed_over 已领取 | — |
//! | cancelled 已取消 | — |

use serde::{Deserialize, Serialize};

use super::amount::Points;
use crate::DomainError;
use crate::area::{AreaCode, AreaLevel};
use crate::dispute::record::required_text;

/// The most units of one good a single redemption takes.
pub const MAX_QUANTITY: u32 = 20;
/// The most units added to or taken from stock at once.
pub const MAX_STOCK_CHANGE: u32 = 100_000;

/// Goods as entered by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodsPlan {
    /// Name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Price in points; at least one.
    pub price: Points,
    /// Units put on the shelf at once.
    pub stock: u32,
    /// The shop's area (a community or above).
    pub area: AreaCode,
}

impl GoodsPlan {
    /// Checks the goods.
    pub fn check(self) -> Result<Self, DomainError> {
        let name = required_text("name", &self.name, 60)?;
        if self.description.trim().chars().count() > 500 {
            return Err(DomainError::invalid("description", "too_long"));
        }
        if self.price.is_zero() {
            return Err(DomainError::invalid("price", "must_be_positive"));
        }
        if self.stock > MAX_STOCK_CHANGE {
            return Err(DomainError::invalid("stock", "out_of_range"));
        }
        if self.area.level() > AreaLevel::Community {
            return Err(DomainError::invalid("area_code", "below_community_level"));
        }
        Ok(Self { name, description: self.description.trim().to_owned(), ..self })
    }
}

/// How many units a redemption takes: 1 to [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(u32);

impl Quantity {
    /// A quantity, refused outside 1 to [`MAX_QUANTITY`].
    pub fn new(n: i64) -> Result<Self, DomainError> {
        if n < 1 {
            Err(DomainError::invalid("quantity", "must_be_positive"))
        } else if n > i64::from(MAX_QUANTITY) {
            Err(DomainError::invalid("quantity", "too_many"))
        } else {
            Ok(Self(n as u32))
        }
    }

    /// Parses a typed quantity.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(DomainError::invalid("quantity", "required"));
        }
        if t.len() > 6 || !t.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()) || t == "-" {
            return Err(DomainError::invalid("quantity", "not_a_whole_number"));
        }
        Self::new(t.parse().map_err(|_| DomainError::invalid("quantity", "not_a_whole_number"))?)
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// What a redemption costs, checked against the member's balance and the goods on the shelf: the
/// price times the quantity, or a refusal naming the quantity.
pub fn redemption_cost(price: Points, quantity: Quantity, balance: i64, on_shelf: i64) -> Result<Points, DomainError> {
    if i64::from(quantity.get()) > on_shelf {
        return Err(DomainError::invalid("quantity", "exceeds_stock"));
    }
    let cost = price.times("quantity", quantity.get())?;
    if cost.get() > balance {
        return Err(DomainError::invalid("quantity", "exceeds_balance"));
    }
    Ok(cost)
}

/// A change of stock by staff: units added (a delivery) or taken off the shelf (damaged, expired);
/// never more than are on the shelf.
pub fn stock_change(delta: i64, on_shelf: i64) -> Result<i64, DomainError> {
    if delta == 0 {
        return Err(DomainError::invalid("stock", "must_not_be_zero"));
    }
    if delta.unsigned_abs() > u64::from(MAX_STOCK_CHANGE) {
        return Err(DomainError::invalid("stock", "out_of_range"));
    }
    if delta < 0 && -delta > on_shelf {
        return Err(DomainError::invalid("stock", "exceeds_stock"));
    }
    Ok(delta)
}

crate::case::kinds::vocabulary!(
    /// Where a redemption stands.
    RedemptionState, "state", {
        /// 待领取
        Reserved = "reserved", "待领取", "Reserved";
        /// 已领取
        HandedOver = "handed_over", "已领取", "Handed over";
        /// 已取消
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
);

/// The code a resident shows at the counter: eight digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PickupCode(String);

impl PickupCode {
    /// A code from random bits (the caller supplies the randomness; this crate has no I/O).
    pub fn from_entropy(bits: u64) -> Self {
        Self(format!("{:08}", bits % 100_000_000))
    }

    /// Parses a typed code, spaces and dashes ignored.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(DomainError::invalid("pickup_code", "not_a_pickup_code"))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What staff or the resident do with a reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedemptionMove {
    /// The goods are handed over against the code the resident shows.
    HandOver {
        /// The code typed at the counter.
        code: String,
    },
    /// The reservation is cancelled; goods and points go back.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl RedemptionMove {
    /// The wire name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::HandOver { .. } => "hand_over",
            Self::Cancel { .. } => "cancel",
        }
    }
}

/// Decides a move on a redemption whose code is `code`.
pub fn decide_redemption(
    state: RedemptionState,
    code: &PickupCode,
    mv: &RedemptionMove,
) -> Result<RedemptionState, DomainError> {
    if state != RedemptionState::Reserved {
        return Err(DomainError::IllegalMove { action: mv.name(), state: state.as_str() });
    }
    match mv {
        RedemptionMove::HandOver { code: typed } => {
            if &PickupCode::parse(typed)? != code {
                return Err(DomainError::invalid("pickup_code", "does_not_match"));
            }
            Ok(RedemptionState::HandedOver)
        }
        RedemptionMove::Cancel { reason } => {
            required_text("reason", reason, 500)?;
            Ok(RedemptionState::Cancelled)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(n: i64) -> Points {
        Points::new("price", n).expect("points")
    }

    #[test]
    fn a_redemption_costs_price_times_quantity_within_balance_and_stock() {
        let q = |n| Quantity::new(n).expect("q");
        assert_eq!(redemption_cost(pts(30), q(3), 90, 3), Ok(pts(90)));
        assert_eq!(redemption_cost(pts(30), q(3), 89, 3), Err(DomainError::invalid("quantity", "exceeds_balance")));
        assert_eq!(redemption_cost(pts(30), q(3), 900, 2), Err(DomainError::invalid("quantity", "exceeds_stock")));
        assert_eq!(Quantity::new(0), Err(DomainError::invalid("quantity", "must_be_positive")));
        assert_eq!(Quantity::new(21), Err(DomainError::invalid("quantity", "too_many")));
        assert_eq!(Quantity::parse(" 2 ").map(Quantity::get), Ok(2));
        assert_eq!(Quantity::parse("-1"), Err(DomainError::invalid("quantity", "must_be_positive")));
        for bad in ["two", "1.5", "-", "9999999"] {
            assert_eq!(Quantity::parse(bad), Err(DomainError::invalid("quantity", "not_a_whole_number")), "{bad}");
        }
    }

    #[test]
    fn stock_changes_never_take_more_than_the_shelf_holds() {
        assert_eq!(stock_change(50, 0), Ok(50));
        assert_eq!(stock_change(-3, 3), Ok(-3));
        assert_eq!(stock_change(-4, 3), Err(DomainError::invalid("stock", "exceeds_stock")));
        assert_eq!(stock_change(0, 3), Err(DomainError::invalid("stock", "must_not_be_zero")));
        assert_eq!(stock_change(100_001, 3), Err(DomainError::invalid("stock", "out_of_range")));
    }

    #[test]
    fn hand_over_needs_the_code_and_happens_once() {
        let code = PickupCode::from_entropy(1234_5678_9012);
        assert_eq!(code.as_str(), "56789012");
        assert_eq!(PickupCode::from_entropy(7).as_str(), "00000007");
        let give = |c: &str| RedemptionMove::HandOver { code: c.into() };
        assert_eq!(
            decide_redemption(RedemptionState::Reserved, &code, &give("56789013")),
            Err(DomainError::invalid("pickup_code", "does_not_match"))
        );
        assert_eq!(
            decide_redemption(RedemptionState::Reserved, &code, &give("5678")),
            Err(DomainError::invalid("pickup_code", "not_a_pickup_code"))
        );
        assert_eq!(
            decide_redemption(RedemptionState::Reserved, &code, &give("5678-9012")),
            Ok(RedemptionState::HandedOver)
        );
        assert_eq!(
            decide_redemption(RedemptionState::HandedOver, &code, &give("56789012")),
            Err(DomainError::IllegalMove { action: "hand_over", state: "handed_over" })
        );
        let cancel = |r: &str| RedemptionMove::Cancel { reason: r.into() };
        assert_eq!(
            decide_redemption(RedemptionState::Reserved, &code, &cancel("")),
            Err(DomainError::invalid("reason", "required"))
        );
        assert_eq!(
            decide_redemption(RedemptionState::Reserved, &code, &cancel("不需要了")),
            Ok(RedemptionState::Cancelled)
        );
        assert!(decide_redemption(RedemptionState::Cancelled, &code, &cancel("again")).is_err());
    }

    #[test]
    fn goods_are_checked() {
        let g = GoodsPlan {
            name: "洗衣液".into(),
            description: String::new(),
            price: pts(50),
            stock: 10,
            area: AreaCode::parse("439901001001").expect("c"),
        };
        assert!(g.clone().check().is_ok());
        assert_eq!(
            GoodsPlan { price: Points::ZERO, ..g.clone() }.check(),
            Err(DomainError::invalid("price", "must_be_positive"))
        );
        assert_eq!(
            GoodsPlan { stock: 100_001, ..g.clone() }.check(),
            Err(DomainError::invalid("stock", "out_of_range"))
        );
        assert_eq!(GoodsPlan { name: " ".into(), ..g }.check(), Err(DomainError::invalid("name", "required")));
    }
}
