//! Downloads of the lists a user sees, as XLSX or CSV (UTF-8 with BOM, so Excel reads Chinese):
//! `GET /cases/export` takes the case list's own filters, `GET /disputes/export` a dispute desk tab. Rows come from the same scoped store
//! query as the page, so an export never holds a case the list would not show; the list carries
//! no personal data (callers' contacts are sealed apart and never exported).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use shiyu_domain::case::{Channel, Ledger, SupervisionLevel, Urgency};
use shiyu_domain::time;
use shiyu_tabular::Format;

use super::cases::ListQuery;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::names::Names;
use crate::web::views::state_label;

/// The most rows one export holds; a larger list must be narrowed first.
pub const MAX_ROWS: i64 = 100_000;

/// The download format of a query value.
pub fn format_of(v: &str) -> Result<Format, ApiError> {
    match v.trim() {
        "" | "xlsx" => Ok(Format::Xlsx),
        "csv" => Ok(Format::Csv),
        _ => Err(ApiError::invalid("format", "unknown_value")),
    }
}

/// A file response with a readable (UTF-8) file name and an ASCII fallback.
pub fn download(bytes: Vec<u8>, format: Format, ascii: &str, name: &str) -> Response {
    let ext = format.extension();
    let disposition = format!(
        "attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}",
        form_urlencoded::byte_serialize(format!("{name}.{ext}").as_bytes()).collect::<String>(),
    );
    ([(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

fn headers(lang: Lang) -> Vec<&'static str> {
    let zh = [
        "编号",
        "标题",
        "状态",
        "台账",
        "类别",
        "渠道",
        "紧急程度",
        "发生地",
        "承办区域",
        "牵头单位",
        "督办",
        "办理期限",
        "是否超期",
        "登记时间",
        "更新时间",
    ];
    let en = [
        "Number",
        "Title",
        "State",
        "Ledger",
        "Category",
        "Channel",
        "Urgency",
        "Place",
        "Handling area",
        "Lead organisation",
        "Supervision",
        "Deadline",
        "Overdue",
        "Registered",
        "Updated",
    ];
    match lang {
        Lang::Zh => zh.to_vec(),
        Lang::En => en.to_vec(),
    }
}

/// `GET /cases/export?format=xlsx|csv&…`: every case of the filtered list, in the list's order.
pub async fn cases(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let format = format_of(&q.format)?;
    let lang = auth.lang;
    let scope = auth.scope();
    let mut filter = q.filter()?;
    filter.limit = Some(500);
    filter.offset = Some(0);
    let now = Utc::now();
    let mut names = Names::new(&state.store, lang);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let yes_no = |b: bool| lang.pick(if b { "是" } else { "否" }, if b { "yes" } else { "no" }).to_owned();
    loop {
        let (items, total) = state.store.list_cases(&scope, &filter).await?;
        if total > MAX_ROWS {
            return Err(ApiError::invalid("filter", "too_many_rows"));
        }
        let n = items.len();
        for c in items {
            let label = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
            rows.push(vec![
                c.number.clone(),
                c.title.clone(),
                state_label(lang, c.state).to_owned(),
                Ledger::parse(&c.ledger).map_or(c.ledger.clone(), |l| label(l.label_zh(), l.label_en())),
                names.category(&c.category).await,
                Channel::parse(&c.channel).map_or(c.channel.clone(), |x| label(x.label_zh(), x.label_en())),
                Urgency::parse(&c.urgency).map_or(c.urgency.clone(), |x| label(x.label_zh(), x.label_en())),
                names.area(&c.area_code).await,
                names.area(&c.handling_area).await,
                match &c.lead_org {
                    Some(id) => names.org(id).await,
                    None => String::new(),
                },
                c.supervision
                    .as_deref()
                    .and_then(|s| SupervisionLevel::parse(s).ok())
                    .map_or(String::new(), |s| label(s.label_zh(), s.label_en())),
                c.due_at.map(time::show).unwrap_or_default(),
                yes_no(c.state.is_open() && c.due_at.is_some_and(|d| d < now)),
                time::show(c.created_at),
                time::show(c.updated_at),
            ]);
        }
        if n < 500 {
            break;
        }
        filter.offset = filter.offset.map(|o| o + 500);
    }
    let heads = headers(lang);
    let title = lang.pick("案件清单", "Cases");
    let bytes = match format {
        Format::Csv => shiyu_tabular::write_csv(&heads, rows),
        Format::Xlsx => shiyu_tabular::write_xlsx(title, &heads, rows)
            .map_err(|e| ApiError::Internal(format!("xlsx: {}", e.message_en())))?,
    };
    Ok(download(bytes, format, "cases", title))
}

/// `GET /disputes/export?list=…&format=xlsx|csv`: a tab of the dispute desk (default: all the
/// user may read). Parties are not in the file: the list shows matters, not people.
pub async fn disputes(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DisputeExportQuery>,
) -> Result<Response, ApiError> {
    use shiyu_domain::dispute::DisputeAct;
    use shiyu_domain::dispute::access::dispute_root;
    use shiyu_storage::disputes::DisputeList;
    let format = format_of(&q.format)?;
    if dispute_root(&auth.principal, DisputeAct::Read).is_none() {
        return Err(ApiError::Forbidden);
    }
    let today = time::local_date(Utc::now());
    let list = match q.list.trim() {
        "" | "all" => DisputeList::All,
        "mine" => DisputeList::Mine,
        "sessions_due" => DisputeList::SessionsDue(today),
        "escalations" => DisputeList::EscalationsWaiting,
        "follow_ups" => DisputeList::FollowUpsDue(today),
        _ => return Err(ApiError::invalid("list", "unknown_value")),
    };
    let lang = auth.lang;
    let items = state.store.disputes(&auth.principal, &list, MAX_ROWS as u32 + 1).await?;
    if items.len() as i64 > MAX_ROWS {
        return Err(ApiError::invalid("filter", "too_many_rows"));
    }
    let mut names = Names::new(&state.store, lang);
    let label = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let mut rows = Vec::with_capacity(items.len());
    for s in items {
        let d = s.dispute;
        rows.push(vec![
            d.number.clone(),
            d.title.clone(),
            label(d.dispute_type.label_zh(), d.dispute_type.label_en()),
            label(d.risk.label_zh(), d.risk.label_en()),
            label(d.state.label_zh(), d.state.label_en()),
            label(d.tier.label_zh(), d.tier.label_en()),
            names.area(d.area.as_str()).await,
            d.org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
            // A plain number (no thousands separators) so a spreadsheet can sum it.
            format!("{:.2}", d.money.0 as f64 / 100.0),
            d.sessions.to_string(),
            d.session_due.map(|x| x.to_string()).unwrap_or_default(),
            time::show(d.registered_at),
        ]);
    }
    let heads: Vec<&str> = match lang {
        Lang::Zh => vec![
            "编号",
            "标题",
            "类型",
            "风险等级",
            "状态",
            "调解层级",
            "发生地",
            "调解组织",
            "涉及金额（元）",
            "调解次数",
            "下次调解期限",
            "登记时间",
        ],
        Lang::En => vec![
            "Number",
            "Title",
            "Type",
            "Risk",
            "State",
            "Tier",
            "Place",
            "Mediating organisation",
            "Money (yuan)",
            "Sessions",
            "Next session due",
            "Registered",
        ],
    };
    let title = lang.pick("矛盾纠纷清单", "Disputes");
    let bytes = match format {
        Format::Csv => shiyu_tabular::write_csv(&heads, rows),
        Format::Xlsx => shiyu_tabular::write_xlsx(title, &heads, rows)
            .map_err(|e| ApiError::Internal(format!("xlsx: {}", e.message_en())))?,
    };
    Ok(download(bytes, format, "disputes", title))
}

/// The dispute export's query.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DisputeExportQuery {
    /// The desk's tab.
    #[serde(default)]
    pub list: String,
    /// `xlsx` or `csv`.
    #[serde(default)]
    pub format: String,
}
