//! A resident's points and volunteering. `GET /r/points`: balance, star level, service hours, how
//! points are earned, the history and the redemptions with their pick-up codes
//! (`POST /r/redemptions/{id}/cancel` cancels one). `GET /r/shop?area=`: a community's points shop
//! (`POST /r/shop/redeem`). `GET /r/volunteer`: registration with consent (`POST /r/volunteer`),
//! then the volunteer's record, the activities open for sign-up and their own
//! (`POST /r/activities/{id}/{sign_up|withdraw}`).
//!
//! Forms become the same bodies the JSON API takes and go through the same parsers, so the
//! browser and the API name bad fields alike. Staff are sent to their own pages.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::points::{Account, ActivityState, EntryKind, RedemptionMove, RedemptionState};
use shiyu_domain::role::Role;
use shiyu_domain::time::show;
use shiyu_storage::points::activities::{ActivityAction, ActivityFilter, ActivityRecord, Attended};
use shiyu_storage::points::volunteers::VolunteerView;

use crate::api::points::{RedeemBody, for_redemption, redeem_input, redemption_id, rules_area};
use crate::api::volunteers::{RegisterBody, activity_id, for_activity};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::forms::FormData;
use crate::web::layout::{Chrome, answer_form_when, fixable, render, render_status, status_of};
use crate::web::names::Names;
use crate::web::points_text::{PointsText, points_text};
use crate::web::views::{Opt, OptGroup};

/// `?done=` after a redirect.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    /// What was just done.
    pub done: String,
}

/// A signed amount as shown: `+20`, `−15`.
pub fn signed(amount: i64) -> String {
    if amount >= 0 { format!("+{amount}") } else { format!("−{}", amount.unsigned_abs()) }
}

/// The label of an entry kind.
pub fn kind_label(lang: Lang, k: EntryKind) -> &'static str {
    lang.pick(k.label_zh(), k.label_en())
}

/// The city's root area, where residents' choices of community start.
pub(crate) async fn city_root(state: &AppState) -> Result<AreaCode, ApiError> {
    Ok(state.store.root_area().await?)
}

/// The communities and villages under `root` (or only those listed), grouped by street, as
/// choices.
pub(crate) async fn community_groups(
    state: &AppState,
    names: &mut Names<'_>,
    root: &AreaCode,
    current: &str,
    only: Option<&[AreaCode]>,
) -> Result<Vec<OptGroup>, ApiError> {
    let all = state.store.areas_within(root).await?;
    names.know_areas(all.iter().map(|a| (a.code.as_str(), a.name.as_str())));
    let mut groups: Vec<OptGroup> = Vec::new();
    for a in &all {
        let wanted = match only {
            Some(list) => list.contains(&a.code),
            None => a.level == AreaLevel::Community,
        };
        if !wanted {
            continue;
        }
        let heading = match a.code.parent() {
            Some(p) if a.level > AreaLevel::Street => names.area_path(&p).await,
            _ => String::new(),
        };
        if groups.last().is_none_or(|g| g.label != heading) {
            groups.push(OptGroup { label: heading, options: Vec::new() });
        }
        if let Some(g) = groups.last_mut() {
            g.options.push(Opt::new(a.code.as_str(), a.name.clone(), current));
        }
    }
    Ok(groups)
}

/// A history line.
#[derive(Debug)]
pub struct HistoryRow {
    /// When.
    pub at: String,
    /// Kind wire name.
    pub kind: &'static str,
    /// Kind label.
    pub kind_label: &'static str,
    /// What for.
    pub memo: String,
    /// `+20`.
    pub amount: String,
    /// Gained (for the colour).
    pub gain: bool,
}

/// A redemption line.
#[derive(Debug)]
pub struct RedemptionRow {
    /// Id.
    pub id: String,
    /// Goods name.
    pub goods: String,
    /// Units.
    pub quantity: u32,
    /// Points paid.
    pub points: i64,
    /// Pick-up code (own view) or empty.
    pub code: String,
    /// State wire name.
    pub state: &'static str,
    /// State label.
    pub state_label: &'static str,
    /// The shop's name.
    pub shop: String,
    /// Member's name (staff view).
    pub member: String,
    /// When reserved.
    pub at: String,
    /// Still waiting to be collected.
    pub reserved: bool,
}

