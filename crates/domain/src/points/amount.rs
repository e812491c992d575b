//! Quantities of the points system, as integers: points are whole (a rule of 10 points an hour
//! pays 15 for 90 minutes, rounding down), service time is counted in minutes. No floats anywhere,
//! so sums are exact and a ledger always balances to zero.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A number of points, never negative and never above [`Points::MAX`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Points(i64);

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0);
    /// The largest amount one entry may move: far beyond any price or award, small enough that
    /// millions of entries still sum inside an `i64`.
    pub const MAX: i64 = 10_000_000;

    /// An amount, refused (naming `field`) when negative or above [`Points::MAX`].
    pub fn new(field: &'static str, value: i64) -> Result<Self, DomainError> {
        if value < 0 {
            Err(DomainError::invalid(field, "negative"))
        } else if value > Self::MAX {
            Err(DomainError::invalid(field, "out_of_range"))
        } else {
            Ok(Self(value))
        }
    }

    /// Parses an amount as typed: digits only, surrounding spaces ignored.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(DomainError::invalid(field, "required"));
        }
        if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit()) && t.len() > 1 {
            return Err(DomainError::invalid(field, "negative"));
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::invalid(field, "not_a_whole_number"));
        }
        // More than ten digits is out of range whatever they say (and would overflow the parse).
        if t.len() > 10 {
            return Err(DomainError::invalid(field, "out_of_range"));
        }
        let v: i64 = t.parse().map_err(|_| DomainError::invalid(field, "not_a_whole_number"))?;
        Self::new(field, v)
    }

    /// The amount.
    pub fn get(self) -> i64 {
        self.0
    }

    /// Whether it is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self × n`, refused (naming `field`) when the product is above [`Points::MAX`].
    pub fn times(self, field: &'static str, n: u32) -> Result<Self, DomainError> {
        self.0
            .checked_mul(i64::from(n))
            .map_or(Err(DomainError::invalid(field, "out_of_range")), |v| Self::new(field, v))
    }
}

impl TryFrom<i64> for Points {
    type Error = DomainError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new("points", value)
    }
}

impl From<Points> for i64 {
    fn from(value: Points) -> Self {
        value.0
    }
}

impl std::fmt::Display for Points {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Service time in whole minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Minutes(pub u32);

impl Minutes {
    /// Whole hours (rounded down).
    pub fn whole_hours(self) -> u32 {
        self.0 / 60
    }

    /// Hours with one decimal, rounded down, as screens show them: `12.5`.
    pub fn hours_text(self) -> String {
        format!("{}.{}", self.0 / 60, (self.0 % 60) / 6)
    }

    /// The sum, saturating (a lifetime of service does not approach `u32::MAX` minutes).
    pub fn plus(self, other: Minutes) -> Minutes {
        Minutes(self.0.saturating_add(other.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_whole_non_negative_numbers_naming_the_field() {
        assert_eq!(Points::parse("price", " 120 "), Ok(Points(120)));
        assert_eq!(Points::parse("price", "0"), Ok(Points::ZERO));
        assert_eq!(Points::parse("price", ""), Err(DomainError::invalid("price", "required")));
        assert_eq!(Points::parse("price", "-5"), Err(DomainError::invalid("price", "negative")));
        for bad in ["1.5", "12a", "１２", "1e3", "-"] {
            assert_eq!(Points::parse("price", bad), Err(DomainError::invalid("price", "not_a_whole_number")), "{bad}");
        }
        assert_eq!(Points::parse("price", "10000001"), Err(DomainError::invalid("price", "out_of_range")));
        assert_eq!(Points::parse("price", "99999999999999999999"), Err(DomainError::invalid("price", "out_of_range")));
        assert_eq!(Points::parse("price", "10000000"), Ok(Points(Points::MAX)));
    }

    #[test]
    fn products_stay_in_range() {
        assert_eq!(Points(30).times("quantity", 3), Ok(Points(90)));
        assert_eq!(Points(Points::MAX).times("quantity", 2), Err(DomainError::invalid("quantity", "out_of_range")));
        assert_eq!(Points(7).times("quantity", 0), Ok(Points::ZERO));
    }

    #[test]
    fn hours_are_shown_from_minutes_without_floats() {
        assert_eq!(Minutes(90).hours_text(), "1.5");
        assert_eq!(Minutes(59).hours_text(), "0.9");
        assert_eq!(Minutes(6000).hours_text(), "100.0");
        assert_eq!(Minutes(125).whole_hours(), 2);
        assert_eq!(Minutes(u32::MAX).plus(Minutes(5)), Minutes(u32::MAX));
    }

    #[test]
    fn serde_refuses_out_of_range_amounts() {
        assert!(serde_json::from_str::<Points>("-1").is_err());
        assert_eq!(serde_json::from_str::<Points>("25").ok(), Some(Points(25)));
    }
}
