//! Care groups (关爱对象): residents a grid visits regularly so that help reaches them. A tag and a
//! visit rhythm, nothing more (DESIGN §2): no scores, no risk labels, no other categories of people.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::case::kinds::vocabulary;

vocabulary!(
    /// A care group.
    CareGroup, "care", {
        /// 独居老人
        ElderlyAlone = "elderly_alone", "独居老人", "Elderly living alone";
        /// 留守儿童
        LeftBehindChild = "left_behind_child", "留守儿童", "Left-behind child";
        /// 残疾人
        Disability = "disability", "残疾人", "Person with disabilities";
        /// 困难家庭
        Hardship = "hardship", "困难家庭", "Household in hardship";
    }
);

impl CareGroup {
    /// The default visit rhythm in days: elderly people living alone weekly, left-behind children
    /// every two weeks, people with disabilities and households in hardship monthly.
    pub fn visit_every_days(self) -> u64 {
        match self {
            Self::ElderlyAlone => 7,
            Self::LeftBehindChild => 14,
            Self::Disability | Self::Hardship => 30,
        }
    }

    /// When the next visit is due: a rhythm after the last visit since tagging; someone newly
    /// tagged (or not visited since) is due at once, so help starts with a visit.
    pub fn visit_due(self, tagged_on: NaiveDate, last_visit: Option<NaiveDate>) -> NaiveDate {
        match last_visit {
            Some(v) if v >= tagged_on => v.checked_add_days(Days::new(self.visit_every_days())).unwrap_or(v),
            _ => tagged_on,
        }
    }
}

/// Parses a list of care groups as a spreadsheet cell holds them (`独居老人；残疾人`, `、`, `,`),
/// without repeats, in a stable order.
pub fn parse_list(cell: &str) -> Result<Vec<CareGroup>, DomainError> {
    let mut out: Vec<CareGroup> = Vec::new();
    for part in cell.split([';', '；', '、', ',', '，', '|']).map(str::trim).filter(|p| !p.is_empty()) {
        let g = CareGroup::parse_any(part)?;
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out.sort();
    Ok(out)
}

/// A cell holding care groups, as [`parse_list`] reads it.
pub fn format_list(groups: &[CareGroup]) -> String {
    groups.iter().map(|g| g.label_zh()).collect::<Vec<_>>().join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn visits_fall_due_a_rhythm_after_the_last() {
        assert_eq!(CareGroup::ElderlyAlone.visit_due(d(11, 1), None), d(11, 1), "newly tagged: due at once");
        assert_eq!(CareGroup::ElderlyAlone.visit_due(d(11, 1), Some(d(11, 20))), d(11, 27));
        assert_eq!(CareGroup::Hardship.visit_due(d(11, 1), Some(d(11, 2))), d(12, 2));
        assert_eq!(CareGroup::LeftBehindChild.visit_due(d(11, 1), Some(d(11, 1))), d(11, 15));
        // A visit from before the tag does not count as the first visit.
        assert_eq!(CareGroup::LeftBehindChild.visit_due(d(11, 10), Some(d(11, 1))), d(11, 10));
    }

    #[test]
    fn lists_round_trip_and_name_the_bad_part() {
        let g = parse_list("残疾人；独居老人、残疾人").expect("list");
        assert_eq!(g, vec![CareGroup::ElderlyAlone, CareGroup::Disability]);
        assert_eq!(parse_list(&format_list(&g)).expect("again"), g);
        assert_eq!(parse_list("").expect("empty"), vec![]);
        assert_eq!(parse_list("独居老人;信访人员"), Err(DomainError::invalid("care", "unknown_value")));
    }
}
