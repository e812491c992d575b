//! The figures through the API and the board on both engines: the same numbers on every screen,
//! each person limited to their part (a handler to the cases their organisation leads), bad
//! filters named, and the board drilling from the city down to a grid.

use serde_json::{Value, json};

use crate::common::{TestApp, engines};

fn figure(v: &Value, name: &str) -> Value {
    v["total"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["figure"] == name))
        .map(|f| f["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn figures_are_the_same_everywhere_and_scoped() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let operator = app.client("operator").await;
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(app.new_case(&resident, &app.fx.grid, &format!("统计{i}")).await);
        }
        app.new_case(&app.client("operator2").await, &app.fx.grid2, "西门的诉求").await;
        for id in &ids {
            operator.ok_mv(id, json!({"move": "accept", "note": ""})).await;
        }
        operator.ok_mv(&ids[0], json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        let handler = app.client("handler").await;
        handler.ok_mv(&ids[0], json!({"move": "sign"})).await;
        handler.ok_mv(&ids[0], json!({"move": "report_result", "outcome": "resolved", "text": "已修复"})).await;

        let city = app.client("city_operator").await;
        let (s, all) = city.get("/api/stats/figures?by=child").await;
        assert_eq!(s, 200, "{all}");
        assert_eq!(figure(&all, "received"), 4);
        assert_eq!(figure(&all, "accepted"), 3);
        assert_eq!(figure(&all, "resolution_rate"), 1000, "one result, resolved");
        assert!(figure(&all, "average_handling_time").is_number(), "{all}");
        assert!(all["definitions"].as_array().is_some_and(|d| d.len() >= 10));
        // The district's children add up; the street sees its own three.
        let (_, street) = operator.get("/api/stats/figures").await;
        assert_eq!(figure(&street, "received"), 3);
        let (_, by_ledger) = city.get("/api/stats/figures?by=ledger&ledger=demand").await;
        assert_eq!(figure(&by_ledger, "received"), 4);
        assert_eq!(by_ledger["groups"][0]["key"], "demand");
        let (_, none) = city.get("/api/stats/figures?ledger=complaint").await;
        assert_eq!(figure(&none, "received"), 0);
        // A handler sees only what their organisation leads, whatever they ask for.
        let (_, theirs) = handler.get(&format!("/api/stats/figures?area={}", app.fx.city.as_str())).await;
        assert_eq!(figure(&theirs, "received"), 0, "registered before their organisation led it");
        assert_eq!(figure(&theirs, "resolution_rate"), 1000, "{theirs}");
        // Out of one's part, bad filters, residents.
        let (s, v) = operator.get(&format!("/api/stats/figures?area={}", app.fx.street2.as_str())).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("area")), "{v}");
        assert_eq!(city.get("/api/stats/figures?by=colour").await.1["error"]["field"], "by");
        assert_eq!(city.get("/api/stats/figures?from=2026-13-01").await.1["error"]["field"], "from");
        assert_eq!(city.get("/api/stats/figures?ledger=x").await.1["error"]["field"], "ledger");
        assert_eq!(resident.get("/api/stats/figures").await.0, 403);

        // The board shows the same numbers and drills from the city to the grid.
        let web = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let user = &app.fx.users["city_operator"];
        web.post(app.url("/login"))
            .form(&[("username", user.username.as_str()), ("password", crate::common::PASSWORD)])
            .send()
            .await
            .expect("login");
        let mut area = app.fx.city.to_string();
        for next in [&app.fx.district, &app.fx.street, &app.fx.community, &app.fx.grid] {
            let page = web
                .get(app.url(&format!("/board?area={area}")))
                .send()
                .await
                .expect("board")
                .text()
                .await
                .expect("text");
            assert!(page.contains(&format!("/board?area={next}")), "no drill from {area} to {next}");
            area = next.to_string();
        }
        let page =
            web.get(app.url(&format!("/board?area={area}"))).send().await.expect("board").text().await.expect("text");
        assert!(page.contains("data-testid=\"trend\""), "the grid's board has its chart");
        assert!(page.contains("<strong data-testid=\"live-open\">3</strong>"), "three open cases in the grid");
    }
}
