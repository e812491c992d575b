//! Who may do what with disputes.
//!
//! | role | see | register, screen | sessions, follow-ups | assign, escalate, refer, close | registry |
//! |---|---|---|---|---|---|
//! | mediator | own subtree | yes | at a tier at or below their area | yes | — |
//! | centre operator | own subtree | yes | at a tier at or below their area | yes | — |
//! | grid worker | own subtree | yes | — | — | — |
//! | leader | own subtree | — | — | assign, escalate, refer, close | — |
//! | analyst | figures only | — | — | — | — |
//! | administrator | all | — | — | — | yes |
//! | handler, resident | — | — | — | — | — |
//!
//! "At or below their area": a village mediator (bound to a community) records village sessions of
//! their community; once a dispute is escalated to the township, only those bound to the street or
//! above act on it. The record stays readable to the village that found it.

use crate::area::AreaCode;
use crate::role::Role;
use crate::scope::{Principal, Scope};

/// What someone wants to do with a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeAct {
    /// Read the dispute and its history.
    Read,
    /// Register a dispute, record a screening.
    Register,
    /// Record a session or a follow-up.
    Mediate,
    /// Assign an organisation and mediators, escalate, refer, close.
    Steer,
    /// See the figures.
    Figures,
    /// Edit the registry of organisations and mediators.
    Registry,
}

/// Whether the role may do `act` at all.
pub fn role_may(role: Role, act: DisputeAct) -> bool {
    use DisputeAct as A;
    use Role as R;
    match act {
        A::Read => matches!(role, R::Mediator | R::Operator | R::GridWorker | R::Leader | R::Admin),
        A::Register => matches!(role, R::Mediator | R::Operator | R::GridWorker),
        A::Mediate => matches!(role, R::Mediator | R::Operator),
        A::Steer => matches!(role, R::Mediator | R::Operator | R::Leader),
        A::Figures => matches!(role, R::Mediator | R::Operator | R::Leader | R::Analyst | R::Admin),
        A::Registry => role == R::Admin,
    }
}

/// The subtree under which `actor` may do `act`, or `None`.
pub fn dispute_root(actor: &Principal, act: DisputeAct) -> Option<AreaCode> {
    if !role_may(actor.role, act) {
        return None;
    }
    match actor.scope() {
        Scope::Subtree(root) => Some(root),
        _ => None,
    }
}

/// Whether `actor` may do `act` on a dispute located at `area` whose current tier mediates at
/// `tier_area`. Reading and registering go by where the dispute is; mediating and steering by
/// the tier that holds it.
pub fn may(actor: &Principal, act: DisputeAct, area: &AreaCode, tier_area: &AreaCode) -> bool {
    let Some(root) = dispute_root(actor, act) else { return false };
    match act {
        DisputeAct::Read | DisputeAct::Register | DisputeAct::Figures | DisputeAct::Registry => area.is_within(&root),
        DisputeAct::Mediate | DisputeAct::Steer => tier_area.is_within(&root),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrgId, UserId};
    use crate::scope::Binding;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    fn who(role: Role, area: &str) -> Principal {
        Principal { user_id: UserId::new(), name: "x".into(), role, binding: Binding::Area { area: code(area) } }
    }

    #[test]
    fn the_tier_decides_who_mediates_and_the_place_who_reads() {
        let grid = code("439901001001001");
        let community = code("439901001001");
        let street = code("439901001000");
        let village = who(Role::Mediator, "439901001001");
        let township = who(Role::Mediator, "439901001000");
        let other_village = who(Role::Mediator, "439901001002");
        assert!(may(&village, DisputeAct::Mediate, &grid, &community));
        assert!(!may(&village, DisputeAct::Mediate, &grid, &street), "escalated beyond the village");
        assert!(may(&village, DisputeAct::Read, &grid, &street), "but the village still reads it");
        assert!(may(&township, DisputeAct::Mediate, &grid, &street));
        assert!(!may(&other_village, DisputeAct::Read, &grid, &community));
        let gw = who(Role::GridWorker, "439901001001001");
        assert!(may(&gw, DisputeAct::Register, &grid, &community));
        assert!(!may(&gw, DisputeAct::Mediate, &grid, &community));
        assert!(!may(&who(Role::Analyst, "439900000000"), DisputeAct::Read, &grid, &community));
        assert!(may(&who(Role::Leader, "439900000000"), DisputeAct::Steer, &grid, &street));
        let handler = Principal {
            user_id: UserId::new(),
            name: "h".into(),
            role: Role::Handler,
            binding: Binding::Org { org: OrgId::new(), area: code("439900000000") },
        };
        assert!(!may(&handler, DisputeAct::Read, &grid, &community));
        assert!(may(&who(Role::Admin, "439900000000"), DisputeAct::Registry, &grid, &community));
        assert!(!may(&who(Role::Operator, "439900000000"), DisputeAct::Registry, &grid, &community));
    }
}
