//! The `shiyu` program: command-line entry points over the library crates, the bootstrap that
//! opens the store and serves HTTP ([`app`]) with its background work (the search index, webhooks,
//! the points feed of [`points`]), and the synthetic demo city ([`demo`]).

pub mod app;
pub mod backup;
pub mod bench;
pub mod demo;
pub mod notify;
pub mod points;
pub mod search;
pub mod seed;
pub mod webhooks;
