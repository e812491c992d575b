//! Volunteers and points through the real server on both engines: a report that proves true pays
//! its reporter once however often and however concurrently the payment is triggered; volunteer
//! service pays hours, points and stars once per attendance; many concurrent redemptions at one
//! account and one scarce good never overspend the balance or oversell the stock, and the books
//! stay whole (checked with SQL of the test's own, not only by the store's check); refusals name
//! the field in the user's language and change nothing; staff act only inside their area.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use shiyu_domain::ids::CaseId;
use shiyu_storage::points::rewards::Award;
use sqlx::Row as _;

use crate::common::{Client, TestApp, engines};

/// Sets the community's rules through the API as the street's operator.
async fn set_rules(app: &TestApp, report: i64, per_hour: i64, attendance: i64, stars: &str) {
    let op = app.client("operator").await;
    let (s, v) = op
        .post(
            "/api/points/rules",
            json!({"area_code": app.fx.community.as_str(), "report_true": report, "per_service_hour": per_hour,
                   "attendance": attendance, "star_hours": stars}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn register(app: &TestApp, who: &str, phone: &str) -> Value {
    let c = app.client(who).await;
    let (s, v) = c
        .post(
            "/api/volunteers",
            json!({"name": format!("志愿者{who}"), "phone": phone, "area_code": app.fx.community.as_str(),
                   "skills": "理发", "consent": true}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v
}

/// A volunteer-service activity in the community that started half an hour ago and ends in 90
/// minutes: open for sign-up and for attendance.
async fn activity_now(app: &TestApp, kind: &str, capacity: u32) -> String {
    let op = app.client("operator").await;
    let now = Utc::now();
    let (s, v) = op
        .post(
            "/api/activities",
            json!({"title": format!("{kind}活动"), "place": "社区广场", "kind": kind, "area_code": app.fx.community.as_str(),
                   "starts_at": (now - chrono::Duration::minutes(30)).to_rfc3339(),
                   "ends_at": (now + chrono::Duration::minutes(90)).to_rfc3339(), "capacity": capacity}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().expect("id").to_owned()
}

/// Gives `who` exactly `points` through a service activity (the rate is set to `points` an hour
/// and an hour is recorded).
async fn earn(app: &TestApp, who: &str, points: i64) {
    set_rules(app, 20, points, 5, "100,300,600,1000,1500").await;
    let id = activity_now(app, "service", 5).await;
    let c = app.client(who).await;
    let (s, v) = c.post(&format!("/api/activities/{id}/moves"), json!({"move": "sign_up"})).await;
    assert_eq!(s, 200, "{v}");
    let vid = c.get("/api/volunteers/me").await.1["volunteer"]["id"].as_str().expect("registered").to_owned();
    let op = app.client("operator").await;
    let (s, v) = op
        .post(&format!("/api/activities/{id}/moves"), json!({"move": "attend", "volunteer_id": vid, "minutes": 60}))
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn balance(c: &Client) -> i64 {
    let (s, v) = c.get("/api/points/me").await;
    assert_eq!(s, 200, "{v}");
    v["balance"].as_i64().expect("balance")
}

/// Takes a case through to closed with `outcome`.
pub(crate) async fn close(app: &TestApp, id: &str, outcome: &str) {
    let operator = app.client("operator").await;
    let handler = app.client("handler").await;
    let leader = app.client("leader").await;
    operator.ok_mv(id, json!({"move": "accept", "note": ""})).await;
    operator.ok_mv(id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
    handler.ok_mv(id, json!({"move": "sign"})).await;
    handler.ok_mv(id, json!({"move": "report_result", "outcome": outcome, "text": "已处理"})).await;
    leader.ok_mv(id, json!({"move": "verify", "note": ""})).await;
    operator.ok_mv(id, json!({"move": "record_revisit", "satisfaction": "satisfied", "note": ""})).await;
    operator.ok_mv(id, json!({"move": "close", "note": ""})).await;
}

/// A case the resident reports, taken through to closed with `outcome`.
async fn close_case(app: &TestApp, reporter: &Client, title: &str, outcome: &str) -> String {
    let id = app.new_case(reporter, &app.fx.grid, title).await;
    close(app, &id, outcome).await;
    id
}

async fn entries_for(app: &TestApp, key: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM point_entries WHERE idem_key = $1")
        .bind(key)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
        .get::<i64, _>("n")
}

#[tokio::test]
async fn a_report_that_proves_true_pays_its_resident_exactly_once() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let resident2 = app.client("resident2").await;

        // Closed as resolved: the server's feed pays the default 20 points, once.
        let id = close_case(&app, &resident, "路灯不亮", "resolved").await;
        let mut waited = 0;
        while balance(&resident).await == 0 && waited < 100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += 1;
        }
        assert_eq!(balance(&resident).await, 20, "{engine:?}: the feed paid the true report");
        let (_, me) = resident.get("/api/points/me").await;
        assert_eq!(me["history"][0]["kind"], "report_true", "{me}");
        assert!(me["history"][0]["memo"].as_str().unwrap_or_default().contains("路灯不亮"), "{me}");

        // The trigger again, many times and concurrently, and the whole feed twice more at once
        // (one of them sweeping back): nothing more is paid.
        let case = CaseId::parse(&id).expect("id");
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let store = app.store.clone();
                tokio::spawn(async move { store.award_true_report(case, Utc::now()).await.expect("award") })
            })
            .collect();
        for t in tries {
            assert_eq!(t.await.expect("task"), Award::AlreadyPaid);
        }
        let (mut f1, mut f2) = (shiyu::points::Feed::default(), shiyu::points::Feed::default());
        let (a, b) = tokio::join!(
            shiyu::points::catch_up(&app.store, &mut f1, true),
            shiyu::points::catch_up(&app.store, &mut f2, false),
        );
        assert_eq!((a.expect("feed").paid, b.expect("feed").paid), (0, 0));
        assert_eq!(entries_for(&app, &format!("report_true:{id}")).await, 1);
        assert_eq!(balance(&resident).await, 20);

        // The rules are the community's to set: the next true report pays 35. Fired concurrently
        // right after the close, racing the server's own feed: exactly one payment in all.
        set_rules(&app, 35, 10, 5, "100,300,600,1000,1500").await;
        let id2 = close_case(&app, &resident, "井盖缺失", "resolved").await;
        let case2 = CaseId::parse(&id2).expect("id");
        let tries: Vec<_> = (0..10)
            .map(|_| {
                let store = app.store.clone();
                tokio::spawn(async move { store.award_true_report(case2, Utc::now()).await.expect("award") })
            })
            .collect();
        let mut paid = 0;
        for t in tries {
            match t.await.expect("task") {
                Award::Paid { points, .. } => {
                    assert_eq!(points, 35);
                    paid += 1;
                }
                Award::AlreadyPaid => {}
                Award::NotEligible => panic!("a closed, resolved report of a resident is eligible"),
            }
        }
        assert!(paid <= 1, "{engine:?}: paid {paid} times");
        assert_eq!(entries_for(&app, &format!("report_true:{id2}")).await, 1);
        assert_eq!(balance(&resident).await, 55);

        // Merely explained: not a true report. Reported by a grid worker: staff earn nothing.
        let explained = close_case(&app, &resident2, "噪音扰民", "explained").await;
        assert_eq!(
            app.store.award_true_report(CaseId::parse(&explained).expect("id"), Utc::now()).await.expect("award"),
            Award::NotEligible
        );
        let gw = app.client("grid_worker").await;
        let (s, c) = gw
            .post(
                "/api/cases",
                json!({"ledger": "event", "category": app.fx.category, "channel": "grid_worker", "title": "垃圾堆放",
                       "text": "路口垃圾堆放", "area_code": app.fx.grid.as_str()}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        let by_staff = c["case"]["id"].as_str().expect("id").to_owned();
        close(&app, &by_staff, "resolved").await;
        assert_eq!(
            app.store.award_true_report(CaseId::parse(&by_staff).expect("id"), Utc::now()).await.expect("award"),
            Award::NotEligible
        );
        // A case not yet closed earns nothing yet.
        let open = app.new_case(&resident2, &app.fx.grid, "树枝断裂").await;
        assert_eq!(
            app.store.award_true_report(CaseId::parse(&open).expect("id"), Utc::now()).await.expect("award"),
            Award::NotEligible
        );
        shiyu::points::catch_up(&app.store, &mut shiyu::points::Feed::default(), false).await.expect("feed");
        assert_eq!(balance(&resident2).await, 0);
        let books = app.store.points_check().await.expect("check");
        assert!(books.problems.is_empty(), "{engine:?}: {:?}", books.problems);
        // The feed's mark was stored with the payments.
        assert!(app.store.point_feed_mark().await.expect("mark").is_some());
    }
}

#[tokio::test]
async fn points_for_true_reports_start_when_the_feed_is_switched_on() {
    for engine in engines() {
        // No feed in the server: this test runs it by hand.
        let app = TestApp::spawn_with(engine, |c| c.points_feed = false).await;
        let resident = app.client("resident").await;
        let before = close_case(&app, &resident, "开通前的诉求", "resolved").await;
        // The first run on this database starts at the end of the outbox: history is not paid.
        let r = shiyu::points::catch_up(&app.store, &mut shiyu::points::Feed::default(), false).await.expect("feed");
        assert_eq!((r.read, r.paid), (0, 0), "{engine:?}");
        let after = close_case(&app, &resident, "开通后的诉求", "resolved").await;
        let r = shiyu::points::catch_up(&app.store, &mut shiyu::points::Feed::default(), false).await.expect("feed");
        assert_eq!(r.paid, 1, "{engine:?}: the closure after the start is paid");
        assert_eq!(entries_for(&app, &format!("report_true:{after}")).await, 1);
        assert_eq!(entries_for(&app, &format!("report_true:{before}")).await, 0);
        // Once a mark is stored, asking for the whole history changes nothing.
        let r =
            shiyu::points::catch_up(&app.store, &mut shiyu::points::Feed::from_the_start(), false).await.expect("feed");
        assert_eq!(r.paid, 0);
        assert_eq!(balance(&resident).await, 20);
        // A database whose feed never ran, read from its first entry (as the demo does): the
        // earlier closure is paid now, the later one not again.
        sqlx::query("DELETE FROM point_feed").execute(app.store.pool()).await.expect("forget the mark");
        let r =
            shiyu::points::catch_up(&app.store, &mut shiyu::points::Feed::from_the_start(), false).await.expect("feed");
        assert_eq!((r.paid, r.already), (1, 1), "{engine:?}");
        assert_eq!(balance(&resident).await, 40);
        assert_books_whole(&app, &format!("{engine:?} switch-on")).await;
    }
}

/// Fires `n` redemptions at once as `who` and returns each answer.
async fn redeem_many(c: &Client, goods: &str, n: usize) -> Vec<(u16, Value)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let http = c.http.clone();
            let url = format!("{}/api/shop/redemptions", c.base);
            let csrf = c.csrf.clone();
            let body = json!({"goods_id": goods, "quantity": 1});
            tokio::spawn(async move {
                let res = http.post(url).header("x-csrf-token", csrf).json(&body).send().await.expect("send");
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

async fn goods(app: &TestApp, name: &str, price: i64, stock: i64) -> String {
    let op = app.client("operator").await;
    let (s, v) = op
        .post(
            "/api/shop/goods",
            json!({"area_code": app.fx.community.as_str(), "name": name, "price": price, "stock": stock}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().expect("id").to_owned()
}

/// The books, checked with the test's own SQL.
async fn assert_books_whole(app: &TestApp, what: &str) {
    let pool = app.store.pool();
    let one = |sql: &'static str| async move {
        sqlx::query(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}")).get::<i64, _>(0)
    };
    assert_eq!(
        one("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM point_postings").await,
        0,
        "{what}: ledger sum"
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM (SELECT entry_id FROM point_postings GROUP BY entry_id HAVING SUM(amount) <> 0) x")
            .await,
        0,
        "{what}: an unbalanced entry"
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM point_accounts WHERE balance < 0 AND kind <> 'issue'").await,
        0,
        "{what}: a negative balance"
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM point_accounts a WHERE a.balance <> \
             (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM point_postings p WHERE p.account_id = a.id)")
        .await,
        0,
        "{what}: a cached balance differs from its postings"
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM shop_goods g WHERE g.stock < 0 OR g.stock + g.reserved + g.handed <> g.added - g.removed \
             OR g.reserved <> (SELECT CAST(COALESCE(SUM(r.quantity), 0) AS BIGINT) FROM redemptions r WHERE r.goods_id = g.id AND r.state = 'reserved') \
             OR g.handed <> (SELECT CAST(COALESCE(SUM(r.quantity), 0) AS BIGINT) FROM redemptions r WHERE r.goods_id = g.id AND r.state = 'handed_over')")
        .await,
        0,
        "{what}: stock does not add up"
    );
    let check = app.store.points_check().await.expect("check");
    assert!(check.problems.is_empty(), "{what}: {:?}", check.problems);
}

#[tokio::test]
async fn concurrent_redemptions_never_overspend_a_balance_or_oversell_a_scarce_good() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        register(&app, "resident", "13912345678").await;
        register(&app, "resident2", "13800001111").await;
        earn(&app, "resident", 250).await;
        earn(&app, "resident2", 1000).await;
        let resident = app.client("resident").await;
        let resident2 = app.client("resident2").await;
        assert_eq!((balance(&resident).await, balance(&resident2).await), (250, 1000));

        // One account, plenty of stock: 25 redemptions of 30 points race for 250 points. Exactly
        // eight win; the others are refused naming the quantity; 10 points are left.
        let soap = goods(&app, "肥皂", 30, 100).await;
        let answers = redeem_many(&resident, &soap, 25).await;
        let won: Vec<&Value> = answers.iter().filter(|(s, _)| *s == 201).map(|(_, v)| v).collect();
        assert_eq!(won.len(), 8, "{engine:?}: {answers:?}");
        for (s, v) in answers.iter().filter(|(s, _)| *s != 201) {
            assert_eq!(*s, 422, "{v}");
            assert_eq!(v["error"]["field"], "quantity", "{v}");
            assert_eq!(v["error"]["reason"], "exceeds_balance", "{v}");
            assert!(v["error"]["message"].as_str().unwrap_or_default().contains("积分"), "{v}");
        }
        assert_eq!(balance(&resident).await, 10);

        // One scarce good: five on the shelf, twenty hands reaching for it at once from two
        // accounts (the first can afford one more). Exactly five are sold.
        let helmet = goods(&app, "头盔", 10, 5).await;
        let (a, b) = tokio::join!(redeem_many(&resident2, &helmet, 15), redeem_many(&resident, &helmet, 5));
        let all: Vec<&(u16, Value)> = a.iter().chain(b.iter()).collect();
        let sold: Vec<&Value> = all.iter().filter(|(s, _)| *s == 201).map(|(_, v)| v).collect();
        assert_eq!(sold.len(), 5, "{engine:?}: {all:?}");
        assert!(b.iter().filter(|(s, _)| *s == 201).count() <= 1, "the first resident had points for one");
        for (s, v) in all.iter().filter(|(s, _)| *s != 201) {
            assert_eq!((*s, &v["error"]["field"]), (422, &json!("quantity")), "{v}");
        }

        // Every acknowledged redemption is there with its code and price, and nothing else is.
        let acknowledged: Vec<&Value> = won.iter().chain(sold.iter()).copied().collect();
        let rows: i64 =
            sqlx::query("SELECT COUNT(*) FROM redemptions").fetch_one(app.store.pool()).await.expect("count").get(0);
        assert_eq!(rows, acknowledged.len() as i64);
        for v in &acknowledged {
            let id = v["redemption"]["id"].as_str().expect("id");
            let r = sqlx::query("SELECT points, pickup_code, state FROM redemptions WHERE id = $1")
                .bind(id)
                .fetch_one(app.store.pool())
                .await
                .expect("acknowledged redemption is stored");
            assert_eq!(r.get::<i64, _>("points"), v["redemption"]["points"].as_i64().expect("points"));
            assert_eq!(r.get::<String, _>("pickup_code"), v["redemption"]["pickup_code"].as_str().expect("code"));
            assert_eq!(r.get::<String, _>("state"), "reserved");
        }
        assert_books_whole(&app, &format!("{engine:?} after the rush")).await;

        // At the counter and at home at once: the operator hands over three of the soap (with
        // their codes) while the resident cancels the other five and tries five more redemptions.
        let op = app.client("operator").await;
        let mut tasks = Vec::new();
        for (i, v) in won.iter().enumerate() {
            let id = v["redemption"]["id"].as_str().expect("id").to_owned();
            let code = v["redemption"]["pickup_code"].as_str().expect("code").to_owned();
            let (c, body) = if i < 3 {
                (&op, json!({"move": "hand_over", "code": code}))
            } else {
                (&resident, json!({"move": "cancel", "reason": "不要了"}))
            };
            let (http, base, csrf) = (c.http.clone(), c.base.clone(), c.csrf.clone());
            tasks.push(tokio::spawn(async move {
                let res = http
                    .post(format!("{base}/api/shop/redemptions/{id}/moves"))
                    .header("x-csrf-token", csrf)
                    .json(&body)
                    .send()
                    .await
                    .expect("send");
                res.status().as_u16()
            }));
        }
        let more = redeem_many(&resident, &soap, 5).await;
        for t in tasks {
            assert_eq!(t.await.expect("task"), 200);
        }
        let extra = more.iter().filter(|(s, _)| *s == 201).count() as i64;
        // 10 left + 5 refunds of 30 = 160, less what the five tries took (each 30, at most five).
        assert_eq!(balance(&resident).await, 10 + 150 - 30 * extra - sold_by(&b));
        assert_books_whole(&app, &format!("{engine:?} after the counter")).await;

        // A refund is the mirror of its redemption: the same accounts, the amounts negated.
        let cancelled = won[3]["redemption"]["id"].as_str().expect("id");
        let postings = |kind: &'static str| {
            let pool = app.store.pool().clone();
            let id = cancelled.to_owned();
            async move {
                let rows = sqlx::query(
                    "SELECT p.account_id, p.amount FROM point_postings p JOIN point_entries e ON e.id = p.entry_id \
                     WHERE e.ref_id = $1 AND e.kind = $2 ORDER BY p.account_id",
                )
                .bind(id)
                .bind(kind)
                .fetch_all(&pool)
                .await
                .expect("postings");
                rows.iter().map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1))).collect::<BTreeMap<_, _>>()
            }
        };
        let (redeem, refund) = (postings("redeem").await, postings("refund").await);
        assert_eq!(redeem.len(), 2);
        assert_eq!(redeem.iter().map(|(k, v)| (k.clone(), -v)).collect::<BTreeMap<_, _>>(), refund);

        // Handing over twice, or after a cancel, is refused by the state and changes nothing.
        let first = won[0]["redemption"]["id"].as_str().expect("id");
        let code = won[0]["redemption"]["pickup_code"].as_str().expect("code");
        let (s, v) =
            op.post(&format!("/api/shop/redemptions/{first}/moves"), json!({"move": "hand_over", "code": code})).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (409, Some("redemption_is_handed_over")), "{v}");
        let (s, v) = resident
            .post(&format!("/api/shop/redemptions/{cancelled}/moves"), json!({"move": "cancel", "reason": "再取消"}))
            .await;
        assert_eq!((s, v["error"]["rule"].as_str()), (409, Some("redemption_is_cancelled")), "{v}");
        assert_books_whole(&app, &format!("{engine:?} at the end")).await;
    }
}

fn sold_by(answers: &[(u16, Value)]) -> i64 {
    answers.iter().filter(|(s, _)| *s == 201).map(|(_, v)| v["redemption"]["points"].as_i64().unwrap_or(0)).sum()
}

/// Counts and sums a refusal must leave as they were.
async fn points_state(app: &TestApp) -> String {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM volunteers",
        "SELECT COUNT(*) FROM volunteer_teams",
        "SELECT COUNT(*) FROM team_members",
        "SELECT COUNT(*) FROM activities",
        "SELECT COUNT(*) FROM activity_signups",
        "SELECT COUNT(*) FROM attendance",
        "SELECT COUNT(*) FROM point_entries",
        "SELECT COUNT(*) FROM point_postings",
        "SELECT COUNT(*) FROM point_rules",
        "SELECT COUNT(*) FROM shop_goods",
        "SELECT COUNT(*) FROM stock_changes",
        "SELECT COUNT(*) FROM redemptions",
        "SELECT CAST(COALESCE(SUM(signed_up), 0) AS BIGINT) FROM activities",
        "SELECT CAST(COALESCE(SUM(service_minutes), 0) AS BIGINT) FROM volunteers",
        "SELECT CAST(COALESCE(SUM(stock * 1000 + reserved), 0) AS BIGINT) FROM shop_goods",
        "SELECT CAST(COALESCE(SUM(CASE WHEN balance > 0 THEN balance ELSE 0 END), 0) AS BIGINT) FROM point_accounts",
    ] {
        let n: i64 = sqlx::query(sql).fetch_one(app.store.pool()).await.expect(sql).get(0);
        out.push(format!("{sql} = {n}"));
    }
    let states: Vec<String> = sqlx::query("SELECT id, state FROM activities ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .expect("states")
        .iter()
        .map(|r| format!("{}={}", r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect();
    out.push(states.join(","));
    out.join("\n")
}

#[tokio::test]
async fn volunteering_pays_hours_points_and_stars_once_per_attendance() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let resident2 = app.client("resident2").await;
        let op = app.client("operator").await;

        // Registration needs consent; the phone is kept sealed and shown masked.
        let (s, v) = resident
            .post(
                "/api/volunteers",
                json!({"name": "王芳", "phone": "13912345678", "area_code": app.fx.community.as_str(), "consent": false}),
            )
            .await;
        assert_eq!((s, &v["error"]["field"]), (422, &json!("consent")), "{v}");
        let me = register(&app, "resident", "13912345678").await;
        assert_eq!(me["phone_masked"], "139****5678");
        let sealed: String =
            sqlx::query("SELECT phone_sealed FROM volunteers").fetch_one(app.store.pool()).await.expect("row").get(0);
        assert!(!sealed.contains("13912345678"), "sealed at rest");
        let (s, v) = resident
            .post(
                "/api/volunteers",
                json!({"name": "王芳", "phone": "13912345678", "area_code": app.fx.community.as_str(), "consent": true}),
            )
            .await;
        assert_eq!((s, &v["error"]["code"]), (409, &json!("duplicate")), "{v}");
        register(&app, "resident2", "13800001111").await;
        let vid = me["id"].as_str().expect("id").to_owned();

        // Staff see their area's volunteers, phones masked; residents and other streets do not.
        let (s, list) = op.get("/api/volunteers").await;
        assert_eq!(s, 200);
        assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
        assert!(!list.to_string().contains("13912345678") && list.to_string().contains("139****5678"));
        assert_eq!(resident.get("/api/volunteers").await.0, 403);
        let (_, other) = app.client("operator2").await.get("/api/volunteers").await;
        assert_eq!(other, json!([]), "another street's operator sees none");

        // Rules: stars at 1, 2, 3, 4, 5 hours; 12 points an hour; 7 for attending a meeting.
        set_rules(&app, 20, 12, 7, "1,2,3,4,5").await;
        let (s, t) =
            op.post("/api/teams", json!({"name": "东门志愿服务队", "area_code": app.fx.community.as_str()})).await;
        assert_eq!(s, 201, "{t}");
        let team = t["id"].as_str().expect("id");
        let (s, t) = op.post(&format!("/api/teams/{team}/members"), json!({"volunteer_id": vid})).await;
        assert_eq!((s, t["members"].as_array().map(Vec::len)), (200, Some(1)), "{t}");

        // One place: the first takes it, the second is refused, nothing written.
        let service = activity_now(&app, "service", 1).await;
        let mv = |id: &str| format!("/api/activities/{id}/moves");
        let (s, v) = resident.post(&mv(&service), json!({"move": "sign_up"})).await;
        assert_eq!((s, v["activity"]["state"].as_str()), (200, Some("full")), "{v}");
        let before = points_state(&app).await;
        let (s, v) = resident2.post(&mv(&service), json!({"move": "sign_up"})).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (409, Some("activity_full")), "{v}");
        let (s, v) = resident.post(&mv(&service), json!({"move": "withdraw"})).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (409, Some("activity_started")), "{v}");
        // Attendance of someone not signed up, or longer than the activity: refused by name.
        let v2 = resident2.get("/api/volunteers/me").await.1["volunteer"]["id"].as_str().expect("id").to_owned();
        let (s, v) = op.post(&mv(&service), json!({"move": "attend", "volunteer_id": v2})).await;
        assert_eq!(
            (s, v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
            (422, Some("volunteer"), Some("not_signed_up"))
        );
        let (s, v) = op.post(&mv(&service), json!({"move": "attend", "volunteer_id": vid, "minutes": 121})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("minutes")), "{v}");
        // Residents do not record attendance.
        let (s, _) = resident.post(&mv(&service), json!({"move": "attend", "volunteer_id": vid})).await;
        assert_eq!(s, 403);
        assert_eq!(points_state(&app).await, before, "refusals changed nothing");

        // Recorded ten times at once: paid once — 90 minutes at 12 an hour is 18 points.
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (http, url, csrf) = (op.http.clone(), format!("{}{}", op.base, mv(&service)), op.csrf.clone());
                let body = json!({"move": "attend", "volunteer_id": vid, "minutes": 90});
                tokio::spawn(async move {
                    http.post(url)
                        .header("x-csrf-token", csrf)
                        .json(&body)
                        .send()
                        .await
                        .expect("send")
                        .status()
                        .as_u16()
                })
            })
            .collect();
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.expect("task"));
        }
        assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{engine:?}: {codes:?}");
        assert!(codes.iter().all(|c| matches!(c, 200 | 422 | 409)), "{codes:?}");
        assert_eq!(balance(&resident).await, 18);
        let (_, mine) = resident.get("/api/volunteers/me").await;
        assert_eq!(mine["volunteer"]["service_minutes"], 90);
        assert_eq!(mine["volunteer"]["hours"], "1.5");
        assert_eq!(mine["volunteer"]["stars"], 1, "{mine}");
        assert_eq!(mine["activities"][0][1]["points"], 18, "{mine}");

        // A meeting pays attendance points and no service hours.
        let meeting = activity_now(&app, "meeting", 30).await;
        resident.post(&mv(&meeting), json!({"move": "sign_up"})).await;
        let (s, _) = op.post(&mv(&meeting), json!({"move": "attend", "volunteer_id": vid})).await;
        assert_eq!(s, 200);
        assert_eq!(balance(&resident).await, 25);
        assert_eq!(resident.get("/api/volunteers/me").await.1["volunteer"]["service_minutes"], 90);

        // Closing ends attendance; afterwards the activity refuses, naming its state.
        let (s, v) = op.post(&mv(&service), json!({"move": "close"})).await;
        assert_eq!((s, v["activity"]["state"].as_str()), (200, Some("closed")), "{v}");
        let (s, v) = op.post(&mv(&service), json!({"move": "attend", "volunteer_id": vid})).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (409, Some("activity_is_closed")), "{v}");
        assert!(v["error"]["message"].as_str().unwrap_or_default().contains("活动已结束"), "{v}");

        // Another street's operator cannot see or manage the activity, nor plan one here.
        let op2 = app.client("operator2").await;
        assert_eq!(op2.get(&format!("/api/activities/{meeting}")).await.0, 404);
        assert_eq!(op2.post(&mv(&meeting), json!({"move": "attend", "volunteer_id": vid})).await.0, 404);
        let now = Utc::now();
        let (s, v) = op2
            .post(
                "/api/activities",
                json!({"title": "越界", "place": "x", "kind": "service", "area_code": app.fx.community.as_str(),
                       "starts_at": now.to_rfc3339(), "ends_at": (now + chrono::Duration::hours(1)).to_rfc3339(), "capacity": 3}),
            )
            .await;
        assert_eq!((s, v["error"]["reason"].as_str()), (422, Some("outside_scope")), "{v}");
        // A resident sees the meeting as a public notice, without who else signed up.
        let (s, v) = resident2.get(&format!("/api/activities/{meeting}")).await;
        assert_eq!((s, v["signups"].as_array().map(Vec::len)), (200, Some(0)), "{v}");
        assert_books_whole(&app, &format!("{engine:?} volunteering")).await;
    }
}

