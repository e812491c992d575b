//! The case state machine: which move leads where ([`target_state`]), who may make it
//! ([`may`]), and the decision that turns a requested move into an event ([`decide`],
//! [`register`]). A refused move returns an error and changes nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::event::{Actor, Effects, Event};
use super::kinds::{Channel, Ledger, Satisfaction, SupervisionLevel, Urgency};
use super::moves::{Intake, Move, Reporter};
use super::snapshot::CaseSnapshot;
use super::state::CaseState;
use crate::DomainError;
use crate::area::{AreaCode, AreaLevel};
use crate::deadline::{DeadlinePolicy, WorkCalendar, WorkDuration};
use crate::ids::{CaseId, CaseNumber};
use crate::role::Role;
use crate::scope::{Binding, Principal, Scope};

/// Rules of the case life that a city configures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRules {
    /// How many redos an unsatisfied resident can cause.
    pub max_redo: u32,
    /// Urgencies that need a leader's review before acceptance.
    pub review_required_for: Vec<Urgency>,
    /// Longest extension one request may ask, in working days.
    pub max_extension_days: u32,
}

impl Default for CaseRules {
    fn default() -> Self {
        Self { max_redo: 1, review_required_for: vec![Urgency::Critical], max_extension_days: 30 }
    }
}

/// Everything a decision may consult besides the case.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// Who acts.
    pub actor: &'a Principal,
    /// Now.
    pub now: DateTime<Utc>,
    /// Working-day calendar.
    pub calendar: &'a WorkCalendar,
    /// Deadline policy.
    pub policy: &'a DeadlinePolicy,
    /// The city's case rules.
    pub rules: &'a CaseRules,
}

impl Ctx<'_> {
    fn actor(&self) -> Actor {
        Actor { user: Some(self.actor.user_id), name: self.actor.name.clone(), role: Some(self.actor.role) }
    }
}

/// The state a move leads to from the case's current state, or `None` if the move is not part of
/// the state machine from there.
pub fn target_state(case: &CaseSnapshot, mv: &Move) -> Option<CaseState> {
    use CaseState as S;
    let s = case.state;
    Some(match (s, mv) {
        (S::Registered, Move::RequestReview { .. }) => S::PendingReview,
        (S::Registered, Move::Accept { .. }) => S::Accepted,
        // Once a leader must review, only the leader's review can refuse.
        (S::Registered, Move::NotAccept { .. }) => S::NotAccepted,
        (S::PendingReview, Move::Review { accept: true, .. }) => S::Accepted,
        (S::PendingReview, Move::Review { accept: false, .. }) => S::NotAccepted,
        (S::Registered | S::Accepted, Move::Merge { .. }) => S::Merged,
        (S::Accepted, Move::Dispatch { .. }) => S::Dispatched,
        (S::Dispatched, Move::Sign) => S::InProgress,
        (S::Dispatched, Move::Return { .. }) => S::Accepted,
        (
            S::InProgress,
            Move::RequestExtension { .. } | Move::DecideExtension { .. } | Move::RequestEscalation { .. },
        ) => S::InProgress,
        (S::Accepted | S::InProgress, Move::Escalate { .. }) => S::Accepted,
        (S::Accepted, Move::Delegate { .. }) => S::Accepted,
        (S::Accepted, Move::SelfHandle { .. }) => S::InProgress,
        (S::InProgress, Move::ReportResult { .. }) => S::Handled,
        (S::Handled, Move::Verify { .. }) => S::Revisit,
        (S::Handled, Move::SendBack { .. }) => S::InProgress,
        (S::Revisit, Move::RecordRevisit { .. }) => S::Revisit,
        (S::Revisit, Move::Redo { .. }) => S::InProgress,
        (S::Revisit, Move::Close { .. }) => S::Closed,
        (S::Closed, Move::Archive) => S::Archived,
        (s, Move::Supervise { .. } | Move::Urge { .. } | Move::Comment { .. }) if s.is_open() => s,
        _ => return None,
    })
}

/// Whether a role may make a move at all (before scope and position are checked).
pub fn may(role: Role, mv: &Move) -> bool {
    use Role as R;
    match mv {
        Move::Register(_) => matches!(role, R::Resident | R::GridWorker | R::Operator | R::Leader),
        // A grid worker takes on their own findings to solve on the spot (网格自办); see `position`.
        Move::Accept { .. } => matches!(role, R::Operator | R::GridWorker),
        Move::RequestReview { .. }
        | Move::NotAccept { .. }
        | Move::Merge { .. }
        | Move::Dispatch { .. }
        | Move::Escalate { .. }
        | Move::Delegate { .. }
        | Move::Close { .. } => role == R::Operator,
        Move::Review { .. } | Move::Verify { .. } | Move::SendBack { .. } => role == R::Leader,
        Move::Sign | Move::Return { .. } | Move::RequestExtension { .. } | Move::RequestEscalation { .. } => {
            role == R::Handler
        }
        Move::ReportResult { .. } => matches!(role, R::Handler | R::GridWorker),
        Move::SelfHandle { .. } => role == R::GridWorker,
        Move::DecideExtension { .. } | Move::Redo { .. } | Move::Supervise { .. } | Move::Urge { .. } => {
            matches!(role, R::Operator | R::Leader)
        }
        Move::RecordRevisit { .. } => matches!(role, R::Operator | R::Resident),
        Move::Comment { .. } => matches!(role, R::Resident | R::Operator | R::Leader),
        Move::Archive => matches!(role, R::Operator | R::Admin),
    }
}

