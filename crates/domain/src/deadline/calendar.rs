//! Working time: which days are worked and which hours of them count.
//!
//! Time limits for cases are set in working days and working hours, not in calendar time, because
//! that is how the offices that handle them are bound: a "3 working day" limit given on the eve of
//! National Day must not expire while everyone is on holiday. China's holidays move every year and
//! come with adjusted working weekends (调休上班), so they cannot be computed; they are read from a
//! small text file per year, as published by the State Council General Office.
//!
//! All reckoning is in Shanghai local time ([`crate::time::SHANGHAI`]); instants in and out are UTC.
//! Years a calendar does not cover fall back to plain Monday–Friday, so a missing file makes
//! deadlines slightly early around holidays rather than making them fail.

use std::cmp::{max, min};
use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::time::SHANGHAI;

/// The field name parse errors carry.
const FIELD: &str = "calendar";

/// A time of day, checked at compile time.
const fn hm(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        None => panic!("a valid time of day"),
    }
}

/// The working periods of a working day, Shanghai local time, in order: 09:00–12:00 and
/// 13:30–17:30. These are the usual office hours of Chinese government service centres; the lunch
/// break does not count towards an hours limit, so a 4-hour limit given at 11:00 ends at 15:30.
pub const WORKING_PERIODS: [(NaiveTime, NaiveTime); 2] = [(hm(9, 0), hm(12, 0)), (hm(13, 30), hm(17, 30))];

/// When the working day ends; a limit in days expires at this time of its last day.
pub const END_OF_WORKING_DAY: NaiveTime = hm(17, 30);

/// Working minutes in one working day (3 h + 4 h), kept in step with [`WORKING_PERIODS`] by a test.
pub const WORKING_MINUTES_PER_DAY: i64 = 7 * 60;

/// The same, in seconds, for the arithmetic.
const WORKING_SECONDS_PER_DAY: i64 = WORKING_MINUTES_PER_DAY * 60;

/// A time limit in working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkDuration {
    /// Whole working days: the limit ends at the close of the n-th working day after the start's
    /// date, so the day the case arrives is never counted against the office.
    Days(u32),
    /// Working hours, counted inside working periods only, from the start instant.
    Hours(u32),
}

/// A year-by-year calendar of holidays and adjusted working days.
///
/// The default value has no entries: every Monday to Friday is a working day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Dates off. Weekend dates may be listed too (the notices name whole spans); they are off
    /// anyway, so listing them changes nothing.
    holidays: BTreeSet<NaiveDate>,
    /// Weekend dates that are worked (调休上班).
    workdays: BTreeSet<NaiveDate>,
    /// The years whose holidays are known.
    years: BTreeSet<i32>,
}

/// One dated line of a calendar file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Holiday,
    Workday,
}

