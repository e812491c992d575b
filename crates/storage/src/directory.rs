//! The directory: areas, organisations, users and categories.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::CategoryCode;
use shiyu_domain::ids::{OrgId, UserId};
use shiyu_domain::role::Role;
use shiyu_domain::scope::{Binding, Principal};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{ms, prefix_pattern};

/// An area of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Code.
    pub code: AreaCode,
    /// Name.
    pub name: String,
    /// Level (from the code).
    pub level: AreaLevel,
    /// Parent code.
    pub parent: Option<AreaCode>,
    /// Boundary as GeoJSON geometry text, when known.
    pub polygon: Option<String>,
}

/// One area of an import, already checked (codes, nesting, geometry) by the geo crate.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaImport {
    /// Code.
    pub code: AreaCode,
    /// Name.
    pub name: String,
    /// Boundary as GeoJSON geometry text in WGS-84, if any.
    pub polygon: Option<String>,
}

/// What an all-or-nothing import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// New records.
    pub inserted: u64,
    /// Records that changed.
    pub updated: u64,
    /// Records already exactly so.
    pub unchanged: u64,
}

/// Kind of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 职能部门: a functional department (handles dispatched cases).
    Department,
    /// 综治中心: a governance centre at some level.
    Centre,
}

impl OrgKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Centre => "centre",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "department" => Ok(Self::Department),
            "centre" => Ok(Self::Centre),
            _ => Err(StorageError::Corrupt("org kind")),
        }
    }
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Org {
    /// Id.
    pub id: OrgId,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Where it sits.
    pub area: AreaCode,
}

/// A user account, without the password hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Attachment.
    pub binding: Binding,
    /// Can sign in.
    pub active: bool,
}

impl User {
    /// The acting identity of this user.
    pub fn principal(&self) -> Principal {
        Principal { user_id: self.id, name: self.name.clone(), role: self.role, binding: self.binding.clone() }
    }
}

/// A category of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Code.
    pub code: CategoryCode,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

fn parse_area(text: &str) -> Result<AreaCode> {
    AreaCode::parse(text).map_err(|_| StorageError::Corrupt("area code"))
}

fn parse_uuid(text: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(text).map_err(|_| StorageError::Corrupt("id"))
}

impl Store {
    /// Adds an area; its parent must exist unless it is a city.
    pub async fn create_area(
        &self,
        code: &AreaCode,
        name: &str,
        polygon: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Area> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(shiyu_domain::DomainError::invalid("name", "required").into());
        }
        let parent = code.parent();
        if let Some(p) = &parent
            && self.area(p).await.is_err()
        {
            return Err(shiyu_domain::DomainError::invalid("area_code", "parent_missing").into());
        }
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO areas (city, code, parent_code, level, name, polygon, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(code.city_key().as_str())
            .bind(code.as_str())
            .bind(parent.as_ref().map(AreaCode::as_str))
            .bind(code.level().as_str())
            .bind(name)
            .bind(polygon)
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await
            .map_err(StorageError::unique("area_code"))?;
        w.tx.commit().await?;
        Ok(Area {
            code: code.clone(),
            name: name.to_owned(),
            level: code.level(),
            parent,
            polygon: polygon.map(str::to_owned),
        })
    }

