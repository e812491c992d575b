//! Records imported from other systems (DESIGN §9), through the normal write paths.
//!
//! Each record is keyed by (source, kind, their identifier) in `external_ids`, with the
//! fingerprint of its mapped form and the local record's version as last imported. A file is one
//! transaction (all or nothing on errors); per record:
//! - no link yet: created through the normal path (a case registered on channel `external`, a
//!   dispute registered, a resident imported as base data);
//! - same fingerprint: unchanged, and nothing at all is written (no event, counter or outbox row);
//! - their record changed and ours did not since: updated (a case gets a comment naming the
//!   changed fields, since its history is append-only; a resident is corrected in place by the
//!   base-data path; a dispute has no move that amends it, so it is reported as a conflict);
//! - both changed: a conflict, reported with the fields and both sides' values; nothing written.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use shiyu_domain::DomainError;
use shiyu_domain::base::columns::CellError;
use shiyu_domain::base::records::ResidentRecord;
use shiyu_domain::case::{CaseSnapshot, Move};
use shiyu_domain::exchange::{
    self, CaseImport, Conflict, DisputeImport, EXTERNAL_ID, FieldChange, ImportReport, Kind, Mapped, Mapping, Outcome,
    StoredForm,
};
use shiyu_domain::ids::CaseId;
use shiyu_domain::scope::Principal;
use sqlx::{Any, Row, Transaction};

use crate::base::Placed;
use crate::cases::ContactInput;
use crate::db::Store;
use crate::disputes::NewDispute;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// What a mapped record becomes on the write path.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A case.
    Case(CaseImport),
    /// A dispute.
    Dispute(DisputeImport),
    /// A resident.
    Resident(ResidentRecord),
}

/// One record of their file: as mapped (fingerprinted, compared) and as checked (written).
#[derive(Debug, Clone)]
pub struct ExternalRecord {
    /// The mapped row.
    pub mapped: Mapped,
    /// The checked record.
    pub payload: Payload,
}

/// A record as last imported.
struct Link {
    local_id: String,
    fingerprint: String,
    fields: StoredForm,
    local_version: String,
}

/// The local record as it stands: its version, a label for reports, its values of mapped fields,
/// and what happened to it since a version.
struct Local {
    version: String,
    label: String,
    values: BTreeMap<&'static str, String>,
}

/// A planned write for one record.
enum Plan {
    Create,
    Update(Vec<FieldChange>),
}

/// Makes a refusal of one record name its row and their column.
fn at_row(m: &Mapping, row: usize, e: StorageError) -> StorageError {
    match e {
        StorageError::Domain(DomainError::Invalid { field, reason }) => {
            let key = match field {
                "contact" | "contact.name" => "reporter_name",
                "phone" if m.kind == Kind::Cases => "reporter_phone",
                "party_name" => "applicant_name",
                "party_id" => "applicant_id",
                "tier" => "area_code",
                other => other,
            };
            StorageError::Rows(vec![CellError { row, column: m.column_label(key), field: key, reason }])
        }
        StorageError::Rows(rows) => StorageError::Rows(
            rows.into_iter()
                .map(|mut c| {
                    c.row = row.max(c.row);
                    c.column = m.column_label(c.field);
                    c
                })
                .collect(),
        ),
        other => other,
    }
}

/// A resident's version: a hash of the stored row's fields an import or an edit changes.
fn resident_version(r: &sqlx::any::AnyRow) -> Result<String> {
    let parts: Vec<Option<String>> = vec![
        r.try_get("name")?,
        r.try_get("phone_hash")?,
        r.try_get("kind")?,
        r.try_get("grid_code")?,
        r.try_get("house_id")?,
    ];
    let text = serde_json::to_string(&parts).map_err(|_| StorageError::Corrupt("resident"))?;
    Ok(hex::encode(Sha256::digest(text.as_bytes())))
}

