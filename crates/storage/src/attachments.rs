//! Attachment records. The bytes live on disk under their SHA-256; the database holds who uploaded
//! what, and which cases reference it (for scope on download).

use chrono::{DateTime, Utc};
use shiyu_domain::ids::{AttachmentId, CaseId};
use shiyu_domain::scope::{Principal, Scope};
use sqlx::Row;

use crate::base::V;
use crate::db::Store;
use crate::directory::User;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// What is known of a stored file.
#[derive(Debug, Clone)]
pub struct AttachmentMeta {
    /// Content hash (the file name on disk).
    pub sha256: String,
    /// Type.
    pub mime: String,
    /// Name given at upload.
    pub file_name: String,
    /// Uploader.
    pub uploaded_by: Option<String>,
}

impl Store {
    /// Records an uploaded file.
    pub async fn record_attachment(
        &self,
        by: &User,
        sha256: &str,
        size: u64,
        mime: &str,
        file_name: &str,
        now: DateTime<Utc>,
    ) -> Result<AttachmentId> {
        let id = AttachmentId::new();
        let city = self.default_city().await?;
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO attachments (city, id, sha256, size, mime, file_name, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(city.as_str())
            .bind(id.to_string())
            .bind(sha256)
            .bind(i64::try_from(size).unwrap_or(i64::MAX))
            .bind(mime)
            .bind(file_name)
            .bind(by.id.to_string())
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    async fn attachment_meta(&self, id: AttachmentId) -> Result<AttachmentMeta> {
        let row = sqlx::query("SELECT sha256, mime, file_name, uploaded_by FROM attachments WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("attachment"))?;
        Ok(AttachmentMeta {
            sha256: row.try_get("sha256")?,
            mime: row.try_get("mime")?,
            file_name: row.try_get("file_name")?,
            uploaded_by: row.try_get("uploaded_by")?,
        })
    }

    /// Checks that every attachment exists and was uploaded by `who` (one cannot attach another
    /// person's file to a new case).
    pub(crate) async fn check_own_attachments(&self, who: &Principal, ids: &[AttachmentId]) -> Result<()> {
        for id in ids {
            let meta = self
                .attachment_meta(*id)
                .await
                .map_err(|_| shiyu_domain::DomainError::invalid("attachments", "unknown_value"))?;
            if meta.uploaded_by.as_deref() != Some(who.user_id.to_string().as_str()) {
                return Err(shiyu_domain::DomainError::invalid("attachments", "unknown_value").into());
            }
        }
        Ok(())
    }

    /// Links attachments to a case inside the registering transaction.
    pub(crate) async fn link_attachments(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        city: &str,
        case: CaseId,
        ids: &[AttachmentId],
    ) -> Result<()> {
        for id in ids {
            let row = vec![V::T(Some(city.to_owned())), V::T(Some(case.to_string())), V::T(Some(id.to_string()))];
            crate::group_commit::insert(tx, &CASE_ATTACHMENT_ROW, row).await?;
        }
        Ok(())
    }

    /// An attachment, if the caller uploaded it or can see a case that references it.
    pub async fn attachment_for(&self, who: &Principal, scope: &Scope, id: AttachmentId) -> Result<AttachmentMeta> {
        let meta = self.attachment_meta(id).await?;
        if meta.uploaded_by.as_deref() == Some(who.user_id.to_string().as_str()) {
            return Ok(meta);
        }
        let rows = sqlx::query("SELECT case_id FROM case_attachments WHERE attachment_id = $1")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let case =
                CaseId::parse(&r.try_get::<String, _>("case_id")?).map_err(|_| StorageError::Corrupt("case id"))?;
            if self.case_record(scope, case).await.is_ok() {
                return Ok(meta);
            }
        }
        Err(StorageError::NotFound("attachment"))
    }
}

static CASE_ATTACHMENT_ROW: crate::group_commit::Insert = crate::group_commit::Insert {
    table: "case_attachments",
    cols: &["city", "case_id", "attachment_id"],
    suffix: " ON CONFLICT (case_id, attachment_id) DO NOTHING",
};
