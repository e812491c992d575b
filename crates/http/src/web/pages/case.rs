//! `GET /cases/{id}`: one case — its fields (contact masked), state, deadline and warning, the
//! whole history, and one form per move the user may make now. `POST /cases/{id}/moves/{move}`
//! makes the move and goes back to the case (303); a refused move shows the case again with the
//! message in that move's form and what was typed kept. `GET /cases/lookup` names the case a
//! merge form points at while the number is typed (htmx).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::{CaseSnapshot, CaseState, Event, Move, Reporter, ResultKind, Satisfaction, SupervisionLevel};
use shiyu_domain::deadline::Warning;
use shiyu_domain::ids::{CaseId, CaseNumber};
use shiyu_domain::role::Role;
use shiyu_domain::time;
use shiyu_storage::StorageError;
use shiyu_storage::cases::ContactView;
use shiyu_storage::directory::OrgKind;

use crate::api::cases::parse_move;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::forms::{FieldKind, FormData, move_fields, move_json};
use crate::web::layout::{Chrome, fixable, render, render_status, status_of};
use crate::web::names::Names;
use crate::web::text::{Text, event_label, field_label, labelled, move_label, resident_move_label, text};
use crate::web::views::{Opt, state_label, warning_label, warning_of};

/// Moves shown folded under "more actions": rarer, or steps aside from the main path.
const SECONDARY: [&str; 10] = [
    "request_review",
    "comment",
    "merge",
    "escalate",
    "delegate",
    "supervise",
    "urge",
    "archive",
    "request_extension",
    "request_escalation",
];

/// Whether a move's form starts folded. A rarer move is the main one when it answers the case's
/// situation: review when acceptance needs it, escalation when the handler asked for it.
fn folded(name: &str, c: &CaseSnapshot, moves: &[&str]) -> bool {
    let answers = match name {
        "request_review" => !moves.contains(&"accept"),
        "escalate" => c.escalation_requested,
        _ => false,
    };
    SECONDARY.contains(&name) && !answers
}

/// One fact about the case.
#[derive(Debug)]
pub struct Detail {
    /// Test hook and CSS class.
    pub key: &'static str,
    /// What it is.
    pub label: &'static str,
    /// Its value.
    pub value: String,
    /// A link, or empty.
    pub href: String,
}

/// One event of the history.
#[derive(Debug)]
pub struct EventRow {
    /// Position.
    pub seq: u32,
    /// The move's wire name.
    pub name: &'static str,
    /// When, shown.
    pub at: String,
    /// Who (empty when hidden from residents).
    pub actor: String,
    /// Their role.
    pub role: &'static str,
    /// What they did.
    pub label: &'static str,
    /// Their reason, note or text, or empty.
    pub text: String,
    /// What the move set: organisations, deadlines, levels.
    pub details: Vec<String>,
}

/// One input of a move form.
#[derive(Debug)]
pub struct FieldView {
    /// Input name.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// `textarea`, `number`, `text`, `bool`, `select` or `multi`.
    pub input: &'static str,
    /// Required.
    pub required: bool,
    /// Current value.
    pub value: String,
    /// Choices.
    pub options: Vec<Opt>,
    /// Largest number accepted.
    pub max: u32,
}

/// The form of one move.
#[derive(Debug)]
pub struct MoveForm {
    /// Wire name.
    pub name: &'static str,
    /// Heading and button.
    pub label: &'static str,
    /// Inputs.
    pub fields: Vec<FieldView>,
    /// Why the last try was refused, or empty.
    pub error: String,
}

/// A camera near the case.
#[derive(Debug)]
pub struct CameraNear {
    /// Name.
    pub name: String,
    /// Device code.
    pub code: String,
    /// Status label.
    pub status: &'static str,
    /// Whether it is online.
    pub online: bool,
    /// Distance in metres, rounded.
    pub metres: u32,
    /// Stream address.
    pub stream_url: String,
}

