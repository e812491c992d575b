//! The outbox leaves as signed webhooks: a local receiver checks every signature itself, applies
//! each event once by its idempotency key and records the order; failures are retried with
//! back-off, then dead-lettered, and a replay delivers them, an aggregate's later events waiting
//! behind them. Base-data changes arrive with masked identifiers only. And the real binary,
//! killed with SIGKILL while delivering and started again, leaves every event applied exactly
//! once, in order per case.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use shiyu_domain::base::care::CareGroup;
use shiyu_domain::base::kinds::{HouseUse, Tenancy};
use shiyu_domain::base::phone::Phone;
use shiyu_domain::base::records::{HouseRecord, WgsPoint};
use shiyu_domain::webhook::Policy;
use sqlx::Row;

use crate::base_data::{id_number, person, placed};
use crate::common::{Client, PASSWORD, TestApp, engines};

/// One request as the receiver saw it.
#[derive(Clone)]
struct Hit {
    key: String,
    attempt: u32,
    at: Instant,
    body: Value,
    text: String,
}

/// What the receiver knows and how it behaves.
#[derive(Default)]
struct Inbox {
    secret: String,
    fail_all: bool,
    fail_next: usize,
    delay: Duration,
    hits: Vec<Hit>,
    /// Events applied, first arrival of each key, in the order applied.
    applied: Vec<Value>,
    bodies: HashMap<String, String>,
    duplicates: usize,
    problems: Vec<String>,
}

