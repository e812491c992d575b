//! Houses (实有房屋): keyed by their code within the city.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::BaseAct;
use shiyu_domain::base::columns::CellError;
use shiyu_domain::base::kinds::{HouseUse, Tenancy};
use shiyu_domain::base::records::{HouseRecord, WgsPoint};
use shiyu_domain::scope::Principal;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::changes::{Changes, diff, house_fields};
use super::{ImportCounts, Placed, V, audit_import, check_grid, in_area, insert_many, root_for, rows_by_key, under};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// A house as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseRow {
    /// Id.
    pub id: String,
    /// The record.
    #[serde(skip)]
    pub record: HouseRecord,
    /// Point lies in no grid.
    pub off_grid: bool,
    /// Residents recorded in it.
    pub residents: i64,
}

const COLS: &str = "id, code, address, building, unit, room, house_use, tenancy, lon, lat, grid_code, off_grid";

fn from_row(r: &AnyRow) -> Result<(String, HouseRecord, bool)> {
    let corrupt = |_| StorageError::Corrupt("house");
    let lon: Option<f64> = r.try_get("lon")?;
    let lat: Option<f64> = r.try_get("lat")?;
    let grid: Option<String> = r.try_get("grid_code")?;
    Ok((
        r.try_get("id")?,
        HouseRecord {
            code: r.try_get("code")?,
            address: r.try_get("address")?,
            building: r.try_get("building")?,
            unit: r.try_get("unit")?,
            room: r.try_get("room")?,
            use_: HouseUse::parse(&r.try_get::<String, _>("house_use")?).map_err(corrupt)?,
            tenancy: Tenancy::parse(&r.try_get::<String, _>("tenancy")?).map_err(corrupt)?,
            location: lon.zip(lat).map(|(lon, lat)| WgsPoint { lon, lat }),
            grid: grid.as_deref().map(AreaCode::parse).transpose().map_err(corrupt)?,
        },
        r.try_get::<i64, _>("off_grid")? != 0,
    ))
}

/// Keeps stored values where the file's cell is empty.
fn merge(new: &HouseRecord, old: &HouseRecord) -> HouseRecord {
    let keep = |n: &String, o: &String| if n.is_empty() { o.clone() } else { n.clone() };
    HouseRecord {
        code: new.code.clone(),
        address: keep(&new.address, &old.address),
        building: keep(&new.building, &old.building),
        unit: keep(&new.unit, &old.unit),
        room: keep(&new.room, &old.room),
        use_: new.use_,
        tenancy: new.tenancy,
        location: new.location.or(old.location),
        grid: new.grid.clone().or_else(|| old.grid.clone()),
    }
}

impl Store {
    /// Stored houses by code (for the codes given), as (id, record, off_grid).
    pub(crate) async fn houses_by_code(
        &self,
        city: &str,
        codes: &[&str],
    ) -> Result<HashMap<String, (String, HouseRecord, bool)>> {
        let mut out = HashMap::new();
        for r in rows_by_key(self, "houses", COLS, "code", city, codes).await? {
            let (id, rec, off) = from_row(&r)?;
            out.insert(rec.code.clone(), (id, rec, off));
        }
        Ok(out)
    }

