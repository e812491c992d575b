//! Base-data pages (DESIGN §6): `GET /base/{table}` lists residents, houses, legal entities or
//! cameras of the user's area, identifiers masked; `POST /base/residents/{id}/unmask` shows one
//! identifier in clear to the roles allowed, with a reason, audited; `GET /base/care` lists care
//! visits due (audited) or, for leaders and analysts, counts; `GET|POST /base/import` takes a CSV
//! or XLSX file, all or nothing, naming every bad row and column; `GET /base/export` downloads
//! what the user may export.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::{BaseAct, role_may};
use shiyu_domain::base::columns::Table;
use shiyu_storage::base::care::CareFilter;
use shiyu_storage::base::residents::Identifier;

use crate::auth::Auth;
use crate::base_import::{export_file, import_file};
use crate::error::{ApiError, row_message};
use crate::state::AppState;
use crate::web::escape;
use crate::web::layout::{Chrome, render, render_status};
use crate::web::text::{Text, fill, text};

const PAGE: u32 = 50;

/// A row of a base-data list.
#[derive(Debug)]
pub struct BaseRow {
    /// Cells, already in the page's language.
    pub cells: Vec<String>,
    /// Resident id when identifiers can be unmasked on this row, else empty.
    pub unmask: String,
    /// Highlight (an overdue care visit, a camera out of order).
    pub alert: bool,
}

/// A base-data page.
#[derive(Template)]
#[template(path = "pages/base_data.html")]
pub struct BasePage {
    /// Frame.
    pub chrome: Chrome,
    /// Strings.
    pub t: &'static Text,
    /// Which tab (`residents`, `houses`, `entities`, `cameras`, `care`, `import`).
    pub tab: &'static str,
    /// Tabs: (href, label, key).
    pub tabs: Vec<(&'static str, &'static str, &'static str)>,
    /// Heading.
    pub heading: &'static str,
    /// Column headers.
    pub headers: Vec<&'static str>,
    /// Rows.
    pub rows: Vec<BaseRow>,
    /// "N records".
    pub info: String,
    /// Previous / next page links (or empty).
    pub prev: String,
    /// Next page.
    pub next: String,
    /// Name filter (residents).
    pub q: String,
    /// Show the name filter.
    pub with_q: bool,
    /// May unmask on this page.
    pub can_unmask: bool,
    /// May import and export.
    pub can_io: bool,
    /// Import outcome line, or empty.
    pub notice: String,
    /// Import refusal, or empty.
    pub error: String,
    /// Bad rows of a refused import.
    pub row_errors: Vec<String>,
}

fn tabs(t: &'static Text, auth: &Auth) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut v = vec![
        ("/base/residents", t.base_residents, "residents"),
        ("/base/houses", t.base_houses, "houses"),
        ("/base/entities", t.base_entities, "entities"),
        ("/base/cameras", t.base_cameras, "cameras"),
        ("/base/care", t.base_care, "care"),
    ];
    if role_may(auth.user.role, BaseAct::ImportExport) {
        v.push(("/base/import", t.base_import, "import"));
    }
    v
}

fn blank(auth: &Auth, tab: &'static str, heading: &'static str) -> BasePage {
    let t = text(auth.lang);
    BasePage {
        chrome: Chrome::for_user(auth, "/base/residents"),
        t,
        tab,
        tabs: tabs(t, auth),
        heading,
        headers: Vec::new(),
        rows: Vec::new(),
        info: String::new(),
        prev: String::new(),
        next: String::new(),
        q: String::new(),
        with_q: false,
        can_unmask: role_may(auth.user.role, BaseAct::Unmask),
        can_io: role_may(auth.user.role, BaseAct::ImportExport),
        notice: String::new(),
        error: String::new(),
        row_errors: Vec::new(),
    }
}

/// List query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Grid code.
    pub grid: String,
    /// Name contains.
    pub q: String,
    /// Page from 1.
    pub page: String,
}

impl ListQuery {
    fn grid(&self) -> Result<Option<AreaCode>, ApiError> {
        Ok(Some(self.grid.trim()).filter(|g| !g.is_empty()).map(AreaCode::parse).transpose()?)
    }
    fn page(&self) -> u32 {
        self.page.trim().parse::<u32>().ok().filter(|p| *p >= 1).unwrap_or(1)
    }
}

fn pager(p: &mut BasePage, t: &Text, base: &str, page: u32, total: i64, q: &ListQuery) {
    let pages = u32::try_from(total.max(1)).unwrap_or(u32::MAX).div_ceil(PAGE);
    p.info =
        fill(t.base_count, &[("total", total.to_string()), ("page", page.to_string()), ("pages", pages.to_string())]);
    let link = |n: u32| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("grid", &q.grid), ("q", &q.q)] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.append_pair("page", &n.to_string());
        format!("{base}?{}", s.finish())
    };
    if page > 1 {
        p.prev = link(page - 1);
    }
    if page < pages {
        p.next = link(page + 1);
    }
}