    /// Writes a checked set of areas in one transaction: new codes are added, known codes get the
    /// new name and polygon. Parents must exist already or come earlier in `areas` (callers sort by
    /// code, which puts parents first). Nothing is written when any row fails.
    pub async fn import_areas(&self, areas: &[AreaImport], now: DateTime<Utc>) -> Result<ImportCounts> {
        let mut known: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut w = self.begin_write().await?;
        let mut counts = ImportCounts::default();
        for a in areas {
            let name = a.name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(shiyu_domain::DomainError::invalid("name", "required").into());
            }
            let existing = sqlx::query("SELECT name, polygon FROM areas WHERE code = $1")
                .bind(a.code.as_str())
                .fetch_optional(&mut *w.tx)
                .await?;
            match existing {
                Some(row) => {
                    let same = row.try_get::<String, _>("name")? == name
                        && row.try_get::<Option<String>, _>("polygon")?.as_deref() == a.polygon.as_deref();
                    if same {
                        counts.unchanged += 1;
                    } else {
                        sqlx::query("UPDATE areas SET name = $1, polygon = $2 WHERE code = $3")
                            .bind(name)
                            .bind(a.polygon.as_deref())
                            .bind(a.code.as_str())
                            .execute(&mut *w.tx)
                            .await?;
                        counts.updated += 1;
                    }
                }
                None => {
                    let parent = a.code.parent();
                    if let Some(p) = &parent {
                        let parent_known = known.contains(p.as_str())
                            || sqlx::query("SELECT 1 AS one FROM areas WHERE code = $1")
                                .bind(p.as_str())
                                .fetch_optional(&mut *w.tx)
                                .await?
                                .is_some();
                        if !parent_known {
                            return Err(shiyu_domain::DomainError::invalid("parent", "parent_missing").into());
                        }
                    }
                    sqlx::query(
                        "INSERT INTO areas (city, code, parent_code, level, name, polygon, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(a.code.city_key().as_str())
                    .bind(a.code.as_str())
                    .bind(parent.as_ref().map(AreaCode::as_str))
                    .bind(a.code.level().as_str())
                    .bind(name)
                    .bind(a.polygon.as_deref())
                    .bind(ms(now))
                    .execute(&mut *w.tx)
                    .await?;
                    counts.inserted += 1;
                }
            }
            known.insert(a.code.to_string());
        }
        w.tx.commit().await?;
        Ok(counts)
    }

