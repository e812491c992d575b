//! Dispute routes: registration, lists, one dispute with its history, moves, the agreement
//! document, figures, screenings and the mediation registry.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::Phone;
use shiyu_domain::dispute::access::{DisputeAct, dispute_root};
use shiyu_domain::dispute::{
    DisputeMove, DisputeType, Fen, MediationKind, NewParty, PartyKind, PartyRole, RiskLevel, Source, Tier,
};
use shiyu_domain::ids::{CaseId, DisputeId, MediationOrgId, MediatorId, ScreeningId, UserId};
use shiyu_domain::stats::disputes::{DisputeMetric, percent};
use shiyu_domain::time::local_date;
use shiyu_storage::disputes::registry::{MediationOrg, Mediator, NewMediationOrg};
use shiyu_storage::disputes::screenings::{NewScreening, ScreeningStatus};
use shiyu_storage::disputes::{DisputeList, DisputeRecord, DisputeSummary, NewDispute};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// A party as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PartyBody {
    /// `applicant`, `respondent` or `other`.
    pub role: String,
    /// `person` or `entity`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Identity number or credit code.
    pub identifier: String,
    /// Phone.
    pub phone: String,
    /// Address.
    pub address: String,
    /// A resident's or legal entity's base-data id: the party is taken from that record.
    pub base_id: String,
}

impl PartyBody {
    /// Whether the row was left blank (forms carry spare rows).
    pub fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.identifier.trim().is_empty()
            && self.phone.trim().is_empty()
            && self.base_id.trim().is_empty()
    }

    fn parse(&self) -> Result<NewParty, ApiError> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(NewParty {
            role: if self.role.is_empty() { PartyRole::Other } else { PartyRole::parse(&self.role)? },
            kind: if self.kind.is_empty() { PartyKind::Person } else { PartyKind::parse(&self.kind)? },
            name: self.name.clone(),
            identifier: some(&self.identifier),
            phone: some(&self.phone).map(|p| Phone::parse(&p)).transpose()?,
            address: some(&self.address),
            base_id: some(&self.base_id),
        })
    }
}

/// A new dispute.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewDisputeBody {
    /// Title.
    pub title: String,
    /// Main facts and the matter in dispute.
    pub facts: String,
    /// Type wire name.
    pub dispute_type: String,
    /// `blue`, `yellow` or `red`.
    pub risk: String,
    /// `screening`, `application`, `case` or `court_referral`.
    pub source: String,
    /// Where (leave empty for a case turned dispute: the case's place).
    pub area_code: String,
    /// First tier (default from the area's level).
    pub tier: String,
    /// Money involved in yuan.
    pub money_yuan: String,
    /// Parties (at least two).
    pub parties: Vec<PartyBody>,
    /// Mediation kind (default `peoples`).
    pub mediation_kind: String,
    /// Mediating organisation id.
    pub org: String,
    /// Mediator ids.
    pub mediators: Vec<String>,
    /// The case id for a case turned dispute.
    pub case_id: String,
    /// The screening id for a screening finding.
    pub screening_id: String,
    /// The court's referral number.
    pub court_ref: String,
}

fn opt<T>(s: &str, f: impl FnOnce(&str) -> Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    let t = s.trim();
    if t.is_empty() { Ok(None) } else { f(t).map(Some) }
}

fn id_of<T>(
    field: &'static str,
    parse: fn(&str) -> Result<T, shiyu_domain::DomainError>,
) -> impl Fn(&str) -> Result<T, ApiError> {
    move |s| parse(s).map_err(|_| ApiError::invalid(field, "not_a_uuid"))
}

impl NewDisputeBody {
    /// The storage input, every field parsed and named on error.
    pub fn parse(&self) -> Result<NewDispute, ApiError> {
        let parties = self.parties.iter().filter(|p| !p.is_blank()).map(PartyBody::parse).collect::<Result<_, _>>()?;
        Ok(NewDispute {
            title: self.title.clone(),
            facts: self.facts.clone(),
            dispute_type: DisputeType::parse(self.dispute_type.trim())?,
            risk: RiskLevel::parse(self.risk.trim())?,
            source: Source::parse(self.source.trim())?,
            area: opt(&self.area_code, |s| Ok(AreaCode::parse(s)?))?,
            tier: opt(&self.tier, |s| Ok(Tier::parse(s)?))?,
            money: Fen::parse_yuan(&self.money_yuan)?,
            parties,
            mediation_kind: opt(&self.mediation_kind, |s| Ok(MediationKind::parse(s)?))?
                .unwrap_or(MediationKind::Peoples),
            org: opt(&self.org, id_of("org", MediationOrgId::parse))?,
            mediators: self
                .mediators
                .iter()
                .filter(|m| !m.trim().is_empty())
                .map(|m| id_of("mediators", MediatorId::parse)(m.trim()))
                .collect::<Result<_, _>>()?,
            case: opt(&self.case_id, id_of("case", CaseId::parse))?,
            screening: opt(&self.screening_id, id_of("screening", ScreeningId::parse))?,
            court_ref: opt(&self.court_ref, |s| Ok(s.to_owned()))?,
        })
    }
}

