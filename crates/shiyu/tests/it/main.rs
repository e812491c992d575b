//! The integration-test binary (one binary keeps link time down). Every scenario starts the real
//! server on a random port with a real database, on SQLite and, when available, PostgreSQL.

mod common;

mod api_cases;
mod areas;
mod backup;
mod base_data;
mod browser;
mod browser_board;
mod browser_deliberation;
mod browser_disputes;
mod browser_grid;
mod browser_points;
mod deliberation;
mod disputes;
mod duplicates;
mod export;
mod faults;
mod group_commit;
mod history;
mod import_external;
mod map;
mod notify;
mod open311;
mod points;
mod public_page;
mod roles;
mod routing;
mod search;
mod security;
mod stats;
mod stats_props;
mod web_roles;
mod webhooks;
