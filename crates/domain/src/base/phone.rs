//! Phone numbers as residents give them: mainland mobiles (11 digits from 13–19, with or without
//! +86) and landlines (area code from 0, then 7–8 digits, optional extension).

use crate::DomainError;

/// A normalised phone number: digits only, a landline keeps one dash between area code and number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Normalises spaces, dashes and the country code, then checks the shape.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bad = DomainError::invalid("phone", "not_a_phone_number");
        let t = text.trim();
        let t = t.strip_prefix("+86").or_else(|| t.strip_prefix("0086")).unwrap_or(t);
        let (main, ext) = match t.split_once(['转', '#']) {
            Some((m, e)) => (m, Some(e.trim())),
            None => (t, None),
        };
        let digits: String = main.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad);
        }
        let digits = if digits.len() == 13 && digits.starts_with("86") { digits[2..].to_owned() } else { digits };
        let mobile = digits.len() == 11 && digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if mobile && ext.is_none() {
            return Ok(Self(digits));
        }
        // Landline: 0 + 2–3 digit area code + 7–8 digit number; area codes 010 and 02x are 3 digits.
        if digits.starts_with('0') && (10..=12).contains(&digits.len()) {
            let area_len = if digits.starts_with("01") || digits.starts_with("02") { 3 } else { 4 };
            let number_len = digits.len() - area_len;
            if (7..=8).contains(&number_len) {
                let mut s = format!("{}-{}", &digits[..area_len], &digits[area_len..]);
                if let Some(e) = ext {
                    if e.is_empty() || e.len() > 6 || !e.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad);
                    }
                    s.push('#');
                    s.push_str(e);
                }
                return Ok(Self(s));
            }
        }
        Err(bad)
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The screen form: the first 3 and last 4 digits shown.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any phone-like text: first 3 and last 4 characters kept, the rest starred; 7 characters
/// or fewer are starred entirely.
pub fn mask(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let keep_tail = chars.len() - 4;
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= keep_tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines_normalise() {
        let p = |s: &str| Phone::parse(s).map(|p| p.as_str().to_owned());
        assert_eq!(p("138 1234 5678").as_deref(), Ok("13812345678"));
        assert_eq!(p("+86 138-1234-5678").as_deref(), Ok("13812345678"));
        assert_eq!(p("8613812345678").as_deref(), Ok("13812345678"));
        assert_eq!(p("010-12345678").as_deref(), Ok("010-12345678"));
        assert_eq!(p("(0731) 8123 4567").as_deref(), Ok("0731-81234567"));
        assert_eq!(p("0731-8123456转123").as_deref(), Ok("0731-8123456#123"));
        for bad in ["12812345678", "1381234567", "138123456789", "12345", "电话", "0731-123", ""] {
            assert!(Phone::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn masks_show_three_and_four() {
        assert_eq!(Phone::parse("13812345678").expect("p").masked(), "138****5678");
        assert_eq!(Phone::parse("0731-81234567").expect("p").masked(), "073******4567");
        assert_eq!(mask("1234567"), "*******");
    }
}
