//! The history of a dispute: append-only events chained by SHA-256 exactly like a case's
//! ([`crate::case::link_hash`]), and the dispute as replayed from them.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::kinds::{DisputeType, FollowUpResult, MediationKind, Referral, RiskLevel, SessionOutcome, Source, Tier};
use super::machine::{DisputeMove, DisputeRules, DisputeState, DisputeView, decide_dispute};
use super::record::{DisputeIntake, FOLLOW_UP_AFTER_DAYS, Fen, MediatorRef, OrgRef, SESSION_DUE_DAYS};
use crate::DomainError;
use crate::area::AreaCode;
use crate::time::local_date;

/// What an event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeChange {
    /// The dispute was registered.
    Register(Box<DisputeIntake>),
    /// A move after registration.
    Move(DisputeMove),
}

/// What the store computed when the event was written, recorded so replay needs no registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeEffects {
    /// The dispute number (set at registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The area whose organisations mediate at the current tier (registration, escalation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_area: Option<AreaCode>,
    /// The agreement's number (an agreement session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_number: Option<String>,
}

/// One entry of a dispute's history.
pub type DisputeEvent = crate::history::Entry<DisputeChange, DisputeEffects>;

/// A dispute as its history makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeSnapshot {
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Type.
    pub dispute_type: DisputeType,
    /// Risk.
    pub risk: RiskLevel,
    /// Source.
    pub source: Source,
    /// Where.
    pub area: AreaCode,
    /// Current tier.
    pub tier: Tier,
    /// The area mediating at the current tier.
    pub tier_area: AreaCode,
    /// Kind of mediation.
    pub mediation_kind: MediationKind,
    /// Money involved.
    pub money: Fen,
    /// State.
    pub state: DisputeState,
    /// Sessions at the current tier.
    pub attempts_at_tier: u32,
    /// Sessions in all.
    pub sessions: u32,
    /// Agreements reached (a second one follows an agreement not carried out).
    pub agreements: u32,
    /// The tier of the first agreement.
    pub agreed_tier: Option<Tier>,
    /// The latest agreement's number.
    pub agreement_number: Option<String>,
    /// Current organisation.
    pub org: Option<OrgRef>,
    /// Current mediators.
    pub mediators: Vec<MediatorRef>,
    /// Where it was referred.
    pub referred_to: Option<Referral>,
    /// Registered at.
    pub registered_at: DateTime<Utc>,
    /// Finished (closed or referred) at.
    pub finished_at: Option<DateTime<Utc>>,
    /// The next session is due by (open disputes).
    pub session_due: Option<NaiveDate>,
    /// The next follow-up is due by (agreed disputes).
    pub follow_up_due: Option<NaiveDate>,
    /// Events so far.
    pub seq: u32,
}

