//! The life of a proposal: it advances only to the next stage of its procedure, and only by a
//! valid meeting of that stage's body whose motion passed (or, at a publication stage, by the
//! published text). A failed vote does what the stage says ([`OnFail`]); the proposer may
//! withdraw it until the decision is made.
//!
//! | status | moves |
//! |---|---|
//! | in progress 进行中 | record the current stage's meeting; publish the current stage's document; withdraw (proposer, before the decision) |
//! | completed 已办结 (result published) | — |
//! | not adopted 未通过 (a vote stopped it) | — |
//! | withdrawn 已撤回 | — |

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::procedure::{OnFail, Procedure, Stage};
use super::record::{Meeting, Publication};
use super::rules::Tally;
use crate::DomainError;
use crate::case::kinds::vocabulary;
use crate::ids::UserId;

vocabulary!(
    /// Where a proposal stands overall.
    ProposalStatus, "status", {
        /// At a stage of its procedure.
        InProgress = "in_progress", "进行中", "In progress";
        /// The result has been published.
        Completed = "completed", "已办结", "Completed";
        /// A vote ended it (not proposed, or rejected by the deciding body).
        NotAdopted = "not_adopted", "未通过", "Not adopted";
        /// The proposer withdrew it before the decision.
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    }
);

/// What happens to a proposal after it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "move", rename_all = "snake_case")]
pub enum ProposalMove {
    /// The body of the current stage met and voted.
    RecordMeeting {
        /// The record.
        meeting: Meeting,
    },
    /// The document of the current stage was published.
    Publish {
        /// The document.
        publication: Publication,
    },
    /// The proposer withdrew the proposal.
    Withdraw {
        /// Why.
        reason: String,
    },
}

impl ProposalMove {
    /// The wire name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RecordMeeting { .. } => "record_meeting",
            Self::Publish { .. } => "publish",
            Self::Withdraw { .. } => "withdraw",
        }
    }

    /// Checks the move's own fields; the state rules are [`decide`]'s.
    pub fn check(self, now: DateTime<Utc>) -> Result<Self, DomainError> {
        Ok(match self {
            Self::RecordMeeting { meeting } => Self::RecordMeeting { meeting: meeting.check(now)? },
            Self::Publish { publication } => Self::Publish { publication: publication.check()? },
            Self::Withdraw { reason } => {
                Self::Withdraw { reason: crate::dispute::record::required_text("reason", &reason, 2000)? }
            }
        })
    }
}

/// What a decision needs to know of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposalView {
    /// Overall status.
    pub status: ProposalStatus,
    /// The position of the current stage (the number of stages once completed).
    pub stage: usize,
    /// When the last meeting was held.
    pub last_meeting_at: Option<DateTime<Utc>>,
    /// Who made the proposal.
    pub proposer: Option<UserId>,
}

/// A decision: the proposal as it will be, and the count of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The proposal after the move.
    pub next: ProposalView,
    /// The meeting's count, for a meeting.
    pub tally: Option<Tally>,
}

/// Finds the stage a move names, refusing any but the current one.
fn current<'p>(view: &ProposalView, procedure: &'p Procedure, key: &str) -> Result<&'p Stage, DomainError> {
    let named = procedure.index_of(key).ok_or(DomainError::invalid("stage", "unknown_stage"))?;
    if named != view.stage {
        // Skipping ahead or going back: only the stage the proposal stands at may be acted on.
        return Err(DomainError::invalid("stage", "not_current_stage"));
    }
    procedure.stages.get(named).ok_or(DomainError::invalid("stage", "unknown_stage"))
}

