//! `shiyu`: the city social-governance platform in one binary.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use shiyu_domain::area::AreaCode;

#[derive(Parser)]
#[command(
    name = "shiyu",
    version,
    about = "市域社会治理平台 — one platform where every request enters once and is followed until done"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a deployment.
    Serve {
        /// Database: a `postgres://` URL, or an SQLite file path (default: DATA/shiyu.db).
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder (secret key, attachments).
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
        /// Address to listen on.
        #[arg(long, env = "SHIYU_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// SMS gateway URL: reporter notices are POSTed there as JSON. Without it they wait in
        /// the outbox.
        #[arg(long, env = "SHIYU_SMS_WEBHOOK")]
        sms_webhook: Option<String>,
        /// Webhook subscriptions: attempts (with doubling back-off from 10 s, capped at an hour)
        /// before an event goes to the dead-letter list; 0 stops delivering (events stay queued).
        #[arg(long, env = "SHIYU_WEBHOOK_ATTEMPTS", default_value_t = 10)]
        webhook_attempts: u32,
        /// Map tile URL template (e.g. `https://tiles.example.org/{z}/{x}/{y}.png`, WGS-84 /
        /// Web Mercator tiles). Without it maps draw grids on a plain background, offline.
        #[arg(long, env = "SHIYU_TILE_URL")]
        tile_url: Option<String>,
        /// The tiles' coordinate system: wgs84, or gcj02 for most Chinese tile servers.
        #[arg(long, env = "SHIYU_TILE_CRS", default_value = "wgs84", value_parser = ["wgs84", "gcj02"])]
        tile_crs: String,
    },
    /// Build a realistic synthetic city in a fresh database and serve it.
    Demo {
        /// Data folder for the demo (emptied of any previous demo database).
        #[arg(long, default_value = "shiyu-demo")]
        data: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Number of cases to generate.
        #[arg(long, default_value_t = 20_000)]
        cases: u32,
        /// Build the city and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// Map tile URL template (e.g. `https://tiles.example.org/{z}/{x}/{y}.png`, WGS-84 /
        /// Web Mercator tiles). Without it maps draw grids on a plain background, offline.
        #[arg(long, env = "SHIYU_TILE_URL")]
        tile_url: Option<String>,
        /// The tiles' coordinate system: wgs84, or gcj02 for most Chinese tile servers.
        #[arg(long, env = "SHIYU_TILE_CRS", default_value = "wgs84", value_parser = ["wgs84", "gcj02"])]
        tile_crs: String,
    },
    /// Set up a new deployment: the city, the default category tree and the first administrator.
    Init {
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
        /// The city's 12-digit division code, e.g. 320100000000.
        #[arg(long)]
        city_code: String,
        /// The city's name.
        #[arg(long)]
        city_name: String,
        /// The administrator's login name.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// The administrator's password (at least 8 characters); read from this variable.
        #[arg(long, env = "SHIYU_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: String,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
    },
    /// Import areas and grids (GeoJSON) or base data (CSV/XLSX). The whole file is checked first;
    /// any problem is listed and nothing is written.
    Import {
        /// What the file holds.
        #[arg(value_enum)]
        kind: ImportKind,
        /// The file.
        file: PathBuf,
        /// Coordinate system of a GeoJSON file (wgs84, gcj02, bd09); default: as the file
        /// declares, else WGS-84. Base-data files name theirs per row (坐标系 column).
        #[arg(long)]
        crs: Option<String>,
        /// The account the import is made and audited as (an administrator or centre operator).
        #[arg(long = "as", default_value = "admin")]
        as_user: String,
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
    },
    /// Import cases, disputes or residents from another system (CSV/XLSX) as a mapping file
    /// (TOML) says. The same record imported again changes nothing; a record changed on both
    /// sides is reported as a conflict (exit code 1), never overwritten. All or nothing.
    ImportExternal {
        /// The mapping file: source system, kind, their columns, value translations, defaults.
        #[arg(long)]
        mapping: PathBuf,
        /// Their data file (CSV or XLSX).
        #[arg(long)]
        file: PathBuf,
        /// The account the records are registered as (a centre operator: it registers cases and
        /// disputes and imports base data in its area).
        #[arg(long = "as-user")]
        as_user: String,
        /// Check and report only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
    },
    /// Export base data of the account's area to CSV or XLSX (by the file's extension); audited.
    Export {
        /// What to export.
        #[arg(value_parser = ["residents", "houses", "entities", "cameras"])]
        table: String,
        /// The file to write (.csv or .xlsx).
        file: PathBuf,
        /// The account the export is made and audited as.
        #[arg(long = "as", default_value = "admin")]
        as_user: String,
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
    },
    /// Measure at scale: `shiyu bench city` (the write path and the ten-million-case city in one
    /// table), and single measurements (locate, import, routing).
    Bench {
        /// What to measure.
        #[command(subcommand)]
        what: BenchCmd,
    },
    /// Write a consistent copy of the database (while serving) and the secret key beside it.
    Backup {
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
        /// The backup file to write (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup back (stop the server first on SQLite).
    Restore {
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Connect an Open311 client: prints its api_key once (only a keyed hash is kept).
    Open311Client {
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
        /// The client's name (the app or system).
        #[arg(long)]
        name: String,
        /// The area its requests default to (default: the city).
        #[arg(long)]
        area: Option<String>,
    },
    /// Recompute every statistics counter from the case histories and report each difference
    /// from the stored counters; with --apply, replace the stored counters by the recomputed ones.
    RebuildCounters {
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
        /// Replace the stored counters when they differ (one transaction).
        #[arg(long)]
        apply: bool,
    },
    /// Verify every case and dispute history's hash chain and that each row equals its replay, and
    /// that the points ledger and shops add up.
    VerifyAudit {
        /// Database URL or SQLite path.
        #[arg(long, env = "SHIYU_DATABASE")]
        database: Option<String>,
        /// Data folder.
        #[arg(long, env = "SHIYU_DATA", default_value = "shiyu-data")]
        data: PathBuf,
    },
}

/// Kinds of import file.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ImportKind {
    /// Areas and grids, a GeoJSON FeatureCollection.
    Areas,
    /// Residents (CSV or XLSX).
    Residents,
    /// Houses (CSV or XLSX).
    Houses,
    /// Legal entities (CSV or XLSX).
    Entities,
    /// Cameras (CSV or XLSX).
    Cameras,
}

