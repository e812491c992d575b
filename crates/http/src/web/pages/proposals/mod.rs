//! Deliberation pages (议事协商). `GET /proposals`: the proposals the user reads, newest first —
//! staff their area's, residents every village's and community's — narrowed to one by a picker.
//! `GET|POST /proposals/new`: make one, also from a case (`?case=ID`) or a resident's comment
//! (`?comment=ID`). `GET /proposals/{id}`: the procedure as a timeline of stages with each
//! meeting's count and the published documents, the form of the current stage for staff, the
//! withdrawal for the proposer, and the comments. `POST /proposals/{id}/moves/{name}`, `POST
//! /proposals/{id}/comments`.
//!
//! Forms become the same JSON bodies the API takes and go through the same parser, so the browser
//! and the API name bad fields alike.

pub mod text;

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::deliberation::access::{ProposalAct, Reach, may, reach, steer_root};
use shiyu_domain::deliberation::{
    DocumentKind, OnFail, ProcedureKind, ProposalChange, ProposalMove, ProposalSnapshot, ProposalStatus, Stage,
};
use shiyu_domain::ids::{CaseId, ProposalCommentId};
use shiyu_domain::time::{SHANGHAI, show};
use shiyu_storage::deliberation::{ProposalFilter, ProposalRecord};

use self::text::{DelibText, text as dtext};
use crate::api::proposals::{NewProposalBody, parse_proposal_move, proposal_id};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::forms::FormData;
use crate::web::layout::{Chrome, answer_form, render};
use crate::web::names::Names;
use crate::web::pages::my_points::{city_root, community_groups};
use crate::web::text::{Text, fill, text};
use crate::web::views::{Opt, OptGroup};

/// The label of a proposal move by wire name.
pub fn move_label(lang: Lang, name: &str) -> &'static str {
    match name {
        "record_meeting" => lang.pick("记录会议表决", "Record the meeting"),
        "publish" => lang.pick("发布公开", "Publish"),
        "withdraw" => lang.pick("撤回", "Withdraw"),
        "comment" => lang.pick("发表意见", "Comment"),
        "create" => lang.pick("登记议事事项", "Make the proposal"),
        _ => "",
    }
}

fn status_label(lang: Lang, s: ProposalStatus) -> String {
    lang.pick(s.label_zh(), s.label_en()).to_owned()
}

fn stage_label(lang: Lang, kind: ProcedureKind, s: &Stage) -> String {
    match lang {
        Lang::Zh => s.label_zh_in(kind),
        Lang::En => s.label_en_in(kind),
    }
}

/// Where a proposal stands, in words: the stage it is at, or how it ended (and where).
pub fn stands(lang: Lang, p: &ProposalSnapshot) -> String {
    let status = status_label(lang, p.status);
    match (p.status, p.current_stage()) {
        (ProposalStatus::InProgress, Some(s)) => stage_label(lang, p.procedure.kind, s),
        (ProposalStatus::NotAdopted | ProposalStatus::Withdrawn, Some(s)) => match lang {
            Lang::Zh => format!("{status}（{}）", stage_label(lang, p.procedure.kind, s)),
            Lang::En => format!("{status} at {}", stage_label(lang, p.procedure.kind, s)),
        },
        _ => status,
    }
}

fn paren(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Zh => format!("（{s}）"),
        Lang::En => format!(" ({s})"),
    }
}

/// The root under which the user picks a village or community: their area, or the city.
async fn pick_root(state: &AppState, auth: &Auth) -> Result<AreaCode, ApiError> {
    match reach(&auth.principal) {
        Some(Reach::Subtree(root)) => Ok(root),
        Some(Reach::Public) => city_root(state).await,
        None => Err(ApiError::Forbidden),
    }
}

/// A proposal line.
#[derive(Debug)]
pub struct Row {
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Village or community.
    pub area: String,
    /// Procedure.
    pub procedure: String,
    /// Where it stands.
    pub stands: String,
    /// Status wire name.
    pub status: &'static str,
    /// Status label.
    pub status_label: String,
    /// Last change.
    pub updated: String,
}

