//! Intake forms. `GET|POST /cases/new`: staff register a case (operators and leaders, with the
//! caller's contact when there is one; grid workers report what they found). `GET|POST /r/new`:
//! a resident submits their own request through the web channel. A refused form comes back with
//! the message naming the field and everything typed kept.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::{Channel, Ledger, Urgency};
use shiyu_domain::role::Role;
use shiyu_storage::directory::Category;

use crate::api::cases::{ContactBody, LocationBody, NewCase, ReporterChoice};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::layout::{Chrome, fixable, render, render_status, status_of};
use crate::web::names::{Names, pick_name};
use crate::web::text::{Text, text};
use crate::web::views::{Opt, OptGroup, ledger_options};

/// What an intake form submits. Every field is text so that the form can be shown again as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    /// Ledger wire name.
    pub ledger: String,
    /// Category code.
    pub category: String,
    /// Channel wire name (staff only).
    pub channel: String,
    /// Urgency wire name (staff only).
    pub urgency: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Leaf area code.
    pub area_code: String,
    /// Caller's name (operators and leaders).
    pub contact_name: String,
    /// Caller's phone (operators and leaders).
    pub contact_phone: String,
    /// Longitude.
    pub lon: String,
    /// Latitude.
    pub lat: String,
    /// The number of an earlier case this report repeats (chosen from the proposed duplicates):
    /// the new case is registered and merged into it at once.
    #[serde(default)]
    pub merge_into: String,
}

/// Who fills the form in, which decides its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Operators and leaders: any channel, optional contact.
    Centre,
    /// Grid workers: their own report, from their grid.
    Grid,
    /// Residents: their own request, web channel.
    Resident,
}

impl Who {
    fn of(role: Role) -> Option<Self> {
        match role {
            Role::Operator | Role::Leader => Some(Self::Centre),
            Role::GridWorker => Some(Self::Grid),
            Role::Resident => Some(Self::Resident),
            _ => None,
        }
    }
}

/// An intake form page.
#[derive(Template)]
#[template(path = "pages/intake.html")]
pub struct IntakePage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Heading.
    pub heading: &'static str,
    /// Explanation under the heading, or empty.
    pub intro: &'static str,
    /// Where the form posts.
    pub action: &'static str,
    /// Why the last submission was refused, or empty.
    pub error: String,
    /// Show urgency and location (staff).
    pub staff: bool,
    /// Show the channel (centre staff; grid workers report through their own channel).
    pub with_channel: bool,
    /// Label of the ledger select (residents choose a "kind", staff a "ledger").
    pub ledger_label: &'static str,
    /// Show the contact fields.
    pub with_contact: bool,
    /// Ledger choices.
    pub ledgers: Vec<Opt>,
    /// Category choices, one group per top-level branch.
    pub categories: Vec<OptGroup>,
    /// Channel choices.
    pub channels: Vec<Opt>,
    /// Urgency choices.
    pub urgencies: Vec<Opt>,
    /// Area choices grouped by street.
    pub areas: Vec<OptGroup>,
    /// The values typed so far.
    pub v: IntakeForm,
}

/// The areas a case may be placed in: communities and below inside `root`, grouped by street.
pub(crate) async fn area_groups(
    state: &AppState,
    names: &mut Names<'_>,
    root: &AreaCode,
    lowest_first: AreaLevel,
    current: &str,
) -> Result<Vec<OptGroup>, ApiError> {
    let all = state.store.areas_within(root).await?;
    names.know_areas(all.iter().map(|a| (a.code.as_str(), a.name.as_str())));
    let mut groups: Vec<OptGroup> = Vec::new();
    for a in all.iter().filter(|a| a.level >= lowest_first) {
        let heading = match a.code.ancestor_at(AreaLevel::Street) {
            Some(street) => names.area_path(&street).await,
            None => String::new(),
        };
        let label = match (a.level, &a.parent) {
            (AreaLevel::Community, _) | (_, None) => a.name.clone(),
            (_, Some(parent)) => format!("{} › {}", names.area(parent.as_str()).await, a.name),
        };
        if groups.last().is_none_or(|g| g.label != heading) {
            groups.push(OptGroup { label: heading, options: Vec::new() });
        }
        if let Some(g) = groups.last_mut() {
            g.options.push(Opt::new(a.code.as_str(), label, current));
        }
    }
    Ok(groups)
}

