//! A resident earns points by volunteering and spends them in the community's points shop, in a
//! real browser: the operator stocks the shop; the resident registers as a volunteer (consent
//! ticked) and signs up for an activity; the operator records their attendance; the resident sees
//! the points and service hours arrive, redeems goods, sees the balance fall and the pick-up code,
//! is refused a second redemption they cannot afford; the operator refuses a wrong code and hands
//! the goods over against the right one; the resident sees them collected. The books are whole.

use std::time::Duration;

use serde_json::json;

use crate::browser::{Browser, Driver};
use crate::common::{Engine, TestApp};

#[tokio::test]
async fn a_resident_earns_points_by_volunteering_and_redeems_them_in_the_shop() {
    if std::env::var("SHIYU_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SHIYU_SKIP_BROWSER=1: browser test skipped");
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = TestApp::spawn(Engine::Sqlite).await;
    let driver = Driver::start().await;
    tokio::time::timeout(Duration::from_secs(300), walk(&app, &driver)).await.expect("the points walk took too long");
}

/// The number shown at `css`, waiting for it.
async fn number(b: &Browser, css: &str) -> i64 {
    let t = b.text(css).await;
    match t.parse() {
        Ok(n) => n,
        Err(_) => panic!("`{css}` shows {t:?} on {}", b.here().await),
    }
}