type Shared = Arc<Mutex<Inbox>>;

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The receiver's own check of `X-Shiyu-Signature`, written from the README's description.
fn expected_signature(secret: &str, ts: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks, records and applies a request, then answers after the inbox's delay: a sender killed
/// meanwhile never hears that the event was applied, and must send it again.
async fn receive(State(inbox): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let (status, delay) = {
        let mut i = inbox.lock().expect("lock");
        (check_and_apply(&mut i, &headers, &body), i.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    status
}

fn check_and_apply(i: &mut Inbox, headers: &HeaderMap, body: &[u8]) -> StatusCode {
    let (Some(key), Some(ts), Some(sig)) = (
        header(headers, "idempotency-key"),
        header(headers, "x-shiyu-timestamp"),
        header(headers, "x-shiyu-signature"),
    ) else {
        i.problems.push(format!("missing headers: {headers:?}"));
        return StatusCode::BAD_REQUEST;
    };
    if sig != expected_signature(&i.secret, ts, body) {
        i.problems.push(format!("bad signature for {key}"));
        return StatusCode::UNAUTHORIZED;
    }
    let age = chrono::Utc::now().timestamp() - ts.parse::<i64>().unwrap_or(0);
    if !(-5..=60).contains(&age) {
        i.problems.push(format!("timestamp {ts} is {age} s old"));
    }
    if header(headers, "content-type") != Some("application/json") {
        i.problems.push("content type".into());
    }
    let text = String::from_utf8_lossy(body).into_owned();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if v["id"] != key {
        i.problems.push(format!("key {key} is not the body's id {}", v["id"]));
    }
    let attempt = header(headers, "x-shiyu-attempt").and_then(|a| a.parse().ok()).unwrap_or(0);
    i.hits.push(Hit { key: key.to_owned(), attempt, at: Instant::now(), body: v.clone(), text: text.clone() });
    let fail = i.fail_all || i.fail_next > 0;
    if fail {
        i.fail_next = i.fail_next.saturating_sub(1);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match i.bodies.get(key) {
        // A repeat (the sender never heard our answer): same key, so not applied again.
        Some(first) => {
            if *first != text {
                i.problems.push(format!("repeat of {key} with another body"));
            }
            i.duplicates += 1;
        }
        None => {
            i.bodies.insert(key.to_owned(), text);
            i.applied.push(v);
        }
    }
    StatusCode::OK
}

struct Receiver {
    url: String,
    inbox: Shared,
}

impl Receiver {
    async fn start() -> Receiver {
        let inbox: Shared = Arc::default();
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url: format!("http://{addr}/hook"), inbox }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inbox) -> T) -> T {
        f(&mut self.inbox.lock().expect("lock"))
    }

    fn applied(&self) -> Vec<Value> {
        self.with(|i| i.applied.clone())
    }

    fn hits(&self) -> Vec<Hit> {
        self.with(|i| i.hits.clone())
    }

    fn assert_no_problems(&self) {
        let p = self.with(|i| i.problems.clone());
        assert!(p.is_empty(), "receiver found: {p:?}");
    }
}

/// Polls `check` until it holds, failing after a generous deadline (eventual delivery, not speed).
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn fast(max_attempts: u32) -> Policy {
    Policy {
        every: Duration::from_millis(20),
        timeout: Duration::from_secs(10),
        max_attempts,
        backoff_base: Duration::from_millis(60),
        backoff_cap: Duration::from_millis(300),
        concurrency: 4,
        batch: 50,
    }
}

/// Subscribes the receiver to `topics` as the administrator; returns the subscription id.
async fn subscribe(admin: &Client, rx: &Receiver, topics: &[&str]) -> String {
    let (s, created) =
        admin.post("/api/admin/webhooks", json!({"name": "省级平台", "url": rx.url, "topics": topics})).await;
    assert_eq!(s, 201, "{created}");
    let secret = created["secret"].as_str().expect("secret shown once").to_owned();
    assert!(secret.len() >= 16);
    rx.with(|i| i.secret = secret);
    created["subscription"]["id"].as_str().expect("id").to_owned()
}

/// The outbox rows of `topics`, as (id, aggregate, seq), oldest first.
async fn outbox(app: &TestApp, topics: &[&str]) -> Vec<(String, String, i64)> {
    let rows = sqlx::query("SELECT id, topic, aggregate_id, seq FROM outbox ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .expect("outbox");
    rows.iter()
        .filter(|r| topics.contains(&r.get::<String, _>("topic").as_str()))
        .map(|r| (r.get("id"), r.get("aggregate_id"), r.get("seq")))
        .collect()
}

fn seqs_of(applied: &[Value], aggregate: &str) -> Vec<i64> {
    applied.iter().filter(|v| v["aggregate_id"] == aggregate).map(|v| v["seq"].as_i64().expect("seq")).collect()
}

#[tokio::test]
async fn webhooks_are_signed_retried_dead_lettered_and_replayed_in_order() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.webhooks = Some(fast(3))).await;
        let rx = Receiver::start().await;
        let admin = app.client("admin").await;

        // Bad input names the field, in the user's language, and creates nothing.
        for (body, field, zh) in [
            (json!({"name": " ", "url": rx.url, "topics": ["case.event"]}), "name", "名称"),
            (json!({"name": "x", "url": "ftp://a/b", "topics": ["case.event"]}), "url", "接收地址"),
            (json!({"name": "x", "url": rx.url, "topics": ["case.events"]}), "topics", "订阅主题"),
            (json!({"name": "x", "url": rx.url, "topics": []}), "topics", "订阅主题"),
            (json!({"name": "x", "url": rx.url, "topics": ["case.event"], "secret": "short"}), "secret", "签名密钥"),
        ] {
            let (s, e) = admin.post("/api/admin/webhooks", body.clone()).await;
            assert_eq!((s, e["error"]["field"].as_str()), (422, Some(field)), "{body}: {e}");
            assert!(e["error"]["message"].as_str().is_some_and(|m| m.contains(zh)), "{e}");
        }
        let (s, e) = admin
            .post("/api/admin/webhooks?lang=en", json!({"name": "x", "url": "nowhere", "topics": ["case.event"]}))
            .await;
        assert_eq!(s, 422);
        assert_eq!(e["error"]["message"], "The address must be an http or https address.");
        assert_eq!(admin.get("/api/admin/webhooks").await.1, json!([]), "nothing created");

        // A change before the subscription is not sent: it starts from its creation.
        let operator = app.client("operator").await;
        let early = app.new_case(&operator, &app.fx.grid, "订阅之前的诉求").await;
        let sub = subscribe(&admin, &rx, &["case.event"]).await;

        // The receiver is down: every attempt fails.
        rx.with(|i| i.fail_all = true);
        let a = app.new_case(&operator, &app.fx.grid, "先失败的诉求").await;
        operator.ok_mv(&a, json!({"move": "accept", "note": ""})).await;
        let b = app.new_case(&operator, &app.fx.grid, "另一件诉求").await;
        let mut dead = Value::Null;
        until("two dead letters", async || {
            dead = admin.get("/api/admin/webhooks/dead").await.1;
            dead.as_array().is_some_and(|d| d.len() == 2)
        })
        .await;
        let rows = outbox(&app, &["case.event"]).await;
        let first_of = |agg: &str| rows.iter().find(|r| r.1 == agg).expect("event").clone();
        let (a1, _, a1_seq) = first_of(&a);
        let (b1, _, _) = first_of(&b);
        for d in dead.as_array().expect("list") {
            assert_eq!(d["attempts"], 3, "{d}");
            assert!(d["last_error"].as_str().is_some_and(|e| e.contains("503")), "{d}");
            assert_eq!(d["subscription_id"], sub.as_str());
        }
        let dead_ids: HashSet<&str> =
            dead.as_array().expect("list").iter().filter_map(|d| d["outbox_id"].as_str()).collect();
        assert_eq!(dead_ids, HashSet::from([a1.as_str(), b1.as_str()]));
        // Retried with back-off: attempts 1, 2, 3, each wait at least the doubled base.
        let tries: Vec<Hit> = rx.hits().into_iter().filter(|h| h.key == a1).collect();
        assert_eq!(tries.iter().map(|h| h.attempt).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(tries[1].at - tries[0].at >= Duration::from_millis(60), "first back-off");
        assert!(tries[2].at - tries[1].at >= Duration::from_millis(120), "second back-off doubled");
        assert!(tries.iter().all(|h| h.text == tries[0].text), "the same body on every attempt");
        // The case's second event waits behind its dead first one: never sent.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(rx.hits().iter().all(|h| h.body["aggregate_id"] != a.as_str() || h.key == a1), "held back");
        let (_, subs) = admin.get("/api/admin/webhooks").await;
        assert_eq!((subs[0]["pending"].as_i64(), subs[0]["dead"].as_i64()), (Some(1), Some(2)), "{subs}");
        assert!(subs[0].get("secret").is_none() && !subs.to_string().contains(&rx.with(|i| i.secret.clone())));

        // Replaying the case's dead letter delivers it, then the event held behind it.
        rx.with(|i| i.fail_all = false);
        let (s, r) = admin.post("/api/admin/webhooks/dead/replay", json!({"outbox_ids": [a1]})).await;
        assert_eq!((s, &r["replayed"]), (200, &json!(1)));
        until("the replayed case", async || seqs_of(&rx.applied(), &a).len() == 2).await;
        assert_eq!(seqs_of(&rx.applied(), &a)[0], a1_seq);
        assert!(seqs_of(&rx.applied(), &a).is_sorted(), "in order");
        let (_, dead) = admin.get("/api/admin/webhooks/dead").await;
        assert_eq!(dead.as_array().map(Vec::len), Some(1), "the other case's stays dead: {dead}");

        // One 5xx, then success on the retry: delivered without anyone replaying.
        rx.with(|i| i.fail_next = 1);
        operator.ok_mv(&a, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        until("the retried event", async || seqs_of(&rx.applied(), &a).len() == 3).await;
        let last = rx.applied().last().expect("applied")["id"].as_str().expect("id").to_owned();
        assert_eq!(rx.hits().iter().filter(|h| h.key == last).map(|h| h.attempt).collect::<Vec<_>>(), [1, 2]);

        // Replaying everything delivers the rest.
        let (s, r) = admin.post("/api/admin/webhooks/dead/replay", json!({})).await;
        assert_eq!((s, &r["replayed"]), (200, &json!(1)));
        until("the other case", async || seqs_of(&rx.applied(), &b).len() == 1).await;
        // The receiver applies before the sender records its answer.
        until("an empty queue", async || app.store.undelivered_webhooks().await.expect("count") == 0).await;

        // Every delivered event is exactly the outbox's, with its payload.
        let applied = rx.applied();
        let by_key: HashMap<&str, &Value> = applied.iter().map(|v| (v["id"].as_str().expect("id"), v)).collect();
        for (id, agg, seq) in outbox(&app, &["case.event"]).await {
            if agg == early {
                assert!(!by_key.contains_key(id.as_str()), "sent an event from before the subscription");
                continue;
            }
            let v = by_key.get(id.as_str()).unwrap_or_else(|| panic!("event {id} not delivered"));
            assert_eq!(
                (v["topic"].as_str(), v["aggregate_id"].as_str(), v["seq"].as_i64()),
                (Some("case.event"), Some(agg.as_str()), Some(seq))
            );
            assert_eq!(v["payload"]["case_id"], agg.as_str());
            assert!(v["created_at"].is_string());
        }
        rx.assert_no_problems();

        // Deactivated: nothing more is queued or sent; only active subscriptions can be stopped.
        let path = format!("/api/admin/webhooks/{sub}/deactivate");
        assert_eq!(admin.post(&path, json!({})).await.0, 204);
        assert_eq!(admin.post(&path, json!({})).await.0, 404);
        operator.ok_mv(&b, json!({"move": "accept", "note": ""})).await;
        let (_, subs) = admin.get("/api/admin/webhooks").await;
        assert_eq!((&subs[0]["active"], &subs[0]["pending"]), (&json!(false), &json!(0)));
        assert_eq!(app.store.undelivered_webhooks().await.expect("count"), 0);
    }
}

fn house(code: &str, app: &TestApp) -> HouseRecord {
    HouseRecord {
        code: code.to_owned(),
        address: format!("东门路{code}号"),
        building: "1栋".into(),
        unit: "2单元".into(),
        room: "301".into(),
        use_: HouseUse::Residential,
        tenancy: Tenancy::Rented,
        location: Some(WgsPoint::new(113.02, 28.1)),
        grid: Some(app.fx.grid.clone()),
    }
}

#[tokio::test]
async fn base_data_changes_arrive_with_masked_identifiers_only() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.webhooks = Some(fast(5))).await;
        let rx = Receiver::start().await;
        let admin = app.client("admin").await;
        subscribe(&admin, &rx, &["base.change"]).await;
        let op = app.fx.users["operator"].principal();
        let city = app.store.default_city().await.expect("city");
        let city = city.as_str();
        let now = chrono::Utc::now();

        app.store.import_houses(city, &op, placed(vec![house("H9", &app)]), now).await.expect("houses");
        let people = vec![
            person(11, &app.fx.grid, Some("H9"), vec![CareGroup::ElderlyAlone]),
            person(12, &app.fx.grid, None, vec![]),
        ];
        app.store.import_residents(city, &op, placed(people.clone()), now).await.expect("residents");
        until("three inserts", async || rx.applied().len() == 3).await;
        let applied = rx.applied();
        let h = &applied.iter().find(|v| v["payload"]["kind"] == "house").expect("house sent")["payload"];
        assert_eq!(
            (&h["kind"], &h["operation"], &h["fields"]["code"]),
            (&json!("house"), &json!("insert"), &json!("H9"))
        );
        let house_id = h["id"].as_str().expect("house id");
        for n in [11, 12] {
            let p = applied
                .iter()
                .map(|v| &v["payload"])
                .find(|p| p["fields"]["name"] == format!("居民{n}"))
                .unwrap_or_else(|| panic!("resident {n} not sent: {applied:?}"));
            assert_eq!((&p["kind"], &p["operation"]), (&json!("resident"), &json!("insert")));
            assert_eq!(p["fields"]["id_masked"], id_number(n).masked());
            let phone = Phone::parse(&format!("139{n:08}")).expect("phone");
            assert_eq!(p["fields"]["phone_masked"], phone.masked());
            assert_eq!(p["fields"]["house_id"], if n == 11 { json!(house_id) } else { json!(null) });
        }

        // The same file again writes nothing, so sends nothing; a corrected phone sends only that
        // field; an added care group is not sent at all.
        app.store.import_residents(city, &op, placed(people.clone()), now).await.expect("again");
        let mut changed = people[1].clone();
        changed.phone = Some(Phone::parse("13600001111").expect("phone"));
        let mut cared = people[0].clone();
        cared.care.push(CareGroup::Disability);
        app.store.import_residents(city, &op, placed(vec![changed, cared]), now).await.expect("changed");
        until("the update", async || rx.applied().len() == 4).await;
        let u = &rx.applied()[3]["payload"];
        assert_eq!(
            (&u["operation"], &u["fields"]),
            (&json!("update"), &json!({"phone_masked": Phone::parse("13600001111").expect("phone").masked()}))
        );
        assert_eq!(outbox(&app, &["base.change"]).await.len(), 4, "one row per record written, none for care only");

        // Nothing clear and nothing about care ever left.
        for hit in rx.hits() {
            for n in [11, 12] {
                assert!(!hit.text.contains(id_number(n).as_str()), "clear identity number sent: {}", hit.text);
                assert!(!hit.text.contains(&format!("139{n:08}")), "clear phone sent: {}", hit.text);
            }
            assert!(
                !hit.text.contains("13600001111")
                    && !hit.text.contains("care")
                    && !hit.text.contains("elderly")
                    && !hit.text.contains("disab")
            );
            assert_eq!(hit.body["topic"], "base.change");
        }
        rx.assert_no_problems();
    }
}

