//! Data scope: what a signed-in person may see. Every read and write of a case goes through a
//! [`Scope`]; storage turns it into the query's filter and the domain checks single records.

use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::ids::{CaseId, OrgId, UserId};
use crate::role::Role;

/// Who is acting, as established by authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user.
    pub user_id: UserId,
    /// Display name, for the history.
    pub name: String,
    /// The role.
    pub role: Role,
    /// What the user is attached to.
    pub binding: Binding,
}

/// What a user is attached to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Binding {
    /// An area (and so its subtree).
    Area {
        /// The area.
        area: AreaCode,
    },
    /// An organisation; `area` is where the organisation sits.
    Org {
        /// The organisation.
        org: OrgId,
        /// The organisation's area.
        area: AreaCode,
    },
    /// A resident, attached to nothing but their own requests.
    Resident,
    /// Someone who proved, by case number and phone, that they reported this one case (residents
    /// who phoned in and have no account). They may see and rate that case only.
    FollowedCase {
        /// The case.
        case: CaseId,
    },
}

/// The set of cases a principal may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Cases located in the subtree of this area.
    Subtree(AreaCode),
    /// Cases ever dispatched to this organisation (as lead or co-organiser).
    Organisation(OrgId),
    /// Cases this user reported.
    Own(UserId),
    /// One case, for a reporter who followed it by number and phone.
    Case(CaseId),
}

/// What scope needs to know about a case to decide visibility.
#[derive(Debug, Clone, Copy)]
pub struct Visibility<'a> {
    /// The case.
    pub id: CaseId,
    /// Where the case is (its leaf area).
    pub area: &'a AreaCode,
    /// Organisations the case has been dispatched to, ever.
    pub orgs: &'a [OrgId],
    /// The reporting user, when the report came from an account.
    pub reporter: Option<UserId>,
}

impl Principal {
    /// The principal's scope. Role and binding together decide it, so a mis-bound account (a
    /// handler attached to an area) sees its own requests only rather than too much.
    pub fn scope(&self) -> Scope {
        match (&self.binding, self.role) {
            (Binding::Org { org, .. }, Role::Handler) => Scope::Organisation(*org),
            (Binding::FollowedCase { case }, Role::Resident) => Scope::Case(*case),
            (Binding::Area { area }, role) if role != Role::Resident && role != Role::Handler => {
                Scope::Subtree(area.clone())
            }
            _ => Scope::Own(self.user_id),
        }
    }

    /// The area where the principal works: the bound area, or the organisation's area.
    pub fn home_area(&self) -> Option<&AreaCode> {
        match &self.binding {
            Binding::Area { area } | Binding::Org { area, .. } => Some(area),
            Binding::Resident | Binding::FollowedCase { .. } => None,
        }
    }
}

impl Scope {
    /// Whether a case is visible in this scope.
    pub fn sees(&self, case: Visibility<'_>) -> bool {
        match self {
            Scope::Subtree(root) => case.area.is_within(root),
            Scope::Organisation(org) => case.orgs.contains(org),
            Scope::Own(user) => case.reporter == Some(*user),
            Scope::Case(id) => case.id == *id,
        }
    }

    /// Whether an area is inside this scope (for area-bound scopes only).
    pub fn covers_area(&self, area: &AreaCode) -> bool {
        matches!(self, Scope::Subtree(root) if area.is_within(root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect(s)
    }

    fn principal(role: Role, binding: Binding) -> Principal {
        Principal { user_id: UserId::new(), name: "t".into(), role, binding }
    }

    #[test]
    fn area_scope_sees_its_subtree_only() {
        let p = principal(Role::Operator, Binding::Area { area: code("320102001000") });
        let inside = code("320102001002003");
        let outside = code("320102002001001");
        let s = p.scope();
        assert!(s.sees(Visibility { id: CaseId::new(), area: &inside, orgs: &[], reporter: None }));
        assert!(!s.sees(Visibility { id: CaseId::new(), area: &outside, orgs: &[], reporter: None }));
    }

    #[test]
    fn handler_sees_only_cases_dispatched_to_the_org() {
        let org = OrgId::new();
        let p = principal(Role::Handler, Binding::Org { org, area: code("320102000000") });
        let a = code("320102001002003");
        assert!(p.scope().sees(Visibility { id: CaseId::new(), area: &a, orgs: &[org], reporter: None }));
        assert!(!p.scope().sees(Visibility { id: CaseId::new(), area: &a, orgs: &[OrgId::new()], reporter: None }));
    }

    #[test]
    fn resident_sees_own_reports_and_misbinding_narrows() {
        let p = principal(Role::Resident, Binding::Area { area: code("320100000000") });
        let a = code("320102001002003");
        assert_eq!(p.scope(), Scope::Own(p.user_id));
        assert!(p.scope().sees(Visibility { id: CaseId::new(), area: &a, orgs: &[], reporter: Some(p.user_id) }));
        assert!(!p.scope().sees(Visibility { id: CaseId::new(), area: &a, orgs: &[], reporter: None }));
        let h = principal(Role::Handler, Binding::Area { area: code("320100000000") });
        assert_eq!(h.scope(), Scope::Own(h.user_id));
    }
}
