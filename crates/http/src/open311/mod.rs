//! Open311 GeoReport v2 at `/open311/v2/`, with mySociety's `servicerequestupdates` extension:
//! discovery, services (categories) and their definitions, requests filed and followed, tokens.
//! A request becomes a case on the normal path (placed by its point, registered through the
//! client's own staff account); what is listed keeps personal data back (see
//! [`shiyu_domain::open311`]). Errors are Open311 error lists whose code is the HTTP status,
//! described in the caller's language.

pub mod wire;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::any;
use chrono::Utc;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{CaseSnapshot, CategoryCode, Channel, GeoPoint, Intake, Ledger, Reporter, Urgency};
use shiyu_domain::open311::{
    self as rules, AttributeDef, Datatype, Params, Status, UPDATE_STATUSES, check_answers, parse_datetime, w3c,
};
use shiyu_domain::place::{Located, place};
use shiyu_storage::cases::ContactInput;
use shiyu_storage::open311::{Filing, Open311Client, RequestQuery};

use self::wire::{Format, V, error, ok};
use crate::error::ApiError;
use crate::i18n::{Lang, field_name, reason_text};
use crate::state::AppState;

/// The longest span `GET requests` answers, and its default (the specification's 90 days).
const MAX_SPAN_DAYS: i64 = 90;
/// At most this many requests per answer (the specification's 1000).
const MAX_REQUESTS: u32 = 1000;
/// The default window of `GET servicerequestupdates`.
const UPDATES_DEFAULT_DAYS: i64 = 7;

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/open311/v2/{*resource}", any(dispatch))
}

/// An Open311 refusal: HTTP status (= the error's code) and what went wrong.
struct Refusal(StatusCode, ApiError);

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        let status = match &e {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Forbidden | ApiError::Unauthenticated => StatusCode::FORBIDDEN,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self(status, e)
    }
}

impl From<shiyu_storage::StorageError> for Refusal {
    fn from(e: shiyu_storage::StorageError) -> Self {
        ApiError::from(e).into()
    }
}

fn bad(field: &str, reason: &str) -> Refusal {
    Refusal(StatusCode::BAD_REQUEST, ApiError::invalid(field, reason))
}

fn not_found(what: &str) -> Refusal {
    Refusal(StatusCode::NOT_FOUND, ApiError::NotFound(what.to_owned()))
}

async fn dispatch(
    State(state): State<AppState>,
    method: Method,
    Path(resource): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let lang = Lang::from_headers(&headers);
    let Some((path, format)) = Format::split(&resource) else {
        // No format to answer in: the specification's formats are named by the extension.
        let msg = lang.pick("请在资源名后加 .xml 或 .json", "Name the format: end the resource with .xml or .json");
        return error(StatusCode::NOT_FOUND, Format::Xml, msg);
    };
    let mut params = Params::parse(query.unwrap_or_default().as_bytes());
    if method == Method::POST {
        params.0.extend(Params::parse(&body).0);
    }
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_owned();
    let parts: Vec<&str> = path.split('/').collect();
    let res = match (&method, parts.as_slice()) {
        (&Method::GET, ["discovery"]) => Ok(discovery(format, &host)),
        (&Method::GET, ["services"]) => services(&state, format, lang).await,
        (&Method::GET, ["services", code]) => definition(&state, format, lang, code).await,
        (&Method::POST, ["requests"]) => post_request(&state, format, lang, &params).await,
        (&Method::GET, ["requests"]) => get_requests(&state, format, &params).await,
        (&Method::GET, ["requests", id]) => get_request(&state, format, &params, id).await,
        (&Method::GET, ["tokens", token]) => get_token(&state, format, token).await,
        (&Method::GET, ["servicerequestupdates"]) => get_updates(&state, format, &params).await,
        (&Method::POST, ["servicerequestupdates"]) => post_update(&state, format, &params).await,
        (
            _,
            ["discovery" | "services" | "requests" | "servicerequestupdates"] | ["services" | "requests" | "tokens", _],
        ) => Err(Refusal(StatusCode::BAD_REQUEST, ApiError::invalid("method", "unknown_value"))),
        _ => Err(not_found("resource")),
    };
    match res {
        Ok(r) => r,
        Err(Refusal(status, e)) => error(status, format, &describe(&e, lang)),
    }
}

