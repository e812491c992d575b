//! The rules a store decides with: calendar, deadline policy, case, dispute and deliberation
//! rules. Loaded once at start.

use shiyu_domain::case::CaseRules;
use shiyu_domain::deadline::{DeadlinePolicy, WorkCalendar};
use shiyu_domain::deliberation::DeliberationRules;
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
    /// Deliberation rules (each body's quorum and majority, the two procedures); a proposal keeps
    /// the ones in force when it was made.
    pub deliberation: DeliberationRules,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            calendar: WorkCalendar::china(),
            policy: DeadlinePolicy::standard(),
            case: CaseRules::default(),
            dispute: DisputeRules::default(),
            deliberation: DeliberationRules::default(),
        }
    }
}
