//! `shiyu bench load`: many signed-in users of every role working against the real server at once,
//! for a bounded time and number of requests, on 127.0.0.1 only.
//!
//! The demo city is built (or `--data` is used as it is), the server is started as a child process
//! of this binary (`serve`), so its memory is its own and is sampled from `/proc/<pid>/status`
//! every second. Each simulated user signs in as the browser does (session cookie, CSRF token)
//! from its own loopback address (127.77.x.y: the sign-in rate limit is per client address, as
//! for people at their own desks) and then works in a loop with a short think time:
//!
//! - centre operators (street, district and city): intake bursts (the intake form's htmx
//!   fragments, then `POST /api/cases` or the form), accept and dispatch, then the work of the
//!   centre: accepting residents' and grid workers' reports, re-dispatching returned cases,
//!   revisits and closing;
//! - department handlers: polling their queue, signing, returning a misrouted case now and then,
//!   reporting results;
//! - leaders: the board, the big screen, monthly reports (sometimes as XLSX or PDF), verifying
//!   results (sometimes sending one back), urging cases still with a department;
//! - grid workers: their desk, daily visit logs, reporting events and solving small ones on the
//!   spot;
//! - residents: reporting on the resident form, following their cases, rating results;
//! - mediators: registering disputes, sessions, agreements and follow-ups at the community, passing
//!   red ones to the street's committee, which takes them on;
//! - analysts: search, figures, reports, exports and the assessment;
//! - administrators: the registry, users, base data and webhooks.
//!
//! Cases and disputes move between users through work queues held here (an operator's dispatched
//! case waits for a session of that department, its result for a leader of that centre, …), so
//! every move is one the user may make at that moment: any answer other than the expected status
//! is an error. The result is a table per request kind (count, errors, p50/p95/p99/max), the
//! server's RSS at the start and in each third of the run, and a verdict: no errors, and the mean
//! RSS of the last third at most 10 % above that of the middle third.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// Options of `shiyu bench load`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Seconds the users work.
    #[arg(long, default_value_t = 300)]
    pub duration: u64,
    /// At most this many requests in all (sign-ins included).
    #[arg(long, default_value_t = 200_000)]
    pub max_requests: u64,
    /// Simulated users working at once, of every role.
    #[arg(long, default_value_t = 64)]
    pub users: usize,
    /// Mean pause of a user between two steps, in milliseconds (drawn from 0 to twice this).
    #[arg(long, default_value_t = 250)]
    pub think_ms: u64,
    /// Use this data folder as it is (the demo city is built in it when its database holds no
    /// city); default: a temporary folder with a fresh demo city.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// A PostgreSQL URL (an empty database gets the demo city); default: SQLite in the data folder.
    #[arg(long)]
    pub database: Option<String>,
    /// Cases of the demo city when it is built.
    #[arg(long, default_value_t = 20_000)]
    pub cases: u32,
    /// Where the server listens: a loopback address only (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: String,
    /// Write the figures as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The growth of mean RSS from the middle to the last third of the run that still counts as flat.
const FLAT_LIMIT: f64 = 0.10;

/// Runs the load test; returns whether it passed (no errors and memory flat).
pub async fn run(opts: Options) -> anyhow::Result<bool> {
    let listen: SocketAddr = opts.listen.parse().with_context(|| format!("--listen {}", opts.listen))?;
    anyhow::ensure!(listen.ip().is_loopback(), "the load test runs against a loopback address only, not {listen}");
    anyhow::ensure!(opts.users > 0, "--users must be at least 1");

    // The data: a temporary folder with the demo city, or the folder given.
    let temp = match &opts.data {
        Some(_) => None,
        None => Some(tempfile::Builder::new().prefix("shiyu-load-").tempdir().context("temporary folder")?),
    };
    let data: PathBuf = match (&opts.data, &temp) {
        (Some(d), _) => d.clone(),
        (None, Some(t)) => t.path().to_path_buf(),
        (None, None) => anyhow::bail!("no data folder"),
    };
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
    let url = opts.database.clone().unwrap_or_else(|| crate::app::default_database_url(&data));
    prepare(&url, &data, opts.cases).await?;

    let mut server = Server::start(&data, opts.database.as_deref(), listen).await?;
    let outcome = drive(&opts, &mut server).await;
    let log_counts = server.stop().await;
    let mut report = outcome?;
    // The server's log outlives a temporary folder beside the JSON figures.
    if temp.is_some() {
        report.log = match &opts.json {
            Some(j) => {
                let kept = PathBuf::from(format!("{}.server.log", j.display()));
                std::fs::copy(&report.log, &kept)
                    .with_context(|| format!("keeping the server log at {}", kept.display()))?;
                kept
            }
            None => PathBuf::from("removed with the temporary folder"),
        };
    }
    let passed = report.print(&log_counts, &data, opts.json.as_deref())?;
    drop(temp);
    Ok(passed)
}

/// Builds the demo city into the database unless it already holds a city.
async fn prepare(url: &str, data: &Path, cases: u32) -> anyhow::Result<()> {
    let store = crate::app::open_store(url, data).await?;
    if store.default_city().await.is_ok() {
        println!("using the city already in {url}");
    } else {
        println!("building the demo city ({cases} cases) in {url} …");
        let started = Instant::now();
        crate::demo::build(&store, cases, &mut std::io::stdout()).await?;
        println!("demo city built in {:.0} s", started.elapsed().as_secs_f64());
    }
    store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The server as a child process.

/// The running server: its process, address and log.
struct Server {
    child: tokio::process::Child,
    pid: u32,
    base: String,
    log: PathBuf,
    /// Lines of its log by level (ERROR, WARN) and what it said first at each.
    counts: Arc<Mutex<LogCounts>>,
    /// Whether the log has said that the search index and the router are ready.
    ready: Arc<Mutex<Readiness>>,
}

/// What the server's log held.
#[derive(Debug, Default, Clone)]
pub struct LogCounts {
    /// ERROR lines.
    pub errors: u64,
    /// WARN lines.
    pub warnings: u64,
    /// The first few of them.
    pub first: Vec<String>,
}

#[derive(Debug, Default)]
struct Readiness {
    rebuilding_search: bool,
    search_rebuilt: bool,
    routing_trained: bool,
}

impl Server {
    async fn start(data: &Path, database: Option<&str>, listen: SocketAddr) -> anyhow::Result<Server> {
        let exe = std::env::current_exe().context("finding this binary")?;
        let log = data.join("load-server.log");
        let mut cmd = tokio::process::Command::new(exe);
        cmd.arg("serve").arg("--data").arg(data).arg("--listen").arg(listen.to_string());
        if let Some(db) = database {
            cmd.arg("--database").arg(db);
        }
        cmd.env("NO_COLOR", "1")
            .env("RUST_LOG", "info,sqlx=warn")
            .env_remove("SHIYU_DATABASE")
            .env_remove("SHIYU_LISTEN")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().context("starting the server")?;
        let pid = child.id().context("the server's pid")?;
        let file = tokio::fs::File::create(&log).await.with_context(|| format!("creating {}", log.display()))?;
        let file = Arc::new(tokio::sync::Mutex::new(file));
        let counts = Arc::new(Mutex::new(LogCounts::default()));
        let ready = Arc::new(Mutex::new(Readiness::default()));
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel::<String>();
        let addr_tx = Arc::new(Mutex::new(Some(addr_tx)));
        let stdout = child.stdout.take().context("server stdout")?;
        let stderr = child.stderr.take().context("server stderr")?;
        for stream in [Box::pin(stdout) as std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>>, Box::pin(stderr)] {
            let (file, counts, ready, addr_tx) = (file.clone(), counts.clone(), ready.clone(), addr_tx.clone());
            tokio::spawn(async move {
                let mut lines = tokio::io::BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(rest) = line.strip_prefix("shiyu serving at http://") {
                        let addr = rest.split('/').next().unwrap_or_default().to_owned();
                        if let Some(tx) = addr_tx.lock().ok().and_then(|mut t| t.take()) {
                            let _ = tx.send(addr);
                        }
                    }
                    if let Ok(mut r) = ready.lock() {
                        if line.contains("search index: rebuilding") || line.contains("search index: resuming") {
                            r.rebuilding_search = true;
                        }
                        r.search_rebuilt |= line.contains("search index rebuilt");
                        r.routing_trained |= line.contains("routing retrained") || line.contains("routing training");
                    }
                    let level = if line.contains(" ERROR ") {
                        Some(true)
                    } else if line.contains(" WARN ") {
                        Some(false)
                    } else {
                        None
                    };
                    if let (Some(is_error), Ok(mut c)) = (level, counts.lock()) {
                        if is_error {
                            c.errors += 1;
                        } else {
                            c.warnings += 1;
                        }
                        if c.first.len() < 10 {
                            c.first.push(line.chars().take(400).collect());
                        }
                    }
                    let mut f = file.lock().await;
                    let _ = f.write_all(line.as_bytes()).await;
                    let _ = f.write_all(b"\n").await;
                }
            });
        }
        let addr = tokio::time::timeout(Duration::from_secs(300), addr_rx)
            .await
            .context("the server did not start within 5 minutes")?
            .context("the server exited before listening")?;
        let sock: SocketAddr = addr.parse().with_context(|| format!("server address {addr}"))?;
        anyhow::ensure!(sock.ip().is_loopback(), "the server listens on {sock}, not on a loopback address");
        let server = Server { child, pid, base: format!("http://{sock}"), log, counts, ready };
        server.wait_ready().await?;
        Ok(server)
    }

    /// Waits for `/healthz`, then for the start-up work (search index, router) to finish, so that
    /// the run measures a server at work, not one still starting.
    async fn wait_ready(&self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ok = http.get(format!("{}/healthz", self.base)).send().await.is_ok_and(|r| r.status() == 200);
            if ok {
                break;
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(120), "/healthz did not answer within 2 minutes");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        loop {
            let done = self.ready.lock().map(|r| r.routing_trained && (!r.rebuilding_search || r.search_rebuilt));
            if done.unwrap_or(true) || started.elapsed() > Duration::from_secs(300) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!("server ready at {} (pid {}) after {:.1} s", self.base, self.pid, started.elapsed().as_secs_f64());
        Ok(())
    }

    /// Resident memory of the server now, in KiB.
    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
    }

    /// Stops the server as Ctrl-C would (graceful), killing it if it does not stop.
    async fn stop(&mut self) -> LogCounts {
        let _ = tokio::process::Command::new("kill").arg("-INT").arg(self.pid.to_string()).status().await;
        if tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/// Latencies and errors per request kind.
#[derive(Default)]
struct Recorder {
    kinds: Mutex<BTreeMap<&'static str, KindStats>>,
    samples: Mutex<Vec<String>>,
}

#[derive(Default)]
struct KindStats {
    micros: Vec<u32>,
    errors: u64,
}

impl Recorder {
    fn record(&self, kind: &'static str, elapsed: Duration, error: Option<String>) {
        if let Ok(mut k) = self.kinds.lock() {
            let s = k.entry(kind).or_default();
            s.micros.push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
            if error.is_some() {
                s.errors += 1;
            }
        }
        if let Some(e) = error
            && let Ok(mut samples) = self.samples.lock()
            && samples.len() < 50
        {
            samples.push(format!("{kind}: {e}"));
        }
    }
}

/// When to stop: the deadline, or the request budget.
struct Limits {
    deadline: Mutex<Option<Instant>>,
    max: u64,
    issued: AtomicU64,
}

impl Limits {
    fn take(&self) -> bool {
        if self.deadline.lock().ok().and_then(|d| *d).is_some_and(|d| Instant::now() >= d) {
            return false;
        }
        self.issued.fetch_add(1, Ordering::Relaxed) < self.max
    }
}

/// Why a user's step ended early.
#[derive(Debug)]
enum Halt {
    /// Time or the request budget is up.
    Stop,
    /// A request failed (recorded); the user goes on with the next step.
    Failed,
}

type Step<T> = Result<T, Halt>;

// ---------------------------------------------------------------------------------------------
// The city as the users see it, found through the API.

/// A centre: its area, operator and leader accounts, and where its cases are.
#[derive(Debug, Clone)]
struct Team {
    area: String,
    operator: String,
    leader: String,
    /// Leaf areas its operators register cases at.
    grids: Vec<String>,
}

/// A department with a handler account.
#[derive(Debug, Clone)]
struct Dept {
    org: String,
    handler: String,
}

/// What the bench found in the directory.
#[derive(Debug, Clone)]
struct World {
    teams: Vec<Team>,
    depts: Vec<Dept>,
    /// Grid workers: account, grid, team.
    grid_workers: Vec<(String, String, usize)>,
    residents: Vec<String>,
    /// Grids of the street teams with their team, where residents live.
    resident_grids: Vec<(String, usize)>,
    village: Option<Mediation>,
    township: Option<Mediation>,
    analysts: Vec<String>,
    admins: Vec<String>,
    district: String,
    city: String,
    /// Outer rings (lon, lat) of the grids where residents and grid workers report, from the map.
    rings: HashMap<String, Vec<(f64, f64)>>,
}

/// Whether a point lies strictly inside a ring (even-odd rule).
fn inside(ring: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut odd = false;
    for (i, &(xi, yi)) in ring.iter().enumerate() {
        let (xj, yj) = ring[(i + ring.len() - 1) % ring.len()];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            odd = !odd;
        }
    }
    odd
}

/// A point well inside the grid (a phone's position where the matter is), if one is found.
fn point_in(world: &World, grid: &str, rng: &mut StdRng) -> Option<(f64, f64)> {
    let ring = world.rings.get(grid)?;
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in ring {
        (w, s, e, n) = (w.min(x), s.min(y), e.max(x), n.max(y));
    }
    (0..20).find_map(|_| {
        let p = (w + (e - w) * rng.random_range(0.1..0.9), s + (n - s) * rng.random_range(0.1..0.9));
        // Away from the border too, so that rounding cannot move it into the neighbour.
        let margin = (e - w).min(n - s) * 0.02;
        let safe = [(0.0, 0.0), (margin, 0.0), (-margin, 0.0), (0.0, margin), (0.0, -margin)]
            .iter()
            .all(|(dx, dy)| inside(ring, (p.0 + dx, p.1 + dy)));
        safe.then_some(p)
    })
}

/// A mediator account with its registry records and where it mediates.
#[derive(Debug, Clone)]
struct Mediation {
    account: String,
    org: String,
    mediator: String,
    grids: Vec<String>,
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_owned()
}

/// The area codes below `root` (whose trailing zeros are free), among `areas`.
fn below<'a>(areas: &'a [Value], root: &str, level: &str) -> Vec<&'a Value> {
    areas.iter().filter(|a| a["level"] == level && is_within(&s(a, "code"), root)).collect()
}

