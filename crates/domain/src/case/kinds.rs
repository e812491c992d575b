//! The closed vocabularies of a case: ledger, channel, urgency, result, satisfaction, supervision.
//! Each has a stable wire name (API, database) and Chinese and English labels (screens).

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Defines a fieldless enum with wire names and labels, plus `ALL`, `as_str`, `parse`, labels.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($(#[$vdoc:meta])* $variant:ident = $wire:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// Parses the wire name; the error names the field.
            pub fn parse(text: &str) -> Result<Self, DomainError> {
                match text { $($wire => Ok($name::$variant),)+ _ => Err(DomainError::invalid($field, "unknown_value")) }
            }

            /// The Chinese label.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            /// The English label.
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)+ }
            }

            /// Parses a wire name, a Chinese label or an English label (any case), as people
            /// type them into spreadsheets; the error names the field.
            pub fn parse_any(text: &str) -> Result<Self, DomainError> {
                let t = text.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == t || v.label_zh() == t || v.label_en().eq_ignore_ascii_case(t))
                    .ok_or(DomainError::invalid($field, "unknown_value"))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// The ledger a case is entered in (三本账 plus events found by grid workers).
    Ledger, "ledger", {
        /// 意见建议
        Suggestion = "suggestion", "意见建议", "Suggestion";
        /// 利益诉求
        Demand = "demand", "利益诉求", "Demand";
        /// 投诉举报
        Complaint = "complaint", "投诉举报", "Complaint or report";
        /// 事件 (grid findings, hazards)
        Event = "event", "事件", "Event";
    }
);

vocabulary!(
    /// How the request reached the platform.
    Channel, "channel", {
        /// 12345 热线
        Hotline = "hotline", "12345热线", "12345 hotline";
        /// 网站
        Web = "web", "网站", "Web";
        /// 移动端
        Mobile = "mobile", "移动端", "Mobile";
        /// 网格员上报
        GridWorker = "grid_worker", "网格员上报", "Grid worker";
        /// 领导电话
        LeaderPhone = "leader_phone", "领导电话", "Leader's phone";
        /// 联络员
        Liaison = "liaison", "联络员", "Liaison";
        /// 来访
        WalkIn = "walk_in", "来访", "Walk-in";
        /// 来信
        Letter = "letter", "来信", "Letter";
        /// 视频
        Video = "video", "视频", "Video";
        /// 外部系统
        External = "external", "外部系统", "External system";
    }
);

vocabulary!(
    /// How urgent the matter is.
    Urgency, "urgency", {
        /// 一般
        Normal = "normal", "一般", "Normal";
        /// 紧急
        Urgent = "urgent", "紧急", "Urgent";
        /// 特急
        Critical = "critical", "特急", "Critical";
    }
);

vocabulary!(
    /// The kind of result a handler reports.
    ResultKind, "outcome", {
        /// 已解决
        Resolved = "resolved", "已解决", "Resolved";
        /// 已解释说明
        Explained = "explained", "已解释说明", "Explained";
        /// 暂不具备条件
        NotYetPossible = "not_yet_possible", "暂不具备解决条件", "Not yet possible";
    }
);

vocabulary!(
    /// The resident's answer at revisit (回访).
    Satisfaction, "satisfaction", {
        /// 满意
        Satisfied = "satisfied", "满意", "Satisfied";
        /// 基本满意
        Basic = "basic", "基本满意", "Basically satisfied";
        /// 不满意
        Unsatisfied = "unsatisfied", "不满意", "Unsatisfied";
        /// 无法联系
        Unreachable = "unreachable", "无法联系", "Unreachable";
    }
);

vocabulary!(
    /// The line of supervision (督办) a case is under; higher is stronger.
    SupervisionLevel, "level", {
        /// 中心督办
        Centre = "centre", "中心督办", "Centre";
        /// 领导督办
        Leader = "leader", "领导督办", "Leader";
        /// 主要领导督办
        TopLeader = "top_leader", "主要领导督办", "Top leader";
    }
);
