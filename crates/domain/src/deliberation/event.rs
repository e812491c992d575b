//! The history of a proposal: append-only events chained by SHA-256 exactly like a case's
//! ([`crate::case::event::link_hash`]), and the proposal as replayed from them. The procedure
//! (with every body's rules) is part of the first event, so replay needs no configuration and a
//! later change of the rules never rewrites a past decision.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::machine::{ProposalMove, ProposalStatus, ProposalView, decide};
use super::procedure::{Procedure, Stage, is_proposal_area};
use crate::DomainError;
use crate::area::AreaCode;
use crate::dispute::record::required_text;
use crate::ids::{CaseId, ProposalCommentId, ProposalId, UserId};

/// Where a proposal came from, when it was not raised directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A case (a resident's suggestion, or any matter the staff saw).
    Case {
        /// The case.
        id: CaseId,
        /// Its number, as it was.
        number: String,
    },
    /// A resident's comment on another proposal.
    Comment {
        /// The comment.
        id: ProposalCommentId,
        /// The proposal it was made on.
        proposal: ProposalId,
    },
}

/// A proposal as made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalIntake {
    /// Short title.
    pub title: String,
    /// What is proposed, and why.
    pub content: String,
    /// The community or village.
    pub area: AreaCode,
    /// The procedure it follows, with the rules in force when it was made.
    pub procedure: Procedure,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl ProposalIntake {
    /// Checks what a proposal must hold; `Ok` leaves it trimmed.
    pub fn check(mut self) -> Result<Self, DomainError> {
        self.title = required_text("title", &self.title, 100)?;
        self.content = required_text("content", &self.content, 10_000)?;
        if !is_proposal_area(&self.area) {
            return Err(DomainError::invalid("area_code", "not_community_or_village"));
        }
        self.procedure.check()?;
        Ok(self)
    }
}

/// What an event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalChange {
    /// The proposal was made.
    Create(Box<ProposalIntake>),
    /// A move after that.
    Move(ProposalMove),
}

/// What the store computed when the event was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalEffects {
    /// The proposal number (set at creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

/// One entry of a proposal's history.
pub type ProposalEvent = crate::history::Entry<ProposalChange, ProposalEffects>;

/// A proposal as its history makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalSnapshot {
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// What is proposed.
    pub content: String,
    /// The community or village.
    pub area: AreaCode,
    /// Its procedure.
    pub procedure: Procedure,
    /// Overall status.
    pub status: ProposalStatus,
    /// The position of the current stage (the number of stages once completed; where it stopped
    /// when not adopted or withdrawn).
    pub stage: u32,
    /// Where it came from.
    pub origin: Option<Origin>,
    /// The account that made it.
    pub proposer: Option<UserId>,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Completed, stopped or withdrawn at.
    pub finished_at: Option<DateTime<Utc>>,
    /// When the last meeting was held.
    pub last_meeting_at: Option<DateTime<Utc>>,
    /// Meetings recorded.
    pub meetings: u32,
    /// Times a failed vote sent it back.
    pub returns: u32,
    /// Events so far.
    pub seq: u32,
}

impl ProposalSnapshot {
    /// The proposal after its first event.
    pub fn create(event: &ProposalEvent) -> Result<Self, DomainError> {
        let ProposalChange::Create(intake) = &event.change else {
            return Err(DomainError::invalid("event", "first_event_not_create"));
        };
        Ok(Self {
            number: event.effects.number.clone().unwrap_or_default(),
            title: intake.title.clone(),
            content: intake.content.clone(),
            area: intake.area.clone(),
            procedure: intake.procedure.clone(),
            status: ProposalStatus::InProgress,
            stage: 0,
            origin: intake.origin.clone(),
            proposer: event.actor.user,
            created_at: event.at,
            finished_at: None,
            last_meeting_at: None,
            meetings: 0,
            returns: 0,
            seq: event.seq,
        })
    }

    /// What the state machine needs.
    pub fn view(&self) -> ProposalView {
        ProposalView {
            status: self.status,
            stage: self.stage as usize,
            last_meeting_at: self.last_meeting_at,
            proposer: self.proposer,
        }
    }

    /// The stage the proposal stands at (or stopped at); `None` once completed.
    pub fn current_stage(&self) -> Option<&Stage> {
        self.procedure.stages.get(self.stage as usize)
    }

    /// Whether the deciding body has decided it.
    pub fn decided(&self) -> bool {
        self.stage as usize > self.procedure.decide_index()
    }

    /// Applies a move that [`decide`] allows; `Err` if it does not (a stored history that breaks
    /// the rules is reported, never silently replayed).
    pub fn apply(&mut self, event: &ProposalEvent) -> Result<(), DomainError> {
        let ProposalChange::Move(mv) = &event.change else {
            return Err(DomainError::invalid("event", "second_create"));
        };
        let actor = event.actor.user.unwrap_or_default();
        let d = decide(&self.view(), &self.procedure, mv, actor)?;
        if let ProposalMove::RecordMeeting { .. } = mv {
            self.meetings += 1;
            if d.next.stage < self.stage as usize {
                self.returns += 1;
            }
        }
        if d.next.status != ProposalStatus::InProgress {
            self.finished_at = Some(event.at);
        }
        self.status = d.next.status;
        self.stage = u32::try_from(d.next.stage).map_err(|_| DomainError::invalid("stage", "out_of_range"))?;
        self.last_meeting_at = d.next.last_meeting_at;
        self.seq = event.seq;
        Ok(())
    }

