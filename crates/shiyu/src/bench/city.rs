//! `shiyu bench city`: the write path and the city-scale reads measured in one run, each beside
//! the limit it should approach, printed as a table and written as JSON.
//!
//! Write path (on a fresh database: an SQLite file in a temporary folder, or `--database` for
//! PostgreSQL): the demo city, then `--concurrency` signed-in clients over real HTTP for
//! `--seconds` each: case intake (`POST /api/cases`), one full case life (register and eight
//! moves), and the disk bytes each case with its history, counters and outbox takes. Beside
//! them, on the same disk and stack: raw durable single-row inserts and an empty handler.
//!
//! City scale (SQLite): the ten-million-case city the Criterion benches share (built once into
//! `~/.cache/shiyu-bench`, see `demo::scale`), served over HTTP: the centre's board and the
//! monthly report (p50/p95/p99); point-to-grid lookups over `--grids` generated grids.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::Datelike as _;
use serde_json::{Value, json};
use shiyu_domain::area::AreaCode;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Binding;
use shiyu_storage::Backend;
use shiyu_storage::directory::OrgKind;

use super::peak_mib;

/// What to measure and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// PostgreSQL URL for the write path (default: SQLite in a temporary folder).
    pub database: Option<String>,
    /// Concurrent clients.
    pub concurrency: usize,
    /// Seconds each throughput measurement runs.
    pub seconds: u64,
    /// Lives in the scale city (0 skips the city-scale part).
    pub cases: u64,
    /// Grids for the point-to-grid lookups.
    pub grids: usize,
    /// Where to write the JSON results.
    pub json: Option<PathBuf>,
}

/// Latencies and outcomes of one measured operation.
#[derive(Debug, Default)]
struct Outcome {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    micros: Vec<u64>,
    secs: f64,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        self.ok as f64 / self.secs.max(1e-9)
    }
    fn percentile(&self, p: f64) -> f64 {
        percentile_ms(&self.micros, p)
    }
}

/// The `p` quantile (0–1) of `micros`, sorted, in milliseconds.
fn percentile_ms(sorted_micros: &[u64], p: f64) -> f64 {
    if sorted_micros.is_empty() {
        return 0.0;
    }
    let i = ((sorted_micros.len() as f64 * p).ceil() as usize).clamp(1, sorted_micros.len()) - 1;
    sorted_micros[i] as f64 / 1e3
}

/// One row of the results table.
#[derive(Debug, Clone, serde::Serialize)]
struct Row {
    what: String,
    value: f64,
    unit: &'static str,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    p99_ms: Option<f64>,
    errors: u64,
    limit: Option<String>,
}

impl Row {
    fn rate(what: &str, o: &Outcome, unit: &'static str, limit: Option<String>) -> Row {
        Row {
            what: what.to_owned(),
            value: o.per_second(),
            unit,
            p50_ms: Some(o.percentile(0.50)),
            p95_ms: Some(o.percentile(0.95)),
            p99_ms: Some(o.percentile(0.99)),
            errors: o.errors,
            limit,
        }
    }
    fn latency(what: &str, o: &Outcome, limit: Option<String>) -> Row {
        Row {
            what: what.to_owned(),
            value: o.percentile(0.95),
            unit: "ms p95",
            p50_ms: Some(o.percentile(0.50)),
            p95_ms: Some(o.percentile(0.95)),
            p99_ms: Some(o.percentile(0.99)),
            errors: o.errors,
            limit,
        }
    }
    fn plain(what: &str, value: f64, unit: &'static str, limit: Option<String>) -> Row {
        Row { what: what.to_owned(), value, unit, p50_ms: None, p95_ms: None, p99_ms: None, errors: 0, limit }
    }
}

