//! Volunteers and teams. A resident registers themselves, with consent (the version of the
//! consent text and its time are kept); the phone is sealed, with a keyed hash and a masked copy,
//! and staff lists only ever carry the masked one (DESIGN §2).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::ids::{TeamId, UserId, VolunteerId};
use shiyu_domain::points::access::{PointsAct, may, points_root, role_may};
use shiyu_domain::points::volunteer::CONSENT_VERSION;
use shiyu_domain::points::{Minutes, Registration, StarLevel, TeamPlan};
use shiyu_domain::scope::Principal;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::cases::{Arg, Query};
use crate::crypto;
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms};

/// A volunteer as screens show them: phone masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolunteerView {
    /// Id.
    pub id: VolunteerId,
    /// The resident's account.
    pub user_id: UserId,
    /// Name.
    pub name: String,
    /// Phone, masked.
    pub phone_masked: String,
    /// Their community.
    pub area_code: AreaCode,
    /// Skills in their words.
    pub skills: String,
    /// Service time recorded.
    pub service_minutes: Minutes,
    /// Service hours with one decimal.
    pub hours: String,
    /// Star level by the rules of their community.
    pub stars: StarLevel,
    /// Registered at.
    pub registered_at: DateTime<Utc>,
    /// Teams they belong to.
    pub teams: Vec<String>,
}

/// A team with its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamView {
    /// Id.
    pub id: TeamId,
    /// Its area.
    pub area_code: AreaCode,
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Members: id and name.
    pub members: Vec<(VolunteerId, String)>,
}

const COLS: &str = "v.id, v.user_id, v.name, v.phone_masked, v.area_code, v.skills, v.service_minutes, v.created_at";

fn corrupt() -> StorageError {
    StorageError::Corrupt("volunteer")
}

