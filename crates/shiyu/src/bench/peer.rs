//! `shiyu bench peer`: shiyu side by side with a real ticketing system on the same machine,
//! Request Tracker 5 through its REST 2 API (set up from Debian's packages by
//! `scripts/peer-bench`).
//!
//! 1. The peer is filled with `n` tickets through `POST /REST/2.0/ticket` by `concurrency`
//!    clients, each with its own connections; creations per second are taken over the steady part
//!    (the 10th to the 90th percentile of completion times, leaving out warm-up and the tail).
//!    With `--peer-password` each client signs in once through RT's login form and sends the
//!    session cookie, as shiyu's clients do; otherwise each request carries the auth token, which
//!    RT checks with bcrypt (cost 12) every time.
//! 2. A fresh shiyu on SQLite (WAL, synchronous=FULL) is started in this process in a temporary
//!    folder, with a minimal city and one operator account per client, and filled with the same
//!    `n` texts through `POST /api/cases` over real HTTP, the same way.
//! 3. Once both hold the same number of records (shiyu's search index caught up), the same word
//!    queries are asked of both one at a time: RT with TicketSQL `Subject LIKE 'w' OR Content
//!    LIKE 'w'`, shiyu with `GET /api/search?q=w`, each for a page of 20 with the total; the
//!    latencies' p50, p95 and p99 are printed. RT on PostgreSQL keeps non-ASCII bodies
//!    quoted-printable, so its `Content LIKE` matches Chinese words only in subjects; the hit
//!    counts per word are printed beside the latencies.
//!
//! The table gives both systems and the ratios (shiyu ÷ peer for creation rates, peer ÷ shiyu
//! for search latencies: above 1 means shiyu is ahead), and `--json FILE` writes the same. The
//! texts are generated (`crate::demo::search_texts`), no real message is used. The load clients
//! run in this process, beside shiyu's server, for both systems; RT and its database run in their
//! own processes on the same cores.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::CategoryCode;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Binding;

/// Options of `shiyu bench peer`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The peer's base URL (RT's server), on this machine: only loopback addresses are accepted.
    #[arg(long)]
    pub peer_url: String,
    /// An RT auth token (`Authorization: token ...`), e.g. from `scripts/peer-bench`.
    #[arg(long, env = "SHIYU_PEER_TOKEN", hide_env_values = true)]
    pub peer_token: String,
    /// With --peer-password: each client signs in once through RT's login form and sends its
    /// session cookie, as shiyu's clients do (RT checks a token with bcrypt on every request).
    #[arg(long, default_value = "root")]
    pub peer_user: String,
    /// The password of --peer-user; without it every request carries the token.
    #[arg(long, env = "SHIYU_PEER_PASSWORD", hide_env_values = true)]
    pub peer_password: Option<String>,
    /// The RT queue tickets are created in.
    #[arg(long, default_value = "General")]
    pub peer_queue: String,
    /// Records to create in each system.
    #[arg(long, default_value_t = 20_000)]
    pub n: usize,
    /// Concurrent clients creating records.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Times each search word is asked of each system (after one warm-up round).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The words searched for: things residents write about, all present in the generated texts.
const WORDS: [&str; 12] =
    ["路灯", "下水道", "噪音", "占道经营", "充电", "物业", "垃圾", "漏水", "油烟", "停车", "积水", "施工"];

const PASSWORD: &str = "peer-bench-password-1";

/// Accepts only URLs whose host is a loopback address (or `localhost`).
pub fn check_loopback(url: &str) -> anyhow::Result<reqwest::Url> {
    let u = reqwest::Url::parse(url).with_context(|| format!("--peer-url {url}"))?;
    anyhow::ensure!(matches!(u.scheme(), "http" | "https"), "--peer-url must be http or https");
    let host = u.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(loopback, "--peer-url must be on this machine (a loopback address), not {host}");
    Ok(u)
}

/// One generated request: a title and a text.
#[derive(Debug, Clone)]
struct Text {
    title: String,
    body: String,
}

fn texts(n: usize) -> anyhow::Result<Vec<Text>> {
    let mut g = crate::demo::search_texts::TextGen::new(0, chrono::Utc::now());
    (0..n as u64)
        .map(|i| {
            let d = g.case(i)?;
            Ok(Text { title: d.title, body: d.body })
        })
        .collect()
}

/// How a client authenticates.
#[derive(Debug, Clone)]
enum Auth {
    /// RT: `Authorization: token ...`.
    Token(String),
    /// shiyu: the session cookie (in the client) and its CSRF token.
    Session(String),
    /// RT: the web session's cookie (in the client).
    Cookie,
}

