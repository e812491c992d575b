//! Coordinate systems a Chinese map source may use, and their conversion to the WGS-84 that
//! shiyu stores.
//!
//! GCJ-02 (高德, 腾讯, 天地图 in some products) is WGS-84 plus a published, smooth offset of a few
//! hundred metres; BD-09 (百度) is a further rotation-and-shift of GCJ-02. The forward formulas
//! are public; their inverses have no closed form, so [`to_wgs84`] solves them by fixed-point
//! iteration to well under a millimetre, not with the one-step approximation that is off by up to
//! a few metres. Outside mainland China (the usual rectangle, see [`out_of_china`]) GCJ-02 equals
//! WGS-84, as map providers serve it.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use crate::GeoError;

/// A coordinate system in which longitude/latitude pairs may arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Crs {
    /// WGS-84 (GPS, OpenStreetMap, EPSG:4326): what shiyu stores.
    Wgs84,
    /// GCJ-02 (国测局, "Mars" coordinates): AMap/Gaode, Tencent.
    Gcj02,
    /// BD-09 longitude/latitude (百度 bd09ll): Baidu Maps.
    Bd09,
}

impl Crs {
    /// Every coordinate system, WGS-84 first.
    pub const ALL: [Crs; 3] = [Crs::Wgs84, Crs::Gcj02, Crs::Bd09];

    /// The wire name: `wgs84`, `gcj02` or `bd09`.
    pub fn as_str(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Crs {
    type Err = GeoError;

    /// Reads the wire name in any case, with or without separators (`WGS-84`, `gcj_02`,
    /// `BD-09`), and the names other systems use for the same thing (`EPSG:4326`, `CRS84`,
    /// `gps`, `amap`, `bd09ll`, `baidu`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let key: String =
            text.trim().chars().filter(|c| !matches!(c, '-' | '_' | ' ' | ':')).flat_map(char::to_lowercase).collect();
        // The OGC URN spelling used by old GeoJSON `crs` members ends in its short name.
        let key = key.strip_prefix("urnogcdefcrs").map(|rest| rest.trim_start_matches("ogc1.3")).unwrap_or(&key);
        match key {
            "wgs84" | "epsg4326" | "crs84" | "4326" | "gps" => Ok(Crs::Wgs84),
            "gcj02" | "gcj" | "amap" | "gaode" | "autonavi" | "tencent" | "mars" => Ok(Crs::Gcj02),
            "bd09" | "bd09ll" | "baidu" => Ok(Crs::Bd09),
            _ => Err(GeoError::UnknownCrs(text.to_owned())),
        }
    }
}

/// Converts a longitude/latitude in `crs` to WGS-84.
pub fn to_wgs84(crs: Crs, lon: f64, lat: f64) -> (f64, f64) {
    match crs {
        Crs::Wgs84 => (lon, lat),
        Crs::Gcj02 => gcj02_to_wgs84(lon, lat),
        Crs::Bd09 => {
            let (glon, glat) = bd09_to_gcj02(lon, lat);
            gcj02_to_wgs84(glon, glat)
        }
    }
}

/// Converts a WGS-84 longitude/latitude to `crs` (for handing coordinates to a map that expects
/// GCJ-02 or BD-09).
pub fn from_wgs84(crs: Crs, lon: f64, lat: f64) -> (f64, f64) {
    match crs {
        Crs::Wgs84 => (lon, lat),
        Crs::Gcj02 => wgs84_to_gcj02(lon, lat),
        Crs::Bd09 => {
            let (glon, glat) = wgs84_to_gcj02(lon, lat);
            gcj02_to_bd09(glon, glat)
        }
    }
}

/// The rectangle outside which GCJ-02 is not applied (the bounds used by the published
/// implementations, e.g. eviltransform and coordtransform, so that data exchanged with them
/// agrees).
pub fn out_of_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

// Krasovsky 1940 ellipsoid, which the GCJ-02 formula is defined on.
const GCJ_A: f64 = 6_378_245.0;
const GCJ_EE: f64 = 0.006_693_421_622_965_943;
const X_PI: f64 = PI * 3000.0 / 180.0;

// The iteration stops when a step moves the point less than this (about 1e-7 m).
const CONVERGED_DEG: f64 = 1e-12;
// The offsets are contractions with a factor of about 1e-3, so a handful of steps reach
// machine precision; the cap only guards against NaN input.
const MAX_STEPS: usize = 30;

/// WGS-84 to GCJ-02 by the published formula; unchanged outside [`out_of_china`]'s rectangle.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (dlon, dlat) = gcj_offset(lon, lat);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 to WGS-84: the WGS-84 point whose GCJ-02 image is the given point, found by
/// fixed-point iteration (residual below 1e-7 m).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    invert(lon, lat, wgs84_to_gcj02)
}