/// The list.
#[derive(Template)]
#[template(path = "pages/proposals.html")]
pub struct ListPage {
    /// Frame.
    pub chrome: Chrome,
    /// Shared strings.
    pub t: &'static Text,
    /// Deliberation strings.
    pub d: &'static DelibText,
    /// Lines.
    pub rows: Vec<Row>,
    /// Village and community choices.
    pub areas: Vec<OptGroup>,
    /// Status choices.
    pub statuses: Vec<Opt>,
    /// May make proposals.
    pub may_create: bool,
}

/// `?area=&status=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Village or community (or any area above); empty for all the user reads.
    pub area: String,
    /// Status wire name.
    pub status: String,
}

/// `GET /proposals`.
pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    let lang = auth.lang;
    let root = pick_root(&state, &auth).await?;
    let area = q.area.trim().to_owned();
    let filter = ProposalFilter {
        area: if area.is_empty() {
            None
        } else {
            Some(AreaCode::parse(&area).map_err(|_| ApiError::invalid("area", "not_an_area_code"))?)
        },
        status: if q.status.trim().is_empty() { None } else { Some(ProposalStatus::parse(q.status.trim())?) },
        limit: Some(200),
    };
    let items = state.store.proposals(&auth.principal, &filter).await?;
    let mut names = Names::new(&state.store, lang);
    let areas = community_groups(&state, &mut names, &root, &area, None).await?;
    let mut rows = Vec::with_capacity(items.len());
    for s in &items {
        let p = &s.proposal;
        rows.push(Row {
            id: s.id.to_string(),
            number: p.number.clone(),
            title: p.title.clone(),
            area: names.area(p.area.as_str()).await,
            procedure: lang.pick(p.procedure.kind.label_zh(), p.procedure.kind.label_en()).to_owned(),
            stands: stands(lang, p),
            status: p.status.as_str(),
            status_label: status_label(lang, p.status),
            updated: show(s.updated_at),
        });
    }
    render(&ListPage {
        chrome: Chrome::for_user(&auth, "/proposals"),
        t: text(lang),
        d: dtext(lang),
        rows,
        areas,
        statuses: ProposalStatus::ALL
            .iter()
            .map(|s| Opt::new(s.as_str(), status_label(lang, *s), q.status.trim()))
            .collect(),
        may_create: steer_root(&auth.principal).is_some(),
    })
}

/// The form for a new proposal.
#[derive(Template)]
#[template(path = "pages/proposal_new.html")]
pub struct NewPage {
    /// Frame.
    pub chrome: Chrome,
    /// Shared strings.
    pub t: &'static Text,
    /// Deliberation strings.
    pub d: &'static DelibText,
    /// Refusal, or empty.
    pub error: String,
    /// Typed values.
    pub v: NewProposalBody,
    /// Villages and communities.
    pub areas: Vec<OptGroup>,
    /// Procedures.
    pub procedures: Vec<Opt>,
    /// Where it comes from, in words (empty when raised directly).
    pub origin: String,
}

async fn new_page(state: &AppState, auth: &Auth, mut v: NewProposalBody, error: String) -> Result<NewPage, ApiError> {
    let root = steer_root(&auth.principal).ok_or(ApiError::Forbidden)?;
    let lang = auth.lang;
    let d = dtext(lang);
    let mut names = Names::new(&state.store, lang);
    let mut origin = String::new();
    if let Ok(case) = CaseId::parse(v.case_id.trim())
        && let Ok(r) = state.store.case_record(&auth.scope(), case).await
    {
        origin = format!("{} {} {}", d.from_case, r.case.number, r.case.title);
        if v.title.is_empty() && v.content.is_empty() {
            v.title = r.case.title.clone();
            v.content = r.case.text.clone();
        }
        if v.area_code.is_empty()
            && let Some(c) = r.case.area.ancestor_at(AreaLevel::Community)
        {
            v.area_code = c.to_string();
        }
    }
    if let Ok(comment) = ProposalCommentId::parse(v.comment_id.trim())
        && let Some((_, number, area, said)) = state.store.proposal_comment(&auth.principal, comment).await?
    {
        origin = format!("{} {number}", d.from_comment);
        if v.content.is_empty() {
            v.content = said;
        }
        if v.area_code.is_empty() {
            v.area_code = area.to_string();
        }
    }
    let areas = community_groups(state, &mut names, &root, &v.area_code, None).await?;
    let procedures = ProcedureKind::ALL
        .iter()
        .map(|k| Opt::new(k.as_str(), lang.pick(k.label_zh(), k.label_en()), &v.procedure))
        .collect();
    Ok(NewPage { chrome: Chrome::for_user(auth, "/proposals"), t: text(lang), d, error, v, areas, procedures, origin })
}

