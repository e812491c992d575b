//! The case life through the JSON API: every legal move, illegal moves refused with nothing
//! changed, field errors in the user's language, public follow-up, attachments, CSRF, history.

use serde_json::{Value, json};

use crate::common::{TestApp, engines};

fn state(v: &Value) -> &str {
    v["case"]["state"].as_str().unwrap_or_default()
}

/// Snapshot of everything a refused move must leave alone.
async fn fingerprint(app: &TestApp, id: &str) -> (String, usize) {
    let c = app.client("admin").await;
    let (_, case) = c.get(&format!("/api/cases/{id}")).await;
    let (_, events) = c.get(&format!("/api/cases/{id}/events")).await;
    (case["case"].to_string(), events.as_array().map_or(0, Vec::len))
}

#[tokio::test]
async fn full_life_from_resident_to_archive() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let id = app.new_case(&resident, &app.fx.grid, "楼道灯不亮").await;
        let operator = app.client("operator").await;
        let handler = app.client("handler").await;
        let leader = app.client("leader").await;

        let v = operator.ok_mv(&id, json!({"move": "accept", "note": ""})).await;
        assert_eq!(state(&v), "accepted");
        assert!(v["case"]["handle_by"].is_string(), "acceptance promises a date");
        let v = operator
            .ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [app.fx.dept2.id], "note": "请核实"}))
            .await;
        assert_eq!(state(&v), "dispatched");
        assert!(v["case"]["sign_by"].is_string());
        // The co-organisation now sees the case; only the lead may sign.
        let handler2 = app.client("handler2").await;
        assert_eq!(handler2.get(&format!("/api/cases/{id}")).await.0, 200);
        assert_eq!(handler2.mv(&id, json!({"move": "sign"})).await.0, 409);
        let v = handler.ok_mv(&id, json!({"move": "sign"})).await;
        assert_eq!(state(&v), "in_progress");
        let v = handler.ok_mv(&id, json!({"move": "report_result", "outcome": "resolved", "text": "已更换灯泡"})).await;
        assert_eq!(state(&v), "handled");
        assert_eq!(v["case"]["handled_on_time"], true);
        let v = leader.ok_mv(&id, json!({"move": "verify", "note": "属实"})).await;
        assert_eq!(state(&v), "revisit");
        let v =
            resident.ok_mv(&id, json!({"move": "record_revisit", "satisfaction": "satisfied", "note": "谢谢"})).await;
        assert_eq!(v["case"]["satisfaction"], "satisfied");
        let v = operator.ok_mv(&id, json!({"move": "close", "note": ""})).await;
        assert_eq!(state(&v), "closed");
        assert_eq!(v["case"]["closed_level"], "street");
        let v = operator.ok_mv(&id, json!({"move": "archive"})).await;
        assert_eq!(state(&v), "archived");

        let (_, events) = operator.get(&format!("/api/cases/{id}/events")).await;
        let kinds: Vec<&str> =
            events.as_array().expect("events").iter().map(|e| e["move"]["move"].as_str().unwrap_or("")).collect();
        assert_eq!(
            kinds,
            ["register", "accept", "dispatch", "sign", "report_result", "verify", "record_revisit", "close", "archive"]
        );
        // The resident was told at acceptance and at verification.
        let (_, notes) = resident.get("/api/notifications").await;
        let kinds: Vec<&str> =
            notes.as_array().expect("notes").iter().map(|n| n["kind"].as_str().unwrap_or("")).collect();
        assert!(kinds.contains(&"accepted") && kinds.contains(&"result") && kinds.contains(&"closed"), "{kinds:?}");
        // The lead department was notified of the dispatch.
        let (_, notes) = handler.get("/api/notifications").await;
        let dispatched =
            notes.as_array().expect("notes").iter().find(|n| n["kind"] == "dispatched").expect("dispatched");
        assert_eq!(dispatched["read"], false);
        let read = format!("/api/notifications/{}/read", dispatched["id"].as_str().expect("id"));
        assert_eq!(resident.post(&read, json!({})).await.0, 404, "not addressed to the resident");
        assert_eq!(handler.post(&read, json!({})).await.0, 204);
        let (_, notes) = handler.get("/api/notifications").await;
        assert!(notes.as_array().expect("notes").iter().any(|n| n["kind"] == "dispatched" && n["read"] == true));
        let report = app.store.verify_histories().await.expect("verify");
        assert!(report.findings.is_empty(), "{engine:?}: {:?}", report.findings);
        assert_eq!(report.events, 9);
    }
}

