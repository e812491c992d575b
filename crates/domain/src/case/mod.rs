//! The case (诉求/事件): its vocabulary, states, moves, hash-chained events, the snapshot derived
//! from them, and the state machine that decides moves.

pub mod category;
pub mod event;
pub mod kinds;
pub mod machine;
pub mod moves;
pub mod notice;
pub mod public;
pub mod snapshot;
pub mod state;

pub use category::CategoryCode;
pub use event::{Actor, Effects, Event};
pub use kinds::{Channel, Ledger, ResultKind, Satisfaction, SupervisionLevel, Urgency};
pub use machine::{CaseRules, Ctx, decide, register};
pub use moves::{GeoPoint, Intake, Move, Reporter};
pub use public::PublicCase;
pub use snapshot::CaseSnapshot;
pub use state::CaseState;
