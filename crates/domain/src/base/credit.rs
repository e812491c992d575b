//! Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character
//! set (no I, O, Z, S, V); registration authority, entity kind, 6-digit region, the 9-character
//! organisation code (GB 11714, with its own check character), and a MOD 31 check character.

use crate::DomainError;

/// A checked credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value(c: char) -> Option<u32> {
    CHARSET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// The GB 32100 check character for the first 17 characters.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    (first17.chars().count() == 17).then(|| CHARSET.chars().nth(v as usize)).flatten()
}

/// The GB 11714 check character of an 8-character organisation code body ('0'-'9' or 'X').
fn org_check(body: &str) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let mut sum = 0;
    for (c, w) in body.chars().zip(W) {
        let v = match c {
            '0'..='9' => c.to_digit(10)?,
            'A'..='Z' => u32::from(c) - u32::from('A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        v => char::from_digit(v, 10),
    }
}

impl CreditCode {
    /// Checks length, character set and the check character (upper-cases what was typed).
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bad = |reason| DomainError::invalid("credit_code", reason);
        let t = text.trim().to_ascii_uppercase();
        if t.chars().count() != 18 {
            return Err(bad("wrong_length"));
        }
        if !t.chars().all(|c| value(c).is_some()) {
            return Err(bad("bad_characters"));
        }
        let (body, last) = t.split_at(17);
        if check_char(body) != last.chars().next() {
            return Err(bad("bad_check_digit"));
        }
        Ok(Self(t))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the embedded organisation code (characters 9–17) carries a valid GB 11714 check
    /// character. Codes issued to individual businesses may not; the credit code's own check
    /// character is what [`CreditCode::parse`] enforces.
    pub fn org_code_checks(&self) -> bool {
        let org = &self.0[8..17];
        org_check(&org[..8]) == org.chars().nth(8)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn published_codes_pass() {
        // The example in GB 32100-2015 Appendix, and two codes printed on public business licences
        // (Alibaba (China) Co., Ltd. and Tencent's Shenzhen company).
        for code in ["91350100M000100Y43", "91330100799655058B", "9144030071526726XG"] {
            let c = CreditCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e:?}"));
            assert!(c.org_code_checks(), "{code}");
        }
        assert!(CreditCode::parse("91330100799655058b").is_ok(), "lower case is accepted and normalised");
    }

    #[test]
    fn wrong_codes_are_named() {
        let reason = |s: &str| match CreditCode::parse(s) {
            Err(DomainError::Invalid { field: "credit_code", reason }) => reason,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(reason("91330100799655058"), "wrong_length");
        assert_eq!(reason("91330100799655058I"), "bad_characters");
        assert_eq!(reason("91330100799655058C"), "bad_check_digit");
    }

    proptest! {
        #[test]
        fn any_single_substitution_is_caught(body in "[0-9A-HJ-NP-RTUWXY]{17}", pos in 0usize..17, k in 1usize..31) {
            let full = format!("{body}{}", check_char(&body).expect("check"));
            prop_assert!(CreditCode::parse(&full).is_ok());
            let mut chars: Vec<char> = full.chars().collect();
            let i = CHARSET.find(chars[pos]).expect("in set");
            chars[pos] = CHARSET.chars().nth((i + k) % 31).expect("char");
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