/// Whether `code` lies in the subtree of `root` (12-digit codes with trailing zero groups, and
/// 15-digit grid codes).
fn is_within(code: &str, root: &str) -> bool {
    let prefix = match root.len() {
        12 if root.ends_with("00000000") => &root[..4],
        12 if root.ends_with("000000") => &root[..6],
        12 if root.ends_with("000") => &root[..9],
        _ => root,
    };
    code.starts_with(prefix)
}

async fn discover(admin: &Session, max_teams: usize) -> Step<World> {
    let users = admin.get_json("discover /api/users", "/api/users").await?;
    let orgs = admin.get_json("discover /api/orgs", "/api/orgs").await?;
    let areas = admin.get_json("discover /api/areas", "/api/areas").await?;
    let registry = admin.get_json("discover /api/mediation/registry", "/api/mediation/registry").await?;
    let users = users.as_array().cloned().unwrap_or_default();
    let orgs = orgs.as_array().cloned().unwrap_or_default();
    let areas = areas.as_array().cloned().unwrap_or_default();
    let area_of = |u: &Value| u["binding"]["area"].as_str().unwrap_or_default().to_owned();
    let account = |name: &str| users.iter().find(|u| u["username"] == name);
    let with_role = |role: &'static str| users.iter().filter(move |u| u["role"] == role && u["active"] == true);

    // The demo street (the account "operator"), its district and the city.
    let Some(op) = account("operator").or_else(|| with_role("operator").next()) else {
        eprintln!("no operator account in the city");
        return Err(Halt::Failed);
    };
    let street = area_of(op);
    let district = format!("{}000000", &street[..6.min(street.len())]);
    let city = format!("{}00000000", &street[..4.min(street.len())]);
    let leader_at = |area: &str| with_role("leader").find(|u| area_of(u) == area).map(|u| s(u, "username"));
    let operator_at = |area: &str| with_role("operator").find(|u| area_of(u) == area).map(|u| s(u, "username"));
    let grids_below = |root: &str| below(&areas, root, "grid").into_iter().map(|a| s(a, "code")).collect::<Vec<_>>();

    let mut teams = Vec::new();
    let mut streets: Vec<String> = below(&areas, &district, "street").into_iter().map(|a| s(a, "code")).collect();
    streets.sort();
    streets.retain(|c| *c != street);
    streets.insert(0, street.clone());
    let district_grids = grids_below(&district);
    let mut street_teams = Vec::new();
    for (i, code) in streets.iter().enumerate() {
        if let (Some(operator), Some(leader)) = (operator_at(code), leader_at(code)) {
            let team = Team { area: code.clone(), operator, leader, grids: grids_below(code) };
            street_teams.push(team);
        }
        if i == 0 {
            // The district and the city come right after the demo street.
            for area in [&district, &city] {
                if let (Some(operator), Some(leader)) = (operator_at(area), leader_at(area)) {
                    street_teams.push(Team { area: area.clone(), operator, leader, grids: district_grids.clone() });
                }
            }
        }
    }
    teams.extend(street_teams);
    teams.truncate(max_teams.max(1));
    if teams.is_empty() {
        eprintln!("no centre has both an operator and a leader account");
        return Err(Halt::Failed);
    }

    // Departments of the district (its bureaus and its streets' stations) with a handler; the
    // demo's handler first.
    let mut depts: Vec<Dept> = with_role("handler")
        .filter_map(|u| {
            let org = u["binding"]["org"].as_str()?.to_owned();
            let o = orgs.iter().find(|o| o["id"] == org.as_str())?;
            (o["kind"] == "department" && is_within(&s(o, "area"), &district))
                .then(|| Dept { org, handler: s(u, "username") })
        })
        .collect();
    depts.sort_by_key(|d| (d.handler != "handler", d.handler.clone()));

    // Streets' teams: their grid workers and residents' reports are theirs.
    let is_street = |a: &str| a.len() == 12 && a.ends_with("000") && !a.ends_with("000000");
    let team_of_grid = |grid: &str| teams.iter().position(|t| is_street(&t.area) && is_within(grid, &t.area));
    let mut grid_workers: Vec<(String, String, usize)> = with_role("grid_worker")
        .filter_map(|u| {
            let grid = area_of(u);
            team_of_grid(&grid).map(|t| (s(u, "username"), grid, t))
        })
        .collect();
    grid_workers.sort_by_key(|g| (g.0 != "grid", g.0.clone()));
    let mut residents: Vec<String> = with_role("resident").map(|u| s(u, "username")).collect();
    if residents.is_empty() {
        // Residents are bound to no area, so the directory's listing by area leaves them out: the
        // demo's resident accounts.
        residents = std::iter::once("resident".to_owned()).chain((1..=80).map(|i| format!("r{i:03}"))).collect();
    }
    residents.sort_by_key(|r| (r != "resident", r.clone()));
    let resident_grids: Vec<(String, usize)> =
        district_grids.iter().filter_map(|g| team_of_grid(g).map(|t| (g.clone(), t))).collect();

    let mediators = registry["mediators"].as_array().cloned().unwrap_or_default();
    let mediation = |name: &str| -> Option<Mediation> {
        let u = account(name)?;
        let m = mediators.iter().find(|m| m["user"] == u["id"])?;
        let area = area_of(u);
        Some(Mediation {
            account: name.to_owned(),
            org: s(m, "org"),
            mediator: s(m, "id"),
            grids: if area.len() == 12 { grids_below(&area) } else { vec![area] },
        })
    };
    let mut village = mediation("vmediator");
    if village.is_none() {
        village = with_role("mediator")
            .filter(|u| {
                let a = area_of(u);
                a.len() == 12 && !a.ends_with("000")
            })
            .find_map(|u| mediation(&s(u, "username")));
    }
    let township = mediation("mediator");
    // The grids' outlines, one community at a time as the map draws them.
    let mut rings = HashMap::new();
    let mut communities: Vec<String> = resident_grids.iter().map(|(g, _)| g[..12].to_owned()).collect();
    communities.extend(grid_workers.iter().map(|(_, g, _)| g[..12.min(g.len())].to_owned()));
    communities.sort();
    communities.dedup();
    for c in &communities {
        let map = admin.get_json("discover /api/map/areas", &format!("/api/map/areas?area={c}")).await?;
        for f in map["features"].as_array().into_iter().flatten() {
            let ring: Vec<(f64, f64)> = f["geometry"]["coordinates"][0]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                .collect();
            if f["geometry"]["type"] == "Polygon" && ring.len() >= 4 {
                rings.insert(s(&f["properties"], "code"), ring);
            }
        }
    }
    let analysts = with_role("analyst").map(|u| s(u, "username")).collect();
    let admins = with_role("admin").map(|u| s(u, "username")).collect();
    Ok(World {
        teams,
        depts,
        grid_workers,
        residents,
        resident_grids,
        village,
        township,
        analysts,
        admins,
        district,
        city,
        rings,
    })
}