/// A signed-in HTTP client.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Session {
    async fn login(base: &str, username: &str, password: &str) -> anyhow::Result<Session> {
        let http = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(4).build()?;
        let res = http
            .post(format!("{base}/api/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .with_context(|| format!("signing in as {username}"))?;
        anyhow::ensure!(res.status() == 200, "signing in as {username}: HTTP {}", res.status());
        let body: Value = res.json().await?;
        let csrf = body["csrf"].as_str().unwrap_or_default().to_owned();
        Ok(Session { http, base: base.to_owned(), csrf })
    }

    /// POSTs JSON and returns the body when the status is `want`.
    async fn post(&self, path: &str, body: &Value, want: u16) -> Result<Value, String> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| format!("POST {path}: {e}"))?;
        if status != want {
            return Err(format!("POST {path}: HTTP {status}: {}", text.chars().take(300).collect::<String>()));
        }
        serde_json::from_str(&text).map_err(|e| format!("POST {path}: {e}"))
    }

    /// GETs `path`, returning the body's length when the status is 200.
    async fn get(&self, path: &str) -> Result<usize, String> {
        let res = self.http.get(format!("{}{path}", self.base)).send().await.map_err(|e| format!("GET {path}: {e}"))?;
        let status = res.status().as_u16();
        let bytes = res.bytes().await.map_err(|e| format!("GET {path}: {e}"))?;
        if status != 200 {
            return Err(format!("GET {path}: HTTP {status}"));
        }
        Ok(bytes.len())
    }
}

/// Runs `op` from `workers` tasks for `seconds` (after one unmeasured second of warming up)
/// and gathers every call's latency.
async fn hammer<S, F, Fut>(workers: Vec<S>, seconds: u64, op: F) -> Outcome
where
    S: Send + 'static,
    F: Fn(S, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (S, Result<(), String>)> + Send,
{
    let op = Arc::new(op);
    let warm = Instant::now() + Duration::from_secs(1);
    let end = warm + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (w, state) in workers.into_iter().enumerate() {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut o = Outcome::default();
            let mut state = state;
            let mut i = (w as u64) << 32;
            loop {
                let t = Instant::now();
                if t >= end {
                    break;
                }
                i += 1;
                let (s, r) = op(state, i).await;
                state = s;
                if t < warm {
                    continue;
                }
                match r {
                    Ok(()) => {
                        o.ok += 1;
                        o.micros.push(t.elapsed().as_micros() as u64);
                    }
                    Err(e) => {
                        o.errors += 1;
                        o.first_error.get_or_insert(e);
                    }
                }
            }
            o
        }));
    }
    let mut all = Outcome { secs: seconds as f64, ..Outcome::default() };
    for t in tasks {
        if let Ok(o) = t.await {
            all.ok += o.ok;
            all.errors += o.errors;
            if all.first_error.is_none() {
                all.first_error = o.first_error;
            }
            all.micros.extend(o.micros);
        }
    }
    all.micros.sort_unstable();
    all
}

/// The time of day, for progress lines read beside system monitors.
fn clock() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

