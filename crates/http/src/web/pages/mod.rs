//! One module per page or group of pages, each with its handlers and the template struct it fills.

pub mod admin_areas;
pub mod assessment;
pub mod base;
pub mod board;
pub mod case;
pub mod cases;
pub mod community;
pub mod disputes;
pub mod export;
pub mod follow;
pub mod grid;
pub mod home;
pub mod intake;
pub mod language;
pub mod login;
pub mod map;
pub mod mediation;
pub mod my_points;
pub mod points_admin;
pub mod proposals;
pub mod reports;
pub mod resident;
pub mod search;
pub mod visits;
