//! Attachments: files stored by content hash, with size and type limits. Names given by clients
//! are kept only as labels; the stored path is the hash, so no name can reach outside the folder.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

/// Types accepted, by sniffed content (not by the client's claim).
const ALLOWED: &[&str] = &["image/jpeg", "image/png", "image/webp", "application/pdf"];

/// A stored attachment.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoredFile {
    /// Id to reference from a case.
    pub id: String,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// Type.
    pub mime: String,
}

fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Upload one file (multipart field `file`).
#[utoipa::path(post, path = "/api/attachments", tag = "cases", request_body(content_type = "multipart/form-data", content = Object),
    responses((status = 201, body = StoredFile), (status = 422, description = "too large or type not allowed")))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    mut form: Multipart,
) -> Result<(axum::http::StatusCode, Json<StoredFile>), ApiError> {
    let field = loop {
        match form.next_field().await.map_err(|_| ApiError::invalid("file", "malformed"))? {
            Some(f) if f.name() == Some("file") => break f,
            Some(_) => continue,
            None => return Err(ApiError::invalid("file", "required")),
        }
    };
    let file_name = field.file_name().unwrap_or("file").to_owned();
    let bytes = field.bytes().await.map_err(|_| ApiError::invalid("file", "too_large"))?;
    let stored = save_upload(&state, &auth, &file_name, &bytes).await?;
    Ok((axum::http::StatusCode::CREATED, Json(stored)))
}

/// A client's file name as a harmless label: no control characters (NUL breaks PostgreSQL text),
/// no path separators, at most 120 characters. The stored path is the content hash regardless.
fn label(file_name: &str) -> String {
    let kept: String = file_name.chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(120).collect();
    if kept.trim().is_empty() { "file".to_owned() } else { kept }
}

/// Checks and stores one uploaded file (shared by the API and the web forms that take photos).
/// The client's file name is cleaned here, once, for every caller.
pub(crate) async fn save_upload(
    state: &AppState,
    auth: &Auth,
    file_name: &str,
    bytes: &[u8],
) -> Result<StoredFile, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::invalid("file", "required"));
    }
    if bytes.len() > state.cfg.max_upload_bytes {
        return Err(ApiError::invalid("file", "too_large"));
    }
    let mime =
        sniff(bytes).filter(|m| ALLOWED.contains(m)).ok_or_else(|| ApiError::invalid("file", "type_not_allowed"))?;
    let sha = hex::encode(Sha256::digest(bytes));
    let dir = &state.cfg.attachments_dir;
    tokio::fs::create_dir_all(dir).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let path = dir.join(&sha);
    if tokio::fs::metadata(&path).await.is_err() {
        // Write then rename, and sync, so a crash never leaves a half file under the final name.
        let tmp = dir.join(format!("{sha}.part"));
        let mut f = tokio::fs::File::create(&tmp).await.map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await.map_err(|e| ApiError::Internal(e.to_string()))?;
        f.sync_all().await.map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::fs::rename(&tmp, &path).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let id = state
        .store
        .record_attachment(&auth.user, &sha, bytes.len() as u64, mime, &label(file_name), chrono::Utc::now())
        .await?;
    Ok(StoredFile { id: id.to_string(), sha256: sha, size: bytes.len() as u64, mime: mime.to_owned() })
}

/// Download an attachment: allowed to its uploader and to anyone who can see a case that
/// references it.
#[utoipa::path(get, path = "/api/attachments/{id}", tag = "cases", params(("id" = String, Path)), responses((status = 200), (status = 404)))]
pub async fn download(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = shiyu_domain::ids::AttachmentId::parse(&id).map_err(|_| ApiError::NotFound("attachment".into()))?;
    let meta = state.store.attachment_for(&auth.principal, &auth.scope(), id).await?;
    let bytes = tokio::fs::read(state.cfg.attachments_dir.join(&meta.sha256))
        .await
        .map_err(|_| ApiError::NotFound("attachment".into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime),
            (header::CONTENT_DISPOSITION, "inline".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        Body::from(bytes),
    )
        .into_response())
}