/// The star level, hours and next step of a volunteer.
#[derive(Debug, Default)]
pub struct Standing {
    /// Registered at all.
    pub registered: bool,
    /// `★★☆☆☆`.
    pub glyphs: String,
    /// `二星志愿者`.
    pub title: String,
    /// `12.5`.
    pub hours: String,
    /// Hours to the next level, or empty at five stars.
    pub to_next: String,
}

async fn standing(state: &AppState, lang: Lang, v: Option<&VolunteerView>) -> Result<Standing, ApiError> {
    let Some(v) = v else { return Ok(Standing::default()) };
    let rules = state.store.point_rules(&v.area_code).await?.rules;
    let to_next = rules
        .next_star(v.service_minutes)
        .map(|(level, missing)| format!("{} {}", lang.pick(&level.label_zh(), &level.label_en()), missing.hours_text()))
        .unwrap_or_default();
    Ok(Standing {
        registered: true,
        glyphs: v.stars.glyphs(),
        title: lang.pick(&v.stars.label_zh(), &v.stars.label_en()).to_owned(),
        hours: v.hours.clone(),
        to_next,
    })
}

/// How points are earned where the resident lives.
#[derive(Debug, Default)]
pub struct EarnRules {
    /// Per true report.
    pub report: i64,
    /// Per service hour.
    pub per_hour: i64,
    /// Per attendance.
    pub attendance: i64,
}

/// `GET /r/points`.
#[derive(Template)]
#[template(path = "pages/my_points.html")]
pub struct MyPointsPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// Balance.
    pub balance: i64,
    /// Volunteer standing.
    pub standing: Standing,
    /// Earning rules.
    pub earn: EarnRules,
    /// History.
    pub history: Vec<HistoryRow>,
    /// Redemptions.
    pub redemptions: Vec<RedemptionRow>,
    /// What was just done, or empty.
    pub done: String,
    /// A refusal, or empty.
    pub error: String,
}

fn redemption_row(lang: Lang, r: &shiyu_storage::points::shop::RedemptionView, shop: String) -> RedemptionRow {
    RedemptionRow {
        id: r.id.to_string(),
        goods: r.goods_name.clone(),
        quantity: r.quantity,
        points: r.points,
        code: r.pickup_code.clone().unwrap_or_default(),
        state: r.state.as_str(),
        state_label: lang.pick(r.state.label_zh(), r.state.label_en()),
        shop,
        member: r.member_name.clone(),
        at: show(r.created_at),
        reserved: r.state == RedemptionState::Reserved,
    }
}

async fn my_points_page(state: &AppState, auth: &Auth, done: &str, error: String) -> Result<MyPointsPage, ApiError> {
    let lang = auth.lang;
    let p = points_text(lang);
    let me = auth.user.id;
    let mut names = Names::new(&state.store, lang);
    let volunteer = state.store.volunteer_of_user(me).await?;
    let rules = state.store.point_rules(&rules_area(state, auth, "").await?).await?.rules;
    let history = state
        .store
        .member_history(me, 100)
        .await?
        .into_iter()
        .map(|h| HistoryRow {
            at: show(h.at),
            kind: h.kind.as_str(),
            kind_label: kind_label(lang, h.kind),
            memo: h.memo,
            amount: signed(h.amount),
            gain: h.amount >= 0,
        })
        .collect();
    let mut redemptions = Vec::new();
    for r in state.store.my_redemptions(me, 100).await? {
        let shop = names.area(r.area_code.as_str()).await;
        redemptions.push(redemption_row(lang, &r, shop));
    }
    Ok(MyPointsPage {
        chrome: Chrome::for_user(auth, "/r/points"),
        p,
        balance: state.store.balance(&Account::Member(me)).await?,
        standing: standing(state, lang, volunteer.as_ref()).await?,
        earn: EarnRules {
            report: rules.report_true.get(),
            per_hour: rules.per_service_hour.get(),
            attendance: rules.attendance.get(),
        },
        history,
        redemptions,
        done: match done {
            "redeem" => p.done_redeem.to_owned(),
            "cancel" => p.done_cancel.to_owned(),
            _ => String::new(),
        },
        error,
    })
}

