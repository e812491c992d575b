//! The five-level area tree and its codes.
//!
//! An area code is the 12-digit statistical division code (province 2, city 2, county 2,
//! township 3, village 3) followed, for grids, by a 3-digit grid suffix and, for micro-grids, a
//! further 3 digits. Every level's *significant prefix* is a prefix of all its descendants' codes,
//! so "is X inside A" is a string-prefix test and data scope is an indexed `LIKE 'prefix%'`.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A level of the tree, from the root down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    /// 市
    City,
    /// 区县
    District,
    /// 街道/乡镇
    Street,
    /// 社区/村
    Community,
    /// 网格
    Grid,
    /// 微网格
    MicroGrid,
}

impl AreaLevel {
    /// Every level, root first.
    pub const ALL: [AreaLevel; 6] =
        [Self::City, Self::District, Self::Street, Self::Community, Self::Grid, Self::MicroGrid];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::District => "district",
            Self::Street => "street",
            Self::Community => "community",
            Self::Grid => "grid",
            Self::MicroGrid => "micro_grid",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|l| l.as_str() == text).ok_or(DomainError::invalid("level", "unknown_level"))
    }

    /// The Chinese name shown on screen.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::City => "市",
            Self::District => "区县",
            Self::Street => "街道乡镇",
            Self::Community => "社区村",
            Self::Grid => "网格",
            Self::MicroGrid => "微网格",
        }
    }

    /// Length of the significant prefix of a code at this level.
    /// How many leading digits of a code at this level are significant.
    pub fn prefix_len(self) -> usize {
        match self {
            Self::City => 4,
            Self::District => 6,
            Self::Street => 9,
            Self::Community => 12,
            Self::Grid => 15,
            Self::MicroGrid => 18,
        }
    }
}

/// A valid area code; its level is read from its digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    /// Parses and checks a code.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let digits = t.bytes().all(|b| b.is_ascii_digit());
        if !digits || !matches!(t.len(), 12 | 15 | 18) {
            return Err(DomainError::invalid("area_code", "not_an_area_code"));
        }
        let code = Self(t.to_owned());
        // A lower part may not be set under an unset higher part (e.g. village without township).
        let level = code.level();
        let b = t.as_bytes();
        let zero = |r: std::ops::Range<usize>| b[r].iter().all(|&c| c == b'0');
        let well_formed = match level {
            AreaLevel::City => !zero(2..4),
            AreaLevel::District => !zero(2..4),
            AreaLevel::Street => !zero(2..4) && !zero(4..6),
            AreaLevel::Community => !zero(2..4) && !zero(4..6) && !zero(6..9),
            AreaLevel::Grid => !zero(2..4) && !zero(4..6) && !zero(6..9) && !zero(9..12) && !zero(12..15),
            AreaLevel::MicroGrid => {
                !zero(2..4) && !zero(4..6) && !zero(6..9) && !zero(9..12) && !zero(12..15) && !zero(15..18)
            }
        };
        if well_formed { Ok(code) } else { Err(DomainError::invalid("area_code", "not_an_area_code")) }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level, read from which parts of the code are set.
    pub fn level(&self) -> AreaLevel {
        let b = self.0.as_bytes();
        let zero = |r: std::ops::Range<usize>| b[r].iter().all(|&c| c == b'0');
        match b.len() {
            18 => AreaLevel::MicroGrid,
            15 => AreaLevel::Grid,
            _ if !zero(9..12) => AreaLevel::Community,
            _ if !zero(6..9) => AreaLevel::Street,
            _ if !zero(4..6) => AreaLevel::District,
            _ => AreaLevel::City,
        }
    }

    /// The prefix every descendant's code starts with. Scope queries use it.
    pub fn scope_prefix(&self) -> &str {
        &self.0[..self.level().prefix_len()]
    }

    /// True when `self` is `ancestor` or lies below it.
    pub fn is_within(&self, ancestor: &AreaCode) -> bool {
        self.0.starts_with(ancestor.scope_prefix()) && self.level() >= ancestor.level()
    }

    /// The parent's code, or `None` for a city.
    pub fn parent(&self) -> Option<AreaCode> {
        let level = self.level();
        let keep = match level {
            AreaLevel::City => return None,
            AreaLevel::District => 4,
            AreaLevel::Street => 6,
            AreaLevel::Community => 9,
            AreaLevel::Grid => 12,
            AreaLevel::MicroGrid => 15,
        };
        let mut s = self.0[..keep].to_owned();
        while s.len() < 12 {
            s.push('0');
        }
        Some(Self(s))
    }

    /// The chain from the city down to this area, inclusive.
    pub fn lineage(&self) -> Vec<AreaCode> {
        let mut out = vec![self.clone()];
        while let Some(p) = out.last().and_then(AreaCode::parent) {
            out.push(p);
        }
        out.reverse();
        out
    }

    /// The ancestor (or self) at `level`, if `level` is not below this area.
    pub fn ancestor_at(&self, level: AreaLevel) -> Option<AreaCode> {
        self.lineage().into_iter().find(|a| a.level() == level)
    }

    /// The 4-digit city key of this code.
    pub fn city_key(&self) -> crate::ids::CityKey {
        // A parsed code always has 4 leading digits.
        crate::ids::CityKey::parse(&self.0[..4]).unwrap_or_else(|_| unreachable!())
    }
}

impl TryFrom<String> for AreaCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AreaCode> for String {
    fn from(value: AreaCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for AreaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect(s)
    }

    #[test]
    fn levels_are_read_from_the_digits() {
        assert_eq!(code("320100000000").level(), AreaLevel::City);
        assert_eq!(code("320102000000").level(), AreaLevel::District);
        assert_eq!(code("320102001000").level(), AreaLevel::Street);
        assert_eq!(code("320102001002").level(), AreaLevel::Community);
        assert_eq!(code("320102001002003").level(), AreaLevel::Grid);
        assert_eq!(code("320102001002003004").level(), AreaLevel::MicroGrid);
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in
            ["32010200100", "3201020010020", "32010200100a", "320100001000", "320102000003", "320102001002000", ""]
        {
            assert!(AreaCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parent_and_lineage_walk_to_the_city() {
        let g = code("320102001002003");
        let names: Vec<String> = g.lineage().iter().map(|c| c.to_string()).collect();
        assert_eq!(names, ["320100000000", "320102000000", "320102001000", "320102001002", "320102001002003"]);
        assert_eq!(code("320100000000").parent(), None);
    }

    #[test]
    fn within_is_a_prefix_test_that_respects_levels() {
        let street = code("320102001000");
        assert!(code("320102001002003").is_within(&street));
        assert!(street.is_within(&street));
        assert!(!code("320102002001").is_within(&street));
        assert!(!street.is_within(&code("320102001002")));
        assert!(!code("320103001002").is_within(&code("320102000000")));
        assert_eq!(street.scope_prefix(), "320102001");
    }
}