/// The moves this actor could make on this case now, by wire name (for screens and the API): each
/// candidate is put through [`decide`] itself, so what is offered is exactly what would be accepted
/// given well-formed input.
pub fn available_moves(case: &CaseSnapshot, ctx: &Ctx<'_>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for m in candidate_moves(case) {
        let name = m.name();
        if !out.contains(&name) && decide(case, m, ctx).is_ok() {
            out.push(name);
        }
    }
    out
}

/// Well-formed representatives of every move kind for [`available_moves`].
fn candidate_moves(case: &CaseSnapshot) -> Vec<Move> {
    let s = || "-".to_owned();
    let nil = uuid::Uuid::nil();
    // Delegation goes one level down, towards the case.
    let down = case
        .area
        .lineage()
        .into_iter()
        .find(|a| a.level() > case.handling_area.level() && a.is_within(&case.handling_area));
    let mut v = vec![
        Move::RequestReview { note: s() },
        Move::Review { accept: true, instruction: s() },
        Move::Accept { note: s() },
        Move::NotAccept { reason: s() },
        Move::Merge { into: CaseId(nil), into_number: case.number.clone(), reason: s() },
        Move::Dispatch { lead: crate::ids::OrgId(nil), co: vec![], note: s() },
        Move::Sign,
        Move::Return { reason: s() },
        Move::RequestExtension { days: 1, reason: s() },
        Move::DecideExtension { grant: true, note: s() },
        Move::RequestEscalation { reason: s() },
        Move::Escalate { reason: s() },
        Move::SelfHandle { note: s() },
        Move::ReportResult { outcome: super::kinds::ResultKind::Resolved, text: s() },
        Move::Verify { note: s() },
        Move::SendBack { reason: s() },
        Move::RecordRevisit { satisfaction: Satisfaction::Satisfied, note: s() },
        Move::Redo { reason: s() },
        Move::Close { note: s() },
        Move::Archive,
        Move::Urge { note: s() },
        Move::Comment { text: s() },
    ];
    if let Some(to) = down {
        v.push(Move::Delegate { to, reason: s() });
    }
    for level in SupervisionLevel::ALL {
        v.push(Move::Supervise { level: *level, note: s() });
    }
    v
}

/// Role, scope and position: may this actor make this move on this case?
fn check_position(case: &CaseSnapshot, mv: &Move, actor: &Principal) -> Result<(), DomainError> {
    let forbidden = DomainError::Forbidden { role: actor.role.as_str(), action: mv.name() };
    if !may(actor.role, mv) {
        return Err(forbidden);
    }
    if !actor.scope().sees(case.visibility()) {
        return Err(DomainError::Rule { rule: "out_of_scope" });
    }
    // Scope, not the home area: an account bound to an organisation has an area too, but no
    // centre's powers there.
    let at_handling_level = || matches!(actor.scope(), Scope::Subtree(root) if case.handling_area.is_within(&root));
    let ok = match actor.role {
        Role::Operator | Role::Leader => at_handling_level(),
        Role::Handler => match &actor.binding {
            Binding::Org { org, .. } => case.lead_org == Some(*org),
            _ => false,
        },
        Role::GridWorker => match mv {
            // Only their own event-ledger finding at their grid: there is no resident to inform,
            // and the result is still verified by a leader.
            Move::Accept { .. } => {
                at_handling_level()
                    && case.handling_area.level() >= AreaLevel::Grid
                    && case.ledger == Ledger::Event
                    && case.reporter_user() == Some(actor.user_id)
            }
            Move::SelfHandle { .. } => at_handling_level() && case.handling_area.level() >= AreaLevel::Grid,
            Move::ReportResult { .. } => case.self_handled && at_handling_level(),
            _ => false,
        },
        Role::Resident => match actor.binding {
            Binding::FollowedCase { case: id } => id == case.id,
            _ => case.reporter_user() == Some(actor.user_id),
        },
        Role::Admin => true,
        Role::Mediator | Role::Analyst => false,
    };
    if ok { Ok(()) } else { Err(DomainError::Rule { rule: "not_your_case_at_this_stage" }) }
}

