//! The life of a dispute and its one tier rule: a tier may escalate only after the configured
//! number of mediation attempts (default three), unless the risk level is red.
//!
//! | state | moves to |
//! |---|---|
//! | registered 待调解 | mediating or agreed (a session), registered at the next tier (escalate), referred, closed (withdrawn) |
//! | mediating 调解中 | the same |
//! | agreed 已达成协议 | closed (follow-up: performed), agreed (partly performed), mediating (not performed) |
//! | referred 已移交 | — (litigation, arbitration or an administrative body; the record stays) |
//! | closed 已结案 | — |

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::kinds::{FollowUpResult, Referral, RiskLevel, SessionOutcome, Tier};
use super::record::{FollowUpVisit, MediatorRef, OrgRef, Session};
use crate::DomainError;

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeState {
    /// Waiting for its first session at the current tier.
    Registered,
    /// Sessions held, no agreement yet.
    Mediating,
    /// An agreement was reached; its performance is followed up.
    Agreed,
    /// Sent to litigation, arbitration or an administrative body.
    Referred,
    /// Done.
    Closed,
}

impl DisputeState {
    /// Every state.
    pub const ALL: [DisputeState; 5] = [Self::Registered, Self::Mediating, Self::Agreed, Self::Referred, Self::Closed];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Mediating => "mediating",
            Self::Agreed => "agreed",
            Self::Referred => "referred",
            Self::Closed => "closed",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Registered => "Waiting",
            Self::Mediating => "Mediating",
            Self::Agreed => "Agreed",
            Self::Referred => "Referred",
            Self::Closed => "Closed",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Registered => "待调解",
            Self::Mediating => "调解中",
            Self::Agreed => "已达成协议",
            Self::Referred => "已移交",
            Self::Closed => "已结案",
        }
    }
}

/// What happens to a dispute after registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "move", rename_all = "snake_case")]
pub enum DisputeMove {
    /// A mediation session was held.
    RecordSession {
        /// What was recorded of it, outcome included.
        session: Session,
    },
    /// The mediating organisation or mediators were (re)assigned at the current tier.
    Assign {
        /// The organisation.
        org: OrgRef,
        /// The mediators.
        mediators: Vec<MediatorRef>,
    },
    /// Sent up to the next tier.
    Escalate {
        /// Why.
        reason: String,
    },
    /// Sent out of mediation.
    Refer {
        /// To where.
        to: Referral,
        /// Why.
        reason: String,
    },
    /// A follow-up visit on the agreement.
    FollowUp {
        /// What was found.
        visit: FollowUpVisit,
    },
    /// Ended without agreement or referral (withdrawn, resolved by the parties themselves).
    Close {
        /// Why.
        reason: String,
    },
}

impl DisputeMove {
    /// The wire name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RecordSession { .. } => "record_session",
            Self::Assign { .. } => "assign",
            Self::Escalate { .. } => "escalate",
            Self::Refer { .. } => "refer",
            Self::FollowUp { .. } => "follow_up",
            Self::Close { .. } => "close",
        }
    }
}

impl DisputeMove {
    /// Checks the move's own fields (dates against `today`, attendance against the dispute's party
    /// names); the state rules are [`decide_dispute`]'s.
    pub fn check(self, today: NaiveDate, party_names: &[&str]) -> Result<Self, DomainError> {
        Ok(match self {
            Self::RecordSession { session } => Self::RecordSession { session: session.check(today, party_names)? },
            Self::FollowUp { visit } => Self::FollowUp { visit: visit.check(today)? },
            other => other,
        })
    }
}

/// The configurable rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisputeRules {
    /// Sessions a tier holds before it may escalate (risk red excepted).
    pub min_attempts: u32,
}

impl Default for DisputeRules {
    fn default() -> Self {
        Self { min_attempts: 3 }
    }
}

/// What a decision needs to know of a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisputeView {
    /// State.
    pub state: DisputeState,
    /// Current tier.
    pub tier: Tier,
    /// Risk level.
    pub risk: RiskLevel,
    /// Sessions held at the current tier.
    pub attempts_at_tier: u32,
}

