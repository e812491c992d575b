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
    use chrono::{DateTime, NaiveDate, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::area::AreaCode;
    use crate::case::Actor;
    use crate::dispute::{
        DisputeEffects, DisputeIntake, DisputeRules, DisputeType, Fen, FollowUpVisit, MediationKind, PartyKind,
        PartyRecord, PartyRole, Referral, RiskLevel, Session, SessionMethod, Source,
    };

    fn party(name: &str) -> PartyRecord {
        PartyRecord {
            role: PartyRole::Other,
            kind: PartyKind::Person,
            name: name.into(),
            id_masked: None,
            phone_masked: None,
            address: None,
            from_base: false,
        }
    }

    fn at(n: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("d").and_hms_opt(2, 0, 0).expect("t").and_utc()
            + chrono::Duration::hours(i64::from(n) * 9)
    }

    fn any_move() -> impl Strategy<Value = DisputeMove> {
        let session = |o| {
            let agree = o == SessionOutcome::Agreement;
            DisputeMove::RecordSession {
                session: Session {
                    held_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("d"),
                    method: SessionMethod::InPerson,
                    mediators: vec![],
                    parties_present: vec![],
                    notes: "n".into(),
                    outcome: o,
                    terms: if agree { vec!["t".into()] } else { vec![] },
                    performance: agree.then(|| "p".into()),
                    next_on: None,
                },
            }
        };
        prop_oneof![
            4 => prop::sample::select(SessionOutcome::ALL.to_vec()).prop_map(session),
            2 => Just(DisputeMove::Escalate { reason: "r".into() }),
            1 => prop::sample::select(Referral::ALL.to_vec()).prop_map(|to| DisputeMove::Refer { to, reason: "r".into() }),
            2 => prop::sample::select(FollowUpResult::ALL.to_vec()).prop_map(|result| DisputeMove::FollowUp {
                visit: FollowUpVisit { visited_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("d"), result, notes: "v".into() }
            }),
            1 => Just(DisputeMove::Close { reason: "c".into() }),
        ]
    }

    proptest! {
        /// Summing each event's deltas by day equals counting the raw histories by the written
        /// definitions, for any histories and any period.
        #[test]
        fn counters_equal_a_naive_count_of_the_histories(
            lives in prop::collection::vec(
                (prop::sample::select(RiskLevel::ALL.to_vec()), 0u64..1_000_000, prop::collection::vec(any_move(), 0..25)),
                1..12,
            ),
            from in 0u32..40,
            len in 0u32..60,
        ) {
            let rules = DisputeRules::default();
            let day = |t: DateTime<Utc>| crate::time::local_date(t);
            let (p_from, p_to) = (day(at(from)), day(at(from + len)));
            let in_p = |t: DateTime<Utc>| (p_from..=p_to).contains(&day(t));
            let mut counted = DisputeFigures::default();
            let mut naive = DisputeFigures::default();
            for (k, (risk, money, moves)) in lives.iter().enumerate() {
                let intake = DisputeIntake {
                    title: "t".into(), facts: "f".into(), dispute_type: DisputeType::Other, risk: *risk, source: Source::Application,
                    area: AreaCode::parse("439901001001001").expect("grid"), tier: Tier::Village, money: Fen(*money as i64),
                    parties: vec![party("a"), party("b")], mediation_kind: MediationKind::Peoples, org: None,
                    mediators: vec![], case: None, screening: None, court_ref: None,
                };
                let actor = Actor { user: None, name: "x".into(), role: None };
                let mut clock = k as u32;
                let reg = DisputeEvent { seq: 1, at: at(clock), actor: actor.clone(), change: DisputeChange::Register(Box::new(intake)), effects: DisputeEffects::default() };
                let mut snap = DisputeSnapshot::register(&reg).expect("register");
                let mut events = vec![reg.clone()];
                for d in deltas(None, &snap, &reg) {
                    if in_p(reg.at) { counted.add(d.metric, d.tier, 1, d.money_fen); }
                }
                for mv in moves {
                    clock += 1;
                    let e = DisputeEvent { seq: snap.seq + 1, at: at(clock), actor: actor.clone(), change: DisputeChange::Move(mv.clone()), effects: DisputeEffects::default() };
                    let before = snap.clone();
                    if snap.apply(&e, &rules).is_err() { snap = before; continue; }
                    for d in deltas(Some(&before), &snap, &e) {
                        if in_p(e.at) { counted.add(d.metric, d.tier, 1, d.money_fen); }
                    }
                    events.push(e);
                }
                // The naive count: walk the raw history with the written definitions.
                let mut tier = Tier::Village;
                let (mut sessions, mut agreed) = (0, false);
                for e in &events {
                    let here = in_p(e.at);
                    match &e.change {
                        DisputeChange::Register(i) => if here { naive.add(DisputeMetric::Found, i.tier, 1, i.money.0) },
                        DisputeChange::Move(DisputeMove::RecordSession { session }) => {
                            if here { naive.add(DisputeMetric::Sessions, tier, 1, 0); }
                            if sessions == 0 && here { naive.add(DisputeMetric::Mediated, tier, 1, 0); }
                            sessions += 1;
                            if session.outcome == SessionOutcome::Agreement && !agreed {
                                agreed = true;
                                if here { naive.add(DisputeMetric::Agreed, tier, 1, 0); }
                            }
                        }
                        DisputeChange::Move(DisputeMove::Escalate { .. }) => {
                            if here { naive.add(DisputeMetric::Escalated, tier, 1, 0); }
                            tier = tier.up().expect("escalated from the top");
                        }
                        DisputeChange::Move(DisputeMove::Refer { .. }) => if here { naive.add(DisputeMetric::Referred, tier, 1, 0) },
                        DisputeChange::Move(DisputeMove::FollowUp { visit }) => {
                            if visit.result == FollowUpResult::Performed && here { naive.add(DisputeMetric::Performed, tier, 1, 0); }
                        }
                        DisputeChange::Move(_) => {}
                    }
                }
            }
            counted.counts.retain(|_, n| *n != 0);
            naive.counts.retain(|_, n| *n != 0);
            prop_assert_eq!(counted, naive);
        }
    }

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
