//! Residents (实有人口): one record per person, keyed by the keyed hash of the identity number.
//! Identity and phone numbers are sealed at rest; lists carry only the masked forms; the clear
//! value comes out through [`Store::unmask_resident`] (audited) or an export (audited).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::{self, BaseAct};
use shiyu_domain::base::care::CareGroup;
use shiyu_domain::base::columns::CellError;
use shiyu_domain::base::idnum::IdNumber;
use shiyu_domain::base::kinds::ResidentKind;
use shiyu_domain::base::phone::Phone;
use shiyu_domain::base::records::ResidentRecord;
use shiyu_domain::scope::Principal;
use shiyu_domain::time;
use sqlx::Row;

use super::changes::{Changes, Fields, diff};
use super::{ImportCounts, Placed, V, audit_import, check_grid, insert_many, placeholders, root_for, under};
use crate::audit::{self, AuditAction};
use crate::crypto;
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// A resident as lists show them: identifiers masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResidentRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Masked identity number.
    pub id_masked: String,
    /// Masked phone.
    pub phone_masked: Option<String>,
    /// Registered or floating.
    pub kind: ResidentKind,
    /// Grid.
    pub grid: String,
    /// House code, if any.
    pub house: Option<String>,
}

/// Which identifier to unmask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    /// The identity number.
    IdNumber,
    /// The phone number.
    Phone,
}

/// A checked import of residents, ready to write: see [`Store::plan_residents`].
pub(crate) struct ResidentPlan {
    counts: ImportCounts,
    inserts: Vec<Vec<V>>,
    tag_inserts: Vec<Vec<V>>,
    updates: Vec<ResidentUpdate>,
    changes: Changes,
    rows: usize,
    /// Keyed hash of each imported identity number → the resident's id (new or stored).
    pub(crate) ids: HashMap<String, String>,
}

/// One stored resident corrected: id, name, kind, grid, house, and the phone when it changed
/// (sealed, keyed hash, masked).
type ResidentUpdate = (String, String, ResidentKind, String, Option<String>, Option<(String, String, String)>);

struct Stored {
    id: String,
    name: String,
    phone_hash: Option<String>,
    kind: String,
    grid: String,
    house_id: Option<String>,
    care: BTreeSet<String>,
}

/// The resident fields a base-data change may carry besides the masked numbers (never care groups).
fn sent_fields(name: &str, kind: &str, grid: &str, house_id: Option<&str>) -> Fields {
    let mut f = Fields::new();
    f.insert("name".into(), serde_json::json!(name));
    f.insert("kind".into(), serde_json::json!(kind));
    f.insert("grid".into(), serde_json::json!(grid));
    f.insert("house_id".into(), serde_json::json!(house_id));
    f
}

impl Store {
    /// Imports residents: all or nothing. One person (identity number) is one record however
    /// often imported; a value in the file corrects what is stored, an empty cell keeps it; care
    /// groups are added. A resident's grid is the one given, else their house's.
    pub async fn import_residents(
        &self,
        city: &str,
        actor: &Principal,
        rows: Vec<Placed<ResidentRecord>>,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let plan = self.plan_residents(city, actor, rows, now).await?;
        let mut w = self.begin_write().await?;
        let counts = self.write_residents(&mut w.tx, city, actor, plan, now).await?;
        w.tx.commit().await?;
        Ok(counts)
    }

