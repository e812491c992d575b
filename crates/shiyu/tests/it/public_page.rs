//! The public community page (`/p/{area}`, `/api/public/areas/{area}`) through the real server on
//! both engines: a village with an open case phoned in with a name and phone, a closed and rated
//! case, and a proposal decided and published; the page shows their kind, dates, progress,
//! ratings, counts and published documents, figures equal to the statistics module's, and not one
//! piece of personal data, to anyone, in either language.

use serde_json::{Value, json};

use crate::common::{TestApp, engines};
use crate::deliberation::{create, meeting, publish, village};
use crate::points::close;

/// Runs of exactly eleven digits starting `1[3-9]`: what a mainland mobile number looks like.
fn mobile_like(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut run = String::new();
    for ch in text.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_digit() {
            run.push(ch);
            continue;
        }
        let b = run.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            found.push(run.clone());
        }
        run.clear();
    }
    found
}

async fn page(app: &TestApp, path: &str, lang: &str) -> (u16, String, Option<String>) {
    let res = reqwest::Client::new().get(app.url(path)).header("accept-language", lang).send().await.expect("request");
    let status = res.status().as_u16();
    let cache = res.headers().get("cache-control").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, res.text().await.expect("body"), cache)
}

#[tokio::test]
async fn the_public_page_shows_how_requests_are_answered_and_no_personal_data() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let village = village(&app).await;
        let operator = app.client("operator").await;
        let resident = app.client("resident").await;
        let admin = app.client("admin").await;

        // Phoned in with a name and phone, and a title and text that repeat them.
        let (s, v) = operator
            .post(
                "/api/cases",
                json!({"ledger": "demand", "category": app.fx.category, "channel": "hotline",
                       "title": "王秀英家门口下水道堵塞", "text": "住东门村3组17号，电话13907310862，请尽快疏通。",
                       "area_code": village.as_str(), "reporter": "contact",
                       "contact": {"name": "王秀英", "phone": "13907310862"}}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let open_id = v["case"]["id"].as_str().expect("id").to_owned();
        let open_number = v["case"]["number"].as_str().expect("number").to_owned();
        operator.ok_mv(&open_id, json!({"move": "accept", "note": "核实住址后交办"})).await;

        // The resident's own report, answered, rated and closed.
        let closed_id = app.new_case(&resident, &village, "村口路灯不亮").await;
        close(&app, &closed_id, "resolved").await;
        let (_, c) = operator.get(&format!("/api/cases/{closed_id}")).await;
        let closed_number = c["case"]["number"].as_str().expect("number").to_owned();
        assert_eq!(c["case"]["state"], "closed", "{c}");

        // A proposal decided by its meetings (members named) and published; a resident comments.
        let pid = create(
            &operator,
            json!({"title": "硬化村东道路", "content": "村东道路雨天泥泞，提议硬化。", "area_code": village.as_str()}),
        )
        .await;
        for (stage, members, present, yes, hours_ago) in [
            ("propose", 5, 5, 5, 50),
            ("discuss", 9, 9, 9, 40),
            ("deliberate", 40, 30, 25, 30),
            ("decide", 30, 20, 11, 20),
        ] {
            let (s, v) = operator
                .post(&format!("/api/proposals/{pid}/moves"), meeting(stage, members, present, yes, hours_ago))
                .await;
            assert_eq!(s, 200, "{stage}: {v}");
        }
        let (s, v) = operator
            .post(
                &format!("/api/proposals/{pid}/moves"),
                publish("publish_resolution", "经村民代表会议表决通过，硬化村东道路。"),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) =
            resident.post(&format!("/api/proposals/{pid}/comments"), json!({"text": "支持硬化，我家就在路边"})).await;
        assert_eq!(s, 200, "{v}");

        // The data, asked by no one in particular.
        let anonymous = app.anonymous();
        let (s, view) = anonymous.get(&format!("/api/public/areas/{village}")).await;
        assert_eq!(s, 200, "{view}");
        assert_eq!(view["area"]["name"], "东门村");
        assert_eq!(view["lists"], true);
        assert_eq!(view["open"], 1, "{engine:?}: one open case in the village");
        let open = view["open_cases"].as_array().expect("open list");
        assert_eq!(open.len(), 1, "{view}");
        assert_eq!(
            (open[0]["category"].as_str(), open[0]["state"].as_str()),
            (Some(app.fx.category.as_str()), Some("accepted"))
        );
        assert_eq!(open[0]["ledger"], "demand");
        let closed = view["closed_cases"].as_array().expect("closed list");
        assert_eq!(closed.len(), 1, "{view}");
        assert_eq!(
            (closed[0]["result"].as_str(), closed[0]["satisfaction"].as_str(), closed[0]["state"].as_str()),
            (Some("resolved"), Some("satisfied"), Some("closed"))
        );
        assert!(closed[0]["closed_on"].is_string(), "{view}");
        let proposal = &view["proposals"][0];
        assert_eq!(proposal["title"], "硬化村东道路");
        assert_eq!(proposal["meetings"].as_array().map(Vec::len), Some(4));
        assert_eq!(
            (proposal["meetings"][3]["present"].as_u64(), proposal["meetings"][3]["yes"].as_u64()),
            (Some(20), Some(11))
        );
        assert_eq!(proposal["documents"][0]["text"], "经村民代表会议表决通过，硬化村东道路。");
        let at: Vec<&str> = proposal["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .filter(|s| s["state"] == "current")
            .filter_map(|s| s["key"].as_str())
            .collect();
        assert_eq!(at, ["publish_result"], "{proposal}");

        // The figures are the statistics module's, for the same area and days.
        for period in view["periods"].as_array().expect("periods") {
            let (from, to) = (period["from"].as_str().expect("from"), period["to"].as_str().expect("to"));
            let (s, stats) = admin.get(&format!("/api/stats/figures?area={village}&from={from}&to={to}")).await;
            assert_eq!(s, 200, "{stats}");
            let figures = period["figures"].as_array().expect("figures");
            assert_eq!(figures.len(), 7);
            for f in figures {
                let same = stats["total"].as_array().expect("total").iter().find(|x| x["figure"] == f["figure"]);
                assert_eq!(same.map(|x| &x["value"]), Some(&f["value"]), "{}: {period} vs {stats}", f["figure"]);
            }
            let received = figures.iter().find(|f| f["figure"] == "received").expect("received");
            assert_eq!(received["value"], 2, "{period}");
            let satisfaction = figures.iter().find(|f| f["figure"] == "satisfaction_rate").expect("rate");
            assert_eq!(satisfaction["value"], 1000, "one rating, satisfied: {period}");
        }

        // No personal data, in the data or on the page, in either language, signed in or not.
        let users = &app.fx.users;
        let private = [
            "王秀英",
            "13907310862",
            "139****0862",
            "下水道",
            "3组17号",
            "路灯",
            "已处理",
            "核实住址",
            "成员0",
            "会议记录",
            "我家就在路边",
            open_number.as_str(),
            closed_number.as_str(),
            open_id.as_str(),
            closed_id.as_str(),
            users["resident"].name.as_str(),
            users["operator"].name.as_str(),
            users["handler"].name.as_str(),
            users["leader"].name.as_str(),
        ];
        let json_text = view.to_string();
        let (s, zh, cache) = page(&app, &format!("/p/{village}"), "zh-CN").await;
        assert_eq!(s, 200);
        assert_eq!(cache.as_deref(), Some("public, max-age=60"), "an anonymous page may be kept a minute");
        let (s, en, _) = page(&app, &format!("/p/{village}"), "en").await;
        assert_eq!(s, 200);
        let signed_in = String::from_utf8(resident.bytes(&format!("/p/{village}")).await).expect("utf-8");
        // The frame greets a signed-in reader by name; the page below it is the same for all.
        let signed_in = signed_in.split_once("<main").map(|(_, main)| main.to_owned()).expect("a main element");
        for (what, text) in [("json", &json_text), ("zh", &zh), ("en", &en), ("resident's", &signed_in)] {
            for p in private {
                assert!(!text.contains(p), "{engine:?}: the {what} page shows {p}");
            }
            assert_eq!(mobile_like(text), Vec::<String>::new(), "{engine:?}: the {what} page");
        }
        // What it does show, in the reader's language.
        assert!(zh.contains("东门村") && zh.contains("硬化村东道路") && zh.contains("经村民代表会议表决通过"), "{zh}");
        assert!(zh.contains("满意") && zh.contains("办理中的诉求"), "{zh}");
        assert!(en.contains("Requests being handled") && en.contains("Satisfied"), "{en}");

        // A grid leads to its community's page; a street's page links down and lists no cases.
        let no_redirect =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let res = no_redirect.get(app.url(&format!("/p/{}", app.fx.grid))).send().await.expect("grid");
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(
            res.headers().get("location").and_then(|l| l.to_str().ok()),
            Some(format!("/p/{}", app.fx.community).as_str())
        );
        let res = no_redirect.get(app.url("/p")).send().await.expect("root");
        assert_eq!(
            res.headers().get("location").and_then(|l| l.to_str().ok()),
            Some(format!("/p/{}", app.fx.city).as_str())
        );
        let (s, street) = anonymous.get(&format!("/api/public/areas/{}", app.fx.street)).await;
        assert_eq!(s, 200, "{street}");
        assert_eq!(street["lists"], false);
        assert_eq!(street["open_cases"], json!([]));
        let children: Vec<&str> =
            street["children"].as_array().expect("children").iter().filter_map(|c| c["code"].as_str()).collect();
        assert!(children.contains(&village.as_str()) && children.contains(&app.fx.community.as_str()), "{street}");
        assert_eq!(street["open"], 1, "the street counts the village's open case: {street}");
        let row =
            street["children"].as_array().and_then(|c| c.iter().find(|c| c["code"] == village.as_str())).expect("row");
        let received =
            row["figures"].as_array().and_then(|f| f.iter().find(|f| f["figure"] == "received")).expect("received");
        assert_eq!(received["value"], 2, "the village's row counts its cases: {row}");
        assert_eq!(street["proposals"][0]["title"], "硬化村东道路");

        // Bad codes name the field; an unknown area is not found.
        let error = |v: &Value| {
            (v["error"]["field"].as_str().map(str::to_owned), v["error"]["reason"].as_str().map(str::to_owned))
        };
        let (s, v) = anonymous.get("/api/public/areas/12345").await;
        assert_eq!((s, error(&v)), (422, (Some("area".into()), Some("not_an_area_code".into()))), "{v}");
        let (s, v) = anonymous.get(&format!("/api/public/areas/{}", app.fx.grid)).await;
        assert_eq!((s, error(&v)), (422, (Some("area".into()), Some("below_public_page".into()))), "{v}");
        let (s, _) = anonymous.get("/api/public/areas/439901001299").await;
        assert_eq!(s, 404);
        let (s, zh_error, _) = page(&app, "/p/12345", "zh-CN").await;
        assert_eq!(s, 422);
        assert!(zh_error.contains("区域"), "the page names the field in Chinese: {zh_error}");
    }
}
