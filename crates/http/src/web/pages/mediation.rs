//! The rest of the dispute pages. `GET|POST /disputes/screenings`: each community's and street's
//! screening rhythm (overdue first) and the form to record a screening with what it found.
//! `GET /disputes/figures`: the dispute figures of an area and its children for a period.
//! `GET /admin/mediation`, `POST /admin/mediation/orgs|mediators`: the registry.

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::response::Response;
use chrono::Utc;
use shiyu_domain::area::AreaLevel;
use shiyu_domain::dispute::access::{DisputeAct, dispute_root};
use shiyu_domain::dispute::{DisputeType, MediationKind, RiskLevel, Tier};
use shiyu_domain::role::Role;
use shiyu_domain::time::local_date;

use super::intake::area_groups;
use crate::api::disputes::{
    FiguresQuery, FiguresRow, NewDisputeBody, NewMediatorBody, NewOrgBody, NewScreeningBody, PartyBody, figures_scope,
};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::forms::FormData;
use crate::web::layout::{Chrome, answer_form, render};
use crate::web::names::Names;
use crate::web::text::{Text, text};
use crate::web::views::{Opt, OptGroup};

/// A line of the screening rhythm.
#[derive(Debug)]
pub struct StatusLine {
    /// Area name.
    pub name: String,
    /// Area code.
    pub code: String,
    /// Weekly or monthly.
    pub rhythm: &'static str,
    /// Last screened, or empty.
    pub last: String,
    /// Missed periods, as text.
    pub missed: Vec<String>,
    /// The current period still needs one.
    pub due_now: bool,
}

/// A recent screening.
#[derive(Debug)]
pub struct ScreeningLine {
    /// Day.
    pub day: String,
    /// Area name.
    pub area: String,
    /// Recorded by.
    pub by: String,
    /// Notes.
    pub notes: String,
    /// Disputes found.
    pub found: i64,
}

/// The screening page.
#[derive(Template)]
#[template(path = "pages/screenings.html")]
pub struct ScreeningsPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Rhythm per area.
    pub status: Vec<StatusLine>,
    /// Recent screenings.
    pub recent: Vec<ScreeningLine>,
    /// May record.
    pub records: bool,
    /// Areas that may be screened.
    pub areas: Vec<OptGroup>,
    /// Refusal of the last submission.
    pub error: String,
    /// Today.
    pub today: String,
    /// Finding choices.
    pub types: Vec<Opt>,
    /// Finding choices.
    pub risks: Vec<Opt>,
    /// Just recorded.
    pub done: bool,
}

async fn screenings_page(state: &AppState, auth: &Auth, error: String, done: bool) -> Result<ScreeningsPage, ApiError> {
    let root = dispute_root(&auth.principal, DisputeAct::Read).ok_or(ApiError::Forbidden)?;
    let lang = auth.lang;
    let t = text(lang);
    let today = local_date(Utc::now());
    let mut names = Names::new(&state.store, lang);
    let status = state
        .store
        .screening_status(&auth.principal, today, 4)
        .await?
        .into_iter()
        .map(|s| StatusLine {
            code: s.area.to_string(),
            name: s.name,
            rhythm: if s.tier == Tier::Village { t.scr_weekly } else { t.scr_monthly },
            last: s.last_held.map(|d| d.to_string()).unwrap_or_default(),
            missed: s.missed.iter().map(|(a, b)| format!("{a}～{b}")).collect(),
            due_now: s.due_now,
        })
        .collect();
    let mut recent = Vec::new();
    for s in state.store.screenings(&auth.principal, 30).await? {
        recent.push(ScreeningLine {
            day: s.held_on.to_string(),
            area: names.area(s.area.as_str()).await,
            by: s.by_name,
            notes: s.notes,
            found: s.found,
        });
    }
    let records = dispute_root(&auth.principal, DisputeAct::Register).is_some();
    let mut areas =
        if records { area_groups(state, &mut names, &root, AreaLevel::Street, "").await? } else { Vec::new() };
    // Only communities and streets are screened.
    for g in &mut areas {
        g.options.retain(|o| {
            shiyu_domain::area::AreaCode::parse(&o.value)
                .is_ok_and(|c| matches!(c.level(), AreaLevel::Community | AreaLevel::Street))
        });
    }
    areas.retain(|g| !g.options.is_empty());
    Ok(ScreeningsPage {
        chrome: Chrome::for_user(auth, "/disputes"),
        t,
        status,
        recent,
        records,
        areas,
        error,
        today: today.to_string(),
        types: DisputeType::ALL
            .iter()
            .map(|v| Opt::new(v.as_str(), lang.pick(v.label_zh(), v.label_en()), ""))
            .collect(),
        risks: RiskLevel::ALL.iter().map(|v| Opt::new(v.as_str(), lang.pick(v.label_zh(), v.label_en()), "")).collect(),
        done,
    })
}

