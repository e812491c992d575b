//! Screening sessions (矛盾纠纷排查): a village or community screens weekly, a township or street
//! monthly; each session is recorded with what it found, and each finding becomes a dispute in
//! the same transaction. A period that ended without a session shows as overdue.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::dispute::access::{DisputeAct, dispute_root, may};
use shiyu_domain::dispute::record::required_text;
use shiyu_domain::dispute::{Source, Tier, screening};
use shiyu_domain::ids::{DisputeId, ScreeningId};
use shiyu_domain::scope::Principal;
use shiyu_domain::time::local_date;
use sqlx::{Any, Row, Transaction};

use super::NewDispute;
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms, prefix_pattern};

/// A screening as entered, with its findings.
#[derive(Debug, Clone)]
pub struct NewScreening {
    /// The community (weekly) or street (monthly) screened.
    pub area: AreaCode,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Who took part.
    pub participants: String,
    /// What was looked at and found.
    pub notes: String,
    /// Disputes found; each is registered with source "screening".
    pub findings: Vec<NewDispute>,
}

/// A recorded screening.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningRecord {
    /// Id.
    pub id: ScreeningId,
    /// Area screened.
    pub area: AreaCode,
    /// Tier (village weekly, township monthly).
    pub tier: Tier,
    /// Day held.
    pub held_on: NaiveDate,
    /// Recorded by.
    pub by_name: String,
    /// Participants.
    pub participants: String,
    /// Notes.
    pub notes: String,
    /// Disputes found.
    pub found: i64,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

/// Where an area stands on its screening rhythm.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningStatus {
    /// The community or street.
    pub area: AreaCode,
    /// Its name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// The last screening day.
    pub last_held: Option<NaiveDate>,
    /// The current period still needs its screening.
    pub due_now: bool,
    /// Past periods without one, most recent first (overdue).
    pub missed: Vec<(NaiveDate, NaiveDate)>,
}

fn screened_tier(area: &AreaCode) -> Result<Tier> {
    match area.level() {
        AreaLevel::Community => Ok(Tier::Village),
        AreaLevel::Street => Ok(Tier::Township),
        _ => Err(DomainError::invalid("area_code", "not_community_or_street").into()),
    }
}

impl Store {
    /// Records a screening and registers what it found, all in one transaction.
    pub async fn record_screening(
        &self,
        actor: &Principal,
        ns: NewScreening,
        now: DateTime<Utc>,
    ) -> Result<(ScreeningId, Vec<DisputeId>)> {
        let mut w = self.begin_write().await?;
        let out = self.record_screening_in(&mut w.tx, actor, ns, now).await?;
        w.tx.commit().await?;
        Ok(out)
    }

