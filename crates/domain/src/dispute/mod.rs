//! Disputes (矛盾纠纷多元化解, DESIGN §5): a dispute is found (screening, a party's application, a
//! case turned dispute, a court's pre-litigation referral), mediated at a tier — village or
//! community, township or street, county joint mediation centre — and ends in an agreement that is
//! followed up, or in a referral to litigation, arbitration or an administrative body. "Small
//! matters stay in the village": a tier escalates only after the configured number of attempts,
//! unless the risk is red.
//!
//! Like a case, a dispute's state is derived from its hash-chained events ([`event`]) through one
//! decision function ([`machine`]); what is written down is checked in [`record`]; the
//! vocabularies are in [`kinds`], who may act in [`access`], the screening rhythm in [`screening`].
//! The figures are defined in [`crate::stats::disputes`].

pub mod access;
pub mod event;
pub mod kinds;
pub mod machine;
pub mod record;
pub mod screening;

pub use access::DisputeAct;
pub use event::{DisputeChange, DisputeEffects, DisputeEvent, DisputeSnapshot};
pub use kinds::{
    DisputeType, FollowUpResult, MediationKind, Referral, RiskLevel, SessionMethod, SessionOutcome, Source, Tier,
};
pub use machine::{DisputeMove, DisputeRules, DisputeState, DisputeView, decide_dispute};
pub use record::{
    CheckedParty, DisputeIntake, Fen, FollowUpVisit, MediatorRef, NewParty, OrgRef, PartyKind, PartyRecord, PartyRole,
    Session,
};
