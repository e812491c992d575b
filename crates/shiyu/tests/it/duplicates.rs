//! Duplicates at intake: the reports of one matter are proposed first, with their reasons, only
//! inside the caller's scope; a report merged at intake is folded into the earlier case, and its
//! reporter hears that case's answer.

use serde_json::{Value, json};

use crate::common::{Client, TestApp, engines};

async fn report(app: &TestApp, who: &Client, title: &str, lon: f64, lat: f64) -> Value {
    let (s, body) = who
        .post(
            "/api/cases",
            json!({"ledger": "demand", "category": app.fx.category, "channel": "web", "title": title,
                   "text": format!("{title}，请尽快处理。"), "area_code": app.fx.grid.as_str(),
                   "location": {"lon": lon, "lat": lat}}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body["case"].clone()
}

fn query(pairs: &[(&str, &str)]) -> String {
    let u = reqwest::Url::parse_with_params("http://x/", pairs).expect("url");
    u.query().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_cluster_of_one_matter_is_proposed_first_and_a_merged_reporter_hears_the_answer() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let op = app.client("operator").await;
        let resident = app.client("resident").await;
        // The cluster: one broken streetlight reported five times within a few dozen metres.
        let mut cluster = Vec::new();
        for (i, words) in [
            "幸福路口路灯不亮",
            "幸福路口的路灯坏了",
            "路灯不亮，幸福路口很黑",
            "幸福路口路灯一直不亮",
            "幸福路口路灯坏了三天",
        ]
        .iter()
        .enumerate()
        {
            let c = report(&app, &op, words, 113.02 + i as f64 * 0.0001, 28.1).await;
            cluster.push(c["number"].as_str().expect("number").to_owned());
        }
        // Other matters nearby, and the same words far away in the other grid of the street.
        for (words, lon) in
            [("楼道堆放杂物", 113.02), ("小区噪音扰民", 113.021), ("水管漏水", 113.0205), ("幸福路口路灯不亮", 113.07)]
        {
            report(&app, &op, words, lon, 28.1).await;
        }
        let path = format!(
            "/api/cases/duplicates?{}",
            query(&[
                ("text", "幸福路口路灯不亮了"),
                ("area", app.fx.grid.as_str()),
                ("lon", "113.0202"),
                ("lat", "28.1")
            ])
        );
        let (s, found) = op.get(&path).await;
        assert_eq!(s, 200, "{found}");
        let numbers: Vec<String> =
            found.as_array().expect("list").iter().map(|d| d["number"].as_str().expect("n").to_owned()).collect();
        assert_eq!(numbers.len(), 5, "{found}");
        let mut expected = cluster.clone();
        expected.sort();
        let mut got = numbers.clone();
        got.sort();
        assert_eq!(got, expected, "the cluster, and only it, is proposed: {found}");
        let reasons = found[0]["reasons"].as_array().expect("reasons");
        assert!(reasons.iter().any(|r| r.as_str().is_some_and(|r| r.contains("米"))), "{found}");
        assert!(reasons.iter().any(|r| r.as_str().is_some_and(|r| r.contains("文字相似"))), "{found}");
        let scores: Vec<f64> =
            found.as_array().expect("list").iter().map(|d| d["score"].as_f64().expect("s")).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked: {scores:?}");
        // Another street's operator sees none of them; residents may not ask.
        let other = app.client("operator2").await;
        assert_eq!(other.get(&path).await.1, json!([]));
        assert_eq!(resident.get(&path).await.0, 403);

        // The intake screen offers them, and merging there folds the new report in.
        let frag = format!(
            "/cases/new/duplicates?{}",
            query(&[
                ("title", "幸福路口路灯又不亮"),
                ("text", ""),
                ("area_code", app.fx.grid.as_str()),
                ("lon", "113.0201"),
                ("lat", "28.1")
            ])
        );
        let (s, html) = op.get(&frag).await;
        assert_eq!(s, 200);
        let html = html.as_str().expect("html").to_owned();
        assert!(html.contains(&format!("value=\"{}\"", cluster[0])), "{html}");
        let main = cluster[0].clone();
        let res = op
            .http
            .post(app.url("/cases/new"))
            .form(&[
                ("_csrf", op.csrf.as_str()),
                ("ledger", "demand"),
                ("category", app.fx.category.as_str()),
                ("channel", "hotline"),
                ("urgency", "normal"),
                ("title", "幸福路口路灯又不亮"),
                ("text", "幸福路口路灯又不亮了"),
                ("area_code", app.fx.grid.as_str()),
                ("merge_into", main.as_str()),
            ])
            .send()
            .await
            .expect("post");
        assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
        let (_, main_case) = op.get(&format!("/api/cases/by-number/{main}")).await;
        let main_id = main_case["case"]["id"].as_str().expect("id").to_owned();
        assert!(res.url().path().ends_with(&main_id), "the operator lands on the earlier case: {}", res.url());

        // A resident's own report of the same matter, merged into the main case.
        let (s, mine) = resident
            .post(
                "/api/cases",
                json!({"ledger": "demand", "category": app.fx.category, "channel": "mobile", "title": "幸福路口路灯坏了",
                       "text": "幸福路口路灯坏了，晚上很黑", "area_code": app.fx.grid.as_str()}),
            )
            .await;
        assert_eq!(s, 201, "{mine}");
        let mine_id = mine["case"]["id"].as_str().expect("id").to_owned();
        let (s, body) = op
            .post(
                &format!("/api/cases/{mine_id}/moves"),
                json!({"move": "merge", "into": main_id, "into_number": main, "reason": "同一路灯"}),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["case"]["state"], "merged");
        // The main case is handled and verified: the merged reporter hears the result.
        let handler = app.client("handler").await;
        let leader = app.client("leader").await;
        let mv = |who: &'static str, m: Value| (who, m);
        for (who, m) in [
            mv("operator", json!({"move": "accept", "note": ""})),
            mv("operator", json!({"move": "dispatch", "lead": app.fx.dept.id.to_string(), "co": [], "note": ""})),
            mv("handler", json!({"move": "sign"})),
            mv("handler", json!({"move": "report_result", "outcome": "resolved", "text": "已更换灯具，路灯恢复照明"})),
            mv("leader", json!({"move": "verify", "note": ""})),
        ] {
            let c = match who {
                "operator" => &op,
                "handler" => &handler,
                _ => &leader,
            };
            let (s, body) = c.post(&format!("/api/cases/{main_id}/moves"), m).await;
            assert_eq!(s, 200, "{who}: {body}");
        }
        let (_, notes) = resident.get("/api/notifications").await;
        let texts: Vec<String> = notes
            .as_array()
            .map(|a| a.iter().map(|n| n["body"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default();
        assert!(
            texts.iter().any(|t| t.contains("已并入")
                && t.contains("已更换灯具")
                && t.contains(mine["case"]["number"].as_str().expect("n"))),
            "{notes}"
        );
    }
}
