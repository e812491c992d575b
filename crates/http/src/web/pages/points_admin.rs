//! Volunteer and points pages for community staff (operators and leaders of their area, and
//! administrators):
//!
//! - `GET /volunteers`: volunteers of the area (phones masked), hours and star levels, teams;
//!   `POST /volunteers/teams` makes a team, `POST /volunteers/members` adds a volunteer to one.
//! - `GET /activities`: the area's activities and a form for a new one (`POST /activities`);
//!   `GET /activities/{id}`: who signed up, attendance (paying hours and points), closing and
//!   cancelling (`POST /activities/{id}/moves/{attend|close|cancel}`).
//! - `GET /shop`: goods and stock (`POST /shop/goods`, `POST /shop/goods/{id}/stock`) and the
//!   reservations waiting at the counter (`POST /shop/redemptions/{id}/{hand_over|cancel}`).
//! - `GET /points?area=`: the earning rules in force at an area (`POST /points/rules` sets them)
//!   and the ledger of the staff member's area.
//!
//! Forms become the bodies the JSON API takes and go through its parsers.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde_json::Value;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::ResultKind;
use shiyu_domain::ids::{GoodsId, TeamId, VolunteerId};
use shiyu_domain::points::access::{PointsAct, points_root};
use shiyu_domain::points::{ActivityKind, ActivityState, RedemptionMove, RedemptionState};
use shiyu_domain::time::show;
use shiyu_storage::points::activities::{ActivityAction, ActivityFilter};

use super::my_points::{ActivityRow, DoneQuery, RedemptionRow, activity_row, kind_label, signed};
use crate::api::points::{GoodsBody, RulesBody, StockBody, for_redemption, redemption_id};
use crate::api::volunteers::{ActivityBody, ActivityMoveBody, TeamBody, activity_id, for_activity, required_int};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::forms::FormData;
use crate::web::layout::{Chrome, answer_form_when, fixable, render, render_status, status_of};
use crate::web::names::Names;
use crate::web::points_text::{PointsText, points_text};
use crate::web::views::{Opt, OptGroup};

fn staff_root(auth: &Auth) -> Result<AreaCode, ApiError> {
    points_root(&auth.principal, PointsAct::Manage).ok_or(ApiError::Forbidden)
}

/// Areas at community level and above inside `root`, grouped by street, as choices.
async fn areas_above_grids(
    state: &AppState,
    names: &mut Names<'_>,
    root: &AreaCode,
    current: &str,
) -> Result<Vec<OptGroup>, ApiError> {
    let all = state.store.areas_within(root).await?;
    names.know_areas(all.iter().map(|a| (a.code.as_str(), a.name.as_str())));
    let mut groups: Vec<OptGroup> = Vec::new();
    for a in all.iter().filter(|a| a.level <= AreaLevel::Community) {
        let heading = match a.code.ancestor_at(AreaLevel::District) {
            Some(d) => names.area_path(&d).await,
            None => String::new(),
        };
        if groups.last().is_none_or(|g| g.label != heading) {
            groups.push(OptGroup { label: heading, options: Vec::new() });
        }
        let label = if a.level == AreaLevel::Community {
            match &a.parent {
                Some(p) => format!("{} › {}", names.area(p.as_str()).await, a.name),
                None => a.name.clone(),
            }
        } else {
            a.name.clone()
        };
        if let Some(g) = groups.last_mut() {
            g.options.push(Opt::new(a.code.as_str(), label, current));
        }
    }
    Ok(groups)
}

/// A volunteer line.
#[derive(Debug)]
pub struct VolunteerRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Masked phone.
    pub phone: String,
    /// Community name.
    pub community: String,
    /// Hours.
    pub hours: String,
    /// Stars.
    pub stars: String,
    /// Teams.
    pub teams: String,
}

/// A team line.
#[derive(Debug)]
pub struct TeamRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Area name.
    pub area: String,
    /// Description.
    pub description: String,
    /// Members' names.
    pub members: String,
}