/// `?case=&comment=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    /// The case to make a proposal of.
    pub case: String,
    /// The comment to make a proposal of.
    pub comment: String,
}

/// `GET /proposals/new`.
pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, ApiError> {
    let v = NewProposalBody { case_id: q.case, comment_id: q.comment, ..NewProposalBody::default() };
    render(&new_page(&state, &auth, v, String::new()).await?)
}

/// `POST /proposals/new`.
pub async fn create(State(state): State<AppState>, auth: Auth, RawForm(raw): RawForm) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let v = NewProposalBody {
        title: get("title"),
        content: get("content"),
        area_code: get("area_code"),
        procedure: get("procedure"),
        case_id: get("case_id"),
        comment_id: get("comment_id"),
    };
    let result =
        async { Ok::<_, ApiError>(state.store.create_proposal(&auth.principal, v.parse()?, Utc::now()).await?) }.await;
    answer_form(
        auth.lang,
        result,
        |id| format!("/proposals/{id}?done=create"),
        async |message| new_page(&state, &auth, v, message).await,
    )
    .await
}

/// One meeting as the timeline shows it.
#[derive(Debug)]
pub struct MeetingView {
    /// When.
    pub held_at: String,
    /// Attendance in words.
    pub attendance: String,
    /// The count in words.
    pub count: String,
    /// Passed.
    pub passed: bool,
    /// What a failure did, in words (empty when passed).
    pub then: String,
    /// Members present (staff).
    pub attendees: String,
    /// Observers (staff).
    pub observers: String,
    /// Minutes (staff).
    pub minutes: String,
}

/// One document as the timeline shows it.
#[derive(Debug)]
pub struct DocView {
    /// Heading.
    pub title: String,
    /// Text.
    pub text: String,
    /// When.
    pub at: String,
}

/// One stage of the timeline.
#[derive(Debug)]
pub struct StageView {
    /// Key.
    pub key: &'static str,
    /// Name.
    pub label: String,
    /// `done`, `current`, `pending` or `stopped`.
    pub state: &'static str,
    /// The state in words.
    pub state_label: &'static str,
    /// The body's rule, for meeting stages.
    pub rule: String,
    /// Meetings held at this stage.
    pub meetings: Vec<MeetingView>,
    /// The document published at this stage.
    pub doc: Option<DocView>,
}

/// A comment line.
#[derive(Debug)]
pub struct CommentView {
    /// Id.
    pub id: String,
    /// Author (masked for residents).
    pub author: String,
    /// The author's role title.
    pub role: String,
    /// Written by the user.
    pub mine: bool,
    /// Text.
    pub text: String,
    /// When.
    pub at: String,
    /// The proposal made of it: id and number.
    pub became: Option<(String, String)>,
}

/// A history line (staff).
#[derive(Debug)]
pub struct HistoryLine {
    /// Move name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
}

/// The form of the current stage.
#[derive(Debug)]
pub struct StageForm {
    /// The stage's key.
    pub key: &'static str,
    /// The stage's name.
    pub label: String,
    /// The body's rule in words (meetings).
    pub rule: String,
    /// A meeting (true) or a publication (false).
    pub meeting: bool,
}

/// A fact of the details list.
#[derive(Debug)]
pub struct Fact {
    /// Key for tests.
    pub key: &'static str,
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
    /// Link, or empty.
    pub href: String,
}

