//! Security, proven against the real server on both engines (DESIGN §12, issue 8):
//!
//! - every caller (each fixture account and nobody) against every route the router serves, the
//!   list of routes read from the router's own source so that a new route without an entry here
//!   fails the test; each answer's class is checked, and a refused write must leave every table
//!   and the data folder as they were;
//! - sessions: an id presented before sign-in is never the one valid after it, a replaced or
//!   signed-out session no longer authenticates;
//! - CSRF: every state-changing route refuses a signed-in browser's request without the
//!   session's token (none, a wrong one, another session's, cross-origin) and changes nothing;
//! - uploads: wrong types, oversized files and hostile file names are refused or neutralised,
//!   nothing lands outside the data folder and nothing served can run script;
//! - injection: SQL and HTML payloads in every text field (cases, disputes, proposals and their
//!   meetings and comments, …) are stored verbatim, tables stay intact, pages escape them and
//!   exports neutralise formulas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use shiyu_domain::deliberation::ProposalAct;
use shiyu_domain::deliberation::access as proposals;
use shiyu_domain::dispute::DisputeAct;
use shiyu_domain::dispute::access as disputes;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Principal;
use sqlx::Row as _;

use crate::common::{ACCOUNTS, Engine, PASSWORD, TestApp, engines};

// ---------------------------------------------------------------------------------------------
// The routes the router serves, read from its source.
// ---------------------------------------------------------------------------------------------

/// The HTTP crate's source folder.
fn http_src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../http/src")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read http/src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The text from `open` (just after an opening parenthesis) to its matching `)`.
fn balanced(s: &str) -> &str {
    let mut depth = 1usize;
    let mut in_str = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_str = !in_str,
            '(' if !in_str => depth += 1,
            ')' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
    }
    s
}

/// Every `(METHOD, path)` registered with `.route("path", get(..).post(..))` anywhere in the HTTP
/// crate, with the Open311 catch-all replaced by the resources its dispatcher answers.
fn served_routes() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    rust_files(&http_src(), &mut files);
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read source");
        for (at, _) in text.match_indices(".route(") {
            let args = balanced(&text[at + ".route(".len()..]);
            let Some(start) = args.find('"') else { continue };
            let Some(len) = args[start + 1..].find('"') else { continue };
            let path = &args[start + 1..start + 1 + len];
            let methods = &args[start + 2 + len..];
            let mut found = false;
            for m in ["get", "post", "put", "patch", "delete", "any"] {
                let needle = format!("{m}(");
                for (i, _) in methods.match_indices(&needle) {
                    let before = methods[..i].chars().last().unwrap_or(' ');
                    if !(before.is_alphanumeric() || before == '_' || before == ':') {
                        out.insert((m.to_uppercase(), path.to_owned()));
                        found = true;
                    }
                }
            }
            assert!(found, "{}: a route whose methods this test cannot read: {path}", f.display());
        }
        // The Open311 dispatcher's arms: `(&Method::GET, ["services", code]) =>`.
        for (at, _) in text.match_indices("(&Method::") {
            let rest = &text[at + "(&Method::".len()..];
            let Some(comma) = rest.find(',') else { continue };
            let method = rest[..comma].trim().to_owned();
            let Some(open) = rest.find('[') else { continue };
            let Some(close) = rest.find(']') else { continue };
            if open > close || !rest[close..].trim_start_matches(']').trim_start().starts_with(")") {
                continue;
            }
            let parts: Vec<String> = rest[open + 1..close]
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    if let Some(lit) = p.strip_prefix('"') {
                        lit.trim_end_matches('"').to_owned()
                    } else {
                        format!("{{{p}}}")
                    }
                })
                .collect();
            out.insert((method, format!("/open311/v2/{}", parts.join("/"))));
        }
    }
    // The catch-all is the dispatcher, covered by its arms.
    assert!(out.remove(&("ANY".to_owned(), "/open311/v2/{*resource}".to_owned())), "the Open311 catch-all moved");
    out
}

// ---------------------------------------------------------------------------------------------
// Fingerprints: what a refused request must leave as it was.
// ---------------------------------------------------------------------------------------------

/// Tables whose rows change without any request of the caller under test (a sign-in writes a
/// session); everything else must be byte for byte the same after a refused write.
const VOLATILE: [&str; 2] = ["sessions", "_sqlx_migrations"];