/// `GET /volunteers`.
#[derive(Template)]
#[template(path = "pages/volunteers.html")]
pub struct VolunteersPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// Volunteers.
    pub volunteers: Vec<VolunteerRow>,
    /// Teams.
    pub teams: Vec<TeamRow>,
    /// Areas for a new team.
    pub areas: Vec<OptGroup>,
    /// Teams to add to.
    pub team_options: Vec<Opt>,
    /// Volunteers to add.
    pub volunteer_options: Vec<Opt>,
    /// Typed values of the team form.
    pub v: TeamBody,
    /// What was just done.
    pub done: String,
    /// A refusal.
    pub error: String,
}

async fn volunteers_page(
    state: &AppState,
    auth: &Auth,
    v: TeamBody,
    done: &str,
    error: String,
) -> Result<VolunteersPage, ApiError> {
    let root = staff_root(auth)?;
    let lang = auth.lang;
    let p = points_text(lang);
    let mut names = Names::new(&state.store, lang);
    let list = state.store.volunteers(&auth.principal, None, 2000).await?;
    let mut volunteers = Vec::with_capacity(list.len());
    for x in &list {
        volunteers.push(VolunteerRow {
            id: x.id.to_string(),
            name: x.name.clone(),
            phone: x.phone_masked.clone(),
            community: names.area(x.area_code.as_str()).await,
            hours: x.hours.clone(),
            stars: format!("{} {}", x.stars.glyphs(), lang.pick(&x.stars.label_zh(), &x.stars.label_en())),
            teams: x.teams.join("、"),
        });
    }
    let team_list = state.store.teams(&auth.principal, None).await?;
    let mut teams = Vec::with_capacity(team_list.len());
    for t in &team_list {
        teams.push(TeamRow {
            id: t.id.to_string(),
            name: t.name.clone(),
            area: names.area(t.area_code.as_str()).await,
            description: t.description.clone(),
            members: t.members.iter().map(|m| m.1.as_str()).collect::<Vec<_>>().join("、"),
        });
    }
    Ok(VolunteersPage {
        chrome: Chrome::for_user(auth, "/volunteers"),
        p,
        areas: areas_above_grids(state, &mut names, &root, &v.area_code).await?,
        team_options: team_list.iter().map(|t| Opt::new(t.id.to_string(), t.name.clone(), "")).collect(),
        volunteer_options: list
            .iter()
            .map(|x| Opt::new(x.id.to_string(), format!("{} {}", x.name, x.phone_masked), ""))
            .collect(),
        volunteers,
        teams,
        v,
        done: if done.is_empty() { String::new() } else { p.done_team.to_owned() },
        error,
    })
}

/// `GET /volunteers`.
pub async fn volunteers(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    render(&volunteers_page(&state, &auth, TeamBody::default(), &q.done, String::new()).await?)
}

fn text_of(form: &FormData, key: &str) -> String {
    form.get(key).unwrap_or_default().to_owned()
}

/// `POST /volunteers/teams`.
pub async fn create_team(
    State(state): State<AppState>,
    auth: Auth,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let v = TeamBody {
        name: text_of(&form, "name"),
        area_code: text_of(&form, "area_code"),
        description: text_of(&form, "description"),
    };
    let result = async {
        let plan = v.parse()?;
        Ok::<_, ApiError>(state.store.create_team(&auth.principal, plan, Utc::now()).await?)
    }
    .await;
    answer_form_when(
        auth.lang,
        points_root(&auth.principal, PointsAct::Manage).is_some(),
        result,
        |_| "/volunteers?done=team".to_owned(),
        async |message| volunteers_page(&state, &auth, v, "", message).await,
    )
    .await
}

