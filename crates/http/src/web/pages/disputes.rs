//! Dispute pages for mediators and the centre. `GET /disputes`: the desk — my disputes, sessions
//! due, escalations waiting, agreement follow-ups, all. `GET|POST /disputes/new`: register (also
//! from a case: `?case=ID`). `GET /disputes/{id}`: the dispute with its whole history and a form
//! per move the user may make now; `POST /disputes/{id}/moves/{name}`. `GET
//! /disputes/{id}/agreement?format=html|pdf|docx`: the agreement document.
//!
//! Forms become the same JSON bodies the API takes and go through the same parsers, so the
//! browser and the API name bad fields alike.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use shiyu_domain::area::AreaLevel;
use shiyu_domain::dispute::access::{DisputeAct, dispute_root, may};
use shiyu_domain::dispute::{
    DisputeChange, DisputeMove, DisputeState, DisputeType, FollowUpResult, MediationKind, PartyKind, PartyRole,
    Referral, RiskLevel, SessionMethod, SessionOutcome, Source, Tier,
};
use shiyu_domain::time::{local_date, show};
use shiyu_storage::disputes::{DisputeList, DisputeRecord};

use super::intake::area_groups;
use crate::api::disputes::{NewDisputeBody, PartyBody, dispute_id, parse_dispute_move};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::forms::FormData;
use crate::web::layout::{Chrome, answer_form, render};
use crate::web::names::Names;
use crate::web::text::{Text, text};
use crate::web::views::{Opt, OptGroup};

/// Choices of a closed vocabulary, labelled in the user's language.
macro_rules! options {
    ($ty:ty, $lang:expr, $current:expr) => {
        <$ty>::ALL
            .iter()
            .map(|v| Opt::new(v.as_str(), $lang.pick(v.label_zh(), v.label_en()), $current))
            .collect::<Vec<Opt>>()
    };
}

fn label<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    lang.pick(zh, en)
}

/// A dispute line of the desk.
#[derive(Debug)]
pub struct DisputeRow {
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Type label.
    pub dtype: String,
    /// Risk wire name (for the badge colour).
    pub risk: &'static str,
    /// Risk label.
    pub risk_label: String,
    /// State wire name.
    pub state: &'static str,
    /// State label.
    pub state_label: String,
    /// Tier label.
    pub tier: String,
    /// Area name.
    pub area: String,
    /// What is due by when.
    pub due: String,
    /// Past due.
    pub overdue: bool,
}

/// A tab of the desk.
#[derive(Debug)]
pub struct Tab {
    /// `?list=` value.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Lines in it.
    pub count: usize,
    /// Shown now.
    pub active: bool,
}

/// The desk.
#[derive(Template)]
#[template(path = "pages/disputes.html")]
pub struct DesksPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Tabs with counts.
    pub tabs: Vec<Tab>,
    /// The active tab's lines.
    pub rows: Vec<DisputeRow>,
    /// May register.
    pub registers: bool,
}

/// `?list=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeskQuery {
    /// Which tab.
    pub list: String,
}

fn state_label(lang: Lang, s: DisputeState) -> String {
    lang.pick(s.label_zh(), s.label_en()).to_owned()
}

