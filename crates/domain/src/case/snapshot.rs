//! The current state of a case, derived from its history by [`CaseSnapshot::evolve`]. The stored
//! case row is this struct; rebuilding it from the events must give the same value.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::category::CategoryCode;
use super::event::Event;
use super::kinds::{Channel, Ledger, ResultKind, Satisfaction, SupervisionLevel, Urgency};
use super::moves::{GeoPoint, Move, Reporter};
use super::state::CaseState;
use crate::DomainError;
use crate::area::{AreaCode, AreaLevel};
use crate::ids::{CaseId, CaseNumber, OrgId, UserId};
use crate::scope::Visibility;

/// A case as it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSnapshot {
    /// Identity.
    pub id: CaseId,
    /// Human-readable number.
    pub number: CaseNumber,
    /// Where it stands.
    pub state: CaseState,
    /// Ledger.
    pub ledger: Ledger,
    /// Category.
    pub category: CategoryCode,
    /// Channel.
    pub channel: Channel,
    /// Urgency.
    pub urgency: Urgency,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Leaf area of the matter.
    pub area: AreaCode,
    /// Exact place.
    pub location: Option<GeoPoint>,
    /// The place lies in no grid; the centre must place it.
    #[serde(default)]
    pub off_grid: bool,
    /// Who reported it.
    pub reporter: Reporter,
    /// The centre responsible now.
    pub handling_area: AreaCode,
    /// Lead organisation while dispatched or in progress.
    pub lead_org: Option<OrgId>,
    /// Co-organisations of the current dispatch.
    pub co_orgs: Vec<OrgId>,
    /// Every organisation the case was ever dispatched to (their handlers keep seeing it).
    pub orgs_ever: Vec<OrgId>,
    /// Handled by the grid on the spot.
    pub self_handled: bool,
    /// Deadline to sign for.
    pub sign_by: Option<DateTime<Utc>>,
    /// Deadline to handle.
    pub handle_by: Option<DateTime<Utc>>,
    /// Deadline to revisit.
    pub revisit_by: Option<DateTime<Utc>>,
    /// When the current stage began (for the yellow share).
    pub stage_started_at: DateTime<Utc>,
    /// Extension asked for, in working days, awaiting decision.
    pub extension_pending: Option<u32>,
    /// The handler asked for escalation.
    pub escalation_requested: bool,
    /// The leader's last instruction.
    pub instruction: Option<String>,
    /// The reported result.
    pub result: Option<ResultKind>,
    /// What was done.
    pub result_text: Option<String>,
    /// Whether the result came in by the handle deadline.
    pub handled_on_time: Option<bool>,
    /// The last revisit's answer.
    pub satisfaction: Option<Satisfaction>,
    /// Supervision line, if supervised.
    pub supervision: Option<SupervisionLevel>,
    /// How many times redone after an unsatisfied revisit.
    pub redo_count: u32,
    /// How many times returned as misrouted.
    pub return_count: u32,
    /// Folded into this case.
    pub merged_into: Option<CaseId>,
    /// The level where it was closed.
    pub closed_level: Option<AreaLevel>,
    /// When registered.
    pub created_at: DateTime<Utc>,
    /// When accepted.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When the result was reported.
    pub handled_at: Option<DateTime<Utc>>,
    /// When closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// Number of events in the history.
    pub last_seq: u32,
}

impl CaseSnapshot {
    /// The snapshot after the first event, which must be `register`.
    pub fn genesis(id: CaseId, event: &Event) -> Result<Self, DomainError> {
        let Move::Register(intake) = &event.change else {
            return Err(DomainError::Rule { rule: "history_must_start_with_register" });
        };
        let number = event.effects.number.clone().ok_or(DomainError::Rule { rule: "register_needs_number" })?;
        let handling_area =
            event.effects.handling_area.clone().ok_or(DomainError::Rule { rule: "register_needs_handling_area" })?;
        Ok(Self {
            id,
            number,
            state: CaseState::Registered,
            ledger: intake.ledger,
            category: intake.category.clone(),
            channel: intake.channel,
            urgency: intake.urgency,
            title: intake.title.clone(),
            text: intake.text.clone(),
            area: intake.area.clone(),
            location: intake.location,
            off_grid: intake.off_grid,
            reporter: intake.reporter.clone(),
            handling_area,
            lead_org: None,
            co_orgs: Vec::new(),
            orgs_ever: Vec::new(),
            self_handled: false,
            sign_by: None,
            handle_by: None,
            revisit_by: None,
            stage_started_at: event.at,
            extension_pending: None,
            escalation_requested: false,
            instruction: None,
            result: None,
            result_text: None,
            handled_on_time: None,
            satisfaction: None,
            supervision: None,
            redo_count: 0,
            return_count: 0,
            merged_into: None,
            closed_level: None,
            created_at: event.at,
            accepted_at: None,
            handled_at: None,
            closed_at: None,
            updated_at: event.at,
            last_seq: event.seq,
        })
    }

