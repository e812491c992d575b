//! Early warning (预警): for an area × category, this week's requests against what the area's own
//! history predicts. The prediction is the mean of the last eight weeks, scaled by last year's
//! seasonal swing at the same time of year when last year has enough data; the control limit is
//! the prediction plus three Poisson standard deviations. A week at or over the limit, with at
//! least [`AlertRules::min_count`] requests, raises an alert.

use serde::Serialize;

/// The tuning of the rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRules {
    /// Weeks of recent history the baseline averages.
    pub recent_weeks: usize,
    /// Standard deviations above the prediction that make the limit.
    pub sigmas: f64,
    /// Fewest requests in the week for an alert (three reports of a pothole are not a surge).
    pub min_count: i64,
    /// Fewest requests in last year's comparison weeks for the seasonal swing to be used.
    pub min_seasonal: i64,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self { recent_weeks: 8, sigmas: 3.0, min_count: 5, min_seasonal: 20 }
    }
}

/// One series' weekly counts, oldest first; the last is the week being judged. `year_ago` holds
/// the same weeks a year earlier (aligned with `weeks`, same length), when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Weekly counts, oldest first, the current week last.
    pub weeks: Vec<i64>,
    /// The same weeks a year earlier.
    pub year_ago: Option<Vec<i64>>,
}

/// The judgement of the current week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Judgement {
    /// This week's count.
    pub count: i64,
    /// What history predicts.
    pub expected: f64,
    /// The control limit.
    pub limit: f64,
    /// The seasonal factor used (1 without last year).
    pub seasonal: f64,
    /// Whether it raises an alert.
    pub alert: bool,
}

fn mean(v: &[i64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<i64>() as f64 / v.len() as f64 }
}

/// Judges the last week of a series.
pub fn judge(s: &Series, rules: &AlertRules) -> Option<Judgement> {
    let (&count, history) = s.weeks.split_last()?;
    let recent = &history[history.len().saturating_sub(rules.recent_weeks)..];
    let base = mean(recent);
    let seasonal = match &s.year_ago {
        Some(ya) if ya.len() == s.weeks.len() => {
            let (&then, before) = ya.split_last()?;
            let before = &before[before.len().saturating_sub(rules.recent_weeks)..];
            let then_base = mean(before);
            let total: i64 = before.iter().sum::<i64>() + then;
            if total >= rules.min_seasonal && then_base > 0.0 {
                // Last year's swing from its recent weeks into this week, kept within reason.
                (then as f64 / then_base).clamp(0.5, 3.0)
            } else {
                1.0
            }
        }
        _ => 1.0,
    };
    let expected = base * seasonal;
    // A quiet history still has a floor: one request a week is not "nothing expected".
    let limit = expected + rules.sigmas * expected.max(1.0).sqrt();
    Some(Judgement { count, expected, limit, seasonal, alert: count >= rules.min_count && count as f64 >= limit })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn s(weeks: &[i64]) -> Series {
        Series { weeks: weeks.to_vec(), year_ago: None }
    }

    #[test]
    fn a_surge_over_a_steady_history_alerts_and_noise_does_not() {
        let r = AlertRules::default();
        let steady = [4, 5, 3, 4, 6, 4, 5, 4];
        let mut w = steady.to_vec();
        w.push(7);
        assert!(!judge(&s(&w), &r).expect("j").alert, "7 after ~4.4 a week is noise");
        w.pop();
        w.push(15);
        let j = judge(&s(&w), &r).expect("j");
        assert!(j.alert, "{j:?}");
        assert!((j.expected - 4.375).abs() < 1e-9);
        // Too few to matter.
        assert!(!judge(&s(&[0, 0, 0, 0, 0, 0, 0, 0, 4]), &r).expect("j").alert);
        assert!(judge(&s(&[0, 0, 0, 0, 0, 0, 0, 0, 5]), &r).expect("j").alert, "from nothing to five is a signal");
        assert_eq!(judge(&s(&[]), &r), None);
    }

    #[test]
    fn a_season_that_always_rises_is_expected() {
        let r = AlertRules::default();
        // Every summer the drains overflow: last year the same week tripled.
        let mut w = vec![5; 8];
        w.push(15);
        let mut ya = vec![6; 8];
        ya.push(18);
        let with = Series { weeks: w.clone(), year_ago: Some(ya) };
        let j = judge(&with, &r).expect("j");
        assert!((j.seasonal - 3.0).abs() < 1e-9 && !j.alert, "{j:?}");
        assert!(judge(&s(&w), &r).expect("j").alert, "without last year the same week is a surge");
        // Too little last year to trust a swing.
        let thin = Series { weeks: w, year_ago: Some(vec![0, 0, 0, 0, 0, 0, 0, 1, 3]) };
        assert_eq!(judge(&thin, &r).expect("j").seasonal, 1.0);
    }

    proptest! {
        /// More requests this week never turn an alert off; fewer never turn one on.
        #[test]
        fn alerts_are_monotone_in_the_current_week(history in prop::collection::vec(0i64..40, 1..12), now in 0i64..80, more in 0i64..40) {
            let r = AlertRules::default();
            let mut a = history.clone();
            a.push(now);
            let mut b = history;
            b.push(now + more);
            let (ja, jb) = (judge(&s(&a), &r).expect("a"), judge(&s(&b), &r).expect("b"));
            prop_assert!(!ja.alert || jb.alert, "{:?} {:?}", ja, jb);
            prop_assert!(ja.limit >= ja.expected);
        }
    }
}