fn plus(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

impl DisputeSnapshot {
    /// The dispute after its registration event.
    pub fn register(event: &DisputeEvent) -> Result<Self, DomainError> {
        let DisputeChange::Register(intake) = &event.change else {
            return Err(DomainError::invalid("event", "first_event_not_register"));
        };
        let tier_area = event
            .effects
            .tier_area
            .clone()
            .or_else(|| intake.tier.area_for(&intake.area))
            .ok_or(DomainError::invalid("tier", "above_area"))?;
        Ok(Self {
            number: event.effects.number.clone().unwrap_or_default(),
            title: intake.title.clone(),
            dispute_type: intake.dispute_type,
            risk: intake.risk,
            source: intake.source,
            area: intake.area.clone(),
            tier: intake.tier,
            tier_area,
            mediation_kind: intake.mediation_kind,
            money: intake.money,
            state: DisputeState::Registered,
            attempts_at_tier: 0,
            sessions: 0,
            agreements: 0,
            agreed_tier: None,
            agreement_number: None,
            org: intake.org.clone(),
            mediators: intake.mediators.clone(),
            referred_to: None,
            registered_at: event.at,
            finished_at: None,
            session_due: Some(plus(local_date(event.at), SESSION_DUE_DAYS)),
            follow_up_due: None,
            seq: event.seq,
        })
    }

    /// What the state machine needs.
    pub fn view(&self) -> DisputeView {
        DisputeView { state: self.state, tier: self.tier, risk: self.risk, attempts_at_tier: self.attempts_at_tier }
    }

    /// Applies a move that [`decide_dispute`] allowed; `Err` if it does not (stored history that
    /// breaks the rules is reported, never silently replayed).
    pub fn apply(&mut self, event: &DisputeEvent, rules: &DisputeRules) -> Result<(), DomainError> {
        let DisputeChange::Move(mv) = &event.change else {
            return Err(DomainError::invalid("event", "second_register"));
        };
        let next = decide_dispute(&self.view(), mv, rules)?;
        let today = local_date(event.at);
        match mv {
            DisputeMove::RecordSession { session } => {
                self.sessions += 1;
                if session.outcome == SessionOutcome::Agreement {
                    self.agreements += 1;
                    self.agreed_tier.get_or_insert(self.tier);
                    self.agreement_number.clone_from(&event.effects.agreement_number);
                    self.follow_up_due = Some(plus(session.held_on, FOLLOW_UP_AFTER_DAYS));
                    self.session_due = None;
                } else {
                    self.session_due = Some(session.next_on.unwrap_or(plus(session.held_on, SESSION_DUE_DAYS)));
                }
                if !session.mediators.is_empty() {
                    self.mediators.clone_from(&session.mediators);
                }
            }
            DisputeMove::Assign { org, mediators } => {
                self.org = Some(org.clone());
                self.mediators.clone_from(mediators);
            }
            DisputeMove::Escalate { .. } => {
                self.tier_area = event
                    .effects
                    .tier_area
                    .clone()
                    .or_else(|| next.tier.area_for(&self.area))
                    .ok_or(DomainError::invalid("tier", "above_area"))?;
                // The new tier's centre assigns its own organisation and mediators.
                self.org = None;
                self.mediators.clear();
                self.session_due = Some(plus(today, SESSION_DUE_DAYS));
            }
            DisputeMove::Refer { to, .. } => {
                self.referred_to = Some(*to);
                self.finished_at = Some(event.at);
                self.session_due = None;
            }
            DisputeMove::FollowUp { visit } => match visit.result {
                FollowUpResult::Performed => {
                    self.follow_up_due = None;
                    self.finished_at = Some(event.at);
                }
                FollowUpResult::Partial => self.follow_up_due = Some(plus(visit.visited_on, FOLLOW_UP_AFTER_DAYS)),
                FollowUpResult::NotPerformed => {
                    self.follow_up_due = None;
                    self.session_due = Some(plus(visit.visited_on, SESSION_DUE_DAYS));
                }
            },
            DisputeMove::Close { .. } => {
                self.finished_at = Some(event.at);
                self.session_due = None;
                self.follow_up_due = None;
            }
        }
        self.state = next.state;
        self.tier = next.tier;
        self.attempts_at_tier = next.attempts_at_tier;
        self.seq = event.seq;
        Ok(())
    }

    /// Replays a whole history.
    pub fn replay(events: &[DisputeEvent], rules: &DisputeRules) -> Result<Self, DomainError> {
        let (first, rest) = events.split_first().ok_or(DomainError::invalid("event", "empty_history"))?;
        let mut d = Self::register(first)?;
        for e in rest {
            d.apply(e, rules)?;
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Actor;
    use crate::dispute::record::{FollowUpVisit, PartyKind, PartyRecord, PartyRole, Session};
    use crate::dispute::{SessionMethod, SessionOutcome};
    use crate::ids::MediatorId;

    fn at(day: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 10, day).expect("d").and_hms_opt(2, 0, 0).expect("t").and_utc()
    }

    fn actor() -> Actor {
        Actor { user: None, name: "调解员".into(), role: None }
    }

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

    fn intake() -> DisputeIntake {
        DisputeIntake {
            title: "宅基地边界".into(),
            facts: "两户因院墙位置争执".into(),
            dispute_type: DisputeType::Land,
            risk: RiskLevel::Yellow,
            source: Source::Application,
            area: AreaCode::parse("439901001001001").expect("grid"),
            tier: Tier::Village,
            money: Fen(500_000),
            parties: vec![party("张三"), party("李四")],
            mediation_kind: MediationKind::Peoples,
            org: None,
            mediators: vec![],
            case: None,
            screening: None,
            court_ref: None,
        }
    }

    fn ev(seq: u32, day: u32, change: DisputeChange) -> DisputeEvent {
        DisputeEvent { seq, at: at(day), actor: actor(), change, effects: DisputeEffects::default() }
    }

    fn session(day: u32, outcome: SessionOutcome) -> DisputeChange {
        let agreement = outcome == SessionOutcome::Agreement;
        DisputeChange::Move(DisputeMove::RecordSession {
            session: Session {
                held_on: at(day).date_naive(),
                method: SessionMethod::InPerson,
                mediators: vec![MediatorRef { id: MediatorId::new(), name: "王".into() }],
                parties_present: vec!["张三".into()],
                notes: "n".into(),
                outcome,
                terms: if agreement { vec!["退让半米".into()] } else { vec![] },
                performance: agreement.then(|| "一周内".into()),
                next_on: None,
            },
        })
    }

    #[test]
    fn replay_follows_the_tiers_and_the_due_dates() {
        let rules = DisputeRules::default();
        let mut events = vec![ev(1, 1, DisputeChange::Register(Box::new(intake())))];
        events[0].effects.number = Some("2026-000001".into());
        for (i, day) in [3, 8, 13].into_iter().enumerate() {
            events.push(ev(2 + i as u32, day, session(day, SessionOutcome::Failed)));
        }
        let mut up = ev(5, 14, DisputeChange::Move(DisputeMove::Escalate { reason: "三次不成".into() }));
        up.effects.tier_area = Some(AreaCode::parse("439901001000").expect("street"));
        events.push(up);
        let d = DisputeSnapshot::replay(&events, &rules).expect("replay");
        assert_eq!((d.tier, d.state, d.attempts_at_tier, d.sessions), (Tier::Township, DisputeState::Registered, 0, 3));
        assert_eq!(d.tier_area.to_string(), "439901001000");
        assert_eq!(d.session_due, NaiveDate::from_ymd_opt(2026, 10, 24));
        let mut agreed = ev(6, 20, session(20, SessionOutcome::Agreement));
        agreed.effects.agreement_number = Some("2026-000001-1".into());
        events.push(agreed);
        let d = DisputeSnapshot::replay(&events, &rules).expect("replay");
        assert_eq!((d.state, d.agreed_tier, d.session_due), (DisputeState::Agreed, Some(Tier::Township), None));
        assert_eq!(d.follow_up_due, NaiveDate::from_ymd_opt(2026, 11, 19));
        let visit = FollowUpVisit {
            visited_on: at(25).date_naive(),
            result: FollowUpResult::Performed,
            notes: "已拆墙".into(),
        };
        events.push(ev(7, 25, DisputeChange::Move(DisputeMove::FollowUp { visit })));
        let d = DisputeSnapshot::replay(&events, &rules).expect("replay");
        assert_eq!((d.state, d.finished_at), (DisputeState::Closed, Some(at(25))));
        // A history that breaks the tier rule does not replay.
        let mut bad = events[..2].to_vec();
        bad.push(ev(3, 4, DisputeChange::Move(DisputeMove::Escalate { reason: "x".into() })));
        assert_eq!(DisputeSnapshot::replay(&bad, &rules), Err(DomainError::Rule { rule: "min_attempts_not_reached" }));
        // JSON round trip is exact.
        for e in &events {
            assert_eq!(&DisputeEvent::from_json(&e.to_json()).expect("json"), e);
        }
    }
}