    /// Imports houses: all or nothing.
    pub async fn import_houses(
        &self,
        city: &str,
        actor: &Principal,
        rows: Vec<Placed<HouseRecord>>,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let grids = self.grid_codes().await?;
        let mut errors: Vec<CellError> = Vec::new();
        // The same code twice in one file: the later row wins.
        let mut by_code: HashMap<String, Placed<HouseRecord>> = HashMap::new();
        for p in rows {
            check_grid(&grids, &root, p.record.grid.as_ref(), p.row, "网格编码", &mut errors);
            if p.record.grid.is_none() && !p.off_grid && p.record.location.is_none() {
                errors.push(CellError {
                    row: p.row,
                    column: "网格编码".into(),
                    field: "grid",
                    reason: "grid_or_location_required",
                });
            }
            by_code.insert(p.record.code.clone(), p);
        }
        if !errors.is_empty() {
            return Err(StorageError::Rows(errors));
        }
        let codes: Vec<&str> = by_code.keys().map(String::as_str).collect();
        let stored = self.houses_by_code(city, &codes).await?;
        let mut counts = ImportCounts::default();
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        let mut changes = Changes::default();
        for p in by_code.values() {
            match stored.get(&p.record.code) {
                None => {
                    counts.inserted += 1;
                    let h = &p.record;
                    let id = uuid::Uuid::now_v7().to_string();
                    changes.insert("house", &id, house_fields(h, p.off_grid));
                    inserts.push(vec![
                        V::T(Some(city.to_owned())),
                        V::T(Some(id)),
                        V::T(Some(h.code.clone())),
                        V::T(Some(h.address.clone())),
                        V::T(Some(h.building.clone())),
                        V::T(Some(h.unit.clone())),
                        V::T(Some(h.room.clone())),
                        V::T(Some(h.use_.as_str().to_owned())),
                        V::T(Some(h.tenancy.as_str().to_owned())),
                        V::F(h.location.map(|l| l.lon)),
                        V::F(h.location.map(|l| l.lat)),
                        V::T(h.grid.as_ref().map(ToString::to_string)),
                        V::I(i64::from(p.off_grid)),
                        V::I(ms(now)),
                        V::I(ms(now)),
                    ]);
                }
                Some((id, old, old_off)) => {
                    let merged = merge(&p.record, old);
                    let off =
                        if p.record.location.is_some() || p.record.grid.is_some() { p.off_grid } else { *old_off };
                    if merged == *old && off == *old_off {
                        counts.unchanged += 1;
                    } else {
                        if let Some(g) = &merged.grid
                            && !g.is_within(&root)
                        {
                            return Err(StorageError::Rows(vec![CellError {
                                row: p.row,
                                column: "网格编码".into(),
                                field: "grid",
                                reason: "out_of_scope",
                            }]));
                        }
                        counts.updated += 1;
                        changes.update("house", id, diff(&house_fields(old, *old_off), house_fields(&merged, off)));
                        updates.push((id.clone(), merged, off));
                    }
                }
            }
        }
        let mut w = self.begin_write().await?;
        insert_many(
            &mut w.tx,
            "houses",
            &[
                "city",
                "id",
                "code",
                "address",
                "building",
                "unit",
                "room",
                "house_use",
                "tenancy",
                "lon",
                "lat",
                "grid_code",
                "off_grid",
                "created_at",
                "updated_at",
            ],
            inserts,
        )
        .await?;
        for (id, h, off) in updates {
            sqlx::query(
                "UPDATE houses SET address = $1, building = $2, unit = $3, room = $4, house_use = $5, tenancy = $6, \
                 lon = $7, lat = $8, grid_code = $9, off_grid = $10, updated_at = $11 WHERE id = $12",
            )
            .bind(h.address)
            .bind(h.building)
            .bind(h.unit)
            .bind(h.room)
            .bind(h.use_.as_str())
            .bind(h.tenancy.as_str())
            .bind(crate::sql::Float(h.location.map(|l| l.lon)))
            .bind(crate::sql::Float(h.location.map(|l| l.lat)))
            .bind(h.grid.as_ref().map(ToString::to_string))
            .bind(i64::from(off))
            .bind(ms(now))
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        }
        changes.write(self, &mut w.tx, city, now).await?;
        audit_import(&mut w.tx, city, actor, "houses", by_code.len(), &counts, now).await?;
        w.tx.commit().await?;
        Ok(counts)
    }

    /// Houses under the actor's area (optionally one grid), by code.
    pub async fn houses(
        &self,
        actor: &Principal,
        grid: Option<&AreaCode>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<HouseRow>, i64)> {
        let root = root_for(actor, BaseAct::List)?;
        let within = grid.filter(|g| g.is_within(&root)).unwrap_or(&root);
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM houses WHERE {}", in_area(within, 1)))
            .bind(under(within))
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let sql = format!(
            "SELECT {COLS}, (SELECT COUNT(*) FROM residents r WHERE r.house_id = houses.id) AS n FROM houses \
             WHERE {} ORDER BY code LIMIT {} OFFSET {}",
            in_area(within, 1),
            limit.clamp(1, 1000),
            offset
        );
        let rows = sqlx::query(&sql).bind(under(within)).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let (id, record, off_grid) = from_row(r)?;
            out.push(HouseRow { id, record, off_grid, residents: r.try_get("n")? });
        }
        Ok((out, total))
    }

    /// Every house under the actor's area, for export (audited).
    pub async fn export_houses(&self, city: &str, actor: &Principal, now: DateTime<Utc>) -> Result<Vec<HouseRecord>> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let rows =
            sqlx::query(&format!("SELECT {COLS} FROM houses WHERE city = $1 AND {} ORDER BY code", in_area(&root, 2)))
                .bind(city)
                .bind(under(&root))
                .fetch_all(&self.pool)
                .await?;
        let out: Vec<HouseRecord> = rows.iter().map(|r| from_row(r).map(|(_, h, _)| h)).collect::<Result<_>>()?;
        self.audit_export(city, actor, "houses", out.len(), &root, now).await?;
        Ok(out)
    }
}