// ---------------------------------------------------------------------------------------------
// One signed-in user's browser.

/// Everything the users share: the measurements, the limits, the work queues and the city.
struct Shared {
    rec: Recorder,
    limits: Limits,
    work: Mutex<Work>,
    world: World,
    think: Duration,
    base: String,
}

/// A signed-in user: a client with its own cookie store and connections, and its CSRF token.
struct Session {
    http: reqwest::Client,
    csrf: String,
    shared: Arc<Shared>,
}

/// A short excerpt of an answer, for the error samples.
fn excerpt(body: &str) -> String {
    body.chars().take(300).collect::<String>().replace('\n', " ")
}

impl Session {
    /// A client bound to its own loopback address (`n` distinct per user).
    fn client(n: usize) -> anyhow::Result<reqwest::Client> {
        let n = u32::try_from(n).context("too many users")?;
        let local = Ipv4Addr::new(127, 77, u8::try_from(n / 250).context("too many users")?, (n % 250 + 1) as u8);
        reqwest::Client::builder()
            .cookie_store(true)
            .local_address(IpAddr::V4(local))
            .timeout(Duration::from_secs(120))
            .build()
            .context("HTTP client")
    }

    /// Signs in as `username`.
    async fn login(shared: Arc<Shared>, n: usize, username: &str) -> Step<Session> {
        let http = Self::client(n).map_err(|e| {
            eprintln!("{e:#}");
            Halt::Failed
        })?;
        let mut s = Session { http, csrf: String::new(), shared };
        let body = json!({"username": username, "password": crate::demo::DEMO_PASSWORD});
        let v = s.post_json("POST /api/login", "/api/login", &body, 200).await?;
        s.csrf = s_of(&v, "csrf");
        Ok(s)
    }

    /// Sends a request and records it: `expect` is the only status that is not an error
    /// (redirects are followed, as the browser does).
    async fn send(
        &self,
        kind: &'static str,
        req: reqwest::RequestBuilder,
        expect: u16,
    ) -> Step<(reqwest::Url, String)> {
        if !self.shared.limits.take() {
            return Err(Halt::Stop);
        }
        let started = Instant::now();
        let res = req.send().await;
        let (url, status, body) = match res {
            Ok(r) => {
                let url = r.url().clone();
                let status = r.status().as_u16();
                match r.bytes().await {
                    Ok(b) => (url, status, String::from_utf8_lossy(&b).into_owned()),
                    Err(e) => {
                        self.shared.rec.record(kind, started.elapsed(), Some(format!("reading the answer: {e}")));
                        return Err(Halt::Failed);
                    }
                }
            }
            Err(e) => {
                self.shared.rec.record(kind, started.elapsed(), Some(format!("transport: {e}")));
                return Err(Halt::Failed);
            }
        };
        let elapsed = started.elapsed();
        if status == expect {
            self.shared.rec.record(kind, elapsed, None);
            Ok((url, body))
        } else {
            let path = url.path().to_owned();
            let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
            self.shared.rec.record(kind, elapsed, Some(format!("{status} at {path}{query}: {}", excerpt(&body))));
            Err(Halt::Failed)
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.shared.base)
    }

    /// A page (HTML).
    async fn page(&self, kind: &'static str, path: &str) -> Step<String> {
        let req = self.http.get(self.url(path)).header("accept", "text/html");
        Ok(self.send(kind, req, 200).await?.1)
    }

    /// An htmx fragment, as the page's scripts ask for it.
    async fn fragment(&self, kind: &'static str, path: &str) -> Step<String> {
        let req = self.http.get(self.url(path)).header("HX-Request", "true").header("accept", "text/html");
        Ok(self.send(kind, req, 200).await?.1)
    }

    async fn get_json(&self, kind: &'static str, path: &str) -> Step<Value> {
        let (_, body) = self.send(kind, self.http.get(self.url(path)), 200).await?;
        parse_json(&self.shared.rec, kind, &body)
    }

    async fn post_json(&self, kind: &'static str, path: &str, body: &Value, expect: u16) -> Step<Value> {
        let req = self.http.post(self.url(path)).header("X-CSRF-Token", &self.csrf).json(body);
        let (_, text) = self.send(kind, req, expect).await?;
        parse_json(&self.shared.rec, kind, &text)
    }

    /// Submits a form as the browser does (the CSRF token as the `_csrf` field); returns where the
    /// redirect after it led and that page.
    async fn form(&self, kind: &'static str, path: &str, fields: &[(&str, &str)]) -> Step<(reqwest::Url, String)> {
        let mut body: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        body.extend_from_slice(fields);
        let req = self.http.post(self.url(path)).header("accept", "text/html").form(&body);
        self.send(kind, req, 200).await
    }

    /// A case move through the API.
    async fn api_move(&self, kind: &'static str, case: &str, body: Value) -> Step<Value> {
        self.post_json(kind, &format!("/api/cases/{case}/moves"), &body, 200).await
    }

    /// A case move through the case page's form.
    async fn form_move(&self, kind: &'static str, case: &str, name: &str, fields: &[(&str, &str)]) -> Step<()> {
        self.form(kind, &format!("/cases/{case}/moves/{name}"), fields).await.map(|_| ())
    }

    /// Pauses as a person does between two things.
    async fn think(&self, rng: &mut StdRng) {
        let ms = self.shared.think.as_millis() as u64;
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..=2 * ms))).await;
        }
    }
}

fn s_of(v: &Value, k: &str) -> String {
    s(v, k)
}

fn parse_json(rec: &Recorder, kind: &'static str, body: &str) -> Step<Value> {
    serde_json::from_str(body).map_err(|e| {
        rec.record(kind, Duration::ZERO, Some(format!("not JSON ({e}): {}", excerpt(body))));
        Halt::Failed
    })
}