    /// Replays a whole history.
    pub fn rebuild(id: CaseId, events: &[Event]) -> Result<Self, DomainError> {
        let (first, rest) = events.split_first().ok_or(DomainError::Rule { rule: "empty_history" })?;
        let mut snap = Self::genesis(id, first)?;
        for e in rest {
            snap.evolve(e)?;
        }
        Ok(snap)
    }

    /// Applies one recorded event. Events are facts already decided, so this checks only what
    /// keeps the snapshot meaningful (order and a known target state), not who may act.
    pub fn evolve(&mut self, event: &Event) -> Result<(), DomainError> {
        if event.seq != self.last_seq + 1 {
            return Err(DomainError::Rule { rule: "event_out_of_order" });
        }
        let next = super::machine::target_state(self, &event.change)
            .ok_or(DomainError::IllegalMove { action: event.change.name(), state: self.state.as_str() })?;
        let fx = &event.effects;
        let at = event.at;
        match &event.change {
            Move::Register(_) => {
                return Err(DomainError::Rule { rule: "register_only_first" });
            }
            Move::Review { instruction, .. } => self.instruction = Some(instruction.clone()),
            Move::Accept { .. } => {}
            Move::Dispatch { lead, co, .. } => {
                self.lead_org = Some(*lead);
                self.co_orgs.clone_from(co);
                for o in std::iter::once(lead).chain(co) {
                    if !self.orgs_ever.contains(o) {
                        self.orgs_ever.push(*o);
                    }
                }
                self.self_handled = false;
            }
            Move::Return { .. } => {
                self.lead_org = None;
                self.co_orgs.clear();
                self.return_count += 1;
            }
            Move::RequestExtension { days, .. } => self.extension_pending = Some(*days),
            Move::DecideExtension { .. } => self.extension_pending = None,
            Move::RequestEscalation { .. } => self.escalation_requested = true,
            Move::Escalate { .. } | Move::Delegate { .. } => {
                self.lead_org = None;
                self.co_orgs.clear();
                self.escalation_requested = false;
                self.extension_pending = None;
                self.self_handled = false;
            }
            Move::SelfHandle { .. } => self.self_handled = true,
            Move::ReportResult { outcome, text } => {
                // A result answers any open request for time or escalation.
                self.extension_pending = None;
                self.escalation_requested = false;
                self.result = Some(*outcome);
                self.result_text = Some(text.clone());
                self.handled_at = Some(at);
                self.handled_on_time = Some(self.handle_by.is_none_or(|due| at <= due));
            }
            Move::RecordRevisit { satisfaction, .. } => self.satisfaction = Some(*satisfaction),
            Move::Redo { .. } => {
                self.redo_count += 1;
                self.satisfaction = None;
                self.result = None;
            }
            Move::SendBack { .. } => self.result = None,
            Move::Merge { into, .. } => self.merged_into = Some(*into),
            Move::Close { .. } => self.closed_at = Some(at),
            Move::Supervise { level, .. } => {
                self.supervision = Some(self.supervision.map_or(*level, |l| l.max(*level)));
            }
            Move::RequestReview { .. }
            | Move::NotAccept { .. }
            | Move::Sign
            | Move::Verify { .. }
            | Move::Archive
            | Move::Urge { .. }
            | Move::Comment { .. } => {}
        }
        if matches!(event.change, Move::Accept { .. } | Move::Review { accept: true, .. }) && self.accepted_at.is_none()
        {
            self.accepted_at = Some(at);
        }
        if let Some(t) = fx.sign_by {
            self.sign_by = Some(t);
        }
        if let Some(t) = fx.handle_by {
            self.handle_by = Some(t);
        }
        if let Some(t) = fx.revisit_by {
            self.revisit_by = Some(t);
        }
        if let Some(a) = &fx.handling_area {
            self.handling_area = a.clone();
        }
        if let Some(l) = fx.closed_level {
            self.closed_level = Some(l);
        }
        if next != self.state {
            self.stage_started_at = at;
        }
        self.state = next;
        self.updated_at = at;
        self.last_seq = event.seq;
        Ok(())
    }

    /// The deadline of the stage the case is in, if the stage has one.
    pub fn current_due(&self) -> Option<DateTime<Utc>> {
        match self.state {
            CaseState::Dispatched => self.sign_by,
            CaseState::InProgress => self.handle_by,
            CaseState::Revisit => self.revisit_by,
            _ => None,
        }
    }

    /// What scope needs to decide whether someone may see this case.
    pub fn visibility(&self) -> Visibility<'_> {
        Visibility {
            id: self.id,
            area: &self.area,
            orgs: &self.orgs_ever,
            reporter: match self.reporter {
                Reporter::Account { user } => Some(user),
                _ => None,
            },
        }
    }

    /// The reporting user, when the report came from an account.
    pub fn reporter_user(&self) -> Option<UserId> {
        self.visibility().reporter
    }
}