#[tokio::test]
async fn branch_moves_review_return_extension_escalation_delegation_redo_supervision() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let operator = app.client("operator").await;
        let district = app.client("district_operator").await;
        let handler = app.client("handler").await;
        let leader = app.client("leader").await;
        let grid = app.client("grid_worker").await;

        // Leader review: critical urgency needs it; accept with instruction.
        let (s, v) = operator
            .post(
                "/api/cases",
                json!({"ledger": "complaint", "category": app.fx.category, "channel": "hotline", "urgency": "critical",
                       "title": "燃气泄漏", "text": "小区燃气管道有异味", "area_code": app.fx.grid.as_str(),
                       "reporter": "contact", "contact": {"name": "王女士", "phone": "138 1234 5678"}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["contact"]["phone_masked"], "138****5678", "phone shown masked");
        let id = v["case"]["id"].as_str().expect("id").to_owned();
        let (s, e) = operator.mv(&id, json!({"move": "accept", "note": ""})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("rule")), "{e}");
        operator.ok_mv(&id, json!({"move": "request_review", "note": "紧急"})).await;
        let v = leader.ok_mv(&id, json!({"move": "review", "accept": true, "instruction": "立即处置"})).await;
        assert_eq!((state(&v), v["case"]["instruction"].as_str()), ("accepted", Some("立即处置")));

        // Misrouted: returned to the centre, then dispatched again.
        operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept2.id, "co": [], "note": ""})).await;
        let handler2 = app.client("handler2").await;
        let v = handler2.ok_mv(&id, json!({"move": "return", "reason": "不属于本单位职责"})).await;
        assert_eq!((state(&v), v["case"]["return_count"].as_u64()), ("accepted", Some(1)));
        operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        handler.ok_mv(&id, json!({"move": "sign"})).await;

        // Extension: asked, then granted moves the deadline later; a second ask while pending is refused.
        let before = handler.get(&format!("/api/cases/{id}")).await.1["case"]["handle_by"].clone();
        handler.ok_mv(&id, json!({"move": "request_extension", "days": 3, "reason": "需协调燃气公司"})).await;
        let (s, _) = handler.mv(&id, json!({"move": "request_extension", "days": 2, "reason": "再延"})).await;
        assert_eq!(s, 409);
        let v = leader.ok_mv(&id, json!({"move": "decide_extension", "grant": true, "note": ""})).await;
        let after = v["case"]["handle_by"].clone();
        assert!(after.as_str() > before.as_str(), "extension moves the deadline: {before} -> {after}");

        // Escalation: asked by the handler, then raised a level by the centre.
        let (s, _) = operator.mv(&id, json!({"move": "escalate", "reason": "跨部门"})).await;
        assert_eq!(s, 409, "escalation must be asked first");
        handler.ok_mv(&id, json!({"move": "request_escalation", "reason": "需区级协调"})).await;
        let v = operator.ok_mv(&id, json!({"move": "escalate", "reason": "跨部门"})).await;
        assert_eq!((state(&v), v["case"]["handling_area"].as_str()), ("accepted", Some(app.fx.district.as_str())));
        // The street operator can no longer act on it; the district operator can, and delegates down.
        assert_eq!(
            operator.mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await.0,
            409
        );
        let v =
            district.ok_mv(&id, json!({"move": "delegate", "to": app.fx.street.as_str(), "reason": "属地处理"})).await;
        assert_eq!(v["case"]["handling_area"], app.fx.street.as_str());

        // Supervision: a street operator may only put it under centre supervision; levels only rise.
        assert_eq!(operator.mv(&id, json!({"move": "supervise", "level": "leader", "note": ""})).await.0, 403);
        operator.ok_mv(&id, json!({"move": "supervise", "level": "centre", "note": "重点关注"})).await;
        let v = leader.ok_mv(&id, json!({"move": "supervise", "level": "top_leader", "note": ""})).await;
        assert_eq!(v["case"]["supervision"], "top_leader");
        let (s, e) = leader.mv(&id, json!({"move": "supervise", "level": "centre", "note": ""})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("rule")), "supervision never drops: {e}");
        operator.ok_mv(&id, json!({"move": "urge", "note": "请加快"})).await;

        // Handled, sent back at verification, handled again, unsatisfied, redone once, closed.
        operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        handler.ok_mv(&id, json!({"move": "sign"})).await;
        handler.ok_mv(&id, json!({"move": "report_result", "outcome": "explained", "text": "已解释"})).await;
        let v = leader.ok_mv(&id, json!({"move": "send_back", "reason": "未实地查看"})).await;
        assert_eq!(state(&v), "in_progress");
        handler.ok_mv(&id, json!({"move": "report_result", "outcome": "resolved", "text": "已修复管道"})).await;
        leader.ok_mv(&id, json!({"move": "verify", "note": ""})).await;
        assert_eq!(
            operator.mv(&id, json!({"move": "redo", "reason": "x"})).await.0,
            409,
            "redo needs an unsatisfied revisit"
        );
        operator.ok_mv(&id, json!({"move": "record_revisit", "satisfaction": "unsatisfied", "note": "仍有异味"})).await;
        let v = operator.ok_mv(&id, json!({"move": "redo", "reason": "群众不满意"})).await;
        assert_eq!((state(&v), v["case"]["redo_count"].as_u64()), ("in_progress", Some(1)));
        handler.ok_mv(&id, json!({"move": "report_result", "outcome": "resolved", "text": "更换阀门"})).await;
        leader.ok_mv(&id, json!({"move": "verify", "note": ""})).await;
        operator.ok_mv(&id, json!({"move": "record_revisit", "satisfaction": "unsatisfied", "note": ""})).await;
        let (s, e) = operator.mv(&id, json!({"move": "redo", "reason": "再次不满意"})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("rule")), "one redo by default: {e}");
        let v = operator.ok_mv(&id, json!({"move": "close", "note": "已尽责"})).await;
        assert_eq!(state(&v), "closed");

        // Grid self-handling: the grid worker's own report stays at the grid; once accepted the grid
        // worker solves it on the spot, and a leader still verifies.
        let gid = app.new_case(&grid, &app.fx.grid, "井盖松动").await;
        let (s, _) = grid.mv(&gid, json!({"move": "self_handle", "note": ""})).await;
        assert_eq!(s, 409, "must be accepted first");
        operator.ok_mv(&gid, json!({"move": "accept", "note": ""})).await;
        let other_grid = app.client("grid_worker").await;
        grid.ok_mv(&gid, json!({"move": "self_handle", "note": "现场处置"})).await;
        assert_eq!(other_grid.mv(&gid, json!({"move": "self_handle", "note": ""})).await.0, 409, "only once");
        grid.ok_mv(&gid, json!({"move": "report_result", "outcome": "resolved", "text": "已固定井盖"})).await;
        leader.ok_mv(&gid, json!({"move": "verify", "note": ""})).await;
        operator.ok_mv(&gid, json!({"move": "record_revisit", "satisfaction": "basic", "note": ""})).await;
        let v = operator.ok_mv(&gid, json!({"move": "close", "note": ""})).await;
        assert_eq!(v["case"]["closed_level"], "grid", "small matters closed in the grid are counted there");
        // A street case delegated down to a grid is self-handled there too; a grid worker of
        // another grid cannot touch it.
        let did = app.new_case(&operator, &app.fx.grid, "绿化带垃圾").await;
        operator.ok_mv(&did, json!({"move": "accept", "note": ""})).await;
        assert_eq!(grid.mv(&did, json!({"move": "self_handle", "note": ""})).await.0, 409, "still at the street");
        let v =
            operator.ok_mv(&did, json!({"move": "delegate", "to": app.fx.grid.as_str(), "reason": "网格处置"})).await;
        assert_eq!(v["case"]["handling_area"], app.fx.grid.as_str());
        let v = grid.ok_mv(&did, json!({"move": "self_handle", "note": ""})).await;
        assert_eq!((state(&v), v["case"]["self_handled"].as_bool()), ("in_progress", Some(true)));

        // Not accepted, and merged duplicates.
        let n1 = app.new_case(&operator, &app.fx.grid, "咨询政策").await;
        let v = operator.ok_mv(&n1, json!({"move": "not_accept", "reason": "非本平台受理范围"})).await;
        assert_eq!(state(&v), "not_accepted");
        let a = app.new_case(&operator, &app.fx.grid, "路灯不亮").await;
        let b = app.new_case(&operator, &app.fx.grid, "路灯坏了").await;
        let (_, av) = operator.get(&format!("/api/cases/{a}")).await;
        let number = av["case"]["number"].as_str().expect("number");
        let v =
            operator.ok_mv(&b, json!({"move": "merge", "into": a, "into_number": number, "reason": "同一路灯"})).await;
        assert_eq!((state(&v), v["case"]["merged_into"].as_str()), ("merged", Some(a.as_str())));
        let (s, e) = operator.mv(&a, json!({"move": "merge", "into": a, "into_number": number, "reason": "x"})).await;
        assert_eq!(s, 422, "{e}");

        let report = app.store.verify_histories().await.expect("verify");
        assert!(report.findings.is_empty(), "{engine:?}: {:?}", report.findings);
    }
}

