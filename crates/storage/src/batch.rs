//! Many changes in one transaction, for bulk loads (the demo city, imports): the same decisions
//! and rows as single changes, one commit per batch instead of one per change.

use chrono::{DateTime, Utc};
use shiyu_domain::case::{CaseSnapshot, Intake, Move};
use shiyu_domain::dispute::{DisputeMove, DisputeSnapshot};
use shiyu_domain::ids::{CaseId, DisputeId, ScreeningId};
use shiyu_domain::scope::Principal;

use crate::cases::ContactInput;
use crate::db::{Store, WriteTx};
use crate::disputes::NewDispute;
use crate::disputes::screenings::NewScreening;
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

    /// Registers a dispute in the batch.
    pub async fn register_dispute(
        &mut self,
        actor: &Principal,
        nd: NewDispute,
        now: DateTime<Utc>,
    ) -> Result<DisputeId> {
        self.store.register_dispute_in(&mut self.w.tx, actor, nd, now).await
    }

    /// Makes a move on a dispute in the batch.
    pub async fn apply_dispute(
        &mut self,
        actor: &Principal,
        id: DisputeId,
        mv: DisputeMove,
        now: DateTime<Utc>,
    ) -> Result<DisputeSnapshot> {
        self.store.apply_dispute_in(&mut self.w.tx, actor, id, mv, now).await
    }

    /// Records a screening (and registers its findings) in the batch.
    pub async fn record_screening(
        &mut self,
        actor: &Principal,
        ns: NewScreening,
        now: DateTime<Utc>,
    ) -> Result<(ScreeningId, Vec<DisputeId>)> {
        self.store.record_screening_in(&mut self.w.tx, actor, ns, now).await
    }

    /// Commits the batch.
    pub async fn commit(self) -> Result<()> {
        self.w.tx.commit().await?;
        Ok(())
    }
}
