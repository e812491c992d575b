//! Resident identity numbers (公民身份号码, GB 11643-1999): 6 digits of region, 8 of birth date,
//! 3 of sequence (odd for men), and a check character by ISO 7064 MOD 11-2.

use chrono::NaiveDate;

use crate::DomainError;

/// A checked 18-character identity number (the check character upper-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    (first17.chars().count() == 17).then(|| CHECK[(sum % 11) as usize])
}

impl IdNumber {
    /// Checks length, digits, region, birth date (1850 until `today`; the standard's own example was born in 1880) and the check character.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, DomainError> {
        let bad = |reason| DomainError::invalid("id_number", reason);
        let t = text.trim().to_ascii_uppercase();
        if t.chars().count() != 18 {
            return Err(bad("wrong_length"));
        }
        // Eighteen characters, not bytes: anything else than ASCII is refused before the byte
        // offsets below are used (a full-width digit would put a split inside a character).
        if !t.is_ascii() {
            return Err(bad("not_digits"));
        }
        let (body, last) = t.split_at(17);
        if !body.bytes().all(|b| b.is_ascii_digit()) || !last.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
            return Err(bad("not_digits"));
        }
        if &body[..2] == "00" || body[..6].bytes().all(|b| b == b'0') {
            return Err(bad("bad_region"));
        }
        let birth = NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").map_err(|_| bad("bad_birth_date"))?;
        let earliest = NaiveDate::from_ymd_opt(1850, 1, 1).ok_or(bad("bad_birth_date"))?;
        if birth < earliest || birth > today {
            return Err(bad("bad_birth_date"));
        }
        if check_char(body) != last.chars().next() {
            return Err(bad("bad_check_digit"));
        }
        Ok(Self(t))
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Date of birth.
    pub fn birth_date(&self) -> NaiveDate {
        // Checked by `parse`.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// The screen form: first 3 and last 4 characters, 11 stars between (DESIGN §2).
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..3], "*".repeat(11), &self.0[14..])
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    #[test]
    fn the_standards_example_passes_and_its_mask_shows_seven_characters() {
        // GB 11643-1999 Appendix example: 11010519491231002X.
        let id = IdNumber::parse("11010519491231002x", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).expect("d"));
        assert_eq!(id.masked(), "110***********002X");
        // The other published example: 440524188001010014.
        assert!(IdNumber::parse("440524188001010014", today()).is_ok());
    }

    #[test]
    fn each_kind_of_wrong_number_is_named() {
        let reason = |s: &str| match IdNumber::parse(s, today()) {
            Err(DomainError::Invalid { field: "id_number", reason }) => reason,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(reason("1101051949123100"), "wrong_length");
        assert_eq!(reason("11010519491231002Y"), "not_digits");
        assert_eq!(reason("11010519491231002"), "wrong_length");
        assert_eq!(reason("110105194912310021"), "bad_check_digit");
        assert_eq!(reason("110105194902300029"), "bad_birth_date");
        assert_eq!(reason("110105203001010010"), "bad_birth_date");
        assert_eq!(reason("000000194912310020"), "bad_region");
    }

    #[test]
    fn eighteen_characters_that_are_not_ascii_are_refused_not_a_panic() {
        // Found by the base_rows fuzz target: 17 digits then a non-ASCII character, or
        // full-width digits, are 18 characters but more bytes.
        assert_eq!(
            IdNumber::parse("11010519491231002\u{FFFD}", today()),
            Err(DomainError::invalid("id_number", "not_digits"))
        );
        assert_eq!(
            IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ", today()),
            Err(DomainError::invalid("id_number", "not_digits"))
        );
        assert_eq!(
            IdNumber::parse("1101051949123100\u{00E9}X", today()),
            Err(DomainError::invalid("id_number", "not_digits"))
        );
    }

    proptest! {
        #[test]
        fn a_valid_number_fails_after_any_single_change(
            region in 110000u32..659999, days in 0i64..40000, seq in 0u32..999, pos in 0usize..18, d in 1u32..10
        ) {
            let birth = NaiveDate::from_ymd_opt(1910, 1, 1).expect("d") + chrono::Duration::days(days);
            let body = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
            let full = format!("{body}{}", check_char(&body).expect("check"));
            prop_assert!(IdNumber::parse(&full, today()).is_ok());
            let mut chars: Vec<char> = full.chars().collect();
            let old = chars[pos];
            let new = if old == 'X' { '0' } else { char::from_digit((old.to_digit(10).unwrap_or(0) + d) % 10, 10).unwrap_or('0') };
            prop_assume!(new != old);
            chars[pos] = new;
            let changed: String = chars.into_iter().collect();
            prop_assert!(IdNumber::parse(&changed, today()).is_err(), "{} accepted", changed);
        }
    }
}