/// Waits (at most ten minutes) for the server's start-up work to finish.
async fn until_ready(running: &crate::app::Running) {
    let limit = Instant::now() + Duration::from_secs(600);
    while !running.ready() {
        if Instant::now() > limit {
            eprintln!("{} the server's start-up work is still running; measuring anyway", clock());
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Accounts the write path uses, with their shared password.
const BENCH_PASSWORD: &str = "bench-password-2026";

/// Runs every measurement and prints the table.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut rows = Vec::new();
    let engine = write_path(&opts, &mut rows).await?;
    if opts.cases > 0 {
        city_scale(&opts, &mut rows).await?;
    }
    rows.push(Row::plain("peak memory of this process (server and clients)", peak_mib() as f64, "MiB", None));
    print_table(&rows);
    if let Some(path) = &opts.json {
        let doc = json!({
            "engine": engine,
            "concurrency": opts.concurrency,
            "seconds": opts.seconds,
            "cases": opts.cases,
            "grids": opts.grids,
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "at": chrono::Utc::now().to_rfc3339(),
            "took_seconds": started.elapsed().as_secs_f64(),
            "rows": rows,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("results written to {}", path.display());
    }
    Ok(())
}

fn print_table(rows: &[Row]) {
    let ms = |v: Option<f64>| v.map_or_else(|| "".to_owned(), |v| format!("{v:.2}"));
    println!();
    println!("| what | value | unit | p50 ms | p95 ms | p99 ms | errors | limit beside it |");
    println!("|---|---:|---|---:|---:|---:|---:|---|");
    for r in rows {
        println!(
            "| {} | {:.1} | {} | {} | {} | {} | {} | {} |",
            r.what,
            r.value,
            r.unit,
            ms(r.p50_ms),
            ms(r.p95_ms),
            ms(r.p99_ms),
            r.errors,
            r.limit.as_deref().unwrap_or("")
        );
    }
}

/// The fresh database's bench accounts: a city operator and leader, and a city department with
/// its handler.
struct Crew {
    category: String,
    grids: Vec<AreaCode>,
    dept: String,
}

async fn crew(store: &shiyu_storage::Store) -> anyhow::Result<Crew> {
    let now = chrono::Utc::now();
    let areas = store.all_areas().await?;
    let city = areas
        .iter()
        .map(|a| a.code.clone())
        .min_by_key(|c| c.as_str().trim_end_matches('0').len())
        .context("the demo city")?;
    let hash = shiyu_http::auth::password::hash(BENCH_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dept = store.create_org("测评市级部门", OrgKind::Department, &city, now).await?;
    let area = Binding::Area { area: city.clone() };
    store.create_user("bench-operator", "测评接线员", Role::Operator, area.clone(), &hash, now).await?;
    store.create_user("bench-leader", "测评领导", Role::Leader, area, &hash, now).await?;
    store
        .create_user(
            "bench-handler",
            "测评承办人",
            Role::Handler,
            Binding::Org { org: dept.id, area: city.clone() },
            &hash,
            now,
        )
        .await?;
    let category = store
        .categories()
        .await?
        .into_iter()
        .map(|c| c.code.to_string())
        .find(|c| c.matches('.').count() == 2)
        .context("a leaf category")?;
    let grids: Vec<AreaCode> = areas.into_iter().map(|a| a.code).filter(|c| c.as_str().len() == 15).collect();
    anyhow::ensure!(!grids.is_empty(), "the demo city has no grids");
    Ok(Crew { category, grids, dept: dept.id.to_string() })
}

/// Titles and texts of the generated requests.
const MATTERS: [(&str, &str); 6] = [
    ("小区路灯不亮", "三号楼前路灯连续一周不亮，夜间出行不便，请尽快维修。"),
    ("楼道堆放杂物", "五单元楼道长期堆放纸箱和旧家具，存在消防隐患，请督促清理。"),
    ("夜间施工噪音扰民", "工地晚上十一点后仍在施工，噪音很大，影响居民休息。"),
    ("自来水水压不足", "高层住户白天水压很低，洗衣机无法正常使用，请协调供水公司。"),
    ("井盖破损", "人行道上井盖破损塌陷，行人容易踩空，请尽快更换。"),
    ("占道经营", "早市摊贩占用人行道和非机动车道，出行困难，请依法管理。"),
];

fn new_case(crew: &Crew, i: u64) -> Value {
    let (title, text) = MATTERS[(i % MATTERS.len() as u64) as usize];
    let grid = &crew.grids[(i % crew.grids.len() as u64) as usize];
    json!({"ledger": "complaint", "category": crew.category, "channel": "hotline", "title": title,
           "text": text, "area_code": grid.as_str()})
}

/// Bytes the database takes on disk (SQLite: the file and its WAL; PostgreSQL: the database).
async fn database_bytes(store: &shiyu_storage::Store, file: Option<&Path>) -> anyhow::Result<u64> {
    match file {
        Some(f) => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(store.pool()).await?;
            let mut n = std::fs::metadata(f)?.len();
            if let Ok(m) = std::fs::metadata(f.with_extension("db-wal")) {
                n += m.len();
            }
            Ok(n)
        }
        None => {
            use sqlx::Row as _;
            let row = sqlx::query("SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS n")
                .fetch_one(store.pool())
                .await?;
            Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
        }
    }
}

/// The write path on a fresh database; returns the engine's name.
async fn write_path(opts: &Options, rows: &mut Vec<Row>) -> anyhow::Result<&'static str> {
    let dir = tempfile::tempdir()?;
    let url = opts.database.clone().unwrap_or_else(|| crate::app::default_database_url(dir.path()));
    let store = crate::app::open_store(&url, dir.path()).await?;
    let engine = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let file = (store.backend() == Backend::Sqlite).then(|| dir.path().join("shiyu.db"));
    eprintln!("{} write path on {engine}: building the demo city…", clock());
    crate::demo::build(&store, 2_000, &mut std::io::sink()).await?;
    let crew = Arc::new(crew(&store).await?);
    let running = crate::app::start(store.clone(), dir.path().to_path_buf(), "127.0.0.1:0", |c| {
        c.report_schedule = false;
        c.login_burst = 10_000;
    })
    .await?;
    let base = format!("http://{}", running.addr);
    until_ready(&running).await;
    let c = opts.concurrency;

    // Limits on the same disk and stack.
    eprintln!("{} measuring raw durable inserts…", clock());
    let raw = raw_inserts(&store, dir.path(), opts.seconds.min(5)).await?;
    rows.push(Row::rate(
        &format!("raw durable insert, one row per commit ({engine}, one writer)"),
        &raw,
        "rows/s",
        Some("limit for one commit per write".into()),
    ));
    eprintln!("{} measuring an empty handler…", clock());
    let empty = empty_handler(c, opts.seconds.min(5)).await?;
    rows.push(Row::rate(
        &format!("empty handler on the same HTTP stack, {c} clients"),
        &empty,
        "requests/s",
        Some("limit for any request".into()),
    ));

    let mut operators = Vec::new();
    for _ in 0..c {
        operators.push(Session::login(&base, "bench-operator", BENCH_PASSWORD).await?);
    }
    let before_bytes = database_bytes(&store, file.as_deref()).await?;
    eprintln!("{} measuring intake…", clock());
    let crew2 = crew.clone();
    let intake = hammer(operators.clone(), opts.seconds, move |s: Session, i| {
        let body = new_case(&crew2, i);
        async move {
            let r = s.post("/api/cases", &body, 201).await.map(|_| ());
            (s, r)
        }
    })
    .await;
    report_errors("intake", &intake);
    let after_bytes = database_bytes(&store, file.as_deref()).await?;
    rows.push(Row::rate(
        &format!("case intake through the HTTP API end to end, {c} clients ({engine})"),
        &intake,
        "cases/s",
        Some(format!("{:.0} rows/s raw; {:.0} requests/s empty", raw.per_second(), empty.per_second())),
    ));

    let leader = Session::login(&base, "bench-leader", BENCH_PASSWORD).await?;
    let handler = Session::login(&base, "bench-handler", BENCH_PASSWORD).await?;
    let crew3 = crew.clone();
    let workers: Vec<(Session, Session, Session)> =
        operators.iter().map(|o| (o.clone(), handler.clone(), leader.clone())).collect();
    eprintln!("{} measuring full lives…", clock());
    let lives = hammer(workers, opts.seconds, move |w: (Session, Session, Session), i| {
        let body = new_case(&crew3, i);
        let dept = crew3.dept.clone();
        async move {
            let r = full_life(&w.0, &w.1, &w.2, &body, &dept).await;
            (w, r)
        }
    })
    .await;
    report_errors("full life", &lives);
    rows.push(Row::rate(
        &format!("one full case life (register + 8 moves over HTTP), {c} clients ({engine})"),
        &lives,
        "lives/s",
        None,
    ));

    let n_cases = count_cases(&store).await?;
    let final_bytes = database_bytes(&store, file.as_deref()).await?;
    rows.push(Row::plain(
        &format!("disk bytes per case registered through intake, with event, counters, outbox ({engine})"),
        (after_bytes.saturating_sub(before_bytes)) as f64 / intake_written(&intake).max(1) as f64,
        "bytes",
        None,
    ));
    rows.push(Row::plain(
        &format!("disk bytes per case over the whole database, {n_cases} cases, lived ones with 9 events ({engine})"),
        final_bytes as f64 / n_cases.max(1) as f64,
        "bytes",
        None,
    ));
    let _ = running.shutdown.send(());
    let _ = running.handle.await;
    store.close().await;
    Ok(engine)
}

/// Cases the intake run wrote: the measured ones; the warm-up second's are few and counted in
/// the bytes, so the figure errs high.
fn intake_written(o: &Outcome) -> u64 {
    o.ok
}

async fn count_cases(store: &shiyu_storage::Store) -> anyhow::Result<u64> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM cases").fetch_one(store.pool()).await?;
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
}

fn report_errors(what: &str, o: &Outcome) {
    if o.errors > 0 {
        eprintln!("{what}: {} errors; the first: {}", o.errors, o.first_error.as_deref().unwrap_or(""));
    }
}

/// Registers a case and takes it through its whole life over HTTP.
async fn full_life(
    operator: &Session,
    handler: &Session,
    leader: &Session,
    body: &Value,
    dept: &str,
) -> Result<(), String> {
    let case = operator.post("/api/cases", body, 201).await?;
    let id = case["case"]["id"].as_str().ok_or("no case id")?.to_owned();
    let path = format!("/api/cases/{id}/moves");
    let steps: [(&Session, Value); 8] = [
        (operator, json!({"move": "accept", "note": ""})),
        (operator, json!({"move": "dispatch", "lead": dept, "co": [], "note": ""})),
        (handler, json!({"move": "sign"})),
        (handler, json!({"move": "report_result", "outcome": "resolved", "text": "已维修完毕"})),
        (leader, json!({"move": "verify", "note": ""})),
        (operator, json!({"move": "record_revisit", "satisfaction": "satisfied", "note": ""})),
        (operator, json!({"move": "close", "note": ""})),
        (operator, json!({"move": "archive"})),
    ];
    for (who, mv) in steps {
        who.post(&path, &mv, 200).await?;
    }
    Ok(())
}

/// One durable single-row insert per transaction, one writer, on the bench's disk and settings.
async fn raw_inserts(store: &shiyu_storage::Store, dir: &Path, seconds: u64) -> anyhow::Result<Outcome> {
    let pool: sqlx::AnyPool = match store.backend() {
        Backend::Sqlite => {
            let url = format!("sqlite://{}?mode=rwc", dir.join("raw.db").display());
            let pool = sqlx::any::AnyPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        use sqlx::Executor as _;
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        Ok(())
                    })
                })
                .connect(&url)
                .await?;
            sqlx::query("CREATE TABLE raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&pool).await?;
            pool
        }
        Backend::Postgres => {
            let pool = store.pool().clone();
            sqlx::query("CREATE TABLE IF NOT EXISTS bench_raw (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
                .execute(&pool)
                .await?;
            pool
        }
    };
    let sql = match store.backend() {
        Backend::Sqlite => "INSERT INTO raw (body) VALUES ($1)",
        Backend::Postgres => "INSERT INTO bench_raw (body) VALUES ($1)",
    };
    let o = hammer(vec![pool.clone()], seconds, move |pool: sqlx::AnyPool, _| async move {
        let r = sqlx::query(sql).bind("小区路灯不亮").execute(&pool).await.map(|_| ()).map_err(|e| e.to_string());
        (pool, r)
    })
    .await;
    if store.backend() == Backend::Postgres {
        sqlx::query("DROP TABLE bench_raw").execute(&pool).await?;
    } else {
        pool.close().await;
    }
    Ok(o)
}