/// Decides a move by `actor` on a proposal following `procedure`: the proposal as it will be,
/// or why not. Nothing changes on a refusal.
pub fn decide(
    view: &ProposalView,
    procedure: &Procedure,
    mv: &ProposalMove,
    actor: UserId,
) -> Result<Decision, DomainError> {
    if view.status != ProposalStatus::InProgress {
        return Err(DomainError::IllegalMove { action: mv.name(), state: view.status.as_str() });
    }
    match mv {
        ProposalMove::RecordMeeting { meeting } => {
            let Stage::Meeting { rules, on_fail, .. } = current(view, procedure, &meeting.stage)? else {
                return Err(DomainError::invalid("stage", "not_a_meeting_stage"));
            };
            if view.last_meeting_at.is_some_and(|last| meeting.held_at < last) {
                return Err(DomainError::invalid("held_at", "before_previous_meeting"));
            }
            let tally = rules.tally(meeting.members_total, meeting.present(), meeting.votes.yes)?;
            let mut next = ProposalView { last_meeting_at: Some(meeting.held_at), ..*view };
            if tally.passed {
                next.stage = view.stage + 1;
            } else {
                match on_fail {
                    OnFail::Stop => next.status = ProposalStatus::NotAdopted,
                    OnFail::Stay => {}
                    OnFail::Return { to } => next.stage = usize::try_from(*to).unwrap_or(0),
                }
            }
            Ok(Decision { next, tally: Some(tally) })
        }
        ProposalMove::Publish { publication } => {
            let Stage::Publication { .. } = current(view, procedure, &publication.stage)? else {
                return Err(DomainError::invalid("stage", "not_a_publication_stage"));
            };
            if publication.text.trim().is_empty() {
                return Err(DomainError::invalid("text", "required"));
            }
            let stage = view.stage + 1;
            let status = if stage >= procedure.stages.len() { ProposalStatus::Completed } else { view.status };
            Ok(Decision { next: ProposalView { stage, status, ..*view }, tally: None })
        }
        ProposalMove::Withdraw { reason } => {
            if view.proposer != Some(actor) {
                return Err(DomainError::Forbidden { role: "not_proposer", action: "withdraw" });
            }
            if view.stage > procedure.decide_index() {
                return Err(DomainError::Rule { rule: "already_decided" });
            }
            if reason.trim().is_empty() {
                return Err(DomainError::invalid("reason", "required"));
            }
            Ok(Decision { next: ProposalView { status: ProposalStatus::Withdrawn, ..*view }, tally: None })
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use proptest::prelude::*;

    use super::*;
    use crate::deliberation::procedure::{DeliberationRules, ProcedureKind};
    use crate::deliberation::record::Votes;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-10-01T09:00:00+08:00").expect("t").with_timezone(&Utc)
    }

    fn fresh(proposer: UserId) -> ProposalView {
        ProposalView { status: ProposalStatus::InProgress, stage: 0, last_meeting_at: None, proposer: Some(proposer) }
    }

    /// A meeting of `members` with `present` present and `yes` for (the rest against).
    fn meeting(stage: &str, day: i64, members: u32, present: u32, yes: u32) -> ProposalMove {
        ProposalMove::RecordMeeting {
            meeting: Meeting {
                stage: stage.into(),
                held_at: t0() + Duration::days(day),
                members_total: members,
                attendees: (0..present).map(|i| format!("代表{i}")).collect(),
                observers: vec![],
                votes: Votes { yes, against: present - yes, abstain: 0 },
                minutes: "会议记录".into(),
            },
        }
    }

    fn publish(stage: &str, text: &str) -> ProposalMove {
        ProposalMove::Publish {
            publication: Publication { stage: stage.into(), title: String::new(), text: text.into() },
        }
    }

    fn village() -> Procedure {
        DeliberationRules::default().procedure(ProcedureKind::Village).clone()
    }

    fn step(v: &ProposalView, p: &Procedure, mv: &ProposalMove, who: UserId) -> ProposalView {
        decide(v, p, mv, who).unwrap_or_else(|e| panic!("{mv:?}: {e}")).next
    }

    #[test]
    fn a_village_proposal_through_four_deliberations_and_two_publications() {
        let p = village();
        let me = UserId::new();
        let mut v = fresh(me);
        v = step(&v, &p, &meeting("propose", 1, 5, 5, 5), me);
        v = step(&v, &p, &meeting("discuss", 3, 9, 7, 6), me);
        v = step(&v, &p, &meeting("deliberate", 5, 40, 30, 25), me);
        v = step(&v, &p, &meeting("decide", 8, 30, 24, 20), me);
        assert_eq!((v.stage, v.status), (4, ProposalStatus::InProgress));
        v = step(&v, &p, &publish("publish_resolution", "决议：硬化村道"), me);
        v = step(&v, &p, &publish("publish_result", "村道已硬化"), me);
        assert_eq!((v.stage, v.status), (6, ProposalStatus::Completed));
        // Nothing moves a completed proposal.
        assert_eq!(
            decide(&v, &p, &publish("publish_result", "再公开"), me),
            Err(DomainError::IllegalMove { action: "publish", state: "completed" })
        );
    }

    #[test]
    fn only_the_current_stage_may_be_acted_on() {
        let p = village();
        let me = UserId::new();
        let v = fresh(me);
        let skip = Err(DomainError::invalid("stage", "not_current_stage"));
        assert_eq!(decide(&v, &p, &meeting("discuss", 1, 9, 9, 9), me), skip, "no discussion before the proposal");
        assert_eq!(decide(&v, &p, &meeting("decide", 1, 30, 30, 30), me), skip, "no decision first");
        assert_eq!(decide(&v, &p, &publish("publish_result", "结果"), me), skip);
        assert_eq!(
            decide(&v, &p, &meeting("vote", 1, 9, 9, 9), me),
            Err(DomainError::invalid("stage", "unknown_stage"))
        );
        let v = step(&v, &p, &meeting("propose", 1, 5, 5, 5), me);
        assert_eq!(decide(&v, &p, &meeting("propose", 2, 5, 5, 5), me), skip, "no going back to a passed stage");
        assert_eq!(decide(&v, &p, &meeting("deliberate", 2, 40, 40, 40), me), skip, "no skipping the two committees");
        // At a publication stage only the document moves it; at a meeting stage only a meeting.
        let mut at_pub = v;
        at_pub.stage = 4;
        assert_eq!(
            decide(&at_pub, &p, &meeting("publish_resolution", 9, 5, 5, 5), me),
            Err(DomainError::invalid("stage", "not_a_meeting_stage"))
        );
        assert_eq!(
            decide(&v, &p, &publish("discuss", "x"), me),
            Err(DomainError::invalid("stage", "not_a_publication_stage"))
        );
        assert_eq!(
            decide(&at_pub, &p, &publish("publish_resolution", " "), me),
            Err(DomainError::invalid("text", "required"))
        );
    }

    #[test]
    fn a_meeting_without_quorum_decides_nothing_and_meetings_keep_their_order() {
        let p = village();
        let me = UserId::new();
        let mut v = fresh(me);
        for (s, day) in [("propose", 1), ("discuss", 2), ("deliberate", 3)] {
            v = step(&v, &p, &meeting(s, day, 9, 9, 9), me);
        }
        // 30 representatives: 19 cannot sit (two thirds is 20).
        assert_eq!(
            decide(&v, &p, &meeting("decide", 4, 30, 19, 19), me),
            Err(DomainError::invalid("attendees", "quorum_not_met"))
        );
        assert_eq!(
            decide(&v, &p, &meeting("decide", 2, 30, 30, 30), me),
            Err(DomainError::invalid("held_at", "before_previous_meeting"))
        );
        let d = decide(&v, &p, &meeting("decide", 4, 30, 20, 11), me).expect("sits at exactly two thirds");
        assert_eq!(d.next.stage, 4);
        assert_eq!(d.tally.map(|t| (t.present, t.quorum_needed, t.votes_needed)), Some((20, 20, 11)));
    }

    #[test]
    fn failed_votes_stop_return_or_stay_as_the_procedure_says() {
        let p = village();
        let me = UserId::new();
        let v = fresh(me);
        // The party branch does not propose it: ended.
        let no = step(&v, &p, &meeting("propose", 1, 5, 5, 2), me);
        assert_eq!((no.status, no.stage), (ProposalStatus::NotAdopted, 0));
        // The two committees or the party members fail it: back to the party branch.
        let at1 = step(&v, &p, &meeting("propose", 1, 5, 5, 5), me);
        let back = step(&at1, &p, &meeting("discuss", 2, 9, 9, 4), me);
        assert_eq!((back.status, back.stage), (ProposalStatus::InProgress, 0));
        let at2 = step(&at1, &p, &meeting("discuss", 2, 9, 9, 5), me);
        let back = step(&at2, &p, &meeting("deliberate", 3, 40, 40, 20), me);
        assert_eq!(back.stage, 0, "20 of 40 party members is not more than half of them");
        // The representatives reject it: ended.
        let at3 = step(&at2, &p, &meeting("deliberate", 3, 40, 21, 21), me);
        let rejected = step(&at3, &p, &meeting("decide", 4, 30, 30, 15), me);
        assert_eq!((rejected.status, rejected.stage), (ProposalStatus::NotAdopted, 3));
        // The community's supervisory board may fail the implementation: it stays for another look.
        let c = DeliberationRules::default().procedure(ProcedureKind::Community).clone();
        let mut cv = fresh(me);
        cv = step(&cv, &c, &meeting("propose", 1, 7, 7, 7), me);
        cv = step(&cv, &c, &meeting("discuss", 2, 7, 7, 7), me);
        cv = step(&cv, &c, &meeting("decide", 3, 15, 12, 12), me);
        cv = step(&cv, &c, &publish("publish_resolution", "决议"), me);
        let stays = step(&cv, &c, &meeting("oversee", 30, 5, 5, 1), me);
        assert_eq!((stays.status, stays.stage), (ProposalStatus::InProgress, 4));
        let passes = step(&stays, &c, &meeting("oversee", 40, 5, 5, 4), me);
        assert_eq!(passes.stage, 5);
    }

    #[test]
    fn the_proposer_withdraws_until_the_decision() {
        let p = village();
        let me = UserId::new();
        let other = UserId::new();
        let withdraw = ProposalMove::Withdraw { reason: "情况已变化".into() };
        let v = step(&fresh(me), &p, &meeting("propose", 1, 5, 5, 5), me);
        assert_eq!(
            decide(&v, &p, &withdraw, other),
            Err(DomainError::Forbidden { role: "not_proposer", action: "withdraw" })
        );
        assert_eq!(step(&v, &p, &withdraw, me).status, ProposalStatus::Withdrawn);
        // At the decision stage it may still be withdrawn; once decided, not.
        let mut at_decision = v;
        at_decision.stage = 3;
        assert!(decide(&at_decision, &p, &withdraw, me).is_ok());
        let decided = step(&at_decision, &p, &meeting("decide", 9, 30, 30, 30), me);
        assert_eq!(decide(&decided, &p, &withdraw, me), Err(DomainError::Rule { rule: "already_decided" }));
        assert_eq!(
            decide(&v, &p, &ProposalMove::Withdraw { reason: " ".into() }, me),
            Err(DomainError::invalid("reason", "required"))
        );
    }

    /// A move aimed at a stage near the current one (mostly the current one), so sequences
    /// reach the end of their procedure as well as trying every wrong stage.
    #[derive(Debug, Clone)]
    enum Try {
        Meet { delta: i64, members: u32, present: u32, yes: u32 },
        Publish { delta: i64 },
        Withdraw,
    }

    impl Try {
        fn at(&self, p: &Procedure, v: &ProposalView) -> ProposalMove {
            let key = |delta: i64| {
                let last = p.stages.len() as i64 - 1;
                p.stages[(v.stage as i64 + delta).clamp(0, last) as usize].key()
            };
            match *self {
                Try::Meet { delta, members, present, yes } => {
                    let present = present.min(members);
                    meeting(key(delta), 1, members, present, yes.min(present))
                }
                Try::Publish { delta } => publish(key(delta), "公开内容"),
                Try::Withdraw => ProposalMove::Withdraw { reason: "撤回".into() },
            }
        }
    }

    fn any_try() -> impl Strategy<Value = Try> {
        let delta = prop_oneof![6 => Just(0i64), 1 => Just(1i64), 1 => Just(-1i64), 1 => Just(2i64)];
        prop_oneof![
            8 => (delta.clone(), 1u32..40, 0u32..40, 0u32..40)
                .prop_map(|(delta, members, present, yes)| Try::Meet { delta, members, present, yes }),
            4 => delta.prop_map(|delta| Try::Publish { delta }),
            1 => Just(Try::Withdraw),
        ]
    }

    /// Whatever is tried, a proposal only ever moves one stage forward, and only through a quorate
    /// meeting that passed or a published text; it goes back only as its procedure says; nothing
    /// moves a finished one. A fixed seed, and a check that the runs did reach the end, a return,
    /// a rejection and a withdrawal, so the property is not vacuous by luck.
    #[test]
    fn no_sequence_skips_a_stage() {
        use std::cell::Cell;

        use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

        let config = Config { cases: 512, failure_persistence: None, ..Config::default() };
        let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        let seen = Cell::new([0usize; 4]);
        let bump = |i: usize| {
            let mut s = seen.get();
            s[i] += 1;
            seen.set(s);
        };
        let strategy = (prop::collection::vec(any_try(), 0..80), any::<bool>());
        let result = runner.run(&strategy, |(tries, community)| {
            let kind = if community { ProcedureKind::Community } else { ProcedureKind::Village };
            let p = DeliberationRules::default().procedure(kind).clone();
            let me = UserId::new();
            let mut v = fresh(me);
            for t in &tries {
                let mv = &t.at(&p, &v);
                let Ok(d) = decide(&v, &p, mv, me) else { continue };
                prop_assert_eq!(v.status, ProposalStatus::InProgress, "a finished proposal moved");
                if d.next.stage > v.stage {
                    prop_assert_eq!(d.next.stage, v.stage + 1);
                    match (mv, &p.stages[v.stage]) {
                        (ProposalMove::RecordMeeting { meeting }, Stage::Meeting { rules, .. }) => {
                            prop_assert!(rules.quorum.met(meeting.present(), meeting.members_total));
                            prop_assert!(d.tally.is_some_and(|t| t.passed));
                        }
                        (ProposalMove::Publish { .. }, Stage::Publication { .. }) => {}
                        other => return Err(TestCaseError::fail(format!("advanced by {other:?}"))),
                    }
                } else if d.next.stage < v.stage {
                    let expected = match &p.stages[v.stage] {
                        Stage::Meeting { on_fail: OnFail::Return { to }, .. } => Some(*to as usize),
                        _ => None,
                    };
                    prop_assert_eq!(Some(d.next.stage), expected);
                    bump(1);
                }
                v = d.next;
            }
            match v.status {
                ProposalStatus::Completed => bump(0),
                ProposalStatus::NotAdopted => bump(2),
                ProposalStatus::Withdrawn => bump(3),
                ProposalStatus::InProgress => {}
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
        let [completed, returned, rejected, withdrawn] = seen.get();
        assert!(
            completed > 0 && returned > 0 && rejected > 0 && withdrawn > 0,
            "completed {completed}, returned {returned}, rejected {rejected}, withdrawn {withdrawn}"
        );
    }
}