/// `GET /base/{table}`.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(table): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let t = text(auth.lang);
    let lang = auth.lang;
    let grid = q.grid()?;
    let page = q.page();
    let offset = (page - 1) * PAGE;
    let p = &auth.principal;
    let mut out;
    match table.as_str() {
        "residents" => {
            out = blank(&auth, "residents", t.base_residents);
            out.with_q = true;
            out.q = q.q.trim().to_owned();
            out.headers = vec![t.col_name, t.col_id_number, t.col_phone, t.col_kind, t.col_grid, t.col_house];
            let (rows, total) = state.store.residents(p, grid.as_ref(), Some(&q.q), PAGE, offset).await?;
            out.rows = rows
                .into_iter()
                .map(|r| BaseRow {
                    cells: vec![
                        r.name,
                        r.id_masked,
                        r.phone_masked.unwrap_or_default(),
                        lang.pick(r.kind.label_zh(), r.kind.label_en()).to_owned(),
                        r.grid,
                        r.house.unwrap_or_default(),
                    ],
                    unmask: r.id,
                    alert: false,
                })
                .collect();
            pager(&mut out, t, "/base/residents", page, total, &q);
        }
        "houses" => {
            out = blank(&auth, "houses", t.base_houses);
            out.headers = vec![t.col_code, t.col_address, t.col_use, t.col_tenancy, t.col_grid, t.col_residents];
            let (rows, total) = state.store.houses(p, grid.as_ref(), PAGE, offset).await?;
            out.rows = rows
                .into_iter()
                .map(|h| {
                    let r = h.record;
                    BaseRow {
                        cells: vec![
                            r.code,
                            format!("{} {}{}{}", r.address, r.building, r.unit, r.room),
                            lang.pick(r.use_.label_zh(), r.use_.label_en()).to_owned(),
                            lang.pick(r.tenancy.label_zh(), r.tenancy.label_en()).to_owned(),
                            r.grid.map(|g| g.to_string()).unwrap_or_default(),
                            h.residents.to_string(),
                        ],
                        unmask: String::new(),
                        alert: h.off_grid,
                    }
                })
                .collect();
            pager(&mut out, t, "/base/houses", page, total, &q);
        }
        "entities" => {
            out = blank(&auth, "entities", t.base_entities);
            out.headers = vec![t.col_credit_code, t.col_name, t.col_address, t.col_grid];
            let (rows, total) = state.store.entities(p, grid.as_ref(), PAGE, offset).await?;
            out.rows = rows
                .into_iter()
                .map(|e| BaseRow {
                    cells: vec![
                        e.credit_code.as_str().to_owned(),
                        e.name,
                        e.address,
                        e.grid.map(|g| g.to_string()).unwrap_or_default(),
                    ],
                    unmask: String::new(),
                    alert: false,
                })
                .collect();
            pager(&mut out, t, "/base/entities", page, total, &q);
        }
        "cameras" => {
            // Cameras are assets, not personal data: any staff role with an area sees its own.
            let root = match auth.principal.scope() {
                shiyu_domain::scope::Scope::Subtree(r) => r,
                _ => return Err(ApiError::Forbidden),
            };
            out = blank(&auth, "cameras", t.base_cameras);
            out.headers = vec![t.col_code, t.col_name, t.col_status, t.col_stream, t.col_grid];
            let cams =
                state.store.cameras_within(grid.as_ref().filter(|g| g.is_within(&root)).unwrap_or(&root), 2000).await?;
            out.info =
                fill(t.base_count, &[("total", cams.len().to_string()), ("page", "1".into()), ("pages", "1".into())]);
            out.rows = cams
                .into_iter()
                .map(|c| BaseRow {
                    alert: c.status != "online",
                    cells: vec![
                        c.code,
                        c.name,
                        shiyu_domain::base::kinds::CameraStatus::parse(&c.status)
                            .map(|s| lang.pick(s.label_zh(), s.label_en()).to_owned())
                            .unwrap_or(c.status),
                        c.stream_url,
                        c.grid.unwrap_or_default(),
                    ],
                    unmask: String::new(),
                })
                .collect();
        }
        _ => return Err(ApiError::NotFound("page".into())),
    }
    render(&out)
}

