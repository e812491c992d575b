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
