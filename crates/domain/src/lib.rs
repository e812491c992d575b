//! The rules of shiyu, with no I/O, no async and no SQL.
//!
//! This crate owns what a case *is* and what may happen to it: the area tree and its codes
//! ([`area`]), who may act and what they may see ([`role`], [`scope`]), the case life as a state
//! machine driven by hash-chained events ([`case`]), and working-time deadline arithmetic
//! ([`deadline`]); disputes ([`dispute`]), community deliberation ([`deliberation`]), and
//! volunteers with the points ledger ([`points`]) likewise. Storage and HTTP call into it; it
//! calls nothing.

pub mod area;
pub mod base;
pub mod case;
pub mod deadline;
pub mod deliberation;
pub mod dispute;
pub mod duplicates;
pub mod error;
pub mod exchange;
pub mod history;
pub mod ids;
pub mod open311;
pub mod place;
pub mod points;
pub mod role;
pub mod routing;
pub mod scope;
pub mod stats;
pub mod time;
pub mod webhook;

pub use error::DomainError;