/// `POST /volunteers/members`: a volunteer (`volunteer_id`) joins a team (`team`).
pub async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let result = async {
        let team = text_of(&form, "team");
        if team.trim().is_empty() {
            return Err(ApiError::invalid("team", "required"));
        }
        let team = TeamId::parse(team.trim()).map_err(|_| ApiError::invalid("team", "not_a_uuid"))?;
        let vid = text_of(&form, "volunteer_id");
        if vid.trim().is_empty() {
            return Err(ApiError::invalid("volunteer", "required"));
        }
        let volunteer = VolunteerId::parse(vid.trim()).map_err(|_| ApiError::invalid("volunteer", "not_a_uuid"))?;
        Ok(state.store.add_team_member(&auth.principal, team, volunteer, Utc::now()).await?)
    }
    .await;
    answer_form_when(
        auth.lang,
        points_root(&auth.principal, PointsAct::Manage).is_some(),
        result,
        |_| "/volunteers?done=member".to_owned(),
        async |message| volunteers_page(&state, &auth, TeamBody::default(), "", message).await,
    )
    .await
}

/// `GET /activities`.
#[derive(Template)]
#[template(path = "pages/activities.html")]
pub struct ActivitiesPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// The area's activities.
    pub rows: Vec<ActivityRow>,
    /// Areas for a new one.
    pub areas: Vec<OptGroup>,
    /// Kinds.
    pub kinds: Vec<Opt>,
    /// Teams.
    pub teams: Vec<Opt>,
    /// Typed values.
    pub v: ActivityBody,
    /// A refusal.
    pub error: String,
}

async fn activities_page(
    state: &AppState,
    auth: &Auth,
    v: ActivityBody,
    error: String,
) -> Result<ActivitiesPage, ApiError> {
    let root = staff_root(auth)?;
    let lang = auth.lang;
    let p = points_text(lang);
    let mut names = Names::new(&state.store, lang);
    let filter = ActivityFilter { area: None, upcoming: false, limit: 300 };
    let mut rows = Vec::new();
    for a in state.store.activities(&auth.principal, &filter, Utc::now()).await? {
        rows.push(activity_row(&mut names, lang, &a, false, None, p).await);
    }
    let teams = state
        .store
        .teams(&auth.principal, None)
        .await?
        .into_iter()
        .map(|t| Opt::new(t.id.to_string(), t.name, &v.team_id))
        .collect();
    Ok(ActivitiesPage {
        chrome: Chrome::for_user(auth, "/volunteers"),
        p,
        rows,
        areas: areas_above_grids(state, &mut names, &root, &v.area_code).await?,
        kinds: ActivityKind::ALL
            .iter()
            .map(|k| Opt::new(k.as_str(), lang.pick(k.label_zh(), k.label_en()), &v.kind))
            .collect(),
        teams,
        v,
        error,
    })
}

/// `GET /activities`.
pub async fn activities(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    let v = ActivityBody { kind: "service".into(), capacity: Value::String("10".into()), ..ActivityBody::default() };
    render(&activities_page(&state, &auth, v, String::new()).await?)
}

/// `POST /activities`.
pub async fn create_activity(
    State(state): State<AppState>,
    auth: Auth,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let v = ActivityBody {
        title: text_of(&form, "title"),
        description: text_of(&form, "description"),
        place: text_of(&form, "place"),
        kind: text_of(&form, "kind"),
        area_code: text_of(&form, "area_code"),
        starts_at: text_of(&form, "starts_at"),
        ends_at: text_of(&form, "ends_at"),
        capacity: Value::String(text_of(&form, "capacity")),
        team_id: text_of(&form, "team_id"),
    };
    let result = async {
        let (plan, team) = v.parse()?;
        Ok::<_, ApiError>(state.store.create_activity(&auth.principal, plan, team, Utc::now()).await?)
    }
    .await;
    answer_form_when(
        auth.lang,
        points_root(&auth.principal, PointsAct::Manage).is_some(),
        result,
        |a| format!("/activities/{}", a.id),
        async |message| activities_page(&state, &auth, v, message).await,
    )
    .await
}

/// A volunteer signed up, as the activity page shows them.
#[derive(Debug)]
pub struct SignUpRow {
    /// Volunteer id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Masked phone.
    pub phone: String,
    /// Signed up at.
    pub at: String,
    /// What attendance earned, or empty.
    pub attended: String,
}