/// The answer to a registration.
#[derive(Debug, Serialize)]
pub struct Created {
    /// The new dispute's id.
    pub id: DisputeId,
}

/// Register a dispute.
#[utoipa::path(post, path = "/api/disputes", tag = "disputes", request_body = Object,
    responses((status = 200, body = Object), (status = 422), (status = 403)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewDisputeBody>,
) -> Result<Json<Created>, ApiError> {
    let nd = body.parse()?;
    let id = state.store.register_dispute(&auth.principal, nd, Utc::now()).await?;
    Ok(Json(Created { id }))
}

/// List selector.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// `all` (default), `mine`, `sessions_due`, `escalations`, `follow_ups`.
    pub list: String,
    /// At most (default 100).
    pub limit: Option<u32>,
}

/// Parses a list name, with today for the due lists.
pub fn list_of(name: &str, today: NaiveDate) -> Result<DisputeList, ApiError> {
    Ok(match name {
        "" | "all" => DisputeList::All,
        "mine" => DisputeList::Mine,
        "sessions_due" => DisputeList::SessionsDue(today),
        "escalations" => DisputeList::EscalationsWaiting,
        "follow_ups" => DisputeList::FollowUpsDue(today),
        _ => return Err(ApiError::invalid("list", "unknown_value")),
    })
}

/// Disputes the caller may read.
#[utoipa::path(get, path = "/api/disputes", tag = "disputes",
    params(("list" = Option<String>, Query, description = "all, mine, sessions_due, escalations, follow_ups")),
    responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<DisputeSummary>>, ApiError> {
    let which = list_of(&q.list, local_date(Utc::now()))?;
    Ok(Json(state.store.disputes(&auth.principal, &which, q.limit.unwrap_or(100)).await?))
}

/// Parses a dispute id from a path; a malformed one is simply not found.
pub fn dispute_id(text: &str) -> Result<DisputeId, ApiError> {
    DisputeId::parse(text).map_err(|_| ApiError::NotFound("dispute".into()))
}

/// One dispute with parties and history.
#[utoipa::path(get, path = "/api/disputes/{id}", tag = "disputes", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<DisputeRecord>, ApiError> {
    Ok(Json(state.store.dispute_record(&auth.principal, dispute_id(&id)?).await?))
}

/// Parses a move body, naming the field that is wrong.
pub fn parse_dispute_move(body: serde_json::Value) -> Result<DisputeMove, ApiError> {
    const NAMES: [&str; 7] = ["record_session", "assign", "escalate", "refer", "follow_up", "close", "register"];
    let name = body.get("move").and_then(|m| m.as_str()).ok_or_else(|| ApiError::invalid("move", "required"))?;
    if !NAMES.contains(&name) || name == "register" {
        return Err(ApiError::invalid("move", "unknown_value"));
    }
    serde_json::from_value::<DisputeMove>(body).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("move").to_owned();
        let reason = if msg.starts_with("missing field") { "required" } else { "malformed" };
        ApiError::invalid(&field, reason)
    })
}

/// Make a move on a dispute, e.g. `{"move":"escalate","reason":"…"}` or
/// `{"move":"record_session","session":{"held_on":"2026-11-20","method":"in_person","mediators":[{"id":"…"}],
/// "parties_present":["张三"],"notes":"…","outcome":"failed"}}`.
#[utoipa::path(post, path = "/api/disputes/{id}/moves", tag = "disputes", params(("id" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 409), (status = 422), (status = 403), (status = 404)))]
pub async fn make_move(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> Result<Json<DisputeRecord>, ApiError> {
    let id = dispute_id(&id)?;
    let mv = parse_dispute_move(body)?;
    state
        .store
        .apply_dispute_move(&auth.principal, id, mv, Utc::now())
        .await
        .map_err(|e| ApiError::from(e).for_dispute())?;
    Ok(Json(state.store.dispute_record(&auth.principal, id).await?))
}

/// Period and area of a figures request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FiguresQuery {
    /// Area (default: the caller's).
    pub area: String,
    /// First day (default: 1 January of this year).
    pub from: String,
    /// Last day (default: today).
    pub to: String,
}