/// `GET /r/points`; staff are sent to their desk.
pub async fn points(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    if auth.user.role != Role::Resident {
        return Ok(Redirect::to("/").into_response());
    }
    render(&my_points_page(&state, &auth, &q.done, String::new()).await?)
}

/// `POST /r/redemptions/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let p = points_text(auth.lang);
    let reason = form.get("reason").map(str::trim).filter(|r| !r.is_empty()).unwrap_or(p.cancel_reason_default);
    let result = async {
        let rid = redemption_id(&id)?;
        state
            .store
            .redemption_action(&auth.principal, rid, RedemptionMove::Cancel { reason: reason.to_owned() }, Utc::now())
            .await
            .map_err(|e| for_redemption(e.into()))
    }
    .await;
    answer_form_when(
        auth.lang,
        auth.user.role == Role::Resident,
        result,
        |_| "/r/points?done=cancel".to_owned(),
        async |message| my_points_page(&state, &auth, "", message).await,
    )
    .await
}

/// Goods as the shop shows them.
#[derive(Debug)]
pub struct GoodsCard {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Price.
    pub price: i64,
    /// On the shelf.
    pub stock: i64,
    /// The resident can afford one.
    pub affordable: bool,
}

/// `GET /r/shop`.
#[derive(Template)]
#[template(path = "pages/my_shop.html")]
pub struct ShopPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// Balance.
    pub balance: i64,
    /// Shops to choose from.
    pub shops: Vec<OptGroup>,
    /// The shop shown: code and name.
    pub area: String,
    /// Its name.
    pub area_name: String,
    /// Its goods.
    pub goods: Vec<GoodsCard>,
    /// A fresh id for the redeem forms, so a double submission redeems once.
    pub request_id: String,
    /// A refusal, or empty.
    pub error: String,
}

/// `?area=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShopQuery {
    /// The shop's area.
    pub area: String,
}

async fn shop_page(state: &AppState, auth: &Auth, wanted: &str, error: String) -> Result<ShopPage, ApiError> {
    let lang = auth.lang;
    let mut names = Names::new(&state.store, lang);
    let shops = state.store.shop_areas().await?;
    let mine = state.store.volunteer_of_user(auth.user.id).await?.map(|v| v.area_code);
    let area = AreaCode::parse(wanted)
        .ok()
        .filter(|a| shops.contains(a))
        .or_else(|| mine.filter(|m| shops.contains(m)))
        .or_else(|| shops.first().cloned());
    let balance = state.store.balance(&Account::Member(auth.user.id)).await?;
    let (code, area_name, goods) = match &area {
        Some(a) => {
            let goods = state
                .store
                .shop(a)
                .await?
                .into_iter()
                .map(|g| GoodsCard {
                    id: g.id.to_string(),
                    affordable: g.price.get() <= balance,
                    name: g.name,
                    description: g.description,
                    price: g.price.get(),
                    stock: g.stock,
                })
                .collect();
            (a.to_string(), names.area_path(a).await, goods)
        }
        None => (String::new(), String::new(), Vec::new()),
    };
    let root = city_root(state).await?;
    let shops = community_groups(state, &mut names, &root, &code, Some(&shops)).await?;
    Ok(ShopPage {
        chrome: Chrome::for_user(auth, "/r/shop"),
        p: points_text(lang),
        balance,
        shops,
        area: code,
        area_name,
        goods,
        request_id: uuid_text(),
        error,
    })
}

fn uuid_text() -> String {
    shiyu_domain::ids::RedemptionId::new().0.simple().to_string()
}