/// The error's description in the caller's language, naming the field.
fn describe(e: &ApiError, lang: Lang) -> String {
    match e {
        ApiError::Invalid { field, reason } => {
            let f = match field.strip_prefix("attribute[") {
                Some(code) => format!("{}[{}", lang.pick("附加信息", "attribute"), code),
                None => open311_field(field, lang),
            };
            let r = open311_reason(reason, lang);
            match lang {
                Lang::Zh => format!("“{f}”{r}"),
                Lang::En => format!("The {f} {r}."),
            }
        }
        ApiError::NotFound(what) => match lang {
            Lang::Zh => format!("未找到{}", open311_field(what, lang)),
            Lang::En => format!("No such {}.", open311_field(what, lang)),
        },
        ApiError::Forbidden => lang.pick("api_key 缺失或无效", "The api_key is missing or invalid.").to_owned(),
        other => other.message(lang),
    }
}

fn open311_field(field: &str, lang: Lang) -> String {
    let (zh, en) = match field {
        "service_code" => ("服务代码", "service_code"),
        "service_request_id" => ("诉求编号", "service_request_id"),
        "lat" => ("纬度", "latitude"),
        "long" => ("经度", "longitude"),
        "location" => (
            "位置（lat 与 long、address_string 或 address_id）",
            "location (lat and long, address_string or address_id)",
        ),
        "address_id" => ("地址编号", "address_id"),
        "description" => ("描述", "description"),
        "media_url" => ("图片链接", "media_url"),
        "phone" => ("电话", "phone"),
        "start_date" => ("开始时间", "start_date"),
        "end_date" => ("结束时间", "end_date"),
        "status" => ("状态", "status"),
        "update_id" => ("更新编号", "update_id"),
        "updated_datetime" => ("更新时间", "updated_datetime"),
        "method" => ("请求方法", "method"),
        "resource" => ("资源", "resource"),
        "token" => ("令牌", "token"),
        "request" => ("诉求", "request"),
        other => return field_name(other, lang),
    };
    lang.pick(zh, en).to_owned()
}

fn open311_reason(reason: &str, lang: Lang) -> String {
    let (zh, en) = match reason {
        "not_a_number" => ("不是数字", "is not a number"),
        "not_a_datetime" => ("不是带时区的 ISO 8601 时间", "is not an ISO 8601 date-time with a time zone"),
        "not_a_choice" => ("不是可选值之一", "is not one of the choices"),
        "one_value_only" => ("只能填一个值", "takes one value only"),
        "one_line_only" => ("只能填一行", "takes one line only"),
        "unknown_attribute" => ("不是该服务的附加信息", "is not an attribute of this service"),
        "not_variable" => ("仅供说明，不接受填写", "is information only and takes no value"),
        "span_over_90_days" => ("时间跨度不能超过 90 天", "spans more than 90 days"),
        "before_start" => ("早于开始时间", "is before the start"),
        "not_a_url" => ("不是 http(s) 链接", "is not an http(s) URL"),
        "missing" => ("缺失", "is missing"),
        "unknown_value" => ("取值无效", "has an unknown value"),
        other => return reason_text(other, lang),
    };
    lang.pick(zh, en).to_owned()
}

fn discovery(format: Format, host: &str) -> Response {
    let endpoint = V::Obj(vec![
        ("specification", V::text("http://wiki.open311.org/GeoReport_v2")),
        ("url", V::text(format!("http://{host}/open311/v2"))),
        ("changeset", V::text(env!("CARGO_PKG_VERSION"))),
        ("type", V::text("production")),
        ("formats", V::List("format", vec![V::text("text/xml"), V::text("application/json")])),
    ]);
    ok(
        format,
        "discovery",
        &V::Obj(vec![
            ("changeset", V::text(env!("CARGO_PKG_VERSION"))),
            ("contact", V::text("市域社会治理中心 / the city's social-governance centre")),
            (
                "key_service",
                V::text("api_key 由系统管理员签发（shiyu open311-client）/ keys are issued by the administrator"),
            ),
            ("endpoints", V::List("endpoint", vec![endpoint])),
        ]),
    )
}

