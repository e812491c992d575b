//! What earns how many points, and the star levels of volunteers (星级志愿者).
//!
//! Rules are set per area by its staff and apply to its subtree (the nearest area up the tree
//! that has rules wins; none anywhere means [`PointRules::default`]). Star levels follow the
//! thresholds of China's volunteer service records by default: one star at 100 hours of service,
//! two at 300, three at 600, four at 1,000, five at 1,500.
//!
//! A report "proves true" when the resident's case is closed (销号, or archived after it) with a
//! result the rules count as true — by default `resolved` (已解决): the matter existed and was put
//! right. A case not accepted, merged as a duplicate, or closed as merely explained earns nothing.

use serde::{Deserialize, Serialize};

use super::amount::{Minutes, Points};
use crate::DomainError;
use crate::case::{CaseSnapshot, CaseState, Reporter, ResultKind};
use crate::ids::UserId;

/// The largest amount a rule may award at once.
pub const MAX_AWARD: i64 = 10_000;

/// The configurable rules of one area's subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointRules {
    /// Points for a report that proves true.
    pub report_true: Points,
    /// Points per hour of volunteer service (pro rata by the minute, rounded down).
    pub per_service_hour: Points,
    /// Points for attending a meeting or activity.
    pub attendance: Points,
    /// The case results that make a closed report true.
    pub true_results: Vec<ResultKind>,
    /// Service hours for one to five stars, strictly increasing.
    pub star_hours: [u32; 5],
}

impl Default for PointRules {
    fn default() -> Self {
        Self {
            report_true: Points::new("report_true", 20).unwrap_or_default(),
            per_service_hour: Points::new("per_service_hour", 10).unwrap_or_default(),
            attendance: Points::new("attendance", 5).unwrap_or_default(),
            true_results: vec![ResultKind::Resolved],
            star_hours: [100, 300, 600, 1000, 1500],
        }
    }
}

/// A volunteer's star level, 0 (not yet) to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StarLevel(pub u8);

impl StarLevel {
    /// Filled and empty stars, e.g. `★★☆☆☆`.
    pub fn glyphs(self) -> String {
        let n = usize::from(self.0.min(5));
        format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
    }

    /// The title, e.g. `二星志愿者` / `2-star volunteer`; level 0 is a registered volunteer.
    pub fn label_zh(self) -> String {
        const N: [&str; 6] = ["", "一", "二", "三", "四", "五"];
        match self.0 {
            0 => "注册志愿者".to_owned(),
            n => format!("{}星志愿者", N[usize::from(n.min(5))]),
        }
    }

    /// The English title.
    pub fn label_en(self) -> String {
        match self.0 {
            0 => "Registered volunteer".to_owned(),
            n => format!("{}-star volunteer", n.min(5)),
        }
    }
}

