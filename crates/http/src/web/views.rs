//! What list pages show of a case and of a notice, already in the page's language, so the
//! templates only lay them out.

use chrono::{DateTime, Utc};
use shiyu_domain::case::{CaseState, Ledger, SupervisionLevel};
use shiyu_domain::deadline::Warning;
use shiyu_domain::deadline::warning::{DEFAULT_YELLOW_SHARE, warning};
use shiyu_domain::scope::Scope;
use shiyu_domain::time;
use shiyu_storage::CaseSummary;
use shiyu_storage::cases::Notification;

use super::names::Names;
use crate::i18n::Lang;
use crate::state::AppState;

/// States in which a case is still being worked on.
pub const OPEN_STATES: [CaseState; 7] = [
    CaseState::Registered,
    CaseState::PendingReview,
    CaseState::Accepted,
    CaseState::Dispatched,
    CaseState::InProgress,
    CaseState::Handled,
    CaseState::Revisit,
];

/// A case line of a list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// Id, for the link.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// State wire name (for the badge's colour).
    pub state: &'static str,
    /// State label.
    pub state_label: &'static str,
    /// Category name.
    pub category: String,
    /// Area name.
    pub area: String,
    /// Lead organisation's name, or empty.
    pub lead: String,
    /// Deadline of the current stage, shown, or empty.
    pub due: String,
    /// `normal`, `yellow`, `red`, or empty without a deadline.
    pub warning: &'static str,
    /// The warning's label.
    pub warning_label: &'static str,
    /// Supervision label, or empty.
    pub supervision: &'static str,
    /// Registered at, shown.
    pub created: String,
    /// Hours past the deadline, when overdue.
    pub hours_overdue: i64,
}

/// The label of a state in a language.
pub fn state_label(lang: Lang, s: CaseState) -> &'static str {
    lang.pick(s.label_zh(), s.label_en())
}

/// The label of a warning in a language.
pub fn warning_label(lang: Lang, w: Warning) -> &'static str {
    lang.pick(w.label_zh(), w.label_en())
}

/// The warning of a deadline that started at `start`.
pub fn warning_of(state: &AppState, start: DateTime<Utc>, due: DateTime<Utc>, now: DateTime<Utc>) -> Warning {
    warning(&state.store.rules().calendar, start, due, now, DEFAULT_YELLOW_SHARE)
}

/// Builds the lines of a list, looking names up through the page's cache.
pub async fn case_rows(
    state: &AppState,
    names: &mut Names<'_>,
    lang: Lang,
    scope: &Scope,
    items: Vec<CaseSummary>,
) -> Vec<CaseRow> {
    let now = Utc::now();
    let mut rows = Vec::with_capacity(items.len());
    for c in items {
        let warn = match c.due_at.filter(|_| c.state.is_open()) {
            None => None,
            Some(due) if due < now => Some(Warning::Red),
            Some(due) => {
                // Yellow depends on when the stage started, which the list row does not carry:
                // read it from the case (only for running deadlines; red needs no read).
                let start =
                    state.store.case_record(scope, c.id).await.map_or(c.updated_at, |r| r.case.stage_started_at);
                Some(warning_of(state, start, due, now))
            }
        };
        let lead = match &c.lead_org {
            Some(id) => names.org(id).await,
            None => String::new(),
        };
        rows.push(CaseRow {
            id: c.id.to_string(),
            state: c.state.as_str(),
            state_label: state_label(lang, c.state),
            category: names.category(&c.category).await,
            area: names.area(&c.area_code).await,
            lead,
            due: c.due_at.map(time::show).unwrap_or_default(),
            warning: warn.map_or("", Warning::as_str),
            warning_label: warn.map_or("", |w| warning_label(lang, w)),
            supervision: c
                .supervision
                .as_deref()
                .and_then(|s| SupervisionLevel::parse(s).ok())
                .map_or("", |s| lang.pick(s.label_zh(), s.label_en())),
            created: time::show(c.created_at),
            hours_overdue: c.due_at.filter(|d| *d < now).map_or(0, |d| (now - d).num_hours()),
            number: c.number,
            title: c.title,
        });
    }
    rows
}

/// A notice line.
#[derive(Debug, Clone)]
pub struct NoticeRow {
    /// The case's id, for the link.
    pub case_id: String,
    /// The case's number.
    pub number: String,
    /// The text.
    pub body: String,
    /// When, shown.
    pub at: String,
    /// Read already.
    pub read: bool,
}

/// The latest notices of the signed-in principal.
pub async fn notice_rows(state: &AppState, who: &shiyu_domain::scope::Principal) -> Vec<NoticeRow> {
    // Notices are a side panel: a failure to read them must not take the page down.
    let list = state.store.notifications(who, 20).await.unwrap_or_default();
    list.into_iter().map(notice_row).collect()
}

fn notice_row(n: Notification) -> NoticeRow {
    NoticeRow { at: time::show(n.created_at), case_id: n.case_id, number: n.case_number, body: n.body, read: n.read }
}

/// A choice of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    /// The submitted value.
    pub value: String,
    /// What the user reads.
    pub label: String,
    /// Chosen now.
    pub selected: bool,
}

impl Opt {
    /// A choice, selected when `value` equals `current`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self { selected: value == current, label: label.into(), value }
    }
}

/// A group of choices (`<optgroup>`).
#[derive(Debug, Clone)]
pub struct OptGroup {
    /// The group's heading.
    pub label: String,
    /// Its choices.
    pub options: Vec<Opt>,
}

/// The ledger choices; residents choose among the three books only (events are found by grids).
pub fn ledger_options(lang: Lang, resident: bool, current: &str) -> Vec<Opt> {
    Ledger::ALL
        .iter()
        .filter(|l| !(resident && **l == Ledger::Event))
        .map(|l| Opt::new(l.as_str(), lang.pick(l.label_zh(), l.label_en()), current))
        .collect()
}