impl WorkCalendar {
    /// Reads a calendar file.
    ///
    /// Blank lines and `#` comments are skipped. `year YYYY` declares a covered year (any number of
    /// them, anywhere in the file). Every other line is `YYYY-MM-DD holiday|workday [name…]`.
    ///
    /// Refused, with field `calendar` and these reasons: `bad_year` (malformed `year` line),
    /// `bad_date`, `missing_kind`, `unknown_kind`, `date_outside_year` (the date's year is not
    /// declared, so a typo in the year cannot silently land in another year),
    /// `workday_on_weekday` (a weekday is a working day already: the line must be a mistake),
    /// `holiday_and_workday` and `duplicate_date` (a date listed twice).
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut years = BTreeSet::new();
        let mut entries = Vec::new();
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            let mut words = line.split_whitespace();
            let Some(first) = words.next() else {
                continue;
            };
            if first == "year" {
                let year = words
                    .next()
                    .and_then(|word| word.parse::<i32>().ok())
                    .filter(|&year| NaiveDate::from_ymd_opt(year, 1, 1).is_some())
                    .ok_or(DomainError::invalid(FIELD, "bad_year"))?;
                if words.next().is_some() {
                    return Err(DomainError::invalid(FIELD, "bad_year"));
                }
                years.insert(year);
                continue;
            }
            let date = parse_date(first).ok_or(DomainError::invalid(FIELD, "bad_date"))?;
            let kind = match words.next() {
                Some("holiday") => Kind::Holiday,
                Some("workday") => Kind::Workday,
                Some(_) => return Err(DomainError::invalid(FIELD, "unknown_kind")),
                None => return Err(DomainError::invalid(FIELD, "missing_kind")),
            };
            entries.push((date, kind));
        }

        // Checked after reading, so `year` lines may come anywhere in the file.
        let mut calendar = WorkCalendar { years, ..WorkCalendar::default() };
        for (date, kind) in entries {
            if !calendar.years.contains(&date.year()) {
                return Err(DomainError::invalid(FIELD, "date_outside_year"));
            }
            let (same, other) = match kind {
                Kind::Holiday => (&mut calendar.holidays, &calendar.workdays),
                Kind::Workday => {
                    if is_weekday(date) {
                        return Err(DomainError::invalid(FIELD, "workday_on_weekday"));
                    }
                    (&mut calendar.workdays, &calendar.holidays)
                }
            };
            if other.contains(&date) {
                return Err(DomainError::invalid(FIELD, "holiday_and_workday"));
            }
            if !same.insert(date) {
                return Err(DomainError::invalid(FIELD, "duplicate_date"));
            }
        }
        Ok(calendar)
    }

    /// Adds another calendar's years and dates to this one. Where the two disagree about a date,
    /// `other` wins, so a local override file can be merged over the national one.
    pub fn merge(&mut self, other: WorkCalendar) {
        for date in other.holidays {
            self.workdays.remove(&date);
            self.holidays.insert(date);
        }
        for date in other.workdays {
            self.holidays.remove(&date);
            self.workdays.insert(date);
        }
        self.years.extend(other.years);
    }

    /// The national calendar of the People's Republic of China for the years shipped with the
    /// program (2025 and 2026), from the State Council General Office's notices.
    ///
    /// The files are compiled in and checked by unit tests, so this cannot fail; should a file
    /// ever be broken anyway, its year is left out (plain Monday–Friday) rather than stopping the
    /// program.
    pub fn china() -> Self {
        const FILES: [&str; 2] =
            [include_str!("../../calendar/cn-2025.txt"), include_str!("../../calendar/cn-2026.txt")];
        let mut calendar = WorkCalendar::default();
        for text in FILES {
            if let Ok(year) = WorkCalendar::parse(text) {
                calendar.merge(year);
            }
        }
        calendar
    }

    /// Whether the year's holidays are known. Deadlines in other years are still computed, as
    /// Monday–Friday; callers can use this to warn an administrator to load next year's file.
    pub fn covers_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The covered years, in order.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// The listed holidays, in order (weekend dates inside holiday spans included).
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// The adjusted working days (weekend dates worked), in order.
    pub fn adjusted_workdays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.workdays.iter().copied()
    }

    /// Whether the date is worked: an adjusted working day, or a weekday that is not a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.workdays.contains(&date) || (is_weekday(date) && !self.holidays.contains(&date))
    }

    /// The deadline `duration` after `start`.
    ///
    /// `Days(n)` ends at 17:30 local of the n-th working day after the start's local date;
    /// `Days(0)` at 17:30 of the start's date if it is a working day, else of the next working
    /// day. `Hours(n)` counts n hours of working periods from `start` (from the next period's
    /// start if `start` is outside one); a limit that fills a period exactly ends at that period's
    /// end, not at the start of the next. Results beyond the representable range saturate.
    pub fn add(&self, start: DateTime<Utc>, duration: WorkDuration) -> DateTime<Utc> {
        let local = to_local(start);
        let end = match duration {
            WorkDuration::Days(n) => self.add_days(local.date(), n),
            WorkDuration::Hours(n) => self.add_hours(local, n),
        };
        end.and_then(to_utc).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Whole working minutes from `a` to `b` (0 if `b` is not after `a`).
    pub fn working_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.working_time_between(a, b).num_minutes()
    }

    /// Working time from `a` to `b`, exact (0 if `b` is not after `a`). Kept at full precision
    /// for the warning shares of short limits.
    pub(crate) fn working_time_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> TimeDelta {
        let (a, b) = (to_local(a), to_local(b));
        if b <= a {
            return TimeDelta::zero();
        }
        let (first, last) = (a.date(), b.date());
        if first == last {
            return self.overlap(first, a.time(), Some(b.time()));
        }
        let whole_days = first.succ_opt().map_or(0, |next| self.count_working_days(next, last));
        let middle =
            TimeDelta::try_seconds(whole_days.saturating_mul(WORKING_SECONDS_PER_DAY)).unwrap_or(TimeDelta::MAX);
        self.overlap(first, a.time(), None)
            .checked_add(&middle)
            .and_then(|sum| sum.checked_add(&self.overlap(last, NaiveTime::MIN, Some(b.time()))))
            .unwrap_or(TimeDelta::MAX)
    }

    /// The end of a limit in days, local time.
    fn add_days(&self, date: NaiveDate, n: u32) -> Option<NaiveDateTime> {
        let day = if n == 0 && self.is_working_day(date) {
            date
        } else {
            self.nth_working_day_after(date, u64::from(max(n, 1)))?
        };
        Some(day.and_time(END_OF_WORKING_DAY))
    }

    /// The end of a limit in hours, local time.
    fn add_hours(&self, start: NaiveDateTime, n: u32) -> Option<NaiveDateTime> {
        let mut left = TimeDelta::try_hours(i64::from(n))?;
        let date = start.date();
        if self.is_working_day(date) {
            for (from, to) in WORKING_PERIODS {
                let from = max(from, start.time());
                if from < to {
                    let available = to - from;
                    if left <= available {
                        return date.and_time(from).checked_add_signed(left);
                    }
                    left -= available;
                }
            }
        }
        // What is left fills whole working days and ends inside the last one; that last day is
        // found by counting days, so long limits do not walk hour by hour.
        let seconds = left.num_seconds() + i64::from(left.subsec_nanos() != 0);
        let days = max(1, (seconds + WORKING_SECONDS_PER_DAY - 1) / WORKING_SECONDS_PER_DAY);
        let mut rest = left.checked_sub(&TimeDelta::try_seconds((days - 1) * WORKING_SECONDS_PER_DAY)?)?;
        let last = self.nth_working_day_after(date, u64::try_from(days).ok()?)?;
        for (from, to) in WORKING_PERIODS {
            if rest <= to - from {
                return last.and_time(from).checked_add_signed(rest);
            }
            rest -= to - from;
        }
        Some(last.and_time(END_OF_WORKING_DAY))
    }

    /// The n-th working day after `date` (n ≥ 1), or `None` past the end of time.
    fn nth_working_day_after(&self, date: NaiveDate, n: u64) -> Option<NaiveDate> {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            // Between listed dates every 7 days hold exactly 5 working days, so long limits skip
            // whole weeks instead of walking day by day.
            let free_days = match self.next_listed_after(day) {
                Some(next) => u64::try_from((next - day).num_days() - 1).unwrap_or(0),
                None => u64::MAX,
            };
            let weeks = min((left - 1) / 5, free_days / 7);
            if weeks > 0 {
                day = day.checked_add_days(Days::new(weeks * 7))?;
                left -= weeks * 5;
                continue;
            }
            day = day.succ_opt()?;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Some(day)
    }

    /// The first holiday or adjusted working day after `date`.
    fn next_listed_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        let next = date.succ_opt()?;
        let holiday = self.holidays.range(next..).next();
        let workday = self.workdays.range(next..).next();
        match (holiday, workday) {
            (Some(&h), Some(&w)) => Some(min(h, w)),
            (Some(&d), None) | (None, Some(&d)) => Some(d),
            (None, None) => None,
        }
    }

    /// Working days in `from..to` (`to` excluded), counted from the listed dates rather than day by
    /// day, so spans of any length cost the same.
    fn count_working_days(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let span = (to - from).num_days();
        if span <= 0 {
            return 0;
        }
        let first = i64::from(from.weekday().num_days_from_monday());
        let tail = (0..span % 7).filter(|i| (first + i) % 7 < 5).count();
        let mut count = span / 7 * 5 + i64::try_from(tail).unwrap_or(0);
        for &date in self.holidays.range(from..to) {
            if is_weekday(date) && !self.workdays.contains(&date) {
                count -= 1;
            }
        }
        for &date in self.workdays.range(from..to) {
            if !is_weekday(date) {
                count += 1;
            }
        }
        count
    }

    /// Working time on `date` between `from` and `to`; no `to` means until the end of the day.
    fn overlap(&self, date: NaiveDate, from: NaiveTime, to: Option<NaiveTime>) -> TimeDelta {
        if !self.is_working_day(date) {
            return TimeDelta::zero();
        }
        WORKING_PERIODS
            .iter()
            .map(|&(start, end)| {
                let end = to.map_or(end, |to| min(end, to));
                max(TimeDelta::zero(), end - max(start, from))
            })
            .fold(TimeDelta::zero(), |sum, part| sum + part)
    }
}