/// `GET /activities/{id}`.
#[derive(Template)]
#[template(path = "pages/activity.html")]
pub struct ActivityPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Line of facts.
    pub row: ActivityRow,
    /// Description.
    pub description: String,
    /// Cancellation reason.
    pub note: String,
    /// Team name.
    pub team: String,
    /// Who signed up.
    pub signups: Vec<SignUpRow>,
    /// Attendance may be recorded now.
    pub can_attend: bool,
    /// May be closed now.
    pub can_close: bool,
    /// May be cancelled now.
    pub can_cancel: bool,
    /// Default minutes (the whole activity).
    pub length: u32,
    /// What was just done.
    pub done: String,
    /// A refusal.
    pub error: String,
}

async fn activity_page(
    state: &AppState,
    auth: &Auth,
    id: &str,
    done: &str,
    error: String,
) -> Result<ActivityPage, ApiError> {
    staff_root(auth)?;
    let lang = auth.lang;
    let p = points_text(lang);
    let d = state.store.activity(&auth.principal, activity_id(id)?).await?;
    if !d.manages {
        return Err(ApiError::NotFound("activity".into()));
    }
    let a = &d.activity;
    let mut names = Names::new(&state.store, lang);
    let row = activity_row(&mut names, lang, a, false, None, p).await;
    let now = Utc::now();
    let open = matches!(a.state, ActivityState::Open | ActivityState::Full | ActivityState::Held);
    Ok(ActivityPage {
        chrome: Chrome::for_user(auth, "/volunteers"),
        p,
        id: a.id.to_string(),
        title: a.title.clone(),
        description: a.description.clone(),
        note: a.note.clone(),
        team: a.team.as_ref().map(|t| t.1.clone()).unwrap_or_default(),
        signups: d
            .signups
            .iter()
            .map(|s| SignUpRow {
                id: s.volunteer_id.to_string(),
                name: s.name.clone(),
                phone: s.phone_masked.clone(),
                at: show(s.signed_up_at),
                attended: s
                    .attended
                    .map(|x| {
                        format!("{} {} · {}{}", x.minutes.hours_text(), p.hours_unit, signed(x.points), p.points_unit)
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        can_attend: open && now >= a.starts_at,
        can_close: a.state == ActivityState::Held,
        can_cancel: matches!(a.state, ActivityState::Open | ActivityState::Full),
        length: u32::try_from((a.ends_at - a.starts_at).num_minutes().max(0)).unwrap_or(0),
        row,
        done: match done {
            "attend" => p.done_attend.to_owned(),
            "close" => p.done_close.to_owned(),
            "cancel" => p.done_cancel_activity.to_owned(),
            _ => String::new(),
        },
        error,
    })
}

/// `GET /activities/{id}`.
pub async fn activity(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ApiError> {
    render(&activity_page(&state, &auth, &id, &q.done, String::new()).await?)
}

/// `POST /activities/{id}/moves/{attend|close|cancel}`.
pub async fn activity_move(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let result = async {
        if !matches!(name.as_str(), "attend" | "close" | "cancel") {
            return Err(ApiError::invalid("move", "unknown_value"));
        }
        let body = ActivityMoveBody {
            mv: name.clone(),
            volunteer_id: text_of(&form, "volunteer_id"),
            minutes: Value::String(text_of(&form, "minutes")),
            reason: text_of(&form, "reason"),
        };
        let aid = activity_id(&id)?;
        let action: ActivityAction = body.parse()?;
        state.store.activity_action(&auth.principal, aid, action, Utc::now()).await.map_err(|e| for_activity(e.into()))
    }
    .await;
    answer_form_when(
        auth.lang,
        points_root(&auth.principal, PointsAct::Manage).is_some(),
        result,
        |_| format!("/activities/{id}?done={name}"),
        async |message| activity_page(&state, &auth, &id, "", message).await,
    )
    .await
}

/// A good as the shop page shows it.
#[derive(Debug)]
pub struct GoodsRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Shop area name.
    pub area: String,
    /// Price.
    pub price: i64,
    /// On the shelf.
    pub stock: i64,
    /// Reserved.
    pub reserved: i64,
    /// Handed over.
    pub handed: i64,
}

/// `GET /shop`.
#[derive(Template)]
#[template(path = "pages/shop_admin.html")]
pub struct ShopAdminPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// Goods.
    pub goods: Vec<GoodsRow>,
    /// Reservations waiting.
    pub pending: Vec<RedemptionRow>,
    /// Areas for new goods.
    pub areas: Vec<OptGroup>,
    /// Typed values.
    pub v: GoodsBody,
    /// What was just done.
    pub done: String,
    /// A refusal.
    pub error: String,
}

async fn shop_admin_page(
    state: &AppState,
    auth: &Auth,
    v: GoodsBody,
    done: &str,
    error: String,
) -> Result<ShopAdminPage, ApiError> {
    let root = staff_root(auth)?;
    let lang = auth.lang;
    let p = points_text(lang);
    let mut names = Names::new(&state.store, lang);
    let mut goods = Vec::new();
    for g in state.store.goods_managed(&auth.principal, None).await? {
        goods.push(GoodsRow {
            id: g.id.to_string(),
            area: names.area(g.area_code.as_str()).await,
            name: g.name,
            price: g.price.get(),
            stock: g.stock,
            reserved: g.reserved,
            handed: g.handed,
        });
    }
    let mut pending = Vec::new();
    for r in state.store.redemptions_managed(&auth.principal, None, Some(RedemptionState::Reserved), 300).await? {
        let shop = names.area(r.area_code.as_str()).await;
        pending.push(RedemptionRow {
            id: r.id.to_string(),
            goods: r.goods_name.clone(),
            quantity: r.quantity,
            points: r.points,
            code: String::new(),
            state: r.state.as_str(),
            state_label: lang.pick(r.state.label_zh(), r.state.label_en()),
            shop,
            member: r.member_name.clone(),
            at: show(r.created_at),
            reserved: true,
        });
    }
    Ok(ShopAdminPage {
        chrome: Chrome::for_user(auth, "/shop"),
        p,
        goods,
        pending,
        areas: areas_above_grids(state, &mut names, &root, &v.area_code).await?,
        v,
        done: match done {
            "goods" => p.done_goods.to_owned(),
            "stock" => p.done_stock.to_owned(),
            "hand_over" => p.done_hand_over.to_owned(),
            "cancel" => p.done_cancel.to_owned(),
            _ => String::new(),
        },
        error,
    })
}

/// `GET /shop`.
pub async fn shop(State(state): State<AppState>, auth: Auth, Query(q): Query<DoneQuery>) -> Result<Response, ApiError> {
    render(&shop_admin_page(&state, &auth, GoodsBody::default(), &q.done, String::new()).await?)
}

async fn shop_refused(state: &AppState, auth: &Auth, v: GoodsBody, e: ApiError) -> Result<Response, ApiError> {
    if fixable(&e) && points_root(&auth.principal, PointsAct::Manage).is_some() {
        let message = e.message(auth.lang);
        render_status(status_of(&e), &shop_admin_page(state, auth, v, "", message).await?)
    } else {
        Err(e)
    }
}

/// `POST /shop/goods`.
pub async fn create_goods(
    State(state): State<AppState>,
    auth: Auth,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let v = GoodsBody {
        area_code: text_of(&form, "area_code"),
        name: text_of(&form, "name"),
        description: text_of(&form, "description"),
        price: Value::String(text_of(&form, "price")),
        stock: Value::String(text_of(&form, "stock")),
    };
    let result = async {
        let plan = v.parse()?;
        Ok::<_, ApiError>(state.store.create_goods(&auth.principal, plan, Utc::now()).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/shop?done=goods").into_response()),
        Err(e) => shop_refused(&state, &auth, v, e).await,
    }
}

/// `POST /shop/goods/{id}/stock`.
pub async fn change_stock(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let body = StockBody { delta: Value::String(text_of(&form, "delta")), reason: text_of(&form, "reason") };
    let result = async {
        let goods = GoodsId::parse(&id).map_err(|_| ApiError::NotFound("goods".into()))?;
        let delta = required_int("stock", &body.delta)?;
        Ok::<_, ApiError>(state.store.change_stock(&auth.principal, goods, delta, &body.reason, Utc::now()).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/shop?done=stock").into_response()),
        Err(e) => shop_refused(&state, &auth, GoodsBody::default(), e).await,
    }
}

/// `POST /shop/redemptions/{id}/{hand_over|cancel}`.
pub async fn redemption_action(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, action)): Path<(String, String)>,
    RawForm(raw): RawForm,
) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let result = async {
        let mv = match action.as_str() {
            "hand_over" => {
                let code = text_of(&form, "code");
                if code.trim().is_empty() {
                    return Err(ApiError::invalid("pickup_code", "required"));
                }
                RedemptionMove::HandOver { code }
            }
            "cancel" => RedemptionMove::Cancel { reason: text_of(&form, "reason") },
            _ => return Err(ApiError::invalid("move", "unknown_value")),
        };
        let rid = redemption_id(&id)?;
        state.store.redemption_action(&auth.principal, rid, mv, Utc::now()).await.map_err(|e| for_redemption(e.into()))
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/shop?done={action}")).into_response()),
        Err(e) => shop_refused(&state, &auth, GoodsBody::default(), e).await,
    }
}

/// A ledger line.
#[derive(Debug)]
pub struct LedgerRow {
    /// When.
    pub at: String,
    /// Kind wire name.
    pub kind: &'static str,
    /// Kind label.
    pub kind_label: &'static str,
    /// Member's name.
    pub member: String,
    /// Area name.
    pub area: String,
    /// Amount moved.
    pub amount: i64,
    /// What for.
    pub memo: String,
    /// Postings, e.g. `issue:… −20 / member:… +20`.
    pub postings: String,
}

/// `GET /points`.
#[derive(Template)]
#[template(path = "pages/points_admin.html")]
pub struct PointsAdminPage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub p: &'static PointsText,
    /// The area whose rules are shown.
    pub areas: Vec<OptGroup>,
    /// Where the rules in force were set, or empty.
    pub set_at: String,
    /// Form values.
    pub v: RulesForm,
    /// Results to tick.
    pub results: Vec<(String, String, bool)>,
    /// The ledger.
    pub ledger: Vec<LedgerRow>,
    /// What was just done.
    pub done: String,
    /// A refusal.
    pub error: String,
}

/// The rules form's values.
#[derive(Debug, Default, Clone)]
pub struct RulesForm {
    /// Area.
    pub area_code: String,
    /// Points.
    pub report_true: String,
    /// Points.
    pub per_service_hour: String,
    /// Points.
    pub attendance: String,
    /// Hours.
    pub star_hours: String,
    /// Ticked results.
    pub true_results: Vec<String>,
}

fn account_label(lang: Lang, key: &str) -> String {
    let kind = key.split(':').next().unwrap_or(key);
    match kind {
        "issue" => lang.pick("发放", "issued").to_owned(),
        "member" => lang.pick("个人", "member").to_owned(),
        "held" => lang.pick("待领取", "held").to_owned(),
        "spent" => lang.pick("已兑换", "spent").to_owned(),
        other => other.to_owned(),
    }
}

async fn points_admin_page(
    state: &AppState,
    auth: &Auth,
    v: Option<RulesForm>,
    wanted: &str,
    done: &str,
    error: String,
) -> Result<PointsAdminPage, ApiError> {
    let root = staff_root(auth)?;
    let lang = auth.lang;
    let p = points_text(lang);
    let mut names = Names::new(&state.store, lang);
    let (v, set_at) = match v {
        Some(v) => (v, String::new()),
        None => {
            // The area asked for, if it is the staff member's; else their own.
            let at = AreaCode::parse(wanted).ok().filter(|a| a.is_within(&root)).unwrap_or_else(|| root.clone());
            let force = state.store.point_rules(&at).await?;
            let set_at = match &force.set_at {
                Some(a) => format!("{}{}{}", p.rules_set_at, p.colon, names.area_path(a).await),
                None => p.rules_default.to_owned(),
            };
            let r = force.rules;
            (
                RulesForm {
                    area_code: at.to_string(),
                    report_true: r.report_true.to_string(),
                    per_service_hour: r.per_service_hour.to_string(),
                    attendance: r.attendance.to_string(),
                    star_hours: r.star_hours.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
                    true_results: r.true_results.iter().map(|x| x.as_str().to_owned()).collect(),
                },
                set_at,
            )
        }
    };
    let results = ResultKind::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_owned(),
                lang.pick(r.label_zh(), r.label_en()).to_owned(),
                v.true_results.iter().any(|x| x == r.as_str()),
            )
        })
        .collect();
    let mut ledger = Vec::new();
    for l in state.store.ledger(&auth.principal, None, 200).await? {
        ledger.push(LedgerRow {
            at: show(l.at),
            kind: l.kind.as_str(),
            kind_label: kind_label(lang, l.kind),
            member: l.member.map(|m| m.1).unwrap_or_default(),
            area: names.area(&l.area_code).await,
            amount: l.amount,
            memo: l.memo,
            postings: l
                .postings
                .iter()
                .map(|(k, a)| format!("{} {}", account_label(lang, k), signed(*a)))
                .collect::<Vec<_>>()
                .join(" / "),
        });
    }
    Ok(PointsAdminPage {
        chrome: Chrome::for_user(auth, "/volunteers"),
        p,
        areas: areas_above_grids(state, &mut names, &root, &v.area_code).await?,
        set_at,
        v,
        results,
        ledger,
        done: if done == "rules" { p.done_rules.to_owned() } else { String::new() },
        error,
    })
}

