//! Volunteers and points (志愿服务与积分制, 平安超市; DESIGN §7): residents earn points for a report
//! that proves true, for volunteer service and for attending activities, and redeem them for goods
//! in their community's points shop.
//!
//! This module owns the rules, with no I/O:
//! - [`amount`]: whole points and service minutes (integers; there is no fraction of a point);
//! - [`ledger`]: the double-entry ledger — accounts, entry kinds and balanced entries, and the
//!   posting rule that no account but a community's issuing account may go below zero;
//! - [`rules`]: configurable earning amounts, the results that make a report "true", and star
//!   levels by service hours;
//! - [`volunteer`]: registration with consent, teams, activities with their states, sign-up and
//!   attendance;
//! - [`shop`]: goods, quantities, the cost of a redemption, its states and pick-up code;
//! - [`access`]: who may do what, scoped to the area tree.

pub mod access;
pub mod amount;
pub mod ledger;
pub mod rules;
pub mod shop;
pub mod volunteer;

pub use access::PointsAct;
pub use amount::{Minutes, Points};
pub use ledger::{Account, AccountKind, Entry, EntryKind, Posting};
pub use rules::{PointRules, StarLevel};
pub use shop::{GoodsPlan, PickupCode, Quantity, RedemptionMove, RedemptionState};
pub use volunteer::{ActivityKind, ActivityMove, ActivityPlan, ActivityState, ActivityView, Registration, TeamPlan};
