//! Legal entities (实有单位): keyed by unified social credit code within the city.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::BaseAct;
use shiyu_domain::base::columns::CellError;
use shiyu_domain::base::credit::CreditCode;
use shiyu_domain::base::records::{EntityRecord, WgsPoint};
use shiyu_domain::scope::Principal;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::changes::{Changes, diff, entity_fields};
use super::{ImportCounts, Placed, V, audit_import, check_grid, in_area, insert_many, root_for, rows_by_key, under};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

const COLS: &str = "id, credit_code, name, address, lon, lat, grid_code, off_grid";

fn from_row(r: &AnyRow) -> Result<(String, EntityRecord, bool)> {
    let corrupt = |_| StorageError::Corrupt("entity");
    let lon: Option<f64> = r.try_get("lon")?;
    let lat: Option<f64> = r.try_get("lat")?;
    let grid: Option<String> = r.try_get("grid_code")?;
    Ok((
        r.try_get("id")?,
        EntityRecord {
            credit_code: CreditCode::parse(&r.try_get::<String, _>("credit_code")?).map_err(corrupt)?,
            name: r.try_get("name")?,
            address: r.try_get("address")?,
            location: lon.zip(lat).map(|(lon, lat)| WgsPoint { lon, lat }),
            grid: grid.as_deref().map(AreaCode::parse).transpose().map_err(corrupt)?,
        },
        r.try_get::<i64, _>("off_grid")? != 0,
    ))
}

impl Store {
    /// Imports legal entities: all or nothing; an entity is one record however often imported.
    pub async fn import_entities(
        &self,
        city: &str,
        actor: &Principal,
        rows: Vec<Placed<EntityRecord>>,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let grids = self.grid_codes().await?;
        let mut errors: Vec<CellError> = Vec::new();
        let mut by_code: HashMap<String, Placed<EntityRecord>> = HashMap::new();
        for p in rows {
            check_grid(&grids, &root, p.record.grid.as_ref(), p.row, "网格编码", &mut errors);
            if p.record.grid.is_none() && !p.off_grid {
                errors.push(CellError {
                    row: p.row,
                    column: "网格编码".into(),
                    field: "grid",
                    reason: "grid_or_location_required",
                });
            }
            by_code.insert(p.record.credit_code.as_str().to_owned(), p);
        }
        if !errors.is_empty() {
            return Err(StorageError::Rows(errors));
        }
        let mut stored = HashMap::new();
        let codes: Vec<&str> = by_code.keys().map(String::as_str).collect();
        for r in rows_by_key(self, "entities", COLS, "credit_code", city, &codes).await? {
            let (id, rec, off) = from_row(&r)?;
            stored.insert(rec.credit_code.as_str().to_owned(), (id, rec, off));
        }
        let mut counts = ImportCounts::default();
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        let mut changes = Changes::default();
        for (code, p) in &by_code {
            let e = &p.record;
            match stored.get(code) {
                None => {
                    counts.inserted += 1;
                    let id = uuid::Uuid::now_v7().to_string();
                    changes.insert("entity", &id, entity_fields(e, p.off_grid));
                    inserts.push(vec![
                        V::T(Some(city.to_owned())),
                        V::T(Some(id)),
                        V::T(Some(code.clone())),
                        V::T(Some(e.name.clone())),
                        V::T(Some(e.address.clone())),
                        V::F(e.location.map(|l| l.lon)),
                        V::F(e.location.map(|l| l.lat)),
                        V::T(e.grid.as_ref().map(ToString::to_string)),
                        V::I(i64::from(p.off_grid)),
                        V::I(ms(now)),
                        V::I(ms(now)),
                    ]);
                }
                Some((id, old, old_off)) => {
                    let merged = EntityRecord {
                        credit_code: e.credit_code.clone(),
                        name: e.name.clone(),
                        address: e.address.clone(),
                        location: e.location.or(old.location),
                        grid: e.grid.clone().or_else(|| old.grid.clone()),
                    };
                    let off = if e.location.is_some() || e.grid.is_some() { p.off_grid } else { *old_off };
                    if merged == *old && off == *old_off {
                        counts.unchanged += 1;
                    } else {
                        counts.updated += 1;
                        changes.update("entity", id, diff(&entity_fields(old, *old_off), entity_fields(&merged, off)));
                        updates.push((id.clone(), merged, off));
                    }
                }
            }
        }
        let mut w = self.begin_write().await?;
        insert_many(
            &mut w.tx,
            "entities",
            &[
                "city",
                "id",
                "credit_code",
                "name",
                "address",
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
        for (id, e, off) in updates {
            sqlx::query(
                "UPDATE entities SET name = $1, address = $2, lon = $3, lat = $4, grid_code = $5, off_grid = $6, updated_at = $7 WHERE id = $8",
            )
            .bind(e.name)
            .bind(e.address)
            .bind(crate::sql::Float(e.location.map(|l| l.lon)))
            .bind(crate::sql::Float(e.location.map(|l| l.lat)))
            .bind(e.grid.as_ref().map(ToString::to_string))
            .bind(i64::from(off))
            .bind(ms(now))
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        }
        changes.write(self, &mut w.tx, city, now).await?;
        audit_import(&mut w.tx, city, actor, "entities", by_code.len(), &counts, now).await?;
        w.tx.commit().await?;
        Ok(counts)
    }

    /// Legal entities under the actor's area, by name; and the total.
    pub async fn entities(
        &self,
        actor: &Principal,
        grid: Option<&AreaCode>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<EntityRecord>, i64)> {
        let root = root_for(actor, BaseAct::List)?;
        let within = grid.filter(|g| g.is_within(&root)).unwrap_or(&root);
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM entities WHERE {}", in_area(within, 1)))
            .bind(under(within))
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let sql = format!(
            "SELECT {COLS} FROM entities WHERE {} ORDER BY name, credit_code LIMIT {} OFFSET {offset}",
            in_area(within, 1),
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query(&sql).bind(under(within)).fetch_all(&self.pool).await?;
        Ok((rows.iter().map(|r| from_row(r).map(|(_, e, _)| e)).collect::<Result<_>>()?, total))
    }

    /// Every legal entity under the actor's area, for export (audited).
    pub async fn export_entities(
        &self,
        city: &str,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<EntityRecord>> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM entities WHERE city = $1 AND {} ORDER BY credit_code",
            in_area(&root, 2)
        ))
        .bind(city)
        .bind(under(&root))
        .fetch_all(&self.pool)
        .await?;
        let out: Vec<EntityRecord> = rows.iter().map(|r| from_row(r).map(|(_, e, _)| e)).collect::<Result<_>>()?;
        self.audit_export(city, actor, "entities", out.len(), &root, now).await?;
        Ok(out)
    }
}