fn reason(text: &str) -> Result<(), DomainError> {
    let n = text.trim().chars().count();
    if n == 0 {
        Err(DomainError::invalid("reason", "required"))
    } else if n > 2000 {
        Err(DomainError::invalid("reason", "too_long"))
    } else {
        Ok(())
    }
}

/// Decides a move: the dispute as it will be, or why not. Nothing changes on a refusal.
pub fn decide_dispute(d: &DisputeView, mv: &DisputeMove, rules: &DisputeRules) -> Result<DisputeView, DomainError> {
    use DisputeState as S;
    let illegal = || DomainError::IllegalMove { action: mv.name(), state: d.state.as_str() };
    let open = matches!(d.state, S::Registered | S::Mediating);
    match mv {
        DisputeMove::RecordSession { session } => {
            if !open {
                return Err(illegal());
            }
            let state = if session.outcome == SessionOutcome::Agreement { S::Agreed } else { S::Mediating };
            Ok(DisputeView { state, attempts_at_tier: d.attempts_at_tier + 1, ..*d })
        }
        DisputeMove::Escalate { reason: why } => {
            if !open {
                return Err(illegal());
            }
            reason(why)?;
            let Some(up) = d.tier.up() else {
                return Err(DomainError::Rule { rule: "no_higher_tier" });
            };
            if d.attempts_at_tier < rules.min_attempts && d.risk != RiskLevel::Red {
                return Err(DomainError::Rule { rule: "min_attempts_not_reached" });
            }
            Ok(DisputeView { state: S::Registered, tier: up, attempts_at_tier: 0, ..*d })
        }
        DisputeMove::Refer { reason: why, .. } => {
            if !open {
                return Err(illegal());
            }
            reason(why)?;
            Ok(DisputeView { state: S::Referred, ..*d })
        }
        DisputeMove::Assign { mediators, .. } => {
            if !open {
                return Err(illegal());
            }
            if mediators.is_empty() {
                return Err(DomainError::invalid("mediators", "required"));
            }
            Ok(*d)
        }
        DisputeMove::FollowUp { visit } => {
            if d.state != S::Agreed {
                return Err(illegal());
            }
            let state = match visit.result {
                FollowUpResult::Performed => S::Closed,
                FollowUpResult::Partial => S::Agreed,
                FollowUpResult::NotPerformed => S::Mediating,
            };
            Ok(DisputeView { state, ..*d })
        }
        DisputeMove::Close { reason: why } => {
            if !open {
                return Err(illegal());
            }
            reason(why)?;
            Ok(DisputeView { state: S::Closed, ..*d })
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn fresh(risk: RiskLevel) -> DisputeView {
        DisputeView { state: DisputeState::Registered, tier: Tier::Village, risk, attempts_at_tier: 0 }
    }

    fn session(o: SessionOutcome) -> DisputeMove {
        let session = Session {
            held_on: NaiveDate::from_ymd_opt(2026, 11, 23).expect("d"),
            method: crate::dispute::SessionMethod::InPerson,
            mediators: vec![],
            parties_present: vec![],
            notes: "n".into(),
            outcome: o,
            terms: vec![],
            performance: None,
            next_on: None,
        };
        DisputeMove::RecordSession { session }
    }

    fn follow(result: FollowUpResult) -> DisputeMove {
        let visit = FollowUpVisit {
            visited_on: NaiveDate::from_ymd_opt(2026, 11, 23).expect("d"),
            result,
            notes: "回访".into(),
        };
        DisputeMove::FollowUp { visit }
    }

    fn escalate() -> DisputeMove {
        DisputeMove::Escalate { reason: "三次调解不成".into() }
    }

    #[test]
    fn a_tier_escalates_only_after_three_attempts_unless_red() {
        let rules = DisputeRules::default();
        let mut d = fresh(RiskLevel::Yellow);
        for attempt in 1..=3 {
            assert_eq!(
                decide_dispute(&d, &escalate(), &rules),
                Err(DomainError::Rule { rule: "min_attempts_not_reached" })
            );
            d = decide_dispute(&d, &session(SessionOutcome::Failed), &rules).expect("session");
            assert_eq!((d.state, d.attempts_at_tier), (DisputeState::Mediating, attempt));
        }
        d = decide_dispute(&d, &escalate(), &rules).expect("escalates after three");
        assert_eq!((d.state, d.tier, d.attempts_at_tier), (DisputeState::Registered, Tier::Township, 0));
        // The township starts counting again.
        assert!(decide_dispute(&d, &escalate(), &rules).is_err());
        // Red goes up at once, as far as the county and no further.
        let mut red = fresh(RiskLevel::Red);
        red = decide_dispute(&red, &escalate(), &rules).expect("red village");
        red = decide_dispute(&red, &escalate(), &rules).expect("red township");
        assert_eq!(red.tier, Tier::County);
        assert_eq!(decide_dispute(&red, &escalate(), &rules), Err(DomainError::Rule { rule: "no_higher_tier" }));
        // A configured minimum of one.
        let one = DisputeRules { min_attempts: 1 };
        let d = decide_dispute(&fresh(RiskLevel::Blue), &session(SessionOutcome::Failed), &one).expect("s");
        assert!(decide_dispute(&d, &escalate(), &one).is_ok());
    }

    #[test]
    fn every_outcome_and_the_follow_up() {
        let rules = DisputeRules::default();
        let agreed =
            decide_dispute(&fresh(RiskLevel::Blue), &session(SessionOutcome::Agreement), &rules).expect("agree");
        assert_eq!(agreed.state, DisputeState::Agreed);
        assert_eq!(
            decide_dispute(&agreed, &escalate(), &rules),
            Err(DomainError::IllegalMove { action: "escalate", state: "agreed" })
        );
        let partly = decide_dispute(&agreed, &follow(FollowUpResult::Partial), &rules).expect("p");
        assert_eq!(partly.state, DisputeState::Agreed);
        let broken = decide_dispute(&agreed, &follow(FollowUpResult::NotPerformed), &rules).expect("n");
        assert_eq!(broken.state, DisputeState::Mediating, "an agreement not carried out is mediated again");
        let done = decide_dispute(&agreed, &follow(FollowUpResult::Performed), &rules).expect("d");
        assert_eq!(done.state, DisputeState::Closed);
        for to in Referral::ALL {
            let r = decide_dispute(
                &fresh(RiskLevel::Blue),
                &DisputeMove::Refer { to: *to, reason: "当事人起诉".into() },
                &rules,
            )
            .expect("refer");
            assert_eq!(r.state, DisputeState::Referred);
            assert!(
                decide_dispute(&r, &session(SessionOutcome::Continue), &rules).is_err(),
                "a referred dispute stays referred"
            );
        }
        assert_eq!(
            decide_dispute(
                &fresh(RiskLevel::Blue),
                &DisputeMove::Refer { to: Referral::Litigation, reason: " ".into() },
                &rules
            ),
            Err(DomainError::invalid("reason", "required"))
        );
    }

    fn any_move() -> impl Strategy<Value = DisputeMove> {
        prop_oneof![
            prop::sample::select(SessionOutcome::ALL.to_vec()).prop_map(session),
            Just(escalate()),
            prop::sample::select(Referral::ALL.to_vec()).prop_map(|to| DisputeMove::Refer { to, reason: "r".into() }),
            prop::sample::select(FollowUpResult::ALL.to_vec()).prop_map(follow),
            Just(DisputeMove::Close { reason: "撤回".into() }),
        ]
    }

    proptest! {
        #[test]
        fn no_sequence_escalates_a_tier_that_has_not_tried_enough(
            risk in prop::sample::select(RiskLevel::ALL.to_vec()),
            moves in prop::collection::vec(any_move(), 0..40),
        ) {
            let rules = DisputeRules::default();
            let mut d = fresh(risk);
            for mv in &moves {
                if let Ok(next) = decide_dispute(&d, mv, &rules) {
                    if next.tier != d.tier {
                        prop_assert!(d.attempts_at_tier >= rules.min_attempts || risk == RiskLevel::Red);
                        prop_assert_eq!(Some(next.tier), d.tier.up());
                    }
                    if matches!(d.state, DisputeState::Referred | DisputeState::Closed) {
                        prop_assert!(false, "a finished dispute moved: {:?} by {:?}", d, mv);
                    }
                    d = next;
                }
            }
        }
    }
}
