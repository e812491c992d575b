//! Base data (三库, DESIGN §6): the people, houses, legal entities and cameras of each grid, and
//! the rules about them that need no database — identity number and credit code check digits,
//! phone numbers, masks, care groups and when their visits fall due, and the columns of the
//! import/export files. Nothing here profiles people beyond what service needs (DESIGN §2).

pub mod access;
pub mod care;
pub mod columns;
pub mod credit;
pub mod idnum;
pub mod kinds;
pub mod phone;
pub mod records;

pub use care::CareGroup;
pub use credit::CreditCode;
pub use idnum::IdNumber;
pub use phone::Phone;
pub use records::{CameraRecord, EntityRecord, HouseRecord, ResidentRecord, WgsPoint};
