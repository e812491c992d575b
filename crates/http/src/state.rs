//! What every handler can reach.

use std::path::PathBuf;
use std::sync::Arc;

use shiyu_storage::Store;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// How long a browser session lasts.
    pub session_hours: i64,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Where attachment files are stored, named by content hash.
    pub attachments_dir: PathBuf,
    /// Largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Login attempts allowed in a burst per client address.
    pub login_burst: u32,
    /// Seconds for one login attempt to be replenished.
    pub login_replenish_seconds: u64,
    /// Tile URL template for maps; `None` shows grids on a plain background (works offline).
    pub tile_url: Option<String>,
    /// The tiles' coordinate system: `wgs84` (OpenStreetMap-style) or `gcj02` (most Chinese tile
    /// servers); points are shifted for display only.
    pub tile_crs: String,
    /// Make the periodic reports when periods end (on by default; off in tests that time things).
    pub report_schedule: bool,
    /// Deliver the outbox to webhook subscriptions under this policy (on by default; `None`
    /// leaves deliveries queued, for tests that deliver by hand or not at all).
    pub webhooks: Option<shiyu_domain::webhook::Policy>,
    /// Pay points for reports that prove true from the outbox of case events (on by default; off
    /// in tests that run the feed by hand).
    pub points_feed: bool,
}

impl HttpConfig {
    /// Defaults for a deployment storing files under `data_dir`.
    pub fn new(data_dir: &std::path::Path) -> Self {
        Self {
            session_hours: 12,
            secure_cookies: false,
            attachments_dir: data_dir.join("attachments"),
            max_upload_bytes: 10 * 1024 * 1024,
            login_burst: 10,
            login_replenish_seconds: 6,
            tile_url: None,
            tile_crs: "wgs84".to_owned(),
            report_schedule: true,
            webhooks: Some(shiyu_domain::webhook::Policy::default()),
            points_feed: true,
        }
    }
}

/// Shared state: the store, the settings and the grid index.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Settings.
    pub cfg: Arc<HttpConfig>,
    /// Where points are: the grid index.
    pub places: Arc<crate::places::Places>,
    /// The Chinese font documents are typeset with, found at start; `None` when the machine has
    /// none (PDFs are then refused with a message naming the packages to install).
    pub fonts: Option<shiyu_docs::Fonts>,
    /// The router learned from past cases (category and lead organisation proposals).
    pub routing: Arc<crate::routing::Routing>,
    /// The full-text index of cases and disputes, kept current by the binary; `None` when it
    /// could not be opened (search then answers 503).
    pub search: Option<Arc<shiyu_search::SearchIndex>>,
}

impl AppState {
    /// The Chinese font for PDFs, or a refusal that names the packages to install.
    pub fn pdf_fonts(&self, lang: crate::i18n::Lang) -> Result<&shiyu_docs::Fonts, crate::error::ApiError> {
        self.fonts.as_ref().ok_or_else(|| {
            crate::error::ApiError::Unavailable(
                lang.pick(
                    "服务器未安装中文字体，无法生成 PDF（请安装 fonts-noto-cjk 或 fonts-wqy-microhei），可使用网页、Word 或 Excel 版。",
                    "No Chinese font is installed, so no PDF (install fonts-noto-cjk or fonts-wqy-microhei); use the web page, Word or Excel version.",
                )
                .to_owned(),
            )
        })
    }
}
