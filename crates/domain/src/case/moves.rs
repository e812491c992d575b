//! What people do to a case: the moves of DESIGN §4, each with what it needs to say.
//!
//! A [`Move`] is both the command (what was asked) and, once accepted, the body of the event that
//! records it; effects computed at decision time (deadlines, levels) travel beside it in
//! [`Effects`](super::event::Effects), so replaying history needs no calendar or policy.

use serde::{Deserialize, Serialize};

use super::category::CategoryCode;
use super::kinds::{Channel, Ledger, ResultKind, Satisfaction, SupervisionLevel, Urgency};
use crate::area::AreaCode;
use crate::ids::{AttachmentId, CaseId, CaseNumber, OrgId, UserId};

/// A point in WGS-84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Longitude, degrees east.
    pub lon: f64,
    /// Latitude, degrees north.
    pub lat: f64,
}

/// Who reported the matter. Contact details never enter the history (they are personal data and
/// history is kept for ever); they are stored encrypted beside the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reporter {
    /// No name, no contact.
    Anonymous,
    /// A signed-in resident or staff member.
    Account {
        /// The reporting user.
        user: UserId,
    },
    /// A person who gave contact details (phone intake, walk-in).
    Contact,
}

/// Everything known when a case is registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intake {
    /// The ledger.
    pub ledger: Ledger,
    /// The category.
    pub category: CategoryCode,
    /// The channel it came through.
    pub channel: Channel,
    /// How urgent.
    pub urgency: Urgency,
    /// A one-line title.
    pub title: String,
    /// The request in the reporter's words.
    pub text: String,
    /// The leaf area where the matter is.
    pub area: AreaCode,
    /// Where exactly, when known.
    pub location: Option<GeoPoint>,
    /// The location lies in no grid, so `area` was chosen by hand and the centre must place it
    /// (see [`crate::place`]). Omitted from history when false, so older events hash the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub off_grid: bool,
    /// Who reported it.
    pub reporter: Reporter,
    /// Attached files.
    pub attachments: Vec<AttachmentId>,
}

/// A move on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "move", rename_all = "snake_case")]
pub enum Move {
    /// 分类建账: the case enters the platform.
    Register(Intake),
    /// Ask a leader to read and instruct.
    RequestReview {
        /// Why review is needed.
        note: String,
    },
    /// 书记阅批: the leader's instruction, accepting or not.
    Review {
        /// Accept (true) or not accept (false).
        accept: bool,
        /// The instruction or the reason.
        instruction: String,
    },
    /// 受理告知: accepted; the resident is told the number and expected date.
    Accept {
        /// Note to the record.
        note: String,
    },
    /// 不予受理.
    NotAccept {
        /// Why.
        reason: String,
    },
    /// Folded into another case that is the same matter.
    Merge {
        /// The case that carries on.
        into: CaseId,
        /// Its number, for people reading the history.
        into_number: CaseNumber,
        /// Why they are the same.
        reason: String,
    },
    /// 快速交办: sent to a lead organisation and co-organisations.
    Dispatch {
        /// The lead organisation (主办).
        lead: OrgId,
        /// Co-organisations (协办).
        co: Vec<OrgId>,
        /// Instructions.
        note: String,
    },
    /// 签收: the lead organisation takes the case.
    Sign,
    /// 退回: misrouted, back to the centre.
    Return {
        /// Why it is not ours.
        reason: String,
    },
    /// 申请延期.
    RequestExtension {
        /// Working days asked for.
        days: u32,
        /// Why.
        reason: String,
    },
    /// Grant or refuse the pending extension.
    DecideExtension {
        /// Granted?
        grant: bool,
        /// Note.
        note: String,
    },
    /// The handler asks the centre to raise the case a level.
    RequestEscalation {
        /// Why.
        reason: String,
    },
    /// 提级: to the parent level's centre.
    Escalate {
        /// Why.
        reason: String,
    },
    /// 下派: to a lower level's centre.
    Delegate {
        /// The area whose centre takes it.
        to: AreaCode,
        /// Why.
        reason: String,
    },
    /// 网格自办: the grid worker handles it on the spot.
    SelfHandle {
        /// Note.
        note: String,
    },
    /// 结果反馈.
    ReportResult {
        /// Resolved, explained, or not yet possible.
        outcome: ResultKind,
        /// What was done.
        text: String,
    },
    /// 书记把关 passed.
    Verify {
        /// Note.
        note: String,
    },
    /// 把关 failed: back to the handler.
    SendBack {
        /// Why.
        reason: String,
    },
    /// 回复征询: the resident's satisfaction.
    RecordRevisit {
        /// The answer.
        satisfaction: Satisfaction,
        /// Note.
        note: String,
    },
    /// Redo after an unsatisfied revisit.
    Redo {
        /// Why.
        reason: String,
    },
    /// 销号.
    Close {
        /// Note.
        note: String,
    },
    /// 归档.
    Archive,
    /// 督办.
    Supervise {
        /// Which line of supervision.
        level: SupervisionLevel,
        /// Note.
        note: String,
    },
    /// 催办: chase.
    Urge {
        /// Note.
        note: String,
    },
    /// 补充说明: more information from the reporter, the centre or a connected system (an
    /// Open311 client's update); the case stays where it is.
    Comment {
        /// What is added.
        text: String,
    },
}