/// The category tree as choices: one group per top-level branch, its branches and leaves
/// indented below (a tree of hundreds of categories is unreadable as one flat list). A branch
/// with nothing under it is its own only choice.
pub(crate) fn category_groups(lang: Lang, all: Vec<Category>, current: &str) -> Vec<OptGroup> {
    let mut groups: Vec<OptGroup> = Vec::new();
    let mut tops: Vec<&Category> = Vec::new();
    for c in &all {
        let name = pick_name(lang, &c.name_zh, &c.name_en);
        if c.code.depth() == 1 {
            tops.push(c);
            groups.push(OptGroup { label: name.to_owned(), options: Vec::new() });
            continue;
        }
        // Indented with ideographic spaces, which option text does not collapse.
        let indent = "\u{3000}".repeat(c.code.depth().saturating_sub(2));
        let opt = Opt::new(c.code.as_str(), format!("{indent}{name}"), current);
        match groups.last_mut() {
            Some(g) => g.options.push(opt),
            None => groups.push(OptGroup { label: String::new(), options: vec![opt] }),
        }
    }
    for (g, top) in groups.iter_mut().zip(tops) {
        if g.options.is_empty() {
            g.options.push(Opt::new(top.code.as_str(), g.label.clone(), current));
        }
    }
    groups
}

/// The form, filled with `v`, showing `error`.
async fn form_page(
    state: &AppState,
    auth: &Auth,
    who: Who,
    v: IntakeForm,
    error: String,
) -> Result<IntakePage, ApiError> {
    let lang = auth.lang;
    let t = text(lang);
    let mut names = Names::new(&state.store, lang);
    let categories = category_groups(lang, state.store.categories().await?, &v.category);
    let (root, lowest) = match (who, auth.principal.home_area()) {
        (Who::Grid, Some(area)) => (area.clone(), AreaLevel::Grid),
        (Who::Centre, Some(area)) => (area.clone(), AreaLevel::Community),
        _ => {
            let city = state.store.default_city().await?;
            (AreaCode::parse(&format!("{}00000000", city.as_str()))?, AreaLevel::Community)
        }
    };
    let areas = area_groups(state, &mut names, &root, lowest, &v.area_code).await?;
    let (heading, intro, action) = match who {
        Who::Centre => (t.intake_title, "", "/cases/new"),
        Who::Grid => (t.intake_grid_title, "", "/cases/new"),
        Who::Resident => (t.resident_new_title, t.resident_new_intro, "/r/new"),
    };
    let active = if who == Who::Resident { "/r/new" } else { "/cases/new" };
    Ok(IntakePage {
        chrome: Chrome::for_user(auth, active),
        t,
        heading,
        intro,
        action,
        error,
        staff: who != Who::Resident,
        with_channel: who == Who::Centre,
        with_contact: who == Who::Centre,
        ledger_label: if who == Who::Resident { t.f_kind } else { t.f_ledger },
        ledgers: ledger_options(lang, who == Who::Resident, &v.ledger),
        categories,
        channels: Channel::ALL
            .iter()
            .map(|c| Opt::new(c.as_str(), lang.pick(c.label_zh(), c.label_en()), &v.channel))
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| Opt::new(u.as_str(), lang.pick(u.label_zh(), u.label_en()), &v.urgency))
            .collect(),
        areas,
        v,
    })
}

/// The optional location: both coordinates or neither.
pub(crate) fn location(lon: &str, lat: &str) -> Result<Option<LocationBody>, ApiError> {
    match (lon.trim(), lat.trim()) {
        ("", "") => Ok(None),
        (lon, lat) => match (lon.parse::<f64>(), lat.parse::<f64>()) {
            (Ok(lon), Ok(lat)) => Ok(Some(LocationBody { lon, lat, crs: None })),
            _ => Err(ApiError::invalid("location", "malformed")),
        },
    }
}