/// Rules of the case life beyond the state table.
fn rules_allow(case: &CaseSnapshot, mv: &Move, rules: &CaseRules) -> Result<(), DomainError> {
    let rule = |rule| Err(DomainError::Rule { rule });
    match mv {
        Move::Accept { .. } if rules.review_required_for.contains(&case.urgency) => rule("leader_review_required"),
        Move::RequestExtension { .. } if case.extension_pending.is_some() => rule("extension_already_pending"),
        Move::DecideExtension { .. } if case.extension_pending.is_none() => rule("no_extension_pending"),
        Move::Escalate { .. } if case.state == CaseState::InProgress && !case.escalation_requested => {
            rule("escalation_not_requested")
        }
        Move::Escalate { .. } if case.handling_area.parent().is_none() => rule("no_parent_level"),
        Move::Merge { into, .. } if *into == case.id => rule("cannot_merge_into_itself"),
        Move::Supervise { level, .. } if case.supervision.is_some_and(|l| l >= *level) => {
            rule("supervision_cannot_lower")
        }
        Move::Redo { .. } if case.satisfaction != Some(Satisfaction::Unsatisfied) => {
            rule("redo_needs_unsatisfied_revisit")
        }
        Move::Redo { .. } if case.redo_count >= rules.max_redo => rule("redo_limit_reached"),
        Move::Close { .. } if case.satisfaction.is_none() => rule("close_needs_revisit"),
        _ => Ok(()),
    }
}

fn required_text(field: &'static str, text: &str, max_chars: usize) -> Result<(), DomainError> {
    let n = text.trim().chars().count();
    if n == 0 {
        Err(DomainError::invalid(field, "required"))
    } else if n > max_chars {
        Err(DomainError::invalid(field, "too_long"))
    } else {
        Ok(())
    }
}

fn optional_text(field: &'static str, text: &str, max_chars: usize) -> Result<(), DomainError> {
    if text.chars().count() > max_chars { Err(DomainError::invalid(field, "too_long")) } else { Ok(()) }
}

/// Field checks of a move's own data.
fn validate_fields(case: &CaseSnapshot, mv: &Move, rules: &CaseRules) -> Result<(), DomainError> {
    const NOTE: usize = 2000;
    match mv {
        Move::Register(_) => Err(DomainError::Rule { rule: "register_only_first" }),
        Move::NotAccept { reason }
        | Move::Return { reason }
        | Move::RequestEscalation { reason }
        | Move::Escalate { reason }
        | Move::SendBack { reason }
        | Move::Redo { reason }
        | Move::Merge { reason, .. } => required_text("reason", reason, NOTE),
        Move::Review { instruction, .. } => required_text("instruction", instruction, NOTE),
        Move::RequestExtension { days, reason } => {
            if *days == 0 || *days > rules.max_extension_days {
                return Err(DomainError::invalid("days", "out_of_range"));
            }
            required_text("reason", reason, NOTE)
        }
        Move::Delegate { to, reason } => {
            // Down the tree, and towards the case: a centre that cannot see the case cannot take it.
            if !(to.is_within(&case.handling_area)
                && to.level() > case.handling_area.level()
                && case.area.is_within(to))
            {
                return Err(DomainError::invalid("to", "not_below_handling_area"));
            }
            required_text("reason", reason, NOTE)
        }
        Move::Dispatch { lead, co, note } => {
            if co.contains(lead) {
                return Err(DomainError::invalid("co", "lead_also_co"));
            }
            let mut seen = co.clone();
            seen.sort();
            seen.dedup();
            if seen.len() != co.len() {
                return Err(DomainError::invalid("co", "duplicate"));
            }
            optional_text("note", note, NOTE)
        }
        Move::ReportResult { text, .. } => required_text("text", text, 5000),
        Move::Comment { text } => required_text("text", text, 4000),
        Move::RequestReview { note }
        | Move::Accept { note }
        | Move::DecideExtension { note, .. }
        | Move::SelfHandle { note }
        | Move::Verify { note }
        | Move::RecordRevisit { note, .. }
        | Move::Close { note }
        | Move::Supervise { note, .. }
        | Move::Urge { note } => optional_text("note", note, NOTE),
        Move::Sign | Move::Archive => Ok(()),
    }
}