#[tokio::test]
async fn illegal_moves_are_refused_and_change_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let operator = app.client("operator").await;
        let handler = app.client("handler").await;
        let resident = app.client("resident").await;
        let id = app.new_case(&resident, &app.fx.grid, "噪音扰民").await;
        // Everything but the moves legal in `registered` (request_review, accept, not_accept, merge).
        let every_move = [
            json!({"move": "review", "accept": true, "instruction": "同意"}),
            json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""}),
            json!({"move": "sign"}),
            json!({"move": "return", "reason": "x"}),
            json!({"move": "request_extension", "days": 2, "reason": "x"}),
            json!({"move": "decide_extension", "grant": true, "note": ""}),
            json!({"move": "request_escalation", "reason": "x"}),
            json!({"move": "escalate", "reason": "x"}),
            json!({"move": "self_handle", "note": ""}),
            json!({"move": "report_result", "outcome": "resolved", "text": "x"}),
            json!({"move": "verify", "note": ""}),
            json!({"move": "send_back", "reason": "x"}),
            json!({"move": "record_revisit", "satisfaction": "satisfied", "note": ""}),
            json!({"move": "redo", "reason": "x"}),
            json!({"move": "close", "note": ""}),
            json!({"move": "archive"}),
        ];
        // In `registered`, none of these may be made by the operator, handler or resident.
        for who in [&operator, &handler, &resident] {
            for mv in &every_move {
                let before = fingerprint(&app, &id).await;
                let (s, e) = who.mv(&id, mv.clone()).await;
                assert!(matches!(s, 403 | 404 | 409), "{engine:?} {mv} gave {s}: {e}");
                assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "message: {e}");
                assert_eq!(fingerprint(&app, &id).await, before, "{mv} changed the case");
            }
        }
        // Malformed moves name the field and change nothing.
        let before = fingerprint(&app, &id).await;
        for (mv, field) in [
            (json!({"move": "not_accept", "reason": "  "}), "reason"),
            (json!({"move": "not_accept"}), "reason"),
            (json!({"move": "teleport"}), "move"),
            (json!({"note": "x"}), "move"),
            (json!({"move": "register"}), "move"),
        ] {
            let (s, e) = operator.mv(&id, mv.clone()).await;
            assert_eq!((s, e["error"]["field"].as_str()), (422, Some(field)), "{mv}: {e}");
        }
        let (s, e) =
            operator.mv(&id, json!({"move": "dispatch", "lead": uuid::Uuid::now_v7(), "co": [], "note": ""})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("lead")), "{e}");
        assert_eq!(fingerprint(&app, &id).await, before);
        // Terminal states accept nothing more but archive after close.
        operator.ok_mv(&id, json!({"move": "not_accept", "reason": "重复反映"})).await;
        let before = fingerprint(&app, &id).await;
        for mv in &every_move {
            let (s, _) = operator.mv(&id, mv.clone()).await;
            assert!(matches!(s, 403 | 409), "{mv} on not_accepted gave {s}");
        }
        assert_eq!(fingerprint(&app, &id).await, before);
    }
}