/// One load client: its own connection pool and credentials.
#[derive(Debug, Clone)]
struct Client {
    http: reqwest::Client,
    auth: Auth,
}

impl Client {
    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, url);
        match &self.auth {
            Auth::Token(t) => r.header("authorization", format!("token {t}")),
            Auth::Session(csrf) => r.header("x-csrf-token", csrf),
            Auth::Cookie => r,
        }
    }
}

/// A system under measurement.
#[derive(Debug, Clone)]
enum System {
    Rt { base: String, queue: String },
    Shiyu { base: String, category: String, grid: String },
}

impl System {
    fn name(&self) -> &'static str {
        match self {
            System::Rt { .. } => "peer",
            System::Shiyu { .. } => "shiyu",
        }
    }

    async fn create(&self, c: &Client, t: &Text) -> Result<(), String> {
        let (url, body) = match self {
            System::Rt { base, queue } => (
                format!("{base}/REST/2.0/ticket"),
                json!({"Queue": queue, "Subject": t.title, "Content": t.body, "ContentType": "text/plain"}),
            ),
            System::Shiyu { base, category, grid } => (
                format!("{base}/api/cases"),
                json!({"ledger": "demand", "category": category, "channel": "hotline", "title": t.title,
                       "text": t.body, "area_code": grid}),
            ),
        };
        let res = c.request(reqwest::Method::POST, &url).json(&body).send().await.map_err(|e| e.to_string())?;
        let status = res.status();
        if status.as_u16() == 201 {
            // Read the answer, as a client would.
            res.bytes().await.map_err(|e| e.to_string())?;
            Ok(())
        } else {
            let text = res.text().await.unwrap_or_default();
            Err(format!("{status}: {}", text.chars().take(300).collect::<String>()))
        }
    }

    /// Asks for the first page of 20 records matching `word` (empty: all) and returns the total.
    async fn search(&self, c: &Client, word: &str) -> anyhow::Result<(usize, bool)> {
        let req = match self {
            System::Rt { base, .. } => {
                let query = if word.is_empty() {
                    "id > 0".to_owned()
                } else {
                    format!("Subject LIKE '{word}' OR Content LIKE '{word}'")
                };
                c.request(reqwest::Method::GET, &format!("{base}/REST/2.0/tickets")).query(&[
                    ("query", query.as_str()),
                    ("per_page", "20"),
                    ("fields", "Subject,Status,Created"),
                ])
            }
            System::Shiyu { base, .. } => {
                c.request(reqwest::Method::GET, &format!("{base}/api/search")).query(&[("q", word), ("limit", "20")])
            }
        };
        let res = req.send().await?;
        let status = res.status();
        let body: Value = res.json().await.with_context(|| format!("{} search answer ({status})", self.name()))?;
        anyhow::ensure!(status.is_success(), "{} search {word}: {status} {body}", self.name());
        let total = body["total"].as_u64().context("no total in the search answer")? as usize;
        let complete = body.get("complete").and_then(Value::as_bool).unwrap_or(true);
        Ok((total, complete))
    }
}