impl Move {
    /// Every move's wire name, in the order of the case life.
    pub const NAMES: [&'static str; 25] = [
        "register",
        "request_review",
        "review",
        "accept",
        "not_accept",
        "merge",
        "dispatch",
        "sign",
        "return",
        "request_extension",
        "decide_extension",
        "request_escalation",
        "escalate",
        "delegate",
        "self_handle",
        "report_result",
        "verify",
        "send_back",
        "record_revisit",
        "redo",
        "close",
        "archive",
        "supervise",
        "urge",
        "comment",
    ];

    /// The wire name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Register(_) => "register",
            Self::RequestReview { .. } => "request_review",
            Self::Review { .. } => "review",
            Self::Accept { .. } => "accept",
            Self::NotAccept { .. } => "not_accept",
            Self::Merge { .. } => "merge",
            Self::Dispatch { .. } => "dispatch",
            Self::Sign => "sign",
            Self::Return { .. } => "return",
            Self::RequestExtension { .. } => "request_extension",
            Self::DecideExtension { .. } => "decide_extension",
            Self::RequestEscalation { .. } => "request_escalation",
            Self::Escalate { .. } => "escalate",
            Self::Delegate { .. } => "delegate",
            Self::SelfHandle { .. } => "self_handle",
            Self::ReportResult { .. } => "report_result",
            Self::Verify { .. } => "verify",
            Self::SendBack { .. } => "send_back",
            Self::RecordRevisit { .. } => "record_revisit",
            Self::Redo { .. } => "redo",
            Self::Close { .. } => "close",
            Self::Archive => "archive",
            Self::Supervise { .. } => "supervise",
            Self::Urge { .. } => "urge",
            Self::Comment { .. } => "comment",
        }
    }

    /// The Chinese label of the move, for the timeline.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Register(_) => "登记",
            Self::RequestReview { .. } => "提请阅批",
            Self::Review { accept: true, .. } => "阅批同意受理",
            Self::Review { accept: false, .. } => "阅批不予受理",
            Self::Accept { .. } => "受理告知",
            Self::NotAccept { .. } => "不予受理",
            Self::Merge { .. } => "合并",
            Self::Dispatch { .. } => "交办",
            Self::Sign => "签收",
            Self::Return { .. } => "退回",
            Self::RequestExtension { .. } => "申请延期",
            Self::DecideExtension { grant: true, .. } => "同意延期",
            Self::DecideExtension { grant: false, .. } => "不同意延期",
            Self::RequestEscalation { .. } => "申请提级",
            Self::Escalate { .. } => "提级",
            Self::Delegate { .. } => "下派",
            Self::SelfHandle { .. } => "网格自办",
            Self::ReportResult { .. } => "结果反馈",
            Self::Verify { .. } => "把关通过",
            Self::SendBack { .. } => "把关退回",
            Self::RecordRevisit { .. } => "回访",
            Self::Redo { .. } => "重办",
            Self::Close { .. } => "销号",
            Self::Archive => "归档",
            Self::Supervise { .. } => "督办",
            Self::Urge { .. } => "催办",
            Self::Comment { .. } => "补充说明",
        }
    }

    /// The free text the move carries (reason, note, instruction), if any.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Register(i) => Some(&i.text),
            Self::RequestReview { note }
            | Self::Accept { note }
            | Self::Dispatch { note, .. }
            | Self::DecideExtension { note, .. }
            | Self::SelfHandle { note }
            | Self::Verify { note }
            | Self::RecordRevisit { note, .. }
            | Self::Close { note }
            | Self::Supervise { note, .. }
            | Self::Urge { note } => Some(note),
            Self::Review { instruction, .. } => Some(instruction),
            Self::NotAccept { reason }
            | Self::Merge { reason, .. }
            | Self::Return { reason }
            | Self::RequestExtension { reason, .. }
            | Self::RequestEscalation { reason }
            | Self::Escalate { reason }
            | Self::Delegate { reason, .. }
            | Self::SendBack { reason }
            | Self::Redo { reason } => Some(reason),
            Self::ReportResult { text, .. } | Self::Comment { text } => Some(text),
            Self::Sign | Self::Archive => None,
        }
    }
}