#[tokio::test]
async fn intake_errors_name_the_field_in_the_users_language() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let operator = app.client("operator").await;
        let good = json!({"ledger": "demand", "category": app.fx.category, "channel": "web", "title": "t",
                          "text": "x", "area_code": app.fx.grid.as_str()});
        let cases = [
            ("title", json!("")),
            ("text", json!("   ")),
            ("ledger", json!("gossip")),
            ("channel", json!("pigeon")),
            ("category", json!("no.such.category")),
            ("area_code", json!("439999999999")),
            ("area_code", json!("12ab")),
        ];
        let (_, listed) = operator.get("/api/cases").await;
        let total_before = listed["total"].as_i64();
        for (field, value) in cases {
            let mut body = good.clone();
            body[field] = value.clone();
            let (s, e) = operator.post("/api/cases", body.clone()).await;
            assert_eq!(s, 422, "{field}={value}: {e}");
            assert_eq!(e["error"]["field"], field, "{e}");
            let msg = e["error"]["message"].as_str().unwrap_or_default();
            assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese by default: {msg}");
            let (_, e) = operator.post_with("/api/cases", body, &[("accept-language", "en-GB,en;q=0.9")]).await;
            let msg = e["error"]["message"].as_str().unwrap_or_default();
            assert!(msg.is_ascii() && msg.starts_with("The "), "English on request: {msg}");
        }
        let mut body = good.clone();
        body["reporter"] = json!("contact");
        body["contact"] = json!({"name": "李先生", "phone": "12ab"});
        let (s, e) = operator.post("/api/cases", body).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("phone")), "{e}");
        let (_, listed) = operator.get("/api/cases").await;
        assert_eq!(listed["total"].as_i64(), total_before, "no refused intake was stored");
        // A resident may not file for a place outside the city, nor pretend to be the hotline.
        let resident = app.client("resident").await;
        let mut body = good.clone();
        body["channel"] = json!("hotline");
        let (s, e) = resident.post("/api/cases", body).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("channel")), "{e}");
    }
}

