//! The audit log (DESIGN §2, §12): every unmasking of an identity or phone number, every read of a
//! care record, and every base-data import, export and visit, appended in the same transaction as
//! the act it records and chained by hash per city, so that a removed or edited entry is detected.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use shiyu_domain::scope::Principal;
use sqlx::{Any, Row, Transaction};

use crate::db::Store;
use crate::error::Result;
use crate::sql::{from_ms, ms};

/// The hash before a city's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// An identity number was shown in clear.
    UnmaskIdNumber,
    /// A phone number was shown in clear.
    UnmaskPhone,
    /// One care record was read.
    CareRead,
    /// A list of care records was read.
    CareList,
    /// Base data was imported.
    Import,
    /// Base data was exported (with identity numbers in clear for residents).
    Export,
    /// A visit was logged.
    Visit,
    /// A webhook subscription was created or stopped, or dead letters were replayed.
    Webhook,
}

impl AuditAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnmaskIdNumber => "unmask_id_number",
            Self::UnmaskPhone => "unmask_phone",
            Self::CareRead => "care_read",
            Self::CareList => "care_list",
            Self::Import => "import",
            Self::Export => "export",
            Self::Visit => "visit",
            Self::Webhook => "webhook",
        }
    }
}

/// One entry as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the city's chain, from 1.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user id), if a person.
    pub actor_user: Option<String>,
    /// Their role.
    pub actor_role: String,
    /// What.
    pub action: String,
    /// Of what kind of record.
    pub subject_kind: String,
    /// Which record (or a count for lists).
    pub subject_id: String,
    /// Particulars (JSON).
    pub detail: String,
}

fn link(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        e.actor_user.as_deref().unwrap_or(""),
        &e.actor_role,
        &e.action,
        &e.subject_kind,
        &e.subject_id,
        &e.detail,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Appends an entry inside `tx` (the transaction of the act it records).
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    city: &str,
    actor: &Principal,
    action: AuditAction,
    subject: (&str, &str),
    detail: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    // Taking the head's row lock first serialises appends per city on PostgreSQL.
    let bumped =
        sqlx::query("UPDATE audit_heads SET seq = seq + 1 WHERE city = $1").bind(city).execute(&mut **tx).await?;
    if bumped.rows_affected() == 0 {
        sqlx::query("INSERT INTO audit_heads (city, seq, hash) VALUES ($1, 1, $2)")
            .bind(city)
            .bind(GENESIS)
            .execute(&mut **tx)
            .await?;
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE city = $1").bind(city).fetch_one(&mut **tx).await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let entry = AuditEntry {
        seq,
        at: now,
        actor_user: Some(actor.user_id.to_string()),
        actor_role: actor.role.as_str().to_owned(),
        action: action.as_str().to_owned(),
        subject_kind: subject.0.to_owned(),
        subject_id: subject.1.to_owned(),
        detail: detail.to_string(),
    };
    let hash = link(&prev, seq, ms(now), &entry);
    sqlx::query(
        "INSERT INTO audit_log (city, seq, at, actor_user, actor_role, action, subject_kind, subject_id, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(city)
    .bind(seq)
    .bind(ms(now))
    .bind(entry.actor_user.as_deref())
    .bind(entry.actor_role.as_str())
    .bind(entry.action.as_str())
    .bind(entry.subject_kind.as_str())
    .bind(entry.subject_id.as_str())
    .bind(entry.detail.as_str())
    .bind(prev.as_str())
    .bind(hash.as_str())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE city = $2")
        .bind(hash.as_str())
        .bind(city)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The outcome of checking a city's audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AuditCheck {
    /// Entries checked.
    pub entries: u64,
    /// Sequence numbers where the chain breaks (edited, removed or reordered entries).
    pub broken_at: Vec<i64>,
}

impl Store {
    /// The latest audit entries of a city, newest first, optionally about one subject.
    pub async fn audit_entries(
        &self,
        city: &str,
        subject: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        let mut sql = String::from(
            "SELECT seq, at, actor_user, actor_role, action, subject_kind, subject_id, detail FROM audit_log WHERE city = $1",
        );
        if subject.is_some() {
            sql.push_str(" AND subject_kind = $2 AND subject_id = $3");
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", limit.clamp(1, 1000)));
        let mut q = sqlx::query(&sql).bind(city);
        if let Some((k, id)) = subject {
            q = q.bind(k).bind(id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.try_get("seq")?,
                    at: from_ms(r.try_get("at")?),
                    actor_user: r.try_get("actor_user")?,
                    actor_role: r.try_get("actor_role")?,
                    action: r.try_get("action")?,
                    subject_kind: r.try_get("subject_kind")?,
                    subject_id: r.try_get("subject_id")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// Recomputes a city's audit chain from the first entry and reports where it breaks.
    pub async fn verify_audit_log(&self, city: &str) -> Result<AuditCheck> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_user, actor_role, action, subject_kind, subject_id, detail, prev_hash, hash \
             FROM audit_log WHERE city = $1 ORDER BY seq",
        )
        .bind(city)
        .fetch_all(&self.pool)
        .await?;
        let mut check = AuditCheck::default();
        let mut prev = GENESIS.to_owned();
        let mut expected_seq = 1;
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            let at: i64 = r.try_get("at")?;
            let e = AuditEntry {
                seq,
                at: from_ms(at),
                actor_user: r.try_get("actor_user")?,
                actor_role: r.try_get("actor_role")?,
                action: r.try_get("action")?,
                subject_kind: r.try_get("subject_kind")?,
                subject_id: r.try_get("subject_id")?,
                detail: r.try_get("detail")?,
            };
            let stored_prev: String = r.try_get("prev_hash")?;
            let stored: String = r.try_get("hash")?;
            if seq != expected_seq || stored_prev != prev || link(&prev, seq, at, &e) != stored {
                check.broken_at.push(seq);
            }
            prev = stored;
            expected_seq = seq + 1;
            check.entries += 1;
        }
        Ok(check)
    }
}
