//! Small helpers for the one SQL dialect: time as milliseconds, LIKE-prefix escaping.

use chrono::{DateTime, TimeZone, Utc};

/// An instant as stored (UTC milliseconds).
pub fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// A stored instant back.
pub fn from_ms(v: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

/// A `LIKE` pattern matching every string that starts with `prefix`. Area codes are digits, so
/// there is nothing to escape; the check keeps that assumption honest.
pub fn prefix_pattern(prefix: &str) -> String {
    debug_assert!(prefix.bytes().all(|b| b.is_ascii_digit()));
    format!("{prefix}%")
}

/// The half-open range `[low, high)` of every string that starts with a digit `prefix`, so a
/// prefix test reads an index on both engines (SQLite's `LIKE` uses an index only under a NOCASE
/// collation, PostgreSQL's only under the C collation). `high` is `None` when the prefix is all
/// nines and nothing sorts above it.
pub fn prefix_range(prefix: &str) -> (String, Option<String>) {
    debug_assert!(prefix.bytes().all(|b| b.is_ascii_digit()));
    let mut high = prefix.as_bytes().to_vec();
    while let Some(last) = high.pop() {
        if last < b'9' {
            high.push(last + 1);
            return (prefix.to_owned(), Some(String::from_utf8_lossy(&high).into_owned()));
        }
    }
    (prefix.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::prefix_range;

    #[test]
    fn prefix_ranges_hold_exactly_the_codes_below() {
        assert_eq!(prefix_range("4413"), ("4413".into(), Some("4414".into())));
        assert_eq!(prefix_range("441399"), ("441399".into(), Some("4414".into())));
        assert_eq!(prefix_range("999"), ("999".into(), None));
        let (lo, hi) = prefix_range("43991");
        let hi = hi.expect("bounded");
        for code in ["439910000000", "439919999999", "43991"] {
            assert!(code >= lo.as_str() && code < hi.as_str(), "{code}");
        }
        for code in ["439920000000", "439909999999", "4399"] {
            assert!(!(code >= lo.as_str() && code < hi.as_str()), "{code}");
        }
    }
}