/// `GET /r/shop`; staff are sent to the shop's management page.
pub async fn shop(State(state): State<AppState>, auth: Auth, Query(q): Query<ShopQuery>) -> Result<Response, ApiError> {
    if auth.user.role != Role::Resident {
        return Ok(Redirect::to("/shop").into_response());
    }
    render(&shop_page(&state, &auth, &q.area, String::new()).await?)
}

/// `POST /r/shop/redeem`.
pub async fn redeem(State(state): State<AppState>, auth: Auth, RawForm(raw): RawForm) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let body = RedeemBody {
        goods_id: get("goods_id"),
        quantity: Value::String(get("quantity")),
        request_id: get("request_id"),
    };
    let result = async {
        let (goods, quantity) = redeem_input(&body)?;
        Ok::<_, ApiError>(
            state.store.redeem(&auth.principal, goods, quantity, Some(body.request_id.as_str()), Utc::now()).await?,
        )
    }
    .await;
    answer_form_when(
        auth.lang,
        auth.user.role == Role::Resident,
        result,
        |_| "/r/points?done=redeem".to_owned(),
        async |message| shop_page(&state, &auth, &get("area"), message).await,
    )
    .await
}

/// An activity line.
#[derive(Debug)]
pub struct ActivityRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind label.
    pub kind: &'static str,
    /// When, e.g. `2026-11-21 09:00–11:30`.
    pub when: String,
    /// Where.
    pub place: String,
    /// Area name.
    pub area: String,
    /// `3/10`.
    pub places: String,
    /// State wire name.
    pub state: &'static str,
    /// State label.
    pub state_label: &'static str,
    /// The reader signed up.
    pub mine: bool,
    /// Attendance text, or empty.
    pub attended: String,
    /// May still sign up.
    pub can_sign_up: bool,
    /// May still withdraw.
    pub can_withdraw: bool,
}

/// `2026-11-21 09:00–11:30` (the end's date only when it differs).
pub fn when(a: &ActivityRecord) -> String {
    let (s, e) = (show(a.starts_at), show(a.ends_at));
    match (s.split_once(' '), e.split_once(' ')) {
        (Some((sd, _)), Some((ed, et))) if sd == ed => format!("{s}–{et}"),
        _ => format!("{s} – {e}"),
    }
}

pub(crate) async fn activity_row(
    names: &mut Names<'_>,
    lang: Lang,
    a: &ActivityRecord,
    mine: bool,
    attended: Option<Attended>,
    p: &PointsText,
) -> ActivityRow {
    let now = Utc::now();
    ActivityRow {
        id: a.id.to_string(),
        title: a.title.clone(),
        kind: lang.pick(a.kind.label_zh(), a.kind.label_en()),
        when: when(a),
        place: a.place.clone(),
        area: names.area(a.area_code.as_str()).await,
        places: format!("{}/{}", a.signed_up, a.capacity),
        state: a.state.as_str(),
        state_label: lang.pick(a.state.label_zh(), a.state.label_en()),
        mine,
        attended: attended
            .map(|x| {
                format!(
                    "{} {} {} · {}{}",
                    p.attended,
                    x.minutes.hours_text(),
                    p.hours_unit,
                    signed(x.points),
                    p.points_unit
                )
            })
            .unwrap_or_default(),
        can_sign_up: !mine && a.state == ActivityState::Open && now < a.ends_at,
        can_withdraw: mine
            && attended.is_none()
            && matches!(a.state, ActivityState::Open | ActivityState::Full)
            && now < a.starts_at,
    }
}

/// `GET /r/volunteer`.
#[derive(Template)]
#[template(path = "pages/my_volunteer.html")]
pub struct VolunteerPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// The record, if registered.
    pub volunteer: Option<VolunteerView>,
    /// Their community's name.
    pub community: String,
    /// Standing.
    pub standing: Standing,
    /// Registration form values.
    pub v: RegisterBody,
    /// Communities to choose from.
    pub communities: Vec<OptGroup>,
    /// Activities open for sign-up.
    pub upcoming: Vec<ActivityRow>,
    /// Their activities.
    pub mine: Vec<ActivityRow>,
    /// What was just done, or empty.
    pub done: String,
    /// A refusal, or empty.
    pub error: String,
}