/// `GET /disputes`.
pub async fn desk(State(state): State<AppState>, auth: Auth, Query(q): Query<DeskQuery>) -> Result<Response, ApiError> {
    if dispute_root(&auth.principal, DisputeAct::Read).is_none() {
        return Err(ApiError::Forbidden);
    }
    let t = text(auth.lang);
    let today = local_date(Utc::now());
    let mediates = dispute_root(&auth.principal, DisputeAct::Mediate).is_some();
    let mut tabs = Vec::new();
    let specs: [(&'static str, &'static str, DisputeList, bool); 5] = [
        ("mine", t.dsp_mine, DisputeList::Mine, auth.user.role == shiyu_domain::role::Role::Mediator),
        ("sessions_due", t.dsp_sessions_due, DisputeList::SessionsDue(today), mediates),
        (
            "escalations",
            t.dsp_escalations,
            DisputeList::EscalationsWaiting,
            dispute_root(&auth.principal, DisputeAct::Steer).is_some(),
        ),
        ("follow_ups", t.dsp_follow_ups, DisputeList::FollowUpsDue(today), mediates),
        ("all", t.dsp_all, DisputeList::All, true),
    ];
    let first = specs.iter().find(|s| s.3).map_or("all", |s| s.0);
    let current = if specs.iter().any(|s| s.3 && s.0 == q.list) { q.list.as_str() } else { first };
    let mut rows = Vec::new();
    let mut names = Names::new(&state.store, auth.lang);
    for (key, tab_label, list, shown) in specs {
        if !shown {
            continue;
        }
        let items = state.store.disputes(&auth.principal, &list, 200).await?;
        if key == current {
            for s in &items {
                let d = &s.dispute;
                let (due, overdue) = match (d.session_due, d.follow_up_due) {
                    (Some(day), _) if matches!(d.state, DisputeState::Registered | DisputeState::Mediating) => {
                        (format!("{} {day}", t.dsp_session_due), day < today)
                    }
                    (_, Some(day)) if d.state == DisputeState::Agreed => {
                        (format!("{} {day}", t.dsp_follow_up_due), day < today)
                    }
                    _ => (String::new(), false),
                };
                rows.push(DisputeRow {
                    id: s.id.to_string(),
                    number: d.number.clone(),
                    title: d.title.clone(),
                    dtype: label(auth.lang, d.dispute_type.label_zh(), d.dispute_type.label_en()).to_owned(),
                    risk: d.risk.as_str(),
                    risk_label: label(auth.lang, d.risk.label_zh(), d.risk.label_en()).to_owned(),
                    state: d.state.as_str(),
                    state_label: state_label(auth.lang, d.state),
                    tier: label(auth.lang, d.tier.label_zh(), d.tier.label_en()).to_owned(),
                    area: names.area(d.area.as_str()).await,
                    due,
                    overdue,
                });
            }
        }
        tabs.push(Tab { key, label: tab_label, count: items.len(), active: key == current });
    }
    render(&DesksPage {
        chrome: Chrome::for_user(&auth, "/disputes"),
        t,
        tabs,
        rows,
        registers: dispute_root(&auth.principal, DisputeAct::Register).is_some(),
    })
}

/// One party row of the form.
#[derive(Debug, Clone)]
pub struct PartyRow {
    /// Index.
    pub i: usize,
    /// Side choices.
    pub roles: Vec<Opt>,
    /// Kind choices.
    pub kinds: Vec<Opt>,
    /// Typed values.
    pub v: PartyBody,
}

/// A tickable choice.
#[derive(Debug, Clone)]
pub struct Check {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// The registration form.
#[derive(Template)]
#[template(path = "pages/dispute_new.html")]
pub struct NewPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Refusal, or empty.
    pub error: String,
    /// Typed values.
    pub v: NewDisputeBody,
    /// Choices.
    pub types: Vec<Opt>,
    /// Choices.
    pub risks: Vec<Opt>,
    /// Choices.
    pub sources: Vec<Opt>,
    /// Choices.
    pub tiers: Vec<Opt>,
    /// Choices.
    pub kinds: Vec<Opt>,
    /// Areas.
    pub areas: Vec<OptGroup>,
    /// Organisations.
    pub orgs: Vec<Opt>,
    /// Mediators.
    pub mediators: Vec<Check>,
    /// Party rows.
    pub parties: Vec<PartyRow>,
    /// The case, when turning one into a dispute: its number and title.
    pub case_label: String,
}