/// Monday to Friday.
fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Strictly `YYYY-MM-DD`, so `2025-1-1` or `+2025-01-01` cannot slip through.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Shanghai wall-clock time of an instant, saturating at the end of time.
fn to_local(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc().checked_add_offset(SHANGHAI).unwrap_or(NaiveDateTime::MAX)
}

/// The instant of a Shanghai wall-clock time.
fn to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    local.checked_sub_offset(SHANGHAI).map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// A Shanghai wall-clock instant.
    fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        SHANGHAI.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid local time").with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn days(cal: &WorkCalendar, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        cal.add(start, WorkDuration::Days(n))
    }

    fn hours(cal: &WorkCalendar, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        cal.add(start, WorkDuration::Hours(n))
    }

    #[test]
    fn periods_add_up_to_the_day_constant() {
        let total: i64 = WORKING_PERIODS.iter().map(|&(a, b)| (b - a).num_minutes()).sum();
        assert_eq!(total, WORKING_MINUTES_PER_DAY);
        assert_eq!(WORKING_PERIODS[1].1, END_OF_WORKING_DAY);
    }

    #[test]
    fn china_covers_2025_and_2026_only() {
        let cal = WorkCalendar::china();
        assert!(cal.covers_year(2025));
        assert!(cal.covers_year(2026));
        assert!(!cal.covers_year(2024));
        assert!(!cal.covers_year(2027));
    }

    #[test]
    fn shipped_files_parse_and_hold_every_listed_date() {
        let y2025 = WorkCalendar::parse(include_str!("../../calendar/cn-2025.txt")).expect("2025 parses");
        let y2026 = WorkCalendar::parse(include_str!("../../calendar/cn-2026.txt")).expect("2026 parses");
        // 1+8+3+5+3+8 holiday dates and 5 adjusted working days in 2025; 3+9+3+5+3+3+7 and 6 in 2026.
        assert_eq!(y2025.holidays().count(), 28);
        assert_eq!(y2025.adjusted_workdays().count(), 5);
        assert_eq!(y2026.holidays().count(), 33);
        assert_eq!(y2026.adjusted_workdays().count(), 6);
        let mut both = y2025.clone();
        both.merge(y2026);
        assert_eq!(both, WorkCalendar::china());
    }

    #[test]
    fn each_year_has_248_working_days() {
        // Since the 2025 reform there are 13 statutory days off; with 104 weekend days that
        // leaves 248 working days in both years. An independent check of the whole data set.
        let cal = WorkCalendar::china();
        for year in [2025, 2026] {
            assert_eq!(cal.count_working_days(date(year, 1, 1), date(year + 1, 1, 1)), 248, "{year}");
            let walked = date(year, 1, 1)
                .iter_days()
                .take_while(|d| d.year() == year)
                .filter(|&d| cal.is_working_day(d))
                .count();
            assert_eq!(walked, 248, "{year}");
        }
    }

    #[test]
    fn working_days_weekends_holidays_and_adjusted_days() {
        let cal = WorkCalendar::china();
        // Ordinary weekdays and weekends.
        assert!(cal.is_working_day(date(2025, 3, 4)));
        assert!(!cal.is_working_day(date(2025, 3, 8)));
        assert!(!cal.is_working_day(date(2025, 3, 9)));
        // Holidays on weekdays and on weekends.
        assert!(!cal.is_working_day(date(2025, 1, 1)));
        assert!(!cal.is_working_day(date(2025, 10, 8)));
        assert!(!cal.is_working_day(date(2025, 2, 1)));
        assert!(!cal.is_working_day(date(2026, 2, 23)));
        // Adjusted working Sundays and Saturdays.
        assert!(cal.is_working_day(date(2025, 1, 26)));
        assert!(cal.is_working_day(date(2025, 9, 28)));
        assert!(cal.is_working_day(date(2025, 10, 11)));
        assert!(cal.is_working_day(date(2026, 1, 4)));
        assert!(cal.is_working_day(date(2026, 2, 14)));
        assert!(cal.is_working_day(date(2026, 2, 28)));
        // The weekend next to an adjusted Saturday stays off.
        assert!(!cal.is_working_day(date(2025, 10, 12)));
        // Uncovered years are plain Monday–Friday.
        assert!(cal.is_working_day(date(2027, 1, 1)));
        assert!(!cal.is_working_day(date(2027, 1, 2)));
    }

    #[test]
    fn days_across_national_day_2025() {
        let cal = WorkCalendar::china();
        let start = cst(2025, 9, 30, 10, 0);
        assert_eq!(days(&cal, start, 0), cst(2025, 9, 30, 17, 30));
        assert_eq!(days(&cal, start, 1), cst(2025, 10, 9, 17, 30));
        assert_eq!(days(&cal, start, 2), cst(2025, 10, 10, 17, 30));
        // Saturday 11 October is worked.
        assert_eq!(days(&cal, start, 3), cst(2025, 10, 11, 17, 30));
        assert_eq!(days(&cal, start, 4), cst(2025, 10, 13, 17, 30));
        // Sunday 28 September is worked.
        let friday = cst(2025, 9, 26, 15, 0);
        assert_eq!(days(&cal, friday, 1), cst(2025, 9, 28, 17, 30));
        assert_eq!(days(&cal, friday, 2), cst(2025, 9, 29, 17, 30));
        assert_eq!(days(&cal, friday, 4), cst(2025, 10, 9, 17, 30));
        let saturday = cst(2025, 9, 27, 10, 0);
        assert_eq!(days(&cal, saturday, 0), cst(2025, 9, 28, 17, 30));
        assert_eq!(days(&cal, cst(2025, 10, 3, 10, 0), 0), cst(2025, 10, 9, 17, 30));
    }

    #[test]
    fn days_across_spring_festival_2025() {
        let cal = WorkCalendar::china();
        let friday = cst(2025, 1, 24, 16, 0);
        assert_eq!(days(&cal, friday, 1), cst(2025, 1, 26, 17, 30));
        assert_eq!(days(&cal, friday, 2), cst(2025, 1, 27, 17, 30));
        assert_eq!(days(&cal, friday, 3), cst(2025, 2, 5, 17, 30));
        assert_eq!(days(&cal, friday, 5), cst(2025, 2, 7, 17, 30));
        assert_eq!(days(&cal, friday, 6), cst(2025, 2, 8, 17, 30));
        assert_eq!(days(&cal, friday, 7), cst(2025, 2, 10, 17, 30));
    }

    #[test]
    fn days_across_spring_festival_2026() {
        let cal = WorkCalendar::china();
        let friday = cst(2026, 2, 13, 10, 0);
        assert_eq!(days(&cal, friday, 1), cst(2026, 2, 14, 17, 30));
        assert_eq!(days(&cal, friday, 2), cst(2026, 2, 24, 17, 30));
        assert_eq!(days(&cal, friday, 5), cst(2026, 2, 27, 17, 30));
        assert_eq!(days(&cal, friday, 6), cst(2026, 2, 28, 17, 30));
        assert_eq!(days(&cal, friday, 7), cst(2026, 3, 2, 17, 30));
        // Started on the adjusted Saturday itself, late in the evening.
        assert_eq!(days(&cal, cst(2026, 2, 14, 22, 0), 0), cst(2026, 2, 14, 17, 30));
        assert_eq!(days(&cal, cst(2026, 2, 14, 22, 0), 1), cst(2026, 2, 24, 17, 30));
    }

    #[test]
    fn days_across_national_day_2026() {
        let cal = WorkCalendar::china();
        // Mid-Autumn (25–27 Sep) and National Day (1–7 Oct) with Sunday 20 Sep and Saturday 10 Oct worked.
        let friday = cst(2026, 9, 18, 9, 0);
        assert_eq!(days(&cal, friday, 1), cst(2026, 9, 20, 17, 30));
        assert_eq!(days(&cal, friday, 5), cst(2026, 9, 24, 17, 30));
        assert_eq!(days(&cal, friday, 6), cst(2026, 9, 28, 17, 30));
        let eve = cst(2026, 9, 30, 17, 0);
        assert_eq!(days(&cal, eve, 1), cst(2026, 10, 8, 17, 30));
        assert_eq!(days(&cal, eve, 3), cst(2026, 10, 10, 17, 30));
        assert_eq!(days(&cal, eve, 4), cst(2026, 10, 12, 17, 30));
    }

    #[test]
    fn days_near_midnight_use_the_local_date() {
        let cal = WorkCalendar::china();
        // 2025-03-04 23:30 CST is 15:30 UTC the same day; 2025-03-05 00:30 CST is still 4 March in UTC.
        assert_eq!(days(&cal, cst(2025, 3, 5, 0, 30), 1), cst(2025, 3, 6, 17, 30));
        assert_eq!(days(&cal, cst(2025, 3, 4, 23, 30), 1), cst(2025, 3, 5, 17, 30));
    }

    #[test]
    fn hours_inside_and_across_lunch() {
        let cal = WorkCalendar::china();
        assert_eq!(hours(&cal, cst(2025, 3, 4, 9, 0), 2), cst(2025, 3, 4, 11, 0));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 11, 0), 1), cst(2025, 3, 4, 12, 0));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 11, 0), 2), cst(2025, 3, 4, 14, 30));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 12, 30), 1), cst(2025, 3, 4, 14, 30));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 9, 0), 7), cst(2025, 3, 4, 17, 30));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 10, 15), 0), cst(2025, 3, 4, 10, 15));
    }

    #[test]
    fn hours_across_night_weekend_and_holiday() {
        let cal = WorkCalendar::china();
        // Night.
        assert_eq!(hours(&cal, cst(2025, 3, 4, 16, 30), 2), cst(2025, 3, 5, 10, 0));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 17, 30), 7), cst(2025, 3, 5, 17, 30));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 20, 0), 4), cst(2025, 3, 5, 14, 30));
        assert_eq!(hours(&cal, cst(2025, 3, 4, 7, 0), 1), cst(2025, 3, 4, 10, 0));
        // Weekend.
        assert_eq!(hours(&cal, cst(2025, 3, 7, 17, 0), 1), cst(2025, 3, 10, 9, 30));
        assert_eq!(hours(&cal, cst(2025, 3, 8, 10, 0), 1), cst(2025, 3, 10, 10, 0));
        // Several whole days: Monday 09:00 plus 21 hours is Wednesday's close.
        assert_eq!(hours(&cal, cst(2025, 3, 3, 9, 0), 21), cst(2025, 3, 5, 17, 30));
        assert_eq!(hours(&cal, cst(2025, 3, 3, 9, 0), 22), cst(2025, 3, 6, 10, 0));
        // National Day 2025: half an hour on 30 Sep, then 3.5 hours on 9 Oct.
        assert_eq!(hours(&cal, cst(2025, 9, 30, 17, 0), 4), cst(2025, 10, 9, 14, 0));
        // Spring Festival 2026: the adjusted Saturday 14 Feb counts, then the holiday is skipped.
        assert_eq!(hours(&cal, cst(2026, 2, 13, 17, 0), 8), cst(2026, 2, 24, 9, 30));
    }

    #[test]
    fn minutes_between() {
        let cal = WorkCalendar::china();
        let m = |a, b| cal.working_minutes_between(a, b);
        assert_eq!(m(cst(2025, 3, 4, 9, 0), cst(2025, 3, 4, 17, 30)), 420);
        assert_eq!(m(cst(2025, 3, 4, 11, 0), cst(2025, 3, 4, 14, 0)), 60 + 30);
        assert_eq!(m(cst(2025, 3, 4, 12, 10), cst(2025, 3, 4, 13, 20)), 0);
        assert_eq!(m(cst(2025, 3, 4, 16, 30), cst(2025, 3, 5, 10, 0)), 120);
        assert_eq!(m(cst(2025, 3, 7, 17, 0), cst(2025, 3, 10, 9, 30)), 60);
        assert_eq!(m(cst(2025, 9, 30, 17, 0), cst(2025, 10, 9, 9, 0)), 30);
        // 26, 28, 29, 30 Sep and 9, 10, 11 Oct.
        assert_eq!(m(cst(2025, 9, 26, 9, 0), cst(2025, 10, 13, 9, 0)), 7 * 420);
        assert_eq!(m(cst(2025, 3, 5, 10, 0), cst(2025, 3, 4, 10, 0)), 0);
        assert_eq!(m(cst(2025, 3, 5, 10, 0), cst(2025, 3, 5, 10, 0)), 0);
        // Ending exactly at midnight counts nothing of the day that begins.
        assert_eq!(m(cst(2025, 3, 4, 10, 0), cst(2025, 3, 5, 0, 0)), 360);
    }

    #[test]
    fn extreme_limits_saturate_without_panicking() {
        let cal = WorkCalendar::china();
        let start = cst(2025, 3, 4, 10, 0);
        // About four centuries: far, but representable, and reached by skipping whole weeks.
        let far = hours(&cal, start, 1_000_000);
        assert_eq!(cal.working_minutes_between(start, far), 60_000_000);
        let far_days = to_local(days(&cal, start, 10_000_000));
        assert!(cal.is_working_day(far_days.date()));
        assert_eq!(far_days.time(), END_OF_WORKING_DAY);
        // Beyond the calendar's range (u32::MAX hours is some 600 million working days).
        assert_eq!(hours(&cal, start, u32::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(days(&cal, start, u32::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(days(&cal, DateTime::<Utc>::MAX_UTC, 1), DateTime::<Utc>::MAX_UTC);
        assert!(cal.working_minutes_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC) > 0);
    }

    #[test]
    fn parse_refuses_bad_input() {
        let err = |text: &str| match WorkCalendar::parse(text) {
            Err(DomainError::Invalid { field, reason }) => {
                assert_eq!(field, "calendar");
                reason
            }
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(err("year 2026\n2026-02-30 holiday x"), "bad_date");
        assert_eq!(err("year 2026\n2026-1-1 holiday x"), "bad_date");
        assert_eq!(err("year 2026\nnonsense"), "bad_date");
        assert_eq!(err("year 2026\n2026-01-01 vacation x"), "unknown_kind");
        assert_eq!(err("year 2026\n2026-01-01"), "missing_kind");
        assert_eq!(err("year 2026\n2025-12-31 holiday x"), "date_outside_year");
        assert_eq!(err("2026-01-01 holiday x"), "date_outside_year");
        assert_eq!(err("year twenty\n"), "bad_year");
        assert_eq!(err("year 2026 2027\n"), "bad_year");
        // 2026-01-05 is a Monday: already worked.
        assert_eq!(err("year 2026\n2026-01-05 workday x"), "workday_on_weekday");
        assert_eq!(err("year 2026\n2026-01-04 holiday x\n2026-01-04 workday y"), "holiday_and_workday");
        assert_eq!(err("year 2026\n2026-01-01 holiday x\n2026-01-01 holiday x"), "duplicate_date");
    }

    #[test]
    fn parse_accepts_comments_weekend_holidays_and_late_year_lines() {
        let text =
            "\u{feff}# header\n\n2026-01-03 holiday 元旦 # a Saturday\n  2026-01-04 workday 元旦调休\nyear 2026\n";
        let cal = WorkCalendar::parse(text).expect("valid");
        assert!(cal.covers_year(2026));
        assert!(!cal.is_working_day(date(2026, 1, 3)));
        assert!(cal.is_working_day(date(2026, 1, 4)));
        assert_eq!(WorkCalendar::parse("").expect("empty is valid"), WorkCalendar::default());
    }

    #[test]
    fn merge_lets_the_newer_file_win() {
        let mut cal = WorkCalendar::parse("year 2026\n2026-01-04 workday x").expect("valid");
        let local = WorkCalendar::parse("year 2026\n2026-01-04 holiday y\n2026-01-05 holiday z").expect("valid");
        cal.merge(local);
        assert!(!cal.is_working_day(date(2026, 1, 4)));
        assert!(!cal.is_working_day(date(2026, 1, 5)));
        assert_eq!(cal.adjusted_workdays().count(), 0);
    }

    #[test]
    fn work_duration_serde() {
        assert_eq!(serde_json::to_string(&WorkDuration::Days(3)).expect("ser"), r#"{"days":3}"#);
        assert_eq!(serde_json::to_string(&WorkDuration::Hours(4)).expect("ser"), r#"{"hours":4}"#);
        let back: WorkDuration = serde_json::from_str(r#"{"hours":4}"#).expect("de");
        assert_eq!(back, WorkDuration::Hours(4));
    }

    /// Any instant from mid-2024 to mid-2027, to the nanosecond.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        let from = cst(2024, 6, 1, 0, 0).timestamp();
        let to = cst(2027, 6, 1, 0, 0).timestamp();
        (from..to, 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).expect("in range"))
    }

    /// An instant inside a working period of a working day.
    fn working_instant() -> impl Strategy<Value = DateTime<Utc>> {
        let cal = WorkCalendar::china();
        (0u64..1100, any::<bool>(), 0u32..(4 * 3600), 0u32..1_000_000_000).prop_filter_map(
            "a working day",
            move |(day, afternoon, secs, nanos)| {
                let d = date(2024, 6, 1).checked_add_days(Days::new(day))?;
                if !cal.is_working_day(d) {
                    return None;
                }
                let (from, to) = WORKING_PERIODS[usize::from(afternoon)];
                let time = from.overflowing_add_signed(TimeDelta::seconds(i64::from(secs))).0;
                if time >= to {
                    return None;
                }
                let local = d.and_time(time).checked_add_signed(TimeDelta::nanoseconds(i64::from(nanos)))?;
                to_utc(local)
            },
        )
    }

    proptest! {
        #[test]
        fn days_are_monotonic_and_end_at_close_of_a_working_day(start in instant(), n in 0u32..80) {
            let cal = WorkCalendar::china();
            let end = days(&cal, start, n);
            let next = days(&cal, start, n + 1);
            // Days(0) and Days(1) coincide when the start's date is not worked: both are the close
            // of the next working day. Otherwise each further day is a later working day.
            if n == 0 && !cal.is_working_day(to_local(start).date()) {
                prop_assert_eq!(end, next);
            } else {
                prop_assert!(end < next);
            }
            for at in [end, next] {
                let local = to_local(at);
                prop_assert!(cal.is_working_day(local.date()));
                prop_assert_eq!(local.time(), END_OF_WORKING_DAY);
            }
            if n > 0 {
                prop_assert!(to_local(end).date() > to_local(start).date());
            }
        }

        #[test]
        fn hours_from_inside_working_time_are_exact(start in working_instant(), n in 0u32..400) {
            let cal = WorkCalendar::china();
            let end = hours(&cal, start, n);
            prop_assert_eq!(cal.working_minutes_between(start, end), i64::from(n) * 60);
            prop_assert_eq!(cal.working_time_between(start, end), TimeDelta::hours(i64::from(n)));
        }

        #[test]
        fn hours_from_anywhere_count_only_working_time(start in instant(), n in 1u32..400) {
            let cal = WorkCalendar::china();
            let end = hours(&cal, start, n);
            prop_assert_eq!(cal.working_minutes_between(start, end), i64::from(n) * 60);
            // Ends inside (or at the end of) a working period of a working day.
            let local = to_local(end);
            prop_assert!(cal.is_working_day(local.date()));
            prop_assert!(WORKING_PERIODS.iter().any(|&(a, b)| a < local.time() && local.time() <= b));
        }

        #[test]
        fn counted_days_match_walked_days(a in 0u64..1100, len in 0u64..400) {
            let cal = WorkCalendar::china();
            let from = date(2024, 6, 1).checked_add_days(Days::new(a)).expect("in range");
            let to = from.checked_add_days(Days::new(len)).expect("in range");
            let walked = from.iter_days().take_while(|&d| d < to).filter(|&d| cal.is_working_day(d)).count();
            prop_assert_eq!(cal.count_working_days(from, to), i64::try_from(walked).expect("small"));
            let midnight = |d: NaiveDate| to_utc(d.and_time(NaiveTime::MIN)).expect("in range");
            prop_assert_eq!(
                cal.working_minutes_between(midnight(from), midnight(to)),
                i64::try_from(walked).expect("small") * WORKING_MINUTES_PER_DAY
            );
        }

        #[test]
        fn nth_working_day_matches_walking(a in 0u64..1100, n in 1u64..300) {
            let cal = WorkCalendar::china();
            let from = date(2024, 6, 1).checked_add_days(Days::new(a)).expect("in range");
            let walked = from
                .iter_days()
                .skip(1)
                .filter(|&d| cal.is_working_day(d))
                .nth(usize::try_from(n - 1).expect("small"));
            prop_assert_eq!(cal.nth_working_day_after(from, n), walked);
        }
    }
}