impl Store {
    /// Imports one file's records from another system as `actor`, in one transaction: every
    /// record's outcome is in the report; with `dry_run` nothing is kept. A refused record refuses
    /// the file, naming its row and column.
    pub async fn import_external(
        &self,
        actor: &Principal,
        mapping: &Mapping,
        records: Vec<ExternalRecord>,
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<ImportReport> {
        let city = self.default_city().await?;
        let city = city.as_str();
        self.external_precheck(mapping, &records).await?;
        let mut report = ImportReport::new(mapping, dry_run);
        let mut w = self.begin_write().await?;
        let links = self.external_links(&mut w.tx, mapping, &records).await?;
        let mut plans: Vec<(usize, Plan, StoredForm)> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let form = exchange::stored_form(mapping.kind, &r.mapped, |v| self.keyed_hash(v));
            let Some(link) = links.get(&r.mapped.external_id) else {
                plans.push((i, Plan::Create, form));
                continue;
            };
            if exchange::fingerprint(&form) == link.fingerprint {
                report.push(r.mapped.row, &r.mapped.external_id, Outcome::Unchanged, &link.local_id);
                continue;
            }
            let mut fields = exchange::changed_fields(mapping.kind, &link.fields, &form);
            let Some(local) = self.external_local(&mut w.tx, mapping.kind, &link.local_id).await? else {
                self.external_conflict(&mut report, r, &link.local_id, "local_record_missing", Vec::new(), fields);
                continue;
            };
            for f in &mut fields {
                f.ours = local.values.get(f.field.as_str()).cloned();
            }
            let changed_here = local.version != link.local_version;
            if changed_here {
                let since =
                    self.external_changes_since(&mut w.tx, mapping.kind, &link.local_id, &link.local_version).await?;
                self.external_conflict(&mut report, r, &local.label, "changed_on_both_sides", since, fields);
            } else if mapping.kind == Kind::Disputes {
                // A dispute's history has no move that amends its registration.
                self.external_conflict(&mut report, r, &local.label, "dispute_not_amendable", Vec::new(), fields);
            } else {
                plans.push((i, Plan::Update(fields), form));
            }
        }
        // Residents go through the base-data path together (one plan, one batch of writes).
        let mut resident_ids: HashMap<String, String> = HashMap::new();
        if mapping.kind == Kind::Residents && !plans.is_empty() {
            let placed: Vec<Placed<ResidentRecord>> = plans
                .iter()
                .filter_map(|(i, _, _)| match &records[*i].payload {
                    Payload::Resident(p) => {
                        Some(Placed { row: records[*i].mapped.row, record: p.clone(), off_grid: false })
                    }
                    _ => None,
                })
                .collect();
            let plan = self.plan_residents(city, actor, placed, now).await.map_err(|e| at_row(mapping, 0, e))?;
            resident_ids = plan.ids.clone();
            self.write_residents(&mut w.tx, city, actor, plan, now).await?;
        }
        for (i, plan, form) in plans {
            let r = &records[i];
            let row = r.mapped.row;
            let fingerprint = exchange::fingerprint(&form);
            let fields = serde_json::to_string(&form).map_err(|_| StorageError::Corrupt("external record"))?;
            let (local_id, label, version) = match (&r.payload, &plan) {
                (Payload::Case(c), Plan::Create) => {
                    let contact = c.contact.clone().map(|(name, phone)| ContactInput { name, phone });
                    let snap = self
                        .register_in(&mut w.tx, actor, c.intake.clone(), contact, now)
                        .await
                        .map_err(|e| at_row(mapping, row, e))?;
                    (snap.id.to_string(), snap.number.to_string(), snap.last_seq.to_string())
                }
                (Payload::Case(_), Plan::Update(changes)) => {
                    let link = &links[&r.mapped.external_id];
                    let id = CaseId::parse(&link.local_id).map_err(|_| StorageError::Corrupt("external link"))?;
                    let text = exchange::update_comment(&mapping.source, &r.mapped.external_id, changes);
                    let after = self
                        .apply_in(&mut w.tx, actor, id, Move::Comment { text }, now)
                        .await
                        .map_err(|e| at_row(mapping, row, e))?;
                    (link.local_id.clone(), after.number.to_string(), after.last_seq.to_string())
                }
                (Payload::Dispute(d), _) => {
                    let nd = NewDispute {
                        title: d.title.clone(),
                        facts: d.facts.clone(),
                        dispute_type: d.dispute_type,
                        risk: d.risk,
                        source: d.source,
                        area: Some(d.area.clone()),
                        tier: None,
                        money: d.money,
                        parties: d.parties.clone(),
                        mediation_kind: d.mediation_kind,
                        org: None,
                        mediators: Vec::new(),
                        case: None,
                        screening: None,
                        court_ref: d.court_ref.clone(),
                    };
                    let id = self
                        .register_dispute_in(&mut w.tx, actor, nd, now)
                        .await
                        .map_err(|e| at_row(mapping, row, e))?;
                    let local = self
                        .external_local(&mut w.tx, Kind::Disputes, &id.to_string())
                        .await?
                        .ok_or(StorageError::NotFound("dispute"))?;
                    (id.to_string(), local.label, local.version)
                }
                (Payload::Resident(p), _) => {
                    let id = resident_ids
                        .get(&self.keyed_hash(p.id_number.as_str()))
                        .cloned()
                        .ok_or(StorageError::NotFound("resident"))?;
                    let local = self
                        .external_local(&mut w.tx, Kind::Residents, &id)
                        .await?
                        .ok_or(StorageError::NotFound("resident"))?;
                    (id, local.label, local.version)
                }
            };
            let outcome = match plan {
                Plan::Create => Outcome::Created,
                Plan::Update(_) => Outcome::Updated,
            };
            sqlx::query(
                "INSERT INTO external_ids (city, source, kind, external_id, local_id, fingerprint, fields, local_version, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (source, kind, external_id) DO UPDATE SET \
                 local_id = $5, fingerprint = $6, fields = $7, local_version = $8, imported_at = $9",
            )
            .bind(city)
            .bind(mapping.source.as_str())
            .bind(mapping.kind.as_str())
            .bind(r.mapped.external_id.as_str())
            .bind(local_id.as_str())
            .bind(fingerprint.as_str())
            .bind(fields.as_str())
            .bind(version.as_str())
            .bind(ms(now))
            .execute(&mut *w.tx)
            .await?;
            report.push(row, &r.mapped.external_id, outcome, &label);
        }
        report.records.sort_by_key(|l| l.row);
        if dry_run {
            w.tx.rollback().await?;
        } else {
            w.tx.commit().await?;
        }
        Ok(report)
    }