async fn volunteer_page(
    state: &AppState,
    auth: &Auth,
    v: RegisterBody,
    done: &str,
    error: String,
) -> Result<VolunteerPage, ApiError> {
    let lang = auth.lang;
    let p = points_text(lang);
    let mut names = Names::new(&state.store, lang);
    let volunteer = state.store.volunteer_of_user(auth.user.id).await?;
    let (communities, community) = match &volunteer {
        None => {
            (community_groups(state, &mut names, &city_root(state).await?, &v.area_code, None).await?, String::new())
        }
        Some(me) => (Vec::new(), names.area_path(&me.area_code).await),
    };
    let mut mine = Vec::new();
    let mut mine_ids = Vec::new();
    if volunteer.is_some() {
        for (a, att) in state.store.my_activities(auth.user.id, 100).await? {
            mine_ids.push(a.id);
            mine.push(activity_row(&mut names, lang, &a, true, att, p).await);
        }
    }
    // A volunteer sees what is on around their community (its street); others, everything.
    let near = volunteer.as_ref().and_then(|v| v.area_code.ancestor_at(AreaLevel::Street));
    let filter = ActivityFilter { area: near, upcoming: true, limit: 100 };
    let mut upcoming = Vec::new();
    for a in state.store.activities(&auth.principal, &filter, Utc::now()).await? {
        if !mine_ids.contains(&a.id) {
            upcoming.push(activity_row(&mut names, lang, &a, false, None, p).await);
        }
    }
    Ok(VolunteerPage {
        chrome: Chrome::for_user(auth, "/r/volunteer"),
        p,
        standing: standing(state, lang, volunteer.as_ref()).await?,
        volunteer,
        community,
        v,
        communities,
        upcoming,
        mine,
        done: match done {
            "register" => p.done_register.to_owned(),
            "sign_up" => p.done_sign_up.to_owned(),
            "withdraw" => p.done_withdraw.to_owned(),
            _ => String::new(),
        },
        error,
    })
}

/// `GET /r/volunteer`; staff are sent to theirs.
pub async fn volunteer(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    if auth.user.role != Role::Resident {
        return Ok(Redirect::to("/volunteers").into_response());
    }
    let v = RegisterBody { name: auth.user.name.clone(), ..RegisterBody::default() };
    render(&volunteer_page(&state, &auth, v, &q.done, String::new()).await?)
}

/// `POST /r/volunteer`.
pub async fn register(State(state): State<AppState>, auth: Auth, RawForm(raw): RawForm) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let get = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let v = RegisterBody {
        name: get("name"),
        phone: get("phone"),
        area_code: get("area_code"),
        skills: get("skills"),
        consent: Value::String(get("consent")),
    };
    let result = async {
        let reg = v.parse()?;
        Ok::<_, ApiError>(state.store.register_volunteer(&auth.principal, reg, Utc::now()).await?)
    }
    .await;
    answer_form_when(
        auth.lang,
        auth.user.role == Role::Resident,
        result,
        |_| "/r/volunteer?done=register".to_owned(),
        async |message| volunteer_page(&state, &auth, v, "", message).await,
    )
    .await
}

/// `POST /r/activities/{id}/{sign_up|withdraw}`.
pub async fn activity_action(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = async {
        let aid = activity_id(&id)?;
        let action = match action.as_str() {
            "sign_up" => ActivityAction::SignUp,
            "withdraw" => ActivityAction::Withdraw,
            _ => return Err(ApiError::invalid("move", "unknown_value")),
        };
        state.store.activity_action(&auth.principal, aid, action, Utc::now()).await.map_err(|e| for_activity(e.into()))
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/r/volunteer?done={action}")).into_response()),
        Err(e) if fixable(&e) && auth.user.role == Role::Resident => {
            let message = e.message(auth.lang);
            let v = RegisterBody { name: auth.user.name.clone(), ..RegisterBody::default() };
            render_status(status_of(&e), &volunteer_page(&state, &auth, v, "", message).await?)
        }
        Err(e) => Err(e),
    }
}
