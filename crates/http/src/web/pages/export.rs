//! Downloads of the lists a user sees, as XLSX or CSV (UTF-8 with BOM, so Excel reads Chinese):
//! `GET /cases/export` takes the case list's own filters. Rows come from the same scoped store
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
        "编号", "标题", "状态", "台账", "类别", "渠道", "紧急程度", "发生地", "承办区域", "牵头单位", "督办", "办理期限",
        "是否超期", "登记时间", "更新时间",
    ];
    let en = [
        "Number", "Title", "State", "Ledger", "Category", "Channel", "Urgency", "Place", "Handling area", "Lead organisation",
        "Supervision", "Deadline", "Overdue", "Registered", "Updated",
    ];
    match lang {
        Lang::Zh => zh.to_vec(),
        Lang::En => en.to_vec(),
    }
}

/// `GET /cases/export?format=xlsx|csv&…`: every case of the filtered list, in the list's order.
pub async fn cases(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
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