    /// Checks an import of residents against what is stored and prepares its writes (reads
    /// only). Imports from other systems plan with it and write inside their own transaction.
    pub(crate) async fn plan_residents(
        &self,
        city: &str,
        actor: &Principal,
        rows: Vec<Placed<ResidentRecord>>,
        now: DateTime<Utc>,
    ) -> Result<ResidentPlan> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let grids = self.grid_codes().await?;
        let house_codes: Vec<&str> = {
            let set: BTreeSet<&str> = rows.iter().filter_map(|p| p.record.house.as_deref()).collect();
            set.into_iter().collect()
        };
        let houses = self.houses_by_code(city, &house_codes).await?;
        let mut errors: Vec<CellError> = Vec::new();
        // Resolve grid and house per row; the same person twice in a file: the later row wins.
        let mut people: HashMap<String, (usize, ResidentRecord, String, Option<String>)> = HashMap::new();
        for p in rows {
            let house = match &p.record.house {
                None => None,
                Some(code) => match houses.get(code) {
                    Some((id, h, _)) => Some((id.clone(), h.grid.clone())),
                    None => {
                        errors.push(CellError {
                            row: p.row,
                            column: "房屋编号".into(),
                            field: "house",
                            reason: "unknown_house",
                        });
                        continue;
                    }
                },
            };
            let grid = p.record.grid.clone().or_else(|| house.as_ref().and_then(|(_, g)| g.clone()));
            let Some(grid) = grid else {
                errors.push(CellError {
                    row: p.row,
                    column: "网格编码".into(),
                    field: "grid",
                    reason: "grid_or_house_required",
                });
                continue;
            };
            let before = errors.len();
            check_grid(&grids, &root, Some(&grid), p.row, "网格编码", &mut errors);
            if errors.len() > before {
                continue;
            }
            let hash = self.keyed_hash(p.record.id_number.as_str());
            people.insert(hash, (p.row, p.record, grid.to_string(), house.map(|(id, _)| id)));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.row);
            return Err(StorageError::Rows(errors));
        }
        let stored = self.residents_by_hash(city, people.keys().map(String::as_str).collect()).await?;
        let today = time::local_date(now);
        let mut counts = ImportCounts::default();
        let mut inserts = Vec::new();
        let mut tag_inserts = Vec::new();
        let mut updates = Vec::new();
        let mut changes = Changes::default();
        let mut new_ids: Vec<(String, String)> = Vec::new();
        let secret = self.secret.as_slice();
        for (hash, (row, r, grid, house_id)) in &people {
            let phone = r.phone.as_ref().map(|p| (self.keyed_hash(p.as_str()), p));
            let care_new: BTreeSet<String> = r.care.iter().map(|g| g.as_str().to_owned()).collect();
            match stored.get(hash) {
                None => {
                    counts.inserted += 1;
                    let id = uuid::Uuid::now_v7().to_string();
                    new_ids.push((hash.clone(), id.clone()));
                    let (ph_sealed, ph_hash, ph_masked) = match &phone {
                        Some((h, p)) => (Some(crypto::seal(secret, p.as_str())?), Some(h.clone()), Some(p.masked())),
                        None => (None, None, None),
                    };
                    let mut f = sent_fields(&r.name, r.kind.as_str(), grid, house_id.as_deref());
                    f.insert("id_masked".into(), serde_json::json!(r.id_number.masked()));
                    f.insert("phone_masked".into(), serde_json::json!(ph_masked));
                    changes.insert("resident", &id, f);
                    inserts.push(vec![
                        V::T(Some(city.to_owned())),
                        V::T(Some(id.clone())),
                        V::T(Some(grid.clone())),
                        V::T(Some(r.name.clone())),
                        V::T(Some(crypto::seal(secret, r.id_number.as_str())?)),
                        V::T(Some(hash.clone())),
                        V::T(Some(r.id_number.masked())),
                        V::T(ph_sealed),
                        V::T(ph_hash),
                        V::T(ph_masked),
                        V::T(Some(r.kind.as_str().to_owned())),
                        V::T(house_id.clone()),
                        V::I(ms(now)),
                        V::I(ms(now)),
                    ]);
                    for g in &r.care {
                        tag_inserts.push(tag_row(city, &id, *g, grid, today));
                    }
                }
                Some(old) => {
                    let name = if r.name.is_empty() { old.name.clone() } else { r.name.clone() };
                    let house = house_id.clone().or_else(|| old.house_id.clone());
                    let phone_changed =
                        phone.as_ref().is_some_and(|(h, _)| old.phone_hash.as_deref() != Some(h.as_str()));
                    let new_tags: Vec<CareGroup> =
                        r.care.iter().copied().filter(|g| !old.care.contains(g.as_str())).collect();
                    let same = name == old.name
                        && r.kind.as_str() == old.kind
                        && *grid == old.grid
                        && house == old.house_id
                        && !phone_changed
                        && care_new.is_subset(&old.care);
                    if !access::may(
                        actor,
                        BaseAct::ImportExport,
                        &AreaCode::parse(&old.grid).map_err(|_| StorageError::Corrupt("grid"))?,
                    ) {
                        return Err(StorageError::Rows(vec![CellError {
                            row: *row,
                            column: "身份证号".into(),
                            field: "id_number",
                            reason: "recorded_outside_scope",
                        }]));
                    }
                    if same {
                        counts.unchanged += 1;
                    } else {
                        counts.updated += 1;
                        let phone = match (&phone, phone_changed) {
                            (Some((h, p)), true) => Some((crypto::seal(secret, p.as_str())?, h.clone(), p.masked())),
                            _ => None,
                        };
                        for g in new_tags {
                            tag_inserts.push(tag_row(city, &old.id, g, grid, today));
                        }
                        let mut changed = diff(
                            &sent_fields(&old.name, &old.kind, &old.grid, old.house_id.as_deref()),
                            sent_fields(&name, r.kind.as_str(), grid, house.as_deref()),
                        );
                        if let Some((_, _, masked)) = &phone {
                            changed.insert("phone_masked".into(), serde_json::json!(masked));
                        }
                        changes.update("resident", &old.id, changed);
                        updates.push((old.id.clone(), name, r.kind, grid.clone(), house, phone));
                    }
                }
            }
        }
        let ids =
            people.keys().filter_map(|h| stored.get(h).map(|s| (h.clone(), s.id.clone()))).chain(new_ids).collect();
        Ok(ResidentPlan { counts, inserts, tag_inserts, updates, changes, rows: people.len(), ids })
    }

    /// Writes a planned import inside `tx`, with its audit entry.
    pub(crate) async fn write_residents(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        city: &str,
        actor: &Principal,
        plan: ResidentPlan,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let ResidentPlan { counts, inserts, tag_inserts, updates, changes, rows, .. } = plan;
        insert_many(
            tx,
            "residents",
            &[
                "city",
                "id",
                "grid_code",
                "name",
                "id_sealed",
                "id_hash",
                "id_masked",
                "phone_sealed",
                "phone_hash",
                "phone_masked",
                "kind",
                "house_id",
                "created_at",
                "updated_at",
            ],
            inserts,
        )
        .await?;
        insert_many(
            tx,
            "care_tags",
            &["city", "resident_id", "grp", "grid_code", "tagged_on", "last_visit", "visit_due"],
            tag_inserts,
        )
        .await?;
        for (id, name, kind, grid, house, phone) in updates {
            sqlx::query("UPDATE residents SET name = $1, kind = $2, grid_code = $3, house_id = $4, updated_at = $5 WHERE id = $6")
                .bind(name)
                .bind(kind.as_str())
                .bind(grid.as_str())
                .bind(house)
                .bind(ms(now))
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            if let Some((sealed, hash, masked)) = phone {
                sqlx::query("UPDATE residents SET phone_sealed = $1, phone_hash = $2, phone_masked = $3 WHERE id = $4")
                    .bind(sealed)
                    .bind(hash)
                    .bind(masked)
                    .bind(id.as_str())
                    .execute(&mut **tx)
                    .await?;
            }
            // Care tags follow the person's grid.
            sqlx::query("UPDATE care_tags SET grid_code = $1 WHERE resident_id = $2")
                .bind(grid.as_str())
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
        }
        changes.write(self, tx, city, now).await?;
        audit_import(tx, city, actor, "residents", rows, &counts, now).await?;
        Ok(counts)
    }

    async fn residents_by_hash(&self, city: &str, hashes: Vec<&str>) -> Result<HashMap<String, Stored>> {
        let mut out: HashMap<String, Stored> = HashMap::new();
        for chunk in hashes.chunks(500) {
            let sql = format!(
                "SELECT id, id_hash, name, phone_hash, kind, grid_code, house_id FROM residents WHERE city = $1 AND id_hash IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(city);
            for h in chunk {
                q = q.bind(*h);
            }
            let mut ids = Vec::new();
            for r in q.fetch_all(&self.pool).await? {
                let id: String = r.try_get("id")?;
                ids.push(id.clone());
                out.insert(
                    r.try_get("id_hash")?,
                    Stored {
                        id,
                        name: r.try_get("name")?,
                        phone_hash: r.try_get("phone_hash")?,
                        kind: r.try_get("kind")?,
                        grid: r.try_get("grid_code")?,
                        house_id: r.try_get("house_id")?,
                        care: BTreeSet::new(),
                    },
                );
            }
            if ids.is_empty() {
                continue;
            }
            let sql = format!(
                "SELECT r.id_hash, t.grp FROM care_tags t JOIN residents r ON r.id = t.resident_id WHERE t.resident_id IN ({})",
                placeholders(1, ids.len())
            );
            let mut q = sqlx::query(&sql);
            for id in &ids {
                q = q.bind(id.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                let h: String = r.try_get("id_hash")?;
                if let Some(s) = out.get_mut(&h) {
                    s.care.insert(r.try_get("grp")?);
                }
            }
        }
        Ok(out)
    }

    /// Residents under the actor's area (optionally one grid, or a name containing `q`), masked.
    pub async fn residents(
        &self,
        actor: &Principal,
        grid: Option<&AreaCode>,
        q: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<ResidentRow>, i64)> {
        let root = root_for(actor, BaseAct::List)?;
        let within = grid.filter(|g| g.is_within(&root)).unwrap_or(&root);
        let mut filter =
            String::from(" FROM residents r LEFT JOIN houses h ON h.id = r.house_id WHERE r.grid_code LIKE $1");
        let name = q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        if name.is_some() {
            filter.push_str(" AND r.name LIKE $2 ESCAPE '\\'");
        }
        let count_sql = format!("SELECT COUNT(*) AS n{filter}");
        let mut count = sqlx::query(&count_sql).bind(under(within));
        if let Some(n) = &name {
            count = count.bind(n.as_str());
        }
        let total: i64 = count.fetch_one(&self.pool).await?.try_get("n")?;
        let sql = format!(
            "SELECT r.id, r.name, r.id_masked, r.phone_masked, r.kind, r.grid_code, h.code AS house{filter} \
             ORDER BY r.grid_code, r.name, r.id LIMIT {} OFFSET {offset}",
            limit.clamp(1, 1000)
        );
        let mut list = sqlx::query(&sql).bind(under(within));
        if let Some(n) = &name {
            list = list.bind(n.as_str());
        }
        let rows = list.fetch_all(&self.pool).await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(ResidentRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    id_masked: r.try_get("id_masked")?,
                    phone_masked: r.try_get("phone_masked")?,
                    kind: ResidentKind::parse(&r.try_get::<String, _>("kind")?)
                        .map_err(|_| StorageError::Corrupt("kind"))?,
                    grid: r.try_get("grid_code")?,
                    house: r.try_get("house")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((out, total))
    }

    /// Shows one identifier of one resident in clear, if the actor's role and area allow it, and
    /// records that in the audit log in the same transaction. Refused: nothing is recorded.
    pub async fn unmask_resident(
        &self,
        city: &str,
        actor: &Principal,
        resident_id: &str,
        which: Identifier,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let root = root_for(actor, BaseAct::Unmask)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(shiyu_domain::DomainError::invalid("reason", "required").into());
        }
        let row = sqlx::query("SELECT grid_code, id_sealed, phone_sealed FROM residents WHERE city = $1 AND id = $2")
            .bind(city)
            .bind(resident_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("resident"))?;
        let grid =
            AreaCode::parse(&row.try_get::<String, _>("grid_code")?).map_err(|_| StorageError::Corrupt("grid"))?;
        if !grid.is_within(&root) {
            return Err(StorageError::NotFound("resident"));
        }
        let sealed: Option<String> = match which {
            Identifier::IdNumber => Some(row.try_get("id_sealed")?),
            Identifier::Phone => row.try_get("phone_sealed")?,
        };
        let sealed = sealed.ok_or(StorageError::NotFound("phone"))?;
        let clear = crypto::open(self.secret.as_slice(), &sealed)?;
        let action = match which {
            Identifier::IdNumber => AuditAction::UnmaskIdNumber,
            Identifier::Phone => AuditAction::UnmaskPhone,
        };
        let mut w = self.begin_write().await?;
        audit::append(
            &mut w.tx,
            city,
            actor,
            action,
            ("resident", resident_id),
            &serde_json::json!({"reason": reason}),
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(clear)
    }

    /// Every resident under the actor's area in clear, for export and re-import (audited as one
    /// export entry with the count).
    pub async fn export_residents(
        &self,
        city: &str,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<ResidentRecord>> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.id_sealed, r.phone_sealed, r.kind, r.grid_code, h.code AS house FROM residents r \
             LEFT JOIN houses h ON h.id = r.house_id WHERE r.city = $1 AND r.grid_code LIKE $2 ORDER BY r.id",
        )
        .bind(city)
        .bind(under(&root))
        .fetch_all(&self.pool)
        .await?;
        let tags = sqlx::query("SELECT resident_id, grp FROM care_tags WHERE city = $1 AND grid_code LIKE $2")
            .bind(city)
            .bind(under(&root))
            .fetch_all(&self.pool)
            .await?;
        let mut care: HashMap<String, Vec<CareGroup>> = HashMap::new();
        for t in &tags {
            let g =
                CareGroup::parse(&t.try_get::<String, _>("grp")?).map_err(|_| StorageError::Corrupt("care group"))?;
            care.entry(t.try_get("resident_id")?).or_default().push(g);
        }
        let secret = self.secret.as_slice();
        let far_future = chrono::NaiveDate::MAX;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            let corrupt = |_| StorageError::Corrupt("resident");
            let phone: Option<String> = r.try_get("phone_sealed")?;
            let mut groups = care.remove(&id).unwrap_or_default();
            groups.sort();
            out.push(ResidentRecord {
                id_number: IdNumber::parse(&crypto::open(secret, &r.try_get::<String, _>("id_sealed")?)?, far_future)
                    .map_err(corrupt)?,
                name: r.try_get("name")?,
                phone: phone
                    .map(|p| {
                        crypto::open(secret, &p)
                            .and_then(|p| Phone::parse(&p).map_err(|_| StorageError::Corrupt("phone")))
                    })
                    .transpose()?,
                kind: ResidentKind::parse(&r.try_get::<String, _>("kind")?).map_err(corrupt)?,
                grid: Some(AreaCode::parse(&r.try_get::<String, _>("grid_code")?).map_err(corrupt)?),
                house: r.try_get("house")?,
                care: groups,
            });
        }
        let mut w = self.begin_write().await?;
        let detail =
            serde_json::json!({"table": "residents", "rows": out.len(), "area": root.as_str(), "identifiers": "clear"});
        audit::append(&mut w.tx, city, actor, AuditAction::Export, ("residents", &out.len().to_string()), &detail, now)
            .await?;
        w.tx.commit().await?;
        Ok(out)
    }
}

fn tag_row(city: &str, resident: &str, g: CareGroup, grid: &str, today: chrono::NaiveDate) -> Vec<V> {
    vec![
        V::T(Some(city.to_owned())),
        V::T(Some(resident.to_owned())),
        V::T(Some(g.as_str().to_owned())),
        V::T(Some(grid.to_owned())),
        V::T(Some(today.to_string())),
        V::T(None),
        V::T(Some(g.visit_due(today, None).to_string())),
    ]
}