/// The proposal page.
#[derive(Template)]
#[template(path = "pages/proposal.html")]
pub struct ProposalPage {
    /// Frame.
    pub chrome: Chrome,
    /// Shared strings.
    pub t: &'static Text,
    /// Deliberation strings.
    pub d: &'static DelibText,
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// What is proposed.
    pub content: String,
    /// Status wire name.
    pub status: &'static str,
    /// Status label.
    pub status_label: String,
    /// Where it stands.
    pub stands: String,
    /// Details.
    pub details: Vec<Fact>,
    /// The procedure's stages.
    pub stages: Vec<StageView>,
    /// Staff see minutes and attendance.
    pub full: bool,
    /// The current stage's form, for those who may act.
    pub form: Option<StageForm>,
    /// The proposer may withdraw it now.
    pub may_withdraw: bool,
    /// Comments.
    pub comments: Vec<CommentView>,
    /// May comment now.
    pub may_comment: bool,
    /// Comments are closed.
    pub closed: bool,
    /// May make a proposal of a comment.
    pub may_propose: bool,
    /// The history (staff).
    pub history: Vec<HistoryLine>,
    /// Refusal, or empty.
    pub error: String,
    /// The move just made, in words.
    pub done: String,
    /// Now as a `datetime-local` value.
    pub now_local: String,
}

fn meeting_view(
    lang: Lang,
    d: &DelibText,
    rec: &ProposalRecord,
    m: &shiyu_storage::deliberation::MeetingRecord,
) -> MeetingView {
    let p = &rec.proposal;
    let then = if m.passed {
        String::new()
    } else {
        match p.procedure.index_of(&m.stage).and_then(|i| p.procedure.stages.get(i)) {
            Some(Stage::Meeting { on_fail: OnFail::Stop, .. }) => d.stopped.to_owned(),
            Some(Stage::Meeting { on_fail: OnFail::Stay, .. }) => d.stays.to_owned(),
            Some(Stage::Meeting { on_fail: OnFail::Return { to }, .. }) => {
                let to = p
                    .procedure
                    .stages
                    .get(*to as usize)
                    .map(|s| stage_label(lang, p.procedure.kind, s))
                    .unwrap_or_default();
                fill(d.returned_to, &[("stage", to)])
            }
            _ => String::new(),
        }
    };
    MeetingView {
        held_at: show(m.held_at),
        attendance: fill(
            d.attendance,
            &[
                ("members", m.members_total.to_string()),
                ("present", m.present.to_string()),
                ("quorum", m.quorum_needed.to_string()),
            ],
        ),
        count: fill(
            d.count,
            &[
                ("for", m.votes.yes.to_string()),
                ("against", m.votes.against.to_string()),
                ("abstain", m.votes.abstain.to_string()),
                ("needed", m.votes_needed.to_string()),
            ],
        ),
        passed: m.passed,
        then,
        attendees: m.attendees.join(text(lang).list_sep),
        observers: m.observers.join(text(lang).list_sep),
        minutes: m.minutes.clone(),
    }
}

fn stage_views(lang: Lang, d: &'static DelibText, rec: &ProposalRecord) -> Vec<StageView> {
    let p = &rec.proposal;
    let at = p.stage as usize;
    let ended = matches!(p.status, ProposalStatus::NotAdopted | ProposalStatus::Withdrawn);
    let resolution = rec.documents.iter().find(|x| x.kind == DocumentKind::Resolution);
    let result = rec.documents.iter().find(|x| x.kind == DocumentKind::Result);
    p.procedure
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (state, state_label) = match i.cmp(&at) {
                std::cmp::Ordering::Less => ("done", d.stage_done),
                std::cmp::Ordering::Equal if ended => ("stopped", d.stage_stopped),
                std::cmp::Ordering::Equal => ("current", d.stage_current),
                std::cmp::Ordering::Greater => ("pending", d.stage_pending),
            };
            let (rule, doc) = match s {
                Stage::Meeting { rules, .. } => (lang.pick(&rules.label_zh(), &rules.label_en()).to_owned(), None),
                Stage::Publication { document } => {
                    let doc = match document {
                        DocumentKind::Resolution => resolution,
                        DocumentKind::Result => result,
                    };
                    (
                        String::new(),
                        doc.map(|x| DocView { title: x.title.clone(), text: x.text.clone(), at: show(x.published_at) }),
                    )
                }
            };
            StageView {
                key: s.key(),
                label: stage_label(lang, p.procedure.kind, s),
                state,
                state_label,
                rule,
                meetings: rec
                    .meetings
                    .iter()
                    .filter(|m| m.stage == s.key())
                    .map(|m| meeting_view(lang, d, rec, m))
                    .collect(),
                doc,
            }
        })
        .collect()
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// The move just made.
    pub done: String,
}