/// The real `shiyu serve`, as a child process killed on drop.
struct Server(std::process::Child, String);

impl Server {
    async fn start(app: &TestApp, log: &str) -> Server {
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").to_string()
        };
        let log = std::fs::File::create(app.dir.path().join(log)).expect("log file");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_shiyu"))
            .arg("serve")
            .arg("--data")
            .arg(app.dir.path())
            .arg("--database")
            .arg(&app.database_url)
            .arg("--listen")
            .arg(&addr)
            .env("RUST_LOG", "warn,sqlx=warn")
            .env_remove("SHIYU_SMS_WEBHOOK")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start shiyu");
        let server = Server(child, format!("http://{addr}"));
        let http = reqwest::Client::new();
        until("the server to answer", async || {
            http.get(format!("{}/healthz", server.1)).send().await.is_ok_and(|r| r.status() == 200)
        })
        .await;
        server
    }

    /// SIGKILL: no shutdown, no flush, nothing but what the database already holds.
    fn kill(mut self) {
        self.0.kill().expect("kill");
        self.0.wait().expect("reap");
    }

    async fn client(&self, who: &str) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let res = http
            .post(format!("{}/api/login", self.1))
            .json(&json!({"username": who, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 200, "login as {who}");
        let body: Value = res.json().await.expect("login body");
        Client { http, base: self.1.clone(), csrf: body["csrf"].as_str().unwrap_or_default().to_owned(), token: None }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_killed_server_resumes_delivery_and_every_event_is_applied_once_in_order() {
    for engine in engines() {
        // The in-process server only sets the scene; the real binary delivers.
        let mut app = TestApp::spawn_with(engine, |c| c.webhooks = None).await;
        let rx = Receiver::start().await;
        rx.with(|i| i.delay = Duration::from_millis(300));
        let admin = app.client("admin").await;
        subscribe(&admin, &rx, &["case.event", "dispute.event", "base.change"]).await;
        let operator = app.client("operator").await;
        let handler = app.client("handler").await;
        for n in 0..10 {
            let id = app.new_case(&operator, &app.fx.grid, &format!("批量诉求{n}")).await;
            operator.ok_mv(&id, json!({"move": "accept", "note": ""})).await;
            operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
            handler.ok_mv(&id, json!({"move": "sign"})).await;
        }
        app.stop().await;
        let topics = ["case.event", "dispute.event", "base.change"];
        let before = outbox(&app, &topics).await.len();
        assert!(before >= 40, "{before} events queued");

        // Killed while delivering (each case's events go one after another, slowly).
        let server = Server::start(&app, "first.log").await;
        until("some deliveries", async || rx.applied().len() >= before / 4).await;
        server.kill();
        let at_kill = rx.applied().len();
        assert!(at_kill < before, "the kill came while delivering ({at_kill} of {before})");

        // Started again on the same database: it resumes, and takes new events too.
        rx.with(|i| i.delay = Duration::from_millis(20));
        let server = Server::start(&app, "second.log").await;
        let operator = server.client("operator").await;
        for n in 0..2 {
            let (s, v) = operator
                .post(
                    "/api/cases",
                    json!({"ledger": "demand", "category": app.fx.category, "channel": "web", "title": format!("重启后{n}"),
                           "text": "重启后登记", "area_code": app.fx.grid.as_str()}),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
        let expected = outbox(&app, &topics).await;
        assert_eq!(expected.len(), before + 2);
        until("the queue to drain", async || {
            app.store.undelivered_webhooks().await.expect("count") == 0 && rx.applied().len() == expected.len()
        })
        .await;
        server.kill();

        // Every event applied exactly once (repeats carried the same key and body) …
        let applied = rx.applied();
        let keys: Vec<&str> = applied.iter().filter_map(|v| v["id"].as_str()).collect();
        let unique: HashSet<&str> = keys.iter().copied().collect();
        assert_eq!(unique.len(), keys.len(), "an event applied twice");
        let want: HashSet<&str> = expected.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(unique, want, "applied events differ from the outbox");
        // … and per case strictly in order.
        let mut last: HashMap<&str, i64> = HashMap::new();
        for v in &applied {
            let (agg, seq) = (v["aggregate_id"].as_str().expect("aggregate"), v["seq"].as_i64().expect("seq"));
            if let Some(prev) = last.insert(agg, seq) {
                assert!(seq > prev, "{agg}: seq {seq} applied after {prev}");
            }
        }
        rx.assert_no_problems();
        // Events applied but never acknowledged (the receiver answers late) came again after the
        // restart, under the same key: the kill did interrupt deliveries.
        assert!(rx.with(|i| i.duplicates) > 0, "no delivery was cut off by the kill");
        eprintln!(
            "{engine:?}: {} events, {at_kill} applied before the kill, {} repeats after it, all applied once in order",
            expected.len(),
            rx.with(|i| i.duplicates)
        );
    }
}