/// Requests per second an empty handler answers on the same HTTP stack (axum on hyper, tokio),
/// from `clients` keep-alive clients.
async fn empty_handler(clients: usize, seconds: u64) -> anyhow::Result<Outcome> {
    let app = axum::Router::new().route("/", axum::routing::get(|| async { axum::http::StatusCode::NO_CONTENT }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/");
    let http = reqwest::Client::builder().build()?;
    let workers: Vec<(reqwest::Client, String)> = (0..clients).map(|_| (http.clone(), url.clone())).collect();
    let o = hammer(workers, seconds, |(http, url): (reqwest::Client, String), _| async move {
        let r = match http.get(&url).send().await {
            Ok(res) if res.status() == 204 => Ok(()),
            Ok(res) => Err(format!("HTTP {}", res.status())),
            Err(e) => Err(e.to_string()),
        };
        ((http, url), r)
    })
    .await;
    server.abort();
    Ok(o)
}

/// The ten-million-case city: board and monthly report over HTTP, search over as many cases,
/// point-to-grid lookups.
async fn city_scale(opts: &Options, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let grids = opts.grids;
    let f = tokio::task::spawn_blocking(move || super::locate_figures(grids)).await??;
    rows.push(Row::plain(
        &format!("point-to-grid lookups, {} grids ({} vertices), one core", f.grids, f.vertices),
        f.per_second,
        "lookups/s",
        None,
    ));

    let n = opts.cases;
    eprintln!("{} city scale: the city of {n} lives (built once, reused)…", clock());
    let dir = super::scale::city(n).await?;
    let url = crate::app::default_database_url(&dir);
    let store = crate::app::open_store(&url, &dir).await?;
    let running = crate::app::start(store.clone(), dir.clone(), "127.0.0.1:0", |c| {
        c.report_schedule = false;
        c.login_burst = 1000;
    })
    .await?;
    let base = format!("http://{}", running.addr);
    // Start-up work (training routing on the open cases, bringing the search index up) would
    // share the cores with the pages measured.
    until_ready(&running).await;
    eprintln!("{} city scale: the server is ready; measuring pages…", clock());
    let session = Session::login(&base, "city_operator", crate::demo::DEMO_PASSWORD).await?;
    let today = shiyu_domain::time::local_date(chrono::Utc::now());
    let month =
        chrono::NaiveDate::from_ymd_opt(today.year(), today.month(), 1).context("month")? - chrono::Months::new(1);
    let pages = [
        ("centre board, city", "/board".to_owned()),
        ("centre board, a grid", "/board?area=439902001001001".to_owned()),
        ("big screen, city", "/board/screen".to_owned()),
        ("public page, city", "/p/439900000000".to_owned()),
        ("public page, a community with its case lists", "/p/439902001001".to_owned()),
        ("monthly report page, city", format!("/reports/view?kind=monthly&start={month}")),
        ("monthly report XLSX, city", format!("/reports/view?kind=monthly&start={month}&format=xlsx")),
    ];
    let seconds = opts.seconds.clamp(3, 10);
    for (what, path) in pages {
        // One client, as a person opening the page; a page warms once before timing.
        session.get(&path).await.map_err(|e| anyhow::anyhow!(e))?;
        let path = Arc::new(path);
        let o = hammer(vec![session.clone()], seconds, move |s: Session, _| {
            let path = path.clone();
            async move {
                let r = s.get(&path).await.map(|_| ());
                (s, r)
            }
        })
        .await;
        report_errors(what, &o);
        let target = what.starts_with("centre board").then(|| "p95 < 50 ms (issue 8)".to_owned());
        rows.push(Row::latency(&format!("{what}, {n} cases, HTTP"), &o, target));
    }
    let _ = running.shutdown.send(());
    let _ = running.handle.await;
    store.close().await;

    eprintln!("{} city scale: the search index of {n} generated cases (built once, reused)…", clock());
    let o = tokio::task::spawn_blocking(move || -> anyhow::Result<(Outcome, f64)> {
        let (dir, ix) = super::scale::search_index(n)?;
        let size = super::scale::folder_bytes(&dir) as f64;
        let questions = super::scale::search_mix()?;
        for (_, r, v) in &questions {
            ix.search(r, v)?;
        }
        let mut o = Outcome::default();
        let t = Instant::now();
        for _ in 0..5 {
            for (_, r, v) in &questions {
                let q = Instant::now();
                ix.search(r, v)?;
                o.micros.push(q.elapsed().as_micros() as u64);
                o.ok += 1;
            }
        }
        o.secs = t.elapsed().as_secs_f64();
        o.micros.sort_unstable();
        Ok((o, size))
    })
    .await??;
    rows.push(Row::latency(
        &format!("search, {n} cases ({:.2} GB index), {} questions of every scope", o.1 / 1e9, o.0.ok),
        &o.0,
        Some("p95 < 100 ms (issue 8)".into()),
    ));
    Ok(())
}
