//! Base data in the database (DESIGN §6): residents, houses, legal entities and cameras, each in a
//! grid; care tags with visits due; visit logs. Imports are all-or-nothing per file: every row is
//! checked first (unknown grid or house, outside the importer's scope), and only a clean file is
//! written, in one transaction with its audit entry. An import adds and corrects but never erases:
//! an empty cell keeps what is stored (erasing is an edit, not an import), so the same person
//! imported from several lists stays one record with everything the lists know.
//!
//! Who may see and unmask what is decided by [`shiyu_domain::base::access`]; every unmasking and
//! every read of care records is written to the [audit log](crate::audit) in the same transaction.

pub mod cameras;
pub mod care;
mod changes;
pub mod entities;
pub mod houses;
pub mod residents;
pub mod visits;

use std::collections::HashSet;

use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::{BaseAct, base_root};
use shiyu_domain::base::columns::CellError;
use shiyu_domain::scope::Principal;
use sqlx::{Any, Row, Transaction};

use crate::db::Store;
use crate::error::{Result, StorageError};

pub use crate::directory::ImportCounts;

/// One record of an import file, with its row number and whether its point lies in no grid.
#[derive(Debug, Clone)]
pub struct Placed<T> {
    /// Row number in the file (header = 1).
    pub row: usize,
    /// The checked record.
    pub record: T,
    /// Its point lies in no grid (kept, and flagged for the centre).
    pub off_grid: bool,
}

/// A value bound into a bulk statement.
pub(crate) enum V {
    T(Option<String>),
    I(i64),
    /// A nullable integer.
    N(Option<i64>),
    F(Option<f64>),
}

/// Bind parameters per multi-row INSERT. SQLite finds a `$N` parameter by scanning the statement's
/// parameter names, so the cost of binding grows with the square of their number: a few hundred
/// rows per statement is the sweet spot (measured with `shiyu bench import`).
const MAX_PARAMS: usize = 280;

/// Inserts many rows with multi-row INSERTs inside `tx`.
pub(crate) async fn insert_many(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<V>>,
) -> Result<()> {
    let per = (MAX_PARAMS / cols.len()).clamp(1, 1000);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for k in 0..cols.len() {
                if k > 0 {
                    sql.push(',');
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        bind_rows(sqlx::query(&sql), chunk).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Binds every value of `rows`, row by row, in order.
pub(crate) fn bind_rows<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    rows: Vec<Vec<V>>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    for row in rows {
        for v in row {
            q = match v {
                V::T(s) => q.bind(s),
                V::I(i) => q.bind(i),
                V::N(i) => q.bind(i),
                V::F(f) => q.bind(crate::sql::Float(f)),
            };
        }
    }
    q
}

/// The stored rows of `table` whose `key` column is among `keys`, fetched in chunks of 500 (one
/// round trip per chunk rather than per key); `cols` is the select list.
pub(crate) async fn rows_by_key(
    store: &Store,
    table: &str,
    cols: &str,
    key: &str,
    city: &str,
    keys: &[&str],
) -> Result<Vec<sqlx::any::AnyRow>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let sql = format!("SELECT {cols} FROM {table} WHERE city = $1 AND {key} IN ({})", placeholders(2, chunk.len()));
        let mut q = sqlx::query(&sql).bind(city);
        for k in chunk {
            q = q.bind(*k);
        }
        out.extend(q.fetch_all(&store.pool).await?);
    }
    Ok(out)
}

/// Records an import of `table` in the audit log, inside the import's transaction.
pub(crate) async fn audit_import(
    tx: &mut Transaction<'static, Any>,
    city: &str,
    actor: &Principal,
    table: &str,
    rows: usize,
    counts: &ImportCounts,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let detail = serde_json::json!({"table": table, "inserted": counts.inserted, "updated": counts.updated, "unchanged": counts.unchanged});
    crate::audit::append(tx, city, actor, crate::audit::AuditAction::Import, (table, &rows.to_string()), &detail, now)
        .await
}

impl Store {
    /// Records an export of `rows` records of `table` under `root` in the audit log.
    pub(crate) async fn audit_export(
        &self,
        city: &str,
        actor: &Principal,
        table: &str,
        rows: usize,
        root: &AreaCode,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        let detail = serde_json::json!({"table": table, "rows": rows, "area": root.as_str()});
        let export = crate::audit::AuditAction::Export;
        crate::audit::append(&mut w.tx, city, actor, export, (table, &rows.to_string()), &detail, now).await?;
        w.tx.commit().await?;
        Ok(())
    }
}

/// `$a, $b, …` for an IN list starting at placeholder `from`.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// The codes of every grid and micro-grid (where records may belong).
    pub(crate) async fn grid_codes(&self) -> Result<HashSet<String>> {
        let rows =
            sqlx::query("SELECT code FROM areas WHERE level IN ('grid', 'micro_grid')").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("code")?)).collect()
    }
}

/// The area under which the actor may do `act`, or a refusal.
pub(crate) fn root_for(actor: &Principal, act: BaseAct) -> Result<AreaCode> {
    base_root(actor, act).ok_or(StorageError::Domain(shiyu_domain::DomainError::Forbidden {
        role: actor.role.as_str(),
        action: match act {
            BaseAct::List => "list_base_data",
            BaseAct::Unmask => "unmask",
            BaseAct::ReadCare => "read_care_records",
            BaseAct::Count => "count_base_data",
            BaseAct::ImportExport => "import_export",
        },
    }))
}

/// Checks a record's grid for an import: known, and inside the importer's area.
pub(crate) fn check_grid(
    grids: &HashSet<String>,
    root: &AreaCode,
    grid: Option<&AreaCode>,
    row: usize,
    column: &str,
    errors: &mut Vec<CellError>,
) {
    let Some(g) = grid else { return };
    let reason = if !grids.contains(g.as_str()) {
        "unknown_grid"
    } else if !g.is_within(root) {
        "out_of_scope"
    } else {
        return;
    };
    errors.push(CellError { row, column: column.to_owned(), field: "grid", reason });
}

/// The condition "in `root`'s area" on `grid_code`, with the pattern bound as `$n`. Records whose
/// point lies in no grid have no grid; they belong to the centre of the whole city, so they are in
/// the city's area and no other.
pub(crate) fn in_area(root: &AreaCode, n: usize) -> String {
    if root.level() == shiyu_domain::area::AreaLevel::City {
        format!("(grid_code LIKE ${n} OR grid_code IS NULL)")
    } else {
        format!("grid_code LIKE ${n}")
    }
}

/// A `LIKE` pattern for the grids under `root`.
pub(crate) fn under(root: &AreaCode) -> String {
    crate::sql::prefix_pattern(root.scope_prefix())
}