impl Store {
    async fn volunteer_views(&self, rows: &[AnyRow]) -> Result<Vec<VolunteerView>> {
        let mut stars: HashMap<String, shiyu_domain::points::PointRules> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id = VolunteerId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt())?;
            let area = super::area(&r.try_get::<String, _>("area_code")?)?;
            let minutes = Minutes(u32::try_from(r.try_get::<i64, _>("service_minutes")?).map_err(|_| corrupt())?);
            if !stars.contains_key(area.as_str()) {
                stars.insert(area.to_string(), self.point_rules(&area).await?.rules);
            }
            let level = stars.get(area.as_str()).map(|rules| rules.stars(minutes)).unwrap_or(StarLevel(0));
            let teams = sqlx::query(
                "SELECT t.name FROM team_members m JOIN volunteer_teams t ON t.id = m.team_id WHERE m.volunteer_id = $1 \
                 ORDER BY t.name",
            )
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|t| t.try_get::<String, _>("name"))
            .collect::<std::result::Result<Vec<_>, _>>()?;
            out.push(VolunteerView {
                id,
                user_id: super::user_id(&r.try_get::<String, _>("user_id")?)?,
                name: r.try_get("name")?,
                phone_masked: r.try_get("phone_masked")?,
                area_code: area,
                skills: r.try_get("skills")?,
                hours: minutes.hours_text(),
                service_minutes: minutes,
                stars: level,
                registered_at: from_ms(r.try_get("created_at")?),
                teams,
            });
        }
        Ok(out)
    }

    /// Registers the signed-in resident as a volunteer.
    pub async fn register_volunteer(
        &self,
        actor: &Principal,
        reg: Registration,
        now: DateTime<Utc>,
    ) -> Result<VolunteerView> {
        if !role_may(actor.role, PointsAct::Take) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "register_volunteer" }.into());
        }
        let reg = reg.check()?;
        self.area(&reg.community).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        let phone = reg.phone.as_str().to_owned();
        let id = VolunteerId::new();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO volunteers (city, id, user_id, name, phone_sealed, phone_hash, phone_masked, area_code, skills, \
             consent_version, consent_at, service_minutes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             0, $12)",
        )
        .bind(reg.community.city_key().as_str())
        .bind(id.to_string())
        .bind(actor.user_id.to_string())
        .bind(reg.name.as_str())
        .bind(crypto::seal(&self.secret, &phone)?)
        .bind(self.keyed_hash(&phone))
        .bind(reg.phone.masked())
        .bind(reg.community.as_str())
        .bind(reg.skills.as_str())
        .bind(CONSENT_VERSION)
        .bind(ms(now))
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await
        .map_err(StorageError::unique("volunteer"))?;
        w.tx.commit().await?;
        self.volunteer_of_user(actor.user_id).await?.ok_or(StorageError::NotFound("volunteer"))
    }

    /// The volunteer record of an account, if it registered.
    pub async fn volunteer_of_user(&self, user: UserId) -> Result<Option<VolunteerView>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM volunteers v WHERE v.user_id = $1"))
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await?;
        Ok(self.volunteer_views(&rows).await?.into_iter().next())
    }

    /// One volunteer, if the staff member may read them.
    pub async fn volunteer(&self, actor: &Principal, id: VolunteerId) -> Result<VolunteerView> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM volunteers v WHERE v.id = $1"))
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let v = self.volunteer_views(&rows).await?.into_iter().next().ok_or(StorageError::NotFound("volunteer"))?;
        if may(actor, PointsAct::Read, &v.area_code) || v.user_id == actor.user_id {
            Ok(v)
        } else {
            Err(StorageError::NotFound("volunteer"))
        }
    }

    /// Volunteers the staff member may read (optionally only under `area`), by name.
    pub async fn volunteers(
        &self,
        actor: &Principal,
        area: Option<&AreaCode>,
        limit: u32,
    ) -> Result<Vec<VolunteerView>> {
        let Some(root) = points_root(actor, PointsAct::Read) else {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "list_volunteers" }.into());
        };
        let root = match area {
            Some(a) if a.is_within(&root) => a.clone(),
            Some(_) => return Err(DomainError::invalid("area_code", "outside_scope").into()),
            None => root,
        };
        let mut q = Query::new(&format!("SELECT {COLS} FROM volunteers v WHERE 1 = 1"));
        q.within("v.area_code", root.scope_prefix());
        q.push(" ORDER BY v.area_code, v.name LIMIT ?", Arg::Int(i64::from(limit.clamp(1, 2000))));
        let rows = q.build().fetch_all(&self.pool).await?;
        self.volunteer_views(&rows).await
    }

    /// Creates a team.
    pub async fn create_team(&self, actor: &Principal, plan: TeamPlan, now: DateTime<Utc>) -> Result<TeamView> {
        if !role_may(actor.role, PointsAct::Manage) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "create_team" }.into());
        }
        let plan = plan.check()?;
        if !may(actor, PointsAct::Manage, &plan.area) {
            return Err(DomainError::invalid("area_code", "outside_scope").into());
        }
        self.area(&plan.area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        let id = TeamId::new();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO volunteer_teams (city, id, area_code, name, description, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan.area.city_key().as_str())
        .bind(id.to_string())
        .bind(plan.area.as_str())
        .bind(plan.name.as_str())
        .bind(plan.description.as_str())
        .bind(actor.user_id.to_string())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await
        .map_err(StorageError::unique("name"))?;
        w.tx.commit().await?;
        Ok(TeamView { id, area_code: plan.area, name: plan.name, description: plan.description, members: Vec::new() })
    }

    /// Teams the staff member may manage (optionally only under `area`), with their members.
    pub async fn teams(&self, actor: &Principal, area: Option<&AreaCode>) -> Result<Vec<TeamView>> {
        let Some(root) = points_root(actor, PointsAct::Read) else {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "list_teams" }.into());
        };
        let root = match area {
            Some(a) if a.is_within(&root) => a.clone(),
            Some(_) => return Err(DomainError::invalid("area_code", "outside_scope").into()),
            None => root,
        };
        let mut q = Query::new("SELECT t.id, t.area_code, t.name, t.description FROM volunteer_teams t WHERE 1 = 1");
        q.within("t.area_code", root.scope_prefix());
        q.raw(" ORDER BY t.area_code, t.name");
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = TeamId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt())?;
            out.push(TeamView {
                id,
                area_code: super::area(&r.try_get::<String, _>("area_code")?)?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                members: self.team_members(id).await?,
            });
        }
        Ok(out)
    }

    async fn team_members(&self, team: TeamId) -> Result<Vec<(VolunteerId, String)>> {
        sqlx::query(
            "SELECT v.id, v.name FROM team_members m JOIN volunteers v ON v.id = m.volunteer_id WHERE m.team_id = $1 \
             ORDER BY v.name",
        )
        .bind(team.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((VolunteerId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt())?, r.try_get("name")?)))
        .collect()
    }

    /// Adds a volunteer the staff member may read to a team they manage.
    pub async fn add_team_member(
        &self,
        actor: &Principal,
        team: TeamId,
        volunteer: VolunteerId,
        now: DateTime<Utc>,
    ) -> Result<TeamView> {
        if !role_may(actor.role, PointsAct::Manage) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "add_team_member" }.into());
        }
        let row = sqlx::query("SELECT area_code, name, description FROM volunteer_teams WHERE id = $1")
            .bind(team.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("team"))?;
        let area = super::area(&row.try_get::<String, _>("area_code")?)?;
        if !may(actor, PointsAct::Manage, &area) {
            return Err(StorageError::NotFound("team"));
        }
        let v = self
            .volunteer(actor, volunteer)
            .await
            .map_err(|_| DomainError::invalid("volunteer", "unknown_volunteer"))?;
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO team_members (city, team_id, volunteer_id, joined_at) VALUES ($1, $2, $3, $4)")
            .bind(area.city_key().as_str())
            .bind(team.to_string())
            .bind(v.id.to_string())
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await
            .map_err(StorageError::unique("volunteer"))?;
        w.tx.commit().await?;
        Ok(TeamView {
            id: team,
            area_code: area,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            members: self.team_members(team).await?,
        })
    }
}