/// The case page.
#[derive(Template)]
#[template(path = "pages/case.html")]
pub struct CasePage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The dispute this case became (id, number), or empty strings.
    pub dispute: (String, String),
    /// The user may turn it into a dispute.
    pub may_dispute: bool,
    /// The proposal this case became, or the link to make one.
    pub proposal: super::proposals::CaseLink,
    /// Flagged at registration as repeating an earlier request.
    pub repeat: bool,
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// The request's text.
    pub text: String,
    /// State wire name.
    pub state: &'static str,
    /// State label.
    pub state_label: &'static str,
    /// Current stage's deadline, shown, or empty.
    pub due: String,
    /// Warning wire name, or empty.
    pub warning: &'static str,
    /// Warning label.
    pub warning_label: &'static str,
    /// Facts.
    pub details: Vec<Detail>,
    /// History, oldest first.
    pub timeline: Vec<EventRow>,
    /// Attachments given at intake (photos from the scene), by id.
    pub attachments: Vec<String>,
    /// Cameras within a kilometre of the case's point, nearest first (staff only).
    pub cameras: Vec<CameraNear>,
    /// Main moves.
    pub primary: Vec<MoveForm>,
    /// Other moves.
    pub secondary: Vec<MoveForm>,
    /// A refusal of a move that has no form now (someone acted first), or empty.
    pub error_top: String,
    /// The move just made, or empty.
    pub done: &'static str,
}

/// A refused submission, to be shown in its form.
struct Failed {
    name: String,
    message: String,
    form: FormData,
}

fn show(at: Option<DateTime<Utc>>) -> String {
    at.map(time::show).unwrap_or_default()
}

fn level_label(lang: Lang, l: AreaLevel) -> String {
    match lang {
        Lang::Zh => l.label_zh().to_owned(),
        Lang::En => l.as_str().replace('_', " "),
    }
}

fn detail(key: &'static str, label: &'static str, value: impl Into<String>) -> Detail {
    Detail { key, label, value: value.into(), href: String::new() }
}

/// Whether the viewer is the resident who reported the case (they see what is said to them,
/// not the staff's internal notes and names).
fn reporter_view(auth: &Auth) -> bool {
    auth.user.role == Role::Resident
}

