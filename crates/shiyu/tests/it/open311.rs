//! Open311 GeoReport v2 (and servicerequestupdates) end to end on the real server: a request
//! filed through a client becomes a case on the normal path and is followed in both formats;
//! every refusal is an error list whose code is the HTTP status and changes nothing; and a
//! published client (PyPI's georeport) reads it unmodified.

use chrono::Utc;
use serde_json::Value;
use shiyu_domain::case::{CaseState, Channel, Move, Reporter};
use shiyu_domain::open311::{AttributeDef, Choice, Datatype};
use shiyu_domain::scope::Scope;

use crate::common::{TestApp, engines};

const V2: &str = "/open311/v2";

/// A refusal to provoke: what, method, path, parameters, status, words the description holds.
type Refused = (&'static str, reqwest::Method, String, Vec<(String, String)>, u16, &'static str);

fn questions() -> Vec<AttributeDef> {
    vec![
        AttributeDef {
            code: "facility".into(),
            datatype: Datatype::Singlevaluelist,
            required: true,
            variable: true,
            order: 1,
            description: "损坏的设施".into(),
            datatype_description: String::new(),
            values: vec![
                Choice { key: "roof".into(), name: "屋顶".into() },
                Choice { key: "pipe".into(), name: "管道".into() },
            ],
        },
        AttributeDef {
            code: "count".into(),
            datatype: Datatype::Number,
            required: false,
            variable: true,
            order: 2,
            description: "数量".into(),
            datatype_description: String::new(),
            values: vec![],
        },
    ]
}

/// The fixture city with the questions set and a connected client; returns its api_key.
async fn connected(app: &TestApp) -> String {
    app.store.set_service_attributes(&app.fx.category, &questions()).await.expect("questions");
    app.store.create_open311_client("测试客户端", &app.fx.city, Utc::now()).await.expect("client").1
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn call(app: &TestApp, method: reqwest::Method, path: &str, form: &[(&str, &str)], lang: &str) -> Answer {
    let http = reqwest::Client::new();
    let mut req = http.request(method.clone(), app.url(&format!("{V2}{path}"))).header("accept-language", lang);
    req = if method == reqwest::Method::POST { req.form(form) } else { req.query(form) };
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    Answer { status, content_type, body: res.text().await.expect("body") }
}

async fn get(app: &TestApp, path: &str, query: &[(&str, &str)]) -> Answer {
    call(app, reqwest::Method::GET, path, query, "zh-CN").await
}

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> Answer {
    call(app, reqwest::Method::POST, path, form, "zh-CN").await
}

/// The text of `root/…/name` elements, in document order.
fn xml_texts(body: &str, root: &str, name: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("not XML ({e}): {body}"));
    assert_eq!(doc.root_element().tag_name().name(), root, "{body}");
    doc.descendants().filter(|n| n.has_tag_name(name)).map(|n| n.text().unwrap_or_default().to_owned()).collect()
}

