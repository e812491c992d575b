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

/// The centre loads the grid's base data as files, as it would from another system.
async fn load_base_data(app: &TestApp) {
    let op = app.client("operator").await;
    let files = [
        (
            "houses",
            "房屋编号,地址,楼栋,单元,房号,用途,租住情况,经度,纬度,坐标系,网格编码\nH1,东门路8号,3栋,1单元,201,住宅,自住,113.021,28.101,wgs84,\n",
        ),
        (
            "residents",
            "身份证号,姓名,联系电话,人口类型,网格编码,房屋编号,关爱类别\n11010519491231002X,王奶奶,13800001111,户籍,,H1,独居老人\n",
        ),
        (
            "cameras",
            "设备编号,名称,经度,纬度,坐标系,状态,视频流地址,网格编码\nCAM-1,东门路口,113.0205,28.1003,wgs84,在线,rtsp://10.1.1.1/live,\n",
        ),
    ];
    for (table, csv) in files {
        let form = reqwest::multipart::Form::new()
            .text("table", table)
            .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("f.csv"));
        let r = op
            .http
            .post(app.url(&format!("/base/import?_csrf={}", op.csrf)))
            .multipart(form)
            .send()
            .await
            .expect("import");
        assert_eq!(r.status(), 200, "{table}: {}", r.text().await.unwrap_or_default());
    }
}

async fn day(app: &TestApp, driver: &Driver) {
    let fx = &app.fx;
    load_base_data(app).await;
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
    assert!(gw.text("[data-testid=cameras-near]").await.contains("东门路口"), "the nearest camera is listed");

    // The day's visit: the household with an elderly resident living alone, and a finding that
    // becomes a case in one tap.
    gw.go("/grid/visits").await;
    assert!(gw.text("[data-testid=care-due]").await.contains("王奶奶"), "care visit due is shown");
    gw.click("[data-testid=visit-new]").await;
    gw.arrived("/grid/visits/new").await;
    gw.click("[data-testid=house]").await;
    gw.type_in("#summary", "看望王奶奶，身体尚好。").await;
    gw.type_in("#found", "楼道照明灯损坏，夜间漆黑。").await;
    gw.click("[data-testid=visit-submit]").await;
    gw.arrived("/grid/visits?done=1").await;
    assert!(!gw.text("[data-testid=care-due]").await.contains("王奶奶"), "visited: the next visit is a week away");
    gw.click("[data-testid=finding-to-case]").await;
    gw.arrived("/cases/").await;
    gw.state_is("已登记", "the finding became a case").await;
    assert!(gw.text("[data-testid=case-text]").await.contains("楼道照明灯损坏"));

    // Evening: the street centre's operator sees the case on the map and opens the list from it.
    let op = Browser::open(driver, app.base_url()).await;
    op.sign_in(app, "operator").await;
    op.go("/map").await;
    assert_eq!(map_ready(&op).await, 1, "the case is a point on the centre's map");
    for _ in 0..50 {
        if op.el("#map").await.attr("data-cameras").await.ok().flatten().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        op.el("#map").await.attr("data-cameras").await.ok().flatten().as_deref(),
        Some("1"),
        "the camera layer is loaded"
    );
    assert!(op.count("path.leaflet-interactive").await >= 2, "a polygon and a point are drawn");
    op.go(&format!("/cases?area={}", fx.grid)).await;
    assert!(op.text("[data-testid=case-list]").await.contains(&number), "the map's list shows the case");

    gw.close().await;
    op.close().await;
}