/// What `shiyu bench` measures.
#[derive(Subcommand)]
enum BenchCmd {
    /// Many signed-in users of every role working at once against the real server (a child
    /// process on 127.0.0.1), bounded in time and requests: latency per request kind, errors, and
    /// whether the server's memory stays flat (exit code 1 if not, or on any error).
    Load(shiyu::bench::load::Options),
    /// Side by side with Request Tracker (REST 2) on this machine: creations per second and search
    /// latency at equal data size, as ratios (scripts/peer-bench sets RT up).
    Peer(shiyu::bench::peer::Options),
    /// Intake, case lives, raw and empty-handler limits on a fresh database, then the board,
    /// report and lookups over the ten-million-case city: one table, and JSON with --json.
    City {
        /// PostgreSQL URL for the write path (default: SQLite in a temporary folder).
        #[arg(long)]
        database: Option<String>,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds each throughput measurement runs.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Lives in the scale city (built once, reused); 0 skips the city-scale part.
        #[arg(long, default_value_t = 10_000_000)]
        cases: u64,
        /// Grids for the point-to-grid lookups.
        #[arg(long, default_value_t = 60_000)]
        grids: usize,
        /// Write the results as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Point-to-grid lookups per second over generated grid polygons.
    Locate {
        /// Grids to generate.
        #[arg(long, default_value_t = 60_000)]
        n: usize,
    },
    /// Residents imported per second from a generated CSV file.
    Import {
        /// Residents to import.
        #[arg(long, default_value_t = 1_000_000)]
        n: usize,
        /// Database (default: a fresh SQLite file in a temporary folder).
        #[arg(long)]
        database: Option<String>,
    },
    /// Routing accuracy on held-out demo cases, and on --messages when given.
    Routing {
        /// Demo cases to build.
        #[arg(long, default_value_t = 20_000)]
        n: u32,
        /// A labelled CSV (`label`, `text`) to cross-validate the category model on.
        #[arg(long)]
        messages: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { database, data, listen, sms_webhook, webhook_attempts, tile_url, tile_crs } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            if let Some(hook) = sms_webhook {
                let sender = Box::new(shiyu::notify::WebhookSms::new(&hook));
                tokio::spawn(shiyu::notify::run(store.clone(), sender, std::time::Duration::from_secs(5)));
            }
            let webhooks = (webhook_attempts > 0).then(|| shiyu_domain::webhook::Policy {
                max_attempts: webhook_attempts,
                ..shiyu_domain::webhook::Policy::default()
            });
            serve_until_signal(store, data, &listen, (tile_url, tile_crs), webhooks).await
        }
        Command::Demo { data, listen, cases, no_serve, tile_url, tile_crs } => {
            let db = data.join("shiyu.db");
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", db.display()));
                if p.exists() {
                    std::fs::remove_file(&p).with_context(|| format!("removing old demo database {}", p.display()))?;
                }
            }
            let store = shiyu::app::open_store(&db.display().to_string(), &data).await?;
            let accounts = shiyu::demo::build(&store, cases, &mut std::io::stdout()).await?;
            let city = store.default_city().await?;
            let key =
                shiyu::demo::open311::connect(&store, &AreaCode::parse(&format!("{}00000000", city.as_str()))?).await?;
            println!();
            println!("演示账号 / demo accounts (password for all: {}):", shiyu::demo::DEMO_PASSWORD);
            for a in &accounts {
                println!("  {:<12} {:<10} {}", a.username, a.role_label, a.note);
            }
            println!("Open311 GeoReport v2: http://{listen}/open311/v2/discovery.json  api_key={key}");
            if no_serve {
                return Ok(());
            }
            serve_until_signal(store, data, &listen, (tile_url, tile_crs), Some(Default::default())).await
        }
        Command::Init { database, data, city_code, city_name, admin, admin_password } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let n = shiyu::seed::init(&store, &city_code, &city_name, &admin, &admin_password).await?;
            println!("city {city_code} {city_name} created with {n} categories; administrator: {admin}");
            Ok(())
        }
        Command::Migrate { database, data } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            shiyu::app::open_store(&url, &data).await?;
            println!("migrations applied: {url}");
            Ok(())
        }
        Command::Import { kind, file, crs, as_user, database, data } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let table = match kind {
                ImportKind::Areas => None,
                ImportKind::Residents => Some(shiyu_domain::base::columns::Table::Residents),
                ImportKind::Houses => Some(shiyu_domain::base::columns::Table::Houses),
                ImportKind::Entities => Some(shiyu_domain::base::columns::Table::Entities),
                ImportKind::Cameras => Some(shiyu_domain::base::columns::Table::Cameras),
            };
            if let Some(table) = table {
                let (user, _) =
                    store.user_for_login(&as_user).await.with_context(|| format!("no account {as_user}"))?;
                let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let places = shiyu_http::places::Places::load(&store).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let name = file.file_name().and_then(|n| n.to_str());
                return match shiyu_http::base_import::import_file(
                    &store,
                    &places,
                    &user.principal(),
                    table,
                    name,
                    &bytes,
                )
                .await
                {
                    Ok(c) => {
                        println!("imported: {} new, {} changed, {} unchanged", c.inserted, c.updated, c.unchanged);
                        Ok(())
                    }
                    Err(e) => {
                        eprintln!("{}", e.message(shiyu_http::i18n::Lang::Zh));
                        if let shiyu_http::error::ApiError::Rows(rows) = &e {
                            for r in rows {
                                eprintln!("  {}", shiyu_http::error::row_message(r, shiyu_http::i18n::Lang::Zh));
                            }
                        }
                        std::process::exit(1)
                    }
                };
            }
            match kind {
                ImportKind::Areas => {
                    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
                    let crs = crs
                        .map(|c| c.parse::<shiyu_geo::Crs>())
                        .transpose()
                        .map_err(|e| anyhow::anyhow!("--crs: {e}"))?;
                    let places = shiyu_http::places::Places::default();
                    match shiyu_http::area_import::import_geojson(&store, &places, &text, crs)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e:?}"))?
                    {
                        shiyu_http::area_import::AreaImportOutcome::Imported { counts, grids } => {
                            println!(
                                "imported: {} new, {} changed, {} unchanged; {grids} grids indexed",
                                counts.inserted, counts.updated, counts.unchanged
                            );
                            Ok(())
                        }
                        shiyu_http::area_import::AreaImportOutcome::Refused(problems) => {
                            eprintln!("{} problem(s); nothing was written:", problems.len());
                            for p in &problems {
                                eprintln!("  {} / {}", p.message_zh(), p.message_en());
                            }
                            std::process::exit(1)
                        }
                    }
                }
                _ => Ok(()),
            }
        }
        Command::ImportExternal { mapping, file, as_user, dry_run, database, data } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let (user, _) = store.user_for_login(&as_user).await.with_context(|| format!("no account {as_user}"))?;
            let text = std::fs::read_to_string(&mapping).with_context(|| format!("reading {}", mapping.display()))?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file.file_name().and_then(|n| n.to_str());
            let lang = shiyu_http::i18n::Lang::Zh;
            match shiyu_http::external_import::import_external(&store, &user.principal(), &text, name, &bytes, dry_run)
                .await
            {
                Ok(report) => {
                    print!("{}", shiyu_http::external_import::report_text(&report, lang));
                    if report.conflicts.is_empty() { Ok(()) } else { std::process::exit(1) }
                }
                Err(e) => {
                    eprintln!("{}", e.message(lang));
                    match &e {
                        shiyu_http::error::ApiError::Rows(rows) => {
                            for r in rows {
                                eprintln!("  {}", shiyu_http::error::row_message(r, lang));
                            }
                        }
                        shiyu_http::error::ApiError::Mapping(problems) => {
                            for p in problems {
                                eprintln!("  {}", shiyu_http::external_import::mapping_message(p, lang));
                            }
                        }
                        _ => {}
                    }
                    std::process::exit(2)
                }
            }
        }
        Command::Export { table, file, as_user, database, data } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let (user, _) = store.user_for_login(&as_user).await.with_context(|| format!("no account {as_user}"))?;
            let table = shiyu_domain::base::columns::Table::parse(&table).map_err(|e| anyhow::anyhow!("{e}"))?;
            let name = file.display().to_string();
            let format = shiyu_tabular::Format::from_name(&name).context("the file must end in .csv or .xlsx")?;
            let out = shiyu_http::base_import::export_file(&store, &user.principal(), table, format)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message(shiyu_http::i18n::Lang::Zh)))?;
            std::fs::write(&file, &out.bytes).with_context(|| format!("writing {}", file.display()))?;
            println!("wrote {} ({} bytes)", file.display(), out.bytes.len());
            Ok(())
        }
        Command::Bench { what } => match what {
            BenchCmd::City { database, concurrency, seconds, cases, grids, json } => {
                shiyu::bench::city::run(shiyu::bench::city::Options {
                    database,
                    concurrency,
                    seconds,
                    cases,
                    grids,
                    json,
                })
                .await
            }
            BenchCmd::Locate { n } => shiyu::bench::locate(n),
            BenchCmd::Import { n, database } => shiyu::bench::import(n, database).await,
            BenchCmd::Routing { n, messages } => shiyu::bench::routing(n, messages).await,
            BenchCmd::Peer(opts) => shiyu::bench::peer::run(opts).await,
            BenchCmd::Load(opts) => {
                if !shiyu::bench::load::run(opts).await? {
                    std::process::exit(1)
                }
                Ok(())
            }
        },
        Command::Backup { database, data, out } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let bytes = shiyu::backup::backup(&store, &url, &data, &out).await?;
            println!("backup written: {} ({bytes} bytes), key beside it", out.display());
            Ok(())
        }
        Command::Restore { database, data, from } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            shiyu::backup::restore(&url, &data, &from).await?;
            println!("restored {} into {url}; run `shiyu verify-audit` to check it", from.display());
            Ok(())
        }
        Command::Open311Client { database, data, name, area } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let area = match area {
                Some(a) => AreaCode::parse(&a)?,
                None => AreaCode::parse(&format!("{}00000000", store.default_city().await?.as_str()))?,
            };
            let (client, key) = store.create_open311_client(&name, &area, chrono::Utc::now()).await?;
            println!("Open311 client {} ({}) at {area}: api_key={key}", client.name, client.id);
            Ok(())
        }
        Command::RebuildCounters { database, data, apply } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let started = std::time::Instant::now();
            let r = store.rebuild_counters(apply).await?;
            println!(
                "cases replayed: {}, events: {}, counter cells: {}, differences: {}, case count differences: {}{} ({:.1} s)",
                r.cases,
                r.events,
                r.rows,
                r.different,
                r.count_differences.len(),
                if r.applied { ", counters replaced" } else { "" },
                started.elapsed().as_secs_f64()
            );
            for d in &r.differences {
                println!(
                    "  {} [{}] {}: stored {}, history says {}",
                    d.key.table,
                    d.key.key.join(" "),
                    d.metric,
                    d.stored,
                    d.expected
                );
            }
            for d in &r.count_differences {
                println!(
                    "  case_counts [{} {} supervised={}]: stored {}, rows say {}",
                    d.key.area_code, d.key.state, d.key.supervised, d.stored, d.expected
                );
            }
            if (r.different == 0 && r.count_differences.is_empty()) || apply { Ok(()) } else { std::process::exit(1) }
        }
        Command::VerifyAudit { database, data } => {
            let url = database.unwrap_or_else(|| shiyu::app::default_database_url(&data));
            let store = shiyu::app::open_store(&url, &data).await?;
            let report = store.verify_histories().await?;
            println!(
                "cases checked: {}, events checked: {}, disputes checked: {}, dispute events checked: {}, \
                 proposals checked: {}, proposal events checked: {}, problems: {}",
                report.cases,
                report.events,
                report.disputes,
                report.dispute_events,
                report.proposals,
                report.proposal_events,
                report.findings.len()
            );
            for f in &report.findings {
                println!("  {} seq {}: {}", f.number, f.seq, f.problem);
            }
            // The points ledger and shops: every entry balanced, no overdrawn account, balances
            // and stock equal to what their postings and redemptions say.
            let books = store.points_check().await?;
            println!(
                "point entries checked: {}, ledger sum: {}, problems: {}",
                books.entries,
                books.total,
                books.problems.len()
            );
            for p in &books.problems {
                println!("  {p}");
            }
            if report.findings.is_empty() && books.problems.is_empty() { Ok(()) } else { std::process::exit(1) }
        }
    }
}

async fn serve_until_signal(
    store: shiyu_storage::Store,
    data: PathBuf,
    listen: &str,
    (tile_url, tile_crs): (Option<String>, String),
    webhooks: Option<shiyu_domain::webhook::Policy>,
) -> anyhow::Result<()> {
    let running = shiyu::app::start(store.clone(), data, listen, |c| {
        c.tile_url = tile_url;
        c.tile_crs = tile_crs;
        c.webhooks = webhooks;
    })
    .await?;
    println!("shiyu serving at http://{}/ (healthz: http://{}/healthz)", running.addr, running.addr);
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    let _ = running.shutdown.send(());
    let _ = tokio::time::timeout(shiyu_http::SHUTDOWN_GRACE, running.handle).await;
    store.close().await;
    Ok(())
}
