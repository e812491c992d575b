//! Community deliberation (议事协商, DESIGN §7): a proposal in a village or community moves through
//! its procedure — for villages 四议两公开 (the party branch proposes, the two committees discuss,
//! the party members deliberate, the villagers' representatives decide; the resolution and then
//! its result are published), for communities 一委三会 — each stage a meeting of one body or a
//! publication.
//!
//! This module owns the rules: each body's quorum and majority as exact fractions ([`rules`]),
//! the procedures and their shape ([`procedure`]), what a clerk records ([`record`]), the one
//! decision function that lets a proposal advance only to its next stage and only by a valid
//! meeting ([`machine`]), the hash-chained history and its replay ([`event`]), and who may read,
//! comment and act ([`access`]).

pub mod access;
pub mod event;
pub mod machine;
pub mod procedure;
pub mod record;
pub mod rules;

pub use access::{ProposalAct, Reach};
pub use event::{Origin, ProposalChange, ProposalEffects, ProposalEvent, ProposalIntake, ProposalSnapshot};
pub use machine::{Decision, ProposalMove, ProposalStatus, ProposalView, decide};
pub use procedure::{Act, DeliberationRules, DocumentKind, OnFail, Procedure, ProcedureKind, Stage};
pub use record::{Meeting, Publication, Votes, mask_name};
pub use rules::{Body, BodyRules, BodyTable, Comparison, Fraction, MajorityBase, Tally, Threshold};