impl PointRules {
    /// Checks configured rules: amounts at most [`MAX_AWARD`], star thresholds positive and
    /// strictly increasing, no result listed twice.
    pub fn check(self) -> Result<Self, DomainError> {
        for (field, p) in [
            ("report_true", self.report_true),
            ("per_service_hour", self.per_service_hour),
            ("attendance", self.attendance),
        ] {
            if p.get() > MAX_AWARD {
                return Err(DomainError::invalid(field, "out_of_range"));
            }
        }
        if self.star_hours[0] == 0 || self.star_hours.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DomainError::invalid("star_hours", "not_increasing"));
        }
        if self.star_hours[4] > 100_000 {
            return Err(DomainError::invalid("star_hours", "out_of_range"));
        }
        let mut seen = self.true_results.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != self.true_results.len() {
            return Err(DomainError::invalid("true_results", "duplicate"));
        }
        Ok(self)
    }

    /// Parses star thresholds as typed: five whole numbers of hours separated by commas or spaces.
    pub fn parse_star_hours(text: &str) -> Result<[u32; 5], DomainError> {
        let bad = || DomainError::invalid("star_hours", "five_numbers");
        let parts: Vec<&str> = text.split([',', '，', ' ', '、']).map(str::trim).filter(|s| !s.is_empty()).collect();
        if parts.len() != 5 {
            return Err(bad());
        }
        let mut out = [0u32; 5];
        for (slot, p) in out.iter_mut().zip(parts) {
            if p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            *slot = p.parse().map_err(|_| bad())?;
        }
        Ok(out)
    }

    /// The star level reached with this much service.
    pub fn stars(&self, served: Minutes) -> StarLevel {
        let hours = served.whole_hours();
        StarLevel(self.star_hours.iter().filter(|h| hours >= **h).count() as u8)
    }

    /// The next level and the hours still needed for it, or `None` at five stars.
    pub fn next_star(&self, served: Minutes) -> Option<(StarLevel, Minutes)> {
        let now = self.stars(served).0;
        let threshold = *self.star_hours.get(usize::from(now))?;
        Some((StarLevel(now + 1), Minutes((threshold * 60).saturating_sub(served.0))))
    }

    /// Points for this much volunteer service: the hourly rate pro rata by the minute, rounded
    /// down (so 90 minutes at 10 an hour pay 15, and 5 minutes pay nothing).
    pub fn service_points(&self, served: Minutes) -> Points {
        let v = self.per_service_hour.get().saturating_mul(i64::from(served.0)) / 60;
        Points::new("points", v.min(Points::MAX)).unwrap_or_default()
    }

    /// Who earns what for a case: the reporting account and [`PointRules::report_true`], when the
    /// case is closed (or archived) with a result these rules count as true. Whether that account
    /// is a resident's is for the caller to check (staff reporting for work earn nothing).
    pub fn report_award(&self, case: &CaseSnapshot) -> Option<(UserId, Points)> {
        if !matches!(case.state, CaseState::Closed | CaseState::Archived) || self.report_true.is_zero() {
            return None;
        }
        let result = case.result?;
        if !self.true_results.contains(&result) {
            return None;
        }
        match case.reporter {
            Reporter::Account { user } => Some((user, self.report_true)),
            Reporter::Anonymous | Reporter::Contact => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_stars_follow_the_national_thresholds() {
        let r = PointRules::default();
        let at = |h: u32| r.stars(Minutes(h * 60)).0;
        assert_eq!(
            [at(0), at(99), at(100), at(299), at(300), at(600), at(999), at(1000), at(1500), at(9000)],
            [0, 0, 1, 1, 2, 3, 3, 4, 5, 5]
        );
        // 99 h 59 min is still short of the first star.
        assert_eq!(r.stars(Minutes(100 * 60 - 1)).0, 0);
        assert_eq!(r.next_star(Minutes(90 * 60)), Some((StarLevel(1), Minutes(600))));
        assert_eq!(r.next_star(Minutes(1500 * 60)), None);
        assert_eq!(StarLevel(2).glyphs(), "★★☆☆☆");
        assert_eq!(StarLevel(3).label_zh(), "三星志愿者");
        assert_eq!(StarLevel(0).label_en(), "Registered volunteer");
    }

    #[test]
    fn service_pays_pro_rata_rounded_down() {
        let r = PointRules::default();
        assert_eq!(r.service_points(Minutes(90)).get(), 15);
        assert_eq!(r.service_points(Minutes(5)).get(), 0);
        assert_eq!(r.service_points(Minutes(120)).get(), 20);
        let big = PointRules { per_service_hour: Points::new("p", 10_000).expect("p"), ..PointRules::default() };
        assert_eq!(big.service_points(Minutes(u32::MAX)).get(), Points::MAX, "capped, never overflowing");
    }

    #[test]
    fn configured_rules_are_checked_naming_the_field() {
        let ok = PointRules { star_hours: [1, 2, 3, 4, 5], ..PointRules::default() };
        assert!(ok.clone().check().is_ok());
        let flat = PointRules { star_hours: [1, 2, 2, 4, 5], ..PointRules::default() };
        assert_eq!(flat.check(), Err(DomainError::invalid("star_hours", "not_increasing")));
        let zero = PointRules { star_hours: [0, 2, 3, 4, 5], ..PointRules::default() };
        assert_eq!(zero.check(), Err(DomainError::invalid("star_hours", "not_increasing")));
        let rich = PointRules { attendance: Points::new("a", MAX_AWARD + 1).expect("p"), ..PointRules::default() };
        assert_eq!(rich.check(), Err(DomainError::invalid("attendance", "out_of_range")));
        let twice = PointRules { true_results: vec![ResultKind::Resolved, ResultKind::Resolved], ..ok };
        assert_eq!(twice.check(), Err(DomainError::invalid("true_results", "duplicate")));
        assert_eq!(PointRules::parse_star_hours("10, 20，30 40、50"), Ok([10, 20, 30, 40, 50]));
        for bad in ["10,20,30,40", "10,20,30,40,50,60", "a,b,c,d,e", "1,2,3,4,-5"] {
            assert_eq!(
                PointRules::parse_star_hours(bad),
                Err(DomainError::invalid("star_hours", "five_numbers")),
                "{bad}"
            );
        }
    }
}
