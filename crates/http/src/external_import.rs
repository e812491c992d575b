//! Imports from other systems (DESIGN §9), shared by `shiyu import-external` and any screen: the
//! mapping file is parsed and checked by the domain ([`shiyu_domain::exchange`]), their CSV or
//! XLSX file is read by the tabular crate, each row is mapped and checked (every bad cell named
//! by row and their column), and the store applies the whole file or nothing, reporting each
//! record as created, unchanged, updated or in conflict.

use chrono::Utc;
use shiyu_domain::exchange::{self, ImportReport, Kind, MappingProblem, Outcome};
use shiyu_domain::scope::Principal;
use shiyu_storage::Store;
use shiyu_storage::exchange::{ExternalRecord, Payload};
use shiyu_tabular::Format;

use crate::error::ApiError;
use crate::i18n::{Lang, reason_text};

/// Imports `bytes` (their CSV or XLSX file) as the mapping file `mapping` says, as `actor`.
pub async fn import_external(
    store: &Store,
    actor: &Principal,
    mapping: &str,
    file_name: Option<&str>,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    let m = exchange::parse_mapping(mapping).map_err(ApiError::Mapping)?;
    let format = Format::detect(file_name, bytes).map_err(|_| ApiError::invalid("file", "type_not_allowed"))?;
    let t = shiyu_tabular::read(format, bytes)
        .map_err(|e| ApiError::Invalid { field: "file".into(), reason: e.message_zh() })?;
    if t.rows.is_empty() {
        return Err(ApiError::invalid("file", "empty_file"));
    }
    let at = m.locate(&t.headers).map_err(ApiError::Rows)?;
    let today = shiyu_domain::time::local_date(Utc::now());
    let mut records = Vec::with_capacity(t.rows.len());
    let mut errors = Vec::new();
    for r in &t.rows {
        let checked = m.map_row(&at, &r.cells, r.number).and_then(|mapped| {
            let payload = match m.kind {
                Kind::Cases => exchange::case_intake(&m, &mapped).map(Payload::Case),
                Kind::Disputes => exchange::dispute(&m, &mapped).map(Payload::Dispute),
                Kind::Residents => exchange::resident(&m, &mapped, today).map(Payload::Resident),
            }?;
            Ok(ExternalRecord { mapped, payload })
        });
        match checked {
            Ok(rec) => records.push(rec),
            Err(e) => errors.extend(e),
        }
        // A file wrong in every row is reported by its first thousand errors.
        if errors.len() >= 1000 {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Rows(errors));
    }
    Ok(store.import_external(actor, &m, records, dry_run, Utc::now()).await?)
}

/// A mapping-file reason in the user's language.
fn mapping_reason(reason: &str, lang: Lang) -> String {
    let (zh, en) = match reason {
        "syntax" => ("不是有效的 TOML", "is not valid TOML"),
        "not_text" => ("须为文本（加引号）", "must be text (quoted)"),
        "not_a_table" => ("须为表（[节]）", "must be a table ([section])"),
        "unknown_key" => ("不是可识别的配置项", "is not a known key"),
        "unknown_field" => ("不是可导入的字段", "is not a field that can be imported"),
        "missing_mapping" => ("必填字段未映射到列，也没有默认值", "is required but has no column and no default"),
        "duplicate_header" => ("与另一字段映射到同一列", "maps to the same column as another field"),
        "not_mapped" => ("该字段未映射到列，取值对照无从使用", "has value translations but no column"),
        other => return reason_text(other, lang),
    };
    lang.pick(zh, en).to_owned()
}

/// One mapping-file problem in the user's language: "映射文件“columns.titel”：不是可导入的字段".
pub fn mapping_message(p: &MappingProblem, lang: Lang) -> String {
    let reason = mapping_reason(p.reason, lang);
    let detail = p.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
    let key = if p.key.is_empty() { lang.pick("（整个文件）", "(whole file)").to_owned() } else { p.key.clone() };
    match lang {
        Lang::Zh => format!("映射文件“{key}”：{reason}{detail}"),
        Lang::En => format!("Mapping file, key “{key}”: {reason}{detail}"),
    }
}

/// A conflict's reason in the user's language.
pub fn conflict_reason(reason: &str, lang: Lang) -> &'static str {
    match reason {
        "changed_on_both_sides" => lang.pick("双方均有修改", "changed on both sides"),
        "dispute_not_amendable" => {
            lang.pick("纠纷登记后不能由导入修改，请人工核对", "a registered dispute cannot be amended by an import")
        }
        "local_record_missing" => lang.pick("本地记录不存在", "the local record is missing"),
        _ => lang.pick("冲突", "conflict"),
    }
}

/// The report as text, for the command line: counts, then each conflict with its fields.
pub fn report_text(r: &ImportReport, lang: Lang) -> String {
    let mut out = match lang {
        Lang::Zh => format!(
            "{}{} {}：新建 {}，未变 {}，更新 {}，冲突 {}\n",
            if r.dry_run { "（试运行，未写入）" } else { "" },
            r.source,
            r.kind.as_str(),
            r.created,
            r.unchanged,
            r.updated,
            r.conflicts.len()
        ),
        Lang::En => format!(
            "{}{} {}: created {}, unchanged {}, updated {}, conflicts {}\n",
            if r.dry_run { "(dry run, nothing written) " } else { "" },
            r.source,
            r.kind.as_str(),
            r.created,
            r.unchanged,
            r.updated,
            r.conflicts.len()
        ),
    };
    for c in &r.conflicts {
        let head = match lang {
            Lang::Zh => {
                format!("  冲突：第 {} 行 {} → {}：{}", c.row, c.external_id, c.local, conflict_reason(c.reason, lang))
            }
            Lang::En => {
                format!(
                    "  conflict: row {} {} → {}: {}",
                    c.row,
                    c.external_id,
                    c.local,
                    conflict_reason(c.reason, lang)
                )
            }
        };
        out.push_str(&head);
        if !c.local_changes.is_empty() {
            out.push_str(&format!(" [{}]", c.local_changes.join(", ")));
        }
        out.push('\n');
        for f in &c.fields {
            let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
            let label = lang.pick(&f.label_zh, &f.label_en).to_owned();
            out.push_str(&match lang {
                Lang::Zh => format!(
                    "    {label}：上次导入“{}”，对方现为“{}”，本系统现为“{}”\n",
                    v(&f.before),
                    v(&f.theirs),
                    v(&f.ours)
                ),
                Lang::En => format!(
                    "    {label}: last imported “{}”, theirs now “{}”, ours now “{}”\n",
                    v(&f.before),
                    v(&f.theirs),
                    v(&f.ours)
                ),
            });
        }
    }
    for l in r.records.iter().filter(|l| l.outcome == Outcome::Updated) {
        out.push_str(&match lang {
            Lang::Zh => format!("  更新：第 {} 行 {} → {}\n", l.row, l.external_id, l.local),
            Lang::En => format!("  updated: row {} {} → {}\n", l.row, l.external_id, l.local),
        });
    }
    out
}