async fn services(state: &AppState, format: Format, lang: Lang) -> Result<Response, Refusal> {
    let cats = state.store.categories().await?;
    let with_attrs = state.store.categories_with_attributes().await?;
    let name = |code: &str| {
        cats.iter().find(|c| c.code.as_str() == code).map(|c| lang.pick(&c.name_zh, &c.name_en).to_owned())
    };
    let items = cats
        .iter()
        .map(|c| {
            let mut path = Vec::new();
            let mut at = Some(c.code.clone());
            while let Some(code) = at {
                path.push(name(code.as_str()).unwrap_or_default());
                at = code.parent();
            }
            path.reverse();
            let top = c.code.as_str().split('.').next().unwrap_or_default();
            V::Obj(vec![
                ("service_code", V::text(c.code.as_str())),
                ("service_name", V::text(lang.pick(&c.name_zh, &c.name_en))),
                ("description", V::text(path.join(" › "))),
                ("metadata", V::B(with_attrs.contains(c.code.as_str()))),
                ("type", V::text("realtime")),
                ("keywords", V::Null),
                ("group", V::opt(name(top))),
            ])
        })
        .collect();
    Ok(ok(format, "services", &V::List("service", items)))
}

/// The service's category, or 404.
async fn service(state: &AppState, code: &str) -> Result<CategoryCode, Refusal> {
    let code = CategoryCode::parse(code).map_err(|_| not_found("service_code"))?;
    if state.store.category_exists(&code).await? { Ok(code) } else { Err(not_found("service_code")) }
}

async fn definition(state: &AppState, format: Format, lang: Lang, code: &str) -> Result<Response, Refusal> {
    let code = service(state, code).await?;
    let attrs = state.store.service_attributes(code.as_str()).await?;
    let items = attrs.iter().map(|a| attribute(a, lang)).collect();
    Ok(ok(
        format,
        "service_definition",
        &V::Obj(vec![("service_code", V::text(code.as_str())), ("attributes", V::List("attribute", items))]),
    ))
}

fn attribute(a: &AttributeDef, _lang: Lang) -> V {
    let mut fields = vec![
        ("variable", V::B(a.variable)),
        ("code", V::text(a.code.as_str())),
        ("datatype", V::text(a.datatype.as_str())),
        ("required", V::B(a.required)),
        ("datatype_description", V::text(a.datatype_description.as_str())),
        ("order", V::I(i64::from(a.order))),
        ("description", V::text(a.description.as_str())),
    ];
    if matches!(a.datatype, Datatype::Singlevaluelist | Datatype::Multivaluelist) {
        let values = a
            .values
            .iter()
            .map(|c| V::Obj(vec![("key", V::text(c.key.as_str())), ("name", V::text(c.name.as_str()))]))
            .collect();
        fields.push(("values", V::List("value", values)));
    }
    V::Obj(fields)
}

/// The client holding the request's api_key, or 403.
async fn client(state: &AppState, params: &Params) -> Result<(Open311Client, shiyu_domain::scope::Principal), Refusal> {
    let key = params.get("api_key").ok_or(Refusal(StatusCode::FORBIDDEN, ApiError::Forbidden))?;
    state.store.open311_client(key).await?.ok_or(Refusal(StatusCode::FORBIDDEN, ApiError::Forbidden))
}

fn url(field: &str, v: &str) -> Result<String, Refusal> {
    let ok =
        (v.starts_with("http://") || v.starts_with("https://")) && v.len() <= 2000 && !v.contains(char::is_whitespace);
    if ok { Ok(v.to_owned()) } else { Err(bad(field, "not_a_url")) }
}