    /// Every area of the city that has a polygon and no child with one: the leaves the grid index
    /// places points in. Returned as (code, GeoJSON geometry text).
    pub async fn leaf_polygons(&self) -> Result<Vec<(AreaCode, String)>> {
        let rows = sqlx::query("SELECT code, polygon FROM areas WHERE polygon IS NOT NULL ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        let mut all: Vec<(AreaCode, String)> = Vec::with_capacity(rows.len());
        for r in &rows {
            all.push((parse_area(&r.try_get::<String, _>("code")?)?, r.try_get("polygon")?));
        }
        let parents: std::collections::HashSet<AreaCode> = all.iter().filter_map(|(c, _)| c.parent()).collect();
        Ok(all.into_iter().filter(|(c, _)| !parents.contains(c)).collect())
    }

    fn area_from_row(row: &AnyRow) -> Result<Area> {
        let code = parse_area(&row.try_get::<String, _>("code")?)?;
        let parent: Option<String> = row.try_get("parent_code")?;
        Ok(Area {
            level: code.level(),
            code,
            name: row.try_get("name")?,
            parent: parent.as_deref().map(parse_area).transpose()?,
            polygon: row.try_get("polygon")?,
        })
    }

    /// One area.
    pub async fn area(&self, code: &AreaCode) -> Result<Area> {
        let row = sqlx::query("SELECT code, parent_code, name, polygon FROM areas WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("area"))?;
        Self::area_from_row(&row)
    }

    /// The areas in a subtree, root first, by code.
    pub async fn areas_within(&self, root: &AreaCode) -> Result<Vec<Area>> {
        let rows = sqlx::query("SELECT code, parent_code, name, polygon FROM areas WHERE code LIKE $1 ORDER BY code")
            .bind(prefix_pattern(root.scope_prefix()))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let a = Self::area_from_row(row)?;
            if a.code.is_within(root) {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Every area of the deployment, by code (imports check new areas against them).
    pub async fn all_areas(&self) -> Result<Vec<Area>> {
        let rows = sqlx::query("SELECT code, parent_code, name, polygon FROM areas ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::area_from_row).collect()
    }

    /// The direct children of an area.
    pub async fn child_areas(&self, parent: &AreaCode) -> Result<Vec<Area>> {
        let rows =
            sqlx::query("SELECT code, parent_code, name, polygon FROM areas WHERE parent_code = $1 ORDER BY code")
                .bind(parent.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(Self::area_from_row).collect()
    }

    /// Adds an organisation.
    pub async fn create_org(&self, name: &str, kind: OrgKind, area: &AreaCode, now: DateTime<Utc>) -> Result<Org> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(shiyu_domain::DomainError::invalid("name", "required").into());
        }
        self.area(area).await.map_err(|_| shiyu_domain::DomainError::invalid("area_code", "unknown_area"))?;
        let id = OrgId::new();
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO orgs (city, id, name, kind, area_code, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(area.city_key().as_str())
            .bind(id.to_string())
            .bind(name)
            .bind(kind.as_str())
            .bind(area.as_str())
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(Org { id, name: name.to_owned(), kind, area: area.clone() })
    }

    fn org_from_row(row: &AnyRow) -> Result<Org> {
        Ok(Org {
            id: OrgId(parse_uuid(&row.try_get::<String, _>("id")?)?),
            name: row.try_get("name")?,
            kind: OrgKind::parse(&row.try_get::<String, _>("kind")?)?,
            area: parse_area(&row.try_get::<String, _>("area_code")?)?,
        })
    }

    /// One organisation.
    pub async fn org(&self, id: OrgId) -> Result<Org> {
        let row = sqlx::query("SELECT id, name, kind, area_code FROM orgs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("organisation"))?;
        Self::org_from_row(&row)
    }

    /// Organisations sitting in a subtree (or all, with `None`), by name.
    pub async fn orgs(&self, within: Option<&AreaCode>) -> Result<Vec<Org>> {
        let pattern = within.map_or_else(|| "%".to_owned(), |a| prefix_pattern(a.scope_prefix()));
        let rows = sqlx::query("SELECT id, name, kind, area_code FROM orgs WHERE area_code LIKE $1 ORDER BY name")
            .bind(pattern)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::org_from_row).collect()
    }

    /// Adds a user. The binding must fit the role: handlers to an organisation, residents to
    /// nothing, everyone else to an area.
    pub async fn create_user(
        &self,
        username: &str,
        name: &str,
        role: Role,
        binding: Binding,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User> {
        use shiyu_domain::DomainError;
        let username = username.trim();
        let valid_username = (3..=40).contains(&username.len())
            && username.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
        if !valid_username {
            return Err(DomainError::invalid("username", "invalid").into());
        }
        if name.trim().is_empty() || name.chars().count() > 60 {
            return Err(DomainError::invalid("name", "required").into());
        }
        let (area, org, city) = match (&binding, role) {
            (Binding::Org { org, .. }, Role::Handler) => {
                let o = self.org(*org).await.map_err(|_| DomainError::invalid("org_id", "unknown_org"))?;
                (None, Some(*org), o.area.city_key())
            }
            (Binding::Area { area }, r) if r != Role::Handler && r != Role::Resident => {
                self.area(area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
                (Some(area.clone()), None, area.city_key())
            }
            (Binding::Resident, Role::Resident) => {
                let city = self.default_city().await?;
                (None, None, city)
            }
            _ => return Err(DomainError::invalid("binding", "does_not_fit_role").into()),
        };
        let id = UserId::new();
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO users (city, id, username, name, role, area_code, org_id, password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)")
            .bind(city.as_str())
            .bind(id.to_string())
            .bind(username)
            .bind(name.trim())
            .bind(role.as_str())
            .bind(area.as_ref().map(AreaCode::as_str))
            .bind(org.map(|o| o.to_string()))
            .bind(password_hash)
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await
            .map_err(StorageError::unique("username"))?;
        w.tx.commit().await?;
        let binding = match (area, org) {
            (Some(area), _) => Binding::Area { area },
            (_, Some(org)) => Binding::Org { org, area: self.org(org).await?.area },
            _ => Binding::Resident,
        };
        Ok(User { id, username: username.to_owned(), name: name.trim().to_owned(), role, binding, active: true })
    }

    /// The first area without a parent (the city of a one-city deployment).
    pub async fn root_area(&self) -> Result<AreaCode> {
        let row = sqlx::query("SELECT code FROM areas WHERE parent_code IS NULL ORDER BY code LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("city"))?;
        parse_area(&row.try_get::<String, _>("code")?)
    }

    /// The city of the first city-level area; the key for records without an area of their own.
    pub async fn default_city(&self) -> Result<shiyu_domain::ids::CityKey> {
        Ok(self.root_area().await?.city_key())
    }

    pub(crate) async fn user_from_row(&self, row: &AnyRow) -> Result<User> {
        let role = Role::parse(&row.try_get::<String, _>("role")?).map_err(|_| StorageError::Corrupt("role"))?;
        let area: Option<String> = row.try_get("area_code")?;
        let org: Option<String> = row.try_get("org_id")?;
        let binding = match (area, org) {
            (Some(a), _) => Binding::Area { area: parse_area(&a)? },
            (None, Some(o)) => {
                let org = OrgId(parse_uuid(&o)?);
                Binding::Org { org, area: self.org(org).await?.area }
            }
            (None, None) => Binding::Resident,
        };
        Ok(User {
            id: UserId(parse_uuid(&row.try_get::<String, _>("id")?)?),
            username: row.try_get("username")?,
            name: row.try_get("name")?,
            role,
            binding,
            active: row.try_get::<i64, _>("active")? != 0,
        })
    }

    /// A user and the stored password hash, by login name.
    pub async fn user_for_login(&self, username: &str) -> Result<(User, String)> {
        let row = sqlx::query(
            "SELECT id, username, name, role, area_code, org_id, active, password_hash FROM users WHERE username = $1",
        )
        .bind(username.trim())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("user"))?;
        let hash: String = row.try_get("password_hash")?;
        Ok((self.user_from_row(&row).await?, hash))
    }

    /// One user.
    pub async fn user(&self, id: UserId) -> Result<User> {
        let row = sqlx::query("SELECT id, username, name, role, area_code, org_id, active FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("user"))?;
        self.user_from_row(&row).await
    }

    /// Users attached inside a subtree (area-bound, or to organisations sitting there).
    pub async fn users_within(&self, root: &AreaCode) -> Result<Vec<User>> {
        let pattern = prefix_pattern(root.scope_prefix());
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.name, u.role, u.area_code, u.org_id, u.active FROM users u \
             LEFT JOIN orgs o ON o.id = u.org_id \
             WHERE u.area_code LIKE $1 OR o.area_code LIKE $1 ORDER BY u.username",
        )
        .bind(pattern)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.user_from_row(row).await?);
        }
        Ok(out)
    }

    /// Adds or renames a category.
    pub async fn upsert_category(&self, code: &CategoryCode, name_zh: &str, name_en: &str) -> Result<()> {
        let city = self.default_city().await?;
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO categories (city, code, parent_code, name_zh, name_en, active) VALUES ($1, $2, $3, $4, $5, 1) \
             ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
        )
        .bind(city.as_str())
        .bind(code.as_str())
        .bind(code.parent().map(String::from))
        .bind(name_zh)
        .bind(name_en)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The whole category tree, by code.
    pub async fn categories(&self) -> Result<Vec<Category>> {
        let rows = sqlx::query("SELECT code, name_zh, name_en FROM categories WHERE active = 1 ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Category {
                    code: CategoryCode::parse(&r.try_get::<String, _>("code")?)
                        .map_err(|_| StorageError::Corrupt("category"))?,
                    name_zh: r.try_get("name_zh")?,
                    name_en: r.try_get("name_en")?,
                })
            })
            .collect()
    }

    /// Whether a category exists.
    pub async fn category_exists(&self, code: &CategoryCode) -> Result<bool> {
        Ok(sqlx::query("SELECT code FROM categories WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }
}