/// `?done=1`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    /// Set after a save.
    pub done: String,
}

/// `GET /disputes/screenings`.
pub async fn screenings(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    render(&screenings_page(&state, &auth, String::new(), !q.done.is_empty()).await?)
}

/// `POST /disputes/screenings`: the screening and, when a finding's title is filled in, one dispute.
pub async fn record_screening(
    State(state): State<AppState>,
    auth: Auth,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let mut body = NewScreeningBody {
        area_code: get("area_code"),
        held_on: get("held_on"),
        participants: get("participants"),
        notes: get("notes"),
        findings: Vec::new(),
    };
    if !get("f_title").trim().is_empty() {
        let party = |i: u8| PartyBody {
            role: if i == 0 { "applicant".into() } else { "respondent".into() },
            kind: "person".into(),
            name: get(&format!("f_party{i}")),
            ..PartyBody::default()
        };
        body.findings.push(NewDisputeBody {
            title: get("f_title"),
            facts: get("f_facts"),
            dispute_type: get("f_type"),
            risk: get("f_risk"),
            source: "screening".into(),
            area_code: get("f_area"),
            money_yuan: get("f_money"),
            parties: vec![party(0), party(1)],
            ..NewDisputeBody::default()
        });
    }
    let result = async {
        let ns = body.parse()?;
        Ok::<_, ApiError>(state.store.record_screening(&auth.principal, ns, Utc::now()).await?)
    }
    .await;
    let done = |(_, found): (_, Vec<_>)| match found.first() {
        Some(id) => format!("/disputes/{id}?done=register"),
        None => "/disputes/screenings?done=1".to_owned(),
    };
    answer_form(auth.lang, result, done, async |message| screenings_page(&state, &auth, message, false).await).await
}

/// A figures line with its area's name and the numbers as text.
#[derive(Debug)]
pub struct FigureLine {
    /// Area name.
    pub name: String,
    /// Area code (drill-down link).
    pub code: String,
    /// Figures.
    pub row: FiguresRow,
    /// Shares at village, township, county.
    pub shares: Vec<String>,
    /// Money in yuan.
    pub money: String,
}

/// The figures page.
#[derive(Template)]
#[template(path = "pages/dispute_figures.html")]
pub struct FiguresPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// The area's line.
    pub total: FigureLine,
    /// Children.
    pub children: Vec<FigureLine>,
    /// Period.
    pub from: String,
    /// Period.
    pub to: String,
    /// Area code.
    pub area: String,
}

fn line(name: String, row: FiguresRow) -> FigureLine {
    let shares = row.tier_share_permille.iter().map(|(_, p)| shiyu_domain::stats::disputes::percent(*p)).collect();
    FigureLine { money: shiyu_domain::dispute::Fen(row.money_fen).yuan(), code: row.area.clone(), name, shares, row }
}

/// `GET /disputes/figures`.
pub async fn figures(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    let (area, from, to) = figures_scope(&auth, &q)?;
    let mut names = Names::new(&state.store, auth.lang);
    let total = state.store.dispute_figures(&area, from, to).await?;
    let mut children = Vec::new();
    for (code, f) in state.store.dispute_figures_by_child(&area, from, to).await? {
        let name = names.area(&code).await;
        children.push(line(name, FiguresRow::of(code, &f)));
    }
    render(&FiguresPage {
        chrome: Chrome::for_user(
            &auth,
            if auth.user.role == Role::Analyst { "/disputes/figures" } else { "/disputes" },
        ),
        t: text(auth.lang),
        total: line(names.area(area.as_str()).await, FiguresRow::of(area.to_string(), &total)),
        children,
        from: from.to_string(),
        to: to.to_string(),
        area: area.to_string(),
    })
}