#[tokio::test]
async fn residents_follow_and_rate_by_number_and_phone() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let operator = app.client("operator").await;
        let (s, v) = operator
            .post(
                "/api/cases",
                json!({"ledger": "demand", "category": app.fx.category, "channel": "hotline", "title": "小区停水",
                       "text": "三天没有水", "area_code": app.fx.grid.as_str(), "reporter": "contact",
                       "contact": {"name": "赵先生", "phone": "13900001111"}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["case"]["id"].as_str().expect("id").to_owned();
        let number = v["case"]["number"].as_str().expect("number").to_owned();
        let public = app.anonymous();
        let (s, f) = public.post("/api/public/follow", json!({"number": number, "phone": "139-0000-1111"})).await;
        assert_eq!(s, 200, "{f}");
        assert_eq!(f["state"], "registered");
        assert!(!f.to_string().contains("赵先生") && !f.to_string().contains("13900001111"), "no personal data: {f}");
        let (s, _) = public.post("/api/public/follow", json!({"number": number, "phone": "13900002222"})).await;
        assert_eq!(s, 404, "wrong phone looks like no case");
        let (s, _) = public
            .post("/api/public/rate", json!({"number": number, "phone": "13900001111", "satisfaction": "satisfied"}))
            .await;
        assert_eq!(s, 409, "cannot rate before the result");
        // Take it to revisit.
        let handler = app.client("handler").await;
        let leader = app.client("leader").await;
        operator.ok_mv(&id, json!({"move": "accept", "note": ""})).await;
        operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        handler.ok_mv(&id, json!({"move": "sign"})).await;
        handler
            .ok_mv(&id, json!({"move": "report_result", "outcome": "resolved", "text": "管道已修复，恢复供水"}))
            .await;
        leader.ok_mv(&id, json!({"move": "verify", "note": ""})).await;
        let (_, f) = public.post("/api/public/follow", json!({"number": number, "phone": "13900001111"})).await;
        assert_eq!((f["can_rate"].as_bool(), f["result"].as_str()), (Some(true), Some("管道已修复，恢复供水")));
        let (s, f) = public
            .post(
                "/api/public/rate",
                json!({"number": number, "phone": "13900001111", "satisfaction": "basic", "note": "还行"}),
            )
            .await;
        assert_eq!((s, f["satisfaction"].as_str()), (200, Some("basic")), "{f}");
        // The reporter's SMS notices went to the outbox, not to anyone's inbox.
        let sms = app.store.pending_outbox("reporter.sms", 50).await.expect("outbox");
        let texts: Vec<&str> = sms.iter().map(|(_, _, p)| p.as_str()).collect();
        assert!(texts.iter().any(|p| p.contains("已受理") && p.contains(&number)), "{texts:?}");
        assert_eq!(app.store.reporter_phone(&id).await.expect("phone").as_deref(), Some("13900001111"));
    }
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_and_tokens_do_not() {
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let mut operator = app.client("operator").await;
    let id = app.new_case(&operator, &app.fx.grid, "违章停车").await;
    let csrf = std::mem::take(&mut operator.csrf);
    let (s, e) = operator.mv(&id, json!({"move": "accept", "note": ""})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("csrf")));
    operator.csrf = "forged".into();
    assert_eq!(operator.mv(&id, json!({"move": "accept", "note": ""})).await.0, 403);
    operator.csrf = csrf;
    let (s, t) = operator.post("/api/tokens", json!({"label": "12345 热线对接"})).await;
    assert_eq!(s, 201, "{t}");
    let machine = crate::common::Client {
        http: reqwest::Client::new(),
        base: app.base_url().to_owned(),
        csrf: String::new(),
        token: t["token"].as_str().map(str::to_owned),
    };
    assert_eq!(machine.mv(&id, json!({"move": "accept", "note": ""})).await.0, 200);
    let bad = crate::common::Client { token: Some("shiyu_nope".into()), ..machine };
    assert_eq!(bad.get("/api/cases").await.0, 401);
    // Logging out revokes the session server-side.
    let (s, _) = operator.post("/api/logout", json!({})).await;
    assert_eq!(s, 204);
    assert_eq!(operator.get("/api/me").await.0, 401);
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let app = limited_app().await;
    let anon = app.anonymous();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(anon.post("/api/login", json!({"username": "operator", "password": "wrong-password"})).await.0);
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
}

#[tokio::test]
async fn attachments_are_checked_stored_by_hash_and_scoped() {
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let resident = app.client("resident").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        resident.http.post(app.url("/api/attachments")).header("x-csrf-token", &resident.csrf).multipart(form).send()
    };
    let res = upload(png.clone(), "../../etc/passwd.png").await.expect("upload");
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.expect("json");
    let sha = v["sha256"].as_str().expect("sha").to_owned();
    assert!(app.dir.path().join("attachments").join(&sha).exists(), "stored under its hash");
    let res = upload(b"MZ\x90\0 not an image".to_vec(), "virus.png").await.expect("upload");
    assert_eq!(res.status(), 422);
    let res = upload(
        vec![0xFF, 0xD8, 0xFF].into_iter().chain(std::iter::repeat_n(0u8, 11 * 1024 * 1024)).collect(),
        "big.jpg",
    )
    .await
    .expect("upload");
    assert!(matches!(res.status().as_u16(), 413 | 422), "too large: {}", res.status());
    let (s, c) = resident
        .post(
            "/api/cases",
            json!({"ledger": "complaint", "category": app.fx.category, "channel": "mobile", "title": "占道经营",
                   "text": "见照片", "area_code": app.fx.grid.as_str(), "attachments": [v["id"]]}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let path = format!("/api/attachments/{}", v["id"].as_str().expect("id"));
    let operator = app.client("operator").await;
    let res = operator.http.get(app.url(&path)).send().await.expect("get");
    assert_eq!((res.status().as_u16(), res.bytes().await.expect("bytes").to_vec()), (200, png));
    let other = app.client("operator2").await;
    assert_eq!(other.get(&path).await.0, 404, "outside scope");
    // Someone else's upload cannot be attached to a new case.
    let (s, e) = other
        .post(
            "/api/cases",
            json!({"ledger": "complaint", "category": app.fx.category, "channel": "web", "title": "x", "text": "x",
                   "area_code": app.fx.grid2.as_str(), "attachments": [v["id"]]}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("attachments")), "{e}");
}

#[tokio::test]
async fn openapi_and_health_are_served() {
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let anon = app.anonymous();
    let (s, doc) = anon.get("/api/openapi.json").await;
    assert_eq!(s, 200);
    for path in ["/api/cases", "/api/cases/{id}/moves", "/api/login", "/api/public/follow", "/api/board/overdue"] {
        assert!(doc["paths"].get(path).is_some(), "openapi lacks {path}");
    }
    let (s, body) = anon.get("/healthz").await;
    assert_eq!((s, body.as_str()), (200, Some("ok")));
}

#[tokio::test]
async fn concurrent_moves_on_one_case_leave_a_valid_history() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let operator = app.client("operator").await;
        let id = app.new_case(&operator, &app.fx.grid, "并发测试").await;
        operator.ok_mv(&id, json!({"move": "accept", "note": ""})).await;
        let a = operator.mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": "a"}));
        let b = operator.mv(&id, json!({"move": "dispatch", "lead": app.fx.dept2.id, "co": [], "note": "b"}));
        let ((sa, _), (sb, _)) = tokio::join!(a, b);
        let mut got = [sa, sb];
        got.sort_unstable();
        assert_eq!(got, [200, 409], "{engine:?}: exactly one dispatch wins");
        let report = app.store.verify_histories().await.expect("verify");
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_eq!(report.events, 3);
    }
}