async fn new_page(state: &AppState, auth: &Auth, mut v: NewDisputeBody, error: String) -> Result<NewPage, ApiError> {
    let root = dispute_root(&auth.principal, DisputeAct::Register).ok_or(ApiError::Forbidden)?;
    let lang = auth.lang;
    let t = text(lang);
    let mut names = Names::new(&state.store, lang);
    let lowest = if root.level() >= AreaLevel::Grid { AreaLevel::Grid } else { AreaLevel::Community };
    let areas = area_groups(state, &mut names, &root, lowest, &v.area_code).await?;
    let orgs = state
        .store
        .mediation_orgs(&root)
        .await?
        .into_iter()
        .map(|o| {
            Opt::new(
                o.id.to_string(),
                format!("{}（{}）", o.name, label(lang, o.tier.label_zh(), o.tier.label_en())),
                &v.org,
            )
        })
        .collect();
    let mediators = state
        .store
        .mediators(&root)
        .await?
        .into_iter()
        .map(|m| Check { checked: v.mediators.contains(&m.id.to_string()), value: m.id.to_string(), label: m.name })
        .collect();
    let mut case_label = String::new();
    if let Ok(case) = shiyu_domain::ids::CaseId::parse(v.case_id.trim())
        && let Ok(r) = state.store.case_record(&auth.scope(), case).await
    {
        case_label = format!("{} {}", r.case.number, r.case.title);
        if v.title.is_empty() {
            v.title = r.case.title.clone();
            v.facts = r.case.text.clone();
            v.source = "case".into();
        }
    }
    while v.parties.len() < 3 {
        let role = if v.parties.is_empty() { "applicant" } else { "respondent" };
        v.parties.push(PartyBody { role: role.into(), kind: "person".into(), ..PartyBody::default() });
    }
    let parties = v
        .parties
        .iter()
        .enumerate()
        .map(|(i, p)| PartyRow {
            i,
            roles: options!(PartyRole, lang, &p.role),
            kinds: options!(PartyKind, lang, &p.kind),
            v: p.clone(),
        })
        .collect();
    Ok(NewPage {
        chrome: Chrome::for_user(auth, "/disputes"),
        t,
        error,
        types: options!(DisputeType, lang, &v.dispute_type),
        risks: options!(RiskLevel, lang, &v.risk),
        sources: options!(Source, lang, &v.source),
        tiers: options!(Tier, lang, &v.tier),
        kinds: options!(MediationKind, lang, &v.mediation_kind),
        areas,
        orgs,
        mediators,
        parties,
        case_label,
        v,
    })
}

/// `?case=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    /// The case to turn into a dispute.
    pub case: String,
}

/// `GET /disputes/new`.
pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, ApiError> {
    let v = NewDisputeBody {
        case_id: q.case,
        risk: "blue".into(),
        source: "application".into(),
        mediation_kind: "peoples".into(),
        ..NewDisputeBody::default()
    };
    render(&new_page(&state, &auth, v, String::new()).await?)
}

fn body_of(form: &FormData) -> NewDisputeBody {
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let mut parties = Vec::new();
    for i in 0..10 {
        let f = |k: &str| form.get(&format!("party{i}_{k}")).unwrap_or_default().to_owned();
        if form.get(&format!("party{i}_name")).is_none() {
            break;
        }
        parties.push(PartyBody {
            role: f("role"),
            kind: f("kind"),
            name: f("name"),
            identifier: f("identifier"),
            phone: f("phone"),
            address: f("address"),
            // A typed identity number or credit code on file links the party to base data.
            base_id: String::new(),
        });
    }
    NewDisputeBody {
        title: get("title"),
        facts: get("facts"),
        dispute_type: get("dispute_type"),
        risk: get("risk"),
        source: get("source"),
        area_code: get("area_code"),
        tier: get("tier"),
        money_yuan: get("money_yuan"),
        parties,
        mediation_kind: get("mediation_kind"),
        org: get("org"),
        mediators: form.all("mediators").into_iter().map(str::to_owned).collect(),
        case_id: get("case_id"),
        screening_id: String::new(),
        court_ref: get("court_ref"),
    }
}

/// `POST /disputes/new`.
pub async fn create(State(state): State<AppState>, auth: Auth, RawForm(raw): RawForm) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let v = body_of(&form);
    let result = async {
        let nd = v.parse()?;
        Ok::<_, ApiError>(state.store.register_dispute(&auth.principal, nd, Utc::now()).await?)
    }
    .await;
    answer_form(
        auth.lang,
        result,
        |id| format!("/disputes/{id}?done=register"),
        async |message| new_page(&state, &auth, v, message).await,
    )
    .await
}