async fn details(
    state: &AppState,
    auth: &Auth,
    names: &mut Names<'_>,
    c: &CaseSnapshot,
    contact: Option<&ContactView>,
    history: &[Event],
) -> Vec<Detail> {
    let lang = auth.lang;
    let t = text(lang);
    let resident = reporter_view(auth);
    let mut d = vec![
        detail(
            "ledger",
            if resident { t.f_kind } else { t.d_ledger },
            lang.pick(c.ledger.label_zh(), c.ledger.label_en()),
        ),
        detail("category", t.d_category, names.category_path(c.category.as_str()).await),
        detail("channel", t.d_channel, lang.pick(c.channel.label_zh(), c.channel.label_en())),
        detail("urgency", t.d_urgency, lang.pick(c.urgency.label_zh(), c.urgency.label_en())),
        detail("area", t.d_area, names.area_path(&c.area).await),
    ];
    if let Some(p) = c.location {
        d.push(detail("location", t.d_location, format!("{:.6}, {:.6}", p.lon, p.lat)));
    }
    let reporter = match (&c.reporter, contact) {
        (Reporter::Contact, Some(k)) => format!("{} {}", k.name, k.phone_masked),
        (Reporter::Account { user }, _) if resident => {
            if *user == auth.user.id {
                auth.user.name.clone()
            } else {
                t.d_account.to_owned()
            }
        }
        (Reporter::Account { user }, _) => match state.store.user(*user).await {
            Ok(u) => format!("{}{}{}{}", u.name, t.paren_open, t.d_account, t.paren_close),
            Err(_) => t.d_account.to_owned(),
        },
        _ => t.d_anonymous.to_owned(),
    };
    d.push(detail("contact", t.d_reporter, reporter));
    d.push(detail("created", t.d_created, time::show(c.created_at)));
    if !resident {
        d.push(detail("handling", t.d_handling, names.area_path(&c.handling_area).await));
    }
    if let Some(o) = c.lead_org {
        d.push(detail("lead", t.d_lead, names.org(&o.to_string()).await));
    }
    if !c.co_orgs.is_empty() {
        let mut co = Vec::new();
        for o in &c.co_orgs {
            co.push(names.org(&o.to_string()).await);
        }
        d.push(detail("co", t.d_co, co.join(t.list_sep)));
    }
    if resident {
        let before_result = c.state.is_open() && !matches!(c.state, CaseState::Handled | CaseState::Revisit);
        if before_result && c.handle_by.is_some() {
            d.push(detail("expected", t.d_expected, show(c.handle_by)));
        }
    } else {
        for (key, label, at) in [
            ("sign-by", t.d_sign_by, c.sign_by),
            ("handle-by", t.d_handle_by, c.handle_by),
            ("revisit-by", t.d_revisit_by, c.revisit_by),
        ] {
            if at.is_some() {
                d.push(detail(key, label, show(at)));
            }
        }
        if let Some(i) = &c.instruction {
            d.push(detail("instruction", t.d_instruction, i.clone()));
        }
        if let Some(days) = c.extension_pending {
            d.push(detail("extension", t.d_extension, format!("{days} {}", t.days_unit)));
        }
        if c.escalation_requested {
            d.push(detail("escalation", t.d_escalation, t.yes));
        }
        if let Some(s) = c.supervision {
            d.push(detail("supervision", t.d_supervision, lang.pick(s.label_zh(), s.label_en())));
        }
        if c.return_count > 0 {
            d.push(detail("returns", t.d_returns, c.return_count.to_string()));
        }
        if c.redo_count > 0 {
            d.push(detail("redos", t.d_redo, c.redo_count.to_string()));
        }
    }
    // A reporter sees the result once the centre has checked it (as the public follow page does).
    let result_visible = !resident || c.state != CaseState::Handled;
    if let (Some(r), true) = (c.result, result_visible) {
        let text = c.result_text.clone().unwrap_or_default();
        d.push(detail("result", t.d_result, labelled(t, lang.pick(r.label_zh(), r.label_en()), text)));
    }
    if let Some(s) = c.satisfaction {
        d.push(detail("satisfaction", t.d_satisfaction, lang.pick(s.label_zh(), s.label_en())));
    }
    if let Some(into) = c.merged_into {
        // People know cases by number; the history's merge says which number it was.
        let number = history.iter().rev().find_map(|e| match &e.change {
            Move::Merge { into_number, .. } => Some(into_number.to_string()),
            _ => None,
        });
        let mut m = detail("merged-into", t.d_merged_into, number.unwrap_or_else(|| into.to_string()));
        m.href = format!("/cases/{into}");
        d.push(m);
    }
    if let Some(l) = c.closed_level {
        d.push(detail("closed-level", t.d_closed_level, level_label(lang, l)));
    }
    if c.closed_at.is_some() {
        d.push(detail("closed", t.d_closed, show(c.closed_at)));
    }
    d
}

/// Whether the result reported at `i` was then verified (not sent back, not still waiting): only
/// then does it reach the reporter.
fn verified_after(history: &[Event], i: usize) -> bool {
    history
        .iter()
        .skip(i + 1)
        .find(|e| matches!(e.change, Move::Verify { .. } | Move::SendBack { .. }))
        .is_some_and(|e| matches!(e.change, Move::Verify { .. }))
}

/// The text of a move a reporter is told; others are the staff's notes.
fn said_to_reporter(mv: &Move) -> bool {
    matches!(
        mv,
        Move::NotAccept { .. }
            | Move::Review { accept: false, .. }
            | Move::Merge { .. }
            | Move::ReportResult { .. }
            | Move::RecordRevisit { .. }
    )
}

