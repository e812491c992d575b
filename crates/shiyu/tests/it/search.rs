//! Chinese full-text search (`/api/search`, `/search`): words found inside longer sentences
//! however the dictionary cut them, filters, the caller's scope, highlighted snippets, and an
//! index rebuilt from the database when its folder is lost or damaged.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Client, PASSWORD, TestApp, engines};

/// Registers a case with a title and text as `who` (at `area`) and returns (id, number).
async fn case(app: &TestApp, who: &Client, area: &str, title: &str, text: &str) -> (String, String) {
    let (s, body) = who
        .post(
            "/api/cases",
            json!({"ledger": "demand", "category": app.fx.category, "channel": "web", "title": title,
                   "text": text, "area_code": area}),
        )
        .await;
    assert_eq!(s, 201, "create case: {body}");
    (body["case"]["id"].as_str().expect("id").to_owned(), body["case"]["number"].as_str().expect("number").to_owned())
}

fn query(q: &str, extra: &str) -> String {
    let q: String = form_urlencoded_pair("q", q);
    format!("/api/search?{q}{extra}")
}

fn form_urlencoded_pair(k: &str, v: &str) -> String {
    let mut out = format!("{k}=");
    for b in v.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(b) {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Searches until the answer has `want` hits (the index may lag the database by a moment).
async fn until(who: &Client, path: &str, want: usize) -> Value {
    let started = Instant::now();
    loop {
        let (s, v) = who.get(path).await;
        assert_eq!(s, 200, "{path}: {v}");
        if v["hits"].as_array().map_or(0, Vec::len) == want && v["complete"] == true {
            return v;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{path}: wanted {want} hits, got {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ids(v: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        v["hits"].as_array().into_iter().flatten().filter_map(|h| h["id"].as_str().map(str::to_owned)).collect();
    out.sort();
    out
}

/// Signs in against a server at `base` (a restarted one).
async fn sign_in(base: &str, app: &TestApp, who: &str) -> Client {
    let user = app.fx.users.get(who).expect("user");
    let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let res = http
        .post(format!("{base}/api/login"))
        .json(&json!({"username": user.username, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let body: Value = res.json().await.expect("login body");
    Client { http, base: base.to_owned(), csrf: body["csrf"].as_str().unwrap_or_default().to_owned(), token: None }
}

#[tokio::test]
async fn search_finds_words_inside_sentences_within_scope_and_marks_them() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let operator = app.client("operator").await;
        let grid = app.fx.grid.as_str();
        let (lamp, lamp_no) =
            case(&app, &resident, grid, "路灯坏了", "小区门口的路灯已经坏了三天，晚上出行很不安全。").await;
        // jieba cuts "路灯不亮" as 路 / 灯不亮: found by its character pairs.
        let (dark, _) = case(&app, &resident, grid, "路灯不亮", "晚上一片漆黑，老人出门不方便。").await;
        let (drain, _) = case(&app, &resident, grid, "下水道堵塞", "楼下下水道堵塞，污水外溢，气味很大。").await;
        let resident2 = app.client("resident2").await;
        let (other, _) =
            case(&app, &resident2, app.fx.grid2.as_str(), "路灯故障", "另一条街道的路灯也不亮了，请维修。").await;

        // A word inside a longer sentence, in every case that has it, and marked.
        let v = until(&operator, &query("路灯", ""), 2).await;
        assert_eq!(ids(&v), {
            let mut e = vec![lamp.clone(), dark.clone()];
            e.sort();
            e
        });
        let hit = v["hits"].as_array().expect("hits").iter().find(|h| h["id"] == lamp.as_str()).expect("lamp").clone();
        assert_eq!(hit["number"], lamp_no.as_str());
        assert!(hit["snippet_html"].as_str().expect("snippet").contains("<mark>路灯</mark>"), "{hit}");
        assert!(hit["title_html"].as_str().expect("title").contains("<mark>路灯</mark>"), "{hit}");
        // Several words, each somewhere in the text; a part of a longer word; a number.
        assert_eq!(ids(&until(&operator, &query("门口 路灯 三天", ""), 1).await), vec![lamp.clone()]);
        assert_eq!(ids(&until(&operator, &query("水道", ""), 1).await), vec![drain.clone()]);
        assert_eq!(ids(&until(&operator, &query(&lamp_no, ""), 1).await), vec![lamp.clone()]);
        assert_eq!(until(&operator, &query("燃气泄漏", ""), 0).await["total"], 0);

        // Scope: another street's operator sees only theirs, the city sees all, residents their own.
        assert_eq!(ids(&until(&app.client("operator2").await, &query("路灯", ""), 1).await), vec![other.clone()]);
        assert_eq!(until(&app.client("city_operator").await, &query("路灯", ""), 3).await["total"], 3);
        assert_eq!(ids(&until(&resident2, &query("路灯", ""), 1).await), vec![other.clone()]);
        // A department handler: only what was dispatched to its organisation.
        let handler = app.client("handler").await;
        assert_eq!(until(&handler, &query("路灯", ""), 0).await["total"], 0);
        operator.ok_mv(&lamp, json!({"move": "accept", "note": ""})).await;
        operator.ok_mv(&lamp, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        assert_eq!(ids(&until(&handler, &query("路灯", ""), 1).await), vec![lamp.clone()], "re-indexed after the move");
        assert_eq!(until(&app.client("handler2").await, &query("路灯", ""), 0).await["total"], 0);

        // Filters: state, area, organisation, dates, kind; an empty question lists by filters.
        assert_eq!(ids(&until(&operator, &query("路灯", "&state=dispatched"), 1).await), vec![lamp.clone()]);
        assert_eq!(ids(&until(&operator, &query("路灯", "&state=registered"), 1).await), vec![dark.clone()]);
        let city = app.client("city_operator").await;
        let street2 = format!("&area={}", app.fx.street2.as_str());
        assert_eq!(ids(&until(&city, &query("路灯", &street2), 1).await), vec![other.clone()]);
        assert_eq!(ids(&until(&city, &query("", &format!("&org={}", app.fx.dept.id)), 1).await), vec![lamp.clone()]);
        let today = shiyu_domain::time::local_date(chrono::Utc::now());
        let yesterday = today.pred_opt().expect("day");
        assert_eq!(until(&city, &query("路灯", &format!("&to={yesterday}")), 0).await["total"], 0);
        assert_eq!(until(&city, &query("路灯", &format!("&from={today}&to={today}")), 3).await["total"], 3);
        assert_eq!(until(&city, &query("路灯", "&kind=dispute"), 0).await["total"], 0);
        assert_eq!(until(&city, &query("", ""), 4).await["total"], 4);

        // Bad parameters are named.
        let (s, v) = operator.get("/api/search?q=x&area=abc").await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("area_code")), "{v}");
        let (s, v) = operator.get("/api/search?q=x&limit=1000").await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("limit")), "{v}");
        let (s, v) = operator.get("/api/search?q=x&state=lost").await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("state")), "{v}");
        assert_eq!(app.anonymous().get("/api/search?q=x").await.0, 401);

        // The page shows the hits with the words marked.
        let (s, page) = operator.get(&format!("/search?{}", form_urlencoded_pair("q", "路灯"))).await;
        assert_eq!(s, 200);
        let page = page.as_str().unwrap_or_default().to_owned();
        assert!(page.contains("<mark>路灯</mark>") && page.contains(&lamp_no), "{page}");
        assert!(!page.contains("另一条街道"), "another street's case on the page");
    }
}

#[tokio::test]
async fn search_covers_disputes_by_their_facts_for_those_who_may_read_them() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let village = app.client("village_mediator").await;
        let (s, v) = village
            .post(
                "/api/disputes",
                json!({"title": "院墙占地纠纷", "facts": "李四翻建院墙占用张三宅基地约半米，双方争执不下。", "dispute_type": "land",
                       "risk": "blue", "source": "application", "area_code": app.fx.grid.as_str(), "money_yuan": "",
                       "parties": [{"role": "applicant", "kind": "person", "name": "张三"},
                                   {"role": "respondent", "kind": "person", "name": "李四"}]}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let id = v["id"].as_str().expect("id").to_owned();
        let v = until(&village, &query("宅基地", ""), 1).await;
        assert_eq!(ids(&v), vec![id.clone()]);
        assert_eq!(v["hits"][0]["kind"], "dispute");
        assert!(v["hits"][0]["snippet_html"].as_str().unwrap_or_default().contains("<mark>宅基地</mark>"), "{v}");
        assert_eq!(ids(&until(&village, &query("宅基地", "&kind=dispute&category=land"), 1).await), vec![id.clone()]);
        // Another street's operator may not read it; a handler reads no disputes.
        assert_eq!(until(&app.client("operator2").await, &query("宅基地", ""), 0).await["total"], 0);
        assert_eq!(until(&app.client("handler").await, &query("宅基地", ""), 0).await["total"], 0);
        assert_eq!(ids(&until(&app.client("operator").await, &query("院墙", ""), 1).await), vec![id]);
    }
}

#[tokio::test]
async fn search_survives_losing_or_damaging_its_index() {
    for engine in engines() {
        let mut app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let grid = app.fx.grid.to_string();
        let grid = grid.as_str();
        for (title, text) in [
            ("路灯坏了", "小区门口的路灯已经坏了三天。"),
            ("路灯不亮", "晚上一片漆黑。"),
            ("占道经营", "菜市场门口流动摊贩占道经营，路灯下堆满杂物。"),
            ("噪音扰民", "楼下饭店深夜噪音扰民。"),
        ] {
            case(&app, &resident, grid, title, text).await;
        }
        let operator = app.client("operator").await;
        let before = until(&operator, &query("路灯", ""), 3).await;
        let all = until(&operator, &query("", ""), 4).await;

        // The folder deleted while stopped: the restarted server rebuilds it from the database.
        app.stop().await;
        let index = app.dir.path().join("search");
        assert!(index.join("shiyu-schema-version").exists(), "the index lives in DATA/search");
        std::fs::remove_dir_all(&index).expect("delete index");
        let running = shiyu::app::start(app.store.clone(), app.dir.path().to_path_buf(), "127.0.0.1:0", |c| {
            c.report_schedule = false
        })
        .await
        .expect("restart");
        let base = format!("http://{}", running.addr);
        let op = sign_in(&base, &app, "operator").await;
        let after = until(&op, &query("路灯", ""), 3).await;
        assert_eq!(ids(&after), ids(&before));
        assert_eq!(ids(&until(&op, &query("", ""), 4).await), ids(&all));
        // Still kept current after the rebuild.
        let (new, _) = case(&app, &sign_in(&base, &app, "resident").await, grid, "路灯闪烁", "路灯一直闪烁。").await;
        assert!(ids(&until(&op, &query("路灯", ""), 4).await).contains(&new));
        let _ = running.shutdown.send(());
        let _ = running.handle.await;

        // A damaged index (its metadata overwritten) is started afresh and rebuilt too.
        std::fs::write(index.join("meta.json"), b"not json").expect("damage");
        let running = shiyu::app::start(app.store.clone(), app.dir.path().to_path_buf(), "127.0.0.1:0", |c| {
            c.report_schedule = false
        })
        .await
        .expect("restart");
        let op = sign_in(&format!("http://{}", running.addr), &app, "operator").await;
        assert_eq!(until(&op, &query("路灯", ""), 4).await["total"], 4);
        assert_eq!(until(&op, &query("", ""), 5).await["total"], 5);
        let _ = running.shutdown.send(());
        let _ = running.handle.await;
    }
}

#[tokio::test]
async fn search_rebuilds_when_rows_were_written_around_the_outbox() {
    // An index whose "indexed up to" mark is current but which misses rows (a bulk load, a
    // restore) is rebuilt at start because its counts differ from the tables'.
    for engine in engines() {
        let mut app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        case(&app, &resident, app.fx.grid.as_str(), "井盖丢失", "路口井盖丢失，很危险。").await;
        let operator = app.client("operator").await;
        until(&operator, &query("井盖", ""), 1).await;
        app.stop().await;
        // Forget every document but keep the mark.
        {
            let ix = shiyu::search::open(app.dir.path()).expect("open");
            let p = ix.progress();
            ix.clear(&p).expect("clear");
            assert_eq!(ix.count(shiyu_search::DocKind::Case).expect("count"), 0);
        }
        let running = shiyu::app::start(app.store.clone(), app.dir.path().to_path_buf(), "127.0.0.1:0", |c| {
            c.report_schedule = false
        })
        .await
        .expect("restart");
        let op = sign_in(&format!("http://{}", running.addr), &app, "operator").await;
        assert_eq!(until(&op, &query("井盖", ""), 1).await["total"], 1);
        let _ = running.shutdown.send(());
        let _ = running.handle.await;
    }
}