/// A label and value of the details list.
#[derive(Debug)]
pub struct Fact {
    /// Key for tests and styles.
    pub key: &'static str,
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
    /// Link, or empty.
    pub href: String,
}

/// One history entry.
#[derive(Debug)]
pub struct TimelineEntry {
    /// Move name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
    /// Lines.
    pub details: Vec<String>,
}

/// A party line.
#[derive(Debug)]
pub struct PartyLine {
    /// Side.
    pub role: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Masked identifier.
    pub id_masked: String,
    /// Masked phone.
    pub phone_masked: String,
    /// Address.
    pub address: String,
    /// Linked to a base-data record.
    pub from_base: bool,
}

/// The forms the user may submit now.
#[derive(Debug, Default)]
pub struct MoveForms {
    /// Record a session.
    pub session: bool,
    /// Assign.
    pub assign: bool,
    /// Escalate.
    pub escalate: bool,
    /// Refer.
    pub refer: bool,
    /// Follow up.
    pub follow_up: bool,
    /// Close.
    pub close: bool,
}

impl MoveForms {
    /// Whether there is any.
    pub fn any(&self) -> bool {
        self.session || self.assign || self.escalate || self.refer || self.follow_up || self.close
    }
}

/// The dispute page.
#[derive(Template)]
#[template(path = "pages/dispute.html")]
pub struct DisputePage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// State wire name.
    pub state: &'static str,
    /// State label.
    pub state_label: String,
    /// Risk wire name.
    pub risk: &'static str,
    /// Risk label.
    pub risk_label: String,
    /// Tier label.
    pub tier: String,
    /// Facts text.
    pub facts: String,
    /// Details.
    pub details: Vec<Fact>,
    /// Parties.
    pub parties: Vec<PartyLine>,
    /// History.
    pub timeline: Vec<TimelineEntry>,
    /// Available forms.
    pub forms: MoveForms,
    /// Error of the last submission.
    pub error: String,
    /// What was just done.
    pub done: String,
    /// Today (form default).
    pub today: String,
    /// Choices.
    pub methods: Vec<Opt>,
    /// Choices.
    pub outcomes: Vec<Opt>,
    /// Choices.
    pub referrals: Vec<Opt>,
    /// Choices.
    pub results: Vec<Opt>,
    /// Organisations serving the current tier.
    pub orgs: Vec<Opt>,
    /// Mediators serving the current tier.
    pub mediators: Vec<Check>,
    /// Parties to tick as present.
    pub present: Vec<Check>,
    /// Whether an agreement exists (document links shown).
    pub has_agreement: bool,
}

/// The label of a dispute move by wire name.
fn dispute_move_label(t: &Text, name: &str) -> &'static str {
    match name {
        "record_session" => t.dsp_session,
        "assign" => t.dsp_assign,
        "escalate" => t.dsp_escalate,
        "refer" => t.dsp_refer,
        "follow_up" => t.dsp_follow_up,
        "close" => t.dsp_close,
        _ => t.dsp_registered,
    }
}

fn move_label(t: &Text, change: &DisputeChange) -> (String, String) {
    match change {
        DisputeChange::Register(_) => ("register".into(), t.dsp_registered.into()),
        DisputeChange::Move(mv) if matches!(mv, DisputeMove::RecordSession { .. }) => {
            (mv.name().into(), t.dsp_session_n.into())
        }
        DisputeChange::Move(mv) => (mv.name().into(), dispute_move_label(t, mv.name()).into()),
    }
}

