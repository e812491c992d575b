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

/// A nullable `DOUBLE PRECISION` parameter that reaches PostgreSQL as float8 even when it is
/// missing. sqlx-core 0.8.6 swaps the null types of `f32` and `f64` when it hands `Any`
/// arguments to the driver (`src/any/arguments.rs`), so a plain `None::<f64>` arrives as a float4
/// NULL; the connection caches the statement with that parameter type, and the next row with a
/// value (an 8-byte float8) on that connection is refused ("incorrect binary data format").
/// Binding the missing value as `f32`'s null lands, through the same swap, on float8. The test
/// `group_commit::cases_with_and_without_a_point_share_every_connection` fails if sqlx changes.
pub(crate) struct Float(pub Option<f64>);

impl sqlx::Type<sqlx::Any> for Float {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for Float {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(v) => <f64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&v, buf),
            None => <Option<f32> as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&None, buf),
        }
    }
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
