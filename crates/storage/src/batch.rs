//! Many changes in one transaction, for bulk loads (the demo city, imports): the same decisions
//! and rows as single changes, one commit per batch instead of one per change.

use chrono::{DateTime, Utc};
use shiyu_domain::case::{CaseSnapshot, Intake, Move};
use shiyu_domain::ids::CaseId;
use shiyu_domain::scope::Principal;

use crate::cases::ContactInput;
use crate::db::{Store, WriteTx};
use crate::error::Result;

/// An open batch. Dropping it without [`Batch::commit`] rolls everything back.
pub struct Batch<'a> {
    store: &'a Store,
    w: WriteTx<'a>,
}

impl Store {
    /// Opens a batch.
    pub async fn batch(&self) -> Result<Batch<'_>> {
        Ok(Batch { store: self, w: self.begin_write().await? })
    }
}

impl Batch<'_> {
    /// Registers a case in the batch.
    pub async fn register(
        &mut self,
        actor: &Principal,
        intake: Intake,
        contact: Option<ContactInput>,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        self.store.register_in(&mut self.w.tx, actor, intake, contact, now).await
    }

    /// Makes a move in the batch. References (organisations, areas, merge targets) are checked
    /// against committed data.
    pub async fn apply(
        &mut self,
        actor: &Principal,
        case_id: CaseId,
        mv: Move,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        self.store.check_references(actor, case_id, &mv).await?;
        self.store.apply_in(&mut self.w.tx, actor, case_id, mv, now).await
    }

    /// Commits the batch.
    pub async fn commit(self) -> Result<()> {
        self.w.tx.commit().await?;
        Ok(())
    }
}
