//! The grid worker's day in a real browser at a phone's size: land on the grid desk with its map,
//! report what was found with a photo and the location, solve it on the spot, log the day's
//! visit, and then the centre's operator finds the case on the map and in the list it opens.

use std::time::Duration;

use crate::browser::{Browser, Driver};
use crate::common::{Engine, TestApp};

/// A phone's window (CSS pixels of a common handset).
const PHONE: (u32, u32) = (390, 844);

/// A 1×1 PNG, written to a file the browser's file chooser is handed.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0xE9, 0xFA, 0xDC, 0xD8, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn grid_workers_day_on_a_phone() {
    if std::env::var("SHIYU_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SHIYU_SKIP_BROWSER=1: browser test skipped");
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = TestApp::spawn(Engine::Sqlite).await;
    let driver = Driver::start().await;
    tokio::time::timeout(Duration::from_secs(300), day(&app, &driver)).await.expect("the grid day took too long");
}

/// Waits until the map element says it has drawn, and returns how many case points it drew.
async fn map_ready(b: &Browser) -> usize {
    for _ in 0..150 {
        let el = b.el("#map").await;
        if let Ok(Some(err)) = el.attr("data-error").await {
            panic!("map failed: {err}");
        }
        if el.attr("data-ready").await.ok().flatten().as_deref() == Some("1") {
            return el.attr("data-cases").await.ok().flatten().and_then(|n| n.parse().ok()).unwrap_or(0);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the map never finished drawing on {}", b.here().await);
}

async fn day(app: &TestApp, driver: &Driver) {
    let fx = &app.fx;
    let photo_dir = tempfile::tempdir().expect("dir");
    let photo = photo_dir.path().join("现场.png");
    std::fs::write(&photo, PNG).expect("photo");

    // Morning: the grid worker signs in on the phone and lands on the grid desk with its map.
    let gw = Browser::open_sized(driver, app.base_url(), PHONE).await;
    gw.sign_in(app, "grid_worker").await;
    gw.arrived("/grid").await;
    assert_eq!(gw.text("[data-testid=grid-name]").await, "东门社区第一网格");
    map_ready(&gw).await;
    // The phone layout: the report button is as wide as half the screen, not a desktop link.
    let width = gw.el("[data-testid=grid-report]").await.rectangle().await.expect("rect").2;
    assert!(width > 120.0, "report button is {width}px wide on a phone");

    // Report a blocked stairwell with a photo and the location, solved on the spot.
    gw.click("[data-testid=grid-report]").await;
    gw.arrived("/grid/report").await;
    gw.choose("#category", &fx.category).await;
    gw.type_in("#title", "楼道堆放杂物").await;
    gw.type_in("#text", "三单元楼道堆放纸箱，影响通行。").await;
    gw.type_in("#photo", photo.to_str().expect("path")).await;
    gw.type_in("#lon", "113.02").await;
    gw.type_in("#lat", "28.1").await;
    gw.click("#solved").await;
    gw.type_in("#done", "已联系住户清理完毕。").await;
    gw.click("[data-testid=grid-report-submit]").await;
    gw.arrived("/cases/").await;
    gw.state_is("已反馈", "grid worker after solving on the spot").await;
    assert_eq!(gw.count("[data-testid=attachments] img").await, 1, "the photo is on the case page");
    let number = gw.text("[data-testid=case-number]").await;

    // Evening: the street centre's operator sees the case on the map and opens the list from it.
    let op = Browser::open(driver, app.base_url()).await;
    op.sign_in(app, "operator").await;
    op.go("/map").await;
    assert_eq!(map_ready(&op).await, 1, "the case is a point on the centre's map");
    assert!(op.count("path.leaflet-interactive").await >= 2, "a polygon and a point are drawn");
    op.go(&format!("/cases?area={}", fx.grid)).await;
    assert!(op.text("[data-testid=case-list]").await.contains(&number), "the map's list shows the case");

    gw.close().await;
    op.close().await;
}
