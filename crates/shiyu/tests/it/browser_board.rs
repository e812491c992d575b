//! The board in a real browser: the city operator opens the board, sees its chart drawn (ECharts
//! shipped in the binary, no network), drills from the city down to a grid, then makes the month's
//! report and downloads it as Excel and PDF.

use std::time::Duration;

use serde_json::json;

use crate::browser::{Browser, Driver};
use crate::common::{Engine, TestApp};

#[tokio::test]
async fn the_board_drills_from_city_to_grid_and_the_monthly_report_downloads() {
    if std::env::var("SHIYU_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SHIYU_SKIP_BROWSER=1: browser test skipped");
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = TestApp::spawn(Engine::Sqlite).await;
    let driver = Driver::start().await;
    tokio::time::timeout(Duration::from_secs(240), walk(&app, &driver)).await.expect("the board walk took too long");
}

async fn chart_drawn(b: &Browser) {
    for _ in 0..100 {
        if b.el("#trend").await.attr("data-ready").await.ok().flatten().as_deref() == Some("1") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the chart was never drawn on {}", b.here().await);
}

async fn walk(app: &TestApp, driver: &Driver) {
    let resident = app.client("resident").await;
    for i in 0..3 {
        app.new_case(&resident, &app.fx.grid, &format!("看板{i}")).await;
    }
    let op = app.client("operator").await;
    let (_, cases) = op.get("/api/cases?limit=10").await;
    let first = cases["items"][0]["id"].as_str().expect("a case").to_owned();
    op.ok_mv(&first, json!({"move": "accept", "note": ""})).await;

    let b = Browser::open(driver, app.base_url()).await;
    b.sign_in(app, "city_operator").await;
    b.go("/board").await;
    chart_drawn(&b).await;
    assert!(b.text("[data-testid=board-area]").await.contains("示范市"));
    // City → district → street → community → grid, each by the first drill-down link.
    for name in ["东城区", "东门街道", "东门社区", "东门社区第一网格"] {
        b.click("[data-testid=by-area] [data-testid=drill]").await;
        let mut seen = String::new();
        for _ in 0..50 {
            seen = b.text("[data-testid=board-area]").await;
            if seen.contains(name) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(seen.contains(name), "drilled to {seen}, expected {name}");
        chart_drawn(&b).await;
    }
    assert_eq!(b.text("[data-testid=live-open]").await, "3", "three open cases in the grid");
    assert!(b.count("[data-testid=by-area]").await == 0, "a grid has no children to list");
    b.click("[data-testid=board-up]").await;
    b.arrived(&format!("area={}", app.fx.community)).await;

    // The month's report for the city, then its downloads.
    b.go("/reports").await;
    b.click("[data-testid=report-submit]").await;
    b.arrived("/reports/view").await;
    assert!(b.text("[data-testid=report-title]").await.contains("月报"));
    chart_drawn(&b).await;
    for (link, kind) in [("report-xlsx", "spreadsheetml"), ("report-pdf", "application/pdf")] {
        let href = b.el(&format!("[data-testid={link}]")).await.attr("href").await.ok().flatten().expect("href");
        let got = b
            .run_async(&format!(
                "const done = arguments[arguments.length - 1];
                 fetch({href:?}).then(r => r.arrayBuffer().then(a => done([r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), a.byteLength])))
                   .catch(e => done(['error', String(e)]));"
            ))
            .await;
        assert_eq!(got[0], 200, "{link}: {got}");
        assert!(got[1].as_str().is_some_and(|t| t.contains(kind)), "{link}: {got}");
        assert!(got[2].as_str().is_some_and(|d| d.starts_with("attachment")), "{link} downloads: {got}");
        assert!(got[3].as_u64().is_some_and(|n| n > 1000), "{link}: {got}");
    }
    b.close().await;
}
