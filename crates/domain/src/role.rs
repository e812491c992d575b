//! The people of DESIGN §1 and what each may do with a case.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A user's role. A user has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 群众: submits requests, follows own cases, rates results.
    Resident,
    /// 网格员: reports events in a grid, solves small ones on the spot.
    GridWorker,
    /// 综治中心受理员/调度员: registers, classifies, dispatches, chases.
    Operator,
    /// 职能部门承办人: signs for, handles, returns, asks for time.
    Handler,
    /// 书记/中心主任: reads and instructs, verifies, supervises.
    Leader,
    /// 调解员: records disputes and mediation (reads cases in area).
    Mediator,
    /// 平安办/考评: reports and assessment (reads).
    Analyst,
    /// 系统管理员: areas, organisations, users, categories, calendar.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 8] = [
        Self::Resident,
        Self::GridWorker,
        Self::Operator,
        Self::Handler,
        Self::Leader,
        Self::Mediator,
        Self::Analyst,
        Self::Admin,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::GridWorker => "grid_worker",
            Self::Operator => "operator",
            Self::Handler => "handler",
            Self::Leader => "leader",
            Self::Mediator => "mediator",
            Self::Analyst => "analyst",
            Self::Admin => "admin",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|r| r.as_str() == text).ok_or(DomainError::invalid("role", "unknown_role"))
    }

    /// The Chinese title.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Resident => "群众",
            Self::GridWorker => "网格员",
            Self::Operator => "综治中心受理员",
            Self::Handler => "部门承办人",
            Self::Leader => "书记/中心主任",
            Self::Mediator => "调解员",
            Self::Analyst => "平安办分析员",
            Self::Admin => "系统管理员",
        }
    }

    /// The English title.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Resident => "Resident",
            Self::GridWorker => "Grid worker",
            Self::Operator => "Centre operator",
            Self::Handler => "Department handler",
            Self::Leader => "Leader",
            Self::Mediator => "Mediator",
            Self::Analyst => "Analyst",
            Self::Admin => "Administrator",
        }
    }

    /// Whether this role is bound to an organisation rather than to an area.
    pub fn is_org_bound(self) -> bool {
        matches!(self, Self::Handler)
    }

    /// Whether this role administers areas, organisations and users.
    pub fn administers(self) -> bool {
        matches!(self, Self::Admin)
    }

    /// Whether this role may read statistics boards of its area.
    pub fn reads_boards(self) -> bool {
        matches!(self, Self::Operator | Self::Leader | Self::Analyst | Self::Admin)
    }
}