async fn walk(app: &TestApp, driver: &Driver) {
    let fx = &app.fx;
    let community = fx.community.as_str();

    // The community's rules (30 points an hour of service) and an activity under way, by API.
    let op_api = app.client("operator").await;
    let (s, v) = op_api
        .post(
            "/api/points/rules",
            json!({"area_code": community, "report_true": 20, "per_service_hour": 30, "attendance": 5,
                   "star_hours": "1,2,3,4,5"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let now = chrono::Utc::now();
    let (s, v) = op_api
        .post(
            "/api/activities",
            json!({"title": "楼道清理", "place": "东门社区3栋", "kind": "service", "area_code": community,
                   "starts_at": (now - chrono::Duration::minutes(30)).to_rfc3339(),
                   "ends_at": (now + chrono::Duration::minutes(90)).to_rfc3339(), "capacity": 10}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let activity = v["id"].as_str().expect("id").to_owned();

    // The operator puts washing liquid on the shop's shelf.
    let operator = Browser::open(driver, app.base_url()).await;
    operator.sign_in(app, "operator").await;
    operator.click("nav.mainnav a[href='/shop']").await;
    operator.arrived("/shop").await;
    let form = "[data-testid=goods-form]";
    operator.type_in(&format!("{form} input[name=name]"), "洗衣液").await;
    operator.choose(&format!("{form} select[name=area_code]"), community).await;
    operator.type_in(&format!("{form} input[name=price]"), "50").await;
    operator.type_in(&format!("{form} input[name=stock]"), "3").await;
    operator.click(&format!("{form} button[type=submit]")).await;
    operator.arrived("done=goods").await;
    let row = "[data-testid=goods-list] tr[data-name='洗衣液']";
    assert_eq!(operator.text(&format!("{row} .stock")).await, "3");

    // The resident registers as a volunteer, consenting, and signs up for the activity.
    let resident = Browser::open(driver, app.base_url()).await;
    resident.sign_in(app, "resident").await;
    resident.click("nav.mainnav a[href='/r/volunteer']").await;
    resident.arrived("/r/volunteer").await;
    resident.type_in("#phone", "13912345678").await;
    resident.choose("#area_code", community).await;
    resident.type_in("#skills", "周末有空").await;
    // Without consent the form is refused and nothing is registered.
    resident.click("[data-testid=register]").await;
    let refusal = resident.text("[data-testid=form-error]").await;
    assert!(refusal.contains("同意"), "{refusal}");
    resident.click("#consent").await;
    resident.click("[data-testid=register]").await;
    resident.arrived("done=register").await;
    assert_eq!(resident.text("[data-testid=stars]").await, "☆☆☆☆☆");
    assert!(resident.source().await.contains("139****5678"), "the resident sees their phone masked");
    resident.click(&format!("[data-testid=upcoming] tr[data-activity='{activity}'] [data-testid=sign-up]")).await;
    resident.arrived("done=sign_up").await;
    resident.el(&format!("[data-testid=my-activities] tr[data-activity='{activity}']")).await;
    resident.go("/r/points").await;
    assert_eq!(number(&resident, "[data-testid=balance]").await, 0);

    // The operator records the attendance: two hours at 30 an hour.
    operator.go("/volunteers").await;
    assert!(operator.text("[data-testid=volunteer-list]").await.contains("139****5678"), "staff see the phone masked");
    assert!(!operator.source().await.contains("13912345678"));
    operator.click("[data-testid=activities-link]").await;
    operator.click(&format!("[data-testid=activity-list] tr[data-activity='{activity}'] a")).await;
    operator.arrived(&format!("/activities/{activity}")).await;
    operator.click("[data-testid=attend-form] button[type=submit]").await;
    operator.arrived("done=attend").await;
    let attended = operator.text("[data-testid=attended]").await;
    assert!(attended.contains("+60"), "{attended}");

    // The resident sees the points, the hours and two stars.
    resident.go("/r/points").await;
    assert_eq!(number(&resident, "[data-testid=balance]").await, 60);
    assert_eq!(resident.text("[data-testid=hours]").await, "2.0");
    assert_eq!(resident.text("[data-testid=stars]").await, "★★☆☆☆");
    let history = resident.text("[data-testid=history]").await;
    assert!(history.contains("志愿服务") && history.contains("楼道清理") && history.contains("+60"), "{history}");

    // To the shop: the washing liquid for 50 points.
    resident.click("[data-testid=go-shop]").await;
    resident.arrived("/r/shop").await;
    assert_eq!(number(&resident, "[data-testid=balance]").await, 60);
    let goods = "[data-testid=goods] section[data-name='洗衣液']";
    assert_eq!(resident.text(&format!("{goods} .price")).await, "50");
    resident.click(&format!("{goods} button[type=submit]")).await;
    resident.arrived("done=redeem").await;
    assert!(resident.text("[data-testid=done]").await.contains("领取码"));
    assert_eq!(number(&resident, "[data-testid=balance]").await, 10);
    let code = resident.text("[data-testid=pickup-code]").await;
    assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()), "pick-up code {code:?}");
    let history = resident.text("[data-testid=history]").await;
    assert!(history.contains("兑换物品") && history.contains("−50"), "{history}");

    // A second one costs more than is left: refused by name, nothing taken.
    resident.go("/r/shop").await;
    resident.click(&format!("{goods} button[type=submit]")).await;
    let refusal = resident.text("[data-testid=form-error]").await;
    assert!(refusal.contains("兑换数量") && refusal.contains("余额"), "{refusal}");
    assert_eq!(number(&resident, "[data-testid=balance]").await, 10);

    // At the counter: a wrong code is refused; the right one hands the goods over.
    operator.go("/shop").await;
    let pending = "[data-testid=pending] [data-testid=hand-over-form]";
    let wrong = if code == "00000000" { "11111111" } else { "00000000" };
    operator.type_in(&format!("{pending} input[name=code]"), wrong).await;
    operator.click(&format!("{pending} button[type=submit]")).await;
    let refusal = operator.text("[data-testid=form-error]").await;
    assert!(refusal.contains("领取码"), "{refusal}");
    operator.type_in(&format!("{pending} input[name=code]"), &code).await;
    operator.click(&format!("{pending} button[type=submit]")).await;
    operator.arrived("done=hand_over").await;
    assert_eq!(operator.count("[data-testid=pending] [data-testid=hand-over-form]").await, 0);
    assert_eq!(operator.text(&format!("{row} .stock")).await, "2");
    operator.close().await;

    // The resident sees it collected; the code is no longer shown.
    resident.go("/r/points").await;
    let state = resident.el("[data-testid=redemptions] tr[data-state]").await.attr("data-state").await.ok().flatten();
    assert_eq!(state.as_deref(), Some("handed_over"));
    assert_eq!(resident.count("[data-testid=pickup-code]").await, 0);
    assert_eq!(number(&resident, "[data-testid=balance]").await, 10);
    resident.close().await;

    let books = app.store.points_check().await.expect("check");
    assert!(books.problems.is_empty() && books.total == 0, "{books:?}");
}