/// Decides a move on an existing case: checks fields, role, scope and position, the state table
/// and the case rules, then returns the event to append. Nothing is changed here.
pub fn decide(case: &CaseSnapshot, mv: Move, ctx: &Ctx<'_>) -> Result<Event, DomainError> {
    validate_fields(case, &mv, ctx.rules)?;
    check_position(case, &mv, ctx.actor)?;
    if target_state(case, &mv).is_none() {
        return Err(DomainError::IllegalMove { action: mv.name(), state: case.state.as_str() });
    }
    rules_allow(case, &mv, ctx.rules)?;
    if let Move::Supervise { level, .. } = &mv
        && ctx.actor.role == Role::Operator
        && *level != SupervisionLevel::Centre
    {
        return Err(DomainError::Forbidden { role: ctx.actor.role.as_str(), action: "supervise" });
    }
    let limits = ctx.policy.lookup(case.ledger, case.category.as_str(), case.urgency);
    let cal = ctx.calendar;
    let now = ctx.now;
    let mut fx = Effects::default();
    match &mv {
        Move::Accept { .. } | Move::Review { accept: true, .. } => fx.handle_by = Some(cal.add(now, limits.handle)),
        Move::Dispatch { .. } => {
            // The centre that dispatches owns the case from now on: a grid finding sent to a
            // department by the street is the street's, and is counted as closed there.
            if let Scope::Subtree(root) = ctx.actor.scope()
                && root.level() < case.handling_area.level()
            {
                fx.handling_area = Some(root);
            }
            fx.sign_by = Some(cal.add(now, limits.sign));
            fx.handle_by = Some(cal.add(now, limits.handle));
        }
        Move::DecideExtension { grant: true, .. } => {
            let days = case.extension_pending.unwrap_or(0);
            fx.handle_by = Some(cal.add(case.handle_by.unwrap_or(now), WorkDuration::Days(days)));
        }
        Move::Escalate { .. } => fx.handling_area = case.handling_area.parent(),
        Move::Delegate { to, .. } => fx.handling_area = Some(to.clone()),
        Move::SelfHandle { .. } | Move::Redo { .. } => fx.handle_by = Some(cal.add(now, limits.handle)),
        Move::Verify { .. } => fx.revisit_by = Some(cal.add(now, limits.revisit)),
        Move::ReportResult { .. } => fx.work_minutes = Some(cal.working_minutes_between(case.created_at, now)),
        Move::Close { .. } => fx.closed_level = Some(case.handling_area.level()),
        _ => {}
    }
    Ok(Event { seq: case.last_seq + 1, at: now, actor: ctx.actor(), change: mv, effects: fx })
}

/// Decides the registration of a new case and returns its first snapshot and event.
pub fn register(
    id: CaseId,
    number: CaseNumber,
    intake: Intake,
    ctx: &Ctx<'_>,
) -> Result<(CaseSnapshot, Event), DomainError> {
    required_text("title", &intake.title, 200)?;
    required_text("text", &intake.text, 5000)?;
    if let Some(p) = intake.location {
        let ok = p.lon.is_finite()
            && p.lat.is_finite()
            && (-180.0..=180.0).contains(&p.lon)
            && (-90.0..=90.0).contains(&p.lat);
        if !ok {
            return Err(DomainError::invalid("location", "out_of_range"));
        }
    }
    if intake.attachments.len() > 20 {
        return Err(DomainError::invalid("attachments", "too_many"));
    }
    let actor = ctx.actor;
    if matches!(intake.reporter, Reporter::Account { user } if user != actor.user_id) {
        return Err(DomainError::invalid("reporter", "must_be_self"));
    }
    if !may(actor.role, &Move::Register(intake.clone())) {
        return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "register" });
    }
    let handling_area = match (actor.role, &actor.binding) {
        (Role::Resident, _) => {
            if intake.reporter != (Reporter::Account { user: actor.user_id }) {
                return Err(DomainError::invalid("reporter", "must_be_self"));
            }
            if !matches!(intake.channel, Channel::Web | Channel::Mobile) {
                return Err(DomainError::invalid("channel", "not_a_resident_channel"));
            }
            street_of(&intake.area)
        }
        (Role::GridWorker, Binding::Area { area }) => {
            if !intake.area.is_within(area) {
                return Err(DomainError::Rule { rule: "out_of_scope" });
            }
            intake.area.clone()
        }
        (Role::Operator | Role::Leader, Binding::Area { area }) => {
            if !intake.area.is_within(area) {
                return Err(DomainError::Rule { rule: "out_of_scope" });
            }
            // The centre that takes the call keeps it unless it sits below the street level.
            if area.level() <= AreaLevel::Street { area.clone() } else { street_of(&intake.area) }
        }
        _ => {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "register" });
        }
    };
    let event = Event {
        seq: 1,
        at: ctx.now,
        actor: ctx.actor(),
        change: Move::Register(intake),
        effects: Effects { number: Some(number), handling_area: Some(handling_area), ..Effects::default() },
    };
    let snap = CaseSnapshot::genesis(id, &event)?;
    Ok((snap, event))
}

/// The street (or the nearest level above it) that owns an area.
fn street_of(area: &AreaCode) -> AreaCode {
    area.ancestor_at(AreaLevel::Street).unwrap_or_else(|| area.clone())
}