async fn timeline(auth: &Auth, names: &mut Names<'_>, history: &[Event]) -> Vec<EventRow> {
    let lang = auth.lang;
    let t = text(lang);
    let resident = reporter_view(auth);
    let mut rows = Vec::with_capacity(history.len());
    for (i, e) in history.iter().enumerate() {
        let mv = &e.change;
        let result_checked = verified_after(history, i);
        let mut details = Vec::new();
        match mv {
            Move::Dispatch { lead, co, .. } => {
                details.push(labelled(t, t.ev_lead, names.org(&lead.to_string()).await));
                if !co.is_empty() {
                    let mut list = Vec::new();
                    for o in co {
                        list.push(names.org(&o.to_string()).await);
                    }
                    details.push(labelled(t, t.ev_co, list.join(t.list_sep)));
                }
            }
            Move::Delegate { to, .. } if !resident => details.push(labelled(t, t.ev_to, names.area_path(to).await)),
            Move::RequestExtension { days, .. } if !resident => {
                details.push(labelled(t, t.ev_days, format!("{days} {}", t.days_unit)));
            }
            Move::ReportResult { outcome, .. } if !resident || result_checked => {
                details.push(labelled(t, t.ev_outcome, lang.pick(outcome.label_zh(), outcome.label_en())));
            }
            Move::RecordRevisit { satisfaction, .. } => {
                details.push(labelled(t, t.ev_rating, lang.pick(satisfaction.label_zh(), satisfaction.label_en())));
            }
            Move::Supervise { level, .. } if !resident => {
                details.push(labelled(t, t.ev_level, lang.pick(level.label_zh(), level.label_en())));
            }
            Move::Merge { into_number, .. } => details.push(labelled(t, t.ev_merged, into_number)),
            _ => {}
        }
        let fx = &e.effects;
        if !resident {
            if let (Some(a), false) = (&fx.handling_area, matches!(mv, Move::Delegate { .. })) {
                let label = if matches!(mv, Move::Register(_)) { t.d_handling } else { t.ev_handling };
                details.push(labelled(t, label, names.area_path(a).await));
            }
            for (label, at) in
                [(t.d_sign_by, fx.sign_by), (t.d_handle_by, fx.handle_by), (t.d_revisit_by, fx.revisit_by)]
            {
                if at.is_some() {
                    details.push(labelled(t, label, show(at)));
                }
            }
            if let Some(l) = fx.closed_level {
                details.push(labelled(t, t.d_closed_level, level_label(lang, l)));
            }
        } else if let (Some(_), Move::Accept { .. } | Move::Review { accept: true, .. }) = (fx.handle_by, mv) {
            details.push(labelled(t, t.d_expected, show(fx.handle_by)));
        }
        let text = match mv {
            Move::Register(_) => String::new(),
            _ if resident && !said_to_reporter(mv) => String::new(),
            // The result is the reporter's to read once verified, like the public follow page.
            Move::ReportResult { .. } if resident && !result_checked => String::new(),
            _ => mv.text().unwrap_or_default().to_owned(),
        };
        let role = e.actor.role.map_or(t.by_platform, |r| lang.pick(r.label_zh(), r.label_en()));
        let actor = match (&e.actor.user, resident) {
            (None, _) => t.by_platform.to_owned(),
            (Some(u), true) if *u == auth.user.id => e.actor.name.clone(),
            (Some(_), true) => String::new(),
            (Some(_), false) => e.actor.name.clone(),
        };
        rows.push(EventRow {
            seq: e.seq,
            name: mv.name(),
            at: time::show(e.at),
            actor,
            role,
            label: event_label(lang, mv),
            text,
            details,
        });
    }
    rows
}

/// The choices of a select field for this case and viewer.
async fn options(
    state: &AppState,
    auth: &Auth,
    c: &CaseSnapshot,
    kind: FieldKind,
    departments: &mut Option<Vec<(String, String)>>,
) -> Result<Vec<(String, String)>, ApiError> {
    let lang = auth.lang;
    let pair = |v: &str, zh: &str, en: &str| (v.to_owned(), lang.pick(zh, en).to_owned());
    Ok(match kind {
        FieldKind::Org | FieldKind::Orgs => {
            // Read once per page: the lead select and the co-organisation boxes list the same.
            if departments.is_none() {
                let city = AreaCode::parse(&format!("{}00000000", c.area.city_key().as_str()))?;
                let list = state.store.orgs(Some(&city)).await?;
                *departments = Some(
                    list.into_iter()
                        .filter(|o| o.kind == OrgKind::Department)
                        .map(|o| (o.id.to_string(), o.name))
                        .collect(),
                );
            }
            departments.clone().unwrap_or_default()
        }
        FieldKind::Area => {
            state.store.child_areas(&c.handling_area).await?.into_iter().map(|a| (a.code.to_string(), a.name)).collect()
        }
        FieldKind::Outcome => ResultKind::ALL.iter().map(|r| pair(r.as_str(), r.label_zh(), r.label_en())).collect(),
        FieldKind::Satisfaction => Satisfaction::ALL
            .iter()
            // Only the centre's revisit can find nobody; a resident answering is reachable.
            .filter(|s| auth.user.role != Role::Resident || **s != Satisfaction::Unreachable)
            .map(|s| pair(s.as_str(), s.label_zh(), s.label_en()))
            .collect(),
        FieldKind::Level => SupervisionLevel::ALL
            .iter()
            // Operators supervise on the centre's line only; the domain refuses the others.
            .filter(|l| auth.user.role != Role::Operator || **l == SupervisionLevel::Centre)
            .map(|l| pair(l.as_str(), l.label_zh(), l.label_en()))
            .collect(),
        FieldKind::Bool => vec![],
        FieldKind::Textarea | FieldKind::Days | FieldKind::CaseNumber => vec![],
    })
}

