//! The states of a case (DESIGN §4).

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Where a case stands. Derived from its history; stored on the case row for fast reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 已登记: classified into ledger and category.
    Registered,
    /// 待阅批: a leader must read and instruct.
    PendingReview,
    /// 已受理: the resident has the number and expected date.
    Accepted,
    /// 已交办: sent to a lead organisation with deadlines.
    Dispatched,
    /// 办理中: signed for and being handled (or self-handled by the grid).
    InProgress,
    /// 已反馈: a result is reported, awaiting 把关.
    Handled,
    /// 待回访: verified, the resident is to be asked.
    Revisit,
    /// 已销号: done.
    Closed,
    /// 已归档: frozen.
    Archived,
    /// 不予受理: ended with a reason.
    NotAccepted,
    /// 已合并: folded into another case.
    Merged,
}

impl CaseState {
    /// Every state.
    pub const ALL: [CaseState; 11] = [
        Self::Registered,
        Self::PendingReview,
        Self::Accepted,
        Self::Dispatched,
        Self::InProgress,
        Self::Handled,
        Self::Revisit,
        Self::Closed,
        Self::Archived,
        Self::NotAccepted,
        Self::Merged,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::PendingReview => "pending_review",
            Self::Accepted => "accepted",
            Self::Dispatched => "dispatched",
            Self::InProgress => "in_progress",
            Self::Handled => "handled",
            Self::Revisit => "revisit",
            Self::Closed => "closed",
            Self::Archived => "archived",
            Self::NotAccepted => "not_accepted",
            Self::Merged => "merged",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|s| s.as_str() == text).ok_or(DomainError::invalid("state", "unknown_value"))
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Registered => "已登记",
            Self::PendingReview => "待阅批",
            Self::Accepted => "已受理",
            Self::Dispatched => "已交办",
            Self::InProgress => "办理中",
            Self::Handled => "已反馈",
            Self::Revisit => "待回访",
            Self::Closed => "已销号",
            Self::Archived => "已归档",
            Self::NotAccepted => "不予受理",
            Self::Merged => "已合并",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Registered => "Registered",
            Self::PendingReview => "Pending review",
            Self::Accepted => "Accepted",
            Self::Dispatched => "Dispatched",
            Self::InProgress => "In progress",
            Self::Handled => "Handled",
            Self::Revisit => "Revisit",
            Self::Closed => "Closed",
            Self::Archived => "Archived",
            Self::NotAccepted => "Not accepted",
            Self::Merged => "Merged",
        }
    }

    /// Whether the matter is still being worked on (counts as open on boards).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Archived | Self::NotAccepted | Self::Merged)
    }
}