/// The API's intake body for what the form says, with the reporter and channel the role implies.
fn new_case(who: Who, v: &IntakeForm) -> Result<NewCase, ApiError> {
    // An unchosen select is "required", not "not a valid code".
    for (field, value) in [("ledger", &v.ledger), ("category", &v.category), ("area_code", &v.area_code)] {
        if value.trim().is_empty() {
            return Err(ApiError::invalid(field, "required"));
        }
    }
    let contact_given = !v.contact_name.trim().is_empty() || !v.contact_phone.trim().is_empty();
    let (reporter, contact) = match who {
        Who::Centre if contact_given => (
            ReporterChoice::Contact,
            Some(ContactBody { name: v.contact_name.trim().to_owned(), phone: v.contact_phone.trim().to_owned() }),
        ),
        Who::Centre => (ReporterChoice::Anonymous, None),
        Who::Grid | Who::Resident => (ReporterChoice::Myself, None),
    };
    if who == Who::Resident && Ledger::parse(v.ledger.trim()).is_ok_and(|l| l == Ledger::Event) {
        return Err(ApiError::invalid("ledger", "unknown_value"));
    }
    let (channel, urgency) = match who {
        Who::Resident => (Channel::Web.as_str().to_owned(), None),
        Who::Grid => {
            (Channel::GridWorker.as_str().to_owned(), Some(v.urgency.trim().to_owned()).filter(|u| !u.is_empty()))
        }
        Who::Centre => (v.channel.trim().to_owned(), Some(v.urgency.trim().to_owned()).filter(|u| !u.is_empty())),
    };
    Ok(NewCase {
        ledger: v.ledger.trim().to_owned(),
        category: v.category.trim().to_owned(),
        channel,
        urgency,
        title: v.title.trim().to_owned(),
        text: v.text.trim().to_owned(),
        area_code: v.area_code.trim().to_owned(),
        location: location(&v.lon, &v.lat)?,
        reporter: Some(reporter),
        contact,
        attachments: Vec::new(),
    })
}

async fn submit(state: &AppState, auth: &Auth, who: Who, v: IntakeForm) -> Result<Response, ApiError> {
    let result = async {
        let (intake, contact) = new_case(who, &v)?.into_intake(state, auth).await?;
        let proposed = state.routing.proposed_category(&intake.title, &intake.text);
        let now = chrono::Utc::now();
        Ok::<_, ApiError>(state.store.register_case_judged(&auth.principal, intake, contact, now, proposed).await?)
    }
    .await;
    match result {
        Ok(case) => {
            let target = merge_at_intake(state, auth, &case, v.merge_into.trim()).await.unwrap_or(case.id);
            Ok(Redirect::to(&format!("/cases/{target}")).into_response())
        }
        Err(e) if fixable(&e) => {
            let message = e.message(auth.lang);
            render_status(status_of(&e), &form_page(state, auth, who, v, message).await?)
        }
        Err(e) => Err(e),
    }
}

fn staff(auth: &Auth) -> Result<Result<Who, Response>, ApiError> {
    match Who::of(auth.user.role) {
        Some(Who::Resident) => Ok(Err(Redirect::to("/r/new").into_response())),
        Some(who) => Ok(Ok(who)),
        None => Err(ApiError::Forbidden),
    }
}

/// The staff intake form.
pub async fn staff_form(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    let who = match staff(&auth)? {
        Ok(who) => who,
        Err(redirect) => return Ok(redirect),
    };
    let defaults = IntakeForm {
        ledger: if who == Who::Grid { Ledger::Event } else { Ledger::Demand }.as_str().to_owned(),
        channel: match auth.user.role {
            Role::Leader => Channel::LeaderPhone,
            Role::GridWorker => Channel::GridWorker,
            _ => Channel::Hotline,
        }
        .as_str()
        .to_owned(),
        urgency: Urgency::Normal.as_str().to_owned(),
        ..IntakeForm::default()
    };
    render(&form_page(&state, &auth, who, defaults, String::new()).await?)
}

/// Registers what the staff form says.
pub async fn staff_submit(
    State(state): State<AppState>,
    auth: Auth,
    Form(v): Form<IntakeForm>,
) -> Result<Response, ApiError> {
    match staff(&auth)? {
        Ok(who) => submit(&state, &auth, who, v).await,
        Err(_) => Err(ApiError::Forbidden),
    }
}

/// The resident's request form.
pub async fn resident_form(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    if auth.user.role != Role::Resident {
        return Ok(Redirect::to("/cases/new").into_response());
    }
    let defaults = IntakeForm { ledger: Ledger::Demand.as_str().to_owned(), ..IntakeForm::default() };
    let page = form_page(&state, &auth, Who::Resident, defaults, String::new()).await?;
    render(&page)
}

/// Registers the resident's request.
pub async fn resident_submit(
    State(state): State<AppState>,
    auth: Auth,
    Form(v): Form<IntakeForm>,
) -> Result<Response, ApiError> {
    if auth.user.role != Role::Resident {
        return Err(ApiError::Forbidden);
    }
    submit(&state, &auth, Who::Resident, v).await
}

/// What has been typed on the intake form so far, for its htmx fragments.
#[derive(Debug, Deserialize)]
pub struct TypedQuery {
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    lat: String,
}