async fn move_form(
    state: &AppState,
    auth: &Auth,
    c: &CaseSnapshot,
    name: &'static str,
    failed: Option<&Failed>,
    departments: &mut Option<Vec<(String, String)>>,
) -> Result<MoveForm, ApiError> {
    let lang = auth.lang;
    let t = text(lang);
    let specs = move_fields(name).unwrap_or(&[]);
    let resident = reporter_view(auth);
    let mut fields = Vec::with_capacity(specs.len());
    for spec in specs {
        let typed = failed.map(|f| f.form.all(spec.name)).unwrap_or_default();
        let first = typed.first().copied().unwrap_or_default();
        let options = match spec.kind {
            FieldKind::Bool => {
                let (yes, no) =
                    if spec.name == "accept" { (t.accept_yes, t.accept_no) } else { (t.grant_yes, t.grant_no) };
                // "Yes" is preselected: it is the usual answer, and a radio group needs one.
                let current = if first.is_empty() { "true" } else { first };
                vec![Opt::new("true", yes, current), Opt::new("false", no, current)]
            }
            kind => options(state, auth, c, kind, departments)
                .await?
                .into_iter()
                .map(|(v, l)| {
                    let selected = typed.contains(&v.as_str());
                    Opt { value: v, label: l, selected }
                })
                .collect(),
        };
        fields.push(FieldView {
            name: spec.name,
            // A resident's note is their comment on the result, not a staff note.
            label: if resident && spec.name == "note" { t.f_note } else { field_label(lang, spec.name) },
            input: spec.kind.input(),
            required: spec.required,
            value: first.to_owned(),
            options,
            max: state.store.rules().case.max_extension_days,
        });
    }
    let label = if auth.user.role == Role::Resident { resident_move_label(lang, name) } else { move_label(lang, name) };
    let error = failed.filter(|f| f.name == name).map(|f| f.message.clone()).unwrap_or_default();
    Ok(MoveForm { name, label, fields, error })
}