fn timeline(lang: Lang, t: &Text, rec: &DisputeRecord) -> Vec<TimelineEntry> {
    let p = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let mut tier = rec.events.first().and_then(|e| match &e.change {
        DisputeChange::Register(i) => Some(i.tier),
        DisputeChange::Move(_) => None,
    });
    let mut out = Vec::with_capacity(rec.events.len());
    for e in &rec.events {
        let (name, mut lbl) = move_label(t, &e.change);
        let mut details = Vec::new();
        match &e.change {
            DisputeChange::Register(i) => {
                details.push(format!("{}{}{}", t.dsp_f_source, t.colon, p(i.source.label_zh(), i.source.label_en())));
                details.push(format!("{}{}{}", t.dsp_col_tier, t.colon, p(i.tier.label_zh(), i.tier.label_en())));
                if let Some(n) = &e.effects.number {
                    details.push(n.clone());
                }
            }
            DisputeChange::Move(mv) => match mv {
                DisputeMove::RecordSession { session: s } => {
                    if let Some(tr) = tier {
                        lbl = format!("{lbl}（{}）", p(tr.label_zh(), tr.label_en()));
                    }
                    details.push(format!(
                        "{}{}{} · {}",
                        t.dsp_f_held_on,
                        t.colon,
                        s.held_on,
                        p(s.method.label_zh(), s.method.label_en())
                    ));
                    let ms: Vec<&str> = s.mediators.iter().map(|m| m.name.as_str()).collect();
                    details.push(format!("{}{}{}", t.dsp_f_mediators, t.colon, ms.join(t.list_sep)));
                    details.push(format!("{}{}{}", t.dsp_f_present, t.colon, s.parties_present.join(t.list_sep)));
                    details.push(s.notes.clone());
                    details.push(format!(
                        "{}{}{}",
                        t.dsp_f_outcome,
                        t.colon,
                        p(s.outcome.label_zh(), s.outcome.label_en())
                    ));
                    for (i, term) in s.terms.iter().enumerate() {
                        details.push(format!("{}. {term}", i + 1));
                    }
                    if let Some(perf) = &s.performance {
                        details.push(perf.clone());
                    }
                }
                DisputeMove::Assign { org, mediators } => {
                    let ms: Vec<&str> = mediators.iter().map(|m| m.name.as_str()).collect();
                    details.push(format!("{} · {}", org.name, ms.join(t.list_sep)));
                }
                DisputeMove::Escalate { reason } => {
                    tier = tier.and_then(Tier::up);
                    if let Some(tr) = tier {
                        details.push(format!("→ {}", p(tr.label_zh(), tr.label_en())));
                    }
                    details.push(reason.clone());
                }
                DisputeMove::Refer { to, reason } => {
                    details.push(p(to.label_zh(), to.label_en()));
                    details.push(reason.clone());
                }
                DisputeMove::FollowUp { visit } => {
                    details.push(format!(
                        "{} · {}",
                        visit.visited_on,
                        p(visit.result.label_zh(), visit.result.label_en())
                    ));
                    details.push(visit.notes.clone());
                }
                DisputeMove::Close { reason } => details.push(reason.clone()),
            },
        }
        out.push(TimelineEntry { name, label: lbl, actor: e.actor.name.clone(), at: show(e.at), details });
    }
    out
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// The move just made.
    pub done: String,
}