async fn post_request(state: &AppState, format: Format, lang: Lang, p: &Params) -> Result<Response, Refusal> {
    let (client, actor) = client(state, p).await?;
    let code = p.get("service_code").ok_or_else(|| bad("service_code", "required"))?;
    let category = service(state, code).await?;
    // Where: a point (WGS84), or an area code as address_id, or words only.
    let point = match (p.get("lat"), p.get("long")) {
        (Some(lat), Some(lon)) => {
            let lat: f64 = lat.parse().map_err(|_| bad("lat", "not_a_number"))?;
            let lon: f64 = lon.parse().map_err(|_| bad("long", "not_a_number"))?;
            Some(crate::places::to_wgs84(lon, lat, None).map_err(|_| bad("lat", "out_of_range"))?)
        }
        (Some(_), None) => return Err(bad("long", "required")),
        (None, Some(_)) => return Err(bad("lat", "required")),
        (None, None) => None,
    };
    let given = match p.get("address_id") {
        Some(a) => {
            let code = AreaCode::parse(a).map_err(|_| bad("address_id", "unknown_area"))?;
            state.store.area(&code).await.map_err(|_| bad("address_id", "unknown_area"))?;
            Some(code)
        }
        None => None,
    };
    let address = p.get("address_string");
    if point.is_none() && given.is_none() && address.is_none() {
        return Err(bad("location", "required"));
    }
    let fallback = actor.home_area().cloned().ok_or_else(|| bad("location", "required"))?;
    let located = match point {
        Some(pt) => state.places.locate(pt),
        // Words only: the centre places it (it is listed as off-grid at the client's area).
        None if given.is_none() => Located::Outside,
        None => Located::NoPoint,
    };
    let placement = place(located, given, &fallback).map_err(ApiError::from)?;
    let defs = state.store.service_attributes(category.as_str()).await?;
    let answers = check_answers(&defs, &p.attributes()).map_err(|e| {
        Refusal(StatusCode::BAD_REQUEST, ApiError::invalid(&format!("attribute[{}]", e.code), e.reason))
    })?;
    let cats = state.store.categories().await?;
    let service_name = cats
        .iter()
        .find(|c| c.code == category)
        .map(|c| lang.pick(&c.name_zh, &c.name_en).to_owned())
        .unwrap_or_else(|| category.as_str().to_owned());
    let description = p.get("description").unwrap_or_default();
    if description.chars().count() > 4000 {
        return Err(bad("description", "too_long"));
    }
    let media = p.get("media_url").map(|m| url("media_url", m)).transpose()?;
    let mut text = if description.is_empty() { service_name.clone() } else { description.to_owned() };
    if let Some(a) = address {
        text.push_str(&format!("\n地址：{a}"));
    }
    for a in &answers {
        let label = defs.iter().find(|d| d.code == a.code).map_or(a.code.as_str(), |d| d.description.as_str());
        text.push_str(&format!("\n{label}：{}", a.values.join("、")));
    }
    if let Some(m) = &media {
        text.push_str(&format!("\n图片：{m}"));
    }
    let first_line = description.lines().next().unwrap_or_default().trim();
    let title: String = if first_line.is_empty() { service_name } else { first_line.chars().take(40).collect() };
    let name = [p.get("last_name"), p.get("first_name")].into_iter().flatten().collect::<Vec<_>>().join("");
    let contact = p.get("phone").map(|phone| ContactInput {
        name: if name.is_empty() { "Open311".to_owned() } else { name.clone() },
        phone: phone.to_owned(),
    });
    let intake = Intake {
        ledger: Ledger::Demand,
        category,
        channel: Channel::External,
        urgency: Urgency::Normal,
        title,
        text,
        area: placement.area,
        location: point.map(|pt| GeoPoint { lon: pt.lon, lat: pt.lat }),
        off_grid: placement.off_grid,
        reporter: if contact.is_some() { Reporter::Contact } else { Reporter::Anonymous },
        attachments: vec![],
    };
    let snap = state
        .store
        .register_open311(
            &client,
            &actor,
            Filing { intake, contact, answers, account_id: p.get("account_id").map(str::to_owned) },
            Utc::now(),
        )
        .await?;
    let notice = match lang {
        Lang::Zh => format!("已登记，编号 {}；可凭编号查询办理进度。", snap.number),
        Lang::En => format!("Registered as {}; follow it by this number.", snap.number),
    };
    let item = V::Obj(vec![
        ("service_request_id", V::text(snap.number.as_str())),
        ("service_notice", V::text(notice)),
        ("account_id", V::opt(p.get("account_id"))),
    ]);
    Ok(wire::respond(StatusCode::OK, format, "service_requests", &V::List("request", vec![item])))
}

