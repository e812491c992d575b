//! The HTTP layer's one error type and the single policy that renders it.
//!
//! Handlers return [`ApiError`]; its `IntoResponse` sets the status and parks the error in the
//! response's extensions. The [`render_errors`] middleware, which knows the request's language
//! and whether it wants JSON or a page, writes the body. So every error names its field in the
//! user's language, and no handler formats errors by hand.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use shiyu_domain::DomainError;
use shiyu_storage::StorageError;

use crate::i18n::{Lang, field_name, reason_text, rule_text};

/// Why a request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A field is invalid.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Field name.
        field: String,
        /// Reason code.
        reason: String,
    },
    /// The move is not allowed in the record's state.
    #[error("illegal move")]
    IllegalMove {
        /// Move.
        action: String,
        /// State.
        state: String,
        /// Whose state: a case's, a dispute's or a proposal's.
        of: MoveOf,
    },
    /// The service cannot do this on this installation (e.g. no Chinese font for PDFs).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A case-life rule refuses.
    #[error("rule {0}")]
    Rule(String),
    /// The role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Not signed in.
    #[error("unauthenticated")]
    Unauthenticated,
    /// The CSRF token is missing or wrong.
    #[error("csrf")]
    Csrf,
    /// Not found (or outside scope).
    #[error("{0} not found")]
    NotFound(String),
    /// A unique value is taken.
    #[error("duplicate {0}")]
    Duplicate(String),
    /// Concurrent change; retry.
    #[error("conflict")]
    Conflict,
    /// Wrong user name or password.
    #[error("bad credentials")]
    BadCredentials,
    /// The database's disk is full: nothing was written; the same request can succeed once an
    /// administrator frees space.
    #[error("storage full")]
    StorageFull,
    /// Something broke on our side.
    #[error("internal: {0}")]
    Internal(String),
    /// Rows of an import file were refused; each names its row, column and reason.
    #[error("{} rows refused", .0.len())]
    Rows(Vec<shiyu_domain::base::columns::CellError>),
    /// A mapping file of an import from another system was refused; each problem names its key.
    #[error("{} mapping problems", .0.len())]
    Mapping(Vec<shiyu_domain::exchange::MappingProblem>),
}

/// The kind of record whose state refused a move, so the message names the right states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOf {
    /// A case.
    Case,
    /// A dispute.
    Dispute,
    /// A deliberation proposal.
    Proposal,
}

impl ApiError {
    /// Shorthand for an invalid field.
    pub fn invalid(field: &str, reason: &str) -> Self {
        Self::Invalid { field: field.to_owned(), reason: reason.to_owned() }
    }

    /// Marks a refusal as a dispute's, so its message names the dispute's state.
    pub fn for_dispute(self) -> Self {
        match self {
            Self::IllegalMove { action, state, .. } => Self::IllegalMove { action, state, of: MoveOf::Dispute },
            other => other,
        }
    }

    /// Marks a refusal as a proposal's, so its message names the proposal's status.
    pub fn for_proposal(self) -> Self {
        match self {
            Self::IllegalMove { action, state, .. } => Self::IllegalMove { action, state, of: MoveOf::Proposal },
            other => other,
        }
    }

