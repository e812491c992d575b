//! Video points (cameras) as assets: a place, a status and a stream address. The platform shows
//! them on maps and beside cases; it does no video analytics (DESIGN §2).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::BaseAct;
use shiyu_domain::base::columns::CellError;
use shiyu_domain::base::kinds::CameraStatus;
use shiyu_domain::base::records::{CameraRecord, WgsPoint};
use shiyu_domain::scope::Principal;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::changes::{Changes, camera_fields, diff};
use super::{ImportCounts, Placed, V, audit_import, check_grid, in_area, insert_many, root_for, rows_by_key, under};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// A camera with its id, for maps and the case page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Camera {
    /// Id.
    pub id: String,
    /// Device code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Longitude (WGS-84).
    pub lon: f64,
    /// Latitude (WGS-84).
    pub lat: f64,
    /// Status wire name.
    pub status: String,
    /// Stream address.
    pub stream_url: String,
    /// Grid, if placed.
    pub grid: Option<String>,
}

const COLS: &str = "id, code, name, lon, lat, status, stream_url, grid_code, off_grid";

fn record(r: &AnyRow) -> Result<(String, CameraRecord, bool)> {
    let corrupt = |_| StorageError::Corrupt("camera");
    let grid: Option<String> = r.try_get("grid_code")?;
    Ok((
        r.try_get("id")?,
        CameraRecord {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            location: WgsPoint { lon: r.try_get("lon")?, lat: r.try_get("lat")? },
            status: CameraStatus::parse(&r.try_get::<String, _>("status")?).map_err(corrupt)?,
            stream_url: r.try_get("stream_url")?,
            grid: grid.as_deref().map(AreaCode::parse).transpose().map_err(corrupt)?,
        },
        r.try_get::<i64, _>("off_grid")? != 0,
    ))
}

fn camera(id: String, c: CameraRecord) -> Camera {
    Camera {
        id,
        code: c.code,
        name: c.name,
        lon: c.location.lon,
        lat: c.location.lat,
        status: c.status.as_str().to_owned(),
        stream_url: c.stream_url,
        grid: c.grid.map(|g| g.to_string()),
    }
}

impl Store {
    /// Imports cameras: all or nothing; one device code is one camera.
    pub async fn import_cameras(
        &self,
        city: &str,
        actor: &Principal,
        rows: Vec<Placed<CameraRecord>>,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let grids = self.grid_codes().await?;
        let mut errors: Vec<CellError> = Vec::new();
        let mut by_code: HashMap<String, Placed<CameraRecord>> = HashMap::new();
        for p in rows {
            check_grid(&grids, &root, p.record.grid.as_ref(), p.row, "网格编码", &mut errors);
            by_code.insert(p.record.code.clone(), p);
        }
        if !errors.is_empty() {
            return Err(StorageError::Rows(errors));
        }
        let mut stored = HashMap::new();
        let codes: Vec<&str> = by_code.keys().map(String::as_str).collect();
        for r in rows_by_key(self, "cameras", COLS, "code", city, &codes).await? {
            let (id, rec, off) = record(&r)?;
            stored.insert(rec.code.clone(), (id, rec, off));
        }
        let mut counts = ImportCounts::default();
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        let mut changes = Changes::default();
        for (code, p) in &by_code {
            let c = &p.record;
            match stored.get(code) {
                None => {
                    counts.inserted += 1;
                    let id = uuid::Uuid::now_v7().to_string();
                    changes.insert("camera", &id, camera_fields(c, p.off_grid));
                    inserts.push(vec![
                        V::T(Some(city.to_owned())),
                        V::T(Some(id)),
                        V::T(Some(code.clone())),
                        V::T(Some(c.name.clone())),
                        V::F(Some(c.location.lon)),
                        V::F(Some(c.location.lat)),
                        V::T(Some(c.status.as_str().to_owned())),
                        V::T(Some(c.stream_url.clone())),
                        V::T(c.grid.as_ref().map(ToString::to_string)),
                        V::I(i64::from(p.off_grid)),
                        V::I(ms(now)),
                        V::I(ms(now)),
                    ]);
                }
                Some((id, old, old_off)) => {
                    if c == old && p.off_grid == *old_off {
                        counts.unchanged += 1;
                    } else {
                        counts.updated += 1;
                        changes.update("camera", id, diff(&camera_fields(old, *old_off), camera_fields(c, p.off_grid)));
                        updates.push((id.clone(), c.clone(), p.off_grid));
                    }
                }
            }
        }
        let mut w = self.begin_write().await?;
        insert_many(
            &mut w.tx,
            "cameras",
            &[
                "city",
                "id",
                "code",
                "name",
                "lon",
                "lat",
                "status",
                "stream_url",
                "grid_code",
                "off_grid",
                "created_at",
                "updated_at",
            ],
            inserts,
        )
        .await?;
        for (id, c, off) in updates {
            sqlx::query(
                "UPDATE cameras SET name = $1, lon = $2, lat = $3, status = $4, stream_url = $5, grid_code = $6, off_grid = $7, \
                 updated_at = $8 WHERE id = $9",
            )
            .bind(c.name)
            .bind(c.location.lon)
            .bind(c.location.lat)
            .bind(c.status.as_str())
            .bind(c.stream_url)
            .bind(c.grid.as_ref().map(ToString::to_string))
            .bind(i64::from(off))
            .bind(ms(now))
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        }
        changes.write(self, &mut w.tx, city, now).await?;
        audit_import(&mut w.tx, city, actor, "cameras", by_code.len(), &counts, now).await?;
        w.tx.commit().await?;
        Ok(counts)
    }

    /// Every camera of the deployment (for the nearest-camera index; cameras are assets, not
    /// personal data, so staff of any area may see those near a case they can see).
    pub async fn all_cameras(&self) -> Result<Vec<Camera>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM cameras ORDER BY code")).fetch_all(&self.pool).await?;
        rows.iter().map(|r| record(r).map(|(id, c, _)| camera(id, c))).collect()
    }

    /// Cameras under an area (the map's layer and the list page).
    pub async fn cameras_within(&self, area: &AreaCode, limit: u32) -> Result<Vec<Camera>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM cameras WHERE {} ORDER BY code LIMIT {}",
            in_area(area, 1),
            limit.clamp(1, 10_000)
        ))
        .bind(under(area))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| record(r).map(|(id, c, _)| camera(id, c))).collect()
    }

    /// Every camera under the actor's area, for export (audited).
    pub async fn export_cameras(&self, city: &str, actor: &Principal, now: DateTime<Utc>) -> Result<Vec<CameraRecord>> {
        let root = root_for(actor, BaseAct::ImportExport)?;
        let rows =
            sqlx::query(&format!("SELECT {COLS} FROM cameras WHERE city = $1 AND {} ORDER BY code", in_area(&root, 2)))
                .bind(city)
                .bind(under(&root))
                .fetch_all(&self.pool)
                .await?;
        let out: Vec<CameraRecord> = rows.iter().map(|r| record(r).map(|(_, c, _)| c)).collect::<Result<_>>()?;
        self.audit_export(city, actor, "cameras", out.len(), &root, now).await?;
        Ok(out)
    }
}