impl TypedQuery {
    /// Title and text together, once there is enough to judge (four characters).
    fn words(&self) -> Option<String> {
        let words = format!("{} {}", self.title, self.text);
        (words.trim().chars().count() >= 4).then_some(words)
    }
}

/// Who is offered the intake fragments: those who register for others.
const INTAKE_STAFF: [Role; 4] = [Role::Operator, Role::Leader, Role::GridWorker, Role::Admin];

fn empty_fragment() -> Response {
    axum::response::Html(String::new()).into_response()
}

/// `GET /cases/new/proposal`: the routing proposal for what has been typed so far (an htmx
/// fragment under the text): categories to pick with one click, and who would lead.
pub async fn proposal(
    State(state): State<AppState>,
    auth: Auth,
    axum::extract::Query(q): axum::extract::Query<TypedQuery>,
) -> Result<Response, ApiError> {
    auth.require(&INTAKE_STAFF)?;
    let Some(words) = q.words() else { return Ok(empty_fragment()) };
    let p = crate::api::routing::propose(&state, &auth, &words, Some(&q.area_code), None).await?;
    let lang = auth.lang;
    let esc = crate::web::escape;
    let mut html = String::new();
    if !p.categories.is_empty() {
        html.push_str(&format!("<p><strong>{}</strong> ", lang.pick("建议分类：", "Suggested category: ")));
        for c in p.categories.iter().filter(|c| c.confidence >= 0.05) {
            html.push_str(&format!(
                "<button type=\"button\" class=\"chip\" data-pick-category=\"{}\">{} {:.0}%</button> ",
                esc(&c.code),
                esc(&c.name),
                c.confidence * 100.0
            ));
        }
        html.push_str("</p>");
    }
    if let Some(o) = p.orgs.first() {
        let why = match (o.because.as_str(), lang) {
            ("rule", l) => l.pick("按职责配置", "by the configured owner").to_owned(),
            (_, Lang::Zh) => format!("以往同类 {} 件由其办理", o.cases),
            (_, Lang::En) => format!("led {} such cases before", o.cases),
        };
        html.push_str(&format!(
            "<p><strong>{}</strong>{}（{}）</p>",
            lang.pick("建议主办单位：", "Suggested lead: "),
            esc(&o.name),
            esc(&why)
        ));
    }
    Ok(axum::response::Html(html).into_response())
}

/// Merges a just-registered case into the earlier one the operator picked at intake; the earlier
/// case is where the answer comes from (its reporters, this one's included, all hear it). Returns
/// the earlier case's id, or none when nothing was picked or the merge is not allowed here (the
/// new case then stays registered, to be merged from its own page).
async fn merge_at_intake(
    state: &AppState,
    auth: &Auth,
    case: &shiyu_domain::case::CaseSnapshot,
    number: &str,
) -> Option<shiyu_domain::ids::CaseId> {
    if number.is_empty() {
        return None;
    }
    let into_number = shiyu_domain::ids::CaseNumber::parse(number).ok()?;
    let into = state.store.case_by_number(&auth.scope(), &into_number).await.ok()?.case.id;
    let reason =
        auth.lang.pick("同一事项重复反映，登记时合并", "The same matter reported again; merged at intake").to_owned();
    let mv = shiyu_domain::case::Move::Merge { into, into_number, reason };
    match state.store.apply_move(&auth.principal, case.id, mv, chrono::Utc::now()).await {
        Ok(_) => Some(into),
        Err(e) => {
            tracing::info!("merge at intake refused: {e}");
            None
        }
    }
}

