//! The dispute figures (DESIGN §5, §8), each defined once here. The store adds an event's
//! [`deltas`] to per-day counters (local day × dispute area × tier × type) in the event's own
//! transaction; every screen, report and export sums those counters and derives rates with
//! [`DisputeFigures`].
//!
//! | figure | definition |
//! |---|---|
//! | found 发现 | disputes registered in the period, counted at the tier that took them first |
//! | mediated 调解 | disputes whose first mediation session was recorded in the period |
//! | sessions | mediation sessions recorded in the period |
//! | agreed 调解成功 | disputes whose first agreement was reached in the period, at the tier that reached it |
//! | success rate 调解成功率 | agreed ÷ mediated |
//! | share at a tier | agreed at that tier ÷ agreed |
//! | escalated | escalations in the period, counted at the tier they left |
//! | referred | disputes referred to litigation, arbitration or an administrative body in the period |
//! | performed | agreements found carried out at a follow-up in the period |
//! | money involved | sum of the money involved of the disputes found in the period |

use std::collections::BTreeMap;

use crate::dispute::{DisputeChange, DisputeEvent, DisputeMove, DisputeSnapshot, FollowUpResult, SessionOutcome, Tier};

/// A counted dispute quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DisputeMetric {
    /// Registered.
    Found,
    /// First session.
    Mediated,
    /// Any session.
    Sessions,
    /// First agreement.
    Agreed,
    /// Escalated away from a tier.
    Escalated,
    /// Referred out of mediation.
    Referred,
    /// An agreement found carried out.
    Performed,
}

impl DisputeMetric {
    /// Every metric.
    pub const ALL: [DisputeMetric; 7] =
        [Self::Found, Self::Mediated, Self::Sessions, Self::Agreed, Self::Escalated, Self::Referred, Self::Performed];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::Mediated => "mediated",
            Self::Sessions => "sessions",
            Self::Agreed => "agreed",
            Self::Escalated => "escalated",
            Self::Referred => "referred",
            Self::Performed => "performed",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// One counter increment: the metric, the tier it is counted at, and the money it carries (found
/// only; zero otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisputeDelta {
    /// What.
    pub metric: DisputeMetric,
    /// At which tier.
    pub tier: Tier,
    /// Money in fen.
    pub money_fen: i64,
}

/// The counters an event adds to, given the dispute before it (`None` for registration) and after.
pub fn deltas(before: Option<&DisputeSnapshot>, after: &DisputeSnapshot, event: &DisputeEvent) -> Vec<DisputeDelta> {
    use DisputeMetric as M;
    let d = |metric, tier| DisputeDelta { metric, tier, money_fen: 0 };
    let Some(b) = before else {
        return vec![DisputeDelta { metric: M::Found, tier: after.tier, money_fen: after.money.0 }];
    };
    let mut out = Vec::new();
    match &event.change {
        DisputeChange::Register(_) => {}
        DisputeChange::Move(DisputeMove::RecordSession { session }) => {
            out.push(d(M::Sessions, b.tier));
            if b.sessions == 0 {
                out.push(d(M::Mediated, b.tier));
            }
            if session.outcome == SessionOutcome::Agreement && b.agreements == 0 {
                out.push(d(M::Agreed, b.tier));
            }
        }
        DisputeChange::Move(DisputeMove::Escalate { .. }) => out.push(d(M::Escalated, b.tier)),
        DisputeChange::Move(DisputeMove::Refer { .. }) => out.push(d(M::Referred, b.tier)),
        DisputeChange::Move(DisputeMove::FollowUp { visit }) if visit.result == FollowUpResult::Performed => {
            out.push(d(M::Performed, b.tier));
        }
        DisputeChange::Move(_) => {}
    }
    out
}

/// Summed counters of some area subtree and period, and the rates derived from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisputeFigures {
    /// Sums per metric and tier.
    pub counts: BTreeMap<(DisputeMetric, Tier), i64>,
    /// Money involved of the disputes found, in fen.
    pub money_fen: i64,
}

impl DisputeFigures {
    /// Adds a summed counter row.
    pub fn add(&mut self, metric: DisputeMetric, tier: Tier, n: i64, money_fen: i64) {
        *self.counts.entry((metric, tier)).or_default() += n;
        if metric == DisputeMetric::Found {
            self.money_fen += money_fen;
        }
    }

    /// A metric over every tier.
    pub fn total(&self, metric: DisputeMetric) -> i64 {
        Tier::ALL.iter().map(|t| self.at(metric, *t)).sum()
    }

    /// A metric at one tier.
    pub fn at(&self, metric: DisputeMetric, tier: Tier) -> i64 {
        self.counts.get(&(metric, tier)).copied().unwrap_or(0)
    }

    /// Success rate (agreed ÷ mediated), in per mille so it compares exactly; `None` with nothing mediated.
    pub fn success_permille(&self) -> Option<i64> {
        permille(self.total(DisputeMetric::Agreed), self.total(DisputeMetric::Mediated))
    }

    /// Share of the agreements reached at `tier`, in per mille.
    pub fn tier_share_permille(&self, tier: Tier) -> Option<i64> {
        permille(self.at(DisputeMetric::Agreed, tier), self.total(DisputeMetric::Agreed))
    }
}

/// `part ÷ whole` in per mille, rounded half up; `None` when `whole` is zero.
pub fn permille(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 2000 + whole) / (2 * whole))
}

/// Per mille as a percentage with one decimal, e.g. `87.5%`; `—` for none.
pub fn percent(p: Option<i64>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| format!("{}.{}%", p / 10, p % 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_and_shares_add_up() {
        assert_eq!(permille(1, 3), Some(333));
        assert_eq!(permille(2, 3), Some(667));
        assert_eq!(permille(0, 0), None);
        let mut f = DisputeFigures::default();
        f.add(DisputeMetric::Mediated, Tier::Village, 8, 0);
        f.add(DisputeMetric::Agreed, Tier::Village, 5, 0);
        f.add(DisputeMetric::Agreed, Tier::Township, 2, 0);
        f.add(DisputeMetric::Agreed, Tier::County, 1, 0);
        f.add(DisputeMetric::Found, Tier::Village, 10, 12_345);
        f.add(DisputeMetric::Sessions, Tier::Village, 4, 999);
        assert_eq!(f.success_permille(), Some(1000));
        assert_eq!(f.tier_share_permille(Tier::Village), Some(625));
        assert_eq!(f.tier_share_permille(Tier::County), Some(125));
        assert_eq!(f.money_fen, 12_345, "only found carries money");
        assert_eq!(percent(Some(625)), "62.5%");
        assert_eq!(percent(None), "—");
    }
}