/// The case id at the end of a redirect to `/cases/{id}`.
fn case_id_of(url: &reqwest::Url) -> Option<String> {
    let id = url.path().strip_prefix("/cases/")?;
    (id.len() == 36 && !id.contains('/')).then(|| id.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Work passed between users.

/// A case of the run, with whom it belongs to.
#[derive(Debug, Clone)]
struct Item {
    case: String,
    team: usize,
    /// The resident session that reported it (rates the result).
    resident: Option<usize>,
    /// The department it was dispatched to.
    dept: Option<usize>,
}

/// A department's work: cases to sign, cases to report on.
#[derive(Debug)]
enum DeptWork {
    Sign(Item),
    Report(Item),
}

#[derive(Debug, Default)]
struct TeamWork {
    accept: VecDeque<Item>,
    redispatch: VecDeque<Item>,
    verify: VecDeque<Item>,
    revisit: VecDeque<Item>,
    close: VecDeque<Item>,
    /// Cases with a department, which leaders urge.
    with_dept: Vec<String>,
}

#[derive(Debug, Default)]
struct Work {
    teams: Vec<TeamWork>,
    depts: Vec<VecDeque<DeptWork>>,
    rate: HashMap<usize, VecDeque<Item>>,
    /// Disputes passed up to the street's committee.
    township: VecDeque<String>,
    /// Cases being urged right now (not closed until the urge is answered).
    urging: HashSet<String>,
    /// Work items done, by kind, for the report.
    done: BTreeMap<&'static str, u64>,
}

impl Shared {
    fn with_work<R>(&self, f: impl FnOnce(&mut Work) -> R) -> Option<R> {
        self.work.lock().ok().map(|mut w| f(&mut w))
    }

    fn done(&self, what: &'static str) {
        self.with_work(|w| *w.done.entry(what).or_default() += 1);
    }
}

// ---------------------------------------------------------------------------------------------
// What people write.

const ESTATES: &[&str] =
    &["翠湖花园", "阳光新城", "桂花苑", "锦绣家园", "滨江小区", "东方明珠小区", "幸福里", "金色港湾"];
const ROADS: &[&str] = &["人民路", "解放路", "建设路", "中山路", "新华路", "胜利路", "文化路", "长江路"];

/// A kind of matter: category, ledger, title and text templates (`{e}` estate, `{r}` road,
/// `{n}` a number).
struct Topic {
    category: &'static str,
    ledger: &'static str,
    title: &'static str,
    text: &'static str,
}

const RESIDENT_TOPICS: &[Topic] = &[
    Topic {
        category: "urban_rural.municipal.infrastructure",
        ledger: "demand",
        title: "{e}下水道堵塞污水外溢",
        text: "{e}{n}栋附近下水道堵塞，污水外溢，已持续{n}天，气味很大，老人小孩出行都要绕道，请尽快疏通处理。",
    },
    Topic {
        category: "urban_rural.municipal.public_facilities",
        ledger: "demand",
        title: "{r}路灯不亮",
        text: "{r}往东约{n}0米一段路灯已经{n}天不亮，晚上一片漆黑，行人和电动车通行很不安全，请尽快维修。",
    },
    Topic {
        category: "urban_rural.municipal.enforcement",
        ledger: "complaint",
        title: "{r}流动摊贩占道经营",
        text: "{r}菜市场门口每天傍晚都有大量流动摊贩占道经营，把人行道和半幅车道都占了，交通拥堵，垃圾遍地，希望城管部门加强管理。",
    },
    Topic {
        category: "environment.pollution.noise",
        ledger: "complaint",
        title: "{e}附近工地夜间施工噪音扰民",
        text: "{e}旁边的工地每天晚上十点以后还在施工，打桩声音很大，已经持续{n}天，居民无法休息，请有关部门查处。",
    },
    Topic {
        category: "urban_rural.municipal.sanitation",
        ledger: "demand",
        title: "{r}垃圾清运不及时",
        text: "{r}{n}号旁边的垃圾桶已经满了{n}天没有清运，气味很大，蚊蝇很多，请环卫部门尽快清运。",
    },
    Topic {
        category: "urban_rural.housing.property_services",
        ledger: "demand",
        title: "{e}电梯经常故障物业不修",
        text: "{e}{n}栋电梯这个月坏了{n}次，物业一直拖着不修，楼上老人上下楼很困难，请督促物业公司尽快维修。",
    },
    Topic {
        category: "urban_rural.municipal.water",
        ledger: "demand",
        title: "{e}停水没有通知",
        text: "{e}从昨天开始停水，事先没有任何通知，到现在{n}个小时了还没有来水，请供水公司尽快恢复供水并说明原因。",
    },
    Topic {
        category: "labour.relations.migrant_workers",
        ledger: "demand",
        title: "{r}工地拖欠农民工工资",
        text: "我们在{r}的工地干了{n}个月，包工头拖欠工资共计{n}万元，多次讨要没有结果，请劳动部门帮忙追讨。",
    },
    Topic {
        category: "urban_rural.municipal.greening",
        ledger: "suggestion",
        title: "建议{r}增加绿化和休息座椅",
        text: "{r}沿线绿化较少，夏天没有遮阴的地方，建议增种行道树并在公交站附近增设{n}处休息座椅，方便老人休息。",
    },
];

const GRID_TOPICS: &[Topic] = &[
    Topic {
        category: "event.safety.ebike_charging",
        ledger: "event",
        title: "{e}楼道电动车飞线充电",
        text: "巡查发现{e}{n}栋楼道内有电动车飞线充电，存在火灾隐患，已现场劝导。",
    },
    Topic {
        category: "event.sanitation.garbage",
        ledger: "event",
        title: "{r}垃圾堆积",
        text: "巡查发现{r}{n}号旁绿化带内堆积生活垃圾约{n}立方米，需要清运。",
    },
    Topic {
        category: "event.safety.manholes",
        ledger: "event",
        title: "{r}井盖破损",
        text: "巡查发现{r}人行道上一处井盖破损松动，已设置警示标志，需要尽快更换。",
    },
    Topic {
        category: "event.facilities.street_lights",
        ledger: "event",
        title: "{e}门口路灯损坏",
        text: "巡查发现{e}门口{n}盏路灯不亮，夜间照明不足。",
    },
    Topic {
        category: "event.traffic.parking",
        ledger: "event",
        title: "{r}车辆乱停占用消防通道",
        text: "巡查发现{r}一带有{n}辆车长期占用消防通道停放，已张贴告知单。",
    },
];

/// Fills a topic's templates.
fn words(topic: &Topic, rng: &mut StdRng) -> (String, String) {
    let e = ESTATES.choose(rng).copied().unwrap_or("小区");
    let r = ROADS.choose(rng).copied().unwrap_or("道路");
    let fill = |t: &str, rng: &mut StdRng| {
        let mut out = t.replace("{e}", e).replace("{r}", r);
        while out.contains("{n}") {
            out = out.replacen("{n}", &rng.random_range(2..=9).to_string(), 1);
        }
        out
    };
    let title = fill(topic.title, rng);
    let text = fill(topic.text, rng);
    (title, text)
}

/// `path?k=v&…` with the values encoded.
fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = match reqwest::Url::parse("http://127.0.0.1/").and_then(|u| u.join(path)) {
        Ok(u) => u,
        Err(_) => return path.to_owned(),
    };
    url.query_pairs_mut().extend_pairs(pairs);
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

const SEARCH_WORDS: &[&str] =
    &["路灯", "噪音", "占道经营", "下水道", "拖欠工资", "物业", "垃圾", "电梯", "停水", "井盖"];

fn today() -> String {
    shiyu_domain::time::local_date(chrono::Utc::now()).to_string()
}

// ---------------------------------------------------------------------------------------------
// The users.

/// What a simulated user does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Role {
    Operator,
    Handler,
    Leader,
    GridWorker,
    Resident,
    VillageMediator,
    TownshipMediator,
    Analyst,
    Admin,
}

impl Role {
    /// How many of every 64 users do this.
    const WEIGHTS: [(Role, u32); 9] = [
        (Role::Operator, 14),
        (Role::Handler, 12),
        (Role::Leader, 8),
        (Role::GridWorker, 10),
        (Role::Resident, 10),
        (Role::VillageMediator, 2),
        (Role::TownshipMediator, 2),
        (Role::Analyst, 3),
        (Role::Admin, 3),
    ];

    fn name(self) -> &'static str {
        match self {
            Role::Operator => "centre operator",
            Role::Handler => "department handler",
            Role::Leader => "leader",
            Role::GridWorker => "grid worker",
            Role::Resident => "resident",
            Role::VillageMediator => "community mediator",
            Role::TownshipMediator => "street mediator",
            Role::Analyst => "analyst",
            Role::Admin => "administrator",
        }
    }
}

/// The roles of `n` users, interleaved in proportion to the weights (smooth weighted round robin),
/// so that any number of users has a fair mix.
fn roles(n: usize) -> Vec<Role> {
    let total: i64 = Role::WEIGHTS.iter().map(|(_, w)| i64::from(*w)).sum();
    let mut current = [0i64; 9];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        for (c, (_, w)) in current.iter_mut().zip(Role::WEIGHTS) {
            *c += i64::from(w);
        }
        let (i, _) = current.iter().enumerate().max_by_key(|(i, c)| (**c, -(*i as i64))).unwrap_or((0, &0));
        current[i] -= total;
        out.push(Role::WEIGHTS[i].0);
    }
    out
}

/// One simulated user: its session, role and place in the city.
struct Actor {
    session: Session,
    role: Role,
    /// Index of the session (residents are rated by it).
    index: usize,
    /// Team (operators, leaders, grid workers), department (handlers).
    slot: usize,
    /// Grid (grid workers).
    grid: String,
    rng: StdRng,
    /// A resident's own cases; a mediator's open disputes with their failed sessions.
    mine: Vec<String>,
    disputes: Vec<(String, u32)>,
}

impl Actor {
    fn shared(&self) -> &Shared {
        &self.session.shared
    }

    async fn run(mut self) {
        loop {
            let step = match self.role {
                Role::Operator => self.operator().await,
                Role::Handler => self.handler().await,
                Role::Leader => self.leader().await,
                Role::GridWorker => self.grid_worker().await,
                Role::Resident => self.resident().await,
                Role::VillageMediator => self.village_mediator().await,
                Role::TownshipMediator => self.township_mediator().await,
                Role::Analyst => self.analyst().await,
                Role::Admin => self.admin().await,
            };
            if matches!(step, Err(Halt::Stop)) {
                break;
            }
            self.session.think(&mut self.rng).await;
        }
    }

    fn team(&self) -> &Team {
        &self.shared().world.teams[self.slot]
    }

    // --- centre operators -------------------------------------------------------------------

    async fn operator(&mut self) -> Step<()> {
        let s = &self.session;
        let roll = self.rng.random_range(0..10);
        match roll {
            0 => s.page("GET / (home)", "/").await.map(|_| ())?,
            1 => s.page("GET /cases/overdue", "/cases/overdue").await.map(|_| ())?,
            2 => s.fragment("GET /notifications (htmx)", "/notifications").await.map(|_| ())?,
            _ => s.page("GET /cases?state= (queue)", "/cases?state=accepted").await.map(|_| ())?,
        }
        if self.rng.random_bool(0.45) {
            let burst = self.rng.random_range(2..=6);
            for _ in 0..burst {
                self.intake().await?;
            }
        }
        self.centre_queues().await
    }

