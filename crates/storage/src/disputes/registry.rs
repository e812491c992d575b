//! The registry of mediation organisations (人民调解委员会, 联调中心, industry and professional
//! committees) and their mediators, each with an area and specialities.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::dispute::record::required_text;
use shiyu_domain::dispute::{MediationKind, MediatorRef, OrgRef, Tier};
use shiyu_domain::ids::{MediationOrgId, MediatorId, UserId};
use sqlx::Row;

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{ms, prefix_pattern};

/// A mediation organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediationOrg {
    /// Id.
    pub id: MediationOrgId,
    /// Name.
    pub name: String,
    /// The area it serves (community, street or district).
    pub area: AreaCode,
    /// The tier it mediates at, from its area's level.
    pub tier: Tier,
    /// Kind of mediation.
    pub kind: MediationKind,
    /// Specialities (e.g. 婚姻家庭, 物业), comma-separated.
    pub specialities: String,
    /// Office phone.
    pub phone: String,
}

/// A mediator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mediator {
    /// Id.
    pub id: MediatorId,
    /// Organisation.
    pub org: MediationOrgId,
    /// The login account, when the mediator has one.
    pub user: Option<UserId>,
    /// Name.
    pub name: String,
    /// The organisation's area.
    pub area: AreaCode,
    /// Specialities.
    pub specialities: String,
}

/// A new organisation.
#[derive(Debug, Clone)]
pub struct NewMediationOrg {
    /// Name.
    pub name: String,
    /// Area (community, street or district).
    pub area: AreaCode,
    /// Kind.
    pub kind: MediationKind,
    /// Specialities.
    pub specialities: String,
    /// Phone.
    pub phone: String,
}

fn org_row(r: &sqlx::any::AnyRow) -> Result<MediationOrg> {
    let bad = || StorageError::Corrupt("mediation_org");
    Ok(MediationOrg {
        id: MediationOrgId::parse(&r.try_get::<String, _>("id")?).map_err(|_| bad())?,
        name: r.try_get("name")?,
        area: AreaCode::parse(&r.try_get::<String, _>("area_code")?).map_err(|_| bad())?,
        tier: Tier::parse(&r.try_get::<String, _>("tier")?).map_err(|_| bad())?,
        kind: MediationKind::parse(&r.try_get::<String, _>("kind")?).map_err(|_| bad())?,
        specialities: r.try_get("specialities")?,
        phone: r.try_get("phone")?,
    })
}

fn mediator_row(r: &sqlx::any::AnyRow) -> Result<Mediator> {
    let bad = || StorageError::Corrupt("mediator");
    Ok(Mediator {
        id: MediatorId::parse(&r.try_get::<String, _>("id")?).map_err(|_| bad())?,
        org: MediationOrgId::parse(&r.try_get::<String, _>("org_id")?).map_err(|_| bad())?,
        user: r.try_get::<Option<String>, _>("user_id")?.map(|u| UserId::parse(&u)).transpose().map_err(|_| bad())?,
        name: r.try_get("name")?,
        area: AreaCode::parse(&r.try_get::<String, _>("area_code")?).map_err(|_| bad())?,
        specialities: r.try_get("specialities")?,
    })
}

const ORG_COLS: &str = "id, name, area_code, tier, kind, specialities, phone";
const MEDIATOR_COLS: &str = "id, org_id, user_id, name, area_code, specialities";