/// Figures of one area.
#[derive(Debug, Serialize)]
pub struct FiguresRow {
    /// Area code.
    pub area: String,
    /// Disputes found.
    pub found: i64,
    /// Disputes mediated.
    pub mediated: i64,
    /// Agreements (first per dispute).
    pub agreed: i64,
    /// Success rate in per mille.
    pub success_permille: Option<i64>,
    /// Success rate as text.
    pub success: String,
    /// Agreements at each tier.
    pub agreed_by_tier: Vec<(String, i64)>,
    /// Share of agreements at each tier in per mille.
    pub tier_share_permille: Vec<(String, Option<i64>)>,
    /// Escalations.
    pub escalated: i64,
    /// Referrals.
    pub referred: i64,
    /// Sessions.
    pub sessions: i64,
    /// Money involved of the disputes found, in fen.
    pub money_fen: i64,
}

impl FiguresRow {
    /// Derives the row from summed counters.
    pub fn of(area: String, f: &shiyu_domain::stats::disputes::DisputeFigures) -> Self {
        Self {
            area,
            found: f.total(DisputeMetric::Found),
            mediated: f.total(DisputeMetric::Mediated),
            agreed: f.total(DisputeMetric::Agreed),
            success_permille: f.success_permille(),
            success: percent(f.success_permille()),
            agreed_by_tier: Tier::ALL
                .iter()
                .map(|t| (t.as_str().to_owned(), f.at(DisputeMetric::Agreed, *t)))
                .collect(),
            tier_share_permille: Tier::ALL.iter().map(|t| (t.as_str().to_owned(), f.tier_share_permille(*t))).collect(),
            escalated: f.total(DisputeMetric::Escalated),
            referred: f.total(DisputeMetric::Referred),
            sessions: f.total(DisputeMetric::Sessions),
            money_fen: f.money_fen,
        }
    }
}

/// The figures of an area and of each of its children.
#[derive(Debug, Serialize)]
pub struct FiguresView {
    /// The area.
    pub total: FiguresRow,
    /// Each child area with any disputes.
    pub children: Vec<FiguresRow>,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// Resolves a figures request against the caller's rights: the area must lie in their subtree.
pub fn figures_scope(auth: &Auth, q: &FiguresQuery) -> Result<(AreaCode, NaiveDate, NaiveDate), ApiError> {
    let root = dispute_root(&auth.principal, DisputeAct::Figures).ok_or(ApiError::Forbidden)?;
    let area = match q.area.trim() {
        "" => root.clone(),
        a => AreaCode::parse(a)?,
    };
    if !area.is_within(&root) {
        return Err(ApiError::invalid("area", "out_of_scope"));
    }
    let today = local_date(Utc::now());
    let from = match q.from.trim() {
        "" => NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today),
        s => s.parse().map_err(|_| ApiError::invalid("from", "malformed"))?,
    };
    let to = match q.to.trim() {
        "" => today,
        s => s.parse().map_err(|_| ApiError::invalid("to", "malformed"))?,
    };
    if from > to {
        return Err(ApiError::invalid("from", "out_of_range"));
    }
    Ok((area, from, to))
}

/// Dispute figures of an area and its children for a period.
#[utoipa::path(get, path = "/api/disputes/figures", tag = "disputes",
    params(("area" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = Object), (status = 403), (status = 422)))]
pub async fn figures(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<FiguresView>, ApiError> {
    let (area, from, to) = figures_scope(&auth, &q)?;
    let total = state.store.dispute_figures(&area, from, to).await?;
    let children = state.store.dispute_figures_by_child(&area, from, to).await?;
    Ok(Json(FiguresView {
        total: FiguresRow::of(area.to_string(), &total),
        children: children.into_iter().map(|(c, f)| FiguresRow::of(c, &f)).collect(),
        from,
        to,
    }))
}

/// A screening as entered.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewScreeningBody {
    /// Community or street code.
    pub area_code: String,
    /// Day held.
    pub held_on: String,
    /// Participants.
    pub participants: String,
    /// Notes.
    pub notes: String,
    /// Disputes found.
    pub findings: Vec<NewDisputeBody>,
}