async fn build(
    state: &AppState,
    auth: &Auth,
    id: CaseId,
    failed: Option<Failed>,
    done: &str,
) -> Result<CasePage, ApiError> {
    let lang = auth.lang;
    let t = text(lang);
    let scope = auth.scope();
    let record = state.store.case_record(&scope, id).await?;
    let history = state.store.case_history(&scope, id).await?;
    let c = record.case;
    let mut names = Names::new(&state.store, lang);
    let moves = crate::api::cases::moves_for(state, auth, &c);
    let now = Utc::now();
    let warn = c.current_due().map(|due| warning_of(state, c.stage_started_at, due, now));
    let mut primary = Vec::new();
    let mut secondary = Vec::new();
    let mut departments = None;
    let failed_here = failed.as_ref().filter(|f| moves.contains(&f.name.as_str()));
    for name in &moves {
        let form = move_form(state, auth, &c, name, failed_here, &mut departments).await?;
        let aside = folded(name, &c, &moves);
        if aside { secondary.push(form) } else { primary.push(form) }
    }
    // A form the user sent is shown open, even when it is folded by default.
    if let Some(f) = failed_here
        && let Some(i) = secondary.iter().position(|m| m.name == f.name)
    {
        primary.push(secondary.remove(i));
    }
    let error_top = match (&failed, failed_here) {
        (Some(f), None) => f.message.clone(),
        _ => String::new(),
    };
    let done = Move::NAMES.iter().find(|n| **n == done).map_or("", |n| {
        if auth.user.role == Role::Resident { resident_move_label(lang, n) } else { move_label(lang, n) }
    });
    let (dispute_id, dispute_number, may_dispute) = super::disputes::case_link(state, auth, c.id).await?;
    Ok(CasePage {
        chrome: Chrome::for_user(auth, ""),
        t,
        dispute: (dispute_id, dispute_number),
        may_dispute,
        proposal: super::proposals::case_link(state, auth, c.id).await?,
        repeat: history.first().is_some_and(|e| e.effects.repeat == Some(true)),
        id: c.id.to_string(),
        number: c.number.to_string(),
        title: c.title.clone(),
        text: c.text.clone(),
        state: c.state.as_str(),
        state_label: state_label(lang, c.state),
        // The stage deadlines are the staff's; the reporter reads the expected date in the facts.
        due: if reporter_view(auth) { String::new() } else { show(c.current_due()) },
        warning: warn.filter(|_| !reporter_view(auth)).map_or("", Warning::as_str),
        warning_label: warn.map_or("", |w| warning_label(lang, w)),
        details: details(state, auth, &mut names, &c, record.contact.as_ref(), &history).await,
        timeline: timeline(auth, &mut names, &history).await,
        cameras: match c.location {
            Some(point) if !reporter_view(auth) => state
                .places
                .nearest_cameras(point, 5, 1000.0)
                .into_iter()
                .map(|(cam, d)| {
                    let status = shiyu_domain::base::kinds::CameraStatus::parse(&cam.status).ok();
                    CameraNear {
                        name: cam.name,
                        code: cam.code,
                        status: status.map_or("", |s| lang.pick(s.label_zh(), s.label_en())),
                        online: status == Some(shiyu_domain::base::kinds::CameraStatus::Online),
                        metres: d.round().clamp(0.0, f64::from(u32::MAX)) as u32,
                        stream_url: cam.stream_url,
                    }
                })
                .collect(),
            _ => Vec::new(),
        },
        attachments: history
            .iter()
            .find_map(|e| match &e.change {
                Move::Register(intake) => Some(intake.attachments.iter().map(ToString::to_string).collect()),
                _ => None,
            })
            .unwrap_or_default(),
        primary,
        secondary,
        error_top,
        done,
    })
}

/// Query of the case page.
#[derive(Debug, Default, Deserialize)]
pub struct CaseQuery {
    /// The move just made (to confirm it).
    #[serde(default)]
    pub done: String,
}

fn case_id(text: &str) -> Result<CaseId, ApiError> {
    CaseId::parse(text).map_err(|_| ApiError::NotFound("case".into()))
}

/// The case page.
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Result<Response, ApiError> {
    render(&build(&state, &auth, case_id(&id)?, None, &q.done).await?)
}

/// Resolves a merge form's case number to the case it names, within the user's scope.
async fn resolve_merge(state: &AppState, auth: &Auth, json: &mut Value) -> Result<(), ApiError> {
    let Some(number) = json.get("into_number").and_then(Value::as_str).map(str::to_owned) else {
        return Ok(());
    };
    let number = CaseNumber::parse(&number).map_err(|_| ApiError::invalid("into_number", "not_a_case_number"))?;
    match state.store.case_by_number(&auth.scope(), &number).await {
        Ok(target) => {
            json["into"] = Value::String(target.case.id.to_string());
            Ok(())
        }
        Err(StorageError::NotFound(_)) => Err(ApiError::invalid("into_number", "unknown_case")),
        Err(e) => Err(e.into()),
    }
}

async fn apply(state: &AppState, auth: &Auth, id: CaseId, name: &str, form: &FormData) -> Result<(), ApiError> {
    let mut json = move_json(name, form)?;
    if name == "merge" {
        resolve_merge(state, auth, &mut json).await?;
    }
    let mv = parse_move(json)?;
    let case = state.store.apply_move(&auth.principal, id, mv.clone(), Utc::now()).await?;
    state.routing.judge_move(&state.store, &case, &mv).await;
    Ok(())
}