fn w3c_whole_seconds(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 25
        && s.ends_with("+08:00")
        && b[4] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[19] == b'+'
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[tokio::test]
async fn a_request_is_filed_followed_and_updated_in_both_formats() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let key = connected(&app).await;
        let code = app.fx.category.clone();

        // Discovery and services.
        let d = get(&app, "/discovery.json", &[]).await;
        assert_eq!(d.status, 200);
        assert!(d.content_type.starts_with("application/json"), "{}", d.content_type);
        assert_eq!(d.json()["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
        assert_eq!(d.json()["endpoints"][0]["formats"], serde_json::json!(["text/xml", "application/json"]));
        let dx = get(&app, "/discovery.xml", &[]).await;
        assert!(dx.content_type.starts_with("text/xml"));
        assert!(dx.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert_eq!(xml_texts(&dx.body, "discovery", "format"), ["text/xml", "application/json"]);

        let s = get(&app, "/services.json", &[]).await.json();
        let ours = s.as_array().expect("list").iter().find(|x| x["service_code"] == code.as_str()).expect("service");
        assert_eq!(ours["metadata"], true);
        assert_eq!(ours["type"], "realtime");
        assert_eq!(ours["service_name"], "房屋维修");
        let top = s.as_array().expect("list").iter().find(|x| x["service_code"] == "urban").expect("top");
        assert_eq!(top["metadata"], false, "no questions, no metadata");
        assert!(xml_texts(&get(&app, "/services.xml", &[]).await.body, "services", "service_code").contains(&code));

        let def = get(&app, &format!("/services/{code}.json"), &[]).await.json();
        assert_eq!(def["service_code"], code.as_str());
        assert_eq!(def["attributes"][0]["code"], "facility");
        assert_eq!(def["attributes"][0]["datatype"], "singlevaluelist");
        assert_eq!(def["attributes"][0]["required"], true);
        assert_eq!(def["attributes"][0]["values"][1]["key"], "pipe");
        assert!(def["attributes"][1].get("values").is_none(), "values only for lists");
        let defx = get(&app, &format!("/services/{code}.xml"), &[]).await.body;
        assert_eq!(xml_texts(&defx, "service_definition", "key"), ["roof", "pipe"]);

        // File one request by point (api_key in the body) and one by area code (in the query).
        let by_point = post(
            &app,
            "/requests.json",
            &[
                ("api_key", key.as_str()),
                ("service_code", &code),
                ("lat", "28.1234567"),
                ("long", "113.0234567"),
                ("description", "屋顶漏水\n三楼东户，下雨就漏"),
                ("attribute[facility]", "roof"),
                ("attribute[count]", "2"),
                ("first_name", "三"),
                ("last_name", "张"),
                ("phone", "13800001234"),
                ("account_id", "acc-7"),
            ],
        )
        .await;
        assert_eq!(by_point.status, 200, "{}", by_point.body);
        let filed = by_point.json();
        let number = filed[0]["service_request_id"].as_str().expect("id").to_owned();
        assert_eq!(filed[0]["account_id"], "acc-7");
        assert!(filed[0].get("token").is_none(), "realtime: an id, never both");
        let url = format!("{V2}/requests.xml?api_key={key}");
        let res = reqwest::Client::new()
            .post(app.url(&url))
            .form(&[
                ("service_code", code.as_str()),
                ("address_id", app.fx.grid_b.as_str()),
                ("attribute[facility]", "pipe"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 200);
        let xml = res.text().await.expect("xml");
        let second = xml_texts(&xml, "service_requests", "service_request_id").pop().expect("id");

        // Both are cases on the normal path: placed, external, the answers kept.
        let city = Scope::Subtree(app.fx.city.clone());
        let case = app
            .store
            .case_by_number(&city, &shiyu_domain::ids::CaseNumber::parse(&number).expect("number"))
            .await
            .expect("case");
        assert_eq!(case.case.area, app.fx.grid, "placed by its point");
        assert_eq!(case.case.channel, Channel::External);
        assert_eq!(case.case.reporter, Reporter::Contact);
        assert_eq!(case.case.state, CaseState::Registered);
        assert_eq!(case.case.title, "屋顶漏水");
        assert!(case.case.text.contains("损坏的设施：roof"), "{}", case.case.text);
        let answers = app.store.case_answers(case.case.id).await.expect("answers");
        assert_eq!(answers.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(), ["count", "facility"]);
        let other = app
            .store
            .case_by_number(&city, &shiyu_domain::ids::CaseNumber::parse(&second).expect("number"))
            .await
            .expect("case");
        assert_eq!(other.case.area, app.fx.grid_b, "placed by its address_id");

        // Read back: anyone sees the title and a rounded point; the filing client its own text.
        let one = get(&app, &format!("/requests/{number}.json"), &[]).await.json();
        assert_eq!(one.as_array().map(Vec::len), Some(1), "a list of one");
        assert_eq!(one[0]["status"], "open");
        assert_eq!(one[0]["service_code"], code.as_str());
        assert_eq!(one[0]["description"], "屋顶漏水");
        assert_eq!(one[0]["lat"], 28.123);
        assert_eq!(one[0]["address_id"], app.fx.grid.as_str());
        assert!(one[0]["address"].as_str().expect("address").contains("东门社区第一网格"));
        let requested = one[0]["requested_datetime"].as_str().expect("date");
        assert!(w3c_whole_seconds(requested), "{requested}");
        let own = get(&app, &format!("/requests/{number}.json"), &[("api_key", &key)]).await.json();
        assert_eq!(own[0]["lat"], 28.1234567);
        assert!(own[0]["description"].as_str().expect("text").contains("三楼东户"));
        let onex = get(&app, &format!("/requests/{number}.xml"), &[]).await.body;
        assert_eq!(xml_texts(&onex, "service_requests", "status"), ["open"]);

        // Filters: service, status, ids (comma-delimited, overriding the rest).
        let listed = |v: Value| -> Vec<String> {
            v.as_array()
                .expect("list")
                .iter()
                .map(|r| r["service_request_id"].as_str().expect("id").to_owned())
                .collect()
        };
        let open = listed(get(&app, "/requests.json", &[("service_code", &code), ("status", "open")]).await.json());
        assert!(open.contains(&number) && open.contains(&second), "{open:?}");
        assert!(listed(get(&app, "/requests.json", &[("status", "closed")]).await.json()).is_empty());
        assert!(listed(get(&app, "/requests.json", &[("service_code", "urban")]).await.json()).is_empty());
        let ids = format!("{number},{second}");
        let both =
            listed(get(&app, "/requests.json", &[("service_request_id", &ids), ("status", "closed")]).await.json());
        assert_eq!(both.len(), 2, "ids override the other filters");
        let token = get(&app, &format!("/tokens/{number}.json"), &[]).await.json();
        assert_eq!(token[0]["service_request_id"], number.as_str());

        // A complaint (投诉举报) filed elsewhere is not listed to clients.
        // Filed at the city by the client's account, so the city centre acts on it.
        let op = app.fx.users["city_operator"].principal();
        let complaint = shiyu_domain::case::Intake {
            ledger: shiyu_domain::case::Ledger::Complaint,
            category: shiyu_domain::case::CategoryCode::parse(&code).expect("category"),
            channel: Channel::Hotline,
            urgency: shiyu_domain::case::Urgency::Normal,
            title: "邻居噪音扰民".into(),
            text: "邻居夜间噪音扰民".into(),
            area: app.fx.grid.clone(),
            location: None,
            off_grid: false,
            reporter: Reporter::Anonymous,
            attachments: vec![],
        };
        let hidden = app.store.register_case(&op, complaint, None, Utc::now()).await.expect("complaint");
        let all = listed(get(&app, "/requests.json", &[]).await.json());
        assert!(!all.contains(&hidden.number.to_string()), "complaints are not published");
        assert_eq!(get(&app, &format!("/requests/{}.json", hidden.number), &[]).await.status, 404);

        // The centre accepts: an update with its extended status.
        app.store
            .apply_move(&op, case.case.id, Move::Accept { note: String::new() }, Utc::now())
            .await
            .expect("accept");
        let ups = get(&app, "/servicerequestupdates.json", &[]).await.json();
        let mine: Vec<&Value> =
            ups.as_array().expect("list").iter().filter(|u| u["service_request_id"] == number.as_str()).collect();
        assert_eq!(mine.len(), 1, "{ups}");
        assert_eq!(mine[0]["status"], "action_scheduled");
        assert!(w3c_whole_seconds(mine[0]["updated_datetime"].as_str().expect("at")));
        let upsx = get(&app, "/servicerequestupdates.xml", &[]).await.body;
        assert!(xml_texts(&upsx, "service_request_updates", "status").contains(&"action_scheduled".to_owned()));

        // The client adds information, once per its update id.
        let form = [
            ("api_key", key.as_str()),
            ("service_request_id", number.as_str()),
            ("update_id", "fms-1"),
            ("status", "OPEN"),
            ("updated_datetime", "2026-11-23T10:00:00Z"),
            ("description", "楼上也开始漏了"),
        ];
        let first = post(&app, "/servicerequestupdates.json", &form).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let again = post(&app, "/servicerequestupdates.json", &form).await;
        assert_eq!(first.json()[0]["update_id"], again.json()[0]["update_id"], "the same update twice is one");
        let events = app.store.case_history(&city, case.case.id).await.expect("history");
        let comments: Vec<&Move> =
            events.iter().map(|e| &e.change).filter(|m| matches!(m, Move::Comment { .. })).collect();
        assert_eq!(comments, [&Move::Comment { text: "楼上也开始漏了".into() }]);
        let ups = get(&app, "/servicerequestupdates.json", &[]).await.json();
        assert!(ups.as_array().expect("list").iter().any(|u| u["description"] == "楼上也开始漏了"));
    }
}

#[tokio::test]
async fn every_refusal_is_an_error_list_with_the_status_as_code_and_changes_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let key = connected(&app).await;
        let code = app.fx.category.clone();
        let city = Scope::Subtree(app.fx.city.clone());
        let count =
            || async { app.store.state_counts(&city).await.expect("counts").iter().map(|(_, n)| n).sum::<i64>() };
        let before = count().await;
        let good = |extra: &[(&'static str, &'static str)]| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = vec![
                ("api_key".into(), key.clone()),
                ("service_code".into(), code.clone()),
                ("lat".into(), "28.1".into()),
                ("long".into(), "113.02".into()),
                ("attribute[facility]".into(), "roof".into()),
            ];
            for (k, val) in extra {
                v.retain(|(name, _)| name != k);
                if !val.is_empty() {
                    v.push(((*k).into(), (*val).into()));
                }
            }
            v
        };
        // (what, method, path, params, status, words the description must hold)
        let cases: Vec<Refused> = vec![
            ("no key", reqwest::Method::POST, "/requests.json".into(), good(&[("api_key", "")]), 403, "api_key"),
            ("wrong key", reqwest::Method::POST, "/requests.json".into(), good(&[("api_key", "nope")]), 403, "api_key"),
            (
                "no service",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("service_code", "")]),
                400,
                "服务代码",
            ),
            (
                "unknown service",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("service_code", "no.such")]),
                404,
                "服务代码",
            ),
            (
                "no place",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("lat", ""), ("long", "")]),
                400,
                "位置",
            ),
            ("half a point", reqwest::Method::POST, "/requests.json".into(), good(&[("long", "")]), 400, "经度"),
            (
                "lat not a number",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("lat", "north")]),
                400,
                "纬度",
            ),
            (
                "unknown area",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("lat", ""), ("long", ""), ("address_id", "439999999999")]),
                400,
                "地址编号",
            ),
            (
                "required answer",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("attribute[facility]", "")]),
                400,
                "附加信息[facility]",
            ),
            (
                "not a choice",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("attribute[facility]", "door")]),
                400,
                "不是可选值之一",
            ),
            (
                "not a number",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("attribute[count]", "many")]),
                400,
                "附加信息[count]",
            ),
            (
                "unknown attribute",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("attribute[colour]", "red")]),
                400,
                "附加信息[colour]",
            ),
            (
                "bad media",
                reqwest::Method::POST,
                "/requests.json".into(),
                good(&[("media_url", "javascript:alert(1)")]),
                400,
                "图片链接",
            ),
            (
                "unknown request",
                reqwest::Method::GET,
                "/requests/2026-0101-999999.json".into(),
                vec![],
                404,
                "诉求编号",
            ),
            (
                "date without zone",
                reqwest::Method::GET,
                "/requests.json".into(),
                vec![("start_date".into(), "2026-11-01T00:00:00".into())],
                400,
                "开始时间",
            ),
            (
                "over 90 days",
                reqwest::Method::GET,
                "/requests.json".into(),
                vec![
                    ("start_date".into(), "2026-01-01T00:00:00Z".into()),
                    ("end_date".into(), "2026-11-01T00:00:00Z".into()),
                ],
                400,
                "90",
            ),
            (
                "unknown status",
                reqwest::Method::GET,
                "/requests.json".into(),
                vec![("status".into(), "pending".into())],
                400,
                "状态",
            ),
            (
                "wrong read key",
                reqwest::Method::GET,
                "/requests.json".into(),
                vec![("api_key".into(), "nope".into())],
                403,
                "api_key",
            ),
            (
                "unknown service definition",
                reqwest::Method::GET,
                "/services/no.such.json".into(),
                vec![],
                404,
                "服务代码",
            ),
            ("unknown resource", reqwest::Method::GET, "/nothing.json".into(), vec![], 404, "资源"),
            ("unknown token", reqwest::Method::GET, "/tokens/abc.json".into(), vec![], 404, "令牌"),
            ("wrong method", reqwest::Method::DELETE, "/requests.json".into(), vec![], 400, "请求方法"),
            ("update without key", reqwest::Method::POST, "/servicerequestupdates.json".into(), vec![], 403, "api_key"),
            (
                "update of nothing",
                reqwest::Method::POST,
                "/servicerequestupdates.json".into(),
                vec![
                    ("api_key".into(), key.clone()),
                    ("service_request_id".into(), "2026-0101-999999".into()),
                    ("update_id".into(), "1".into()),
                    ("status".into(), "OPEN".into()),
                    ("updated_datetime".into(), "2026-11-23T10:00:00Z".into()),
                ],
                404,
                "诉求编号",
            ),
            (
                "update without id",
                reqwest::Method::POST,
                "/servicerequestupdates.json".into(),
                vec![("api_key".into(), key.clone()), ("service_request_id".into(), "x".into())],
                400,
                "更新编号",
            ),
            (
                "lower-case status",
                reqwest::Method::POST,
                "/servicerequestupdates.json".into(),
                vec![
                    ("api_key".into(), key.clone()),
                    ("service_request_id".into(), "x".into()),
                    ("update_id".into(), "1".into()),
                    ("status".into(), "open".into()),
                ],
                400,
                "状态",
            ),
            (
                "update time without zone",
                reqwest::Method::POST,
                "/servicerequestupdates.json".into(),
                vec![
                    ("api_key".into(), key.clone()),
                    ("service_request_id".into(), "x".into()),
                    ("update_id".into(), "1".into()),
                    ("status".into(), "OPEN".into()),
                    ("updated_datetime".into(), "yesterday".into()),
                ],
                400,
                "更新时间",
            ),
        ];
        for (what, method, path, params, status, words) in cases {
            let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let a = call(&app, method.clone(), &path, &pairs, "zh-CN").await;
            assert_eq!(a.status, status, "{what}: {}", a.body);
            let list = a.json();
            assert_eq!(list[0]["code"], status, "{what}: the code is the status");
            let description = list[0]["description"].as_str().expect("description");
            assert!(description.contains(words), "{what}: {description}");
            // The same refusal in XML.
            let xml_path = path.replace(".json", ".xml");
            let x = call(&app, method, &xml_path, &pairs, "zh-CN").await;
            assert_eq!(x.status, status, "{what} (xml): {}", x.body);
            assert!(x.content_type.starts_with("text/xml"), "{what}");
            assert_eq!(xml_texts(&x.body, "errors", "code"), [status.to_string()], "{what}");
        }
        // No extension: no format to answer in, so XML by default.
        let bare = get(&app, "/services", &[]).await;
        assert_eq!(bare.status, 404);
        assert_eq!(xml_texts(&bare.body, "errors", "code"), ["404"]);
        // In English when asked.
        let en = call(&app, reqwest::Method::POST, "/requests.json", &[("api_key", key.as_str())], "en").await;
        assert_eq!(en.json()[0]["description"], "The service_code is required.");
        assert_eq!(count().await, before, "no refusal registered anything");
    }
}

