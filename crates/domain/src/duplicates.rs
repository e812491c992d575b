//! Likely duplicates at intake: the same matter reported again is near in place, close in time
//! and worded alike. Each candidate earns points for each of the three, with the reasons kept so
//! the operator sees why it is proposed; candidates below the bar are not shown.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::case::GeoPoint;

/// Within this distance a place counts as the same (metres).
pub const NEAR_METRES: f64 = 300.0;
/// Within this time a report counts as close (days).
pub const CLOSE_DAYS: i64 = 14;
/// A candidate needs at least this score to be proposed.
pub const MIN_SCORE: f64 = 0.45;

/// What is known of a new report.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    /// Title and text.
    pub text: &'a str,
    /// Where, if known.
    pub point: Option<GeoPoint>,
    /// Its leaf area.
    pub area: &'a str,
    /// Its category, if chosen.
    pub category: Option<&'a str>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An earlier case, as compared.
#[derive(Debug, Clone)]
pub struct Earlier<'a> {
    /// Title and text.
    pub text: &'a str,
    /// Where, if known.
    pub point: Option<GeoPoint>,
    /// Its leaf area.
    pub area: &'a str,
    /// Its category.
    pub category: &'a str,
    /// Registered at.
    pub at: DateTime<Utc>,
}

/// Why a candidate is proposed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// This many metres apart.
    Near {
        /// Distance.
        metres: u32,
    },
    /// In the same grid (no points to compare).
    SameGrid,
    /// Reported this many hours apart.
    Close {
        /// Hours between.
        hours: u32,
    },
    /// Words in common (share of character pairs, 0–100).
    Similar {
        /// Percent.
        percent: u32,
    },
    /// The same category.
    SameCategory,
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judged {
    /// 0–1.
    pub score: f64,
    /// Why, strongest first.
    pub reasons: Vec<Reason>,
}

/// Great-circle distance in metres.
pub fn metres(a: GeoPoint, b: GeoPoint) -> f64 {
    let r = 6_371_000.0_f64;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dla = la2 - la1;
    let dlo = (b.lon - a.lon).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// The character pairs of a text's letters and digits.
fn pairs(text: &str) -> HashSet<(char, char)> {
    let mut out = HashSet::new();
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = run.chars().flat_map(char::to_lowercase).collect();
        for w in chars.windows(2) {
            out.insert((w[0], w[1]));
        }
    }
    out
}

/// How alike two texts are: the share of the shorter text's character pairs found in the other
/// (a short new report inside a long earlier one counts fully).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (pa, pb) = (pairs(a), pairs(b));
    let smaller = pa.len().min(pb.len());
    if smaller == 0 {
        return 0.0;
    }
    pa.intersection(&pb).count() as f64 / smaller as f64
}

/// Judges one earlier case against a new report; none when it is not a likely duplicate.
pub fn judge(new: &Probe<'_>, old: &Earlier<'_>) -> Option<Judged> {
    let mut score = 0.0;
    let mut reasons = Vec::new();
    let place = match (new.point, old.point) {
        (Some(a), Some(b)) => {
            let m = metres(a, b);
            if m > NEAR_METRES * 3.0 {
                return None;
            }
            reasons.push(Reason::Near { metres: m.round() as u32 });
            0.35 * (1.0 - (m / (NEAR_METRES * 3.0))).max(0.0)
        }
        _ if new.area == old.area => {
            reasons.push(Reason::SameGrid);
            0.2
        }
        _ => 0.0,
    };
    score += place;
    let hours = (new.at - old.at).num_hours().abs();
    if hours > CLOSE_DAYS * 24 {
        return None;
    }
    reasons.push(Reason::Close { hours: hours as u32 });
    score += 0.15 * (1.0 - hours as f64 / (CLOSE_DAYS * 24) as f64);
    let sim = similarity(new.text, old.text);
    reasons.push(Reason::Similar { percent: (sim * 100.0).round() as u32 });
    score += 0.4 * sim;
    if new.category == Some(old.category) {
        reasons.push(Reason::SameCategory);
        score += 0.1;
    }
    // Without a shared place there is no "same matter" to propose, nor without shared words or
    // category: a neighbour's other trouble is not this one.
    let same_category = new.category == Some(old.category);
    if place == 0.0 || (sim < 0.25 && !same_category) || score < MIN_SCORE {
        return None;
    }
    reasons.sort_by_key(|r| match r {
        Reason::Similar { .. } => 0,
        Reason::Near { .. } | Reason::SameGrid => 1,
        Reason::SameCategory => 2,
        Reason::Close { .. } => 3,
    });
    Some(Judged { score: score.min(1.0), reasons })
}