    /// The HTTP status of this refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } | Self::Rows(_) | Self::Mapping(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IllegalMove { .. } | Self::Rule(_) | Self::Conflict | Self::Duplicate(_) => StatusCode::CONFLICT,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unauthenticated | Self::BadCredentials => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        }
    }

    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid_field",
            Self::IllegalMove { .. } => "illegal_move",
            Self::Rule(_) => "rule",
            Self::Forbidden => "forbidden",
            Self::Unauthenticated => "unauthenticated",
            Self::Csrf => "csrf",
            Self::NotFound(_) => "not_found",
            Self::Duplicate(_) => "duplicate",
            Self::Conflict => "conflict",
            Self::BadCredentials => "bad_credentials",
            Self::Internal(_) => "internal",
            Self::StorageFull => "storage_full",
            Self::Rows(_) => "rows_refused",
            Self::Mapping(_) => "mapping_refused",
            Self::Unavailable(_) => "unavailable",
        }
    }

    /// The message in a language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::Invalid { field, reason } => {
                let f = field_name(field, lang);
                let r = reason_text(reason, lang);
                match lang {
                    Lang::Zh => format!("“{f}”{r}"),
                    Lang::En => format!("The {f} {r}."),
                }
            }
            Self::IllegalMove { action, state, of: MoveOf::Proposal } => {
                let st = shiyu_domain::deliberation::ProposalStatus::parse(state)
                    .map(|s| lang.pick(s.label_zh(), s.label_en()).to_owned())
                    .unwrap_or_else(|_| state.clone());
                let action = crate::web::pages::proposals::move_label(lang, action);
                match lang {
                    Lang::Zh => format!("议事事项当前状态为“{st}”，不能执行“{action}”"),
                    Lang::En => format!("The proposal is {st}; “{action}” is not possible now."),
                }
            }
            Self::IllegalMove { action, state, of: MoveOf::Dispute } => {
                let st = shiyu_domain::dispute::DisputeState::ALL
                    .iter()
                    .find(|s| s.as_str() == state)
                    .map_or_else(|| state.clone(), |s| lang.pick(s.label_zh(), s.label_en()).to_owned());
                match lang {
                    Lang::Zh => format!("纠纷当前状态为“{st}”，不能执行“{action}”"),
                    Lang::En => format!("The dispute is {st}; “{action}” is not possible now."),
                }
            }
            Self::IllegalMove { action, state, of: MoveOf::Case } => {
                let st = shiyu_domain::case::CaseState::parse(state)
                    .map(|s| lang.pick(s.label_zh(), s.label_en()).to_owned())
                    .unwrap_or_else(|_| state.clone());
                let action = crate::web::text::move_label(lang, action);
                match lang {
                    Lang::Zh => format!("诉求当前状态为“{st}”，不能执行“{action}”"),
                    Lang::En => format!("The case is {st}; “{action}” is not possible now."),
                }
            }
            Self::Rule(rule) => rule_text(rule, lang),
            Self::Forbidden => lang.pick("您的角色无权执行此操作", "Your role may not do this.").to_owned(),
            Self::Unauthenticated => lang.pick("请先登录", "Please sign in.").to_owned(),
            Self::Csrf => {
                lang.pick("页面已过期，请刷新后重试", "The form has expired; reload and try again.").to_owned()
            }
            Self::NotFound(what) => match lang {
                Lang::Zh => format!("未找到：{what}"),
                Lang::En => format!("Not found: {what}"),
            },
            Self::Duplicate(field) => match lang {
                Lang::Zh => format!("“{}”已存在", field_name(field, lang)),
                Lang::En => format!("The {} already exists.", field_name(field, lang)),
            },
            Self::Conflict => {
                lang.pick("数据已被他人修改，请刷新后重试", "Someone changed this first; reload and retry.").to_owned()
            }
            Self::BadCredentials => lang.pick("用户名或密码错误", "Wrong user name or password.").to_owned(),
            Self::Internal(_) => lang.pick("服务器内部错误", "Internal server error.").to_owned(),
            Self::StorageFull => lang
                .pick(
                    "服务器存储空间已满，本次提交未保存，请稍后重试或联系系统管理员",
                    "The server's storage is full; nothing was saved. Try again later or tell the administrator.",
                )
                .to_owned(),
            Self::Unavailable(what) => what.clone(),
            Self::Rows(rows) => match lang {
                Lang::Zh => format!("文件有 {} 处错误，未导入任何数据", rows.len()),
                Lang::En => format!("The file has {} errors; nothing was imported.", rows.len()),
            },
            Self::Mapping(problems) => match lang {
                Lang::Zh => format!("映射文件有 {} 处错误，未导入任何数据", problems.len()),
                Lang::En => format!("The mapping file has {} errors; nothing was imported.", problems.len()),
            },
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::Duplicate(f) => Some(f),
            _ => None,
        }
    }

    /// The JSON body in a language.
    pub fn body(&self, lang: Lang) -> serde_json::Value {
        let mut body =
            json!({ "error": { "code": self.code(), "field": self.field(), "message": self.message(lang) } });
        // The machine codes beside the message, so clients can act on a refusal without parsing text.
        match self {
            Self::Invalid { reason, .. } => body["error"]["reason"] = json!(reason),
            Self::Rule(rule) => body["error"]["rule"] = json!(rule),
            _ => {}
        }
        if let Self::Rows(rows) = self {
            body["error"]["rows"] = rows.iter().map(|r| json!({"row": r.row, "column": r.column, "field": r.field, "reason": r.reason, "message": row_message(r, lang)})).collect();
        }
        if let Self::Mapping(problems) = self {
            body["error"]["mapping"] = problems
                .iter()
                .map(|p| json!({"key": p.key, "reason": p.reason, "message": crate::external_import::mapping_message(p, lang)}))
                .collect();
        }
        body
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, reason } => Self::invalid(field, reason),
            DomainError::IllegalMove { action, state } => {
                Self::IllegalMove { action: action.to_owned(), state: state.to_owned(), of: MoveOf::Case }
            }
            DomainError::Forbidden { .. } => Self::Forbidden,
            DomainError::Rule { rule } => Self::Rule(rule.to_owned()),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Domain(d) => d.into(),
            StorageError::NotFound(what) => Self::NotFound(what.to_owned()),
            StorageError::Duplicate { field } => Self::Duplicate(field.to_owned()),
            StorageError::Conflict(_) => Self::Conflict,
            StorageError::Rows(rows) => Self::Rows(rows),
            full if full.is_storage_full() => {
                tracing::error!(error = %full, "storage full: a write was refused");
                Self::StorageFull
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                Self::Internal(other.to_string())
            }
        }
    }
}

