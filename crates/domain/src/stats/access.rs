//! Whose figures a person may see: an area-bound person those of their subtree (a grid worker,
//! their grid; a centre, its area); a department's handler those of the cases their organisation
//! leads, across the city; a resident none.

use crate::area::AreaCode;
use crate::ids::OrgId;
use crate::role::Role;
use crate::scope::{Binding, Principal};

/// The part of the figures a person may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FigureScope {
    /// Everything counted in this subtree.
    Area(AreaCode),
    /// Cases led by this organisation, within this area (the organisation's city).
    Org {
        /// The organisation.
        org: OrgId,
        /// Its city.
        area: AreaCode,
    },
}

impl FigureScope {
    /// The root area figures are drawn from.
    pub fn root(&self) -> &AreaCode {
        match self {
            Self::Area(a) | Self::Org { area: a, .. } => a,
        }
    }

    /// The organisation every sum must be narrowed to, if any.
    pub fn org(&self) -> Option<OrgId> {
        match self {
            Self::Area(_) => None,
            Self::Org { org, .. } => Some(*org),
        }
    }
}

/// The figures `p` may see, or `None`.
pub fn figure_scope(p: &Principal) -> Option<FigureScope> {
    match (&p.binding, p.role) {
        (_, Role::Resident) => None,
        (Binding::Org { org, area }, Role::Handler) => {
            let city = area.lineage().into_iter().next().unwrap_or_else(|| area.clone());
            Some(FigureScope::Org { org: *org, area: city })
        }
        (Binding::Area { area }, role) if role != Role::Handler => Some(FigureScope::Area(area.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    #[test]
    fn each_sees_their_own_part() {
        let who = |role, binding| Principal { user_id: UserId::new(), name: "x".into(), role, binding };
        let street = code("439901001000");
        assert_eq!(
            figure_scope(&who(Role::Leader, Binding::Area { area: street.clone() })),
            Some(FigureScope::Area(street.clone()))
        );
        let org = OrgId::new();
        let h = figure_scope(&who(Role::Handler, Binding::Org { org, area: code("439901000000") })).expect("handler");
        assert_eq!((h.root().to_string(), h.org()), ("439900000000".to_owned(), Some(org)));
        assert_eq!(figure_scope(&who(Role::Resident, Binding::Resident)), None);
        assert_eq!(figure_scope(&who(Role::Handler, Binding::Area { area: street })), None, "a mis-bound handler");
    }
}
