//! Test harness: the real server on a random port with a real database (SQLite file, or a fresh
#![allow(dead_code, reason = "the harness serves many test modules; not each uses every part")]
//! PostgreSQL database when `SHIYU_TEST_POSTGRES_URL` is set), seeded with a small city.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Value, json};
use shiyu::app::Running;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::CategoryCode;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Binding;
use shiyu_storage::Store;
use shiyu_storage::directory::{Org, OrgKind, User};

/// The database engine under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Engines to run: SQLite always, PostgreSQL when the test command provides a server.
pub fn engines() -> Vec<Engine> {
    let mut v = vec![Engine::Sqlite];
    if std::env::var("SHIYU_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        v.push(Engine::Postgres);
    } else if std::env::var("CI").is_ok() {
        panic!("CI must run the suite on PostgreSQL too: SHIYU_TEST_POSTGRES_URL is not set");
    }
    v
}

/// Fixture accounts, one or more per role, bound at different places.
pub const ACCOUNTS: [&str; 16] = [
    "resident",
    "resident2",
    "grid_worker",
    "operator",
    "operator2",
    "district_operator",
    "city_operator",
    "handler",
    "handler2",
    "leader",
    "leader2",
    "district_leader",
    "mediator",
    "village_mediator",
    "analyst",
    "admin",
];

/// The password of every fixture account.
pub const PASSWORD: &str = "test-password-1";

fn password_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| shiyu_http::auth::password::hash(PASSWORD).expect("hash"))
}

/// Codes and records of the fixture city.
pub struct Fixture {
    pub city: AreaCode,
    pub district: AreaCode,
    /// Street 1 and its community and two grids.
    pub street: AreaCode,
    pub community: AreaCode,
    pub grid: AreaCode,
    pub grid_b: AreaCode,
    /// Street 2 (another operator's patch) and its grid.
    pub street2: AreaCode,
    pub grid2: AreaCode,
    pub dept: Org,
    pub dept2: Org,
    pub category: String,
    /// Accounts by fixture name: resident, resident2, grid_worker, operator, operator2,
    /// district_operator, city_operator, handler, handler2, leader, leader2, mediator (a street's),
    /// village_mediator (a community's), analyst, admin.
    pub users: HashMap<&'static str, User>,
}

/// A running test server.
pub struct TestApp {
    pub engine: Engine,
    pub store: Store,
    pub fx: Fixture,
    running: Option<Running>,
    base: String,
    pub dir: tempfile::TempDir,
    /// The database (an SQLite file in `dir`, or a fresh PostgreSQL database), for starting the
    /// real binary on the same data.
    pub database_url: String,
}

async fn database_url(engine: Engine, dir: &std::path::Path) -> String {
    match engine {
        Engine::Sqlite => dir.join("shiyu.db").display().to_string(),
        Engine::Postgres => {
            let base = std::env::var("SHIYU_TEST_POSTGRES_URL").expect("postgres url");
            let name = format!("shiyu_test_{}", uuid::Uuid::now_v7().simple());
            sqlx::any::install_default_drivers();
            use sqlx::Connection as _;
            let mut conn = sqlx::AnyConnection::connect(&base).await.expect("connect to postgres");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
            let (head, _) = base.rsplit_once('/').expect("url has a database part");
            format!("{head}/{name}")
        }
    }
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).expect(s)
}

impl TestApp {
    /// Starts a server with the fixture city.
    pub async fn spawn(engine: Engine) -> TestApp {
        Self::spawn_with(engine, |_| {}).await
    }