/// Every table's rows (as text, sorted) and every file under the data folder except the search
/// index (rebuilt from the tables) and the SQLite files themselves (the tables are compared).
async fn fingerprint(app: &TestApp) -> BTreeMap<String, String> {
    let pool = app.store.pool();
    let mut out = BTreeMap::new();
    let tables: Vec<String> = match app.engine {
        Engine::Sqlite => sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(pool)
            .await
            .expect("tables")
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect(),
        Engine::Postgres => sqlx::query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect(),
    };
    assert!(tables.len() > 30, "the fingerprint sees the schema: {tables:?}");
    let tables: Vec<String> = tables.into_iter().filter(|t| !VOLATILE.contains(&t.as_str())).collect();
    match app.engine {
        Engine::Sqlite => {
            for t in tables {
                let cols: Vec<String> = sqlx::query(&format!("SELECT name FROM pragma_table_info('{t}')"))
                    .fetch_all(pool)
                    .await
                    .expect("columns")
                    .iter()
                    .map(|r| format!("quote(\"{}\")", r.get::<String, _>(0)))
                    .collect();
                let sql = format!("SELECT {} FROM \"{t}\"", cols.join(" || '|' || "));
                let mut rows: Vec<String> = sqlx::query(&sql)
                    .fetch_all(pool)
                    .await
                    .expect("rows")
                    .iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect();
                rows.sort();
                out.insert(format!("table {t}"), rows.join("\n"));
            }
        }
        Engine::Postgres => {
            // One round trip for every table: each one's rows as text, sorted, in one string.
            let sql = tables
                .iter()
                .map(|t| {
                    format!(
                        "SELECT '{t}'::text, COALESCE((SELECT string_agg(x::text, E'\\n' ORDER BY x::text) FROM \"{t}\" x), '')"
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            for r in sqlx::query(&sql).fetch_all(pool).await.expect("rows") {
                out.insert(format!("table {}", r.get::<String, _>(0)), r.get::<String, _>(1));
            }
        }
    }
    let mut files = Vec::new();
    list_files(app.dir.path(), app.dir.path(), &mut files);
    out.insert("files".into(), files.join("\n"));
    out
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string();
        if rel == "search" || rel.starts_with("shiyu.db") {
            continue;
        }
        if p.is_dir() {
            list_files(root, &p, out);
        } else {
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            out.push(format!("{rel} {len}"));
        }
    }
}

/// Fails naming each table (or the files) that differs.
fn assert_same(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>, what: &str) {
    let changed: Vec<String> = before
        .keys()
        .chain(after.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| {
            let (b, a) = (before.get(k).cloned().unwrap_or_default(), after.get(k).cloned().unwrap_or_default());
            let added: Vec<&str> = a.lines().filter(|l| !b.lines().any(|x| x == *l)).take(3).collect();
            let gone: Vec<&str> = b.lines().filter(|l| !a.lines().any(|x| x == *l)).take(3).collect();
            format!("{k}: added {added:?}, gone {gone:?}")
        })
        .collect();
    assert!(changed.is_empty(), "{what} changed: {changed:#?}");
}

// ---------------------------------------------------------------------------------------------
// Callers and requests.
// ---------------------------------------------------------------------------------------------

/// A browser-like caller: cookies kept, redirects not followed, the CSRF token sent on unsafe
/// requests (the matrix is about roles; CSRF has its own test).
struct Caller {
    name: &'static str,
    /// `None` for nobody signed in.
    principal: Option<Principal>,
    http: reqwest::Client,
    csrf: String,
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn sign_in(app: &TestApp, http: &reqwest::Client, who: &str) -> String {
    let user = &app.fx.users[who];
    let res = http
        .post(app.url("/api/login"))
        .json(&json!({"username": user.username, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200, "login as {who}");
    res.json::<Value>().await.expect("login body")["csrf"].as_str().expect("csrf").to_owned()
}

impl Caller {
    async fn new(app: &TestApp, who: Option<&'static str>) -> Caller {
        let http = browser();
        match who {
            None => Caller { name: "anonymous", principal: None, http, csrf: String::new() },
            Some(w) => {
                let csrf = sign_in(app, &http, w).await;
                Caller { name: w, principal: Some(app.fx.users[w].principal()), http, csrf }
            }
        }
    }

    fn role(&self) -> Option<Role> {
        self.principal.as_ref().map(|p| p.role)
    }

    fn is(&self, roles: &[Role]) -> bool {
        self.role().is_some_and(|r| roles.contains(&r))
    }

    fn one_of(&self, names: &[&str]) -> bool {
        names.contains(&self.name)
    }
}

/// A request body.
#[derive(Clone)]
enum Body {
    Empty,
    Json(Value),
    Form(Vec<(String, String)>),
    /// Parts: name, file name (for files), bytes.
    Multipart(Vec<(String, Option<String>, Vec<u8>)>),
}

fn form(pairs: &[(&str, &str)]) -> Body {
    Body::Form(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

struct Req {
    path: String,
    body: Body,
}

fn req(path: impl Into<String>, body: Body) -> Req {
    Req { path: path.into(), body }
}

fn get(path: impl Into<String>) -> Req {
    req(path, Body::Empty)
}

fn build(
    http: &reqwest::Client,
    base: &str,
    method: &str,
    r: &Req,
    csrf: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut b = http.request(m, format!("{base}{}", r.path));
    if let Some(t) = csrf.filter(|t| !t.is_empty()) {
        b = b.header("x-csrf-token", t);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    match &r.body {
        Body::Empty => b,
        Body::Json(v) => b.json(v),
        Body::Form(pairs) => b.form(pairs),
        Body::Multipart(parts) => {
            let mut f = reqwest::multipart::Form::new();
            for (name, file, bytes) in parts {
                let mut p = reqwest::multipart::Part::bytes(bytes.clone());
                if let Some(file) = file {
                    p = p.file_name(file.clone());
                }
                f = f.part(name.clone(), p);
            }
            b.multipart(f)
        }
    }
}

/// The class of an answer, as the matrix states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Served: 2xx, or a redirect that is not to the sign-in page.
    Ok,
    /// Past every gate, though the body may be refused on its merits (400, 409, 422 too).
    Passes,
    /// 401 (the API without a session).
    Unauth,
    /// A redirect to `/login` (pages without a session).
    Login,
    /// 403.
    Forbidden,
    /// 404: outside the caller's scope, so it does not exist for them.
    Hidden,
    /// 409: refused by the record's state or the caller's area, whoever asks.
    Conflict,
    /// 422 naming the area as outside the caller's scope: how registering disputes and
    /// screenings refuses those who may not register there (or at all).
    OutOfScope,
    /// 200 with an empty list: a list the role has no rows in.
    Empty,
}

impl Want {
    fn refused(self) -> bool {
        !matches!(self, Want::Ok | Want::Passes | Want::Empty)
    }

    fn accepts(self, status: u16, location: &str) -> bool {
        let to_login = (300..400).contains(&status) && location == "/login";
        match self {
            Want::Ok => (200..400).contains(&status) && !to_login,
            Want::Passes => status < 500 && !to_login && !matches!(status, 401 | 403 | 404),
            Want::Unauth => status == 401,
            Want::Login => to_login,
            Want::Forbidden => status == 403,
            Want::Hidden => status == 404,
            Want::Conflict => status == 409,
            Want::OutOfScope => status == 422,
            Want::Empty => status == 200,
        }
    }
}

type Make = Box<dyn Fn(&Caller, u32) -> Req>;
type Expect = Box<dyn Fn(&Caller) -> Want>;

/// One row of the matrix: a route, how to call it, and what each caller must get.
struct Route {
    method: &'static str,
    pattern: &'static str,
    make: Make,
    want: Expect,
}

/// What nobody signed in gets from a protected route: 401 from the API, the sign-in page from
/// pages.
fn nobody(pattern: &str) -> Want {
    if pattern.starts_with("/api/") { Want::Unauth } else { Want::Login }
}

// ---------------------------------------------------------------------------------------------
// The fixture world the matrix runs in.
// ---------------------------------------------------------------------------------------------

/// Records every route needs: one of each, in street 1, made through the API.
struct World {
    case_id: String,
    case_number: String,
    /// A case reported by a contact with a phone number, for the public follow-up routes.
    followed_number: String,
    followed_phone: String,
    dispute_id: String,
    attachment_id: String,
    notification_id: String,
    webhook_id: String,
    report_id: String,
    visit_id: String,
    person_id: String,
    mediator_id: String,
    mediation_org_id: String,
    open311_number: String,
    open311_token: String,
    /// A proposal of the fixture community (一委三会), made by the street's leader.
    proposal_id: String,
    /// Volunteers and points: the resident's registration, a team, an activity under way (the
    /// resident signed up and attended), goods of the community's shop and a redemption.
    volunteer_id: String,
    team_id: String,
    activity_id: String,
    goods_id: String,
    redemption_id: String,
}

/// A tiny valid PNG (a 1×1 image's signature and header are all the server sniffs).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// The largest upload the security test server takes (small, so oversize costs little).
const MAX_UPLOAD: usize = 64 * 1024;

async fn spawn(engine: Engine) -> TestApp {
    TestApp::spawn_with(engine, |c| {
        c.max_upload_bytes = MAX_UPLOAD;
        // No background delivery: the fingerprint must see only what requests write.
        c.webhooks = None;
    })
    .await
}

fn today() -> String {
    shiyu_domain::time::local_date(chrono::Utc::now()).to_string()
}

async fn world(app: &TestApp) -> World {
    let resident = app.client("resident").await;
    let operator = app.client("operator").await;
    let admin = app.client("admin").await;
    // An attachment by the resident, referenced by their case.
    let part = reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("photo.png");
    let r = resident
        .http
        .post(app.url("/api/attachments"))
        .header("x-csrf-token", &resident.csrf)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 201);
    let attachment_id = r.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();
    let (s, c) = resident
        .post(
            "/api/cases",
            json!({"ledger": "demand", "category": app.fx.category, "channel": "web", "title": "矩阵诉求",
                   "text": "楼道灯坏了", "area_code": app.fx.grid.as_str(), "attachments": [attachment_id]}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let case_id = c["case"]["id"].as_str().expect("id").to_owned();
    let case_number = c["case"]["number"].as_str().expect("number").to_owned();
    operator.ok_mv(&case_id, json!({"move": "accept", "note": ""})).await;
    operator.ok_mv(&case_id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
    let (_, notes) = resident.get("/api/notifications").await;
    let notification_id = notes[0]["id"].as_str().expect("the resident was told of the acceptance").to_owned();

    let followed_phone = "13912345678".to_owned();
    let (s, f) = operator
        .post(
            "/api/cases",
            json!({"ledger": "demand", "category": app.fx.category, "channel": "hotline", "title": "来电诉求",
                   "text": "下水道堵了", "area_code": app.fx.grid.as_str(), "reporter": "contact",
                   "contact": {"name": "王五", "phone": followed_phone}}),
        )
        .await;
    assert_eq!(s, 201, "{f}");
    let followed_number = f["case"]["number"].as_str().expect("number").to_owned();

    // The mediation registry: an organisation of the community with one mediator.
    let (s, o) = admin
        .post(
            "/api/mediation/orgs",
            json!({"name": "东门社区人民调解委员会", "area_code": app.fx.community.as_str(), "kind": "peoples"}),
        )
        .await;
    assert_eq!(s, 200, "{o}");
    let mediation_org_id = o["id"].as_str().expect("id").to_owned();
    let (s, m) = admin
        .post(
            "/api/mediation/mediators",
            json!({"org": mediation_org_id, "name": "调解员甲",
                   "user_id": app.fx.users["village_mediator"].id.to_string()}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let mediator_id = m["id"].as_str().expect("id").to_owned();
    let (s, d) = app
        .client("village_mediator")
        .await
        .post(
            "/api/disputes",
            json!({"title": "矩阵纠纷", "facts": "邻里争执", "dispute_type": "neighbours", "risk": "blue",
                   "source": "application", "area_code": app.fx.grid.as_str(),
                   "parties": [{"name": "甲"}, {"name": "乙"}]}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let dispute_id = d["id"].as_str().expect("id").to_owned();
    // Mediated to an agreement, so that its agreement document exists.
    let (s, a) = app
        .client("village_mediator")
        .await
        .post(
            &format!("/api/disputes/{dispute_id}/moves"),
            json!({"move": "record_session", "session": {"held_on": today(), "method": "in_person",
                "mediators": [{"id": mediator_id}], "parties_present": ["甲", "乙"], "notes": "达成一致",
                "outcome": "agreement", "terms": ["甲向乙赔礼道歉"], "performance": "当场履行"}}),
        )
        .await;
    assert_eq!(s, 200, "{a}");

    let (s, w) = admin
        .post(
            "/api/admin/webhooks",
            json!({"name": "省平台", "url": "http://127.0.0.1:9/hook", "topics": ["case.event"]}),
        )
        .await;
    assert_eq!(s, 201, "{w}");
    let webhook_id = w["subscription"]["id"].as_str().expect("id").to_owned();

    // A person in the first grid (base data), imported by the street's operator.
    let person = crate::base_data::person(1, &app.fx.grid, None, vec![]);
    app.store
        .import_residents(
            "4399",
            &app.fx.users["operator"].principal(),
            crate::base_data::placed(vec![person]),
            chrono::Utc::now(),
        )
        .await
        .expect("import");
    let (rows, _) = app.store.residents(&app.fx.users["operator"].principal(), None, None, 1, 0).await.expect("list");
    let person_id = rows[0].id.clone();

    // A visit to a house of the grid, with a finding, by the grid worker.
    let house = shiyu_domain::base::records::HouseRecord {
        code: "H1".into(),
        address: "东门路1号".into(),
        building: "1栋".into(),
        unit: "2单元".into(),
        room: "301".into(),
        use_: shiyu_domain::base::kinds::HouseUse::Residential,
        tenancy: shiyu_domain::base::kinds::Tenancy::Rented,
        location: None,
        grid: Some(app.fx.grid.clone()),
    };
    let op = app.fx.users["operator"].principal();
    app.store
        .import_houses("4399", &op, crate::base_data::placed(vec![house]), chrono::Utc::now())
        .await
        .expect("house");
    let (houses, _) = app.store.houses(&op, Some(&app.fx.grid), 1, 0).await.expect("houses");
    let gw = browser();
    let csrf = sign_in(app, &gw, "grid_worker").await;
    let r = gw
        .post(app.url("/grid/visits/new"))
        .header("x-csrf-token", &csrf)
        .form(&[
            ("day", today().as_str()),
            ("house", houses[0].id.as_str()),
            ("summary", "走访"),
            ("found", "楼道堆放杂物"),
        ])
        .send()
        .await
        .expect("visit");
    assert_eq!(r.status(), 303, "visit logged");
    let visit_id: String =
        sqlx::query("SELECT id FROM visits").fetch_one(app.store.pool()).await.expect("visit row").get::<String, _>(0);

    // The reports of ended periods; the district's monthly one is the saved report.
    let state = shiyu_http::AppState {
        store: app.store.clone(),
        cfg: std::sync::Arc::new(shiyu_http::HttpConfig::new(app.dir.path())),
        places: std::sync::Arc::new(shiyu::app::places(&app.store).await.expect("places")),
        fonts: None,
        routing: Default::default(),
        search: None,
    };
    shiyu_http::reports::generate_due(&state, shiyu_domain::time::local_date(chrono::Utc::now()))
        .await
        .expect("reports");
    let report_id: String = sqlx::query("SELECT id FROM reports WHERE area_code = $1 ORDER BY period_start DESC")
        .bind(app.fx.district.as_str())
        .fetch_all(app.store.pool())
        .await
        .expect("reports")
        .first()
        .expect("a district report")
        .get::<String, _>(0);

    // An Open311 client and one request filed through it.
    let (_, created) = admin.post("/api/admin/open311/clients", json!({"name": "市民App"})).await;
    let open311_key = created["api_key"].as_str().expect("key").to_owned();
    let r = reqwest::Client::new()
        .post(app.url("/open311/v2/requests.json"))
        .form(&[
            ("api_key", open311_key.as_str()),
            ("service_code", app.fx.category.as_str()),
            // Placed by area code: coordinates are not what this test is about, and on PostgreSQL
            // a case with a point after one without can fail (sqlx's Any driver sends a missing
            // f64 typed as float4; the connection's prepared INSERT then refuses a real one).
            ("address_id", app.fx.grid.as_str()),
            ("description", "路面坑洼"),
        ])
        .send()
        .await
        .expect("open311");
    assert_eq!(r.status(), 200);
    let filed: Value = r.json().await.expect("json");
    let open311_number = filed[0]["service_request_id"].as_str().expect("id").to_owned();
    // Requests are registered at once, so the token is the request's id.
    let open311_token = filed[0]["token"].as_str().unwrap_or(&open311_number).to_owned();

    // A proposal of the community, in progress, so that meetings and comments can be tried.
    let (s, pr) = app
        .client("leader")
        .await
        .post(
            "/api/proposals",
            json!({"title": "矩阵议事", "content": "议事内容", "area_code": app.fx.community.as_str()}),
        )
        .await;
    assert_eq!(s, 200, "{pr}");
    let proposal_id = pr["id"].as_str().expect("id").to_owned();
    // Volunteers and points in the community: the resident volunteers, attends an activity under
    // way (earning points) and redeems goods of the community's shop.
    let community = app.fx.community.as_str();
    let (s, v) = resident
        .post(
            "/api/volunteers",
            json!({"name": "矩阵志愿者", "phone": "13700001111", "area_code": community, "consent": true}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let volunteer_id = v["id"].as_str().expect("id").to_owned();
    let (s, v) = operator.post("/api/teams", json!({"name": "矩阵服务队", "area_code": community})).await;
    assert_eq!(s, 201, "{v}");
    let team_id = v["id"].as_str().expect("id").to_owned();
    let now = chrono::Utc::now();
    let (s, v) = operator
        .post(
            "/api/activities",
            json!({"title": "矩阵活动", "place": "广场", "kind": "service", "area_code": community,
                   "starts_at": (now - chrono::Duration::minutes(30)).to_rfc3339(),
                   "ends_at": (now + chrono::Duration::hours(6)).to_rfc3339(), "capacity": 100}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let activity_id = v["id"].as_str().expect("id").to_owned();
    let (s, v) = resident.post(&format!("/api/activities/{activity_id}/moves"), json!({"move": "sign_up"})).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = operator
        .post(
            &format!("/api/activities/{activity_id}/moves"),
            json!({"move": "attend", "volunteer_id": volunteer_id, "minutes": 60}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = operator
        .post("/api/shop/goods", json!({"area_code": community, "name": "矩阵物品", "price": 1, "stock": 1000}))
        .await;
    assert_eq!(s, 201, "{v}");
    let goods_id = v["id"].as_str().expect("id").to_owned();
    let (s, v) = resident.post("/api/shop/redemptions", json!({"goods_id": goods_id, "quantity": 1})).await;
    assert_eq!(s, 201, "{v}");
    let redemption_id = v["redemption"]["id"].as_str().expect("id").to_owned();

    World {
        case_id,
        case_number,
        followed_number,
        followed_phone,
        dispute_id,
        attachment_id,
        notification_id,
        webhook_id,
        report_id,
        visit_id,
        person_id,
        mediator_id,
        mediation_org_id,
        open311_number,
        open311_token,
        proposal_id,
        volunteer_id,
        team_id,
        activity_id,
        goods_id,
        redemption_id,
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix.
// ---------------------------------------------------------------------------------------------

/// Codes the routes need, copied out of the fixture so the rows own them.
struct Places {
    city: String,
    district: String,
    street: String,
    community: String,
    grid: String,
    category: String,
    dept: String,
}

type W = std::rc::Rc<(World, Places)>;

fn mk(w: &W, f: impl Fn(&World, &Places, &Caller, u32) -> Req + 'static) -> Make {
    let w = w.clone();
    Box::new(move |c, n| f(&w.0, &w.1, c, n))
}

fn ex(f: impl Fn(&Caller) -> Want + 'static) -> Expect {
    Box::new(f)
}

fn ok_if(yes: bool) -> Want {
    if yes { Want::Ok } else { Want::Forbidden }
}

fn passes_if(yes: bool) -> Want {
    if yes { Want::Passes } else { Want::Forbidden }
}

/// Accounts that see the matrix case (reported by `resident` in grid 1, dispatched to `dept`).
fn sees_case(c: &Caller) -> bool {
    !c.one_of(&["anonymous", "resident2", "operator2", "handler2", "leader2"])
}

const INTAKE_STAFF: [Role; 4] = [Role::Operator, Role::Leader, Role::GridWorker, Role::Admin];

/// The matrix dispute lies in grid 1 and is mediated at the community.
fn dispute_may(c: &Caller, p: &Places, act: DisputeAct) -> bool {
    let grid = shiyu_domain::area::AreaCode::parse(&p.grid).expect("grid");
    let community = shiyu_domain::area::AreaCode::parse(&p.community).expect("community");
    c.principal.as_ref().is_some_and(|pr| disputes::may(pr, act, &grid, &community))
}

fn dispute_role(c: &Caller, act: DisputeAct) -> bool {
    c.role().is_some_and(|r| disputes::role_may(r, act))
}

/// Whether the caller may do a staff act of the points system on the matrix community.
fn points_may(c: &Caller, p: &Places, act: shiyu_domain::points::PointsAct) -> bool {
    let community = shiyu_domain::area::AreaCode::parse(&p.community).expect("community");
    c.principal.as_ref().is_some_and(|pr| shiyu_domain::points::access::may(pr, act, &community))
}

fn points_role(c: &Caller, act: shiyu_domain::points::PointsAct) -> bool {
    c.role().is_some_and(|r| shiyu_domain::points::access::role_may(r, act))
}

fn figures(c: &Caller) -> bool {
    c.principal.as_ref().is_some_and(|p| shiyu_domain::stats::access::figure_scope(p).is_some())
}

fn base_lists(c: &Caller) -> bool {
    c.is(&[Role::GridWorker, Role::Operator, Role::Admin, Role::Leader, Role::Mediator])
}

fn registers_cases(c: &Caller) -> bool {
    use shiyu_domain::case::{Channel, Intake, Ledger, Move, Reporter, Urgency, machine};
    let Some(role) = c.role() else { return false };
    let intake = Intake {
        ledger: Ledger::Demand,
        category: shiyu_domain::case::CategoryCode::parse("urban.housing.repair").expect("category"),
        channel: Channel::Web,
        urgency: Urgency::Normal,
        title: "x".into(),
        text: "x".into(),
        area: shiyu_domain::area::AreaCode::parse("439901001001001").expect("grid"),
        location: None,
        off_grid: false,
        reporter: Reporter::Anonymous,
        attachments: vec![],
    };
    machine::may(role, &Move::Register(intake))
}

/// Every route with how to call it and what each caller gets. `public` rows apply to nobody
/// signed in as well; the others answer nobody with [`nobody`].
fn matrix(w: &W) -> Vec<(bool, Route)> {
    use Role::*;
    let mut v: Vec<(bool, Route)> = Vec::new();
    let mut row = |public: bool, method: &'static str, pattern: &'static str, make: Make, want: Expect| {
        v.push((public, Route { method, pattern, make, want }));
    };
    let admin = || ex(|c| ok_if(c.is(&[Admin])));
    let admin_passes = || ex(|c| passes_if(c.is(&[Admin])));
    let all = || ex(|_| Want::Ok);
    let comment_want = || ex(|c| if !sees_case(c) { Want::Hidden } else { ok_if(c.is(&[Resident, Operator, Leader])) });
    let wp = w.clone();
    let reads = move || {
        let wp = wp.clone();
        ex(move |c| if dispute_may(c, &wp.1, DisputeAct::Read) { Want::Ok } else { Want::Hidden })
    };
    let wp = w.clone();
    let mediates = move || {
        let wp = wp.clone();
        ex(move |c| {
            if !dispute_may(c, &wp.1, DisputeAct::Read) {
                Want::Hidden
            } else {
                passes_if(dispute_may(c, &wp.1, DisputeAct::Mediate))
            }
        })
    };
    let wp = w.clone();
    let agreement = move || {
        let wp = wp.clone();
        ex(move |c| if dispute_may(c, &wp.1, DisputeAct::Read) { Want::Ok } else { Want::Hidden })
    };
    // Screenings at the community: recorded by those who register disputes over it; the API
    // refuses everyone else naming the area, the page those who may read screenings likewise.
    let registrar =
        |c: &Caller| c.one_of(&["operator", "district_operator", "city_operator", "mediator", "village_mediator"]);
    let api_screeners = move || ex(move |c| if registrar(c) { Want::Passes } else { Want::OutOfScope });
    let page_screeners = move || {
        ex(move |c| {
            if registrar(c) {
                Want::Passes
            } else if dispute_role(c, DisputeAct::Read) {
                Want::OutOfScope
            } else {
                Want::Forbidden
            }
        })
    };

    // --- Sign-in, public follow-up, health, documents, assets.
    row(true, "POST", "/api/login", mk(w, |_, _, c, _| sign_in_body(c, false)), all());
    row(true, "POST", "/login", mk(w, |_, _, c, _| sign_in_body(c, true)), all());
    row(true, "POST", "/api/logout", mk(w, |_, _, _, _| req("/api/logout", Body::Json(json!({})))), all());
    // The form's sign-out always lands on the sign-in page.
    row(true, "POST", "/logout", mk(w, |_, _, _, _| req("/logout", form(&[]))), ex(|_| Want::Login));
    row(
        true,
        "POST",
        "/api/public/follow",
        mk(w, |w, _, _, _| {
            req("/api/public/follow", Body::Json(json!({"number": w.followed_number, "phone": w.followed_phone})))
        }),
        all(),
    );
    // Rating a case that awaits no revisit: refused by its state, whoever asks.
    row(
        true,
        "POST",
        "/api/public/rate",
        mk(w, |w, _, _, _| {
            req(
                "/api/public/rate",
                Body::Json(
                    json!({"number": w.followed_number, "phone": w.followed_phone, "satisfaction": "satisfied"}),
                ),
            )
        }),
        ex(|_| Want::Conflict),
    );
    row(
        true,
        "POST",
        "/follow",
        mk(w, |w, _, _, _| req("/follow", form(&[("number", &w.followed_number), ("phone", &w.followed_phone)]))),
        all(),
    );
    row(
        true,
        "POST",
        "/follow/rate",
        mk(w, |w, _, _, _| {
            req(
                "/follow/rate",
                form(&[("number", &w.followed_number), ("phone", &w.followed_phone), ("satisfaction", "satisfied")]),
            )
        }),
        ex(|_| Want::Passes),
    );
    row(true, "GET", "/healthz", mk(w, |_, _, _, _| get("/healthz")), all());
    row(true, "GET", "/api/openapi.json", mk(w, |_, _, _, _| get("/api/openapi.json")), all());
    row(true, "GET", "/assets/{*path}", mk(w, |_, _, _, _| get("/assets/app.css")), all());

    // --- Cases.
    row(
        false,
        "POST",
        "/api/cases",
        mk(w, |_, p, c, _| {
            let channel = if c.is(&[Resident]) { "web" } else { "walk_in" };
            req(
                "/api/cases",
                Body::Json(json!({"ledger": "suggestion", "category": p.category, "channel": channel,
                                  "title": "矩阵", "text": "矩阵", "area_code": p.grid})),
            )
        }),
        ex(|c| {
            if c.one_of(&[
                "resident",
                "resident2",
                "grid_worker",
                "operator",
                "district_operator",
                "city_operator",
                "leader",
                "district_leader",
            ]) {
                Want::Ok
            } else if c.one_of(&["operator2", "leader2"]) {
                // Their role registers, but not in another street.
                Want::Conflict
            } else {
                Want::Forbidden
            }
        }),
    );
    row(false, "GET", "/api/cases", mk(w, |_, _, _, _| get("/api/cases")), all());
    let sees = || ex(|c| if sees_case(c) { Want::Ok } else { Want::Hidden });
    row(
        false,
        "GET",
        "/api/cases/by-number/{number}",
        mk(w, |w, _, _, _| get(format!("/api/cases/by-number/{}", w.case_number))),
        sees(),
    );
    row(
        false,
        "GET",
        "/api/cases/duplicates",
        mk(w, |_, p, _, _| get(format!("/api/cases/duplicates?area={}&text=%E6%A5%BC%E9%81%93%E7%81%AF", p.grid))),
        ex(|c| ok_if(c.is(&INTAKE_STAFF))),
    );
    row(false, "GET", "/api/cases/{id}", mk(w, |w, _, _, _| get(format!("/api/cases/{}", w.case_id))), sees());
    row(
        false,
        "GET",
        "/api/cases/{id}/events",
        mk(w, |w, _, _, _| get(format!("/api/cases/{}/events", w.case_id))),
        sees(),
    );
    row(
        false,
        "POST",
        "/api/cases/{id}/moves",
        mk(w, |w, _, _, n| {
            req(
                format!("/api/cases/{}/moves", w.case_id),
                Body::Json(json!({"move": "comment", "text": format!("补充{n}")})),
            )
        }),
        comment_want(),
    );
    row(
        false,
        "POST",
        "/api/attachments",
        mk(w, |_, _, _, _| {
            req("/api/attachments", Body::Multipart(vec![("file".into(), Some("a.png".into()), PNG.to_vec())]))
        }),
        all(),
    );
    row(
        false,
        "GET",
        "/api/attachments/{id}",
        mk(w, |w, _, _, _| get(format!("/api/attachments/{}", w.attachment_id))),
        sees(),
    );
    row(false, "GET", "/api/board/overdue", mk(w, |_, _, _, _| get("/api/board/overdue")), all());
    row(false, "GET", "/api/board/summary", mk(w, |_, _, _, _| get("/api/board/summary")), all());
    let not_resident = || ex(|c| ok_if(!c.is(&[Resident])));
    row(false, "GET", "/api/stats/figures", mk(w, |_, _, _, _| get("/api/stats/figures")), ex(|c| ok_if(figures(c))));
    row(false, "GET", "/api/map/areas", mk(w, |_, _, _, _| get("/api/map/areas")), not_resident());
    row(false, "GET", "/api/map/cases", mk(w, |_, _, _, _| get("/api/map/cases")), not_resident());
    row(false, "GET", "/api/map/cameras", mk(w, |_, _, _, _| get("/api/map/cameras")), not_resident());
    row(false, "GET", "/api/search", mk(w, |_, _, _, _| get("/api/search?q=%E7%9F%A9%E9%98%B5")), all());
    row(false, "GET", "/api/me", mk(w, |_, _, _, _| get("/api/me")), all());
    row(false, "GET", "/api/notifications", mk(w, |_, _, _, _| get("/api/notifications")), all());
    row(
        false,
        "POST",
        "/api/notifications/{id}/read",
        mk(w, |w, _, _, _| req(format!("/api/notifications/{}/read", w.notification_id), Body::Json(json!({})))),
        // Only its addressee may mark a notice read; to everyone else it does not exist.
        ex(|c| if c.one_of(&["resident"]) { Want::Ok } else { Want::Hidden }),
    );

    // --- Directory.
    row(false, "GET", "/api/areas", mk(w, |_, _, _, _| get("/api/areas")), all());
    row(
        false,
        "POST",
        "/api/areas",
        mk(w, |_, _, _, n| {
            req(
                "/api/areas",
                Body::Json(json!({"code": format!("4399010010{:02}", 10 + n % 80), "name": format!("新社区{n}")})),
            )
        }),
        admin(),
    );
    row(false, "GET", "/api/orgs", mk(w, |_, _, _, _| get("/api/orgs")), not_resident());
    row(
        false,
        "POST",
        "/api/orgs",
        mk(w, |_, p, _, n| {
            req(
                "/api/orgs",
                Body::Json(json!({"name": format!("单位{n}"), "kind": "department", "area_code": p.district})),
            )
        }),
        admin(),
    );
    row(false, "GET", "/api/categories", mk(w, |_, _, _, _| get("/api/categories")), all());
    row(
        false,
        "POST",
        "/api/categories",
        mk(w, |_, _, _, n| {
            req(
                "/api/categories",
                Body::Json(json!({"code": format!("urban.new{n}"), "name_zh": "新分类", "name_en": "New"})),
            )
        }),
        admin(),
    );
    row(false, "GET", "/api/users", mk(w, |_, _, _, _| get("/api/users")), admin());
    row(
        false,
        "POST",
        "/api/users",
        mk(w, |_, p, _, n| {
            req(
                "/api/users",
                Body::Json(json!({"username": format!("new_user_{n}"), "name": "新用户", "role": "operator",
                                  "password": "long-enough-pw", "area_code": p.street})),
            )
        }),
        admin(),
    );
    row(
        false,
        "POST",
        "/api/tokens",
        mk(w, |_, _, _, _| req("/api/tokens", Body::Json(json!({"label": "client"})))),
        not_resident(),
    );

    // --- Disputes and mediation.
    row(
        false,
        "POST",
        "/api/disputes",
        mk(w, |_, p, _, n| {
            req(
                "/api/disputes",
                Body::Json(json!({"title": format!("纠纷{n}"), "facts": "邻里争执", "dispute_type": "neighbours",
                                  "risk": "blue", "source": "application", "area_code": p.grid,
                                  "parties": [{"name": "甲"}, {"name": "乙"}]})),
            )
        }),
        ex(|c| {
            if c.one_of(&[
                "grid_worker",
                "operator",
                "district_operator",
                "city_operator",
                "mediator",
                "village_mediator",
            ]) {
                Want::Ok
            } else {
                Want::OutOfScope
            }
        }),
    );
    row(
        false,
        "GET",
        "/api/disputes",
        mk(w, |_, _, _, _| get("/api/disputes")),
        ex(|c| if dispute_role(c, DisputeAct::Read) { Want::Ok } else { Want::Empty }),
    );
    row(
        false,
        "GET",
        "/api/disputes/figures",
        mk(w, |_, _, _, _| get("/api/disputes/figures")),
        ex(|c| ok_if(dispute_role(c, DisputeAct::Figures))),
    );
    row(
        false,
        "GET",
        "/api/disputes/{id}",
        mk(w, |w, _, _, _| get(format!("/api/disputes/{}", w.dispute_id))),
        reads(),
    );
    row(
        false,
        "POST",
        "/api/disputes/{id}/moves",
        mk(w, |w, _, _, _| {
            req(
                format!("/api/disputes/{}/moves", w.dispute_id),
                Body::Json(json!({"move": "record_session", "session": {"held_on": today(), "method": "in_person",
                    "mediators": [{"id": w.mediator_id}], "parties_present": ["甲", "乙"], "notes": "各执一词",
                    "outcome": "failed"}})),
            )
        }),
        mediates(),
    );
    row(
        false,
        "GET",
        "/api/disputes/{id}/agreement",
        mk(w, |w, _, _, _| get(format!("/api/disputes/{}/agreement", w.dispute_id))),
        agreement(),
    );
    row(
        false,
        "POST",
        "/api/screenings",
        mk(w, |_, p, _, _| {
            req(
                "/api/screenings",
                Body::Json(json!({"area_code": p.community, "held_on": today(), "participants": "社区书记",
                                  "notes": "逐户排查", "findings": []})),
            )
        }),
        api_screeners(),
    );
    row(
        false,
        "GET",
        "/api/screenings/status",
        mk(w, |_, _, _, _| get("/api/screenings/status")),
        ex(|c| if dispute_role(c, DisputeAct::Read) { Want::Ok } else { Want::Empty }),
    );
    row(
        false,
        "GET",
        "/api/mediation/registry",
        mk(w, |_, _, _, _| get("/api/mediation/registry")),
        ex(|c| ok_if(dispute_role(c, DisputeAct::Read) || dispute_role(c, DisputeAct::Registry))),
    );
    row(
        false,
        "POST",
        "/api/mediation/orgs",
        mk(w, |_, p, _, n| {
            req(
                "/api/mediation/orgs",
                Body::Json(json!({"name": format!("调解委员会{n}"), "area_code": p.community, "kind": "peoples"})),
            )
        }),
        admin(),
    );
    row(
        false,
        "POST",
        "/api/mediation/mediators",
        mk(w, |w, _, _, n| {
            req(
                "/api/mediation/mediators",
                Body::Json(json!({"org": w.mediation_org_id, "name": format!("调解员{n}")})),
            )
        }),
        admin(),
    );

    // --- Imports, routing, Open311 and webhook administration.
    row(
        false,
        "POST",
        "/api/admin/imports",
        mk(w, |_, _, _, _| {
            let mapping = "source = \"hotline\"\nkind = \"cases\"\n[columns]\nexternal_id = \"编号\"\ntitle = \"标题\"\ntext = \"内容\"\ncategory = \"分类\"\narea_code = \"区划\"\n[defaults]\nledger = \"demand\"\n";
            req(
                "/api/admin/imports?dry_run=true",
                Body::Multipart(vec![
                    ("mapping".into(), Some("m.toml".into()), mapping.as_bytes().to_vec()),
                    ("file".into(), Some("cases.csv".into()), "编号,标题,内容,分类,区划\n".as_bytes().to_vec()),
                ]),
            )
        }),
        ex(|c| passes_if(c.is(&[Operator]))),
    );
    row(
        false,
        "GET",
        "/api/routing/proposal",
        mk(w, |_, p, _, _| get(format!("/api/routing/proposal?text=%E6%A5%BC%E9%81%93&area={}", p.grid))),
        ex(|c| ok_if(c.is(&INTAKE_STAFF))),
    );
    row(
        false,
        "POST",
        "/api/admin/routing/retrain",
        mk(w, |_, _, _, _| req("/api/admin/routing/retrain", Body::Json(json!({})))),
        admin(),
    );
    row(false, "GET", "/api/admin/routing/rules", mk(w, |_, _, _, _| get("/api/admin/routing/rules")), admin());
    row(
        false,
        "POST",
        "/api/admin/routing/rules",
        mk(w, |_, p, _, _| {
            req(
                "/api/admin/routing/rules",
                Body::Json(json!({"category": p.category, "area_code": p.district, "org_id": p.dept})),
            )
        }),
        admin(),
    );
    row(false, "GET", "/api/admin/open311/clients", mk(w, |_, _, _, _| get("/api/admin/open311/clients")), admin());
    row(
        false,
        "POST",
        "/api/admin/open311/clients",
        mk(w, |_, _, _, n| req("/api/admin/open311/clients", Body::Json(json!({"name": format!("应用{n}")})))),
        admin(),
    );
    row(
        false,
        "GET",
        "/api/admin/services/{code}/attributes",
        mk(w, |_, p, _, _| get(format!("/api/admin/services/{}/attributes", p.category))),
        admin(),
    );
    row(
        false,
        "PUT",
        "/api/admin/services/{code}/attributes",
        mk(w, |_, p, _, _| req(format!("/api/admin/services/{}/attributes", p.category), Body::Json(json!([])))),
        admin_passes(),
    );
    row(false, "GET", "/api/admin/webhooks", mk(w, |_, _, _, _| get("/api/admin/webhooks")), admin());
    row(
        false,
        "POST",
        "/api/admin/webhooks",
        mk(w, |_, _, _, n| {
            req(
                "/api/admin/webhooks",
                Body::Json(
                    json!({"name": format!("平台{n}"), "url": "http://127.0.0.1:9/hook", "topics": ["base.change"]}),
                ),
            )
        }),
        admin(),
    );
    row(
        false,
        "POST",
        "/api/admin/webhooks/{id}/deactivate",
        mk(w, |w, _, _, _| req(format!("/api/admin/webhooks/{}/deactivate", w.webhook_id), Body::Json(json!({})))),
        admin(),
    );
    row(false, "GET", "/api/admin/webhooks/dead", mk(w, |_, _, _, _| get("/api/admin/webhooks/dead")), admin());
    row(
        false,
        "POST",
        "/api/admin/webhooks/dead/replay",
        mk(w, |_, _, _, _| req("/api/admin/webhooks/dead/replay", Body::Json(json!({})))),
        admin(),
    );

    // --- Pages: home, lists, search, exports, language.
    row(false, "GET", "/", mk(w, |_, _, _, _| get("/")), all());
    row(false, "GET", "/notifications", mk(w, |_, _, _, _| get("/notifications")), all());
    row(true, "GET", "/login", mk(w, |_, _, _, _| get("/login")), all());
    row(true, "GET", "/lang/{code}", mk(w, |_, _, _, _| get("/lang/zh")), all());
    row(false, "GET", "/cases", mk(w, |_, _, _, _| get("/cases")), all());
    row(false, "GET", "/search", mk(w, |_, _, _, _| get("/search?q=%E7%9F%A9%E9%98%B5")), all());
    row(false, "GET", "/cases/overdue", mk(w, |_, _, _, _| get("/cases/overdue")), all());
    row(false, "GET", "/cases/export", mk(w, |_, _, _, _| get("/cases/export?format=csv")), all());
    row(false, "GET", "/map", mk(w, |_, _, _, _| get("/map")), not_resident());

    // --- Base data.
    row(false, "GET", "/base/care", mk(w, |_, _, _, _| get("/base/care")), ex(|c| ok_if(!c.is(&[Resident, Handler]))));
    let io = || ex(|c| ok_if(c.is(&[Operator, Admin])));
    row(false, "GET", "/base/import", mk(w, |_, _, _, _| get("/base/import")), io());
    row(
        false,
        "POST",
        "/base/import",
        mk(w, |_, _, _, _| {
            req(
                "/base/import",
                Body::Multipart(vec![
                    ("table".into(), None, b"residents".to_vec()),
                    ("file".into(), Some("people.csv".into()), "姓名\n".as_bytes().to_vec()),
                ]),
            )
        }),
        ex(|c| passes_if(c.is(&[Operator, Admin]))),
    );
    row(false, "GET", "/base/export", mk(w, |_, _, _, _| get("/base/export?table=residents&format=csv")), io());
    row(
        false,
        "POST",
        "/base/residents/{id}/unmask",
        mk(w, |w, _, _, _| {
            req(
                format!("/base/residents/{}/unmask", w.person_id),
                form(&[("which", "id_number"), ("reason", "上门核实")]),
            )
        }),
        ex(|c| {
            if c.one_of(&["grid_worker", "operator", "district_operator", "city_operator", "admin"]) {
                Want::Ok
            } else if c.one_of(&["operator2"]) {
                Want::Hidden
            } else {
                Want::Forbidden
            }
        }),
    );
    row(false, "GET", "/base/{table}", mk(w, |_, _, _, _| get("/base/residents")), ex(|c| ok_if(base_lists(c))));
    row(false, "GET", "/admin/areas/import", mk(w, |_, _, _, _| get("/admin/areas/import")), admin());
    row(
        false,
        "POST",
        "/admin/areas/import",
        mk(w, |_, _, _, _| {
            req(
                "/admin/areas/import",
                Body::Multipart(vec![("file".into(), Some("areas.geojson".into()), b"{}".to_vec())]),
            )
        }),
        admin_passes(),
    );

    // --- The grid worker's pages.
    let grid_only = || ex(|c| ok_if(c.is(&[GridWorker])));
    let grid_passes = || ex(|c| passes_if(c.is(&[GridWorker])));
    row(false, "GET", "/grid", mk(w, |_, _, _, _| get("/grid")), grid_only());
    row(false, "GET", "/grid/visits", mk(w, |_, _, _, _| get("/grid/visits")), grid_only());
    row(false, "GET", "/grid/visits/new", mk(w, |_, _, _, _| get("/grid/visits/new")), grid_only());
    row(
        false,
        "POST",
        "/grid/visits/new",
        mk(w, |_, _, _, _| req("/grid/visits/new", form(&[("day", &today()), ("summary", "走访"), ("found", "")]))),
        grid_passes(),
    );
    row(
        false,
        "POST",
        "/grid/visits/{id}/case",
        mk(w, |w, _, _, _| req(format!("/grid/visits/{}/case", w.visit_id), form(&[]))),
        grid_passes(),
    );
    row(false, "GET", "/grid/report", mk(w, |_, _, _, _| get("/grid/report")), grid_only());
    row(
        false,
        "POST",
        "/grid/report",
        mk(w, |_, p, _, _| {
            req(
                "/grid/report",
                Body::Multipart(vec![
                    ("category".into(), None, p.category.as_bytes().to_vec()),
                    ("title".into(), None, "井盖缺失".as_bytes().to_vec()),
                    ("text".into(), None, "路口井盖缺失".as_bytes().to_vec()),
                ]),
            )
        }),
        grid_passes(),
    );

    // --- Intake and the case page.
    row(
        false,
        "GET",
        "/cases/lookup",
        mk(w, |w, _, _, _| get(format!("/cases/lookup?into_number={}", w.case_number))),
        // A scoped lookup (what `/api/cases/by-number` answers), not a staff-only one.
        all(),
    );
    row(
        false,
        "GET",
        "/cases/new",
        mk(w, |_, _, _, _| get("/cases/new")),
        ex(|c| ok_if(c.is(&[Resident]) || registers_cases(c))),
    );
    row(
        false,
        "POST",
        "/cases/new",
        mk(w, |_, p, _, _| {
            req(
                "/cases/new",
                form(&[
                    ("ledger", "demand"),
                    ("category", &p.category),
                    ("channel", "walk_in"),
                    ("urgency", "normal"),
                    ("title", "窗口来访"),
                    ("text", "窗口来访诉求"),
                    ("area_code", &p.grid),
                ]),
            )
        }),
        ex(|c| passes_if(!c.is(&[Resident]) && registers_cases(c))),
    );
    row(
        false,
        "GET",
        "/cases/new/proposal",
        mk(w, |_, p, _, _| get(format!("/cases/new/proposal?title=%E6%A5%BC%E9%81%93&text=&area_code={}", p.grid))),
        ex(|c| ok_if(c.is(&INTAKE_STAFF))),
    );
    row(
        false,
        "GET",
        "/cases/new/duplicates",
        mk(w, |_, p, _, _| get(format!("/cases/new/duplicates?title=%E6%A5%BC%E9%81%93&text=&area_code={}", p.grid))),
        ex(|c| ok_if(c.is(&INTAKE_STAFF))),
    );
    row(false, "GET", "/cases/{id}", mk(w, |w, _, _, _| get(format!("/cases/{}", w.case_id))), sees());
    row(
        false,
        "POST",
        "/cases/{id}/moves/{name}",
        mk(w, |w, _, _, n| req(format!("/cases/{}/moves/comment", w.case_id), form(&[("text", &format!("补充{n}"))]))),
        comment_want(),
    );

    // --- Boards, reports, assessment.
    let figs = || ex(|c| ok_if(figures(c)));
    row(false, "GET", "/board", mk(w, |_, _, _, _| get("/board")), figs());
    row(false, "GET", "/board/screen", mk(w, |_, _, _, _| get("/board/screen")), figs());
    row(false, "GET", "/reports", mk(w, |_, _, _, _| get("/reports")), figs());
    row(false, "GET", "/reports/view", mk(w, |_, _, _, _| get("/reports/view")), figs());
    row(
        false,
        "GET",
        "/reports/saved/{id}",
        mk(w, |w, _, _, _| get(format!("/reports/saved/{}", w.report_id))),
        // The district's report: for those over the district; a department's figures are its own.
        ex(|c| {
            if !figures(c) {
                Want::Forbidden
            } else if c.one_of(&["district_operator", "city_operator", "district_leader", "analyst", "admin"]) {
                Want::Ok
            } else {
                Want::Hidden
            }
        }),
    );
    row(false, "GET", "/assessment", mk(w, |_, _, _, _| get("/assessment")), figs());
    row(
        false,
        "POST",
        "/assessment/records",
        mk(w, |_, p, _, _| {
            req(
                "/assessment/records",
                form(&[("unit", &p.street), ("record_kind", "deduction"), ("amount", "1"), ("reason", "通报")]),
            )
        }),
        ex(|c| passes_if(c.is(&[Leader, Analyst, Admin]))),
    );
    let plan = || ex(|c| ok_if(c.is(&[Admin, Analyst])));
    row(false, "GET", "/assessment/plan", mk(w, |_, _, _, _| get("/assessment/plan")), plan());
    row(
        false,
        "POST",
        "/assessment/plan",
        mk(w, |_, _, _, _| req("/assessment/plan", form(&[("body", "{")]))),
        ex(|c| passes_if(c.is(&[Admin, Analyst]))),
    );

    // --- Dispute pages.
    let dispute_readers = || ex(|c| ok_if(dispute_role(c, DisputeAct::Read)));
    row(false, "GET", "/disputes", mk(w, |_, _, _, _| get("/disputes")), dispute_readers());
    row(false, "GET", "/disputes/export", mk(w, |_, _, _, _| get("/disputes/export?format=csv")), dispute_readers());
    row(false, "GET", "/disputes/screenings", mk(w, |_, _, _, _| get("/disputes/screenings")), dispute_readers());
    row(
        false,
        "POST",
        "/disputes/screenings",
        mk(w, |_, p, _, _| {
            req(
                "/disputes/screenings",
                form(&[
                    ("area_code", &p.community),
                    ("held_on", &today()),
                    ("participants", "书记"),
                    ("notes", "排查"),
                ]),
            )
        }),
        page_screeners(),
    );
    row(
        false,
        "GET",
        "/disputes/figures",
        mk(w, |_, _, _, _| get("/disputes/figures")),
        ex(|c| ok_if(dispute_role(c, DisputeAct::Figures))),
    );
    row(false, "GET", "/admin/mediation", mk(w, |_, _, _, _| get("/admin/mediation")), admin());
    row(
        false,
        "POST",
        "/admin/mediation/orgs",
        mk(w, |_, p, _, n| {
            req(
                "/admin/mediation/orgs",
                form(&[("name", &format!("网页调解委员会{n}")), ("area_code", &p.community), ("kind", "peoples")]),
            )
        }),
        admin_passes(),
    );
    row(
        false,
        "POST",
        "/admin/mediation/mediators",
        mk(w, |w, _, _, n| {
            req(
                "/admin/mediation/mediators",
                form(&[("org", &w.mediation_org_id), ("name", &format!("网页调解员{n}"))]),
            )
        }),
        admin_passes(),
    );
    row(
        false,
        "GET",
        "/disputes/new",
        mk(w, |_, _, _, _| get("/disputes/new")),
        ex(|c| ok_if(dispute_role(c, DisputeAct::Register))),
    );
    row(
        false,
        "POST",
        "/disputes/new",
        mk(w, |_, p, _, n| {
            req(
                "/disputes/new",
                form(&[
                    ("title", &format!("网页纠纷{n}")),
                    ("facts", "邻里争执"),
                    ("dispute_type", "neighbours"),
                    ("risk", "blue"),
                    ("source", "application"),
                    ("area_code", &p.grid),
                    ("party0_role", "applicant"),
                    ("party0_kind", "person"),
                    ("party0_name", "甲"),
                    ("party1_role", "respondent"),
                    ("party1_kind", "person"),
                    ("party1_name", "乙"),
                ]),
            )
        }),
        ex(|c| {
            if c.one_of(&[
                "grid_worker",
                "operator",
                "district_operator",
                "city_operator",
                "mediator",
                "village_mediator",
            ]) {
                Want::Passes
            } else if dispute_role(c, DisputeAct::Register) {
                Want::OutOfScope
            } else {
                Want::Forbidden
            }
        }),
    );
    row(false, "GET", "/disputes/{id}", mk(w, |w, _, _, _| get(format!("/disputes/{}", w.dispute_id))), reads());
    row(
        false,
        "POST",
        "/disputes/{id}/moves/{name}",
        mk(w, |w, _, _, _| {
            req(
                format!("/disputes/{}/moves/record_session", w.dispute_id),
                form(&[
                    ("held_on", &today()),
                    ("method", "in_person"),
                    ("mediators", &w.mediator_id),
                    ("present", "甲"),
                    ("notes", "各执一词"),
                    ("outcome", "failed"),
                ]),
            )
        }),
        mediates(),
    );
    row(
        false,
        "GET",
        "/disputes/{id}/agreement",
        mk(w, |w, _, _, _| get(format!("/disputes/{}/agreement", w.dispute_id))),
        agreement(),
    );

    // --- Deliberation: the matrix proposal is of the fixture community. Residents read every
    // proposal and comment; staff read their area's (a grid's staff their community's); the
    // leaders and operators over it act; another street's staff and handlers see nothing.
    let reads_proposal = |c: &Caller| {
        c.principal.as_ref().is_some_and(|p| {
            let community = shiyu_domain::area::AreaCode::parse("439901001001").expect("community");
            proposals::may(p, ProposalAct::Read, &community)
        })
    };
    let acts_on_proposal =
        |c: &Caller| c.one_of(&["operator", "district_operator", "city_operator", "leader", "district_leader"]);
    let proposal_reads = move || ex(move |c| if reads_proposal(c) { Want::Ok } else { Want::Hidden });
    let proposal_moves =
        move || ex(move |c| if !reads_proposal(c) { Want::Hidden } else { passes_if(acts_on_proposal(c)) });
    let proposal_comments =
        move || ex(move |c| if !reads_proposal(c) { Want::Hidden } else { ok_if(c.is(&[Resident, Leader, Operator])) });
    let proposal_makers = move |c: &Caller| {
        if acts_on_proposal(c) {
            Want::Passes
        } else if c.one_of(&["operator2", "leader2"]) {
            // Their role makes proposals, but not in another street.
            Want::OutOfScope
        } else {
            Want::Forbidden
        }
    };
    let meeting_body = |n: u32| {
        json!({"move": "record_meeting", "meeting": {"stage": "propose", "held_at": chrono::Utc::now().to_rfc3339(),
            "members_total": 5, "attendees": ["甲", "乙", "丙"], "votes": {"for": 3, "against": 0, "abstain": 0},
            "minutes": format!("矩阵会议{n}")}})
    };
    row(
        false,
        "POST",
        "/api/proposals",
        mk(w, |_, p, _, n| {
            req(
                "/api/proposals",
                Body::Json(json!({"title": format!("议事{n}"), "content": "议事内容", "area_code": p.community})),
            )
        }),
        ex(proposal_makers),
    );
    row(
        false,
        "GET",
        "/api/proposals",
        mk(w, |_, _, _, _| get("/api/proposals")),
        ex(|c| if c.is(&[Handler]) { Want::Empty } else { Want::Ok }),
    );
    row(
        false,
        "GET",
        "/api/proposals/{id}",
        mk(w, |w, _, _, _| get(format!("/api/proposals/{}", w.proposal_id))),
        proposal_reads(),
    );
    row(
        false,
        "POST",
        "/api/proposals/{id}/moves",
        mk(w, move |w, _, _, n| req(format!("/api/proposals/{}/moves", w.proposal_id), Body::Json(meeting_body(n)))),
        proposal_moves(),
    );
    row(
        false,
        "POST",
        "/api/proposals/{id}/comments",
        mk(w, |w, _, _, n| {
            req(format!("/api/proposals/{}/comments", w.proposal_id), Body::Json(json!({"text": format!("意见{n}")})))
        }),
        proposal_comments(),
    );
    row(false, "GET", "/proposals", mk(w, |_, _, _, _| get("/proposals")), ex(|c| ok_if(!c.is(&[Handler]))));
    row(
        false,
        "GET",
        "/proposals/new",
        mk(w, |_, _, _, _| get("/proposals/new")),
        ex(|c| ok_if(c.is(&[Leader, Operator]))),
    );
    row(
        false,
        "POST",
        "/proposals/new",
        mk(w, |_, p, _, n| {
            req(
                "/proposals/new",
                form(&[("title", &format!("网页议事{n}")), ("content", "议事内容"), ("area_code", &p.community)]),
            )
        }),
        ex(proposal_makers),
    );
    row(
        false,
        "GET",
        "/proposals/{id}",
        mk(w, |w, _, _, _| get(format!("/proposals/{}", w.proposal_id))),
        proposal_reads(),
    );
    row(
        false,
        "POST",
        "/proposals/{id}/moves/{name}",
        mk(w, |w, _, _, n| {
            req(
                format!("/proposals/{}/moves/record_meeting", w.proposal_id),
                form(&[
                    ("stage", "propose"),
                    ("held_at", &shiyu_domain::time::local_date(chrono::Utc::now()).to_string()),
                    ("members_total", "5"),
                    ("attendees", "甲\n乙\n丙"),
                    ("votes_for", "3"),
                    ("votes_against", "0"),
                    ("votes_abstain", "0"),
                    ("minutes", &format!("网页矩阵会议{n}")),
                ]),
            )
        }),
        proposal_moves(),
    );
    row(
        false,
        "POST",
        "/proposals/{id}/comments",
        mk(w, |w, _, _, n| {
            req(format!("/proposals/{}/comments", w.proposal_id), form(&[("text", &format!("网页意见{n}"))]))
        }),
        proposal_comments(),
    );

    // --- Residents' pages and the public follow-up page.
    row(false, "GET", "/r", mk(w, |_, _, _, _| get("/r")), all());
    row(false, "GET", "/r/new", mk(w, |_, _, _, _| get("/r/new")), all());
    row(
        false,
        "POST",
        "/r/new",
        mk(w, |_, p, _, _| {
            req(
                "/r/new",
                form(&[
                    ("ledger", "demand"),
                    ("category", &p.category),
                    ("title", "路灯"),
                    ("text", "路灯不亮"),
                    ("area_code", &p.grid),
                ]),
            )
        }),
        ex(|c| passes_if(c.is(&[Resident]))),
    );
    row(true, "GET", "/follow", mk(w, |_, _, _, _| get("/follow")), all());
    // The public community page: anyone, signed in or not, reads it.
    row(true, "GET", "/p", mk(w, |_, _, _, _| get("/p")), all());
    row(true, "GET", "/p/{area}", mk(w, |_, p, _, _| get(format!("/p/{}", p.community))), all());
    row(
        true,
        "GET",
        "/api/public/areas/{code}",
        mk(w, |_, p, _, _| get(format!("/api/public/areas/{}", p.community))),
        all(),
    );

    // --- Open311: reads are public; filing needs the client's api_key, whoever is signed in.
    let o = |path: &'static str| mk(w, move |_, _, _, _| get(format!("/open311/v2/{path}")));
    row(true, "GET", "/open311/v2/discovery", o("discovery.json"), all());
    row(true, "GET", "/open311/v2/services", o("services.json"), all());
    row(
        true,
        "GET",
        "/open311/v2/services/{code}",
        mk(w, |_, p, _, _| get(format!("/open311/v2/services/{}.json", p.category))),
        ex(|_| Want::Passes),
    );
    row(
        true,
        "POST",
        "/open311/v2/requests",
        mk(w, |_, p, _, _| {
            req(
                "/open311/v2/requests.json",
                form(&[("service_code", &p.category), ("lat", "28.1"), ("long", "113.02"), ("description", "无钥匙")]),
            )
        }),
        ex(|_| Want::Forbidden),
    );
    row(true, "GET", "/open311/v2/requests", o("requests.json"), all());
    row(
        true,
        "GET",
        "/open311/v2/requests/{id}",
        mk(w, |w, _, _, _| get(format!("/open311/v2/requests/{}.json", w.open311_number))),
        all(),
    );
    row(
        true,
        "GET",
        "/open311/v2/tokens/{token}",
        mk(w, |w, _, _, _| get(format!("/open311/v2/tokens/{}.json", w.open311_token))),
        all(),
    );
    row(true, "GET", "/open311/v2/servicerequestupdates", o("servicerequestupdates.json"), all());
    row(
        true,
        "POST",
        "/open311/v2/servicerequestupdates",
        mk(w, |w, _, _, _| {
            req(
                "/open311/v2/servicerequestupdates.json",
                form(&[
                    ("service_request_id", &w.open311_number),
                    ("update_id", "u-1"),
                    ("updated_datetime", "2026-11-20T10:00:00+08:00"),
                    ("status", "open"),
                    ("description", "无钥匙"),
                ]),
            )
        }),
        ex(|_| Want::Forbidden),
    );

    // --- Volunteers and points.
    {
        use shiyu_domain::points::PointsAct as P;
        let wp = w.clone();
        // Staff of the community act; staff elsewhere are refused by the area they name (or the
        // record is hidden from them); everyone else is refused by role.
        let staff_write = move |hidden: bool| {
            let wp = wp.clone();
            ex(move |c| {
                if points_may(c, &wp.1, P::Manage) {
                    Want::Passes
                } else if points_role(c, P::Manage) {
                    if hidden { Want::Hidden } else { Want::OutOfScope }
                } else {
                    Want::Forbidden
                }
            })
        };
        let staff_read = || ex(|c| ok_if(points_role(c, P::Read)));
        let residents = || ex(|c| passes_if(points_role(c, P::Take)));
        let wp = w.clone();
        let public_or_scope = move || {
            let wp = wp.clone();
            ex(move |c| if points_role(c, P::Read) && !points_may(c, &wp.1, P::Read) { Want::Hidden } else { Want::Ok })
        };
        let wp = w.clone();
        let owner_or_staff = move || {
            let wp = wp.clone();
            ex(
                move |c| {
                    if c.one_of(&["resident"]) || points_may(c, &wp.1, P::Manage) { Want::Passes } else { Want::Hidden }
                },
            )
        };
        let activity_json = |p: &Places, n: u32| {
            let now = chrono::Utc::now();
            json!({"title": format!("活动{n}"), "place": "广场", "kind": "meeting", "area_code": p.community,
                   "starts_at": (now + chrono::Duration::hours(1)).to_rfc3339(),
                   "ends_at": (now + chrono::Duration::hours(2)).to_rfc3339(), "capacity": 10})
        };
        row(
            false,
            "POST",
            "/api/volunteers",
            mk(w, |_, p, c, _| {
                let phone = if c.one_of(&["resident"]) { "13700001111" } else { "13700002222" };
                req(
                    "/api/volunteers",
                    Body::Json(json!({"name": "志愿者", "phone": phone, "area_code": p.community, "consent": true})),
                )
            }),
            residents(),
        );
        row(false, "GET", "/api/volunteers", mk(w, |_, _, _, _| get("/api/volunteers")), staff_read());
        row(false, "GET", "/api/volunteers/me", mk(w, |_, _, _, _| get("/api/volunteers/me")), all());
        row(
            false,
            "POST",
            "/api/teams",
            mk(w, |_, p, _, n| {
                req("/api/teams", Body::Json(json!({"name": format!("服务队{n}"), "area_code": p.community})))
            }),
            staff_write(false),
        );
        row(false, "GET", "/api/teams", mk(w, |_, _, _, _| get("/api/teams")), staff_read());
        row(
            false,
            "POST",
            "/api/teams/{id}/members",
            mk(w, |w, _, _, _| {
                req(format!("/api/teams/{}/members", w.team_id), Body::Json(json!({"volunteer_id": w.volunteer_id})))
            }),
            staff_write(true),
        );
        row(
            false,
            "POST",
            "/api/activities",
            mk(w, move |_, p, _, n| req("/api/activities", Body::Json(activity_json(p, n)))),
            staff_write(false),
        );
        row(false, "GET", "/api/activities", mk(w, |_, _, _, _| get("/api/activities")), all());
        row(
            false,
            "GET",
            "/api/activities/{id}",
            mk(w, |w, _, _, _| get(format!("/api/activities/{}", w.activity_id))),
            public_or_scope(),
        );
        row(
            false,
            "POST",
            "/api/activities/{id}/moves",
            mk(w, |w, _, _, _| {
                req(format!("/api/activities/{}/moves", w.activity_id), Body::Json(json!({"move": "sign_up"})))
            }),
            residents(),
        );
        row(false, "GET", "/api/points/me", mk(w, |_, _, _, _| get("/api/points/me")), all());
        row(false, "GET", "/api/points/rules", mk(w, |_, _, _, _| get("/api/points/rules")), all());
        row(
            false,
            "POST",
            "/api/points/rules",
            mk(w, |_, p, _, _| {
                req(
                    "/api/points/rules",
                    Body::Json(json!({"area_code": p.community, "report_true": 20, "per_service_hour": 10,
                                      "attendance": 5, "star_hours": "100,300,600,1000,1500"})),
                )
            }),
            staff_write(false),
        );
        row(false, "GET", "/api/points/ledger", mk(w, |_, _, _, _| get("/api/points/ledger")), staff_read());
        row(
            false,
            "GET",
            "/api/shop/goods",
            mk(w, |_, p, _, _| get(format!("/api/shop/goods?area={}", p.community))),
            all(),
        );
        row(
            false,
            "POST",
            "/api/shop/goods",
            mk(w, |_, p, _, n| {
                req(
                    "/api/shop/goods",
                    Body::Json(json!({"area_code": p.community, "name": format!("物品{n}"), "price": 5, "stock": 1})),
                )
            }),
            staff_write(false),
        );
        row(
            false,
            "POST",
            "/api/shop/goods/{id}/stock",
            mk(w, |w, _, _, _| {
                req(format!("/api/shop/goods/{}/stock", w.goods_id), Body::Json(json!({"delta": 1, "reason": "到货"})))
            }),
            staff_write(true),
        );
        row(
            false,
            "POST",
            "/api/shop/redemptions",
            mk(w, |w, _, _, _| {
                req("/api/shop/redemptions", Body::Json(json!({"goods_id": w.goods_id, "quantity": 1})))
            }),
            residents(),
        );
        row(false, "GET", "/api/shop/redemptions", mk(w, |_, _, _, _| get("/api/shop/redemptions")), all());
        row(
            false,
            "POST",
            "/api/shop/redemptions/{id}/moves",
            mk(w, |w, _, _, _| {
                req(
                    format!("/api/shop/redemptions/{}/moves", w.redemption_id),
                    Body::Json(json!({"move": "cancel", "reason": "矩阵"})),
                )
            }),
            owner_or_staff(),
        );
        // Residents' pages (staff are sent on to their own) and the staff pages.
        row(false, "GET", "/r/points", mk(w, |_, _, _, _| get("/r/points")), all());
        row(
            false,
            "POST",
            "/r/redemptions/{id}/cancel",
            mk(w, |w, _, _, _| req(format!("/r/redemptions/{}/cancel", w.redemption_id), form(&[("reason", "矩阵")]))),
            owner_or_staff(),
        );
        row(false, "GET", "/r/shop", mk(w, |_, _, _, _| get("/r/shop")), all());
        row(
            false,
            "POST",
            "/r/shop/redeem",
            mk(w, |w, _, _, _| req("/r/shop/redeem", form(&[("goods_id", &w.goods_id), ("quantity", "1")]))),
            residents(),
        );
        row(false, "GET", "/r/volunteer", mk(w, |_, _, _, _| get("/r/volunteer")), all());
        row(
            false,
            "POST",
            "/r/volunteer",
            mk(w, |_, p, c, _| {
                let phone = if c.one_of(&["resident"]) { "13700001111" } else { "13700002222" };
                req(
                    "/r/volunteer",
                    form(&[("name", "志愿者"), ("phone", phone), ("area_code", &p.community), ("consent", "1")]),
                )
            }),
            residents(),
        );
        row(
            false,
            "POST",
            "/r/activities/{id}/{action}",
            mk(w, |w, _, _, _| req(format!("/r/activities/{}/sign_up", w.activity_id), form(&[]))),
            residents(),
        );
        row(false, "GET", "/volunteers", mk(w, |_, _, _, _| get("/volunteers")), staff_read());
        row(
            false,
            "POST",
            "/volunteers/teams",
            mk(w, |_, p, _, n| {
                req("/volunteers/teams", form(&[("name", &format!("网页服务队{n}")), ("area_code", &p.community)]))
            }),
            staff_write(false),
        );
        row(
            false,
            "POST",
            "/volunteers/members",
            mk(w, |w, _, _, _| {
                req("/volunteers/members", form(&[("team", &w.team_id), ("volunteer_id", &w.volunteer_id)]))
            }),
            staff_write(true),
        );
        row(false, "GET", "/activities", mk(w, |_, _, _, _| get("/activities")), staff_read());
        row(
            false,
            "POST",
            "/activities",
            mk(w, |_, p, _, n| {
                let now = chrono::Utc::now() + chrono::Duration::hours(8);
                let fmt = |t: chrono::DateTime<chrono::Utc>| {
                    t.with_timezone(&shiyu_domain::time::SHANGHAI).format("%Y-%m-%dT%H:%M").to_string()
                };
                req(
                    "/activities",
                    form(&[
                        ("title", &format!("网页活动{n}")),
                        ("place", "广场"),
                        ("kind", "service"),
                        ("area_code", &p.community),
                        ("starts_at", &fmt(now)),
                        ("ends_at", &fmt(now + chrono::Duration::hours(1))),
                        ("capacity", "5"),
                    ]),
                )
            }),
            staff_write(false),
        );
        let wp = w.clone();
        row(
            false,
            "GET",
            "/activities/{id}",
            mk(w, |w, _, _, _| get(format!("/activities/{}", w.activity_id))),
            ex(move |c| {
                if points_may(c, &wp.1, P::Manage) {
                    Want::Ok
                } else if points_role(c, P::Manage) {
                    Want::Hidden
                } else {
                    Want::Forbidden
                }
            }),
        );
        row(
            false,
            "POST",
            "/activities/{id}/moves/{name}",
            mk(w, |w, _, _, _| {
                req(
                    format!("/activities/{}/moves/attend", w.activity_id),
                    form(&[("volunteer_id", &w.volunteer_id), ("minutes", "30")]),
                )
            }),
            staff_write(true),
        );
        row(false, "GET", "/shop", mk(w, |_, _, _, _| get("/shop")), staff_read());
        row(
            false,
            "POST",
            "/shop/goods",
            mk(w, |_, p, _, n| {
                req(
                    "/shop/goods",
                    form(&[
                        ("area_code", &p.community),
                        ("name", &format!("网页物品{n}")),
                        ("price", "5"),
                        ("stock", "1"),
                    ]),
                )
            }),
            staff_write(false),
        );
        row(
            false,
            "POST",
            "/shop/goods/{id}/stock",
            mk(w, |w, _, _, _| {
                req(format!("/shop/goods/{}/stock", w.goods_id), form(&[("delta", "1"), ("reason", "到货")]))
            }),
            staff_write(true),
        );
        row(
            false,
            "POST",
            "/shop/redemptions/{id}/{action}",
            mk(w, |w, _, _, _| {
                req(format!("/shop/redemptions/{}/cancel", w.redemption_id), form(&[("reason", "矩阵")]))
            }),
            owner_or_staff(),
        );
        row(false, "GET", "/points", mk(w, |_, _, _, _| get("/points")), staff_read());
        row(
            false,
            "POST",
            "/points/rules",
            mk(w, |_, p, _, _| {
                req(
                    "/points/rules",
                    form(&[
                        ("area_code", &p.community),
                        ("report_true", "20"),
                        ("per_service_hour", "10"),
                        ("attendance", "5"),
                        ("star_hours", "100,300,600,1000,1500"),
                        ("true_results", "resolved"),
                    ]),
                )
            }),
            staff_write(false),
        );
    }
    v
}

/// Sign-in as the caller itself (nobody signs in as `resident2`), by JSON or by form.
fn sign_in_body(c: &Caller, by_form: bool) -> Req {
    let who = if c.name == "anonymous" { "resident2" } else { c.name };
    if by_form {
        req("/login", form(&[("username", who), ("password", PASSWORD)]))
    } else {
        req("/api/login", Body::Json(json!({"username": who, "password": PASSWORD})))
    }
}

/// Routes that end or replace the caller's session, run last and in this order.
const SESSION_ROUTES: [(&str, &str); 4] =
    [("POST", "/logout"), ("POST", "/api/login"), ("POST", "/login"), ("POST", "/api/logout")];

fn is_write(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD" | "OPTIONS")
}

#[tokio::test]
async fn every_caller_against_every_route() {
    let served = served_routes();
    assert!(served.len() > 100, "the route reader found the router: {served:?}");
    for engine in engines() {
        let app = spawn(engine).await;
        let w = world(&app).await;
        let places = Places {
            city: app.fx.city.as_str().to_owned(),
            district: app.fx.district.as_str().to_owned(),
            street: app.fx.street.as_str().to_owned(),
            community: app.fx.community.as_str().to_owned(),
            grid: app.fx.grid.as_str().to_owned(),
            category: app.fx.category.clone(),
            dept: app.fx.dept.id.to_string(),
        };
        assert!(!places.city.is_empty());
        let w: W = std::rc::Rc::new((w, places));
        let rows = matrix(&w);

        // The matrix covers exactly what the router serves: a new route needs a row here.
        let covered: BTreeSet<(String, String)> =
            rows.iter().map(|(_, r)| (r.method.to_owned(), r.pattern.to_owned())).collect();
        assert_eq!(covered.len(), rows.len(), "a route has two rows");
        let missing: Vec<_> = served.difference(&covered).collect();
        let stale: Vec<_> = covered.difference(&served).collect();
        assert!(missing.is_empty(), "routes the security matrix does not cover: {missing:#?}");
        assert!(stale.is_empty(), "matrix rows for routes that no longer exist: {stale:#?}");

        let mut n = 0u32;
        let mut failures = Vec::new();
        let callers: Vec<Option<&'static str>> =
            std::iter::once(None).chain(ACCOUNTS.iter().copied().map(Some)).collect();
        for who in callers {
            let mut caller = Caller::new(&app, who).await;
            let want_of = |public: bool, r: &Route, c: &Caller| {
                if c.principal.is_none() && !public { nobody(r.pattern) } else { (r.want)(c) }
            };
            let session_route = |r: &Route| SESSION_ROUTES.contains(&(r.method, r.pattern));
            // First every write this caller must be refused, with nothing between them that may
            // legitimately write (reads of personal data are audited): together they change nothing.
            let before = fingerprint(&app).await;
            for (public, r) in rows.iter().filter(|(_, r)| is_write(r.method) && !session_route(r)) {
                let want = want_of(*public, r, &caller);
                if !want.refused() {
                    continue;
                }
                n += 1;
                let rq = (r.make)(&caller, n);
                let res = build(&caller.http, app.base_url(), r.method, &rq, Some(&caller.csrf), &[])
                    .send()
                    .await
                    .expect("send");
                check(&mut failures, engine, &caller, r, &rq, want, res).await;
            }
            assert_same(&before, &fingerprint(&app).await, &format!("{engine:?} {}: refused writes", caller.name));
            // Then everything else.
            for (public, r) in rows.iter().filter(|(_, r)| !session_route(r)) {
                let want = want_of(*public, r, &caller);
                if is_write(r.method) && want.refused() {
                    continue;
                }
                n += 1;
                let rq = (r.make)(&caller, n);
                let res = build(&caller.http, app.base_url(), r.method, &rq, Some(&caller.csrf), &[])
                    .send()
                    .await
                    .expect("send");
                check(&mut failures, engine, &caller, r, &rq, want, res).await;
            }
            // Last, the routes that end or replace the session, in an order that leaves one open
            // for the next: sign out by form, sign in by JSON, by form, sign out by JSON.
            for key in SESSION_ROUTES {
                let (public, r) = rows.iter().find(|(_, r)| (r.method, r.pattern) == key).expect("session row");
                let want = want_of(*public, r, &caller);
                n += 1;
                let rq = (r.make)(&caller, n);
                let headers: &[(&str, &str)] = if r.pattern == "/logout" { &[("accept", "text/html")] } else { &[] };
                let res = build(&caller.http, app.base_url(), r.method, &rq, Some(&caller.csrf), headers)
                    .send()
                    .await
                    .expect("send");
                if r.pattern == "/api/login" && res.status() == 200 {
                    let body: Value = res.json().await.expect("json");
                    caller.csrf = body["csrf"].as_str().unwrap_or_default().to_owned();
                    continue;
                }
                check(&mut failures, engine, &caller, r, &rq, want, res).await;
                if r.pattern == "/login" {
                    // A form sign-in gives the page its token; the API tells it too.
                    let me: Value =
                        caller.http.get(app.url("/api/me")).send().await.expect("me").json().await.expect("json");
                    caller.csrf = me["csrf"].as_str().unwrap_or_default().to_owned();
                }
            }
            // Signed out: the session no longer works.
            let after = caller.http.get(app.url("/api/me")).send().await.expect("me").status().as_u16();
            assert_eq!(after, 401, "{engine:?} {}: signed out at the end", caller.name);
        }
        assert!(failures.is_empty(), "{} matrix cells wrong:\n{}", failures.len(), failures.join("\n"));
    }
}

async fn check(
    failures: &mut Vec<String>,
    engine: Engine,
    caller: &Caller,
    r: &Route,
    rq: &Req,
    want: Want,
    res: reqwest::Response,
) {
    let status = res.status().as_u16();
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let text = res.text().await.unwrap_or_default();
    let body_ok = match want {
        Want::Empty => text.trim() == "[]",
        // The API names the field and the reason; a page says it in words.
        Want::OutOfScope if r.pattern.starts_with("/api/") => text.contains("outside_scope"),
        _ => true,
    };
    if !want.accepts(status, &location) || !body_ok {
        let snippet: String = text.chars().take(160).collect();
        failures.push(format!(
            "{engine:?} {} {} {} ({}): want {want:?}, got {status} {location} {snippet}",
            caller.name, r.method, rq.path, r.pattern
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions.
// ---------------------------------------------------------------------------------------------

/// The session id a response sets, if it sets one.
fn set_session(res: &reqwest::Response) -> Option<(String, String)> {
    res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
        let (k, v) = kv.split_once('=')?;
        (k.trim() == "shiyu_session").then(|| (v.trim().to_owned(), attrs.to_owned()))
    })
}

/// `GET /api/me` with exactly this session id.
async fn me_with(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("cookie", format!("shiyu_session={token}"))
        .send()
        .await
        .expect("me")
        .status()
        .as_u16()
}

async fn login_with(
    app: &TestApp,
    cookie: Option<&str>,
    csrf: Option<&str>,
    who: &str,
    by_form: bool,
) -> reqwest::Response {
    let http = browser();
    let user = &app.fx.users[who];
    let mut b = if by_form {
        http.post(app.url("/login")).form(&[("username", user.username.as_str()), ("password", PASSWORD)])
    } else {
        http.post(app.url("/api/login")).json(&json!({"username": user.username, "password": PASSWORD}))
    };
    if let Some(c) = cookie {
        b = b.header("cookie", format!("shiyu_session={c}"));
    }
    if let Some(t) = csrf {
        b = b.header("x-csrf-token", t);
    }
    b.send().await.expect("login")
}

#[tokio::test]
async fn session_ids_are_new_at_sign_in_and_dead_after_sign_out() {
    for engine in engines() {
        let app = spawn(engine).await;
        for by_form in [false, true] {
            // An id chosen by someone else and planted before sign-in authenticates nobody, and the
            // sign-in answers with a fresh one.
            let planted = "a".repeat(64);
            assert_eq!(me_with(&app, &planted).await, 401);
            let res = login_with(&app, Some(&planted), None, "operator", by_form).await;
            assert!(matches!(res.status().as_u16(), 200 | 303), "{engine:?} sign-in: {}", res.status());
            let (fresh, attrs) = set_session(&res).expect("a session cookie");
            assert_ne!(fresh, planted, "the planted id is not adopted");
            assert!(fresh.len() >= 64 && fresh.chars().all(|c| c.is_ascii_hexdigit()), "256 random bits: {fresh}");
            let attrs = attrs.to_ascii_lowercase();
            for a in ["httponly", "samesite=lax", "path=/"] {
                assert!(attrs.contains(a), "the cookie is {a}: {attrs}");
            }
            assert_eq!(me_with(&app, &planted).await, 401, "the planted id still authenticates nobody");
            assert_eq!(me_with(&app, &fresh).await, 200);
            // Only a hash of the id is kept: a copy of the database holds no live session.
            let stored: Vec<String> = sqlx::query("SELECT token_hash FROM sessions")
                .fetch_all(app.store.pool())
                .await
                .expect("sessions")
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
            assert!(!stored.is_empty() && !stored.contains(&fresh), "session ids are stored hashed");

            // A live session presented at a second sign-in (someone else's, left in a shared
            // browser or planted) ends: only the new one works.
            let me: Value = reqwest::Client::new()
                .get(app.url("/api/me"))
                .header("cookie", format!("shiyu_session={fresh}"))
                .send()
                .await
                .expect("me")
                .json()
                .await
                .expect("json");
            let csrf = me["csrf"].as_str().expect("csrf").to_owned();
            let res = login_with(&app, Some(&fresh), Some(&csrf), "resident", by_form).await;
            assert!(matches!(res.status().as_u16(), 200 | 303), "second sign-in: {}", res.status());
            let (second, _) = set_session(&res).expect("a session cookie");
            assert_ne!(second, fresh);
            assert_eq!(me_with(&app, &fresh).await, 401, "{engine:?}: the session from before sign-in is over");
            assert_eq!(me_with(&app, &second).await, 200);
            // A failed sign-in ends nothing and starts nothing.
            let bad = browser()
                .post(app.url("/api/login"))
                .header("cookie", format!("shiyu_session={second}"))
                .json(&json!({"username": "operator", "password": "wrong"}))
                .send()
                .await
                .expect("login");
            assert_eq!(bad.status(), 403, "a wrong password with a live session is refused by CSRF first");
            assert!(set_session(&bad).is_none());
            assert_eq!(me_with(&app, &second).await, 200);

            // Sign-out ends the session on the server: the same id, replayed, is refused.
            let me: Value = reqwest::Client::new()
                .get(app.url("/api/me"))
                .header("cookie", format!("shiyu_session={second}"))
                .send()
                .await
                .expect("me")
                .json()
                .await
                .expect("json");
            let csrf = me["csrf"].as_str().expect("csrf").to_owned();
            let path = if by_form { "/logout" } else { "/api/logout" };
            let out = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client")
                .post(app.url(path))
                .header("cookie", format!("shiyu_session={second}"))
                .header("x-csrf-token", &csrf)
                .header("accept", if by_form { "text/html" } else { "application/json" })
                .send()
                .await
                .expect("logout");
            assert!(matches!(out.status().as_u16(), 204 | 303), "sign-out: {}", out.status());
            let (cleared, attrs) = set_session(&out).expect("the cookie is cleared");
            assert!(cleared.is_empty() && attrs.contains("Max-Age=0"), "{cleared} {attrs}");
            assert_eq!(me_with(&app, &second).await, 401, "{engine:?}: a signed-out id is dead on the server");
            let page = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client")
                .get(app.url("/cases"))
                .header("cookie", format!("shiyu_session={second}"))
                .send()
                .await
                .expect("page");
            assert_eq!(page.headers().get("location").and_then(|v| v.to_str().ok()), Some("/login"));
        }
        // No session is left but those never signed out (none here).
        let left: i64 =
            sqlx::query("SELECT COUNT(*) FROM sessions").fetch_one(app.store.pool()).await.expect("n").get(0);
        assert_eq!(left, 0, "{engine:?}: every session opened here was ended");
    }
}

// ---------------------------------------------------------------------------------------------
// CSRF.
// ---------------------------------------------------------------------------------------------

/// A forged request: what it lacks, the token it sends (if any), extra headers.
type Forgery<'a> = (&'a str, Option<&'a str>, Vec<(&'a str, &'a str)>);

#[tokio::test]
async fn every_state_changing_route_refuses_a_session_without_its_csrf_token() {
    for engine in engines() {
        let app = spawn(engine).await;
        let w = world(&app).await;
        let places = places_of(&app);
        let w: W = std::rc::Rc::new((w, places));
        let rows = matrix(&w);
        let writes: Vec<&Route> = rows.iter().map(|(_, r)| r).filter(|r| is_write(r.method)).collect();
        // Every unsafe method of every served route (the matrix is checked against the router).
        let served_writes = served_routes().into_iter().filter(|(m, _)| is_write(m)).count();
        assert_eq!(writes.len(), served_writes, "a write route without a CSRF check here");
        assert!(writes.len() > 40);

        // The administrator may do most things; the operator's token is another session's.
        let admin = Caller::new(&app, Some("admin")).await;
        let other = Caller::new(&app, Some("operator")).await;
        let before = fingerprint(&app).await;
        let mut n = 10_000;
        let mut wrong = Vec::new();
        for r in &writes {
            n += 1;
            let rq = (r.make)(&admin, n);
            let modes: [Forgery; 5] = [
                ("no token", None, vec![]),
                ("a wrong token", Some("0123456789abcdef"), vec![]),
                ("another session's token", Some(other.csrf.as_str()), vec![]),
                (
                    "a cross-site request",
                    None,
                    vec![
                        ("origin", "https://evil.example"),
                        ("sec-fetch-site", "cross-site"),
                        ("referer", "https://evil.example/"),
                    ],
                ),
                // Only a valid API token stands in for the check; a made-up one beside the cookie does not.
                ("a made-up bearer token beside the cookie", None, vec![("authorization", "Bearer forged")]),
            ];
            for (what, token, headers) in modes {
                let mut rq2 = Req { path: rq.path.clone(), body: rq.body.clone() };
                // A wrong token in the query and in the form body too, where pages send it.
                if what == "a wrong token" {
                    let sep = if rq2.path.contains('?') { '&' } else { '?' };
                    rq2.path = format!("{}{sep}_csrf=0123456789abcdef", rq2.path);
                    if let Body::Form(pairs) = &mut rq2.body {
                        pairs.push(("_csrf".into(), "0123456789abcdef".into()));
                    }
                }
                let res =
                    build(&admin.http, app.base_url(), r.method, &rq2, token, &headers).send().await.expect("send");
                let status = res.status().as_u16();
                let body = res.text().await.unwrap_or_default();
                let refused = status == 403 && (!r.pattern.starts_with("/api/") || body.contains("csrf"));
                if !refused {
                    wrong.push(format!(
                        "{engine:?} {} {} with {what}: {status} {}",
                        r.method,
                        rq2.path,
                        body.chars().take(120).collect::<String>()
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "forged requests not refused:\n{}", wrong.join("\n"));
        assert_same(&before, &fingerprint(&app).await, &format!("{engine:?}: forged requests"));
        // The session survived every forged sign-out, and with its token the same request works.
        assert_eq!(admin.http.get(app.url("/api/me")).send().await.expect("me").status(), 200);
        let ok = build(
            &admin.http,
            app.base_url(),
            "POST",
            &req("/api/categories", Body::Json(json!({"code": "urban.csrf", "name_zh": "对照", "name_en": "Control"}))),
            Some(&admin.csrf),
            &[],
        )
        .send()
        .await
        .expect("send");
        assert_eq!(ok.status(), 204, "the control request with the token is served");
    }
}

fn places_of(app: &TestApp) -> Places {
    Places {
        city: app.fx.city.as_str().to_owned(),
        district: app.fx.district.as_str().to_owned(),
        street: app.fx.street.as_str().to_owned(),
        community: app.fx.community.as_str().to_owned(),
        grid: app.fx.grid.as_str().to_owned(),
        category: app.fx.category.clone(),
        dept: app.fx.dept.id.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Uploads.
// ---------------------------------------------------------------------------------------------

/// One part: field name, file name (for files), content type, bytes.
type RawPart<'a> = (&'a str, Option<&'a [u8]>, &'a str, &'a [u8]);

/// A multipart body built by hand, so a file name reaches the server byte for byte (NUL and
/// backslashes included): parts of (field, file name, content type, bytes).
fn raw_multipart(parts: &[RawPart]) -> (String, Vec<u8>) {
    let boundary = "----shiyu-security-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file, ctype, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(f) = file {
            body.extend_from_slice(b"; filename=\"");
            body.extend_from_slice(f);
            body.extend_from_slice(b"\"");
        }
        body.extend_from_slice(format!("\r\nContent-Type: {ctype}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_raw(c: &Caller, app: &TestApp, path: &str, (ctype, body): (String, Vec<u8>)) -> (u16, String) {
    let res = c
        .http
        .post(app.url(path))
        .header("x-csrf-token", &c.csrf)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .expect("upload");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";

/// File names that try to leave the folder or carry markup.
const HOSTILE_NAMES: [&[u8]; 8] = [
    b"../../etc/passwd",
    b"/etc/passwd",
    b"..\\..\\windows\\win.ini",
    b"C:\\evil.png",
    b"a\0b.png",
    b"....//....//x.png",
    b"<img src=x onerror=alert(1)>.png",
    b"\r\nX-Injected: 1.png",
];

#[tokio::test]
async fn uploads_refuse_wrong_types_and_sizes_and_neutralise_names() {
    for engine in engines() {
        let app = spawn(engine).await;
        let resident = Caller::new(&app, Some("resident")).await;
        let before = fingerprint(&app).await;

        // Declared an image, but an executable, a page, a script-carrying SVG, a GIF, or empty.
        let exe: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0This program cannot be run in DOS mode";
        let elf: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        let html = format!("<!doctype html><html><body>{SCRIPT}</body></html>");
        let svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\">{SCRIPT}</svg>");
        let wrong: [(&[u8], &[u8], &str, &str); 6] = [
            (b"photo.png", exe, "image/png", "type_not_allowed"),
            (b"photo.jpg", elf, "image/jpeg", "type_not_allowed"),
            (b"photo.png", html.as_bytes(), "image/png", "type_not_allowed"),
            (b"photo.svg", svg.as_bytes(), "image/svg+xml", "type_not_allowed"),
            (b"photo.gif", b"GIF89a\x01\0\x01\0\0\0\0", "image/gif", "type_not_allowed"),
            (b"photo.png", b"", "image/png", "required"),
        ];
        for (name, bytes, ctype, reason) in wrong {
            let (s, body) =
                post_raw(&resident, &app, "/api/attachments", raw_multipart(&[("file", Some(name), ctype, bytes)]))
                    .await;
            assert_eq!(s, 422, "{engine:?} {}: {body}", String::from_utf8_lossy(name));
            let v: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(
                (v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
                (Some("file"), Some(reason)),
                "{body}"
            );
        }
        // Over the limit: refused by the handler just above it, by the body limit far above it.
        let mut big = PNG.to_vec();
        big.resize(MAX_UPLOAD + 1, 0);
        let (s, body) = post_raw(
            &resident,
            &app,
            "/api/attachments",
            raw_multipart(&[("file", Some(b"big.png"), "image/png", &big)]),
        )
        .await;
        assert_eq!(s, 422, "{body}");
        assert!(body.contains("too_large"), "{body}");
        big.resize(MAX_UPLOAD + 200 * 1024, 0);
        let (s, _) = post_raw(
            &resident,
            &app,
            "/api/attachments",
            raw_multipart(&[("file", Some(b"huge.png"), "image/png", &big)]),
        )
        .await;
        assert_eq!(s, 413, "far over the limit");

        // Files that are no table, or too big, into the importers: refused, naming the file.
        let operator = Caller::new(&app, Some("operator")).await;
        let admin = Caller::new(&app, Some("admin")).await;
        for (name, bytes) in
            [(&b"../../people.xlsx"[..], exe), (b"people.xlsx", html.as_bytes()), (b"/etc/people.csv", svg.as_bytes())]
        {
            let (s, page) = post_raw(
                &operator,
                &app,
                "/base/import",
                raw_multipart(&[("table", None, "text/plain", b"residents"), ("file", Some(name), "text/csv", bytes)]),
            )
            .await;
            assert!(matches!(s, 200 | 400 | 422), "{engine:?} base import of {}: {s}", String::from_utf8_lossy(name));
            assert!(page.contains("class=\"error\"") || page.contains("role=\"alert\""), "a refusal is shown: {page}");
            assert!(!page.contains(SCRIPT) && !page.contains("onload=\"alert"), "no markup echoed");
            let (s, body) = post_raw(
                &operator,
                &app,
                "/api/admin/imports",
                raw_multipart(&[
                    (
                        "mapping",
                        Some(b"m.toml"),
                        "text/plain",
                        b"source = \"x\"\nkind = \"cases\"\n[columns]\ntitle = \"t\"\n",
                    ),
                    ("file", Some(name), "text/csv", bytes),
                ]),
            )
            .await;
            assert_eq!(s, 422, "{engine:?} external import: {body}");
        }
        let mut big_csv = "身份证号,姓名\n".as_bytes().to_vec();
        big_csv.resize(MAX_UPLOAD + 200 * 1024, b'1');
        let (s, _) = post_raw(
            &operator,
            &app,
            "/base/import",
            raw_multipart(&[
                ("table", None, "text/plain", b"residents"),
                ("file", Some(b"big.csv"), "text/csv", &big_csv),
            ]),
        )
        .await;
        assert_eq!(s, 413, "a table file far over the limit");
        for bytes in [exe, html.as_bytes(), svg.as_bytes()] {
            let (s, page) = post_raw(
                &admin,
                &app,
                "/admin/areas/import",
                raw_multipart(&[("file", Some(b"../areas.geojson"), "application/json", bytes)]),
            )
            .await;
            assert_eq!(s, 422, "{engine:?} area import of a non-GeoJSON file: {page}");
            assert!(!page.contains(SCRIPT), "no markup echoed");
        }
        assert_same(&before, &fingerprint(&app).await, &format!("{engine:?}: refused uploads"));

        // Real images under hostile names: stored under their content hash, the name kept only as
        // a cleaned label, nothing written anywhere else.
        let mut ids = Vec::new();
        for (i, name) in HOSTILE_NAMES.iter().enumerate() {
            let mut png = PNG.to_vec();
            png.push(u8::try_from(i).expect("small"));
            let (s, body) = post_raw(
                &resident,
                &app,
                "/api/attachments",
                raw_multipart(&[("file", Some(name), "image/png", &png)]),
            )
            .await;
            let v: Value = serde_json::from_str(&body).expect("json");
            if name.iter().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
                // A NUL or line break breaks the part's header: refused as malformed, or kept
                // cleaned like any other name.
                assert!(s == 201 || (s == 422 && v["error"]["field"] == "file"), "{engine:?}: {s} {body}");
            } else {
                assert_eq!(s, 201, "{engine:?} {}: {body}", String::from_utf8_lossy(name));
            }
            if let Some(id) = v["id"].as_str() {
                ids.push(id.to_owned());
            }
        }
        // The grid worker's photo form takes names the same way (it once kept them raw).
        let gw = Caller::new(&app, Some("grid_worker")).await;
        let (s, page) = post_raw(
            &gw,
            &app,
            "/grid/report",
            raw_multipart(&[
                ("category", None, "text/plain", app.fx.category.as_bytes()),
                ("title", None, "text/plain", "井盖缺失".as_bytes()),
                ("text", None, "text/plain", "路口井盖缺失".as_bytes()),
                ("photo", Some(b"..\\..\\evil/../c.png"), "image/png", PNG),
            ]),
        )
        .await;
        assert_eq!(s, 303, "{engine:?} grid report with a hostile photo name: {page}");
        let rows =
            sqlx::query("SELECT file_name, sha256 FROM attachments").fetch_all(app.store.pool()).await.expect("rows");
        assert_eq!(rows.len(), ids.len() + 1, "every stored upload and the grid worker's photo");
        for r in &rows {
            let (name, sha): (String, String) = (r.get(0), r.get(1));
            assert!(
                !name.is_empty() && !name.chars().any(|c| c.is_control() || c == '/' || c == '\\'),
                "{engine:?}: a stored name is a plain label: {name:?}"
            );
            assert!(sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()), "stored by hash: {sha}");
            assert!(app.dir.path().join("attachments").join(&sha).is_file());
        }
        let mut files = Vec::new();
        list_files(app.dir.path(), app.dir.path(), &mut files);
        for f in &files {
            let name = f.rsplit_once(' ').map(|(n, _)| n).unwrap_or(f);
            let ok = name == "secret.key"
                || name
                    .strip_prefix("attachments/")
                    .is_some_and(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()));
            assert!(ok, "{engine:?}: an unexpected file in the data folder: {name}");
        }
        for escaped in ["etc/passwd", "windows/win.ini", "evil.png", "x.png"] {
            let parent = app.dir.path().parent().expect("parent");
            assert!(!parent.join(escaped).exists() && !app.dir.path().join(escaped).exists(), "{escaped} was written");
        }

        // Served back: the sniffed type (never the client's), not sniffable, not a download named
        // by the client; a PNG with a script after it stays an image.
        let mut polyglot = PNG.to_vec();
        polyglot.extend_from_slice(format!("<html>{SCRIPT}</html>").as_bytes());
        let (s, body) = post_raw(
            &resident,
            &app,
            "/api/attachments",
            raw_multipart(&[("file", Some(b"x.html"), "text/html", &polyglot)]),
        )
        .await;
        assert_eq!(s, 201, "{body}");
        ids.push(serde_json::from_str::<Value>(&body).expect("json")["id"].as_str().expect("id").to_owned());
        for id in &ids {
            let res = resident.http.get(app.url(&format!("/api/attachments/{id}"))).send().await.expect("get");
            assert_eq!(res.status(), 200);
            let h = |k: &str| res.headers().get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            assert_eq!(h("content-type"), "image/png", "{engine:?}: served as what it is");
            assert_eq!(h("x-content-type-options"), "nosniff");
            assert_eq!(h("content-disposition"), "inline", "no client-chosen name in a header");
            assert!(res.headers().get("x-injected").is_none());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Injection.
// ---------------------------------------------------------------------------------------------

/// SQL, HTML and spreadsheet-formula payloads.
const PAYLOADS: [&str; 7] = [
    "'; DROP TABLE cases;--",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "=HYPERLINK(\"http://evil.example\",\"点击查看\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C notepad'!A0",
];

/// No payload's markup reaches a page unescaped.
fn assert_escaped(engine: Engine, what: &str, html: &str) {
    for raw in [SCRIPT, IMG, "\"><img"] {
        assert!(!html.contains(raw), "{engine:?} {what} shows {raw} unescaped");
    }
}

/// A CSV export guards every formula-looking cell with an apostrophe.
fn assert_csv_guarded(engine: Engine, what: &str, csv: &str, expect_guarded: &[&str]) {
    for lead in ['=', '@', '+'] {
        let bare = csv.lines().any(|l| l.starts_with(lead))
            || csv.contains(&format!(",{lead}"))
            || csv.contains(&format!(",\"{lead}"));
        assert!(!bare, "{engine:?} {what}: a cell starts with {lead}:\n{csv}");
    }
    for p in expect_guarded {
        let cell = format!("'{}", p.replace('"', "\"\""));
        assert!(csv.contains(&cell), "{engine:?} {what}: {p} is exported guarded:\n{csv}");
    }
}

/// Text with the entities HTML escapers use decoded (`&amp;` last).
fn unescape(html: &str) -> String {
    [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&#60;", "<"),
        ("&#62;", ">"),
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&#x2f;", "/"),
        ("&#47;", "/"),
    ]
    .iter()
    .fold(html.to_owned(), |t, (e, c)| t.replace(e, c))
    .replace("&amp;", "&")
    .replace("&#38;", "&")
}

/// Whether any string anywhere in `v` equals `text`.
fn holds_text(v: &Value, text: &str) -> bool {
    match v {
        Value::String(s) => s == text,
        Value::Array(a) => a.iter().any(|x| holds_text(x, text)),
        Value::Object(o) => o.values().any(|x| holds_text(x, text)),
        _ => false,
    }
}

fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn sql_and_html_payloads_are_stored_verbatim_and_never_run() {
    for engine in engines() {
        let app = spawn(engine).await;
        let operator = app.client("operator").await;
        let village = app.client("village_mediator").await;
        let op_web = Caller::new(&app, Some("operator")).await;
        let resident = app.client("resident").await;
        let mut cases = Vec::new();
        let mut disputes_made = Vec::new();
        let mut proposals_made = Vec::new();
        for (i, p) in PAYLOADS.iter().enumerate() {
            // Cases: title, text and the contact's name.
            let (s, c) = operator
                .post(
                    "/api/cases",
                    json!({"ledger": "demand", "category": app.fx.category, "channel": "hotline", "title": p, "text": p,
                           "area_code": app.fx.grid.as_str(), "reporter": "contact",
                           "contact": {"name": p, "phone": format!("1390000{i:04}")}}),
                )
                .await;
            assert_eq!(s, 201, "{engine:?} case with {p}: {c}");
            let id = c["case"]["id"].as_str().expect("id").to_owned();
            let (_, got) = operator.get(&format!("/api/cases/{id}")).await;
            assert_eq!((got["case"]["title"].as_str(), got["case"]["text"].as_str()), (Some(*p), Some(*p)), "verbatim");
            // A note on a move.
            operator.ok_mv(&id, json!({"move": "comment", "text": p})).await;
            let (_, events) = operator.get(&format!("/api/cases/{id}/events")).await;
            assert!(holds_text(&events, p), "{engine:?}: the note is kept verbatim: {events}");
            cases.push(id);
            // Disputes: title, facts, a party's name.
            let (s, d) = village
                .post(
                    "/api/disputes",
                    json!({"title": p, "facts": p, "dispute_type": "neighbours", "risk": "blue", "source": "application",
                           "area_code": app.fx.grid.as_str(), "parties": [{"name": p}, {"name": "乙"}]}),
                )
                .await;
            assert_eq!(s, 200, "{engine:?} dispute with {p}: {d}");
            let did = d["id"].as_str().expect("id").to_owned();
            let (s, got) = village.get(&format!("/api/disputes/{did}")).await;
            assert_eq!(s, 200, "{got}");
            assert_eq!(got["dispute"]["title"].as_str(), Some(*p), "{got}");
            assert_eq!(got["facts"].as_str(), Some(*p), "{got}");
            assert_eq!(got["parties"][0]["name"].as_str(), Some(*p), "{got}");
            disputes_made.push(did);
            // Proposals: title, text, an attendee, the minutes, a resident's comment.
            let (s, pr) = operator
                .post("/api/proposals", json!({"title": p, "content": p, "area_code": app.fx.community.as_str()}))
                .await;
            assert_eq!(s, 200, "{engine:?} proposal with {p}: {pr}");
            let pid = pr["id"].as_str().expect("id").to_owned();
            let (s, m) = operator
                .post(
                    &format!("/api/proposals/{pid}/moves"),
                    json!({"move": "record_meeting", "meeting": {"stage": "propose",
                        "held_at": chrono::Utc::now().to_rfc3339(), "members_total": 5, "attendees": [p, "乙", "丙"],
                        "votes": {"for": 3, "against": 0, "abstain": 0}, "minutes": p}}),
                )
                .await;
            assert_eq!(s, 200, "{engine:?} meeting with {p}: {m}");
            let (s, c) = resident.post(&format!("/api/proposals/{pid}/comments"), json!({"text": p})).await;
            assert_eq!(s, 200, "{engine:?} comment {p}: {c}");
            let (_, got) = operator.get(&format!("/api/proposals/{pid}")).await;
            assert_eq!(got["proposal"]["title"].as_str(), Some(*p), "{got}");
            assert_eq!(got["proposal"]["content"].as_str(), Some(*p), "{got}");
            assert_eq!(got["meetings"][0]["attendees"][0].as_str(), Some(*p), "{got}");
            assert_eq!(got["meetings"][0]["minutes"].as_str(), Some(*p), "{got}");
            assert_eq!(got["comments"][0]["text"].as_str(), Some(*p), "{got}");
            proposals_made.push(pid);
            // Search: answered, never an error; the page escapes the question it echoes.
            let (s, _) = operator.get(&format!("/api/search?q={}", urlenc(p))).await;
            assert_eq!(s, 200, "{engine:?} search for {p}");
            let page = op_web.http.get(app.url(&format!("/search?q={}", urlenc(p)))).send().await.expect("search");
            assert_eq!(page.status(), 200);
            assert_escaped(engine, "the search page", &page.text().await.expect("text"));
            // A web form refused for another field shows what was typed, escaped.
            let res = op_web
                .http
                .post(app.url("/cases/new"))
                .header("x-csrf-token", &op_web.csrf)
                .form(&[
                    ("ledger", "demand"),
                    ("category", ""),
                    ("channel", "walk_in"),
                    ("title", p),
                    ("text", p),
                    ("area_code", app.fx.grid.as_str()),
                ])
                .send()
                .await
                .expect("form");
            assert_eq!(res.status(), 422, "refused for the missing category");
            assert_escaped(engine, "the refused intake form", &res.text().await.expect("text"));
        }

        // Open311: description, address and name.
        let key =
            app.store.create_open311_client("注入测试", &app.fx.city, chrono::Utc::now()).await.expect("client").1;
        for p in PAYLOADS {
            let r = reqwest::Client::new()
                .post(app.url("/open311/v2/requests.xml"))
                .form(&[
                    ("api_key", key.as_str()),
                    ("service_code", app.fx.category.as_str()),
                    ("address_id", app.fx.grid.as_str()),
                    ("description", p),
                    ("address_string", p),
                    ("first_name", p),
                ])
                .send()
                .await
                .expect("open311");
            let status = r.status();
            let xml = r.text().await.expect("xml");
            assert_eq!(status, 200, "{engine:?} open311 with {p}: {xml}");
            let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
            let number =
                doc.descendants().find(|n| n.has_tag_name("service_request_id")).and_then(|n| n.text()).expect("id");
            let back = reqwest::Client::new()
                .get(app.url(&format!("/open311/v2/requests/{number}.xml?api_key={key}")))
                .send()
                .await
                .expect("get")
                .text()
                .await
                .expect("xml");
            let doc = roxmltree::Document::parse(&back).expect("well-formed XML");
            let desc = doc.descendants().find(|n| n.has_tag_name("description")).and_then(|n| n.text()).unwrap_or("");
            // The address given in words follows the description on a line of its own.
            assert!(desc.starts_with(p) && desc.ends_with(p), "{engine:?}: Open311 keeps the text verbatim: {desc}");
        }

        // Base data through a CSV file: names and addresses.
        use shiyu_domain::base::columns::{Table, resident_row};
        let people: Vec<Vec<String>> = PAYLOADS
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut r = resident_row(&crate::base_data::person(
                    100 + u32::try_from(i).expect("small"),
                    &app.fx.grid,
                    None,
                    vec![],
                ));
                r[1] = (*p).to_owned();
                r
            })
            .collect();
        let csv = shiyu_tabular::write_csv(&Table::Residents.headers(), people);
        let (s, page) = post_raw(
            &op_web,
            &app,
            "/base/import",
            raw_multipart(&[
                ("table", None, "text/plain", b"residents"),
                ("file", Some(b"people.csv"), "text/csv", &csv),
            ]),
        )
        .await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("新增 7"), "{engine:?}: every payload is a name like any other: {page}");
        // The external importer: a case per payload from their spreadsheet's cells.
        let mapping = "source = \"hotline\"\nkind = \"cases\"\n[columns]\nexternal_id = \"编号\"\ntitle = \"标题\"\ntext = \"内容\"\ncategory = \"分类\"\narea_code = \"区划\"\n[defaults]\nledger = \"demand\"\n";
        let rows: Vec<Vec<String>> = PAYLOADS
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    format!("X{i}"),
                    (*p).to_owned(),
                    (*p).to_owned(),
                    app.fx.category.clone(),
                    app.fx.grid.as_str().to_owned(),
                ]
            })
            .collect();
        let xlsx = shiyu_tabular::write_xlsx("工单", &["编号", "标题", "内容", "分类", "区划"], rows).expect("xlsx");
        let (s, body) = post_raw(
            &op_web,
            &app,
            "/api/admin/imports",
            raw_multipart(&[
                ("mapping", Some(b"m.toml"), "text/plain", mapping.as_bytes()),
                ("file", Some(b"cases.xlsx"), "application/octet-stream", &xlsx),
            ]),
        )
        .await;
        assert_eq!(s, 200, "{engine:?} external import: {body}");
        let report: Value = serde_json::from_str(&body).expect("json");
        assert!(!report.to_string().contains("\"conflict\""), "{report}");
        let (_, list) = operator.get("/api/cases?limit=500").await;
        for p in PAYLOADS {
            let n = list["items"].as_array().expect("items").iter().filter(|c| c["title"] == p).count();
            // Filed through the API, the importer and Open311 (whose title is the description).
            assert_eq!(n, 3, "{engine:?}: {p} stored verbatim by the API, the importer and Open311");
        }

        // The tables are intact: every one still there and the cases all counted.
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM cases").fetch_one(app.store.pool()).await.expect("count").get(0);
        assert_eq!(n, 2 * PAYLOADS.len() as i64 + PAYLOADS.len() as i64, "{engine:?}: API, importer and Open311 cases");
        let tables = fingerprint(&app).await.keys().filter(|k| k.starts_with("table ")).count();
        assert!(tables > 30, "no table dropped");

        // Pages show every payload escaped.
        let pages = vec![
            "/cases".to_owned(),
            "/base/residents".to_owned(),
            "/disputes".to_owned(),
            "/proposals".to_owned(),
            "/cases/overdue".to_owned(),
        ];
        // Each record's page shows its payload as text: escaped, in either quoting style.
        let records = cases
            .iter()
            .map(|id| format!("/cases/{id}"))
            .zip(PAYLOADS)
            .chain(disputes_made.iter().map(|id| format!("/disputes/{id}")).zip(PAYLOADS))
            .chain(proposals_made.iter().map(|id| format!("/proposals/{id}")).zip(PAYLOADS));
        for (path, p) in records {
            let html = op_web.http.get(app.url(&path)).send().await.expect("page").text().await.expect("text");
            // Decoding the entities an HTML escaper may use brings the payload back: it is there as text.
            assert!(unescape(&html).contains(p), "{engine:?} {path} shows {p} as text");
            assert_escaped(engine, &path, &html);
        }
        for path in &pages {
            let res = op_web.http.get(app.url(path)).send().await.expect("page");
            assert_eq!(res.status(), 200, "{path}");
            let html = res.text().await.expect("text");
            // The lists of cases and people show them (escaped); the others are checked for
            // escaping whatever they show.
            if matches!(path.as_str(), "/cases" | "/base/residents" | "/proposals") {
                assert!(unescape(&html).contains(SCRIPT), "{engine:?} {path} shows the payloads");
            }
            assert_escaped(engine, path, &html);
        }

        // Exports neutralise formulas: CSV cells are guarded, XLSX cells are text, never formulas.
        let guarded = [PAYLOADS[4], PAYLOADS[5], PAYLOADS[6]];
        for path in
            ["/cases/export?format=csv", "/disputes/export?format=csv", "/base/export?table=residents&format=csv"]
        {
            let res = op_web.http.get(app.url(path)).send().await.expect("export");
            assert_eq!(res.status(), 200, "{path}");
            let bytes = res.bytes().await.expect("bytes");
            let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes)).into_owned();
            assert_csv_guarded(engine, path, &text, &guarded);
        }
        for path in ["/cases/export?format=xlsx", "/base/export?table=residents&format=xlsx"] {
            use calamine::{Data, Reader, Xlsx};
            let bytes = op_web.http.get(app.url(path)).send().await.expect("export").bytes().await.expect("bytes");
            let mut book: Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("workbook");
            let sheet = book.sheet_names()[0].clone();
            let formulas = book.worksheet_formula(&sheet).expect("formulas");
            assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "{engine:?} {path}: no cell is a formula");
            let range = book.worksheet_range(&sheet).expect("sheet");
            for p in guarded {
                assert!(
                    range.used_cells().any(|(_, _, c)| matches!(c, Data::String(s) if s == p)),
                    "{engine:?} {path}: {p} is a text cell"
                );
            }
        }
    }
}