/// The client asking, when it names a valid key (reads need none; a wrong one is refused).
async fn reader(state: &AppState, p: &Params) -> Result<Option<Open311Client>, Refusal> {
    match p.get("api_key") {
        None => Ok(None),
        Some(_) => Ok(Some(client(state, p).await?.0)),
    }
}

fn when(p: &Params, name: &str) -> Result<Option<chrono::DateTime<Utc>>, Refusal> {
    p.get(name).map(|v| parse_datetime(v).ok_or_else(|| bad(name, "not_a_datetime"))).transpose()
}

/// A window from `start_date`/`end_date`: at most 90 days, by default the last `default` days
/// up to the end.
fn window(p: &Params, default: i64) -> Result<(chrono::DateTime<Utc>, chrono::DateTime<Utc>), Refusal> {
    let (start, end) = (when(p, "start_date")?, when(p, "end_date")?);
    rules::window(start, end, default, MAX_SPAN_DAYS, Utc::now()).map_err(|reason| bad("end_date", reason))
}

async fn get_requests(state: &AppState, format: Format, p: &Params) -> Result<Response, Refusal> {
    let client = reader(state, p).await?;
    let numbers = p.list("service_request_id");
    let mut rq = RequestQuery {
        numbers: numbers.clone(),
        client: client.as_ref().map(|c| c.id.clone()),
        limit: MAX_REQUESTS,
        ..RequestQuery::default()
    };
    if numbers.is_empty() {
        let (from, to) = window(p, MAX_SPAN_DAYS)?;
        rq.from = Some(from);
        rq.to = Some(to);
        rq.services = p.list("service_code");
        for s in p.list("status") {
            rq.states.extend(Status::parse(&s.to_lowercase()).ok_or_else(|| bad("status", "unknown_value"))?.states());
        }
    }
    let found = state.store.open311_requests(&rq).await?;
    listed(state, format, found).await
}

async fn get_request(state: &AppState, format: Format, p: &Params, id: &str) -> Result<Response, Refusal> {
    let client = reader(state, p).await?;
    let rq = RequestQuery {
        numbers: vec![id.to_owned()],
        client: client.map(|c| c.id),
        limit: 1,
        ..RequestQuery::default()
    };
    let found = state.store.open311_requests(&rq).await?;
    if found.is_empty() {
        return Err(not_found("service_request_id"));
    }
    listed(state, format, found).await
}

async fn listed(
    state: &AppState,
    format: Format,
    found: Vec<shiyu_storage::open311::ListedRequest>,
) -> Result<Response, Refusal> {
    let cases: Vec<CaseSnapshot> = found.iter().map(|r| r.case.clone()).collect();
    let names = state.store.names_for(&cases).await?;
    let cats: BTreeMap<String, String> =
        state.store.categories().await?.into_iter().map(|c| (c.code.as_str().to_owned(), c.name_zh)).collect();
    let items = found.iter().map(|r| request(&r.case, r.own, &names, &cats)).collect();
    Ok(ok(format, "service_requests", &V::List("request", items)))
}

