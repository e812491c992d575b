//! Validated base-data records: what one row of an import file, or one form, becomes once every
//! field has been checked. Coordinates are WGS-84 by now (the caller converts declared systems).

use crate::area::AreaCode;
use crate::base::care::CareGroup;
use crate::base::credit::CreditCode;
use crate::base::idnum::IdNumber;
use crate::base::kinds::{CameraStatus, HouseUse, ResidentKind, Tenancy};
use crate::base::phone::Phone;

/// A WGS-84 point rounded to 6 decimals (about 0.1 m), so that what is exported reads back equal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WgsPoint {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

impl WgsPoint {
    /// Rounds to 6 decimals.
    pub fn new(lon: f64, lat: f64) -> Self {
        let r = |x: f64| (x * 1e6).round() / 1e6;
        Self { lon: r(lon), lat: r(lat) }
    }
}

/// A resident (实有人口). One person is one record: the identity number is the key.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRecord {
    /// Identity number.
    pub id_number: IdNumber,
    /// Name.
    pub name: String,
    /// Phone, if given.
    pub phone: Option<Phone>,
    /// Registered or floating.
    pub kind: ResidentKind,
    /// The grid, if given (else the house's).
    pub grid: Option<AreaCode>,
    /// The house they live in, by house code.
    pub house: Option<String>,
    /// Care groups.
    pub care: Vec<CareGroup>,
}

/// A house (实有房屋).
#[derive(Debug, Clone, PartialEq)]
pub struct HouseRecord {
    /// The house's code (门牌/房屋编号), unique in the city.
    pub code: String,
    /// Street address.
    pub address: String,
    /// Building.
    pub building: String,
    /// Unit.
    pub unit: String,
    /// Room.
    pub room: String,
    /// Use.
    pub use_: HouseUse,
    /// Tenancy.
    pub tenancy: Tenancy,
    /// Where it is.
    pub location: Option<WgsPoint>,
    /// The grid, if given (else from the location).
    pub grid: Option<AreaCode>,
}

/// A legal entity (实有单位).
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRecord {
    /// Unified social credit code: the key.
    pub credit_code: CreditCode,
    /// Registered name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Where it is.
    pub location: Option<WgsPoint>,
    /// The grid, if given (else from the location).
    pub grid: Option<AreaCode>,
}

/// A video point (雪亮工程 camera): an asset with a place and a stream address; no analytics.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraRecord {
    /// Device code: the key.
    pub code: String,
    /// Name.
    pub name: String,
    /// Where it is.
    pub location: WgsPoint,
    /// Status.
    pub status: CameraStatus,
    /// Stream address (http, https, rtsp, rtmp).
    pub stream_url: String,
    /// The grid, if given (else from the location).
    pub grid: Option<AreaCode>,
}