/// Judges an earlier case (its title and text, point, area, category and registration time)
/// against a new report.
pub fn judge_case(new: &Probe<'_>, old: &crate::case::CaseSnapshot) -> Option<Judged> {
    let words = format!("{} {}", old.title, old.text);
    let earlier = Earlier {
        text: &words,
        point: old.location,
        area: old.area.as_str(),
        category: old.category.as_str(),
        at: old.created_at,
    };
    judge(new, &earlier)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + h * 3600, 0).expect("time")
    }

    fn p(lon: f64, lat: f64) -> Option<GeoPoint> {
        Some(GeoPoint { lon, lat })
    }

    #[test]
    fn distance_is_in_metres() {
        let m = metres(GeoPoint { lon: 113.0, lat: 28.0 }, GeoPoint { lon: 113.0, lat: 28.001 });
        assert!((m - 111.2).abs() < 1.0, "{m}");
    }

    #[test]
    fn the_same_streetlight_again_is_proposed_with_its_reasons() {
        let new = Probe {
            text: "幸福路口的路灯不亮了",
            point: p(113.0, 28.0),
            area: "g1",
            category: Some("lights"),
            at: at(48),
        };
        let old = Earlier {
            text: "幸福路口路灯已经好几天不亮，晚上很黑",
            point: p(113.0005, 28.0005),
            area: "g1",
            category: "lights",
            at: at(0),
        };
        let j = judge(&new, &old).expect("a duplicate");
        assert!(j.score > 0.7, "{j:?}");
        assert!(matches!(j.reasons[0], Reason::Similar { percent } if percent >= 50), "{j:?}");
        assert!(j.reasons.contains(&Reason::SameCategory));
        assert!(j.reasons.iter().any(|r| matches!(r, Reason::Near { metres } if *metres < 100)));
    }

    #[test]
    fn far_old_or_unlike_reports_are_not_proposed() {
        let new = Probe {
            text: "幸福路口的路灯不亮了", point: p(113.0, 28.0), area: "g1", category: None, at: at(48)
        };
        let like = |point, at, text| Earlier { text, point, area: "g1", category: "lights", at };
        assert!(judge(&new, &like(p(113.02, 28.0), at(0), "幸福路口的路灯不亮了")).is_none(), "2 km away");
        assert!(judge(&new, &like(p(113.0, 28.0), at(-24 * 30), "幸福路口的路灯不亮了")).is_none(), "a month before");
        assert!(judge(&new, &like(p(113.0, 28.0), at(40), "楼上装修噪音太大")).is_none(), "another matter");
        let elsewhere =
            Earlier { text: "幸福路口的路灯不亮了", point: None, area: "g2", category: "lights", at: at(40) };
        assert!(judge(&Probe { point: None, ..new.clone() }, &elsewhere).is_none(), "no shared place");
        let same_grid = Earlier { area: "g1", ..elsewhere };
        assert!(judge(&Probe { point: None, ..new }, &same_grid).is_some(), "same grid, same words");
    }

    #[test]
    fn similarity_counts_a_short_report_inside_a_long_one() {
        assert!((similarity("路灯不亮", "东门小区门口的路灯不亮已经三天") - 1.0).abs() < 1e-9);
        assert!(similarity("路灯不亮", "噪音扰民") < 0.01);
        assert_eq!(similarity("", "路灯"), 0.0);
    }
}
