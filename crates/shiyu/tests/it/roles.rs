//! Every role against every route: allowed or refused, and never data outside its scope.

use serde_json::{Value, json};

use crate::common::{ACCOUNTS as WHO, TestApp, engines};

fn role_of(who: &str) -> &str {
    match who {
        "resident" | "resident2" => "resident",
        "grid_worker" => "grid_worker",
        "handler" | "handler2" => "handler",
        w if w.contains("operator") => "operator",
        w if w.contains("leader") => "leader",
        "village_mediator" => "mediator",
        w => w,
    }
}

#[tokio::test]
async fn every_role_against_every_route() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        // A case in street 1, reported by `resident`, dispatched to `dept` (not `dept2`).
        let resident = app.client("resident").await;
        let id = app.new_case(&resident, &app.fx.grid, "角色矩阵").await;
        let operator = app.client("operator").await;
        operator.ok_mv(&id, json!({"move": "accept", "note": ""})).await;
        operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        let sees_case = |who: &str| {
            matches!(
                who,
                "resident"
                    | "grid_worker"
                    | "operator"
                    | "district_operator"
                    | "city_operator"
                    | "handler"
                    | "leader"
                    | "district_leader"
                    | "mediator"
                    | "village_mediator"
                    | "analyst"
                    | "admin"
            )
        };

        let anon = app.anonymous();
        for path in [
            "/api/me",
            "/api/search?q=x",
            "/api/cases",
            &format!("/api/cases/{id}"),
            "/api/board/overdue",
            "/api/notifications",
            "/api/users",
            "/api/admin/webhooks",
            "/api/admin/webhooks/dead",
        ] {
            assert_eq!(anon.get(path).await.0, 401, "anonymous {path}");
        }

        // Full-text search sees the case once the index has caught up with the dispatch.
        let admin = app.client("admin").await;
        let started = std::time::Instant::now();
        loop {
            let (_, v) = admin.get("/api/search?q=%E8%A7%92%E8%89%B2%E7%9F%A9%E9%98%B5").await;
            if v["hits"]
                .as_array()
                .is_some_and(|h| h.iter().any(|h| h["id"] == id.as_str() && h["state"] == "dispatched"))
            {
                break;
            }
            assert!(started.elapsed().as_secs() < 20, "search index never caught up: {v}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let mut n = 0;
        for who in WHO {
            let c = app.client(who).await;
            let role = role_of(who);
            let is = |roles: &[&str]| roles.contains(&role);
            let check = |route: &str, got: u16, want: u16| {
                assert_eq!(got, want, "{engine:?} {who} ({role}) {route}");
            };
            // Reads of the one case, its history, and lists: exactly the scoped ones see it.
            let want = if sees_case(who) { 200 } else { 404 };
            check("GET case", c.get(&format!("/api/cases/{id}")).await.0, want);
            check("GET events", c.get(&format!("/api/cases/{id}/events")).await.0, want);
            let (s, list) = c.get("/api/cases?limit=500").await;
            check("GET cases", s, 200);
            let listed = list["items"].as_array().expect("items").iter().any(|i| i["id"] == id.as_str());
            assert_eq!(listed, sees_case(who), "{who} list visibility");
            let (s, found) = c.get("/api/search?q=%E8%A7%92%E8%89%B2%E7%9F%A9%E9%98%B5").await;
            check("GET search", s, 200);
            let found = found["hits"].as_array().expect("hits").iter().any(|h| h["id"] == id.as_str());
            assert_eq!(found, sees_case(who), "{who} search visibility");
            let (_, by_state) = c.get("/api/board/summary").await;
            let counted: i64 =
                by_state["by_state"].as_array().expect("by_state").iter().map(|p| p[1].as_i64().unwrap_or(0)).sum();
            assert_eq!(counted > 0, sees_case(who), "{who} board counts only scope: {by_state}");
            check("GET board overdue", c.get("/api/board/overdue").await.0, 200);
            check("GET me", c.get("/api/me").await.0, 200);
            check("GET notifications", c.get("/api/notifications").await.0, 200);
            check("GET categories", c.get("/api/categories").await.0, 200);
            check("GET areas", c.get("/api/areas").await.0, 200);
            for path in ["/api/map/areas", "/api/map/cases", "/api/map/cameras"] {
                check(path, c.get(path).await.0, if is(&["resident"]) { 403 } else { 200 });
            }
            check("GET orgs", c.get("/api/orgs").await.0, if is(&["resident"]) { 403 } else { 200 });
            check("GET users", c.get("/api/users").await.0, if is(&["admin"]) { 200 } else { 403 });

            // Intake in street 1: residents, grid workers of the grid, operators and leaders whose
            // area covers it. Others are refused (403 by role, 409 outside scope).
            let (s, _) = c
                .post(
                    "/api/cases",
                    json!({"ledger": "suggestion", "category": app.fx.category, "channel": if role == "resident" { "web" } else { "walk_in" },
                           "title": "矩阵", "text": "矩阵", "area_code": app.fx.grid.as_str()}),
                )
                .await;
            let want = match who {
                "resident" | "resident2" | "grid_worker" | "operator" | "district_operator" | "city_operator"
                | "leader" | "district_leader" => 201,
                "operator2" | "leader2" => 409,
                _ => 403,
            };
            check("POST cases", s, want);

            // Administration.
            n += 1;
            let area = format!("4399010010{:02}", 10 + n);
            check(
                "POST areas",
                c.post("/api/areas", json!({"code": area, "name": format!("新社区{n}")})).await.0,
                if is(&["admin"]) { 201 } else { 403 },
            );
            check(
                "POST orgs",
                c.post(
                    "/api/orgs",
                    json!({"name": format!("单位{n}"), "kind": "department", "area_code": app.fx.district.as_str()}),
                )
                .await
                .0,
                if is(&["admin"]) { 201 } else { 403 },
            );
            check(
                "POST categories",
                c.post(
                    "/api/categories",
                    json!({"code": format!("urban.new{n}"), "name_zh": "新分类", "name_en": "New"}),
                )
                .await
                .0,
                if is(&["admin"]) { 204 } else { 403 },
            );
            check(
                "POST users",
                c.post(
                    "/api/users",
                    json!({"username": format!("new_user_{n}"), "name": "新用户", "role": "operator", "password": "long-enough-pw",
                           "area_code": app.fx.street.as_str()}),
                )
                .await
                .0,
                if is(&["admin"]) { 201 } else { 403 },
            );
            check(
                "POST tokens",
                c.post("/api/tokens", json!({"label": "client"})).await.0,
                if is(&["resident"]) { 403 } else { 201 },
            );
            // Webhook administration: administrators only.
            let admin_only = |ok: u16| if is(&["admin"]) { ok } else { 403 };
            check("GET webhooks", c.get("/api/admin/webhooks").await.0, admin_only(200));
            check("GET dead letters", c.get("/api/admin/webhooks/dead").await.0, admin_only(200));
            // Open311 administration: administrators only.
            check("GET open311 clients", c.get("/api/admin/open311/clients").await.0, admin_only(200));
            check(
                "POST open311 client",
                c.post("/api/admin/open311/clients", json!({"name": format!("应用{n}")})).await.0,
                admin_only(201),
            );
            let attrs = format!("/api/admin/services/{}/attributes", app.fx.category);
            check("GET service attributes", c.get(&attrs).await.0, admin_only(200));
            check(
                "POST webhooks",
                c.post(
                    "/api/admin/webhooks",
                    json!({"name": format!("平台{n}"), "url": "http://127.0.0.1:9/hook", "topics": ["base.change"]}),
                )
                .await
                .0,
                admin_only(201),
            );
            check("POST replay", c.post("/api/admin/webhooks/dead/replay", json!({})).await.0, admin_only(200));
            check(
                "POST deactivate",
                c.post("/api/admin/webhooks/00000000-0000-0000-0000-000000000000/deactivate", json!({})).await.0,
                admin_only(404),
            );

            // A move no one but the lead department's handler may make now.
            let (s, e) = c.mv(&id, json!({"move": "sign"})).await;
            let want = match who {
                "handler" => 200,
                w if !sees_case(w) => 404,
                _ => 403,
            };
            check(&format!("POST sign {e}"), s, want);
            if who == "handler" {
                // Put the case back for the next accounts: it is now in progress.
                let v: Value = c.get(&format!("/api/cases/{id}")).await.1;
                assert_eq!(v["case"]["state"], "in_progress");
                break_out_in_progress(&app, &id).await;
            }
        }
    }
}

/// Returns the matrix case to `dispatched` so later accounts meet the same state: in progress →
/// escalation asked → escalated → delegated back → dispatched again.
async fn break_out_in_progress(app: &TestApp, id: &str) {
    let handler = app.client("handler").await;
    let operator = app.client("operator").await;
    let district = app.client("district_operator").await;
    handler.ok_mv(id, json!({"move": "request_escalation", "reason": "矩阵"})).await;
    operator.ok_mv(id, json!({"move": "escalate", "reason": "矩阵"})).await;
    district.ok_mv(id, json!({"move": "delegate", "to": app.fx.street.as_str(), "reason": "矩阵"})).await;
    operator.ok_mv(id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
}
