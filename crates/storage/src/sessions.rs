//! Server-side sessions and API tokens. Only SHA-256 hashes of the secrets are stored, so a leaked
//! database does not leak live credentials; a row can be deleted to revoke at once.

use chrono::{DateTime, Utc};
use shiyu_domain::ids::UserId;
use sqlx::Row;

use crate::db::Store;
use crate::directory::User;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// SHA-256 of a bearer secret, as stored.
pub fn secret_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub user: User,
    /// The CSRF token bound to this session.
    pub csrf: String,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Records a new session for `token` (kept by the client) with its CSRF token.
    pub async fn create_session(
        &self,
        user: &User,
        token: &str,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let city = self.user_city(user.id).await?;
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO sessions (city, token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(city)
            .bind(secret_hash(token))
            .bind(user.id.to_string())
            .bind(csrf)
            .bind(ms(now))
            .bind(ms(expires_at))
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    async fn user_city(&self, id: UserId) -> Result<String> {
        let row = sqlx::query("SELECT city FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("user"))?;
        Ok(row.try_get("city")?)
    }

    /// The session for a token, if it exists, has not expired, and its user is active (one
    /// statement: every signed-in request asks).
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT s.csrf, s.expires_at, u.id, u.username, u.name, u.role, u.area_code, u.org_id, u.active \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(secret_hash(token))
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = self.user_from_row(&row).await?;
        if !user.active {
            return Ok(None);
        }
        Ok(Some(Session {
            user,
            csrf: row.try_get("csrf")?,
            expires_at: crate::sql::from_ms(row.try_get("expires_at")?),
        }))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(secret_hash(token)).execute(&mut *w.tx).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Issues an API token for a machine client acting as `user`.
    pub async fn create_api_token(
        &self,
        user: &User,
        token: &str,
        label: &str,
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let city = self.user_city(user.id).await?;
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (city, token_hash, user_id, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(city)
            .bind(secret_hash(token))
            .bind(user.id.to_string())
            .bind(label)
            .bind(ms(now))
            .bind(expires_at.map(ms))
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The user behind an API token, if valid.
    pub async fn api_token_user(&self, token: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(secret_hash(token))
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id =
            UserId::parse(&row.try_get::<String, _>("user_id")?).map_err(|_| StorageError::Corrupt("token"))?;
        let user = self.user(user_id).await?;
        Ok(user.active.then_some(user))
    }
}