#[tokio::test]
async fn a_published_open311_client_reads_services_and_requests_unmodified() {
    let Some(python) = std::env::var_os("SHIYU_OPEN311_PYTHON") else {
        assert!(
            std::env::var_os("SHIYU_SKIP_OPEN311_CLIENT").is_some(),
            "SHIYU_OPEN311_PYTHON must name a Python with georeport installed (bash scripts/test sets it up); \
             set SHIYU_SKIP_OPEN311_CLIENT=1 to skip"
        );
        return;
    };
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let key = connected(&app).await;
        let code = app.fx.category.clone();
        let filed = post(
            &app,
            "/requests.json",
            &[
                ("api_key", key.as_str()),
                ("service_code", &code),
                ("lat", "28.1"),
                ("long", "113.07"),
                ("attribute[facility]", "pipe"),
                ("description", "水管爆裂"),
            ],
        )
        .await
        .json();
        let number = filed[0]["service_request_id"].as_str().expect("id").to_owned();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/open311_client.py");
        let out = tokio::process::Command::new(&python)
            .args([script, &app.url(V2), &code, &number])
            .output()
            .await
            .expect("run the client");
        assert!(out.status.success(), "georeport failed: {}", String::from_utf8_lossy(&out.stderr));
        let read: Value = serde_json::from_slice(&out.stdout).expect("client output");
        let ours = get(&app, &format!("/requests/{number}.json"), &[]).await.json();
        for fmt in ["json", "xml"] {
            let r = &read[fmt];
            assert!(r["services"].as_array().expect("services").iter().any(|s| s == code.as_str()), "{fmt}: {r}");
            assert_eq!(r["metadata"], serde_json::json!(["true"]), "{fmt}");
            assert_eq!(r["definition_code"], code.as_str(), "{fmt}");
            assert_eq!(r["attributes"], serde_json::json!(["facility", "count"]), "{fmt}");
            assert_eq!(r["open_requests"], serde_json::json!([number]), "{fmt}");
            assert_eq!(r["by_id"], serde_json::json!([number]), "{fmt}");
            assert_eq!(r["one"]["service_request_id"], number.as_str(), "{fmt}");
            assert_eq!(r["one"]["status"], "open", "{fmt}");
            assert_eq!(r["one"]["service_code"], code.as_str(), "{fmt}");
            assert_eq!(r["one"]["requested_datetime"], ours[0]["requested_datetime"], "{fmt}");
            assert_eq!(r["one"]["address_id"], app.fx.grid_b.as_str(), "{fmt}: placed by its point");
        }
    }
}

