//! Instants are stored in UTC and shown in Asia/Shanghai. China has had one offset (UTC+8) and no
//! daylight saving since 1991, so a fixed offset is exact and needs no time-zone database.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// The offset of Asia/Shanghai, checked at compile time.
pub const SHANGHAI: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The local (Shanghai) calendar date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&SHANGHAI).date_naive()
}

/// An instant shown as `YYYY-MM-DD HH:MM` in Shanghai time.
pub fn show(at: DateTime<Utc>) -> String {
    at.with_timezone(&SHANGHAI).format("%Y-%m-%d %H:%M").to_string()
}