/// An organisation line of the registry.
#[derive(Debug)]
pub struct OrgLine {
    /// Name.
    pub name: String,
    /// Area name.
    pub area: String,
    /// Tier label.
    pub tier: String,
    /// Kind label.
    pub kind: String,
    /// Specialities.
    pub specialities: String,
    /// Phone.
    pub phone: String,
    /// Its mediators' names.
    pub mediators: String,
}

/// The registry page.
#[derive(Template)]
#[template(path = "pages/admin_mediation.html")]
pub struct RegistryPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Organisations.
    pub orgs: Vec<OrgLine>,
    /// Organisation choices.
    pub org_options: Vec<Opt>,
    /// Kind choices.
    pub kinds: Vec<Opt>,
    /// Area choices.
    pub areas: Vec<OptGroup>,
    /// Mediator accounts without a registry entry yet.
    pub users: Vec<Opt>,
    /// Refusal.
    pub error: String,
}

async fn registry_page(state: &AppState, auth: &Auth, error: String) -> Result<RegistryPage, ApiError> {
    let root = dispute_root(&auth.principal, DisputeAct::Registry).ok_or(ApiError::Forbidden)?;
    let lang = auth.lang;
    let mut names = Names::new(&state.store, lang);
    let orgs = state.store.mediation_orgs(&root).await?;
    let mediators = state.store.mediators(&root).await?;
    let mut lines = Vec::new();
    for o in &orgs {
        lines.push(OrgLine {
            name: o.name.clone(),
            area: names.area_path(&o.area).await,
            tier: lang.pick(o.tier.label_zh(), o.tier.label_en()).to_owned(),
            kind: lang.pick(o.kind.label_zh(), o.kind.label_en()).to_owned(),
            specialities: o.specialities.clone(),
            phone: o.phone.clone(),
            mediators: mediators
                .iter()
                .filter(|m| m.org == o.id)
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
        });
    }
    let taken: Vec<_> = mediators.iter().filter_map(|m| m.user).collect();
    let users = state
        .store
        .users_within(&root)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Mediator && !taken.contains(&u.id))
        .map(|u| Opt::new(u.id.to_string(), format!("{}（{}）", u.name, u.username), ""))
        .collect();
    let mut areas = area_groups(state, &mut names, &root, AreaLevel::District, "").await?;
    for g in &mut areas {
        g.options
            .retain(|o| shiyu_domain::area::AreaCode::parse(&o.value).is_ok_and(|c| c.level() <= AreaLevel::Community));
    }
    areas.retain(|g| !g.options.is_empty());
    Ok(RegistryPage {
        chrome: Chrome::for_user(auth, "/admin/mediation"),
        t: text(lang),
        orgs: lines,
        org_options: orgs.iter().map(|o| Opt::new(o.id.to_string(), o.name.clone(), "")).collect(),
        kinds: MediationKind::ALL
            .iter()
            .map(|k| Opt::new(k.as_str(), lang.pick(k.label_zh(), k.label_en()), "peoples"))
            .collect(),
        areas,
        users,
        error,
    })
}

/// `GET /admin/mediation`.
pub async fn registry(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    render(&registry_page(&state, &auth, String::new()).await?)
}

async fn registry_result(state: &AppState, auth: &Auth, r: Result<(), ApiError>) -> Result<Response, ApiError> {
    answer_form(
        auth.lang,
        r,
        |()| "/admin/mediation".to_owned(),
        async |message| registry_page(state, auth, message).await,
    )
    .await
}

/// `POST /admin/mediation/orgs`.
pub async fn add_org(State(state): State<AppState>, auth: Auth, RawForm(raw): RawForm) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let body = NewOrgBody {
        name: get("name"),
        area_code: get("area_code"),
        kind: get("kind"),
        specialities: get("specialities"),
        phone: get("phone"),
    };
    let r = crate::api::disputes::create_org(State(state.clone()), auth.clone(), axum::Json(body)).await.map(|_| ());
    registry_result(&state, &auth, r).await
}

/// `POST /admin/mediation/mediators`.
pub async fn add_mediator(
    State(state): State<AppState>,
    auth: Auth,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let body = NewMediatorBody {
        org: get("org"),
        name: get("name"),
        user_id: get("user_id"),
        specialities: get("specialities"),
    };
    let r =
        crate::api::disputes::create_mediator(State(state.clone()), auth.clone(), axum::Json(body)).await.map(|_| ());
    registry_result(&state, &auth, r).await
}
