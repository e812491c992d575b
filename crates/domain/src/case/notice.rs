//! Who must be told about an event, and what. Storage turns these into in-platform notifications
//! (users, organisations, area centres) and outbox messages to reporters (SMS adapter).

use super::event::Event;
use super::moves::Move;
use super::snapshot::CaseSnapshot;
use crate::area::AreaCode;
use crate::ids::OrgId;

/// Where a notice goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The staff of an organisation.
    Org(OrgId),
    /// The centre (operators and leaders) of an area.
    Area(AreaCode),
    /// The person who reported the case (account inbox or SMS).
    Reporter,
}

/// A notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Where it goes.
    pub to: Recipient,
    /// What kind, e.g. `to_accept`, `dispatched`.
    pub kind: &'static str,
    /// The text, in Chinese (the reporter's SMS language).
    pub text: String,
}

/// The notices an event causes, given the case after it.
pub fn notices(after: &CaseSnapshot, event: &Event) -> Vec<Notice> {
    let n = after.number.as_str();
    // Notices for "the centre" go to the lowest level that has a centre (the street) when the
    // case sits at a community or grid, so that someone who accepts cases reads them.
    let centre_area = if after.handling_area.level() > crate::area::AreaLevel::Street {
        after.handling_area.ancestor_at(crate::area::AreaLevel::Street).unwrap_or_else(|| after.handling_area.clone())
    } else {
        after.handling_area.clone()
    };
    let centre = || Recipient::Area(centre_area.clone());
    let handler = || after.lead_org.map_or_else(centre, Recipient::Org);
    let due = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(crate::time::show).unwrap_or_default();
    let one = |to, kind, text: String| vec![Notice { to, kind, text }];
    match &event.change {
        Move::Register(_) => one(centre(), "to_accept", format!("新诉求 {n} 待受理：{}", after.title)),
        Move::RequestReview { .. } => one(centre(), "to_review", format!("诉求 {n} 待领导阅批")),
        Move::Accept { .. } | Move::Review { accept: true, .. } => one(
            Recipient::Reporter,
            "accepted",
            format!("您的诉求已受理，编号 {n}，预计 {} 前办结。", due(after.handle_by)),
        ),
        Move::NotAccept { reason } | Move::Review { accept: false, instruction: reason } => {
            one(Recipient::Reporter, "not_accepted", format!("您的诉求 {n} 不予受理：{reason}"))
        }
        Move::Merge { into_number, .. } => {
            one(Recipient::Reporter, "merged", format!("您的诉求 {n} 已与同一事项 {into_number} 合并办理。"))
        }
        Move::Dispatch { lead, co, .. } => {
            let mut v = vec![Notice {
                to: Recipient::Org(*lead),
                kind: "dispatched",
                text: format!("诉求 {n} 已交办贵单位主办，请于 {} 前签收。", due(after.sign_by)),
            }];
            v.extend(co.iter().map(|o| Notice {
                to: Recipient::Org(*o),
                kind: "co_dispatched",
                text: format!("诉求 {n} 请贵单位协办。"),
            }));
            v
        }
        Move::Return { reason } => one(centre(), "returned", format!("诉求 {n} 被退回：{reason}")),
        Move::RequestExtension { days, .. } => {
            one(centre(), "extension_asked", format!("诉求 {n} 申请延期 {days} 个工作日"))
        }
        Move::DecideExtension { grant, .. } => one(
            handler(),
            "extension_decided",
            if *grant {
                format!("诉求 {n} 延期已同意，新期限 {}", due(after.handle_by))
            } else {
                format!("诉求 {n} 延期未同意")
            },
        ),
        Move::RequestEscalation { .. } => one(centre(), "escalation_asked", format!("诉求 {n} 申请提级")),
        Move::Escalate { .. } => one(centre(), "escalated", format!("诉求 {n} 已提级至本级，待处理")),
        Move::Delegate { .. } => one(centre(), "delegated", format!("诉求 {n} 已下派至本级，待处理")),
        Move::ReportResult { .. } => one(centre(), "to_verify", format!("诉求 {n} 已反馈结果，待把关")),
        Move::SendBack { reason } | Move::Redo { reason } => {
            one(handler(), "sent_back", format!("诉求 {n} 退回重办：{reason}"))
        }
        Move::Verify { .. } => vec![
            Notice { to: centre(), kind: "to_revisit", text: format!("诉求 {n} 待回访") },
            Notice {
                to: Recipient::Reporter,
                kind: "result",
                text: format!(
                    "您的诉求 {n} 已办理：{}。请评价办理结果。",
                    after.result_text.as_deref().unwrap_or("").trim_end_matches(['。', '.', ' '])
                ),
            },
        ],
        Move::Close { .. } => one(Recipient::Reporter, "closed", format!("您的诉求 {n} 已办结销号，感谢您的参与。")),
        Move::Supervise { level, .. } => one(handler(), "supervised", format!("诉求 {n} 已列入{}", level.label_zh())),
        Move::Urge { .. } => one(handler(), "urged", format!("诉求 {n} 催办，请抓紧办理")),
        // Whoever holds the case now hears of the added information.
        Move::Comment { .. } => match after.lead_org {
            Some(_)
                if after.state == super::state::CaseState::InProgress
                    || after.state == super::state::CaseState::Dispatched =>
            {
                one(handler(), "commented", format!("诉求 {n} 有补充说明"))
            }
            _ => one(centre(), "commented", format!("诉求 {n} 有补充说明")),
        },
        Move::Sign | Move::SelfHandle { .. } | Move::RecordRevisit { .. } | Move::Archive => Vec::new(),
    }
}