    fn external_conflict(
        &self,
        report: &mut ImportReport,
        r: &ExternalRecord,
        local: &str,
        reason: &'static str,
        local_changes: Vec<String>,
        fields: Vec<FieldChange>,
    ) {
        report.push(r.mapped.row, &r.mapped.external_id, Outcome::Conflict, local);
        report.conflicts.push(Conflict {
            row: r.mapped.row,
            external_id: r.mapped.external_id.clone(),
            local: local.to_owned(),
            reason,
            local_changes,
            fields,
        });
    }

    /// Refuses a file whose records name areas or categories that do not exist, or repeat an
    /// identifier, listing every such row before anything is written.
    async fn external_precheck(&self, m: &Mapping, records: &[ExternalRecord]) -> Result<()> {
        let mut errors = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut areas: HashMap<String, bool> = HashMap::new();
        let mut categories: HashMap<String, bool> = HashMap::new();
        for r in records {
            let row = r.mapped.row;
            if seen.insert(r.mapped.external_id.as_str(), row).is_some() {
                errors.push(CellError {
                    row,
                    column: m.column_label(EXTERNAL_ID),
                    field: EXTERNAL_ID,
                    reason: "duplicate",
                });
            }
            let (area, category) = match &r.payload {
                Payload::Case(c) => (Some(&c.intake.area), Some(&c.intake.category)),
                Payload::Dispute(d) => (Some(&d.area), None),
                Payload::Resident(_) => (None, None),
            };
            if let Some(a) = area {
                let known = match areas.get(a.as_str()) {
                    Some(k) => *k,
                    None => {
                        let k = self.area(a).await.is_ok();
                        areas.insert(a.to_string(), k);
                        k
                    }
                };
                if !known {
                    errors.push(CellError {
                        row,
                        column: m.column_label("area_code"),
                        field: "area_code",
                        reason: "unknown_area",
                    });
                }
            }
            if let Some(c) = category {
                let known = match categories.get(c.as_str()) {
                    Some(k) => *k,
                    None => {
                        let k = self.category_exists(c).await?;
                        categories.insert(c.as_str().to_owned(), k);
                        k
                    }
                };
                if !known {
                    errors.push(CellError {
                        row,
                        column: m.column_label("category"),
                        field: "category",
                        reason: "unknown_category",
                    });
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(StorageError::Rows(errors)) }
    }

    /// The links of a file's records, by their identifier.
    async fn external_links(
        &self,
        tx: &mut Transaction<'static, Any>,
        m: &Mapping,
        records: &[ExternalRecord],
    ) -> Result<HashMap<String, Link>> {
        let ids: Vec<&str> = records.iter().map(|r| r.mapped.external_id.as_str()).collect();
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT external_id, local_id, fingerprint, fields, local_version FROM external_ids \
                 WHERE source = $1 AND kind = $2 AND external_id IN ({})",
                crate::base::placeholders(3, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(m.source.as_str()).bind(m.kind.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&mut **tx).await? {
                let fields: String = row.try_get("fields")?;
                out.insert(
                    row.try_get::<String, _>("external_id")?,
                    Link {
                        local_id: row.try_get("local_id")?,
                        fingerprint: row.try_get("fingerprint")?,
                        fields: serde_json::from_str(&fields).map_err(|_| StorageError::Corrupt("external link"))?,
                        local_version: row.try_get("local_version")?,
                    },
                );
            }
        }
        Ok(out)
    }

    /// The local record a link points at, as it stands.
    async fn external_local(&self, tx: &mut Transaction<'static, Any>, kind: Kind, id: &str) -> Result<Option<Local>> {
        Ok(match kind {
            Kind::Cases => {
                let Some(row) =
                    sqlx::query("SELECT snapshot FROM cases WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?
                else {
                    return Ok(None);
                };
                let snap: CaseSnapshot = serde_json::from_str(&row.try_get::<String, _>("snapshot")?)
                    .map_err(|_| StorageError::Corrupt("case"))?;
                let values = BTreeMap::from([
                    ("title", snap.title.clone()),
                    ("text", snap.text.clone()),
                    ("ledger", snap.ledger.as_str().to_owned()),
                    ("category", snap.category.as_str().to_owned()),
                    ("area_code", snap.area.to_string()),
                    ("urgency", snap.urgency.as_str().to_owned()),
                ]);
                Some(Local { version: snap.last_seq.to_string(), label: snap.number.to_string(), values })
            }
            Kind::Disputes => {
                let Some(row) = sqlx::query("SELECT snapshot FROM disputes WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?
                else {
                    return Ok(None);
                };
                let snap: shiyu_domain::dispute::DisputeSnapshot =
                    serde_json::from_str(&row.try_get::<String, _>("snapshot")?)
                        .map_err(|_| StorageError::Corrupt("dispute"))?;
                let values = BTreeMap::from([
                    ("title", snap.title.clone()),
                    ("dispute_type", snap.dispute_type.as_str().to_owned()),
                    ("risk", snap.risk.as_str().to_owned()),
                    ("area_code", snap.area.to_string()),
                    ("mediation_kind", snap.mediation_kind.as_str().to_owned()),
                    ("money", snap.money.yuan()),
                ]);
                Some(Local { version: snap.seq.to_string(), label: snap.number.clone(), values })
            }
            Kind::Residents => {
                let Some(row) = sqlx::query(
                    "SELECT name, phone_hash, phone_masked, kind, grid_code, house_id FROM residents WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
                else {
                    return Ok(None);
                };
                let mut values = BTreeMap::from([
                    ("name", row.try_get::<String, _>("name")?),
                    ("kind", row.try_get::<String, _>("kind")?),
                    ("grid", row.try_get::<String, _>("grid_code")?),
                ]);
                if let Some(p) = row.try_get::<Option<String>, _>("phone_masked")? {
                    values.insert("phone", p);
                }
                Some(Local { version: resident_version(&row)?, label: id.to_owned(), values })
            }
        })
    }

    /// What happened here to a record since `version`: the moves on a case or dispute, or
    /// `edited` for a resident.
    async fn external_changes_since(
        &self,
        tx: &mut Transaction<'static, Any>,
        kind: Kind,
        id: &str,
        version: &str,
    ) -> Result<Vec<String>> {
        let table = match kind {
            Kind::Cases => "SELECT kind FROM case_events WHERE case_id = $1 AND seq > $2 ORDER BY seq",
            Kind::Disputes => "SELECT kind FROM dispute_events WHERE dispute_id = $1 AND seq > $2 ORDER BY seq",
            Kind::Residents => return Ok(vec!["edited".to_owned()]),
        };
        let seq: i64 = version.parse().map_err(|_| StorageError::Corrupt("external link"))?;
        let rows = sqlx::query(table).bind(id).bind(seq).fetch_all(&mut **tx).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("kind")?)).collect()
    }
}
