//! Report periods (the rhythm of DESIGN §8: weekly meeting, monthly dispatch, quarterly analysis,
//! annual summary): the period containing a day, the one before, and the same one a year earlier.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::DomainError;

crate::case::kinds::vocabulary!(
    /// How long a report's period is.
    ReportKind, "report_kind", {
        /// 周报
        Weekly = "weekly", "周报", "Weekly report";
        /// 月报
        Monthly = "monthly", "月报", "Monthly report";
        /// 季报
        Quarterly = "quarterly", "季度分析", "Quarterly analysis";
        /// 年报
        Annual = "annual", "年度总结", "Annual summary";
    }
);

/// A report's period: first and last local day, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPeriod {
    /// Kind.
    pub kind: ReportKind,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

fn months(kind: ReportKind) -> u32 {
    match kind {
        ReportKind::Weekly => 0,
        ReportKind::Monthly => 1,
        ReportKind::Quarterly => 3,
        ReportKind::Annual => 12,
    }
}

impl ReportPeriod {
    /// The period of `kind` that contains `day` (weeks run Monday to Sunday).
    pub fn containing(kind: ReportKind, day: NaiveDate) -> Self {
        let from = match kind {
            ReportKind::Weekly => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            ReportKind::Monthly => day.with_day(1).unwrap_or(day),
            ReportKind::Quarterly => {
                NaiveDate::from_ymd_opt(day.year(), (day.month() - 1) / 3 * 3 + 1, 1).unwrap_or(day)
            }
            ReportKind::Annual => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
        };
        Self::starting(kind, from)
    }

    fn starting(kind: ReportKind, from: NaiveDate) -> Self {
        let next = match kind {
            ReportKind::Weekly => from + Days::new(7),
            _ => from.checked_add_months(Months::new(months(kind))).unwrap_or(from),
        };
        Self { kind, from, to: next.pred_opt().unwrap_or(next) }
    }

    /// The period that starts on `start`, which must be a period start of its kind.
    pub fn parse(kind: ReportKind, start: NaiveDate) -> Result<Self, DomainError> {
        let p = Self::containing(kind, start);
        if p.from == start { Ok(p) } else { Err(DomainError::invalid("start", "not_a_period_start")) }
    }

    /// The period just before.
    pub fn previous(self) -> Self {
        Self::containing(self.kind, self.from.pred_opt().unwrap_or(self.from))
    }

    /// The same period a year earlier (for weeks: the week containing the same date a year ago).
    pub fn year_before(self) -> Self {
        Self::containing(self.kind, self.from.checked_sub_months(Months::new(12)).unwrap_or(self.from))
    }

    /// The period in words, e.g. `2026年11月`, `2026年第4季度`, `2026年11月23日—11月29日`.
    pub fn label_zh(self) -> String {
        let (y, m) = (self.from.year(), self.from.month());
        match self.kind {
            ReportKind::Weekly => format!("{y}年{m}月{}日—{}月{}日", self.from.day(), self.to.month(), self.to.day()),
            ReportKind::Monthly => format!("{y}年{m}月"),
            ReportKind::Quarterly => format!("{y}年第{}季度", (m - 1) / 3 + 1),
            ReportKind::Annual => format!("{y}年"),
        }
    }

    /// The period in English words.
    pub fn label_en(self) -> String {
        match self.kind {
            ReportKind::Weekly => format!("week of {} to {}", self.from, self.to),
            ReportKind::Monthly => self.from.format("%B %Y").to_string(),
            ReportKind::Quarterly => format!("Q{} {}", (self.from.month() - 1) / 3 + 1, self.from.year()),
            ReportKind::Annual => self.from.year().to_string(),
        }
    }
}

/// The change from `before` to `now` in per mille of `before` (`None` when `before` is zero).
pub fn change_permille(now: i64, before: i64) -> Option<i64> {
    // Half away from zero, symmetric for rises and falls.
    (before != 0).then(|| {
        let num = (now - before) * 1000;
        let q = (num.abs() * 2 + before.abs()) / (2 * before.abs());
        if (num < 0) != (before < 0) { -q } else { q }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn periods_their_neighbours_and_labels() {
        let w = ReportPeriod::containing(ReportKind::Weekly, d(2026, 11, 25));
        assert_eq!((w.from, w.to), (d(2026, 11, 23), d(2026, 11, 29)));
        assert_eq!(w.previous().from, d(2026, 11, 16));
        let m = ReportPeriod::containing(ReportKind::Monthly, d(2026, 2, 14));
        assert_eq!((m.from, m.to), (d(2026, 2, 1), d(2026, 2, 28)));
        assert_eq!(m.previous(), ReportPeriod::containing(ReportKind::Monthly, d(2026, 1, 31)));
        assert_eq!(m.year_before().from, d(2025, 2, 1));
        let q = ReportPeriod::containing(ReportKind::Quarterly, d(2026, 11, 23));
        assert_eq!((q.from, q.to), (d(2026, 10, 1), d(2026, 12, 31)));
        assert_eq!(q.label_zh(), "2026年第4季度");
        assert_eq!(q.previous().from, d(2026, 7, 1));
        let y = ReportPeriod::containing(ReportKind::Annual, d(2026, 11, 23));
        assert_eq!((y.from, y.to, y.previous().from), (d(2026, 1, 1), d(2026, 12, 31), d(2025, 1, 1)));
        let jan = ReportPeriod::containing(ReportKind::Monthly, d(2027, 1, 5));
        assert_eq!(jan.previous().from, d(2026, 12, 1), "January looks back into December");
        assert_eq!(
            ReportPeriod::parse(ReportKind::Monthly, d(2026, 11, 2)),
            Err(DomainError::invalid("start", "not_a_period_start"))
        );
        assert_eq!(m.label_zh(), "2026年2月");
        assert_eq!(w.label_zh(), "2026年11月23日—11月29日");
        assert_eq!(change_permille(110, 100), Some(100));
        assert_eq!(change_permille(90, 100), Some(-100));
        assert_eq!(change_permille(5, 0), None);
    }
}