    /// Starts a server with the fixture city and adjusted HTTP settings.
    pub async fn spawn_with(engine: Engine, configure: impl FnOnce(&mut shiyu_http::HttpConfig)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = database_url(engine, dir.path()).await;
        let store = shiyu::app::open_store(&url, dir.path()).await.expect("open store");
        let fx = seed(&store).await;
        let running = shiyu::app::start(store.clone(), dir.path().to_path_buf(), "127.0.0.1:0", |c| {
            c.login_burst = 1000;
            c.login_replenish_seconds = 1;
            // Tests make reports when they mean to (`generate_due`), not in the background.
            c.report_schedule = false;
            configure(c);
        })
        .await
        .expect("start server");
        let base = format!("http://{}", running.addr);
        TestApp { engine, store, fx, running: Some(running), base, dir, database_url: url }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// A full URL for a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An API client signed in as a fixture account.
    pub async fn client(&self, who: &str) -> Client {
        let user = self.fx.users.get(who).unwrap_or_else(|| panic!("no fixture user {who}"));
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let res = http
            .post(self.url("/api/login"))
            .json(&json!({"username": user.username, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 200, "login as {who}");
        let body: Value = res.json().await.expect("login body");
        Client {
            http,
            base: self.base.clone(),
            csrf: body["csrf"].as_str().unwrap_or_default().to_owned(),
            token: None,
        }
    }

    /// A client with no session.
    pub fn anonymous(&self) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        Client { http, base: self.base.clone(), csrf: String::new(), token: None }
    }

    /// Stops the server (the store stays usable).
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.shutdown.send(());
            let _ = r.handle.await;
        }
    }

    /// Registers a case through the API as `who` and returns its id.
    pub async fn new_case(&self, who: &Client, area: &AreaCode, title: &str) -> String {
        let (s, body) = who
            .post(
                "/api/cases",
                json!({"ledger": "demand", "category": self.fx.category, "channel": "web", "title": title,
                       "text": format!("{title}，请尽快处理。"), "area_code": area.as_str()}),
            )
            .await;
        assert_eq!(s, 201, "create case: {body}");
        body["case"]["id"].as_str().expect("id").to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.shutdown.send(());
            r.handle.abort();
        }
        // A PostgreSQL test database is dropped with its test, so a developer's server does not
        // fill up with them (scripts/test's own cluster goes away anyway). FORCE closes the pool's
        // connections; a failure only leaves the database behind.
        if self.engine == Engine::Postgres {
            let url = self.database_url.clone();
            let _ = std::thread::spawn(move || drop_database(&url)).join();
        }
    }
}

fn drop_database(url: &str) {
    let Some((head, name)) = url.rsplit_once('/') else { return };
    let Ok(base) = std::env::var("SHIYU_TEST_POSTGRES_URL") else { return };
    if !name.starts_with("shiyu_test_") || !head.is_empty() && !base.starts_with(head) {
        return;
    }
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
    rt.block_on(async {
        use sqlx::Connection as _;
        if let Ok(mut conn) = sqlx::AnyConnection::connect(&base).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
        }
    });
}

/// The fixture's areas with the west and east longitudes of their rectangles (lat 28.0–28.2).
pub const FIXTURE_AREAS: [(&str, &str, (f64, f64)); 9] = [
    ("439900000000", "示范市", (113.0, 113.2)),
    ("439901000000", "东城区", (113.0, 113.2)),
    ("439901001000", "东门街道", (113.0, 113.1)),
    ("439901001001", "东门社区", (113.0, 113.1)),
    ("439901001001001", "东门社区第一网格", (113.0, 113.05)),
    ("439901001001002", "东门社区第二网格", (113.05, 113.1)),
    ("439901002000", "西门街道", (113.1, 113.2)),
    ("439901002001", "西门社区", (113.1, 113.2)),
    ("439901002001001", "西门社区第一网格", (113.1, 113.2)),
];

/// A rectangle from `w` to `e` over lat 28.0–28.2 as GeoJSON geometry text.
pub fn rect(w: f64, e: f64) -> String {
    format!("{{\"type\":\"Polygon\",\"coordinates\":[[[{w},28.0],[{e},28.0],[{e},28.2],[{w},28.2],[{w},28.0]]]}}")
}

