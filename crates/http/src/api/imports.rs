//! `POST /api/admin/imports`: a centre operator imports another system's file with its mapping
//! file (multipart fields `mapping` and `file`), or tries it first with `?dry_run=true`. The
//! answer is the report: created, unchanged, updated and conflicts by record.

use axum::Json;
use axum::extract::{Multipart, Query, State};
use serde::Deserialize;
use shiyu_domain::exchange::ImportReport;
use shiyu_domain::role::Role;
use utoipa::IntoParams;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// Options.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ImportParams {
    /// Check and report without writing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Import a file from another system by its mapping file.
#[utoipa::path(post, path = "/api/admin/imports", tag = "imports", params(ImportParams),
    request_body(content_type = "multipart/form-data", content = Object),
    responses((status = 200, body = Object), (status = 403), (status = 422, description = "names the mapping key, or the row and column")))]
pub async fn import(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<ImportParams>,
    mut form: Multipart,
) -> Result<Json<ImportReport>, ApiError> {
    // Records are registered through the normal path, which is the centre operator's.
    auth.require(&[Role::Operator])?;
    let (mut mapping, mut file) = (None, None);
    while let Some(field) = form.next_field().await.map_err(|_| ApiError::invalid("file", "malformed"))? {
        match field.name() {
            Some("mapping") => {
                let text = field.text().await.map_err(|_| ApiError::invalid("mapping", "malformed"))?;
                mapping = Some(text);
            }
            Some("file") => {
                let name = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await.map_err(|_| ApiError::invalid("file", "too_large"))?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let mapping = mapping.ok_or_else(|| ApiError::invalid("mapping", "required"))?;
    let (name, bytes) = file.ok_or_else(|| ApiError::invalid("file", "required"))?;
    let report = crate::external_import::import_external(
        &state.store,
        &auth.principal,
        &mapping,
        name.as_deref(),
        &bytes,
        p.dry_run,
    )
    .await?;
    Ok(Json(report))
}