async fn dispute_page(
    state: &AppState,
    auth: &Auth,
    id: &str,
    error: String,
    done: &str,
) -> Result<DisputePage, ApiError> {
    let lang = auth.lang;
    let t = text(lang);
    let rec = state.store.dispute_record(&auth.principal, dispute_id(id)?).await?;
    let d = &rec.dispute;
    let p = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let mut names = Names::new(&state.store, lang);
    let mut details = vec![
        Fact {
            key: "type",
            label: t.dsp_f_type.into(),
            value: p(d.dispute_type.label_zh(), d.dispute_type.label_en()),
            href: String::new(),
        },
        Fact {
            key: "source",
            label: t.dsp_f_source.into(),
            value: p(d.source.label_zh(), d.source.label_en()),
            href: String::new(),
        },
        Fact { key: "area", label: t.dsp_f_area.into(), value: names.area_path(&d.area).await, href: String::new() },
        Fact {
            key: "kind",
            label: t.dsp_f_kind.into(),
            value: p(d.mediation_kind.label_zh(), d.mediation_kind.label_en()),
            href: String::new(),
        },
        Fact { key: "money", label: t.dsp_f_money.into(), value: d.money.yuan(), href: String::new() },
        Fact {
            key: "org",
            label: t.dsp_f_org.into(),
            value: d.org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
            href: String::new(),
        },
        Fact {
            key: "mediators",
            label: t.dsp_f_mediators.into(),
            value: d.mediators.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(t.list_sep),
            href: String::new(),
        },
        Fact {
            key: "attempts",
            label: t.dsp_attempts.into(),
            value: d.attempts_at_tier.to_string(),
            href: String::new(),
        },
        Fact {
            key: "sessions",
            label: t.dsp_sessions_total.into(),
            value: d.sessions.to_string(),
            href: String::new(),
        },
    ];
    if let Some(day) = d.session_due {
        details.push(Fact {
            key: "session_due",
            label: t.dsp_session_due.into(),
            value: day.to_string(),
            href: String::new(),
        });
    }
    if let Some(day) = d.follow_up_due {
        details.push(Fact {
            key: "follow_up_due",
            label: t.dsp_follow_up_due.into(),
            value: day.to_string(),
            href: String::new(),
        });
    }
    if let Some(to) = d.referred_to {
        details.push(Fact {
            key: "referred",
            label: t.dsp_referred_to.into(),
            value: p(to.label_zh(), to.label_en()),
            href: String::new(),
        });
    }
    if let Some((case, number)) = &rec.case {
        details.push(Fact {
            key: "case",
            label: t.dsp_from_case.into(),
            value: number.clone(),
            href: format!("/cases/{case}"),
        });
    }
    if let Some(n) = &d.agreement_number {
        details.push(Fact { key: "agreement", label: t.dsp_agreement.into(), value: n.clone(), href: String::new() });
    }
    let open = matches!(d.state, DisputeState::Registered | DisputeState::Mediating);
    let mediates = may(&auth.principal, DisputeAct::Mediate, &d.area, &d.tier_area);
    let steers = may(&auth.principal, DisputeAct::Steer, &d.area, &d.tier_area);
    let forms = MoveForms {
        session: mediates && open,
        assign: steers && open,
        escalate: steers && open && d.tier.up().is_some(),
        refer: steers && open,
        follow_up: mediates && d.state == DisputeState::Agreed,
        close: steers && open,
    };
    let (orgs, mediators) = if forms.any() {
        let current_org = d.org.as_ref().map(|o| o.id.to_string()).unwrap_or_default();
        let orgs = state
            .store
            .mediation_orgs(&d.tier_area)
            .await?
            .into_iter()
            .filter(|o| o.tier == d.tier)
            .map(|o| Opt::new(o.id.to_string(), o.name, &current_org))
            .collect();
        let mediators = state
            .store
            .mediators(&d.tier_area)
            .await?
            .into_iter()
            .map(|m| Check {
                checked: d.mediators.iter().any(|x| x.id == m.id),
                value: m.id.to_string(),
                label: m.name,
            })
            .collect();
        (orgs, mediators)
    } else {
        (Vec::new(), Vec::new())
    };
    let present =
        rec.parties.iter().map(|p| Check { value: p.name.clone(), label: p.name.clone(), checked: true }).collect();
    Ok(DisputePage {
        chrome: Chrome::for_user(auth, "/disputes"),
        t,
        id: rec.id.to_string(),
        number: d.number.clone(),
        title: d.title.clone(),
        state: d.state.as_str(),
        state_label: state_label(lang, d.state),
        risk: d.risk.as_str(),
        risk_label: p(d.risk.label_zh(), d.risk.label_en()),
        tier: p(d.tier.label_zh(), d.tier.label_en()),
        facts: rec.facts.clone(),
        details,
        parties: rec
            .parties
            .iter()
            .map(|x| PartyLine {
                role: p(x.role.label_zh(), x.role.label_en()),
                kind: p(x.kind.label_zh(), x.kind.label_en()),
                name: x.name.clone(),
                id_masked: x.id_masked.clone().unwrap_or_default(),
                phone_masked: x.phone_masked.clone().unwrap_or_default(),
                address: x.address.clone().unwrap_or_default(),
                from_base: x.from_base,
            })
            .collect(),
        timeline: timeline(lang, t, &rec),
        forms,
        error,
        done: match done {
            "" => String::new(),
            "register" => t.dsp_registered.into(),
            other => dispute_move_label(t, other).to_owned(),
        },
        today: local_date(Utc::now()).to_string(),
        methods: options!(SessionMethod, lang, "in_person"),
        outcomes: options!(SessionOutcome, lang, ""),
        referrals: options!(Referral, lang, ""),
        results: options!(FollowUpResult, lang, ""),
        orgs,
        mediators,
        present,
        has_agreement: d.agreement_number.is_some(),
    })
}