#[tokio::test]
async fn administrators_set_a_services_questions_and_connect_clients() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let admin = app.client("admin").await;
        let path = format!("/api/admin/services/{}/attributes", app.fx.category);
        let good = serde_json::to_value(questions()).expect("json");
        assert_eq!(admin.put(&path, good.clone()).await.0, 204);
        assert_eq!(admin.get(&path).await.1, good);
        // A list without choices is refused, naming the attribute; the stored questions stay.
        let mut bad = good.clone();
        bad[0]["values"] = serde_json::json!([]);
        let (status, body) = admin.put(&path, bad).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["field"], "attributes[facility]", "{body}");
        assert_eq!(admin.get(&path).await.1, good, "nothing changed");
        let unknown = admin.put("/api/admin/services/no.such/attributes", good.clone()).await;
        assert_eq!(unknown.0, 422);
        // A connected client's key works once, at once; the list shows only its hint.
        let (status, created) = admin.post("/api/admin/open311/clients", serde_json::json!({"name": "市民App"})).await;
        assert_eq!(status, 201, "{created}");
        let key = created["api_key"].as_str().expect("key").to_owned();
        let (_, list) = admin.get("/api/admin/open311/clients").await;
        assert!(!list.to_string().contains(&key), "the key is shown once only");
        assert_eq!(list[0]["key_hint"], &key[..6]);
        let filed = post(
            &app,
            "/requests.json",
            &[
                ("api_key", key.as_str()),
                ("service_code", &app.fx.category),
                ("address_id", app.fx.grid.as_str()),
                ("attribute[facility]", "roof"),
            ],
        )
        .await;
        assert_eq!(filed.status, 200, "{}", filed.body);
        let (status, body) = admin.post("/api/admin/open311/clients", serde_json::json!({"name": " "})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("name")));
    }
}