#[tokio::test]
async fn refusals_name_the_field_in_the_users_language_and_change_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        register(&app, "resident", "13912345678").await;
        earn(&app, "resident", 40).await;
        let soap = goods(&app, "肥皂", 30, 1).await;
        let resident = app.client("resident").await;
        let resident2 = app.client("resident2").await;
        let op = app.client("operator").await;
        let (s, r) = resident.post("/api/shop/redemptions", json!({"goods_id": soap, "quantity": 1})).await;
        assert_eq!(s, 201, "{r}");
        let rid = r["redemption"]["id"].as_str().expect("id").to_owned();
        let community = app.fx.community.as_str();
        let street = app.fx.street.as_str();
        let now = Utc::now();
        let t = |h: i64| (now + chrono::Duration::hours(h)).to_rfc3339();
        // (who, path, body, status, field, reason)
        let cases: Vec<(&Client, String, Value, u16, &str, &str)> = vec![
            (
                &resident2,
                "/api/volunteers".into(),
                json!({"name": "李", "phone": "12345", "area_code": community, "consent": true}),
                422,
                "phone",
                "not_a_phone_number",
            ),
            (
                &resident2,
                "/api/volunteers".into(),
                json!({"name": "李", "phone": "13800001111", "area_code": street, "consent": true}),
                422,
                "area_code",
                "not_a_community",
            ),
            (
                &resident2,
                "/api/volunteers".into(),
                json!({"name": " ", "phone": "13800001111", "area_code": community, "consent": true}),
                422,
                "name",
                "required",
            ),
            (
                &op,
                "/api/activities".into(),
                json!({"title": "x", "place": "y", "kind": "service", "area_code": community, "starts_at": t(2), "ends_at": t(1), "capacity": 5}),
                422,
                "ends_at",
                "not_after_start",
            ),
            (
                &op,
                "/api/activities".into(),
                json!({"title": "x", "place": "y", "kind": "party", "area_code": community, "starts_at": t(1), "ends_at": t(2), "capacity": 5}),
                422,
                "activity_kind",
                "unknown_value",
            ),
            (
                &op,
                "/api/activities".into(),
                json!({"title": "x", "place": "y", "kind": "service", "area_code": community, "starts_at": "明天", "ends_at": t(2), "capacity": 5}),
                422,
                "starts_at",
                "not_a_time",
            ),
            (
                &op,
                "/api/activities".into(),
                json!({"title": "x", "place": "y", "kind": "service", "area_code": community, "starts_at": t(1), "ends_at": t(2), "capacity": 0}),
                422,
                "capacity",
                "out_of_range",
            ),
            (
                &op,
                "/api/activities".into(),
                json!({"title": "x", "place": "y", "kind": "service", "area_code": app.fx.grid.as_str(), "starts_at": t(1), "ends_at": t(2), "capacity": 5}),
                422,
                "area_code",
                "below_community_level",
            ),
            (
                &op,
                "/api/shop/goods".into(),
                json!({"area_code": community, "name": "米", "price": 0, "stock": 3}),
                422,
                "price",
                "must_be_positive",
            ),
            (
                &op,
                "/api/shop/goods".into(),
                json!({"area_code": community, "name": "米", "price": "十", "stock": 3}),
                422,
                "price",
                "not_a_whole_number",
            ),
            (
                &op,
                "/api/shop/goods".into(),
                json!({"area_code": community, "name": "米", "price": 10, "stock": -3}),
                422,
                "stock",
                "negative",
            ),
            (
                &op,
                format!("/api/shop/goods/{soap}/stock"),
                json!({"delta": -5, "reason": "损坏"}),
                422,
                "stock",
                "exceeds_stock",
            ),
            (
                &op,
                format!("/api/shop/goods/{soap}/stock"),
                json!({"delta": 5, "reason": ""}),
                422,
                "reason",
                "required",
            ),
            (
                &op,
                "/api/points/rules".into(),
                json!({"area_code": community, "report_true": 10, "per_service_hour": 10, "attendance": 5, "star_hours": "100,50,600,1000,1500"}),
                422,
                "star_hours",
                "not_increasing",
            ),
            (
                &op,
                "/api/points/rules".into(),
                json!({"area_code": community, "report_true": -1, "per_service_hour": 10, "attendance": 5, "star_hours": "1,2,3,4,5"}),
                422,
                "report_true",
                "negative",
            ),
            (
                &op,
                "/api/points/rules".into(),
                json!({"area_code": community, "report_true": 1, "per_service_hour": 10, "attendance": 99999, "star_hours": "1,2,3,4,5"}),
                422,
                "attendance",
                "out_of_range",
            ),
            (
                &resident,
                "/api/shop/redemptions".into(),
                json!({"goods_id": soap, "quantity": 1}),
                422,
                "quantity",
                "exceeds_stock",
            ),
            (
                &resident,
                "/api/shop/redemptions".into(),
                json!({"goods_id": soap, "quantity": 0}),
                422,
                "quantity",
                "must_be_positive",
            ),
            (
                &resident,
                "/api/shop/redemptions".into(),
                json!({"goods_id": "x", "quantity": 1}),
                422,
                "goods",
                "not_a_uuid",
            ),
            (
                &op,
                format!("/api/shop/redemptions/{rid}/moves"),
                json!({"move": "hand_over", "code": "00000000"}),
                422,
                "pickup_code",
                "does_not_match",
            ),
            (
                &op,
                format!("/api/shop/redemptions/{rid}/moves"),
                json!({"move": "hand_over", "code": "12ab"}),
                422,
                "pickup_code",
                "not_a_pickup_code",
            ),
            (
                &resident,
                format!("/api/shop/redemptions/{rid}/moves"),
                json!({"move": "cancel", "reason": ""}),
                422,
                "reason",
                "required",
            ),
        ];
        let before = points_state(&app).await;
        for (who, path, body, status, field, reason) in &cases {
            let (s, v) = who.post(path, body.clone()).await;
            assert_eq!(
                (s, v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
                (*status, Some(*field), Some(*reason)),
                "{engine:?} {path} {body}: {v}"
            );
            let message = v["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.starts_with('“') && !message.contains(field),
                "a Chinese message naming the field: {message}"
            );
        }
        assert_eq!(points_state(&app).await, before, "{engine:?}: a refusal changed something");
        // The same refusal in English names the field in English.
        let (_, v) = resident
            .post_with("/api/shop/redemptions", json!({"goods_id": soap, "quantity": 1}), &[("accept-language", "en")])
            .await;
        assert_eq!(v["error"]["message"], "The quantity is more than is in stock.", "{v}");
        // Scope: another resident cannot touch this redemption, another street cannot hand it over.
        assert_eq!(
            resident2
                .post(&format!("/api/shop/redemptions/{rid}/moves"), json!({"move": "cancel", "reason": "x"}))
                .await
                .0,
            404
        );
        let code = r["redemption"]["pickup_code"].as_str().expect("code");
        let op2 = app.client("operator2").await;
        assert_eq!(
            op2.post(&format!("/api/shop/redemptions/{rid}/moves"), json!({"move": "hand_over", "code": code})).await.0,
            404
        );
        assert_eq!(
            resident
                .post(&format!("/api/shop/redemptions/{rid}/moves"), json!({"move": "hand_over", "code": code}))
                .await
                .0,
            403
        );
        assert_eq!(points_state(&app).await, before);
        // Staff never see the code; the resident does.
        let (_, staff) = op.get("/api/shop/redemptions?state=reserved").await;
        assert!(!staff.to_string().contains(code) && staff[0]["pickup_code"].is_null(), "{staff}");
        let (_, own) = resident.get("/api/shop/redemptions").await;
        assert_eq!(own[0]["pickup_code"], code);
        // The same request id twice is one redemption (10 points left; tissues cost 5).
        let (s, _) = op.post(&format!("/api/shop/goods/{soap}/stock"), json!({"delta": 3, "reason": "到货"})).await;
        assert_eq!(s, 200);
        let tissues = goods(&app, "抽纸", 5, 3).await;
        let body = json!({"goods_id": tissues, "quantity": 1, "request_id": "form-7"});
        let (s1, a) = resident.post("/api/shop/redemptions", body.clone()).await;
        let (s2, b) = resident.post("/api/shop/redemptions", body).await;
        assert_eq!((s1, s2), (201, 200), "{a} {b}");
        assert_eq!(a["redemption"]["id"], b["redemption"]["id"]);
        assert_eq!(b["repeated"], true);
        assert_eq!(balance(&resident).await, 5, "paid once");
        assert_books_whole(&app, &format!("{engine:?} refusals")).await;
    }
}