/// `GET /disputes/{id}`.
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    render(&dispute_page(&state, &auth, &id, String::new(), &q.done).await?)
}

fn day(form: &FormData, field: &'static str, required: bool) -> Result<Option<String>, ApiError> {
    match form.get(field).map(str::trim).unwrap_or_default() {
        "" if required => Err(ApiError::invalid(field, "required")),
        "" => Ok(None),
        s => s.parse::<NaiveDate>().map(|d| Some(d.to_string())).map_err(|_| ApiError::invalid(field, "malformed")),
    }
}

/// The JSON body of a move from its form.
fn move_body(name: &str, form: &FormData) -> Result<Value, ApiError> {
    let get = |k: &str| form.get(k).unwrap_or_default().trim().to_owned();
    let ids = |k: &str| -> Vec<Value> { form.all(k).into_iter().map(|id| json!({"id": id})).collect() };
    Ok(match name {
        "record_session" => {
            let terms: Vec<String> =
                get("terms").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
            let performance = Some(get("performance")).filter(|s| !s.is_empty());
            if get("outcome").is_empty() {
                return Err(ApiError::invalid("session_outcome", "required"));
            }
            json!({"move": name, "session": {
                "held_on": day(form, "held_on", true)?, "method": get("method"), "mediators": ids("mediators"),
                "parties_present": form.all("present"), "notes": get("notes"), "outcome": get("outcome"),
                "terms": terms, "performance": performance, "next_on": day(form, "next_on", false)?,
            }})
        }
        "assign" => {
            if get("org").is_empty() {
                return Err(ApiError::invalid("org", "required"));
            }
            json!({"move": name, "org": {"id": get("org")}, "mediators": ids("mediators")})
        }
        "escalate" | "close" => json!({"move": name, "reason": get("reason")}),
        "refer" => json!({"move": name, "to": get("to"), "reason": get("reason")}),
        "follow_up" => {
            if get("result").is_empty() {
                return Err(ApiError::invalid("follow_up", "required"));
            }
            json!({"move": name, "visit": {"visited_on": day(form, "visited_on", true)?, "result": get("result"), "notes": get("notes")}})
        }
        _ => return Err(ApiError::invalid("move", "unknown_value")),
    })
}

/// `POST /disputes/{id}/moves/{name}`.
pub async fn make_move(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let did = dispute_id(&id)?;
    let result = async {
        let mv = parse_dispute_move(move_body(&name, &form)?)?;
        state
            .store
            .apply_dispute_move(&auth.principal, did, mv, Utc::now())
            .await
            .map_err(|e| ApiError::from(e).for_dispute())
    }
    .await;
    answer_form(
        auth.lang,
        result,
        |_| format!("/disputes/{id}?done={name}"),
        async |message| dispute_page(&state, &auth, &id, message, "").await,
    )
    .await
}

/// Used by the case page: the dispute a case became, and whether the user may turn it into one.
pub async fn case_link(
    state: &AppState,
    auth: &Auth,
    case: shiyu_domain::ids::CaseId,
) -> Result<(String, String, bool), ApiError> {
    Ok(match state.store.dispute_of_case(&auth.principal, case).await? {
        Some((id, number)) => (id.to_string(), number, false),
        None => (String::new(), String::new(), dispute_root(&auth.principal, DisputeAct::Register).is_some()),
    })
}
