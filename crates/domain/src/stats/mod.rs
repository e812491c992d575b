//! Counter definitions: what each event adds to the per-day counters that boards read.
//!
//! Case counters are keyed by local day × leaf area × category × organisation × channel and updated
//! in the same transaction as the event, so a board over years of data sums rows instead of scanning
//! cases. This module is the one place that says which event moves which counter; dispute figures
//! are in [`disputes`].

pub mod access;
pub mod alerts;
pub mod assessment;
pub mod disputes;
pub mod figures;
pub mod period;

use crate::case::{CaseSnapshot, Event, Move, Satisfaction};

/// A counted quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// A case was registered (受理量的分母: received).
    Received,
    /// A case was accepted (受理).
    Accepted,
    /// A case was not accepted.
    NotAccepted,
    /// A case was merged into another.
    Merged,
    /// A dispatch to an organisation.
    Dispatched,
    /// A dispatch was signed for.
    Signed,
    /// A dispatch was signed for by its deadline (response, 响应).
    SignedOnTime,
    /// A case came back as misrouted.
    Returned,
    /// A result was reported.
    Handled,
    /// A result was reported by its deadline.
    HandledOnTime,
    /// A result of kind "resolved".
    Resolved,
    /// A revisit was recorded.
    Revisited,
    /// The resident was satisfied or basically satisfied.
    Satisfied,
    /// The resident was unsatisfied.
    Unsatisfied,
    /// A case was closed.
    Closed,
    /// A case was closed at grid or community level.
    ClosedLocally,
    /// A case was escalated.
    Escalated,
    /// A case was closed at grid level.
    ClosedAtGrid,
    /// A case was closed at community level.
    ClosedAtCommunity,
    /// A case was closed at street level.
    ClosedAtStreet,
    /// A result was reported with its working time recorded (the denominator of the average).
    Timed,
    /// Working minutes from registration to result, summed (the numerator of the average).
    HandlingMinutes,
    /// A registration that repeats an earlier request (same reporter, or same place and matter).
    Repeated,
}

impl Metric {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::NotAccepted => "not_accepted",
            Self::Merged => "merged",
            Self::Dispatched => "dispatched",
            Self::Signed => "signed",
            Self::SignedOnTime => "signed_on_time",
            Self::Returned => "returned",
            Self::Handled => "handled",
            Self::HandledOnTime => "handled_on_time",
            Self::Resolved => "resolved",
            Self::Revisited => "revisited",
            Self::Satisfied => "satisfied",
            Self::Unsatisfied => "unsatisfied",
            Self::Closed => "closed",
            Self::ClosedLocally => "closed_locally",
            Self::Escalated => "escalated",
            Self::ClosedAtGrid => "closed_at_grid",
            Self::ClosedAtCommunity => "closed_at_community",
            Self::ClosedAtStreet => "closed_at_street",
            Self::Timed => "timed",
            Self::HandlingMinutes => "handling_minutes",
            Self::Repeated => "repeated",
        }
    }

    /// Every metric.
    pub const ALL: [Metric; 23] = [
        Self::Received,
        Self::Accepted,
        Self::NotAccepted,
        Self::Merged,
        Self::Dispatched,
        Self::Signed,
        Self::SignedOnTime,
        Self::Returned,
        Self::Handled,
        Self::HandledOnTime,
        Self::Resolved,
        Self::Revisited,
        Self::Satisfied,
        Self::Unsatisfied,
        Self::Closed,
        Self::ClosedLocally,
        Self::Escalated,
        Self::ClosedAtGrid,
        Self::ClosedAtCommunity,
        Self::ClosedAtStreet,
        Self::Timed,
        Self::HandlingMinutes,
        Self::Repeated,
    ];

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// The counters an event adds to, given the case before the event (`None` for registration).
pub fn deltas(before: Option<&CaseSnapshot>, event: &Event) -> Vec<Metric> {
    use Metric as M;
    let mut out = Vec::new();
    match &event.change {
        Move::Register(_) => {
            out.push(M::Received);
            if event.effects.repeat == Some(true) {
                out.push(M::Repeated);
            }
        }
        Move::Accept { .. } | Move::Review { accept: true, .. } => out.push(M::Accepted),
        Move::NotAccept { .. } | Move::Review { accept: false, .. } => out.push(M::NotAccepted),
        Move::Merge { .. } => out.push(M::Merged),
        Move::Dispatch { .. } => out.push(M::Dispatched),
        Move::Sign => {
            out.push(M::Signed);
            if before.and_then(|c| c.sign_by).is_none_or(|due| event.at <= due) {
                out.push(M::SignedOnTime);
            }
        }
        Move::Return { .. } => out.push(M::Returned),
        Move::ReportResult { outcome, .. } => {
            out.push(M::Handled);
            if event.effects.work_minutes.is_some() {
                out.push(M::Timed);
            }
            if before.and_then(|c| c.handle_by).is_none_or(|due| event.at <= due) {
                out.push(M::HandledOnTime);
            }
            if *outcome == crate::case::ResultKind::Resolved {
                out.push(M::Resolved);
            }
        }
        Move::RecordRevisit { satisfaction, .. } => {
            out.push(M::Revisited);
            match satisfaction {
                Satisfaction::Satisfied | Satisfaction::Basic => out.push(M::Satisfied),
                Satisfaction::Unsatisfied => out.push(M::Unsatisfied),
                Satisfaction::Unreachable => {}
            }
        }
        Move::Close { .. } => {
            out.push(M::Closed);
            if event.effects.closed_level.is_some_and(|l| l >= crate::area::AreaLevel::Community) {
                out.push(M::ClosedLocally);
            }
            match event.effects.closed_level {
                Some(crate::area::AreaLevel::Grid | crate::area::AreaLevel::MicroGrid) => out.push(M::ClosedAtGrid),
                Some(crate::area::AreaLevel::Community) => out.push(M::ClosedAtCommunity),
                Some(crate::area::AreaLevel::Street) => out.push(M::ClosedAtStreet),
                _ => {}
            }
        }
        Move::Escalate { .. } => out.push(M::Escalated),
        _ => {}
    }
    out
}

/// What an event adds to each counter: one for every metric of [`deltas`], and the working minutes
/// for [`Metric::HandlingMinutes`].
pub fn amounts(before: Option<&CaseSnapshot>, event: &Event) -> Vec<(Metric, i64)> {
    let mut out: Vec<(Metric, i64)> = deltas(before, event).into_iter().map(|m| (m, 1)).collect();
    if let (Move::ReportResult { .. }, Some(minutes)) = (&event.change, event.effects.work_minutes) {
        out.push((Metric::HandlingMinutes, minutes));
    }
    out
}