async fn proposal_page(
    state: &AppState,
    auth: &Auth,
    id: &str,
    error: String,
    done: &str,
) -> Result<ProposalPage, ApiError> {
    let lang = auth.lang;
    let d = dtext(lang);
    let rec = state.store.proposal_record(&auth.principal, proposal_id(id)?).await?;
    let p = &rec.proposal;
    let mut names = Names::new(&state.store, lang);
    let mut details = vec![
        Fact { key: "area", label: d.area.into(), value: names.area_path(&p.area).await, href: String::new() },
        Fact {
            key: "procedure",
            label: d.procedure.into(),
            value: lang.pick(p.procedure.kind.label_zh(), p.procedure.kind.label_en()).to_owned(),
            href: String::new(),
        },
        Fact { key: "created", label: d.created.into(), value: show(p.created_at), href: String::new() },
    ];
    if let Some(f) = p.finished_at {
        details.push(Fact { key: "finished", label: d.finished.into(), value: show(f), href: String::new() });
    }
    if !rec.proposer_name.is_empty() {
        details.push(Fact {
            key: "proposer",
            label: d.proposer.into(),
            value: rec.proposer_name.clone(),
            href: String::new(),
        });
    }
    if let Some((case, number)) = &rec.origin_case {
        details.push(Fact {
            key: "origin",
            label: d.from_case.into(),
            value: number.clone(),
            href: format!("/cases/{case}"),
        });
    }
    if let Some((from, number)) = &rec.origin_proposal {
        details.push(Fact {
            key: "origin",
            label: d.from_comment.into(),
            value: number.clone(),
            href: format!("/proposals/{from}#comments"),
        });
    }
    let steers = may(&auth.principal, ProposalAct::Steer, &p.area);
    let open = p.status == ProposalStatus::InProgress;
    let form = match p.current_stage() {
        Some(s) if steers && open => Some(StageForm {
            key: s.key(),
            label: stage_label(lang, p.procedure.kind, s),
            rule: match s {
                Stage::Meeting { rules, .. } => lang.pick(&rules.label_zh(), &rules.label_en()).to_owned(),
                Stage::Publication { .. } => String::new(),
            },
            meeting: matches!(s, Stage::Meeting { .. }),
        }),
        _ => None,
    };
    let comments = rec
        .comments
        .iter()
        .map(|c| CommentView {
            id: c.id.to_string(),
            author: c.author.clone(),
            role: lang.pick(c.author_role.label_zh(), c.author_role.label_en()).to_owned(),
            mine: c.mine,
            text: c.text.clone(),
            at: show(c.at),
            became: c.became.as_ref().map(|(id, n)| (id.to_string(), n.clone())),
        })
        .collect();
    let history = rec
        .events
        .iter()
        .map(|e| {
            let name = match &e.change {
                ProposalChange::Create(_) => "create",
                ProposalChange::Move(mv) => mv.name(),
            };
            let mut label = move_label(lang, name).to_owned();
            let stage = match &e.change {
                ProposalChange::Move(ProposalMove::RecordMeeting { meeting }) => Some(meeting.stage.as_str()),
                ProposalChange::Move(ProposalMove::Publish { publication }) => Some(publication.stage.as_str()),
                _ => None,
            };
            if let Some(s) = stage.and_then(|k| p.procedure.index_of(k)).and_then(|i| p.procedure.stages.get(i)) {
                label = format!("{label}{}", paren(lang, &stage_label(lang, p.procedure.kind, s)));
            }
            HistoryLine { name: name.to_owned(), label, actor: e.actor.name.clone(), at: show(e.at) }
        })
        .collect();
    Ok(ProposalPage {
        chrome: Chrome::for_user(auth, "/proposals"),
        t: text(lang),
        d,
        id: rec.id.to_string(),
        number: p.number.clone(),
        title: p.title.clone(),
        content: p.content.clone(),
        status: p.status.as_str(),
        status_label: status_label(lang, p.status),
        stands: stands(lang, p),
        details,
        stages: stage_views(lang, d, &rec),
        full: rec.full,
        form,
        may_withdraw: steers && open && p.proposer == Some(auth.principal.user_id) && !p.decided(),
        comments,
        may_comment: open && may(&auth.principal, ProposalAct::Comment, &p.area),
        closed: !open,
        may_propose: steers,
        history,
        error,
        done: move_label(lang, done).to_owned(),
        now_local: Utc::now().with_timezone(&SHANGHAI).format("%Y-%m-%dT%H:%M").to_string(),
    })
}

