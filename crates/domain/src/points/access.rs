//! Who may do what with volunteers and points.
//!
//! | role | volunteer, sign up, redeem, own points | manage teams, activities, attendance, goods, stock, hand-over | configure rules | lists of volunteers and the ledger |
//! |---|---|---|---|---|
//! | resident | yes (their own) | — | — | — |
//! | centre operator, leader | — | own subtree | own subtree | own subtree (phones masked) |
//! | administrator | — | all | all | all (phones masked) |
//! | grid worker, handler, mediator, analyst | — | — | — | — |
//!
//! Anyone signed in may browse activities open for sign-up and a shop's goods: they are public
//! notices of the community, with no personal data.

use crate::area::AreaCode;
use crate::role::Role;
use crate::scope::{Principal, Scope};

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointsAct {
    /// Register as a volunteer, sign up, redeem, see one's own points.
    Take,
    /// Teams, activities, attendance, goods and stock, hand-over and cancelling at the counter.
    Manage,
    /// Set the earning rules and star thresholds of an area.
    Configure,
    /// See volunteers (phones masked) and the ledger of an area.
    Read,
}

/// Whether the role may do `act` at all.
pub fn role_may(role: Role, act: PointsAct) -> bool {
    match act {
        PointsAct::Take => role == Role::Resident,
        PointsAct::Manage | PointsAct::Configure | PointsAct::Read => {
            matches!(role, Role::Operator | Role::Leader | Role::Admin)
        }
    }
}

/// The subtree under which `actor` may do a staff act, or `None`.
pub fn points_root(actor: &Principal, act: PointsAct) -> Option<AreaCode> {
    if act == PointsAct::Take || !role_may(actor.role, act) {
        return None;
    }
    match actor.scope() {
        Scope::Subtree(root) => Some(root),
        _ => None,
    }
}

/// Whether `actor` may do a staff act on a record of `area`.
pub fn may(actor: &Principal, act: PointsAct, area: &AreaCode) -> bool {
    points_root(actor, act).is_some_and(|root| area.is_within(&root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrgId, UserId};
    use crate::scope::Binding;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    fn who(role: Role, binding: Binding) -> Principal {
        Principal { user_id: UserId::new(), name: "x".into(), role, binding }
    }

    #[test]
    fn staff_act_in_their_subtree_and_residents_only_for_themselves() {
        let community = code("439901001001");
        let other = code("439901002001");
        let at = |a: &str| Binding::Area { area: code(a) };
        let op = who(Role::Operator, at("439901001000"));
        assert!(may(&op, PointsAct::Manage, &community));
        assert!(!may(&op, PointsAct::Manage, &other));
        assert!(may(&who(Role::Leader, at("439901001001")), PointsAct::Configure, &community));
        assert!(may(&who(Role::Admin, at("439900000000")), PointsAct::Read, &other));
        for role in [Role::GridWorker, Role::Mediator, Role::Analyst] {
            assert!(!may(&who(role, at("439900000000")), PointsAct::Manage, &community), "{role:?}");
        }
        let handler = who(Role::Handler, Binding::Org { org: OrgId::new(), area: code("439900000000") });
        assert!(!may(&handler, PointsAct::Read, &community));
        let resident = who(Role::Resident, Binding::Resident);
        assert!(role_may(resident.role, PointsAct::Take));
        assert!(!may(&resident, PointsAct::Manage, &community));
        assert!(points_root(&resident, PointsAct::Take).is_none(), "taking part is not area-scoped");
        // A mis-bound resident account (bound to an area) still manages nothing.
        assert!(!may(&who(Role::Resident, at("439900000000")), PointsAct::Manage, &community));
    }
}
