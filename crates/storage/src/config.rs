//! The rules a store decides with: calendar, deadline policy, case and dispute rules. Loaded once at start.

use shiyu_domain::case::CaseRules;
use shiyu_domain::deadline::{DeadlinePolicy, WorkCalendar};
use shiyu_domain::dispute::DisputeRules;

/// Configuration that domain decisions consult.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Working-day calendar.
    pub calendar: WorkCalendar,
    /// Deadline policy.
    pub policy: DeadlinePolicy,
    /// Case-life rules.
    pub case: CaseRules,
    /// Dispute rules (attempts before a tier may escalate).
    pub dispute: DisputeRules,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            calendar: WorkCalendar::china(),
            policy: DeadlinePolicy::standard(),
            case: CaseRules::default(),
            dispute: DisputeRules::default(),
        }
    }
}
