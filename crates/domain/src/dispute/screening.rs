//! Screening (矛盾纠纷排查): each village or community screens weekly, each township or street
//! monthly (DESIGN §5). A screening not held in its period is overdue.

use chrono::{Datelike, Days, NaiveDate};

use super::kinds::Tier;

/// The period a screening covers: a Monday-to-Sunday week for villages, a calendar month for
/// townships; the county centre is not on a screening rhythm.
pub fn period(tier: Tier, day: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    match tier {
        Tier::Village => {
            let monday = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
            Some((monday, monday + Days::new(6)))
        }
        Tier::Township => {
            let first = day.with_day(1)?;
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
            };
            Some((first, next - Days::new(1)))
        }
        Tier::County => None,
    }
}

/// The periods before `today`'s that ended without a screening, most recent first, looking back
/// at most `lookback` periods. `held` are the days screenings were recorded.
pub fn missed(tier: Tier, held: &[NaiveDate], today: NaiveDate, lookback: usize) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let Some((start, _)) = period(tier, today) else { return out };
    let mut cursor = start;
    for _ in 0..lookback {
        let Some(prev_day) = cursor.pred_opt() else { break };
        let Some((from, to)) = period(tier, prev_day) else { break };
        if !held.iter().any(|d| (from..=to).contains(d)) {
            out.push((from, to));
        }
        cursor = from;
    }
    out
}

/// Whether the current period still needs its screening (not overdue yet, but due).
pub fn due_now(tier: Tier, held: &[NaiveDate], today: NaiveDate) -> bool {
    period(tier, today).is_some_and(|(from, to)| !held.iter().any(|d| (from..=to).contains(d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn villages_screen_weekly_and_townships_monthly() {
        // 2026-11-23 is a Monday.
        assert_eq!(period(Tier::Village, d(11, 25)), Some((d(11, 23), d(11, 29))));
        assert_eq!(period(Tier::Township, d(12, 31)), Some((d(12, 1), d(12, 31))));
        assert_eq!(period(Tier::County, d(12, 31)), None);
        // Screened in the week of 9 November only: the weeks of 16 and 2 November are missed.
        let held = [d(11, 12)];
        assert_eq!(missed(Tier::Village, &held, d(11, 25), 3), vec![(d(11, 16), d(11, 22)), (d(11, 2), d(11, 8))]);
        assert!(due_now(Tier::Village, &held, d(11, 25)));
        assert!(!due_now(Tier::Village, &[d(11, 23)], d(11, 25)));
        // A township that screened in October but not September, looking at two months back.
        assert_eq!(missed(Tier::Township, &[d(10, 30)], d(11, 5), 2), vec![(d(9, 1), d(9, 30))]);
        // January looks back into December of the year before.
        let jan = NaiveDate::from_ymd_opt(2027, 1, 10).expect("d");
        assert_eq!(missed(Tier::Township, &[], jan, 1), vec![(d(12, 1), d(12, 31))]);
    }
}