impl NewScreeningBody {
    /// The storage input.
    pub fn parse(&self) -> Result<NewScreening, ApiError> {
        let findings = self
            .findings
            .iter()
            .map(|f| {
                let mut f = NewDisputeBody { source: "screening".into(), ..f.clone() };
                if f.area_code.trim().is_empty() {
                    f.area_code = self.area_code.clone();
                }
                f.parse()
            })
            .collect::<Result<_, _>>()?;
        Ok(NewScreening {
            area: AreaCode::parse(self.area_code.trim())?,
            held_on: self.held_on.trim().parse().map_err(|_| ApiError::invalid("held_on", "malformed"))?,
            participants: self.participants.clone(),
            notes: self.notes.clone(),
            findings,
        })
    }
}

/// The answer to a screening.
#[derive(Debug, Serialize)]
pub struct ScreeningCreated {
    /// Screening id.
    pub id: ScreeningId,
    /// The disputes registered from its findings.
    pub disputes: Vec<DisputeId>,
}

/// Record a screening with its findings.
#[utoipa::path(post, path = "/api/screenings", tag = "disputes", request_body = Object,
    responses((status = 200, body = Object), (status = 422)))]
pub async fn create_screening(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewScreeningBody>,
) -> Result<Json<ScreeningCreated>, ApiError> {
    let (id, disputes) = state.store.record_screening(&auth.principal, body.parse()?, Utc::now()).await?;
    Ok(Json(ScreeningCreated { id, disputes }))
}

/// Every community and street in the caller's area with its screening rhythm (overdue first).
#[utoipa::path(get, path = "/api/screenings/status", tag = "disputes", responses((status = 200, body = Object)))]
pub async fn screening_status(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<ScreeningStatus>>, ApiError> {
    Ok(Json(state.store.screening_status(&auth.principal, local_date(Utc::now()), 4).await?))
}

/// The registry as a caller sees it.
#[derive(Debug, Serialize)]
pub struct Registry {
    /// Organisations.
    pub orgs: Vec<MediationOrg>,
    /// Mediators.
    pub mediators: Vec<Mediator>,
}

/// Mediation organisations and mediators serving the caller's area.
#[utoipa::path(get, path = "/api/mediation/registry", tag = "disputes", responses((status = 200, body = Object)))]
pub async fn registry(State(state): State<AppState>, auth: Auth) -> Result<Json<Registry>, ApiError> {
    let root = dispute_root(&auth.principal, DisputeAct::Read)
        .or_else(|| dispute_root(&auth.principal, DisputeAct::Registry))
        .ok_or(ApiError::Forbidden)?;
    Ok(Json(Registry {
        orgs: state.store.mediation_orgs(&root).await?,
        mediators: state.store.mediators(&root).await?,
    }))
}

/// A new organisation (administrators).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewOrgBody {
    /// Name.
    pub name: String,
    /// Community, street or district code.
    pub area_code: String,
    /// Mediation kind.
    pub kind: String,
    /// Specialities.
    pub specialities: String,
    /// Phone.
    pub phone: String,
}

/// Checks the caller may edit the registry for `area`.
pub fn registry_guard(auth: &Auth, area: &AreaCode) -> Result<(), ApiError> {
    let root = dispute_root(&auth.principal, DisputeAct::Registry).ok_or(ApiError::Forbidden)?;
    if area.is_within(&root) { Ok(()) } else { Err(ApiError::invalid("area_code", "out_of_scope")) }
}

/// Add a mediation organisation.
#[utoipa::path(post, path = "/api/mediation/orgs", tag = "disputes", request_body = Object,
    responses((status = 200, body = Object), (status = 403), (status = 422)))]
pub async fn create_org(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewOrgBody>,
) -> Result<Json<MediationOrg>, ApiError> {
    let area = AreaCode::parse(b.area_code.trim())?;
    registry_guard(&auth, &area)?;
    let kind = if b.kind.trim().is_empty() { MediationKind::Peoples } else { MediationKind::parse(b.kind.trim())? };
    let org = NewMediationOrg { name: b.name, area, kind, specialities: b.specialities, phone: b.phone };
    Ok(Json(state.store.add_mediation_org(org, Utc::now()).await?))
}