    /// Replays a whole history.
    pub fn replay(events: &[ProposalEvent]) -> Result<Self, DomainError> {
        let (first, rest) = events.split_first().ok_or(DomainError::invalid("event", "empty_history"))?;
        let mut p = Self::create(first)?;
        for e in rest {
            p.apply(e)?;
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::case::Actor;
    use crate::deliberation::procedure::{DeliberationRules, ProcedureKind};
    use crate::deliberation::record::{Meeting, Publication, Votes};
    use crate::role::Role;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-10-01T09:00:00+08:00").expect("t").with_timezone(&Utc)
    }

    fn intake() -> ProposalIntake {
        ProposalIntake {
            title: " 硬化村东道路 ".into(),
            content: "村东道路雨天泥泞，群众出行不便，提议硬化。".into(),
            area: AreaCode::parse("439921101201").expect("village"),
            procedure: DeliberationRules::default().procedure(ProcedureKind::Village).clone(),
            origin: Some(Origin::Case { id: CaseId::new(), number: "2026-1001-000001".into() }),
        }
    }

    fn ev(seq: u32, day: i64, user: UserId, change: ProposalChange) -> ProposalEvent {
        ProposalEvent {
            seq,
            at: t0() + Duration::days(day),
            actor: Actor { user: Some(user), name: "村书记".into(), role: Some(Role::Leader) },
            change,
            effects: ProposalEffects::default(),
        }
    }

    fn met(stage: &str, day: i64, members: u32, present: u32, yes: u32) -> ProposalChange {
        ProposalChange::Move(ProposalMove::RecordMeeting {
            meeting: Meeting {
                stage: stage.into(),
                held_at: t0() + Duration::days(day),
                members_total: members,
                attendees: (0..present).map(|i| format!("成员{i}")).collect(),
                observers: vec![],
                votes: Votes { yes, against: present - yes, abstain: 0 },
                minutes: "记录".into(),
            },
        })
    }

    #[test]
    fn an_intake_is_trimmed_and_placed_at_a_community_or_village() {
        let ok = intake().check().expect("valid");
        assert_eq!(ok.title, "硬化村东道路");
        let mut street = intake();
        street.area = AreaCode::parse("439921101000").expect("street");
        assert_eq!(street.check(), Err(DomainError::invalid("area_code", "not_community_or_village")));
        let mut empty = intake();
        empty.content = "".into();
        assert_eq!(empty.check(), Err(DomainError::invalid("content", "required")));
        let mut broken = intake();
        broken.procedure.stages.pop();
        assert!(broken.check().is_err());
    }

    #[test]
    fn replay_follows_returns_and_publications_and_refuses_a_broken_history() {
        let me = UserId::new();
        let mut events = vec![ev(1, 0, me, ProposalChange::Create(Box::new(intake().check().expect("i"))))];
        events[0].effects.number = Some("P2026-000001".into());
        events.push(ev(2, 1, me, met("propose", 1, 5, 5, 5)));
        events.push(ev(3, 2, me, met("discuss", 2, 9, 9, 3)));
        let p = ProposalSnapshot::replay(&events).expect("replay");
        assert_eq!((p.stage, p.meetings, p.returns), (0, 2, 1), "back to the party branch");
        assert_eq!(p.number, "P2026-000001");
        for (i, (s, day, m, pr, y)) in
            [("propose", 3, 5, 5, 5), ("discuss", 4, 9, 9, 8), ("deliberate", 5, 40, 30, 30), ("decide", 6, 30, 25, 20)]
                .into_iter()
                .enumerate()
        {
            events.push(ev(4 + i as u32, day, me, met(s, day, m, pr, y)));
        }
        let p = ProposalSnapshot::replay(&events).expect("replay");
        assert!(p.decided());
        assert_eq!(p.current_stage().map(Stage::key), Some("publish_resolution"));
        for (seq, stage, day) in [(8, "publish_resolution", 7), (9, "publish_result", 60)] {
            let publication = Publication { stage: stage.into(), title: String::new(), text: "公告".into() };
            events.push(ev(seq, day, me, ProposalChange::Move(ProposalMove::Publish { publication })));
        }
        let p = ProposalSnapshot::replay(&events).expect("replay");
        assert_eq!((p.status, p.current_stage(), p.finished_at), (ProposalStatus::Completed, None, Some(events[8].at)));
        assert_eq!(p.seq, 9);
        // A history that skips a stage does not replay.
        let mut bad = events[..2].to_vec();
        bad.push(ev(3, 2, me, met("deliberate", 2, 40, 40, 40)));
        assert_eq!(ProposalSnapshot::replay(&bad), Err(DomainError::invalid("stage", "not_current_stage")));
        // JSON round trip is exact.
        for e in &events {
            assert_eq!(&ProposalEvent::from_json(&e.to_json()).expect("json"), e);
        }
    }
}
