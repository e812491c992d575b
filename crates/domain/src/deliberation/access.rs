//! Who may do what with proposals.
//!
//! | role | read | comment | make, record meetings, publish, withdraw |
//! |---|---|---|---|
//! | resident (with an account) | every proposal, without minutes or attendance, commenters masked | yes | — |
//! | leader, centre operator | own subtree, in full | yes | in their subtree |
//! | grid worker, mediator, analyst, administrator | own subtree, in full | — | — |
//! | handler, a reporter following one case | — | — | — |
//!
//! Deliberation is public business (四议两公开: the resolution and the result are published), so a
//! resident reads every community's proposals, as the public page will; what a resident reads is
//! what is published: no minutes, no names of those who attended, commenters' names masked.
//! Staff work inside their area: another street's staff neither see nor move a proposal. Staff
//! bound below a community (a grid) read their community's proposals, but only those bound at
//! the community or above make and move them. Withdrawal is further limited to the proposer
//! ([`super::machine::decide`]).

use crate::area::{AreaCode, AreaLevel};
use crate::role::Role;
use crate::scope::{Binding, Principal, Scope};

/// What someone wants to do with a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalAct {
    /// Read it, its stages and published documents.
    Read,
    /// Comment on it.
    Comment,
    /// Make one, record its meetings, publish its documents, withdraw it.
    Steer,
}

/// How much of the proposals a principal reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every proposal, as published (residents).
    Public,
    /// Proposals of a subtree, in full (staff).
    Subtree(AreaCode),
}

/// Whether the role may do `act` at all.
pub fn role_may(role: Role, act: ProposalAct) -> bool {
    use ProposalAct as A;
    use Role as R;
    match act {
        A::Read => !matches!(role, R::Handler),
        A::Comment => matches!(role, R::Resident | R::Leader | R::Operator),
        A::Steer => matches!(role, R::Leader | R::Operator),
    }
}

/// What `actor` may read, or `None`.
pub fn reach(actor: &Principal) -> Option<Reach> {
    if !role_may(actor.role, ProposalAct::Read) {
        return None;
    }
    match (actor.role, &actor.binding, actor.scope()) {
        // A reporter who followed one case by number and phone has no account to comment with.
        (Role::Resident, Binding::Resident, _) => Some(Reach::Public),
        // Proposals are made at the community: a grid's staff read their community's.
        (_, _, Scope::Subtree(root)) if root.level() > AreaLevel::Community => {
            root.ancestor_at(AreaLevel::Community).map(Reach::Subtree)
        }
        (_, _, Scope::Subtree(root)) => Some(Reach::Subtree(root)),
        _ => None,
    }
}

/// Whether `actor` may do `act` on a proposal of `area`.
pub fn may(actor: &Principal, act: ProposalAct, area: &AreaCode) -> bool {
    if !role_may(actor.role, act) {
        return false;
    }
    match (act, reach(actor)) {
        (_, None) => false,
        (_, Some(Reach::Public)) => true,
        // Making and moving proposals is for those bound at the community or above.
        (ProposalAct::Steer, Some(Reach::Subtree(_))) => {
            matches!(actor.scope(), Scope::Subtree(root) if area.is_within(&root))
        }
        (_, Some(Reach::Subtree(root))) => area.is_within(&root),
    }
}

/// Whether `actor` reads minutes, attendance and commenters' names (staff of the area), rather
/// than the published view.
pub fn reads_in_full(actor: &Principal, area: &AreaCode) -> bool {
    matches!(reach(actor), Some(Reach::Subtree(root)) if area.is_within(&root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CaseId, OrgId, UserId};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    fn who(role: Role, binding: Binding) -> Principal {
        Principal { user_id: UserId::new(), name: "x".into(), role, binding }
    }

    fn at(role: Role, area: &str) -> Principal {
        who(role, Binding::Area { area: code(area) })
    }

    #[test]
    fn staff_act_in_their_area_and_residents_read_and_comment_everywhere() {
        let village = code("439901001201");
        let street = "439901001000";
        let other_street = "439901002000";
        for role in [Role::Leader, Role::Operator] {
            assert!(may(&at(role, street), ProposalAct::Steer, &village), "{role:?}");
            assert!(may(&at(role, "439901001201"), ProposalAct::Steer, &village), "bound at the village itself");
            assert!(!may(&at(role, other_street), ProposalAct::Steer, &village), "another street: {role:?}");
            assert!(!may(&at(role, other_street), ProposalAct::Read, &village), "another street reads nothing");
            // A grid below the village is not "the community or above": it reads, but does not act.
            assert!(!may(&at(role, "439901001201001"), ProposalAct::Steer, &village));
            assert!(may(&at(role, "439901001201001"), ProposalAct::Read, &village));
            assert!(!may(&at(role, "439901001202001"), ProposalAct::Read, &village), "another village's grid");
        }
        for role in [Role::GridWorker, Role::Mediator, Role::Analyst, Role::Admin] {
            assert!(may(&at(role, street), ProposalAct::Read, &village), "{role:?}");
            assert!(!may(&at(role, street), ProposalAct::Steer, &village), "{role:?}");
            assert!(!may(&at(role, street), ProposalAct::Comment, &village), "{role:?}");
        }
        let resident = who(Role::Resident, Binding::Resident);
        assert!(may(&resident, ProposalAct::Read, &village));
        assert!(may(&resident, ProposalAct::Comment, &code("439901002001")), "any community's");
        assert!(!may(&resident, ProposalAct::Steer, &village));
        assert!(!reads_in_full(&resident, &village), "residents read the published view");
        assert!(reads_in_full(&at(Role::GridWorker, street), &village));
        let follower = who(Role::Resident, Binding::FollowedCase { case: CaseId::new() });
        assert_eq!(reach(&follower), None, "a reporter following one case is no account");
        let handler = who(Role::Handler, Binding::Org { org: OrgId::new(), area: code(street) });
        assert_eq!(reach(&handler), None);
        assert!(!may(&handler, ProposalAct::Read, &village));
    }
}