/// GCJ-02 to BD-09 by Baidu's published formula.
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = lon.hypot(lat) + 0.000_02 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 to GCJ-02: the usual closed-form approximation, refined by iteration against
/// [`gcj02_to_bd09`] because the approximation alone is off by up to about 0.1 m.
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let x = lon - 0.0065;
    let y = lat - 0.006;
    let z = x.hypot(y) - 0.000_02 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * X_PI).cos();
    refine(lon, lat, (z * theta.cos(), z * theta.sin()), gcj02_to_bd09)
}

/// Solves `forward(p) = (lon, lat)` starting from the target itself.
fn invert(lon: f64, lat: f64, forward: fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    refine(lon, lat, (lon, lat), forward)
}

fn refine(lon: f64, lat: f64, start: (f64, f64), forward: fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut x, mut y) = start;
    for _ in 0..MAX_STEPS {
        let (fx, fy) = forward(x, y);
        let (dx, dy) = (lon - fx, lat - fy);
        x += dx;
        y += dy;
        if dx.abs() < CONVERGED_DEG && dy.abs() < CONVERGED_DEG {
            break;
        }
    }
    (x, y)
}

fn gcj_offset(lon: f64, lat: f64) -> (f64, f64) {
    let x = lon - 105.0;
    let y = lat - 35.0;
    let common = 20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin();
    let dlat = -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + (common
            + 20.0 * (y * PI).sin()
            + 40.0 * (y / 3.0 * PI).sin()
            + 160.0 * (y / 12.0 * PI).sin()
            + 320.0 * (y / 30.0 * PI).sin())
            * 2.0
            / 3.0;
    let dlon = 300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + (common
            + 20.0 * (x * PI).sin()
            + 40.0 * (x / 3.0 * PI).sin()
            + 150.0 * (x / 12.0 * PI).sin()
            + 300.0 * (x / 30.0 * PI).sin())
            * 2.0
            / 3.0;
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - GCJ_EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = dlat * 180.0 / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * PI);
    let dlon = dlon * 180.0 / (GCJ_A / sqrt_magic * rad_lat.cos() * PI);
    (dlon, dlat)
}

