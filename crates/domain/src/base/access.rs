//! Who may see what of base data (DESIGN §2): the people of a grid are known to those who serve
//! it, and no further.
//!
//! | role | lists (masked) | unmask id/phone | care records | import, export |
//! |---|---|---|---|---|
//! | grid worker | own grid | own grid | own grid | — |
//! | centre operator | own subtree | own subtree | own subtree | own subtree |
//! | administrator | all | all | all | all |
//! | leader, mediator | own subtree | — | counts only | — |
//! | analyst | counts only | — | counts only | — |
//! | handler, resident | — | — | — | — |
//!
//! Every unmasking and every read of a care record is audited by the store.

use crate::area::AreaCode;
use crate::role::Role;
use crate::scope::{Principal, Scope};

/// What someone wants to do with base data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseAct {
    /// See lists and records with identifiers masked.
    List,
    /// See an identity or phone number in clear.
    Unmask,
    /// Read care records (who is in which care group, visits due).
    ReadCare,
    /// See counts only.
    Count,
    /// Import files and export them (exports carry identifiers in clear).
    ImportExport,
}

/// Whether the role may do `act` at all.
pub fn role_may(role: Role, act: BaseAct) -> bool {
    use BaseAct as A;
    use Role as R;
    match act {
        A::List => matches!(role, R::GridWorker | R::Operator | R::Admin | R::Leader | R::Mediator),
        A::Unmask | A::ReadCare => matches!(role, R::GridWorker | R::Operator | R::Admin),
        A::Count => matches!(role, R::GridWorker | R::Operator | R::Admin | R::Leader | R::Mediator | R::Analyst),
        A::ImportExport => matches!(role, R::Operator | R::Admin),
    }
}

/// The area under which `actor` may do `act`, or `None` when they may not at all.
pub fn base_root(actor: &Principal, act: BaseAct) -> Option<AreaCode> {
    if !role_may(actor.role, act) {
        return None;
    }
    match actor.scope() {
        Scope::Subtree(root) => Some(root),
        _ => None,
    }
}

/// Whether `actor` may do `act` on a record of `grid`.
pub fn may(actor: &Principal, act: BaseAct, grid: &AreaCode) -> bool {
    base_root(actor, act).is_some_and(|root| grid.is_within(&root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrgId, UserId};
    use crate::scope::Binding;

    fn who(role: Role, binding: Binding) -> Principal {
        Principal { user_id: UserId::new(), name: "x".into(), role, binding }
    }

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    #[test]
    fn the_table_holds_for_every_role() {
        let grid = code("439901001001001");
        let other = code("439901002001001");
        let at = |a: &str| Binding::Area { area: code(a) };
        let gw = who(Role::GridWorker, at("439901001001001"));
        let op = who(Role::Operator, at("439901001000"));
        let leader = who(Role::Leader, at("439901001000"));
        let analyst = who(Role::Analyst, at("439901000000"));
        let handler = who(Role::Handler, Binding::Org { org: OrgId::new(), area: code("439901000000") });
        let resident = who(Role::Resident, Binding::Resident);
        let admin = who(Role::Admin, at("439900000000"));
        for (p, list, unmask, care, count, io) in [
            (&gw, true, true, true, true, false),
            (&op, true, true, true, true, true),
            (&admin, true, true, true, true, true),
            (&leader, true, false, false, true, false),
            (&analyst, false, false, false, true, false),
            (&handler, false, false, false, false, false),
            (&resident, false, false, false, false, false),
        ] {
            assert_eq!(may(p, BaseAct::List, &grid), list, "{:?} list", p.role);
            assert_eq!(may(p, BaseAct::Unmask, &grid), unmask, "{:?} unmask", p.role);
            assert_eq!(may(p, BaseAct::ReadCare, &grid), care, "{:?} care", p.role);
            assert_eq!(may(p, BaseAct::Count, &grid), count, "{:?} count", p.role);
            assert_eq!(may(p, BaseAct::ImportExport, &grid), io, "{:?} import", p.role);
        }
        // Nobody below the city reaches another street's grid.
        for p in [&gw, &op, &leader] {
            for act in [BaseAct::List, BaseAct::Unmask, BaseAct::ReadCare, BaseAct::Count] {
                assert!(!may(p, act, &other), "{:?} {act:?} outside scope", p.role);
            }
        }
        assert!(may(&admin, BaseAct::Unmask, &other));
    }
}