/// `GET /base/care`: care visits due (audited), or counts for leaders and analysts.
pub async fn care(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    let t = text(auth.lang);
    let lang = auth.lang;
    let now = Utc::now();
    let today = shiyu_domain::time::local_date(now);
    let mut out = blank(&auth, "care", t.base_care);
    if role_may(auth.user.role, BaseAct::ReadCare) {
        let city = state.store.default_city().await?;
        let filter = CareFilter { grid: q.grid()?, ..CareFilter::default() };
        let rows = state.store.care_list(city.as_str(), &auth.principal, &filter, 500, now).await?;
        out.headers = vec![t.col_name, t.col_care, t.col_address, t.col_last_visit, t.col_visit_due];
        out.info =
            fill(t.base_count, &[("total", rows.len().to_string()), ("page", "1".into()), ("pages", "1".into())]);
        out.rows = rows
            .into_iter()
            .map(|c| BaseRow {
                alert: c.visit_due < today,
                cells: vec![
                    c.name,
                    lang.pick(c.group.label_zh(), c.group.label_en()).to_owned(),
                    c.address.unwrap_or_default(),
                    c.last_visit.map(|d| d.to_string()).unwrap_or_default(),
                    c.visit_due.to_string(),
                ],
                unmask: String::new(),
            })
            .collect();
    } else {
        let counts = state.store.care_counts(&auth.principal, today).await?;
        out.headers = vec![t.col_care, t.col_people, t.col_overdue];
        out.rows = counts
            .into_iter()
            .map(|(g, n, late)| BaseRow {
                cells: vec![lang.pick(g.label_zh(), g.label_en()).to_owned(), n.to_string(), late.to_string()],
                unmask: String::new(),
                alert: late > 0,
            })
            .collect();
    }
    render(&out)
}

/// The unmask form.
#[derive(Debug, Deserialize)]
pub struct UnmaskForm {
    /// `id_number` or `phone`.
    pub which: String,
    /// Why (recorded in the audit log).
    #[serde(default)]
    pub reason: String,
}

/// `POST /base/residents/{id}/unmask`: the clear value as a fragment (htmx) or a small page.
pub async fn unmask(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<UnmaskForm>,
) -> Result<Response, ApiError> {
    let which = match f.which.as_str() {
        "id_number" => Identifier::IdNumber,
        "phone" => Identifier::Phone,
        _ => return Err(ApiError::invalid("which", "unknown_value")),
    };
    let city = state.store.default_city().await?;
    let clear = state.store.unmask_resident(city.as_str(), &auth.principal, &id, which, &f.reason, Utc::now()).await?;
    let html = format!("<span class=\"clear\" data-testid=\"clear-value\">{}</span>", escape(&clear));
    if headers.contains_key("hx-request") {
        return Ok(Html(html).into_response());
    }
    let t = text(auth.lang);
    let mut out = blank(&auth, "residents", t.base_residents);
    out.notice = format!("{}：{}", t.unmasked, clear);
    render(&out)
}

/// `GET /base/import`.
pub async fn import_form(auth: Auth) -> Result<Response, ApiError> {
    if !role_may(auth.user.role, BaseAct::ImportExport) {
        return Err(ApiError::Forbidden);
    }
    let t = text(auth.lang);
    render(&blank(&auth, "import", t.base_import))
}

/// `POST /base/import` (multipart: `table`, `file`).
pub async fn import_submit(
    State(state): State<AppState>,
    auth: Auth,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    if !role_may(auth.user.role, BaseAct::ImportExport) {
        return Err(ApiError::Forbidden);
    }
    let t = text(auth.lang);
    let mut table = String::new();
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(|_| ApiError::invalid("file", "too_large"))? {
        match field.name() {
            Some("table") => table = field.text().await.map_err(|_| ApiError::invalid("table", "malformed"))?,
            Some("file") => {
                let name = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await.map_err(|_| ApiError::invalid("file", "too_large"))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let mut out = blank(&auth, "import", t.base_import);
    let result = async {
        let table = Table::parse(&table)?;
        let (name, bytes) = file.filter(|(_, b)| !b.is_empty()).ok_or_else(|| ApiError::invalid("file", "required"))?;
        import_file(&state.store, &state.places, &auth.principal, table, name.as_deref(), &bytes).await
    }
    .await;
    match result {
        Ok(c) => {
            out.notice = fill(
                t.base_imported,
                &[
                    ("inserted", c.inserted.to_string()),
                    ("updated", c.updated.to_string()),
                    ("unchanged", c.unchanged.to_string()),
                ],
            );
            render(&out)
        }
        Err(ApiError::Rows(rows)) => {
            out.error = ApiError::Rows(rows.clone()).message(auth.lang);
            out.row_errors = rows.iter().map(|r| row_message(r, auth.lang)).collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &out)
        }
        Err(e @ ApiError::Invalid { .. }) => {
            out.error = e.message(auth.lang);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &out)
        }
        Err(e) => Err(e),
    }
}

/// Export query.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// Table wire name.
    pub table: String,
    /// `xlsx` (default) or `csv`.
    #[serde(default)]
    pub format: String,
}

/// `GET /base/export?table=…&format=…`: a file download (audited).
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let table = Table::parse(&q.table)?;
    let format = super::export::format_of(&q.format)?;
    let file = export_file(&state.store, &auth.principal, table, format).await?;
    Ok(super::export::download(file.bytes, format, table.as_str(), table.label_zh()))
}