/// Mean Earth radius (IUGG), the one geo's haversine uses.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle (haversine) distance in metres between two WGS-84 `(lon, lat)` points.
/// Within 0.5 % of the ellipsoidal distance, which is plenty for "how far is the camera".
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Published conversion pairs, (source crs, source lon, lat, target crs, target lon, lat).
    /// Each line names where the pair was published.
    const REFERENCE: &[(Crs, f64, f64, Crs, f64, f64)] = &[
        // googollee/eviltransform, python/test.py and go/transform_test.go (`tests`): WGS-84 → GCJ-02
        // for Shanghai, Shenzhen and Beijing.
        (Crs::Wgs84, 121.5272106, 31.1774276, Crs::Gcj02, 121.531541859215, 31.17530398364597),
        (Crs::Wgs84, 113.912316, 22.543847, Crs::Gcj02, 113.9171764808363, 22.540796131694766),
        (Crs::Wgs84, 116.377817, 39.911954, Crs::Gcj02, 116.38404722455657, 39.91334545536069),
        // AMap's own Web Service documentation, 坐标转换 (lbs.amap.com/api/webservice/guide/api/convert),
        // response example of `coordinate/convert?locations=116.481499,39.990475|116.481499,39.990375
        // &coordsys=gps` as mirrored at apifox.com/apidoc/docs-site/759159/api-14671355: the output
        // of AMap's real service, not of a re-implementation.
        (Crs::Wgs84, 116.481499, 39.990475, Crs::Gcj02, 116.487585177952, 39.991754014757),
        (Crs::Wgs84, 116.481499, 39.990375, Crs::Gcj02, 116.487585177952, 39.991653917101),
        // hujiulong/gcoord, test/unit/crs/{WGS84,GCJ02,BD09}.spec.ts, all from (123, 45).
        (Crs::Wgs84, 123.0, 45.0, Crs::Gcj02, 123.00607541, 45.00197815),
        (Crs::Wgs84, 123.0, 45.0, Crs::Bd09, 123.0124491, 45.0083293),
        (Crs::Gcj02, 123.0, 45.0, Crs::Wgs84, 122.99395597, 44.99804071),
        (Crs::Gcj02, 123.0, 45.0, Crs::Bd09, 123.00636499, 45.00636899),
        (Crs::Bd09, 123.0, 45.0, Crs::Gcj02, 122.99363304, 44.99365430),
        (Crs::Bd09, 123.0, 45.0, Crs::Wgs84, 122.98762210, 44.99171540),
        // wandergis/coordtransform, test/app.js (documented results), from (116.404, 39.915).
        (Crs::Wgs84, 116.404, 39.915, Crs::Gcj02, 116.41024449916938, 39.91640428150164),
        (Crs::Gcj02, 116.404, 39.915, Crs::Bd09, 116.41036949371029, 39.92133699351021),
        (Crs::Bd09, 116.404, 39.915, Crs::Gcj02, 116.39762729119315, 39.90865673957631),
        // Aliyun 地址标准化 TransferCoord documentation example (help.aliyun.com/zh/address-purification/
        // addrpapi/developer-reference/coordinate-system-conversion): GCJ-02 → BD-09. (Its WGS-84
        // figure is 1.7 m from the exact inverse, i.e. the one-step approximation, so it is not used.)
        (Crs::Gcj02, 120.026268, 30.279164, Crs::Bd09, 120.032768, 30.285238),
    ];

    fn convert(from: Crs, to: Crs, lon: f64, lat: f64) -> (f64, f64) {
        let (wlon, wlat) = to_wgs84(from, lon, lat);
        from_wgs84(to, wlon, wlat)
    }

    #[test]
    fn published_reference_points_agree_to_well_under_a_metre() {
        for &(from, lon, lat, to, elon, elat) in REFERENCE {
            let got = convert(from, to, lon, lat);
            let d = distance_m(got, (elon, elat));
            assert!(d < 1.0, "{from}→{to} ({lon}, {lat}): got {got:?}, published ({elon}, {elat}), {d} m apart");
            // And back: the inverse lands on the published source point.
            let back = convert(to, from, elon, elat);
            let d = distance_m(back, (lon, lat));
            assert!(d < 1.0, "{to}→{from} ({elon}, {elat}): got {back:?}, published ({lon}, {lat}), {d} m apart");
        }
    }

    #[test]
    fn the_inverse_is_exact_where_the_one_step_approximation_is_not() {
        // The one-step inverse subtracts the offset computed at the GCJ-02 point; it is metres
        // off here. Ours must land within a millimetre.
        let (lon, lat) = (116.38404722455657, 39.91334545536069);
        let (dlon, dlat) = gcj_offset(lon, lat);
        let one_step = (lon - dlon, lat - dlat);
        let exact = gcj02_to_wgs84(lon, lat);
        assert!(distance_m(one_step, (116.377817, 39.911954)) > 0.5);
        assert!(distance_m(exact, (116.377817, 39.911954)) < 0.001);
    }

    #[test]
    fn outside_china_gcj02_is_wgs84() {
        for (lon, lat) in [(2.3522, 48.8566), (-74.006, 40.7128), (139.6917, 35.6895), (183.0, 45.0)] {
            assert_eq!(to_wgs84(Crs::Gcj02, lon, lat), (lon, lat));
            assert_eq!(from_wgs84(Crs::Gcj02, lon, lat), (lon, lat));
        }
    }

    #[test]
    fn names_parse_in_their_usual_spellings() {
        for (text, crs) in [
            ("wgs84", Crs::Wgs84),
            ("WGS-84", Crs::Wgs84),
            ("WGS84", Crs::Wgs84),
            ("EPSG:4326", Crs::Wgs84),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", Crs::Wgs84),
            ("gcj02", Crs::Gcj02),
            ("GCJ-02", Crs::Gcj02),
            (" gcj_02 ", Crs::Gcj02),
            ("bd09", Crs::Bd09),
            ("BD-09", Crs::Bd09),
            ("bd09ll", Crs::Bd09),
        ] {
            assert_eq!(text.parse::<Crs>(), Ok(crs), "{text}");
        }
        for crs in Crs::ALL {
            assert_eq!(crs.as_str().parse::<Crs>(), Ok(crs));
        }
        assert_eq!("utm50n".parse::<Crs>(), Err(GeoError::UnknownCrs("utm50n".into())));
        assert!("".parse::<Crs>().is_err());
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // One degree of latitude on the mean sphere is 111.195 km.
        let d = distance_m((116.0, 39.0), (116.0, 40.0));
        assert!((d - 111_195.08).abs() < 1.0, "{d}");
        assert_eq!(distance_m((116.4, 39.9), (116.4, 39.9)), 0.0);
    }

    proptest! {
        #[test]
        fn round_trips_stay_within_a_centimetre(lon in 73.0f64..135.0, lat in 18.0f64..53.5, k in 0usize..3) {
            let crs = Crs::ALL[k];
            let (x, y) = from_wgs84(crs, lon, lat);
            let back = to_wgs84(crs, x, y);
            prop_assert!(distance_m(back, (lon, lat)) < 0.01, "{crs} ({lon}, {lat}) → ({x}, {y}) → {back:?}");
            let (x, y) = to_wgs84(crs, lon, lat);
            let back = from_wgs84(crs, x, y);
            prop_assert!(distance_m(back, (lon, lat)) < 0.01, "{crs} ({lon}, {lat}) ← ({x}, {y}) ← {back:?}");
        }
    }
}
