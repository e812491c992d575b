//! Opening a deployment's data folder and serving it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use shiyu_http::{AppState, HttpConfig};
use shiyu_storage::Store;
use shiyu_storage::config::Rules;

/// The deployment secret (keys for personal-data encryption and lookup hashes), kept in
/// `secret.key` in the data folder and created on first start. Losing it makes stored phone
/// numbers unreadable, so it is never regenerated when present.
pub fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join("secret.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return hex_decode(text.trim()).context("secret.key is not hex");
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, hex).with_context(|| format!("writing {}", path.display()))?;
    Ok(key.to_vec())
}

fn hex_decode(s: &str) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(s.len().is_multiple_of(2) && !s.is_empty(), "odd length");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(Into::into)).collect()
}

/// The database URL for a data folder when none is given: an SQLite file inside it.
pub fn default_database_url(data_dir: &Path) -> String {
    data_dir.join("shiyu.db").display().to_string()
}

/// Opens (and migrates) the store.
pub async fn open_store(database_url: &str, data_dir: &Path) -> anyhow::Result<Store> {
    let secret = load_or_create_secret(data_dir)?;
    Store::open(database_url, Rules::default(), secret)
        .await
        .with_context(|| format!("opening database {database_url}"))
}

/// A running server.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The store it serves.
    pub store: Store,
    /// Stops it.
    pub shutdown: tokio::sync::oneshot::Sender<()>,
    /// Resolves when it has stopped.
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The routing model it trains at start.
    pub routing: std::sync::Arc<shiyu_http::routing::Routing>,
    /// The search index it brings up to the database at start.
    pub search: Option<std::sync::Arc<shiyu_search::SearchIndex>>,
}

impl Running {
    /// Whether the start-up work is done: the routing model trained and the search index built.
    pub fn ready(&self) -> bool {
        self.routing.current().at.is_some() && self.search.as_ref().is_none_or(|ix| ix.progress().built)
    }
}

/// Binds `listen` and serves `store` in the background.
pub async fn start(
    store: Store,
    data_dir: PathBuf,
    listen: &str,
    configure: impl FnOnce(&mut HttpConfig),
) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    let mut cfg = HttpConfig::new(&data_dir);
    configure(&mut cfg);
    let places = places(&store).await?;
    tracing::info!(grids = places.len(), "grid index built");
    let fonts = match shiyu_docs::Fonts::discover(&[]) {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::warn!("agreements will not be offered as PDF: {e}");
            None
        }
    };
    // The full-text index in DATA/search, brought up to the database in the background.
    let search = match crate::search::open(&data_dir) {
        Ok(ix) => Some(ix),
        Err(e) => {
            tracing::warn!("search is unavailable: {e:#}");
            None
        }
    };
    let state = AppState {
        store: store.clone(),
        cfg: std::sync::Arc::new(cfg),
        places: std::sync::Arc::new(places),
        fonts,
        routing: std::sync::Arc::default(),
        search: search.clone(),
    };
    let (routing, search_index) = (state.routing.clone(), search.clone());
    let indexer = search.map(|ix| {
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        (stop, tokio::spawn(crate::search::run(store.clone(), ix, rx)))
    });
    // Background work ends with the server (a bench or test may go on using the store).
    let mut background = vec![tokio::spawn(routing_schedule(state.clone()))];
    if state.cfg.report_schedule {
        background.push(tokio::spawn(report_schedule(state.clone())));
    }
    if let Some(policy) = state.cfg.webhooks.clone() {
        background.push(tokio::spawn(crate::webhooks::run(store.clone(), policy)));
    }
    // Points for reports that prove true, read from the outbox of case events.
    if state.cfg.points_feed {
        background.push(tokio::spawn(crate::points::run(store.clone())));
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let serving = shiyu_http::serve(listener, state, async move {
        let _ = rx.await;
    });
    // The indexer stops with the server, so the index folder is free when `handle` resolves.
    let handle = tokio::spawn(async move {
        let result = serving.await;
        for task in background {
            task.abort();
        }
        if let Some((stop, task)) = indexer {
            let _ = stop.send(());
            let _ = task.await;
        }
        result
    });
    Ok(Running { addr, store, shutdown: tx, handle, routing, search: search_index })
}

/// Learns routing from the cases at start and then every night (24 hours); an administrator can
/// also ask for it (`POST /api/admin/routing/retrain`).
async fn routing_schedule(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    loop {
        tick.tick().await;
        match state.routing.retrain(&state.store).await {
            Ok(r) => tracing::info!(examples = r.examples, "routing retrained"),
            Err(e) => tracing::warn!("routing training: {e}"),
        }
    }
}

/// Makes the reports of periods that have ended, at start and then every hour.
async fn report_schedule(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let today = shiyu_domain::time::local_date(chrono::Utc::now());
        match shiyu_http::reports::generate_due(&state, today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reports = n, "periodic reports made"),
            Err(e) => tracing::warn!("periodic reports: {e}"),
        }
    }
}

/// The grid and camera indexes, built from the store.
pub async fn places(store: &Store) -> anyhow::Result<shiyu_http::places::Places> {
    shiyu_http::places::Places::load(store).await.map_err(|e| anyhow::anyhow!("grid index: {e:?}"))
}