    /// A screening inside a caller's transaction.
    pub(crate) async fn record_screening_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &Principal,
        ns: NewScreening,
        now: DateTime<Utc>,
    ) -> Result<(ScreeningId, Vec<DisputeId>)> {
        let tier = screened_tier(&ns.area)?;
        let area = self.area(&ns.area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        if !may(actor, DisputeAct::Register, &ns.area, &ns.area) {
            return Err(DomainError::invalid("area_code", "outside_scope").into());
        }
        if ns.held_on > local_date(now) {
            return Err(DomainError::invalid("held_on", "in_future").into());
        }
        let participants = required_text("participants", &ns.participants, 500)?;
        let notes = required_text("notes", &ns.notes, 5000)?;
        let id = ScreeningId::new();
        sqlx::query(
            "INSERT INTO screenings (city, id, area_code, tier, held_on, by_user, by_name, participants, notes, found, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(area.code.city_key().as_str())
        .bind(id.to_string())
        .bind(area.code.as_str())
        .bind(tier.as_str())
        .bind(ns.held_on.to_string())
        .bind(actor.user_id.to_string())
        .bind(actor.name.as_str())
        .bind(participants.as_str())
        .bind(notes.as_str())
        .bind(ns.findings.len() as i64)
        .bind(ms(now))
        .execute(&mut **tx)
        .await?;
        let mut found = Vec::with_capacity(ns.findings.len());
        for mut f in ns.findings {
            f.source = Source::Screening;
            f.screening = Some(id);
            f.area.get_or_insert_with(|| ns.area.clone());
            found.push(self.register_dispute_in(tx, actor, f, now).await?);
        }
        Ok((id, found))
    }

    /// Recent screenings the caller may read, newest first.
    pub async fn screenings(&self, actor: &Principal, limit: u32) -> Result<Vec<ScreeningRecord>> {
        let Some(root) = dispute_root(actor, DisputeAct::Read) else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT id, area_code, tier, held_on, by_name, participants, notes, found, created_at FROM screenings \
             WHERE area_code LIKE $1 ORDER BY held_on DESC, created_at DESC LIMIT $2",
        )
        .bind(prefix_pattern(root.scope_prefix()))
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.pool)
        .await?;
        let bad = || StorageError::Corrupt("screening");
        rows.iter()
            .map(|r| {
                Ok(ScreeningRecord {
                    id: ScreeningId::parse(&r.try_get::<String, _>("id")?).map_err(|_| bad())?,
                    area: AreaCode::parse(&r.try_get::<String, _>("area_code")?).map_err(|_| bad())?,
                    tier: Tier::parse(&r.try_get::<String, _>("tier")?).map_err(|_| bad())?,
                    held_on: r.try_get::<String, _>("held_on")?.parse().map_err(|_| bad())?,
                    by_name: r.try_get("by_name")?,
                    participants: r.try_get("participants")?,
                    notes: r.try_get("notes")?,
                    found: r.try_get("found")?,
                    created_at: from_ms(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Every community and street the caller may read, with its screening rhythm: overdue ones
    /// first, then those due this period, then the rest.
    pub async fn screening_status(
        &self,
        actor: &Principal,
        today: NaiveDate,
        lookback: usize,
    ) -> Result<Vec<ScreeningStatus>> {
        let Some(root) = dispute_root(actor, DisputeAct::Read) else { return Ok(Vec::new()) };
        let pattern = prefix_pattern(root.scope_prefix());
        let areas = sqlx::query(
            "SELECT code, name, level FROM areas WHERE code LIKE $1 AND level IN ('community', 'street') ORDER BY code",
        )
        .bind(pattern.as_str())
        .fetch_all(&self.pool)
        .await?;
        // Far enough back for `lookback` months.
        let since = today.checked_sub_days(Days::new(31 * (lookback as u64 + 1))).unwrap_or(today);
        let held = sqlx::query("SELECT area_code, held_on FROM screenings WHERE area_code LIKE $1 AND held_on >= $2")
            .bind(pattern.as_str())
            .bind(since.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut by_area: std::collections::HashMap<String, Vec<NaiveDate>> = std::collections::HashMap::new();
        for r in &held {
            let day: NaiveDate =
                r.try_get::<String, _>("held_on")?.parse().map_err(|_| StorageError::Corrupt("screening"))?;
            by_area.entry(r.try_get("area_code")?).or_default().push(day);
        }
        let mut out = Vec::with_capacity(areas.len());
        for r in &areas {
            let code: String = r.try_get("code")?;
            let area = AreaCode::parse(&code).map_err(|_| StorageError::Corrupt("area"))?;
            let tier = screened_tier(&area)?;
            let days = by_area.remove(&code).unwrap_or_default();
            out.push(ScreeningStatus {
                name: r.try_get("name")?,
                tier,
                last_held: days.iter().max().copied(),
                due_now: screening::due_now(tier, &days, today),
                missed: screening::missed(tier, &days, today, lookback),
                area,
            });
        }
        out.sort_by_key(|s| (s.missed.is_empty(), !s.due_now));
        Ok(out)
    }
}
