//! Routing proposals learned from the program's own cases: the category from a request's words,
//! the lead organisation from how that category was dispatched there, configured owners before
//! history, and every proposal judged against what the operator chose.

use chrono::Utc;
use serde_json::{Value, json};
use shiyu_domain::case::CategoryCode;

use crate::common::{Client, TestApp, engines};

async fn file(app: &TestApp, who: &Client, category: &str, text: &str) -> String {
    let (s, body) = who
        .post(
            "/api/cases",
            json!({"ledger": "demand", "category": category, "channel": "web", "title": text, "text": text,
                   "area_code": app.fx.grid.as_str()}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body["case"]["id"].as_str().expect("id").to_owned()
}

async fn dispatch(who: &Client, id: &str, org: &str) {
    let (s, body) = who.post(&format!("/api/cases/{id}/moves"), json!({"move": "accept", "note": ""})).await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = who
        .post(&format!("/api/cases/{id}/moves"), json!({"move": "dispatch", "lead": org, "co": [], "note": ""}))
        .await;
    assert_eq!(s, 200, "{body}");
}

fn first(v: &Value, list: &str, key: &str) -> String {
    v[list][0][key].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn proposals_learn_from_past_dispatches_rules_come_first_and_choices_are_judged() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        for (code, zh) in [("urban.lighting", "路灯照明"), ("urban.fumes", "油烟污染")] {
            app.store.upsert_category(&CategoryCode::parse(code).expect("code"), zh, zh).await.expect("category");
        }
        let op = app.client("operator").await;
        let admin = app.client("admin").await;
        let (lights, fumes) = (app.fx.dept2.id.to_string(), app.fx.dept.id.to_string());
        let lighting = ["小区门口路灯不亮", "这条街的路灯坏了三天", "路灯一直闪烁晚上很黑", "公园里路灯全灭了"];
        let smoke = ["楼下饭店油烟太大", "烧烤店油烟熏人", "餐馆排放油烟扰民", "小吃店油烟直排窗户"];
        for t in lighting {
            let id = file(&app, &op, "urban.lighting", t).await;
            dispatch(&op, &id, &lights).await;
        }
        for t in smoke {
            let id = file(&app, &op, "urban.fumes", t).await;
            dispatch(&op, &id, &fumes).await;
        }
        // Before any training there is nothing to propose; training is for administrators.
        assert_eq!(op.post("/api/admin/routing/retrain", json!({})).await.0, 403);
        let (s, trained) = admin.post("/api/admin/routing/retrain", json!({})).await;
        assert_eq!(s, 200, "{trained}");
        assert_eq!(trained["examples"], 8);

        let ask = |text: &str| format!("/api/routing/proposal?text={}&area={}", urlencode(text), app.fx.grid);
        let (s, p) = op.get(&ask("我家楼下那盏路灯已经不亮好几天了")).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(first(&p, "categories", "code"), "urban.lighting", "{p}");
        assert_eq!(first(&p, "categories", "name"), "路灯照明");
        assert_eq!(first(&p, "orgs", "id"), lights, "{p}");
        assert_eq!(p["orgs"][0]["because"], "history");
        assert_eq!(p["orgs"][0]["cases"], 4);
        let (_, p) = op.get(&ask("隔壁烧烤摊的油烟太呛了")).await;
        assert_eq!((first(&p, "categories", "code"), first(&p, "orgs", "id")), ("urban.fumes".into(), fumes.clone()));
        assert_eq!(app.client("resident").await.get(&ask("路灯")).await.0, 403);
        // The intake page's fragment offers the same, one click per category.
        let frag = format!("/cases/new/proposal?title={}&text=&area_code={}", urlencode("路灯坏了好几天"), app.fx.grid);
        let (s, html) = op.get(&frag).await;
        assert_eq!(s, 200);
        let html = html.as_str().expect("html").to_owned();
        assert!(html.contains("data-pick-category=\"urban.lighting\""), "{html}");
        assert!(html.contains(&app.fx.dept2.name), "{html}");

        // A configured owner comes before history.
        let rule = json!({"category": "urban.lighting", "area_code": app.fx.district.as_str(), "org_id": fumes});
        assert_eq!(op.post("/api/admin/routing/rules", rule.clone()).await.0, 403);
        assert_eq!(admin.post("/api/admin/routing/rules", rule).await.0, 204);
        let (_, p) = op.get(&ask("路灯坏了")).await;
        assert_eq!((first(&p, "orgs", "id"), p["orgs"][0]["because"].as_str()), (fumes.clone(), Some("rule")));
        assert_eq!(p["orgs"][1]["id"], lights.as_str(), "history follows the rule");
        let bad = json!({"category": "urban.lighting", "area_code": app.fx.district.as_str(), "org_id": "x"});
        let (s, body) = admin.post("/api/admin/routing/rules", bad).await;
        assert_eq!((s, body["error"]["field"].as_str()), (422, Some("org_id")));

        // The operator corrects both proposals; each judgement is recorded.
        let since = Utc::now() - chrono::Duration::minutes(1);
        let before = app.store.routing_feedback(since).await.expect("tally");
        let id = file(&app, &op, "urban.fumes", "路灯下面的烧烤摊油烟路灯").await;
        dispatch(&op, &id, &lights).await;
        let after = app.store.routing_feedback(since).await.expect("tally");
        assert_eq!(after.category.0, before.category.0 + 1, "{after:?}");
        assert_eq!(after.org.0, before.org.0 + 1, "{after:?}");
        // Proposals followed as made count as taken.
        let taken_before = app.store.routing_feedback(since).await.expect("tally");
        let id = file(&app, &op, "urban.lighting", "路灯不亮了").await;
        dispatch(&op, &id, &fumes).await;
        let taken = app.store.routing_feedback(since).await.expect("tally");
        assert_eq!(taken.category.1, taken_before.category.1 + 1, "{taken:?}");
        assert_eq!(taken.org.1, taken_before.org.1 + 1, "the rule's owner was chosen: {taken:?}");
        // Retraining learns from the corrected cases too.
        let (_, trained) = admin.post("/api/admin/routing/retrain", json!({})).await;
        assert_eq!(trained["examples"], 10);
    }
}

fn urlencode(s: &str) -> String {
    let u = reqwest::Url::parse_with_params("http://x/", &[("q", s)]).expect("url");
    u.query().unwrap_or_default().trim_start_matches("q=").to_owned()
}