/// One request as listed. Others' requests show the title and a rounded point; the filing
/// client sees its own text and point.
fn request(c: &CaseSnapshot, own: bool, names: &BTreeMap<String, String>, cats: &BTreeMap<String, String>) -> V {
    let status = rules::status(c.state);
    let notes = match c.state {
        shiyu_domain::case::CaseState::Revisit
        | shiyu_domain::case::CaseState::Closed
        | shiyu_domain::case::CaseState::Archived => c.result_text.clone(),
        shiyu_domain::case::CaseState::NotAccepted => Some("不予受理".to_owned()),
        shiyu_domain::case::CaseState::Merged => Some("与其他诉求合并办理".to_owned()),
        _ => None,
    };
    let address: Vec<String> = c.area.lineage().iter().filter_map(|a| names.get(a.as_str()).cloned()).collect();
    let coord = |v: f64| if own { v } else { rules::public_coordinate(v) };
    V::Obj(vec![
        ("service_request_id", V::text(c.number.as_str())),
        ("status", V::text(status.as_str())),
        ("status_notes", V::opt(notes)),
        ("service_name", V::opt(cats.get(c.category.as_str()).cloned())),
        ("service_code", V::text(c.category.as_str())),
        ("description", V::text(if own { c.text.as_str() } else { c.title.as_str() })),
        ("agency_responsible", V::opt(c.lead_org.and_then(|o| names.get(&o.to_string()).cloned()))),
        ("service_notice", V::Null),
        ("requested_datetime", V::text(w3c(c.created_at))),
        ("updated_datetime", V::text(w3c(c.updated_at))),
        ("expected_datetime", V::opt(c.handle_by.map(w3c))),
        ("address", V::text(address.join(" "))),
        ("address_id", V::text(c.area.as_str())),
        ("zipcode", V::Null),
        ("lat", c.location.map_or(V::Null, |p| V::F(coord(p.lat)))),
        ("long", c.location.map_or(V::Null, |p| V::F(coord(p.lon)))),
        ("media_url", V::Null),
    ])
}

async fn get_token(state: &AppState, format: Format, token: &str) -> Result<Response, Refusal> {
    // Requests are realtime: the id comes back at once. A token is accepted as the request id
    // itself, for clients that always follow tokens.
    let found = state.store.open311_case(token, None).await?.ok_or_else(|| not_found("token"))?;
    let item = V::Obj(vec![("service_request_id", V::text(found.number.as_str())), ("token", V::text(token))]);
    Ok(ok(format, "service_requests", &V::List("request", vec![item])))
}

async fn get_updates(state: &AppState, format: Format, p: &Params) -> Result<Response, Refusal> {
    reader(state, p).await?;
    let (from, to) = window(p, UPDATES_DEFAULT_DAYS)?;
    let updates = state.store.open311_updates(from, to, MAX_REQUESTS).await?;
    let items = updates
        .into_iter()
        .map(|u| {
            V::Obj(vec![
                ("update_id", V::text(u.update_id)),
                ("service_request_id", V::text(u.service_request_id)),
                ("status", V::text(u.status)),
                ("updated_datetime", V::text(w3c(u.at))),
                ("description", V::S(u.description)),
                ("media_url", V::S(String::new())),
            ])
        })
        .collect();
    Ok(ok(format, "service_request_updates", &V::List("request_update", items)))
}

async fn post_update(state: &AppState, format: Format, p: &Params) -> Result<Response, Refusal> {
    let (client, actor) = client(state, p).await?;
    let number = p.get("service_request_id").ok_or_else(|| bad("service_request_id", "required"))?;
    let update_id = p.get("update_id").ok_or_else(|| bad("update_id", "required"))?;
    let status = p.get("status").ok_or_else(|| bad("status", "required"))?;
    if !UPDATE_STATUSES.contains(&status) {
        return Err(bad("status", "unknown_value"));
    }
    let at = p.get("updated_datetime").ok_or_else(|| bad("updated_datetime", "required"))?;
    parse_datetime(at).ok_or_else(|| bad("updated_datetime", "not_a_datetime"))?;
    let description = p.get("description").unwrap_or_default();
    if description.chars().count() > 4000 {
        return Err(bad("description", "too_long"));
    }
    let media = p.get("media_url").map(|m| url("media_url", m)).transpose()?;
    let case =
        state.store.open311_case(number, Some(&client.id)).await?.ok_or_else(|| not_found("service_request_id"))?;
    let mut text = if description.is_empty() { format!("状态：{status}") } else { description.to_owned() };
    if let Some(m) = media {
        text.push_str(&format!("\n图片：{m}"));
    }
    let (id, _) = state.store.post_open311_update(&client, &actor, case.id, update_id, &text, Utc::now()).await?;
    let item = V::Obj(vec![("update_id", V::text(id))]);
    Ok(ok(format, "service_request_updates", &V::List("request_update", vec![item])))
}