/// `?area=&done=`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PointsQuery {
    /// The area whose rules to show (default: the staff member's own).
    pub area: String,
    /// What was just done.
    pub done: String,
}

/// `GET /points?area=`.
pub async fn points(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PointsQuery>,
) -> Result<Response, ApiError> {
    render(&points_admin_page(&state, &auth, None, &q.area, &q.done, String::new()).await?)
}

/// `POST /points/rules`.
pub async fn set_rules(State(state): State<AppState>, auth: Auth, RawForm(raw): RawForm) -> Result<Response, ApiError> {
    let form = FormData::parse(&raw);
    let v = RulesForm {
        area_code: text_of(&form, "area_code"),
        report_true: text_of(&form, "report_true"),
        per_service_hour: text_of(&form, "per_service_hour"),
        attendance: text_of(&form, "attendance"),
        star_hours: text_of(&form, "star_hours"),
        true_results: form.all("true_results").into_iter().map(str::to_owned).collect(),
    };
    let body = RulesBody {
        area_code: v.area_code.clone(),
        report_true: Value::String(v.report_true.clone()),
        per_service_hour: Value::String(v.per_service_hour.clone()),
        attendance: Value::String(v.attendance.clone()),
        true_results: v.true_results.clone(),
        star_hours: Value::String(v.star_hours.clone()),
    };
    let result = async {
        let (area, rules) = body.parse()?;
        Ok::<_, ApiError>(state.store.set_point_rules(&auth.principal, &area, rules, Utc::now()).await?)
    }
    .await;
    let done = |r: shiyu_storage::points::rules::RulesInForce| {
        format!("/points?area={}&done=rules", r.set_at.map(|a| a.to_string()).unwrap_or_default())
    };
    let may_show = points_root(&auth.principal, PointsAct::Manage).is_some();
    answer_form_when(auth.lang, may_show, result, done, async |message| {
        points_admin_page(&state, &auth, Some(v), "", "", message).await
    })
    .await
}