/// `GET /proposals/{id}`.
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    render(&proposal_page(&state, &auth, &id, String::new(), &q.done).await?)
}

/// The JSON body of a move from its form.
fn move_body(name: &str, form: &FormData) -> Result<Value, ApiError> {
    let get = |k: &str| form.get(k).unwrap_or_default().trim().to_owned();
    Ok(match name {
        "record_meeting" => json!({"move": name, "meeting": {
            "stage": get("stage"), "held_at": get("held_at"), "members_total": get("members_total"),
            "attendees": get("attendees"), "observers": get("observers"),
            "votes": {"for": get("votes_for"), "against": get("votes_against"), "abstain": get("votes_abstain")},
            "minutes": get("minutes"),
        }}),
        "publish" => {
            json!({"move": name, "publication": {"stage": get("stage"), "title": get("title"), "text": get("text")}})
        }
        "withdraw" => json!({"move": name, "reason": get("reason")}),
        _ => return Err(ApiError::invalid("move", "unknown_value")),
    })
}

/// `POST /proposals/{id}/moves/{name}`.
pub async fn make_move(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let pid = proposal_id(&id)?;
    let result = async {
        let mv = parse_proposal_move(&move_body(&name, &form)?)?;
        state
            .store
            .apply_proposal_move(&auth.principal, pid, mv, Utc::now())
            .await
            .map_err(|e| ApiError::from(e).for_proposal())
    }
    .await;
    answer_form(
        auth.lang,
        result,
        |_| format!("/proposals/{pid}?done={name}"),
        async |message| proposal_page(&state, &auth, &id, message, "").await,
    )
    .await
}

/// `POST /proposals/{id}/comments`.
pub async fn comment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let pid = proposal_id(&id)?;
    let text = form.get("text").unwrap_or_default().to_owned();
    answer_form(
        auth.lang,
        state.store.comment_on_proposal(&auth.principal, pid, &text, Utc::now()).await.map_err(ApiError::from),
        |_| format!("/proposals/{pid}?done=comment#comments"),
        async |message| proposal_page(&state, &auth, &id, message, "").await,
    )
    .await
}

/// What the case page shows of deliberation: the proposal the case became, or a link to make one.
#[derive(Debug, Clone, Default)]
pub struct CaseLink {
    /// The proposal's id, or empty.
    pub id: String,
    /// Its number.
    pub number: String,
    /// The user may make a proposal of the case.
    pub may: bool,
    /// "Became proposal".
    pub is_label: &'static str,
    /// "Make it a proposal".
    pub to_label: &'static str,
}

/// The case page's deliberation link.
pub async fn case_link(state: &AppState, auth: &Auth, case: CaseId) -> Result<CaseLink, ApiError> {
    let d = dtext(auth.lang);
    let (id, number) = match state.store.proposal_of_case(&auth.principal, case).await? {
        Some((id, n)) => (id.to_string(), n),
        None => (String::new(), String::new()),
    };
    let may = id.is_empty() && steer_root(&auth.principal).is_some();
    Ok(CaseLink { id, number, may, is_label: d.case_is, to_label: d.case_to })
}
