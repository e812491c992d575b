//! Reporter notices leave through the outbox to a gateway, in order, once each.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::routing::post;
use serde_json::{Value, json};

use crate::common::{TestApp, engines};

#[tokio::test]
async fn sms_notices_are_delivered_in_order_and_only_once() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let got: Arc<Mutex<Vec<Value>>> = Arc::default();
        let fail = Arc::new(Mutex::new(true));
        let (g, f) = (got.clone(), fail.clone());
        let gateway = axum::Router::new().route(
            "/sms",
            post(move |Json(v): Json<Value>| {
                let (g, f) = (g.clone(), f.clone());
                async move {
                    if *f.lock().expect("lock") {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    g.lock().expect("lock").push(v);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, gateway).await });

        let operator = app.client("operator").await;
        let mut numbers = Vec::new();
        for (title, phone) in [("停电", "13700007777"), ("停水", "13700008888")] {
            let (s, v) = operator
                .post(
                    "/api/cases",
                    json!({"ledger": "demand", "category": app.fx.category, "channel": "hotline", "title": title,
                           "text": "整栋楼受影响", "area_code": app.fx.grid.as_str(), "reporter": "contact",
                           "contact": {"name": "钱女士", "phone": phone}}),
                )
                .await;
            assert_eq!(s, 201);
            numbers.push((v["case"]["id"].as_str().expect("id").to_owned(), phone));
        }
        // Accepted in reverse order of registration: delivery follows the order of the notices.
        for (id, _) in numbers.iter().rev() {
            operator.ok_mv(id, json!({"move": "accept", "note": ""})).await;
        }
        let sender = shiyu::notify::WebhookSms::new(&format!("http://{addr}/sms"));
        // Gateway down: nothing is lost, nothing marked delivered.
        assert_eq!(shiyu::notify::deliver_pending(&app.store, &sender, 50).await.expect("deliver"), 0);
        assert_eq!(app.store.pending_outbox("reporter.sms", 50).await.expect("pending").len(), 2);
        *fail.lock().expect("lock") = false;
        assert_eq!(shiyu::notify::deliver_pending(&app.store, &sender, 50).await.expect("deliver"), 2);
        assert_eq!(shiyu::notify::deliver_pending(&app.store, &sender, 50).await.expect("deliver"), 0, "once");
        let got = got.lock().expect("lock").clone();
        let phones: Vec<&str> = got.iter().map(|m| m["phone"].as_str().unwrap_or("")).collect();
        assert_eq!(phones, ["13700008888", "13700007777"]);
        assert!(got.iter().all(|m| m["text"].as_str().is_some_and(|t| t.contains("已受理"))), "{got:?}");
        assert_ne!(got[0]["key"], got[1]["key"], "each message has its own idempotency key");
    }
}