#[tokio::test]
async fn sessions_expire_and_only_hashes_are_stored() {
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let user = app.fx.users["operator"].clone();
    let now = chrono::Utc::now();
    app.store
        .create_session(
            &user,
            "expired-token",
            "c1",
            now - chrono::Duration::hours(13),
            now - chrono::Duration::hours(1),
        )
        .await
        .expect("s");
    app.store.create_session(&user, "live-token", "c2", now, now + chrono::Duration::hours(1)).await.expect("s");
    let get_me = |token: &'static str| {
        reqwest::Client::new().get(app.url("/api/me")).header("cookie", format!("shiyu_session={token}")).send()
    };
    assert_eq!(get_me("expired-token").await.expect("get").status(), 401);
    assert_eq!(get_me("live-token").await.expect("get").status(), 200);
    // The database holds no usable token: only its SHA-256.
    let db = std::fs::read(app.dir.path().join("shiyu.db")).unwrap_or_default();
    let wal = std::fs::read(app.dir.path().join("shiyu.db-wal")).unwrap_or_default();
    let holds =
        |needle: &[u8]| db.windows(needle.len()).any(|w| w == needle) || wal.windows(needle.len()).any(|w| w == needle);
    assert!(!holds(b"live-token"), "session token stored in clear");
    assert!(holds(shiyu_storage::sessions::secret_hash("live-token").as_bytes()), "hash is what is stored");
}