/// `GET /cases/new/duplicates`: likely duplicates of what has been typed (an htmx fragment inside
/// the intake form): each with its reasons and a choice to merge the new report into it.
pub async fn duplicates(
    State(state): State<AppState>,
    auth: Auth,
    axum::extract::Query(q): axum::extract::Query<TypedQuery>,
) -> Result<Response, ApiError> {
    auth.require(&INTAKE_STAFF)?;
    let (Some(words), Ok(area)) = (q.words(), AreaCode::parse(q.area_code.trim())) else {
        return Ok(empty_fragment());
    };
    let point = match (q.lon.trim().parse::<f64>(), q.lat.trim().parse::<f64>()) {
        (Ok(lon), Ok(lat)) => Some(shiyu_domain::case::GeoPoint { lon, lat }),
        _ => None,
    };
    let found = crate::api::duplicates::likely(&state, &auth, &words, &area, point, Some(q.category.trim()), 5).await?;
    if found.is_empty() {
        return Ok(empty_fragment());
    }
    let lang = auth.lang;
    let esc = crate::web::escape;
    let mut html = format!(
        "<p><strong>{}</strong></p><label class=\"dup\"><input type=\"radio\" name=\"merge_into\" value=\"\" checked> {}</label>",
        lang.pick("可能重复：", "Possible duplicates:"),
        lang.pick("不是重复，单独登记", "Not a duplicate: register on its own")
    );
    for d in &found {
        html.push_str(&format!(
            "<label class=\"dup\" data-testid=\"duplicate\"><input type=\"radio\" name=\"merge_into\" value=\"{}\"> {} <a href=\"/cases/{}\" target=\"_blank\">{}</a> {}（{}）</label>",
            esc(&d.number),
            lang.pick("并入", "merge into"),
            esc(&d.id),
            esc(&d.number),
            esc(&d.title),
            esc(&d.reasons.join("，"))
        ));
    }
    Ok(axum::response::Html(html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> IntakeForm {
        IntakeForm {
            ledger: "demand".into(),
            category: "urban.housing.repair".into(),
            channel: "hotline".into(),
            urgency: "".into(),
            title: " 楼道灯坏了 ".into(),
            text: "三单元楼道灯不亮".into(),
            area_code: "439901001001001".into(),
            ..IntakeForm::default()
        }
    }

    #[test]
    fn centre_intake_takes_a_contact_only_when_given() {
        let c = new_case(Who::Centre, &form()).expect("case");
        assert_eq!(c.reporter, Some(ReporterChoice::Anonymous));
        assert!(c.contact.is_none() && c.urgency.is_none());
        assert_eq!(c.title, "楼道灯坏了");
        let with = IntakeForm { contact_name: "王女士".into(), contact_phone: "13800001234".into(), ..form() };
        let c = new_case(Who::Centre, &with).expect("case");
        assert_eq!(c.reporter, Some(ReporterChoice::Contact));
        assert_eq!(c.contact.map(|k| k.phone).as_deref(), Some("13800001234"));
    }

    #[test]
    fn residents_report_as_themselves_on_the_web_and_not_events() {
        let with = IntakeForm { contact_name: "冒名".into(), channel: "hotline".into(), ..form() };
        let c = new_case(Who::Resident, &with).expect("case");
        assert_eq!(c.reporter, Some(ReporterChoice::Myself));
        assert_eq!(c.channel, "web");
        assert!(c.contact.is_none());
        let event = IntakeForm { ledger: "event".into(), ..form() };
        assert!(matches!(new_case(Who::Resident, &event), Err(ApiError::Invalid { field, .. }) if field == "ledger"));
        assert_eq!(new_case(Who::Grid, &form()).expect("case").channel, "grid_worker");
        let no_area = IntakeForm { area_code: " ".into(), ..form() };
        assert!(
            matches!(new_case(Who::Grid, &no_area), Err(ApiError::Invalid { field, reason }) if field == "area_code" && reason == "required")
        );
    }

    #[test]
    fn categories_are_grouped_by_top_branch() {
        let cat = |code: &str, zh: &str| Category {
            code: shiyu_domain::case::CategoryCode::parse(code).expect("code"),
            name_zh: zh.into(),
            name_en: String::new(),
        };
        let all = vec![
            cat("law", "政法"),
            cat("urban", "城乡建设"),
            cat("urban.housing", "住房保障"),
            cat("urban.housing.repair", "房屋维修"),
        ];
        let groups = category_groups(Lang::En, all, "urban.housing.repair");
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].label, "政法", "no English name: the Chinese one");
        assert_eq!(groups[0].options.len(), 1, "a branch without children is its own choice");
        assert_eq!(groups[0].options[0].value, "law");
        let labels: Vec<&str> = groups[1].options.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(labels, ["住房保障", "\u{3000}房屋维修"]);
        assert!(groups[1].options[1].selected);
    }

    #[test]
    fn location_needs_both_numbers() {
        assert!(location(" ", "").expect("none").is_none());
        let p = location("118.79", "32.06").expect("point").expect("some");
        assert!((p.lon - 118.79).abs() < 1e-9 && (p.lat - 32.06).abs() < 1e-9);
        for (lon, lat) in [("118.79", ""), ("", "32"), ("east", "32")] {
            assert!(matches!(location(lon, lat), Err(ApiError::Invalid { field, .. }) if field == "location"));
        }
    }
}