async fn seed(store: &Store) -> Fixture {
    let now = chrono::Utc::now();
    // Nested rectangles (west, east) over lat 28.0–28.2: the two grids of 东门社区 share the edge
    // at 113.05, and 东门's second grid meets 西门's grid at 113.1 (see FIXTURE_BOXES).
    for (c, n, (w, e)) in FIXTURE_AREAS {
        let polygon = rect(w, e);
        store.create_area(&code(c), n, Some(&polygon), now).await.expect("area");
    }
    let dept =
        store.create_org("东城区住房和城乡建设局", OrgKind::Department, &code("439901000000"), now).await.expect("org");
    let dept2 =
        store.create_org("东城区城市管理局", OrgKind::Department, &code("439901000000"), now).await.expect("org");
    let category = "urban.housing.repair";
    for (c, zh, en) in
        [("urban", "城乡建设", "Urban"), ("urban.housing", "住房保障", "Housing"), (category, "房屋维修", "Repairs")]
    {
        store.upsert_category(&CategoryCode::parse(c).expect("cat"), zh, en).await.expect("category");
    }
    let area = |c: &str| Binding::Area { area: code(c) };
    let accounts: Vec<(&'static str, Role, Binding)> = vec![
        ("resident", Role::Resident, Binding::Resident),
        ("resident2", Role::Resident, Binding::Resident),
        ("grid_worker", Role::GridWorker, area("439901001001001")),
        ("operator", Role::Operator, area("439901001000")),
        ("operator2", Role::Operator, area("439901002000")),
        ("district_operator", Role::Operator, area("439901000000")),
        ("city_operator", Role::Operator, area("439900000000")),
        ("handler", Role::Handler, Binding::Org { org: dept.id, area: dept.area.clone() }),
        ("handler2", Role::Handler, Binding::Org { org: dept2.id, area: dept2.area.clone() }),
        ("leader", Role::Leader, area("439901001000")),
        ("leader2", Role::Leader, area("439901002000")),
        ("district_leader", Role::Leader, area("439901000000")),
        ("mediator", Role::Mediator, area("439901001000")),
        ("village_mediator", Role::Mediator, area("439901001001")),
        ("analyst", Role::Analyst, area("439901000000")),
        ("admin", Role::Admin, area("439900000000")),
    ];
    let mut users = HashMap::new();
    for (name, role, binding) in accounts {
        let u =
            store.create_user(name, &format!("测试{name}"), role, binding, password_hash(), now).await.expect("user");
        users.insert(name, u);
    }
    Fixture {
        city: code("439900000000"),
        district: code("439901000000"),
        street: code("439901001000"),
        community: code("439901001001"),
        grid: code("439901001001001"),
        grid_b: code("439901001001002"),
        street2: code("439901002000"),
        grid2: code("439901002001001"),
        dept,
        dept2,
        category: category.to_owned(),
        users,
    }
}

/// A signed-in (or anonymous) HTTP client.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
    pub token: Option<String>,
}

impl Client {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        } else if !self.csrf.is_empty() {
            r = r.header("x-csrf-token", &self.csrf);
        }
        r
    }

    /// PUT a JSON body.
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        Self::finish(self.req(reqwest::Method::PUT, path).json(&body)).await
    }

    async fn finish(r: reqwest::RequestBuilder) -> (u16, Value) {
        let res = r.send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// GET, returning status and JSON (or the text as a JSON string).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        Self::finish(self.req(reqwest::Method::GET, path)).await
    }

    /// GET raw bytes (documents), asserting success.
    pub async fn bytes(&self, path: &str) -> Vec<u8> {
        let res = self.req(reqwest::Method::GET, path).send().await.expect("request");
        assert_eq!(res.status(), 200, "GET {path}");
        res.bytes().await.expect("body").to_vec()
    }

    /// POST JSON.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        Self::finish(self.req(reqwest::Method::POST, path).json(&body)).await
    }

    /// POST JSON with extra headers.
    pub async fn post_with(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut r = self.req(reqwest::Method::POST, path).json(&body);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        Self::finish(r).await
    }

    /// Makes a move on a case.
    pub async fn mv(&self, case_id: &str, body: Value) -> (u16, Value) {
        self.post(&format!("/api/cases/{case_id}/moves"), body).await
    }

    /// Makes a move that must succeed, returning the case view.
    pub async fn ok_mv(&self, case_id: &str, body: Value) -> Value {
        let (s, v) = self.mv(case_id, body.clone()).await;
        assert_eq!(s, 200, "move {body} failed: {v}");
        v
    }
}