/// Makes a move from its form.
pub async fn make_move(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = case_id(&id)?;
    let form = FormData::parse(&body);
    match apply(&state, &auth, id, &name, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?done={name}")).into_response()),
        Err(e) if fixable(&e) => {
            let failed = Failed { name, message: e.message(auth.lang), form };
            render_status(status_of(&e), &build(&state, &auth, id, Some(failed), "").await?)
        }
        Err(e) => Err(e),
    }
}

/// What a merge form's number names.
#[derive(Template)]
#[template(path = "parts/lookup.html")]
pub struct Lookup {
    /// Found case's id, or empty.
    pub id: String,
    /// Its title, or the "not found" text.
    pub title: String,
    /// Its state label.
    pub state_label: &'static str,
}

/// Query of the lookup.
#[derive(Debug, Default, Deserialize)]
pub struct LookupQuery {
    /// The number typed.
    #[serde(default)]
    pub into_number: String,
}

/// Names the case a number points at, within the user's scope.
pub async fn lookup(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<LookupQuery>,
) -> Result<Response, ApiError> {
    let t = text(auth.lang);
    let found = match CaseNumber::parse(&q.into_number) {
        Ok(n) => state.store.case_by_number(&auth.scope(), &n).await.ok(),
        Err(_) => None,
    };
    let view = match found {
        Some(r) => {
            Lookup { id: r.case.id.to_string(), title: r.case.title, state_label: state_label(auth.lang, r.case.state) }
        }
        None if q.into_number.trim().is_empty() => Lookup { id: String::new(), title: String::new(), state_label: "" },
        None => Lookup { id: String::new(), title: t.merge_lookup_none.to_owned(), state_label: "" },
    };
    render(&view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shiyu_domain::case::{Actor, Effects};

    fn ev(seq: u32, change: Move) -> Event {
        let actor = Actor { user: None, name: String::new(), role: None };
        Event { seq, at: Utc::now(), actor, change, effects: Effects::default() }
    }

    fn report(seq: u32) -> Event {
        ev(seq, Move::ReportResult { outcome: ResultKind::Resolved, text: "已处理".into() })
    }

    #[test]
    fn only_a_verified_result_reaches_the_reporter() {
        let h = vec![
            ev(1, Move::Sign),
            report(2),
            ev(3, Move::SendBack { reason: "未解决".into() }),
            report(4),
            ev(5, Move::Verify { note: String::new() }),
            report(6),
        ];
        assert!(!verified_after(&h, 1), "sent back");
        assert!(verified_after(&h, 3), "verified");
        assert!(!verified_after(&h, 5), "still waiting");
        assert!(said_to_reporter(&h[1].change) && !said_to_reporter(&h[0].change));
    }

    #[test]
    fn rarer_moves_fold_unless_they_answer_the_case() {
        let area = AreaCode::parse("439901001001001").expect("area");
        let mut register = ev(
            1,
            Move::Register(shiyu_domain::case::Intake {
                ledger: shiyu_domain::case::Ledger::Demand,
                category: shiyu_domain::case::CategoryCode::parse("a.b").expect("code"),
                channel: shiyu_domain::case::Channel::Web,
                urgency: shiyu_domain::case::Urgency::Normal,
                title: "t".into(),
                text: "x".into(),
                area: area.clone(),
                location: None,
                off_grid: false,
                reporter: Reporter::Anonymous,
                attachments: vec![],
            }),
        );
        register.effects.number = Some(CaseNumber::parse("2026-0421-000153").expect("number"));
        register.effects.handling_area = area.parent();
        let mut c = CaseSnapshot::genesis(CaseId::new(), &register).expect("genesis");
        let moves = ["accept", "request_review", "merge", "supervise"];
        assert!(!folded("accept", &c, &moves));
        assert!(folded("request_review", &c, &moves));
        assert!(!folded("request_review", &c, &["request_review", "not_accept"]), "review is the way in");
        assert!(folded("escalate", &c, &moves));
        c.escalation_requested = true;
        assert!(!folded("escalate", &c, &moves), "the handler asked for it");
    }
}