    /// One call taken: the intake form's proposals and duplicates, registration, acceptance and
    /// dispatch.
    async fn intake(&mut self) -> Step<()> {
        let topic = RESIDENT_TOPICS.choose(&mut self.rng).unwrap_or(&RESIDENT_TOPICS[0]);
        let (title, text) = words(topic, &mut self.rng);
        let team = self.team().clone();
        let grid = team.grids.choose(&mut self.rng).cloned().unwrap_or(team.area.clone());
        let s = &self.session;
        let typed = [("title", title.as_str()), ("text", text.as_str()), ("area_code", grid.as_str())];
        s.fragment("GET /cases/new/proposal (htmx)", &with_query("/cases/new/proposal", &typed)).await?;
        s.fragment("GET /cases/new/duplicates (htmx)", &with_query("/cases/new/duplicates", &typed)).await?;
        let phone = format!("139{:08}", self.rng.random_range(0..100_000_000u32));
        let id = if self.rng.random_bool(0.5) {
            let body = json!({"ledger": topic.ledger, "category": topic.category, "channel": "hotline",
                "title": title, "text": text, "area_code": grid, "reporter": "contact",
                "contact": {"name": "王先生", "phone": phone}});
            let v = s.post_json("POST /api/cases", "/api/cases", &body, 201).await?;
            v["case"]["id"].as_str().unwrap_or_default().to_owned()
        } else {
            s.page("GET /cases/new", "/cases/new").await?;
            let fields = [
                ("ledger", topic.ledger),
                ("category", topic.category),
                ("channel", "hotline"),
                ("urgency", "normal"),
                ("title", &title),
                ("text", &text),
                ("area_code", &grid),
                ("contact_name", "李女士"),
                ("contact_phone", &phone),
            ];
            let (url, _) = s.form("POST /cases/new (form)", "/cases/new", &fields).await?;
            case_id_of(&url).unwrap_or_default()
        };
        if id.is_empty() {
            self.shared().rec.record("POST /cases/new (form)", Duration::ZERO, Some("no case id".into()));
            return Err(Halt::Failed);
        }
        self.shared().done("case registered by an operator");
        s.api_move("move accept", &id, json!({"move": "accept", "note": ""})).await?;
        let item = Item { case: id, team: self.slot, resident: None, dept: None };
        self.dispatch(item, &text, &grid).await
    }

    /// Dispatches to the department the router proposes when it has a handler at work here, else
    /// to another one.
    async fn dispatch(&mut self, mut item: Item, text: &str, area: &str) -> Step<()> {
        let active = self.shared().with_work(|w| w.depts.len()).unwrap_or(0).min(self.shared().world.depts.len());
        if active == 0 {
            return Ok(());
        }
        let path = with_query("/api/routing/proposal", &[("text", text), ("area", area)]);
        let proposal = self.session.get_json("GET /api/routing/proposal", &path).await?;
        let proposed: Vec<String> =
            proposal["orgs"].as_array().map(|a| a.iter().map(|o| s(o, "id")).collect()).unwrap_or_default();
        let mut fallback = self.rng.random_range(0..active);
        if Some(fallback) == item.dept && active > 1 {
            fallback = (fallback + 1) % active;
        }
        let depts = &self.shared().world.depts;
        let pick = depts[..active]
            .iter()
            .position(|d| proposed.contains(&d.org))
            .filter(|i| Some(*i) != item.dept)
            .unwrap_or(fallback);
        let lead = depts[pick].org.clone();
        let body = json!({"move": "dispatch", "lead": lead, "co": [], "note": "请按时办理并反馈结果。"});
        self.session.api_move("move dispatch", &item.case, body).await?;
        item.dept = Some(pick);
        let case = item.case.clone();
        let team = item.team;
        self.shared().with_work(|w| {
            w.teams[team].with_dept.push(case);
            w.depts[pick].push_back(DeptWork::Sign(item));
        });
        self.shared().done("case dispatched");
        Ok(())
    }

    /// The centre's own queue: reports to accept and dispatch, returned cases, revisits, closing.
    async fn centre_queues(&mut self) -> Step<()> {
        let team = self.slot;
        for _ in 0..3 {
            let Some(item) = self.shared().with_work(|w| w.teams[team].accept.pop_front()).flatten() else { break };
            let page = self.session.page("GET /cases/{id}", &format!("/cases/{}", item.case)).await?;
            let _ = page;
            self.session.api_move("move accept", &item.case, json!({"move": "accept", "note": "已受理"})).await?;
            let grid = self.team().grids.first().cloned().unwrap_or_default();
            self.dispatch(item, "群众反映的问题，请核实处理。", &grid).await?;
        }
        if let Some(item) = self.shared().with_work(|w| w.teams[team].redispatch.pop_front()).flatten() {
            self.session.page("GET /cases/{id}", &format!("/cases/{}", item.case)).await?;
            let grid = self.team().grids.first().cloned().unwrap_or_default();
            self.dispatch(item, "退回后重新交办。", &grid).await?;
        }
        for _ in 0..2 {
            let Some(item) = self.shared().with_work(|w| w.teams[team].revisit.pop_front()).flatten() else { break };
            let body = json!({"move": "record_revisit", "satisfaction": "satisfied", "note": "电话回访，群众表示满意"});
            self.session.api_move("move record_revisit (centre)", &item.case, body).await?;
            self.close(item).await?;
        }
        if let Some(item) = self.shared().with_work(|w| w.teams[team].close.pop_front()).flatten() {
            self.close(item).await?;
        }
        Ok(())
    }

    /// Closes a case unless a leader's urge on it is still under way (then later).
    async fn close(&mut self, item: Item) -> Step<()> {
        let team = item.team;
        let busy = self.shared().with_work(|w| w.urging.contains(&item.case)).unwrap_or(false);
        if busy {
            self.shared().with_work(|w| w.teams[team].close.push_back(item));
            return Ok(());
        }
        self.session.api_move("move close", &item.case, json!({"move": "close", "note": "已办结"})).await?;
        self.shared().done("case closed");
        Ok(())
    }

    // --- department handlers ----------------------------------------------------------------

    async fn handler(&mut self) -> Step<()> {
        let s = &self.session;
        s.get_json("GET /api/cases?state=dispatched (poll)", "/api/cases?state=dispatched,in_progress&limit=20")
            .await?;
        match self.rng.random_range(0..6) {
            0 => s.page("GET /cases?state= (queue)", "/cases?state=dispatched").await.map(|_| ())?,
            1 => s.fragment("GET /notifications (htmx)", "/notifications").await.map(|_| ())?,
            2 => s.page("GET / (home)", "/").await.map(|_| ())?,
            _ => {}
        }
        let dept = self.slot;
        for _ in 0..2 {
            let Some(work) = self.shared().with_work(|w| w.depts[dept].pop_front()).flatten() else { break };
            match work {
                DeptWork::Sign(item) => {
                    self.session.page("GET /cases/{id}", &format!("/cases/{}", item.case)).await?;
                    if self.rng.random_bool(0.05) {
                        let body = json!({"move": "return", "reason": "不属于本单位职责范围，请重新交办。"});
                        self.session.api_move("move return", &item.case, body).await?;
                        let (team, case) = (item.team, item.case.clone());
                        self.shared().with_work(|w| {
                            w.teams[team].with_dept.retain(|c| *c != case);
                            w.teams[team].redispatch.push_back(item);
                        });
                        self.shared().done("case returned");
                    } else {
                        self.session.form_move("POST /cases/{id}/moves/sign (form)", &item.case, "sign", &[]).await?;
                        self.shared().with_work(|w| w.depts[dept].push_back(DeptWork::Report(item)));
                    }
                }
                DeptWork::Report(item) => {
                    let fields =
                        [("outcome", "resolved"), ("text", "已安排人员现场处置，问题已解决，并向反映人说明情况。")];
                    self.session
                        .form_move("POST /cases/{id}/moves/report_result (form)", &item.case, "report_result", &fields)
                        .await?;
                    let (team, case) = (item.team, item.case.clone());
                    self.shared().with_work(|w| {
                        w.teams[team].with_dept.retain(|c| *c != case);
                        w.teams[team].verify.push_back(item);
                    });
                    self.shared().done("result reported by a department");
                }
            }
        }
        Ok(())
    }

    // --- leaders ----------------------------------------------------------------------------

    async fn leader(&mut self) -> Step<()> {
        let area = self.team().area.clone();
        let s = &self.session;
        match self.rng.random_range(0..12) {
            0..=3 => s.page("GET /board", "/board").await.map(|_| ())?,
            4 | 5 => s.page("GET /board/screen", "/board/screen").await.map(|_| ())?,
            6 => s.get_json("GET /api/board/summary", "/api/board/summary").await.map(|_| ())?,
            7 => s.get_json("GET /api/board/overdue", "/api/board/overdue").await.map(|_| ())?,
            8 => s.page("GET /map", "/map").await.map(|_| ())?,
            9 => s
                .page("GET /reports/view (html)", &format!("/reports/view?kind=monthly&area={area}"))
                .await
                .map(|_| ())?,
            10 => {
                let format = if self.rng.random_bool(0.5) { "xlsx" } else { "pdf" };
                let kind = if format == "xlsx" { "GET /reports/view (xlsx)" } else { "GET /reports/view (pdf)" };
                s.page(kind, &format!("/reports/view?kind=monthly&area={area}&format={format}")).await.map(|_| ())?
            }
            _ => s.page("GET /cases?state= (queue)", "/cases?state=handled").await.map(|_| ())?,
        }
        let team = self.slot;
        for _ in 0..3 {
            let Some(item) = self.shared().with_work(|w| w.teams[team].verify.pop_front()).flatten() else { break };
            self.session.page("GET /cases/{id}", &format!("/cases/{}", item.case)).await?;
            if self.rng.random_bool(0.08) && item.dept.is_some() {
                let body = json!({"move": "send_back", "reason": "未附现场处置情况，请补充核实。"});
                self.session.api_move("move send_back", &item.case, body).await?;
                let dept = item.dept.unwrap_or(0);
                self.shared().with_work(|w| w.depts[dept].push_back(DeptWork::Report(item)));
                self.shared().done("result sent back");
                continue;
            }
            self.session
                .form_move("POST /cases/{id}/moves/verify (form)", &item.case, "verify", &[("note", "同意")])
                .await?;
            self.shared().done("result verified");
            self.shared().with_work(|w| match item.resident {
                Some(r) => w.rate.entry(r).or_default().push_back(item),
                None => w.teams[team].revisit.push_back(item),
            });
        }
        if self.rng.random_bool(0.3) {
            let r: f64 = self.rng.random();
            let pick = self
                .shared()
                .with_work(|w| {
                    let list = &w.teams[team].with_dept;
                    if list.is_empty() {
                        return None;
                    }
                    let c = list[((r * list.len() as f64) as usize).min(list.len() - 1)].clone();
                    w.urging.insert(c.clone()).then_some(c)
                })
                .flatten();
            if let Some(case) = pick {
                let r = self
                    .session
                    .form_move(
                        "POST /cases/{id}/moves/urge (form)",
                        &case,
                        "urge",
                        &[("note", "请加快办理，按时反馈。")],
                    )
                    .await;
                self.shared().with_work(|w| w.urging.remove(&case));
                r?;
                self.shared().done("case urged");
            }
        }
        Ok(())
    }

