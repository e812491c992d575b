//! Many clients at once through the group commit: every acknowledged registration and move is
//! there, refused ones left nothing (not even counter amounts), histories verify and every
//! counter equals a rebuild from the histories.

use serde_json::json;

use crate::common::{TestApp, engines};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_intake_and_moves_with_refusals_keep_counters_equal_to_the_histories() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let dept = app.fx.dept.id.to_string();
        let mut tasks = Vec::new();
        for w in 0..12 {
            let operator = app.client("operator").await;
            let category = app.fx.category.clone();
            let grids = [app.fx.grid.to_string(), app.fx.grid_b.to_string()];
            let dept = dept.clone();
            tasks.push(tokio::spawn(async move {
                let (mut acknowledged, mut refused) = (Vec::new(), 0);
                for i in 0..15 {
                    // Every fifth asks for a category that does not exist: refused inside the batch.
                    let cat = if i % 5 == 4 { "no.such.category".to_owned() } else { category.clone() };
                    let (s, body) = operator
                        .post(
                            "/api/cases",
                            json!({"ledger": "complaint", "category": cat, "channel": "hotline",
                                   "title": format!("路灯不亮 {w}-{i}"), "text": "夜间无照明，请维修。",
                                   "area_code": grids[i % 2]}),
                        )
                        .await;
                    if s != 201 {
                        assert_eq!((s, body["error"]["field"].as_str()), (422, Some("category")), "{body}");
                        refused += 1;
                        continue;
                    }
                    let id = body["case"]["id"].as_str().expect("id").to_owned();
                    let path = format!("/api/cases/{id}/moves");
                    let (s, _) = operator.post(&path, json!({"move": "accept", "note": ""})).await;
                    assert_eq!(s, 200);
                    // Every third is dispatched; its second dispatch is refused (not allowed now).
                    let mut state = "accepted";
                    if i % 3 == 0 {
                        let mv = json!({"move": "dispatch", "lead": dept, "co": [], "note": ""});
                        assert_eq!(operator.post(&path, mv.clone()).await.0, 200);
                        assert_eq!(operator.post(&path, mv).await.0, 409);
                        state = "dispatched";
                    }
                    acknowledged.push((id, state));
                }
                (acknowledged, refused)
            }));
        }
        let mut acknowledged = Vec::new();
        let mut refused = 0;
        for t in tasks {
            let (a, r) = t.await.expect("client task");
            acknowledged.extend(a);
            refused += r;
        }
        assert_eq!((acknowledged.len(), refused), (12 * 12, 12 * 3), "{engine:?}");
        let admin = app.client("city_operator").await;
        for (id, state) in &acknowledged {
            let (s, body) = admin.get(&format!("/api/cases/{id}")).await;
            assert_eq!((s, body["case"]["state"].as_str()), (200, Some(*state)), "{engine:?} {id}");
        }
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM cases").fetch_one(app.store.pool()).await.expect("count");
        assert_eq!(n as usize, acknowledged.len(), "{engine:?}: refused registrations left rows");
        let v = app.store.verify_histories().await.expect("verify");
        assert!(v.findings.is_empty(), "{engine:?}: {:?}", v.findings);
        let r = app.store.rebuild_counters(false).await.expect("rebuild");
        assert_eq!((r.different, r.count_differences.len()), (0, 0), "{engine:?}: {:?}", r.differences);
        assert_eq!(r.cases as usize, acknowledged.len());
    }
}

/// Cases with and without a point, alternating from many clients, so that every pooled
/// connection sees both: on PostgreSQL a missing coordinate once poisoned the connection's cached
/// statement for the next case with one (see `storage::sql::Float`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_with_and_without_a_point_share_every_connection() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let mut tasks = Vec::new();
        for w in 0..8 {
            let operator = app.client("operator").await;
            let (category, grid) = (app.fx.category.clone(), app.fx.grid.to_string());
            tasks.push(tokio::spawn(async move {
                let mut placed = Vec::new();
                for i in 0..12 {
                    let mut body = json!({"ledger": "demand", "category": category, "channel": "web",
                                          "title": format!("井盖破损 {w}-{i}"), "text": "人行道井盖破损。", "area_code": grid});
                    let point = ((w + i) % 2 == 0).then(|| (113.01 + f64::from(i) * 0.001, 28.1 + f64::from(w) * 0.001));
                    if let Some((lon, lat)) = point {
                        body["location"] = json!({"lon": lon, "lat": lat});
                    }
                    let (s, case) = operator.post("/api/cases", body).await;
                    assert_eq!(s, 201, "{case}");
                    placed.push((case["case"]["id"].as_str().expect("id").to_owned(), point));
                }
                placed
            }));
        }
        let admin = app.client("city_operator").await;
        for t in tasks {
            for (id, point) in t.await.expect("client") {
                let (_, body) = admin.get(&format!("/api/cases/{id}")).await;
                let stored = body["case"]["location"].as_object().map(|p| (p["lon"].as_f64(), p["lat"].as_f64()));
                assert_eq!(stored, point.map(|(lon, lat)| (Some(lon), Some(lat))), "{engine:?} {id}");
            }
        }
    }
}
