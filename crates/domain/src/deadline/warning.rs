//! The yellow/red warning (黄牌预警/红牌超期) shown on a case with a running deadline.
//!
//! Boards sort and colour cases by this, so those who must act see what is about to expire before
//! it does. The share is measured in working time, not calendar time: a 1-working-day limit set on
//! Friday evening is not "mostly gone" by Monday morning.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use crate::DomainError;

/// The share of its working time after which a case turns yellow, unless configured otherwise.
pub const DEFAULT_YELLOW_SHARE: f64 = 0.8;

/// How close a case is to its deadline. Ordered by gravity, so boards can sort by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    /// Within time.
    Normal,
    /// Most of the time used (黄牌预警).
    Yellow,
    /// Overdue (红牌超期).
    Red,
}

impl Warning {
    /// Every value, in order of gravity.
    pub const ALL: &'static [Warning] = &[Warning::Normal, Warning::Yellow, Warning::Red];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::Normal => "normal",
            Warning::Yellow => "yellow",
            Warning::Red => "red",
        }
    }

    /// Parses the wire name; the error names the field `warning`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Warning::ALL
            .iter()
            .copied()
            .find(|w| w.as_str() == text)
            .ok_or(DomainError::invalid("warning", "unknown_value"))
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Warning::Normal => "正常",
            Warning::Yellow => "黄牌预警",
            Warning::Red => "红牌超期",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Warning::Normal => "On time",
            Warning::Yellow => "Yellow warning",
            Warning::Red => "Red: overdue",
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The warning for a deadline running from `start` to `due`, seen at `now`.
///
/// Red once `now` is after `due`. Otherwise yellow when the working time elapsed since `start` is
/// at least `yellow_share` of the working time from `start` to `due`, so a case whose window holds
/// no working time at all is yellow until it is red. `yellow_share` is clamped to 0..=1; NaN means
/// [`DEFAULT_YELLOW_SHARE`], so a bad setting cannot hide every warning.
pub fn warning(
    cal: &WorkCalendar,
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    yellow_share: f64,
) -> Warning {
    if now > due {
        return Warning::Red;
    }
    let share = if yellow_share.is_nan() { DEFAULT_YELLOW_SHARE } else { yellow_share.clamp(0.0, 1.0) };
    // Compared in seconds: minutes would blur the boundary of one-hour limits.
    let seconds = |d: TimeDelta| d.num_seconds() as f64 + f64::from(d.subsec_nanos()) * 1e-9;
    let total = seconds(cal.working_time_between(start, due));
    let elapsed = seconds(cal.working_time_between(start, now));
    if elapsed >= share * total { Warning::Yellow } else { Warning::Normal }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::calendar::WorkDuration;
    use crate::time::SHANGHAI;
    use chrono::TimeZone;

    fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        SHANGHAI.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid local time").with_timezone(&Utc)
    }

    #[test]
    fn boundaries_of_a_ten_hour_window() {
        let cal = WorkCalendar::china();
        // Tuesday 09:00 + 10 working hours = Wednesday 12:00; 80% is 8 hours = Wednesday 10:00.
        let start = cst(2025, 3, 4, 9, 0);
        let due = cal.add(start, WorkDuration::Hours(10));
        assert_eq!(due, cst(2025, 3, 5, 12, 0));
        let at = |now| warning(&cal, start, due, now, DEFAULT_YELLOW_SHARE);
        assert_eq!(at(start), Warning::Normal);
        assert_eq!(at(cst(2025, 3, 4, 23, 0)), Warning::Normal);
        assert_eq!(at(cst(2025, 3, 5, 9, 59)), Warning::Normal);
        assert_eq!(at(cst(2025, 3, 5, 10, 0)), Warning::Yellow);
        assert_eq!(at(due), Warning::Yellow);
        assert_eq!(at(due + TimeDelta::seconds(1)), Warning::Red);
        assert_eq!(at(cst(2025, 3, 5, 13, 0)), Warning::Red);
    }

    #[test]
    fn the_share_is_of_working_time_not_calendar_time() {
        let cal = WorkCalendar::china();
        // Eve of National Day 2025, one working day: 17:30 on 9 October. Mid-holiday only the
        // half hour of 30 September has been used, out of 7.5 hours.
        let start = cst(2025, 9, 30, 17, 0);
        let due = cal.add(start, WorkDuration::Days(1));
        assert_eq!(due, cst(2025, 10, 9, 17, 30));
        assert_eq!(warning(&cal, start, due, cst(2025, 10, 5, 12, 0), 0.8), Warning::Normal);
        // 6 of 7.5 hours used at 16:00 on 9 October (0.5 + 3 + 2.5).
        assert_eq!(warning(&cal, start, due, cst(2025, 10, 9, 15, 59), 0.8), Warning::Normal);
        assert_eq!(warning(&cal, start, due, cst(2025, 10, 9, 16, 0), 0.8), Warning::Yellow);
    }

    #[test]
    fn odd_shares_and_windows() {
        let cal = WorkCalendar::china();
        let start = cst(2025, 3, 4, 9, 0);
        let due = cst(2025, 3, 4, 17, 30);
        let noon = cst(2025, 3, 4, 12, 0);
        assert_eq!(warning(&cal, start, due, start, 0.0), Warning::Yellow);
        assert_eq!(warning(&cal, start, due, noon, 1.5), Warning::Normal);
        assert_eq!(warning(&cal, start, due, due, 1.5), Warning::Yellow);
        assert_eq!(warning(&cal, start, due, noon, f64::NAN), Warning::Normal);
        // NaN means 0.8 of 7 hours = 5.6 hours: 16:00 is 5.5 hours in, 16:30 is 6.
        assert_eq!(warning(&cal, start, due, cst(2025, 3, 4, 16, 0), f64::NAN), Warning::Normal);
        assert_eq!(warning(&cal, start, due, cst(2025, 3, 4, 16, 30), f64::NAN), Warning::Yellow);
        // A window with no working time (Saturday to Sunday) is yellow until it is red.
        let (sat, sun) = (cst(2025, 3, 8, 10, 0), cst(2025, 3, 9, 10, 0));
        assert_eq!(warning(&cal, sat, sun, sat, DEFAULT_YELLOW_SHARE), Warning::Yellow);
        assert_eq!(warning(&cal, sat, sun, sun + TimeDelta::minutes(1), DEFAULT_YELLOW_SHARE), Warning::Red);
    }

    #[test]
    fn names_and_labels() {
        for &w in Warning::ALL {
            assert_eq!(Warning::parse(w.as_str()), Ok(w));
            assert_eq!(serde_json::to_string(&w).expect("ser"), format!("\"{}\"", w.as_str()));
            assert_eq!(w.to_string(), w.as_str());
        }
        assert_eq!(Warning::Yellow.label_zh(), "黄牌预警");
        assert_eq!(Warning::Red.label_zh(), "红牌超期");
        assert_eq!(Warning::Normal.label_zh(), "正常");
        assert!(Warning::Normal < Warning::Yellow && Warning::Yellow < Warning::Red);
        assert!(Warning::parse("amber").is_err());
    }
}
