//! Base-data changes as outbox rows (topic `base.change`), written in the same transaction as the
//! change, one per record written, for subscribed upstream platforms.
//!
//! A change names the kind of record, its id, the operation and the fields written (all of them
//! for a new record, the ones that changed for an update). Identity and phone numbers appear only
//! masked, camera stream addresses (which may carry credentials) not at all, and care groups not
//! at all: they are for the staff serving the area (DESIGN §2), so an update that only adds care
//! groups sends nothing.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use shiyu_domain::base::records::{CameraRecord, EntityRecord, HouseRecord, WgsPoint};
use sqlx::{Any, Transaction};

use crate::db::Store;
use crate::error::Result;
use crate::sql::ms;

/// The topic of base-data changes.
pub(crate) const TOPIC: &str = "base.change";

/// Fields of a record as a JSON object.
pub(crate) type Fields = Map<String, Value>;

fn point(fields: &mut Fields, p: Option<WgsPoint>) {
    fields.insert("lon".into(), json!(p.map(|p| p.lon)));
    fields.insert("lat".into(), json!(p.map(|p| p.lat)));
}

/// A house's fields as sent.
pub(crate) fn house_fields(h: &HouseRecord, off_grid: bool) -> Fields {
    let mut f = Fields::new();
    f.insert("code".into(), json!(h.code));
    f.insert("address".into(), json!(h.address));
    f.insert("building".into(), json!(h.building));
    f.insert("unit".into(), json!(h.unit));
    f.insert("room".into(), json!(h.room));
    f.insert("use".into(), json!(h.use_.as_str()));
    f.insert("tenancy".into(), json!(h.tenancy.as_str()));
    point(&mut f, h.location);
    f.insert("grid".into(), json!(h.grid.as_ref().map(ToString::to_string)));
    f.insert("off_grid".into(), json!(off_grid));
    f
}

/// A legal entity's fields as sent (a credit code is a public registration, not personal).
pub(crate) fn entity_fields(e: &EntityRecord, off_grid: bool) -> Fields {
    let mut f = Fields::new();
    f.insert("credit_code".into(), json!(e.credit_code.as_str()));
    f.insert("name".into(), json!(e.name));
    f.insert("address".into(), json!(e.address));
    point(&mut f, e.location);
    f.insert("grid".into(), json!(e.grid.as_ref().map(ToString::to_string)));
    f.insert("off_grid".into(), json!(off_grid));
    f
}

/// A camera's fields as sent: no stream address.
pub(crate) fn camera_fields(c: &CameraRecord, off_grid: bool) -> Fields {
    let mut f = Fields::new();
    f.insert("code".into(), json!(c.code));
    f.insert("name".into(), json!(c.name));
    point(&mut f, Some(c.location));
    f.insert("status".into(), json!(c.status.as_str()));
    f.insert("grid".into(), json!(c.grid.as_ref().map(ToString::to_string)));
    f.insert("off_grid".into(), json!(off_grid));
    f
}

/// The fields of `new` whose values differ from `old`'s.
pub(crate) fn diff(old: &Fields, new: Fields) -> Fields {
    new.into_iter().filter(|(k, v)| old.get(k) != Some(v)).collect()
}

/// The changes of one write, to be written beside it.
#[derive(Default)]
pub(crate) struct Changes(Vec<(String, Value)>);

impl Changes {
    /// A new record with all its fields.
    pub(crate) fn insert(&mut self, kind: &str, id: &str, fields: Fields) {
        self.push(kind, id, "insert", fields);
    }

    /// An updated record with the fields that changed; nothing when none of the sent fields did.
    pub(crate) fn update(&mut self, kind: &str, id: &str, changed: Fields) {
        if !changed.is_empty() {
            self.push(kind, id, "update", changed);
        }
    }

    fn push(&mut self, kind: &str, id: &str, operation: &str, fields: Fields) {
        self.0.push((id.to_owned(), json!({"kind": kind, "id": id, "operation": operation, "fields": fields})));
    }

    /// Writes the changes as outbox rows inside `tx`. The sequence is the write's time in
    /// milliseconds, taken inside the transaction, so a record's later write sorts later.
    pub(crate) async fn write(
        self,
        store: &Store,
        tx: &mut Transaction<'static, Any>,
        city: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let seq = ms(Utc::now().max(at));
        let items = self.0.into_iter().map(|(id, payload)| (id, seq, payload.to_string())).collect();
        store.outbox_many(tx, city, TOPIC, items, at).await
    }
}
