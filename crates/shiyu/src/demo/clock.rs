//! Office time for the synthetic histories: staff act inside working periods of working days
//! (the same calendar that sets deadlines), so a history reads like a real office's.

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use shiyu_domain::deadline::WorkCalendar;
use shiyu_domain::deadline::calendar::WORKING_PERIODS;
use shiyu_domain::time::SHANGHAI;

/// Working-time arithmetic over a calendar.
pub(super) struct Clock<'a> {
    cal: &'a WorkCalendar,
}

fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&SHANGHAI).naive_local()
}

fn utc(n: NaiveDateTime) -> DateTime<Utc> {
    (n - TimeDelta::seconds(i64::from(SHANGHAI.local_minus_utc()))).and_utc()
}

impl<'a> Clock<'a> {
    /// A clock over `cal`.
    pub fn new(cal: &'a WorkCalendar) -> Self {
        Self { cal }
    }

    /// `minutes` of working time after `t`, counted inside working periods only. With 0, the
    /// next working instant (`t` itself when it is inside a period).
    pub fn add_work(&self, t: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut cur = local(t);
        let mut left = TimeDelta::minutes(minutes.max(0));
        // Long holidays are at most a few weeks; the bound only guards against a broken calendar.
        for _ in 0..20_000 {
            let date = cur.date();
            if self.cal.is_working_day(date) {
                for (start, end) in WORKING_PERIODS {
                    let period_end = date.and_time(end);
                    if cur < period_end {
                        let from = date.and_time(start).max(cur);
                        let available = period_end - from;
                        if left <= available {
                            return utc(from + left);
                        }
                        left -= available;
                        cur = period_end;
                    }
                }
            }
            match date.succ_opt() {
                Some(next) => cur = next.and_time(NaiveTime::MIN),
                None => break,
            }
        }
        t + TimeDelta::minutes(minutes.max(0))
    }

    /// Whole working minutes from `a` to `b`.
    pub fn work_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.cal.working_minutes_between(a, b)
    }

    /// The local hour of an instant.
    pub fn local_hour(t: DateTime<Utc>) -> u32 {
        use chrono::Timelike as _;
        local(t).hour()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn counts_only_working_periods() {
        let cal = WorkCalendar::default();
        let c = Clock::new(&cal);
        // Friday 2026-03-06 11:30 Shanghai = 03:30 UTC.
        let fri = Utc.with_ymd_and_hms(2026, 3, 6, 3, 30, 0).single().expect("valid");
        // 30 minutes to noon, lunch skipped, 30 more: 14:00 local = 06:00 UTC.
        assert_eq!(c.add_work(fri, 60), Utc.with_ymd_and_hms(2026, 3, 6, 6, 0, 0).single().expect("valid"));
        // 30 + 240 minutes finish Friday; 10 more is Monday 09:10 local = 01:10 UTC.
        assert_eq!(c.add_work(fri, 280), Utc.with_ymd_and_hms(2026, 3, 9, 1, 10, 0).single().expect("valid"));
        // Saturday evening snaps to Monday 09:00.
        let sat = Utc.with_ymd_and_hms(2026, 3, 7, 12, 0, 0).single().expect("valid");
        assert_eq!(c.add_work(sat, 0), Utc.with_ymd_and_hms(2026, 3, 9, 1, 0, 0).single().expect("valid"));
    }
}
