//! Category codes: dotted paths in the configurable category tree, e.g. `urban.environment.vendors`.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A category's code. Segments are lower-case ASCII letters, digits and `_`, joined by `.`; the
/// parent of `a.b.c` is `a.b`, so policy rules can match a whole branch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CategoryCode(String);

impl CategoryCode {
    /// Parses and checks a code.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let ok = !t.is_empty()
            && t.len() <= 120
            && t.split('.').all(|seg| {
                !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            });
        if ok { Ok(Self(t.to_owned())) } else { Err(DomainError::invalid("category", "not_a_category_code")) }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The parent branch, or `None` at the top.
    pub fn parent(&self) -> Option<CategoryCode> {
        self.0.rsplit_once('.').map(|(p, _)| Self(p.to_owned()))
    }

    /// Depth in the tree, 1 at the top.
    pub fn depth(&self) -> usize {
        self.0.split('.').count()
    }
}

impl TryFrom<String> for CategoryCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CategoryCode> for String {
    fn from(value: CategoryCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for CategoryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dotted_lower_ascii() {
        let c = CategoryCode::parse("urban.environment.vendors").expect("valid");
        assert_eq!(c.depth(), 3);
        assert_eq!(c.parent().map(String::from).as_deref(), Some("urban.environment"));
        for bad in ["", "Urban", "a..b", ".a", "a.", "城市"] {
            assert!(CategoryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