impl Store {
    /// Adds a mediation organisation; its tier follows from its area's level.
    pub async fn add_mediation_org(&self, org: NewMediationOrg, now: DateTime<Utc>) -> Result<MediationOrg> {
        let name = required_text("name", &org.name, 100)?;
        self.area(&org.area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        if org.area.level() > shiyu_domain::area::AreaLevel::Community {
            return Err(DomainError::invalid("area_code", "below_community").into());
        }
        let tier = Tier::of_area(&org.area);
        let id = MediationOrgId::new();
        sqlx::query(
            "INSERT INTO mediation_orgs (city, id, area_code, tier, kind, name, specialities, phone, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
        )
        .bind(org.area.city_key().as_str())
        .bind(id.to_string())
        .bind(org.area.as_str())
        .bind(tier.as_str())
        .bind(org.kind.as_str())
        .bind(name.as_str())
        .bind(org.specialities.trim())
        .bind(org.phone.trim())
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(StorageError::unique("name"))?;
        Ok(MediationOrg {
            id,
            name,
            area: org.area,
            tier,
            kind: org.kind,
            specialities: org.specialities.trim().to_owned(),
            phone: org.phone.trim().to_owned(),
        })
    }

    /// Adds a mediator to an organisation, optionally tied to a login account.
    pub async fn add_mediator(
        &self,
        org: MediationOrgId,
        name: &str,
        user: Option<UserId>,
        specialities: &str,
        now: DateTime<Utc>,
    ) -> Result<Mediator> {
        let name = required_text("name", name, 60)?;
        let o = self.mediation_org(org).await.map_err(|_| DomainError::invalid("org", "unknown_org"))?;
        let id = MediatorId::new();
        sqlx::query(
            "INSERT INTO mediators (city, id, org_id, user_id, name, area_code, specialities, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
        )
        .bind(o.area.city_key().as_str())
        .bind(id.to_string())
        .bind(org.to_string())
        .bind(user.map(|u| u.to_string()))
        .bind(name.as_str())
        .bind(o.area.as_str())
        .bind(specialities.trim())
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(StorageError::unique("user"))?;
        Ok(Mediator { id, org, user, name, area: o.area, specialities: specialities.trim().to_owned() })
    }

    /// One organisation.
    pub async fn mediation_org(&self, id: MediationOrgId) -> Result<MediationOrg> {
        let r = sqlx::query(&format!("SELECT {ORG_COLS} FROM mediation_orgs WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("mediation_org"))?;
        org_row(&r)
    }

    /// The organisations serving `root`'s subtree and the ones above it on its line (a village
    /// sees its township's and county's too), by tier then name.
    pub async fn mediation_orgs(&self, root: &AreaCode) -> Result<Vec<MediationOrg>> {
        let lineage: Vec<String> = root.lineage().iter().map(ToString::to_string).collect();
        let mut sql = format!("SELECT {ORG_COLS} FROM mediation_orgs WHERE active = 1 AND (area_code LIKE $1");
        for i in 0..lineage.len() {
            sql.push_str(&format!(" OR area_code = ${}", i + 2));
        }
        sql.push_str(") ORDER BY area_code, name");
        let mut q = sqlx::query(&sql).bind(prefix_pattern(root.scope_prefix()));
        for a in &lineage {
            q = q.bind(a.as_str());
        }
        q.fetch_all(&self.pool).await?.iter().map(org_row).collect()
    }

    /// The mediators of the organisations [`Store::mediation_orgs`] lists.
    pub async fn mediators(&self, root: &AreaCode) -> Result<Vec<Mediator>> {
        let orgs = self.mediation_orgs(root).await?;
        let mut out = Vec::new();
        for chunk in orgs.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {MEDIATOR_COLS} FROM mediators WHERE active = 1 AND org_id IN ({}) ORDER BY name",
                ph.join(",")
            );
            let mut q = sqlx::query(&sql);
            for o in chunk {
                q = q.bind(o.id.to_string());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(mediator_row(&r)?);
            }
        }
        Ok(out)
    }

    /// The mediator record of a login account.
    pub async fn mediator_of_user(&self, user: UserId) -> Result<Option<Mediator>> {
        let r = sqlx::query(&format!("SELECT {MEDIATOR_COLS} FROM mediators WHERE user_id = $1"))
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(mediator_row).transpose()
    }

    /// Resolves an organisation reference for history, checking it serves `tier_area`.
    pub(crate) async fn org_ref(&self, id: MediationOrgId, tier_area: &AreaCode) -> Result<OrgRef> {
        let o = self.mediation_org(id).await.map_err(|_| DomainError::invalid("org", "unknown_org"))?;
        if !(tier_area == &o.area || tier_area.is_within(&o.area)) {
            return Err(DomainError::invalid("org", "not_serving_this_area").into());
        }
        Ok(OrgRef { id, name: o.name })
    }

    /// Resolves mediator references for history: each must exist and be active.
    pub(crate) async fn mediator_refs(&self, ids: &[MediatorId]) -> Result<Vec<MediatorRef>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let r = sqlx::query("SELECT name FROM mediators WHERE id = $1 AND active = 1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?
                .ok_or(DomainError::invalid("mediators", "unknown_mediator"))?;
            if out.iter().any(|m: &MediatorRef| m.id == *id) {
                return Err(DomainError::invalid("mediators", "duplicate").into());
            }
            out.push(MediatorRef { id: *id, name: r.try_get("name")? });
        }
        Ok(out)
    }
}