    // --- grid workers -----------------------------------------------------------------------

    async fn grid_worker(&mut self) -> Step<()> {
        self.session.page("GET /grid", "/grid").await?;
        match self.rng.random_range(0..6) {
            0 | 1 => self.visit().await?,
            2 | 3 => self.grid_report().await?,
            4 => self.session.page("GET /grid/visits", "/grid/visits").await.map(|_| ())?,
            _ => self.session.page("GET /grid/report", "/grid/report").await.map(|_| ())?,
        }
        Ok(())
    }

    /// A day's visit log: the form lists the grid's households; a few are ticked.
    async fn visit(&mut self) -> Step<()> {
        let form = self.session.page("GET /grid/visits/new", "/grid/visits/new").await?;
        let houses: Vec<String> = form
            .split("name=\"house\" value=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(str::to_owned))
            .collect();
        let picked: Vec<String> = houses.choose_multiple(&mut self.rng, 3).cloned().collect();
        let day = today();
        let mut fields: Vec<(&str, &str)> =
            vec![("day", &day), ("summary", "入户走访，了解住户近况，宣传防诈骗和消防安全知识。"), ("found", "")];
        for h in &picked {
            fields.push(("house", h));
        }
        self.session.form("POST /grid/visits/new (form)", "/grid/visits/new", &fields).await?;
        self.shared().done("visit logged");
        Ok(())
    }

    /// An event found on the walk: reported on the form; small ones solved on the spot, the
    /// others left to the street's centre.
    /// Files a report form, half the time with a point inside `grid`, and returns the new case's
    /// id from the page it lands on.
    async fn file_with_point(
        &mut self,
        kind: &'static str,
        path: &str,
        fields: &[(&str, &str)],
        grid: &str,
    ) -> Step<String> {
        let point = if self.rng.random_bool(0.5) {
            point_in(&Arc::clone(&self.session.shared).world, grid, &mut self.rng)
        } else {
            None
        };
        let (lon, lat) = point.map(|(x, y)| (format!("{x:.6}"), format!("{y:.6}"))).unwrap_or_default();
        let mut fields = fields.to_vec();
        fields.extend([("lon", lon.as_str()), ("lat", lat.as_str())]);
        let (url, _) = self.session.form(kind, path, &fields).await?;
        match case_id_of(&url) {
            Some(id) => Ok(id),
            None => {
                self.shared().rec.record(kind, Duration::ZERO, Some(format!("landed on {url}")));
                Err(Halt::Failed)
            }
        }
    }

    async fn grid_report(&mut self) -> Step<()> {
        let topic = GRID_TOPICS.choose(&mut self.rng).unwrap_or(&GRID_TOPICS[0]);
        let (title, text) = words(topic, &mut self.rng);
        let grid = self.grid.clone();
        self.session.page("GET /cases/new", "/cases/new").await?;
        let fields = [
            ("ledger", topic.ledger),
            ("category", topic.category),
            ("channel", "grid_worker"),
            ("urgency", "normal"),
            ("title", &title),
            ("text", &text),
            ("area_code", &grid),
        ];
        let id = self.file_with_point("POST /cases/new (form)", "/cases/new", &fields, &grid).await?;
        self.shared().done("event reported by a grid worker");
        let item = Item { case: id.clone(), team: self.slot, resident: None, dept: None };
        if self.rng.random_bool(0.6) {
            self.session.api_move("move accept", &id, json!({"move": "accept", "note": ""})).await?;
            self.session.api_move("move self_handle", &id, json!({"move": "self_handle", "note": "现场处置"})).await?;
            let body = json!({"move": "report_result", "outcome": "resolved", "text": "已现场处置完毕。"});
            self.session.api_move("move report_result (grid)", &id, body).await?;
            self.shared().done("event solved on the spot");
            self.shared().with_work(|w| w.teams[item.team].verify.push_back(item));
        } else {
            self.shared().with_work(|w| w.teams[item.team].accept.push_back(item));
        }
        Ok(())
    }

    // --- residents --------------------------------------------------------------------------

    async fn resident(&mut self) -> Step<()> {
        self.session.page("GET /r", "/r").await?;
        if self.rng.random_bool(0.3) {
            self.session.get_json("GET /api/cases (own)", "/api/cases?limit=20").await?;
        }
        let places = self.shared().world.resident_grids.len();
        if places > 0 && self.rng.random_bool(0.25) {
            let at = self.rng.random_range(0..places);
            let (grid, team) = self.shared().world.resident_grids[at].clone();
            let topic = RESIDENT_TOPICS.choose(&mut self.rng).unwrap_or(&RESIDENT_TOPICS[0]);
            let (title, text) = words(topic, &mut self.rng);
            self.session.page("GET /r/new", "/r/new").await?;
            let fields = [
                ("ledger", topic.ledger),
                ("category", topic.category),
                ("channel", "mobile"),
                ("title", &title),
                ("text", &text),
                ("area_code", &grid),
            ];
            // Half the residents send their phone's position.
            let id = self.file_with_point("POST /r/new (form)", "/r/new", &fields, &grid).await?;
            self.shared().done("case reported by a resident");
            self.mine.push(id.clone());
            if self.mine.len() > 20 {
                self.mine.remove(0);
            }
            let item = Item { case: id, team, resident: Some(self.index), dept: None };
            self.shared().with_work(|w| w.teams[team].accept.push_back(item));
        }
        if let Some(case) = self.mine.choose(&mut self.rng).cloned() {
            self.session.page("GET /cases/{id}", &format!("/cases/{case}")).await?;
            if self.rng.random_bool(0.3) {
                self.session.get_json("GET /api/cases/{id}/events", &format!("/api/cases/{case}/events")).await?;
            }
        }
        let me = self.index;
        if let Some(item) = self.shared().with_work(|w| w.rate.get_mut(&me).and_then(VecDeque::pop_front)).flatten() {
            let satisfaction = if self.rng.random_bool(0.85) { "satisfied" } else { "basic" };
            let fields = [("satisfaction", satisfaction), ("note", "处理及时，谢谢")];
            self.session
                .form_move("POST /cases/{id}/moves/record_revisit (form)", &item.case, "record_revisit", &fields)
                .await?;
            self.shared().done("result rated by its resident");
            self.shared().with_work(|w| w.teams[item.team].close.push_back(item));
        }
        Ok(())
    }

    // --- mediators --------------------------------------------------------------------------

    async fn mediator_pages(&mut self) -> Step<()> {
        let s = &self.session;
        match self.rng.random_range(0..12) {
            0..=2 => s.page("GET /disputes", "/disputes").await.map(|_| ())?,
            3 => s.page("GET /disputes?list=sessions_due", "/disputes?list=sessions_due").await.map(|_| ())?,
            4 => s.page("GET /disputes/screenings", "/disputes/screenings").await.map(|_| ())?,
            5 => s.page("GET /disputes/figures", "/disputes/figures").await.map(|_| ())?,
            6 => s.page("GET /disputes/export (xlsx)", "/disputes/export?format=xlsx&list=mine").await.map(|_| ())?,
            _ => s.get_json("GET /api/disputes?list=mine", "/api/disputes?list=mine").await.map(|_| ())?,
        }
        Ok(())
    }

    fn session_body(mediator: &str, outcome: &str) -> Value {
        let mut body = json!({"move": "record_session", "session": {"held_on": today(), "method": "in_person",
            "mediators": [{"id": mediator}], "parties_present": ["张某", "李某"],
            "notes": "双方陈述事实，调解员释法说理。", "outcome": outcome}});
        if outcome == "agreement" {
            body["session"]["terms"] = json!(["李某于十日内赔偿张某损失", "双方不再就此事发生争执"]);
            body["session"]["performance"] = json!("十日内履行完毕");
        }
        body
    }

    /// Agreement reached: the document, then the follow-up visit that closes it.
    async fn agree_and_follow(&mut self, id: &str, mediator: &str) -> Step<()> {
        let path = format!("/api/disputes/{id}/moves");
        self.session
            .post_json("move dispute record_session", &path, &Self::session_body(mediator, "agreement"), 200)
            .await?;
        self.session
            .page("GET /disputes/{id}/agreement (html)", &format!("/disputes/{id}/agreement?format=html"))
            .await?;
        let body = json!({"move": "follow_up", "visit": {"visited_on": today(), "result": "performed", "notes": "上门回访，协议已履行"}});
        self.session.post_json("move dispute follow_up", &path, &body, 200).await?;
        self.shared().done("dispute agreed and followed up");
        Ok(())
    }

    async fn village_mediator(&mut self) -> Step<()> {
        self.mediator_pages().await?;
        let Some(m) = self.shared().world.village.clone() else { return Ok(()) };
        if self.disputes.len() < 3 && self.rng.random_bool(0.4) {
            let grid = m.grids.choose(&mut self.rng).cloned().unwrap_or_default();
            let red = self.rng.random_bool(0.2);
            let kinds = ["neighbours", "family", "property", "labour", "compensation"];
            let kind = kinds.choose(&mut self.rng).copied().unwrap_or("neighbours");
            let money = self.rng.random_range(1..200u32) * 100;
            let body = json!({"title": "邻里漏水赔偿纠纷", "facts": "楼上住户卫生间漏水致楼下装修受损，双方就赔偿数额争执不下。",
                "dispute_type": kind, "risk": if red { "red" } else { "blue" }, "source": "application",
                "area_code": grid, "money_yuan": money.to_string(),
                "parties": [{"role": "applicant", "kind": "person", "name": "张某", "phone": "13912345678"},
                            {"role": "respondent", "kind": "person", "name": "李某", "phone": "13800001111"}]});
            let v = self.session.post_json("POST /api/disputes", "/api/disputes", &body, 200).await?;
            let id = s(&v, "id");
            self.shared().done("dispute registered");
            if red {
                let path = format!("/api/disputes/{id}/moves");
                let body = json!({"move": "escalate", "reason": "红色风险，提交街道调委会"});
                self.session.post_json("move dispute escalate", &path, &body, 200).await?;
                self.shared().done("dispute passed up");
                self.shared().with_work(|w| w.township.push_back(id));
            } else {
                self.disputes.push((id, 0));
            }
            return Ok(());
        }
        if self.disputes.is_empty() {
            return Ok(());
        }
        let i = self.rng.random_range(0..self.disputes.len());
        let (id, failed) = self.disputes[i].clone();
        self.session.page("GET /disputes/{id}", &format!("/disputes/{id}")).await?;
        if self.rng.random_bool(0.6) {
            self.disputes.remove(i);
            return self.agree_and_follow(&id, &m.mediator).await;
        }
        let path = format!("/api/disputes/{id}/moves");
        self.session
            .post_json("move dispute record_session", &path, &Self::session_body(&m.mediator, "failed"), 200)
            .await?;
        self.disputes[i].1 = failed + 1;
        if failed + 1 >= 3 {
            self.disputes.remove(i);
            let body = json!({"move": "escalate", "reason": "三次调解不成，提交街道调委会"});
            self.session.post_json("move dispute escalate", &path, &body, 200).await?;
            self.shared().done("dispute passed up");
            self.shared().with_work(|w| w.township.push_back(id));
        }
        Ok(())
    }

    async fn township_mediator(&mut self) -> Step<()> {
        self.mediator_pages().await?;
        let Some(m) = self.shared().world.township.clone() else { return Ok(()) };
        let Some(id) = self.shared().with_work(|w| w.township.pop_front()).flatten() else { return Ok(()) };
        self.session.page("GET /disputes/{id}", &format!("/disputes/{id}")).await?;
        let path = format!("/api/disputes/{id}/moves");
        let body = json!({"move": "assign", "org": {"id": m.org}, "mediators": [{"id": m.mediator}]});
        self.session.post_json("move dispute assign", &path, &body, 200).await?;
        self.agree_and_follow(&id, &m.mediator).await
    }

    // --- analysts and administrators --------------------------------------------------------

    async fn analyst(&mut self) -> Step<()> {
        let word = SEARCH_WORDS.choose(&mut self.rng).copied().unwrap_or("路灯");
        let district = self.shared().world.district.clone();
        let city = self.shared().world.city.clone();
        let s = &self.session;
        match self.rng.random_range(0..20) {
            0..=3 => s.page("GET /search", &with_query("/search", &[("q", word)])).await.map(|_| ())?,
            4..=6 => s.get_json("GET /api/search", &with_query("/api/search", &[("q", word)])).await.map(|_| ())?,
            7 | 8 => s.get_json("GET /api/stats/figures", "/api/stats/figures?by=child").await.map(|_| ())?,
            9 => s.get_json("GET /api/stats/figures", "/api/stats/figures?by=category").await.map(|_| ())?,
            10 | 11 => s
                .page("GET /reports/view (html)", &format!("/reports/view?kind=quarterly&area={district}"))
                .await
                .map(|_| ())?,
            12 => s
                .page("GET /reports/view (xlsx)", &format!("/reports/view?kind=monthly&area={city}&format=xlsx"))
                .await
                .map(|_| ())?,
            13 => s
                .page("GET /reports/view (pdf)", &format!("/reports/view?kind=weekly&area={district}&format=pdf"))
                .await
                .map(|_| ())?,
            14 => {
                s.page("GET /cases/export (xlsx)", "/cases/export?format=xlsx&state=in_progress").await.map(|_| ())?
            }
            16 => s.page("GET /assessment", "/assessment").await.map(|_| ())?,
            17 => s.page("GET /reports", "/reports").await.map(|_| ())?,
            18 => s.get_json("GET /api/disputes/figures", "/api/disputes/figures").await.map(|_| ())?,
            _ => s.page("GET /board", "/board").await.map(|_| ())?,
        }
        Ok(())
    }

    async fn admin(&mut self) -> Step<()> {
        let s = &self.session;
        match self.rng.random_range(0..9) {
            0 => s.page("GET /admin/mediation", "/admin/mediation").await.map(|_| ())?,
            1 => s.get_json("GET /api/users", "/api/users").await.map(|_| ())?,
            2 => s.page("GET /base/residents", "/base/residents").await.map(|_| ())?,
            3 => s.page("GET /base/houses", "/base/houses").await.map(|_| ())?,
            4 => s.get_json("GET /api/admin/webhooks", "/api/admin/webhooks").await.map(|_| ())?,
            5 => s.page("GET /assessment/plan", "/assessment/plan").await.map(|_| ())?,
            6 => s.get_json("GET /api/orgs", "/api/orgs").await.map(|_| ())?,
            7 => s.page("GET /base/care", "/base/care").await.map(|_| ())?,
            _ => s.page("GET / (home)", "/").await.map(|_| ())?,
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The run.

/// Signs everyone in, lets them work, samples the server's memory, and gathers the figures.
async fn drive(opts: &Options, server: &mut Server) -> anyhow::Result<Report> {
    let plan = roles(opts.users);
    let count = |r: Role| plan.iter().filter(|x| **x == r).count();
    let bootstrap = Arc::new(Shared {
        rec: Recorder::default(),
        limits: Limits { deadline: Mutex::new(None), max: u64::MAX, issued: AtomicU64::new(0) },
        work: Mutex::new(Work::default()),
        world: World {
            teams: vec![],
            depts: vec![],
            grid_workers: vec![],
            residents: vec![],
            resident_grids: vec![],
            village: None,
            township: None,
            analysts: vec![],
            admins: vec![],
            district: String::new(),
            city: String::new(),
            rings: HashMap::new(),
        },
        think: Duration::from_millis(opts.think_ms),
        base: server.base.clone(),
    });
    // The directory, read once as an administrator (from an address of its own).
    let admin = Session::login(bootstrap.clone(), 63_999, "admin")
        .await
        .map_err(|_| anyhow::anyhow!("signing in as admin: {}", first_sample(&bootstrap.rec)))?;
    let max_teams = count(Role::Operator).min(count(Role::Leader));
    let world = discover(&admin, max_teams)
        .await
        .map_err(|_| anyhow::anyhow!("reading the directory: {}", first_sample(&bootstrap.rec)))?;
    drop(admin);
    let handlers = count(Role::Handler).min(world.depts.len());
    let mut work = Work { teams: (0..world.teams.len()).map(|_| TeamWork::default()).collect(), ..Work::default() };
    work.depts = (0..handlers).map(|_| VecDeque::new()).collect();
    let shared = Arc::new(Shared {
        rec: Recorder::default(),
        limits: Limits { deadline: Mutex::new(None), max: opts.max_requests, issued: AtomicU64::new(0) },
        work: Mutex::new(work),
        world,
        think: Duration::from_millis(opts.think_ms),
        base: server.base.clone(),
    });
    let w = &shared.world;
    println!(
        "city: {} centres ({}), {} departments with handlers at work, {} grid workers' grids, {} residents' accounts",
        w.teams.len(),
        w.teams.iter().map(|t| format!("{} {}/{}", t.area, t.operator, t.leader)).collect::<Vec<_>>().join(", "),
        handlers,
        w.grid_workers.len(),
        w.residents.len()
    );

    // Who each user is.
    let mut per_role: HashMap<Role, usize> = HashMap::new();
    let mut cast: Vec<(Role, String, usize, String)> = Vec::new();
    for role in &plan {
        let k = per_role.entry(*role).or_default();
        let n = *k;
        *k += 1;
        let pick = |list: &[String]| (!list.is_empty()).then(|| list[n % list.len()].clone());
        let who = match role {
            Role::Operator => Some((w.teams[n % w.teams.len()].operator.clone(), n % w.teams.len(), String::new())),
            Role::Leader => Some((w.teams[n % w.teams.len()].leader.clone(), n % w.teams.len(), String::new())),
            Role::Handler => {
                (handlers > 0).then(|| (w.depts[n % handlers].handler.clone(), n % handlers, String::new()))
            }
            Role::GridWorker => (!w.grid_workers.is_empty()).then(|| {
                let (acc, grid, team) = w.grid_workers[n % w.grid_workers.len()].clone();
                (acc, team, grid)
            }),
            Role::Resident => pick(&w.residents).map(|a| (a, 0, String::new())),
            Role::VillageMediator => w.village.as_ref().map(|m| (m.account.clone(), 0, String::new())),
            Role::TownshipMediator => w.township.as_ref().map(|m| (m.account.clone(), 0, String::new())),
            Role::Analyst => pick(&w.analysts).map(|a| (a, 0, String::new())),
            Role::Admin => pick(&w.admins).map(|a| (a, 0, String::new())),
        };
        match who {
            Some((account, slot, grid)) => cast.push((*role, account, slot, grid)),
            None => println!("no account for a {}; that user is left out", role.name()),
        }
    }
    let mut mix: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (role, ..) in &cast {
        *mix.entry(role.name()).or_default() += 1;
    }
    println!("users: {} ({})", cast.len(), mix.iter().map(|(r, n)| format!("{n} {r}")).collect::<Vec<_>>().join(", "));

    // Sign everyone in, a few at a time.
    let mut actors = Vec::new();
    let signed_in = Instant::now();
    for (chunk_no, chunk) in cast.chunks(8).enumerate() {
        let mut set = tokio::task::JoinSet::new();
        for (j, (role, account, slot, grid)) in chunk.iter().cloned().enumerate() {
            let index = chunk_no * 8 + j;
            let shared = shared.clone();
            set.spawn(async move {
                let session = Session::login(shared, index, &account).await;
                (index, role, slot, grid, account, session)
            });
        }
        while let Some(joined) = set.join_next().await {
            let (index, role, slot, grid, account, session) = joined.context("sign-in task")?;
            let session =
                session.map_err(|_| anyhow::anyhow!("signing in as {account}: {}", first_sample(&shared.rec)))?;
            actors.push(Actor {
                session,
                role,
                index,
                slot,
                grid,
                rng: StdRng::seed_from_u64(0x10AD_0000 + index as u64),
                mine: Vec::new(),
                disputes: Vec::new(),
            });
        }
    }
    println!("{} users signed in in {:.1} s", actors.len(), signed_in.elapsed().as_secs_f64());

    // Memory before the work starts, then every second.
    let rss_start = server.rss_kib().unwrap_or(0);
    let started = Instant::now();
    if let Ok(mut d) = shared.limits.deadline.lock() {
        *d = Some(started + Duration::from_secs(opts.duration));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for actor in actors {
        tasks.spawn(actor.run());
    }
    let mut rss: Vec<(f64, u64)> = vec![(0.0, rss_start)];
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let mut last_print = Instant::now();
    loop {
        tokio::select! {
            joined = tasks.join_next() => {
                match joined {
                    Some(r) => r.context("a user's task")?,
                    None => break,
                }
            }
            _ = tick.tick() => {
                if let Some(kib) = server.rss_kib() {
                    rss.push((started.elapsed().as_secs_f64(), kib));
                }
                if last_print.elapsed() >= Duration::from_secs(10) {
                    last_print = Instant::now();
                    let (n, e) = totals(&shared.rec);
                    println!(
                        "  {:>5.0} s: {n} requests, {e} errors, server RSS {:.1} MiB",
                        started.elapsed().as_secs_f64(),
                        rss.last().map_or(0.0, |r| r.1 as f64 / 1024.0)
                    );
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let rss_end = server.rss_kib().unwrap_or(0);
    rss.push((elapsed.as_secs_f64(), rss_end));
    let done = shared.with_work(|w| w.done.clone()).unwrap_or_default();
    let backlog = shared
        .with_work(|w| {
            let t: usize = w
                .teams
                .iter()
                .map(|t| t.accept.len() + t.redispatch.len() + t.verify.len() + t.revisit.len() + t.close.len())
                .sum();
            t + w.depts.iter().map(VecDeque::len).sum::<usize>()
                + w.rate.values().map(VecDeque::len).sum::<usize>()
                + w.township.len()
        })
        .unwrap_or(0);
    let kinds = shared.rec.kinds.lock().map(|mut k| std::mem::take(&mut *k)).unwrap_or_default();
    let samples = shared.rec.samples.lock().map(|s| s.clone()).unwrap_or_default();
    Ok(Report {
        users: cast.len(),
        mix,
        elapsed,
        kinds,
        samples,
        rss,
        done,
        backlog,
        think: Duration::from_millis(opts.think_ms),
        max_requests: opts.max_requests,
        duration: Duration::from_secs(opts.duration),
        budget_hit: shared.limits.issued.load(Ordering::Relaxed) >= opts.max_requests,
        base: server.base.clone(),
        pid: server.pid,
        log: server.log.clone(),
    })
}

fn first_sample(rec: &Recorder) -> String {
    rec.samples.lock().ok().and_then(|s| s.first().cloned()).unwrap_or_else(|| "no answer".into())
}

fn totals(rec: &Recorder) -> (u64, u64) {
    rec.kinds
        .lock()
        .map(|k| k.values().fold((0, 0), |(n, e), s| (n + s.micros.len() as u64, e + s.errors)))
        .unwrap_or((0, 0))
}

// ---------------------------------------------------------------------------------------------
// The figures.

struct Report {
    users: usize,
    mix: BTreeMap<&'static str, usize>,
    elapsed: Duration,
    kinds: BTreeMap<&'static str, KindStats>,
    samples: Vec<String>,
    /// (seconds since the start, KiB)
    rss: Vec<(f64, u64)>,
    done: BTreeMap<&'static str, u64>,
    backlog: usize,
    think: Duration,
    max_requests: u64,
    duration: Duration,
    budget_hit: bool,
    base: String,
    pid: u32,
    log: PathBuf,
}

/// The `q` quantile of sorted values (nearest rank).
fn quantile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

fn mean_mib(samples: &[(f64, u64)]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.iter().map(|s| s.1 as f64).sum::<f64>() / samples.len() as f64 / 1024.0
}

impl Report {
    /// Prints the table, writes the JSON, and says whether the run passed.
    fn print(&self, log: &LogCounts, data: &Path, json_out: Option<&Path>) -> anyhow::Result<bool> {
        let secs = self.elapsed.as_secs_f64();
        let mut all: Vec<u32> = Vec::new();
        let mut rows = Vec::new();
        let mut errors = 0u64;
        println!();
        println!(
            "{:<46} {:>8} {:>6} {:>9} {:>9} {:>9} {:>9}",
            "request kind", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"
        );
        for (kind, stats) in &self.kinds {
            let mut v = stats.micros.clone();
            v.sort_unstable();
            all.extend_from_slice(&v);
            errors += stats.errors;
            let (p50, p95, p99, max) = (quantile(&v, 0.5), quantile(&v, 0.95), quantile(&v, 0.99), quantile(&v, 1.0));
            println!("{kind:<46} {:>8} {:>6} {p50:>9.1} {p95:>9.1} {p99:>9.1} {max:>9.1}", v.len(), stats.errors);
            rows.push(json!({"kind": kind, "count": v.len(), "errors": stats.errors,
                "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "max_ms": max}));
        }
        all.sort_unstable();
        let total = all.len();
        let (p50, p95, p99, max) =
            (quantile(&all, 0.5), quantile(&all, 0.95), quantile(&all, 0.99), quantile(&all, 1.0));
        println!("{:<46} {:>8} {:>6} {p50:>9.1} {p95:>9.1} {p99:>9.1} {max:>9.1}", "ALL", total, errors);
        println!();
        println!(
            "{} users for {:.1} s (limit {} s, {} requests{}), think time 0–{} ms: {total} requests, {:.0} requests/s, {errors} errors",
            self.users,
            secs,
            self.duration.as_secs(),
            self.max_requests,
            if self.budget_hit { ", reached" } else { "" },
            2 * self.think.as_millis(),
            total as f64 / secs.max(0.001)
        );
        println!(
            "work done: {}; still queued at the end: {}",
            self.done.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", "),
            self.backlog
        );

        // Memory: the middle and last thirds of the run.
        let end = secs;
        let third =
            |from: f64, to: f64| self.rss.iter().filter(|s| s.0 >= from && s.0 < to).copied().collect::<Vec<_>>();
        let first = third(0.0, end / 3.0);
        let middle = third(end / 3.0, 2.0 * end / 3.0);
        let last = third(2.0 * end / 3.0, end + 1.0);
        let start_mib = self.rss.first().map_or(0.0, |s| s.1 as f64 / 1024.0);
        let end_mib = self.rss.last().map_or(0.0, |s| s.1 as f64 / 1024.0);
        let peak_mib = self.rss.iter().map(|s| s.1).max().unwrap_or(0) as f64 / 1024.0;
        let (m_first, m_middle, m_last) = (mean_mib(&first), mean_mib(&middle), mean_mib(&last));
        let growth = if m_middle > 0.0 { m_last / m_middle - 1.0 } else { 0.0 };
        let flat = m_middle > 0.0 && growth < FLAT_LIMIT;
        println!(
            "server RSS (pid {}, {} samples): at start {start_mib:.1} MiB; mean of first third {m_first:.1} MiB, middle third {m_middle:.1} MiB, last third {m_last:.1} MiB ({:+.1} % from middle to last; limit +{:.0} %); peak {peak_mib:.1} MiB; at end {end_mib:.1} MiB",
            self.pid,
            self.rss.len(),
            growth * 100.0,
            FLAT_LIMIT * 100.0
        );
        println!("server log ({}): {} ERROR and {} WARN lines", self.log.display(), log.errors, log.warnings);
        for l in &log.first {
            println!("  {l}");
        }
        if !self.samples.is_empty() {
            println!("first errors:");
            for sample in &self.samples {
                println!("  {sample}");
            }
        }
        let passed = errors == 0 && flat && total > 0;
        println!(
            "verdict: {} (errors: {errors}; memory {})",
            if passed { "PASS" } else { "FAIL" },
            if flat { "flat" } else { "NOT flat" }
        );
        if let Some(path) = json_out {
            let doc = json!({
                "server": self.base, "data": data.display().to_string(),
                "users": self.users, "mix": self.mix, "seconds": secs,
                "limits": {"duration_s": self.duration.as_secs(), "max_requests": self.max_requests, "budget_reached": self.budget_hit},
                "think_ms_max": 2 * self.think.as_millis() as u64,
                "requests": total, "errors": errors, "requests_per_s": total as f64 / secs.max(0.001),
                "latency_ms": {"p50": p50, "p95": p95, "p99": p99, "max": max},
                "kinds": rows,
                "work_done": self.done, "backlog": self.backlog,
                "rss_mib": {"start": start_mib, "first_third_mean": m_first, "middle_third_mean": m_middle,
                    "last_third_mean": m_last, "growth_middle_to_last": growth, "peak": peak_mib, "end": end_mib,
                    "samples": self.rss.iter().map(|s| json!([s.0, s.1])).collect::<Vec<_>>()},
                "memory_flat": flat,
                "server_log": {"errors": log.errors, "warnings": log.warnings, "first": log.first},
                "error_samples": self.samples,
                "passed": passed,
            });
            std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
                .with_context(|| format!("writing {}", path.display()))?;
            println!("figures written to {}", path.display());
        }
        Ok(passed)
    }
}
