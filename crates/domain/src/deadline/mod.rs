//! Deadlines in working time: the holiday calendar ([`calendar`]), the policy table that gives a
//! case its time limits ([`policy`]), and the yellow/red warning ([`warning`]).

pub mod calendar;
pub mod policy;
pub mod warning;

pub use calendar::{WorkCalendar, WorkDuration};
pub use policy::{DeadlinePolicy, PolicyRule, TimeLimits};
pub use warning::Warning;