/// What a fill measured.
#[derive(Debug, Clone)]
struct Fill {
    created: usize,
    errors: usize,
    first_error: Option<String>,
    seconds: f64,
    /// Creations per second between the 10th and the 90th percentile of completion times.
    steady_rate: f64,
    latency_ms: [f64; 3],
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Creates `texts` through `clients`, one task per client taking the next text.
async fn fill(system: &System, clients: &[Client], texts: Arc<Vec<Text>>) -> anyhow::Result<Fill> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let total = texts.len();
    let progress_every = (total / 10).max(1);
    for c in clients {
        let (c, system, texts, next) = (c.clone(), system.clone(), texts.clone(), next.clone());
        tasks.spawn(async move {
            // (completion time, latency) of each success, and the errors.
            let mut done: Vec<(f64, f64)> = Vec::new();
            let mut errors: Vec<String> = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(t) = texts.get(i) else { break };
                let t0 = Instant::now();
                match system.create(&c, t).await {
                    Ok(()) => done.push((started.elapsed().as_secs_f64(), t0.elapsed().as_secs_f64() * 1e3)),
                    Err(e) => errors.push(e),
                }
                if (i + 1) % progress_every == 0 {
                    eprintln!(
                        "  {}: {} of {} sent, {:.0} s",
                        system.name(),
                        i + 1,
                        texts.len(),
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            (done, errors)
        });
    }
    let mut done = Vec::with_capacity(total);
    let mut errors = Vec::new();
    while let Some(r) = tasks.join_next().await {
        let (d, e) = r.context("load client")?;
        done.extend(d);
        errors.extend(e);
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut finished: Vec<f64> = done.iter().map(|d| d.0).collect();
    finished.sort_by(f64::total_cmp);
    let mut latency: Vec<f64> = done.iter().map(|d| d.1).collect();
    latency.sort_by(f64::total_cmp);
    let steady_rate = if finished.len() >= 20 {
        let (lo, hi) = (finished.len() / 10, finished.len() * 9 / 10);
        (hi - lo) as f64 / (finished[hi] - finished[lo]).max(1e-9)
    } else {
        finished.len() as f64 / seconds
    };
    Ok(Fill {
        created: done.len(),
        errors: errors.len(),
        first_error: errors.into_iter().next(),
        seconds,
        steady_rate,
        latency_ms: [percentile(&latency, 0.5), percentile(&latency, 0.95), percentile(&latency, 0.99)],
    })
}

/// What the searches measured.
#[derive(Debug, Clone)]
struct Searches {
    records: usize,
    asked: usize,
    latency_ms: [f64; 3],
    /// Total hits per word.
    hits: Vec<(String, usize)>,
}

/// Asks every word `rounds` times (after one warm-up round), one at a time.
async fn searches(system: &System, c: &Client, rounds: usize) -> anyhow::Result<Searches> {
    let (records, _) = system.search(c, "").await?;
    let mut hits = Vec::new();
    for w in WORDS {
        hits.push((w.to_owned(), system.search(c, w).await?.0));
    }
    let mut ms = Vec::new();
    for _ in 0..rounds {
        for w in WORDS {
            let t = Instant::now();
            system.search(c, w).await?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    ms.sort_by(f64::total_cmp);
    Ok(Searches {
        records,
        asked: ms.len(),
        latency_ms: [percentile(&ms, 0.5), percentile(&ms, 0.95), percentile(&ms, 0.99)],
        hits,
    })
}

/// A minimal city for shiyu: city, district, street, community and one grid, a category, and
/// one operator account per client (bound at the city, so it may see every case when searching).
async fn seed(store: &shiyu_storage::Store, accounts: usize) -> anyhow::Result<(String, String, Vec<String>)> {
    let now = chrono::Utc::now();
    let code = |s: &str| AreaCode::parse(s).map_err(|e| anyhow::anyhow!("{e}"));
    let grid = "439901001001001";
    for (c, name) in [
        ("439900000000", "示范市"),
        ("439901000000", "东城区"),
        ("439901001000", "东门街道"),
        ("439901001001", "东门社区"),
        (grid, "东门社区第一网格"),
    ] {
        store.create_area(&code(c)?, name, None, now).await?;
    }
    let category = "urban.housing.repair";
    for (c, zh, en) in
        [("urban", "城乡建设", "Urban"), ("urban.housing", "住房保障", "Housing"), (category, "房屋维修", "Repairs")]
    {
        store.upsert_category(&CategoryCode::parse(c).map_err(|e| anyhow::anyhow!("{e}"))?, zh, en).await?;
    }
    let hash = shiyu_http::auth::password::hash(PASSWORD).map_err(|e| anyhow::anyhow!("password hash: {e:?}"))?;
    let mut names = Vec::new();
    for i in 0..accounts.max(1) {
        let name = format!("peer-operator-{i}");
        let binding = Binding::Area { area: code("439900000000")? };
        store.create_user(&name, &format!("测评接线员{i}"), Role::Operator, binding, &hash, now).await?;
        names.push(name);
    }
    Ok((category.to_owned(), grid.to_owned(), names))
}

/// Signs in to RT through its login form; REST 2 takes the web session's cookie.
async fn rt_login(base: &str, user: &str, password: &str) -> anyhow::Result<Client> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    http.post(format!("{base}/NoAuth/Login.html"))
        .form(&[("user", user), ("pass", password)])
        .send()
        .await
        .context("RT login")?;
    let c = Client { http, auth: Auth::Cookie };
    let res = c.request(reqwest::Method::GET, &format!("{base}/REST/2.0/rt")).send().await?;
    anyhow::ensure!(res.status() == 200, "RT login as {user} failed ({})", res.status());
    Ok(c)
}

async fn login(base: &str, username: &str) -> anyhow::Result<Client> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let res = http
        .post(format!("{base}/api/login"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await?;
    anyhow::ensure!(res.status() == 200, "login as {username}: {}", res.status());
    let body: Value = res.json().await?;
    let csrf = body["csrf"].as_str().context("no csrf in the login answer")?.to_owned();
    Ok(Client { http, auth: Auth::Session(csrf) })
}

/// Waits until shiyu's search index holds `n` cases (it follows the database every half second).
async fn wait_for_index(system: &System, c: &Client, n: usize) -> anyhow::Result<f64> {
    let t = Instant::now();
    loop {
        let (total, complete) = system.search(c, "").await?;
        if total >= n && complete {
            return Ok(t.elapsed().as_secs_f64());
        }
        anyhow::ensure!(t.elapsed() < Duration::from_secs(900), "the search index holds {total} of {n} after 15 min");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn fill_json(f: &Fill) -> Value {
    json!({"created": f.created, "errors": f.errors, "first_error": f.first_error, "seconds": f.seconds,
           "steady_per_second": f.steady_rate, "all_per_second": f.created as f64 / f.seconds,
           "latency_ms": {"p50": f.latency_ms[0], "p95": f.latency_ms[1], "p99": f.latency_ms[2]}})
}

fn search_json(s: &Searches) -> Value {
    json!({"records": s.records, "queries": s.asked,
           "latency_ms": {"p50": s.latency_ms[0], "p95": s.latency_ms[1], "p99": s.latency_ms[2]},
           "hits": s.hits.iter().map(|(w, n)| json!({"word": w, "total": n})).collect::<Vec<_>>()})
}

/// Runs the comparison.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    let peer_url = check_loopback(&opts.peer_url)?;
    anyhow::ensure!(opts.n > 0 && opts.concurrency > 0, "--n and --concurrency must be positive");
    let base = peer_url.as_str().trim_end_matches('/').to_owned();
    let probe = Client { http: reqwest::Client::builder().build()?, auth: Auth::Token(opts.peer_token.clone()) };
    let about: Value = probe
        .request(reqwest::Method::GET, &format!("{base}/REST/2.0/rt"))
        .send()
        .await
        .with_context(|| format!("reaching the peer at {base}"))?
        .error_for_status()
        .context("the peer's REST 2 API refused the token")?
        .json()
        .await?;
    let peer_name = format!("RT {}", about["Version"].as_str().unwrap_or("?"));
    let rt = System::Rt { base: base.clone(), queue: opts.peer_queue.clone() };
    let rt_client = async || -> anyhow::Result<Client> {
        match &opts.peer_password {
            Some(p) => rt_login(&base, &opts.peer_user, p).await,
            None => Ok(probe.clone()),
        }
    };
    let peer_auth = if opts.peer_password.is_some() { "session cookie" } else { "auth token on every request" };
    let (before, _) = rt.search(&probe, "").await?;
    if before > 0 {
        eprintln!("note: the peer already holds {before} tickets; it will hold {} after the fill", before + opts.n);
    }

    let t = Instant::now();
    let texts = Arc::new(texts(opts.n)?);
    eprintln!("generated {} texts in {:.1} s (not measured)", texts.len(), t.elapsed().as_secs_f64());

    // 1. The peer.
    eprintln!("{peer_name} at {base}: creating {} tickets with {} clients ({peer_auth})", opts.n, opts.concurrency);
    let mut clients = Vec::new();
    for _ in 0..opts.concurrency {
        // Each its own connections (a token client is cloned with a fresh pool).
        clients.push(match rt_client().await? {
            Client { auth: Auth::Token(t), .. } => {
                Client { http: reqwest::Client::builder().build()?, auth: Auth::Token(t) }
            }
            c => c,
        });
    }
    let peer_fill = fill(&rt, &clients, texts.clone()).await?;

    // 2. shiyu, fresh, in this process.
    let dir = tempfile::tempdir()?;
    let url = dir.path().join("shiyu.db").display().to_string();
    let store = crate::app::open_store(&url, dir.path()).await?;
    let (category, grid, accounts) = seed(&store, opts.concurrency).await?;
    let running = crate::app::start(store.clone(), dir.path().to_path_buf(), "127.0.0.1:0", |c| {
        c.login_burst = 10_000;
        c.report_schedule = false;
    })
    .await?;
    let shiyu_base = format!("http://{}", running.addr);
    let shiyu = System::Shiyu { base: shiyu_base.clone(), category, grid };
    let mut sessions = Vec::new();
    for a in &accounts {
        sessions.push(login(&shiyu_base, a).await?);
    }
    eprintln!("shiyu (SQLite) at {shiyu_base}: creating {} cases with {} clients", opts.n, opts.concurrency);
    let shiyu_fill = fill(&shiyu, &sessions, texts.clone()).await?;
    let caught_up = wait_for_index(&shiyu, &sessions[0], shiyu_fill.created).await?;
    eprintln!("shiyu's search index caught up {caught_up:.1} s after the last case");

    // 3. Searches, at equal data size.
    eprintln!("searching: {} words × {} rounds on each, one at a time", WORDS.len(), opts.rounds);
    let peer_search = searches(&rt, &clients[0], opts.rounds).await?;
    let shiyu_search = searches(&shiyu, &sessions[0], opts.rounds).await?;

    let _ = running.shutdown.send(());
    let _ = running.handle.await;
    store.close().await;

    print_table(&peer_name, opts.concurrency, &peer_fill, &shiyu_fill, &peer_search, &shiyu_search);
    for (f, what) in [(&peer_fill, peer_name.as_str()), (&shiyu_fill, "shiyu")] {
        if let Some(e) = &f.first_error {
            println!("{what}: {} creations failed; the first: {e}", f.errors);
        }
    }
    if let Some(path) = &opts.json {
        let out = json!({
            "n": opts.n, "concurrency": opts.concurrency, "rounds": opts.rounds,
            "words": WORDS,
            "peer": {"system": peer_name, "url": base, "database": "PostgreSQL", "auth": peer_auth,
                     "create": fill_json(&peer_fill), "search": search_json(&peer_search)},
            "shiyu": {"system": "shiyu", "database": "SQLite (WAL, synchronous=FULL)",
                      "create": fill_json(&shiyu_fill), "search": search_json(&shiyu_search),
                      "index_caught_up_seconds": caught_up},
            "ratios": {
                "create_shiyu_over_peer": shiyu_fill.steady_rate / peer_fill.steady_rate,
                "search_p50_peer_over_shiyu": peer_search.latency_ms[0] / shiyu_search.latency_ms[0],
                "search_p95_peer_over_shiyu": peer_search.latency_ms[1] / shiyu_search.latency_ms[1],
                "search_p99_peer_over_shiyu": peer_search.latency_ms[2] / shiyu_search.latency_ms[2],
            },
            "at": chrono::Utc::now().to_rfc3339(),
        });
        std::fs::write(path, serde_json::to_vec_pretty(&out)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    anyhow::ensure!(
        peer_fill.errors * 100 <= opts.n && shiyu_fill.errors * 100 <= opts.n,
        "more than 1% of creations failed"
    );
    Ok(())
}

fn print_table(peer: &str, concurrency: usize, pf: &Fill, sf: &Fill, ps: &Searches, ss: &Searches) {
    let peer_col = format!("{peer} (PostgreSQL)");
    println!();
    println!("{:<40} {:>22} {:>22} {:>22}", "", peer_col, "shiyu (SQLite)", "ratio");
    let row = |what: &str, p: f64, s: f64, ratio: Option<(f64, &str)>| {
        let r = ratio.map_or(String::new(), |(r, how)| format!("{r:.2} ({how})"));
        println!("{what:<40} {p:>22.1} {s:>22.1} {r:>22}");
    };
    row(
        &format!("creations/s, steady, {concurrency} clients"),
        pf.steady_rate,
        sf.steady_rate,
        Some((sf.steady_rate / pf.steady_rate, "shiyu÷peer")),
    );
    row(
        "creations/s, whole fill",
        pf.created as f64 / pf.seconds,
        sf.created as f64 / sf.seconds,
        Some(((sf.created as f64 / sf.seconds) / (pf.created as f64 / pf.seconds), "shiyu÷peer")),
    );
    row("creation latency p50, ms", pf.latency_ms[0], sf.latency_ms[0], None);
    row("creation latency p95, ms", pf.latency_ms[1], sf.latency_ms[1], None);
    row("records when searched", ps.records as f64, ss.records as f64, None);
    for (i, p) in ["p50", "p95", "p99"].iter().enumerate() {
        row(
            &format!("search latency {p}, ms ({} queries)", ps.asked),
            ps.latency_ms[i],
            ss.latency_ms[i],
            Some((ps.latency_ms[i] / ss.latency_ms[i], "peer÷shiyu")),
        );
    }
    let hits = |s: &Searches| s.hits.iter().map(|(w, n)| format!("{w} {n}")).collect::<Vec<_>>().join(", ");
    println!("hits per word, peer:  {}", hits(ps));
    println!("hits per word, shiyu: {}", hits(ss));
}