/// A new mediator.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewMediatorBody {
    /// Organisation id.
    pub org: String,
    /// Name.
    pub name: String,
    /// Login account id, if any.
    pub user_id: String,
    /// Specialities.
    pub specialities: String,
}

/// Add a mediator.
#[utoipa::path(post, path = "/api/mediation/mediators", tag = "disputes", request_body = Object,
    responses((status = 200, body = Object), (status = 403), (status = 422)))]
pub async fn create_mediator(
    State(state): State<AppState>,
    auth: Auth,
    Json(b): Json<NewMediatorBody>,
) -> Result<Json<Mediator>, ApiError> {
    let org_id = id_of("org", MediationOrgId::parse)(b.org.trim())?;
    let org = state.store.mediation_org(org_id).await.map_err(|_| ApiError::invalid("org", "unknown_org"))?;
    registry_guard(&auth, &org.area)?;
    let user = opt(&b.user_id, id_of("user_id", UserId::parse))?;
    Ok(Json(state.store.add_mediator(org_id, &b.name, user, &b.specialities, Utc::now()).await?))
}

/// The latest agreement of a dispute as it is printed, or `None` before any agreement.
pub fn agreement_of(rec: &DisputeRecord) -> Option<shiyu_docs::Agreement> {
    use shiyu_domain::dispute::{DisputeChange, SessionOutcome};
    let (event, session) = rec.events.iter().rev().find_map(|e| match &e.change {
        DisputeChange::Move(DisputeMove::RecordSession { session }) if session.outcome == SessionOutcome::Agreement => {
            Some((e, session))
        }
        _ => None,
    })?;
    let d = &rec.dispute;
    Some(shiyu_docs::Agreement {
        number: event.effects.agreement_number.clone().unwrap_or_else(|| d.number.clone()),
        organisation: d.org.as_ref().map_or_else(|| "人民调解委员会".to_owned(), |o| o.name.clone()),
        mediation_kind: d.mediation_kind.label_zh().to_owned(),
        dispute_type: d.dispute_type.label_zh().to_owned(),
        parties: rec
            .parties
            .iter()
            .map(|p| shiyu_docs::Party {
                role: p.role.label_zh().to_owned(),
                name: p.name.clone(),
                kind: p.kind.label_zh().to_owned(),
                id_masked: p.id_masked.clone(),
                address: p.address.clone(),
                phone_masked: p.phone_masked.clone(),
            })
            .collect(),
        facts: rec.facts.clone(),
        terms: session.terms.clone(),
        performance: session.performance.clone().unwrap_or_default(),
        money_yuan: (d.money.0 > 0).then(|| d.money.yuan()),
        mediators: session.mediators.iter().map(|m| m.name.clone()).collect(),
        date: session.held_on,
        place: None,
    })
}

/// `?format=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FormatQuery {
    /// `html` (default), `pdf` or `docx`.
    pub format: String,
}

/// The agreement document of a dispute: printable HTML, PDF (typeset with the machine's Chinese
/// font) or DOCX.
#[utoipa::path(get, path = "/api/disputes/{id}/agreement", tag = "disputes",
    params(("id" = String, Path), ("format" = Option<String>, Query, description = "html, pdf or docx")),
    responses((status = 200, description = "the document"), (status = 404), (status = 503, description = "no Chinese font for PDF")))]
pub async fn agreement(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let rec = state.store.dispute_record(&auth.principal, dispute_id(&id)?).await?;
    let doc = agreement_of(&rec).ok_or_else(|| ApiError::NotFound("agreement".into()))?;
    let file = |ext: &str| format!("attachment; filename=\"agreement-{}.{ext}\"", doc.number);
    let render_err = |e: shiyu_docs::DocError| ApiError::Internal(format!("agreement: {e}"));
    Ok(match q.format.as_str() {
        "" | "html" => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned())], shiyu_docs::agreement_html(&doc))
                .into_response()
        }
        "pdf" => {
            let fonts = state.pdf_fonts(auth.lang)?;
            let bytes = shiyu_docs::agreement_pdf(&doc, fonts).map_err(render_err)?;
            ([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, file("pdf"))], bytes)
                .into_response()
        }
        "docx" => {
            let bytes = shiyu_docs::agreement_docx(&doc).map_err(render_err)?;
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_owned(),
                    ),
                    (header::CONTENT_DISPOSITION, file("docx")),
                ],
                bytes,
            )
                .into_response()
        }
        _ => return Err(ApiError::invalid("format", "unknown_value")),
    })
}