#[tokio::test]
async fn public_follow_up_is_rate_limited_against_phone_guessing() {
    let app = limited_app().await;
    let anon = app.anonymous();
    let mut statuses = Vec::new();
    for i in 0..5 {
        let (s, _) = anon
            .post("/api/public/follow", json!({"number": "2026-0101-000001", "phone": format!("1390000{i:04}")}))
            .await;
        statuses.push(s);
    }
    assert_eq!(statuses, [404, 404, 404, 429, 429]);
}

#[tokio::test]
async fn a_grid_finding_dispatched_by_the_street_is_closed_at_the_street() {
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let grid = app.client("grid_worker").await;
    let operator = app.client("operator").await;
    let handler = app.client("handler").await;
    let leader = app.client("leader").await;
    let id = app.new_case(&grid, &app.fx.grid, "楼顶违建").await;
    let v = operator.ok_mv(&id, json!({"move": "accept", "note": ""})).await;
    assert_eq!(v["case"]["handling_area"], app.fx.grid.as_str(), "accepted, still the grid's to self-handle");
    let v = operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
    assert_eq!(v["case"]["handling_area"], app.fx.street.as_str(), "the dispatching street now owns it");
    handler.ok_mv(&id, json!({"move": "sign"})).await;
    handler.ok_mv(&id, json!({"move": "report_result", "outcome": "resolved", "text": "已拆除"})).await;
    leader.ok_mv(&id, json!({"move": "verify", "note": ""})).await;
    operator.ok_mv(&id, json!({"move": "record_revisit", "satisfaction": "satisfied", "note": ""})).await;
    let v = operator.ok_mv(&id, json!({"move": "close", "note": ""})).await;
    assert_eq!(v["case"]["closed_level"], "street");
}

/// A server whose guessing routes allow a burst of three attempts a minute.
async fn limited_app() -> TestApp {
    TestApp::spawn_with(crate::common::Engine::Sqlite, |c| {
        c.login_burst = 3;
        c.login_replenish_seconds = 60;
    })
    .await
}