/// Marks a response whose body the renderer must write.
#[derive(Clone)]
struct Pending(ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        r.extensions_mut().insert(Pending(self));
        r
    }
}

/// Writes error bodies in the request's language: JSON for the API and machine clients, a page
/// for browsers.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = Lang::from_parts(&parts);
    let wants_json = parts.uri.path().starts_with("/api/")
        || parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    let is_htmx = parts.headers.contains_key("hx-request");
    let res = next.run(Request::from_parts(parts, body)).await;
    let Some(Pending(err)) = res.extensions().get::<Pending>().cloned() else {
        return res;
    };
    let status = res.status();
    if wants_json {
        return (status, axum::Json(err.body(lang))).into_response();
    }
    if matches!(err, ApiError::Unauthenticated) && !is_htmx {
        return axum::response::Redirect::to("/login").into_response();
    }
    let msg = crate::web::escape(&err.message(lang));
    let page = if is_htmx {
        format!("<div class=\"error\" role=\"alert\">{msg}</div>")
    } else {
        format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><link rel=\"stylesheet\" href=\"/assets/app.css\"><title>{}</title></head><body><main class=\"narrow\"><div class=\"error\" role=\"alert\">{msg}</div><p><a href=\"javascript:history.back()\">{}</a> · <a href=\"/\">{}</a></p></main></body></html>",
            lang.code(),
            lang.pick("出错了", "Error"),
            lang.pick("返回", "Back"),
            lang.pick("首页", "Home"),
        )
    };
    (status, Html(page)).into_response()
}

/// One refused cell in the user's language: "第 7 行“身份证号”：校验位错误".
pub fn row_message(e: &shiyu_domain::base::columns::CellError, lang: Lang) -> String {
    let reason = reason_text(e.reason, lang);
    match lang {
        Lang::Zh => format!("第 {} 行“{}”：{}", e.row, e.column, reason),
        Lang::En => format!("Row {}, column “{}”: {}", e.row, e.column, reason),
    }
}
