//! The synthetic demo city (being written).

use shiyu_storage::Store;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "shiyu-demo-2026";

/// A printed demo account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Login.
    pub username: String,
    /// Role title.
    pub role_label: String,
    /// Where it is attached.
    pub note: String,
}

/// Builds the demo city into an empty store.
pub async fn build(_store: &Store, _cases: u32, _out: &mut dyn std::io::Write) -> anyhow::Result<Vec<DemoAccount>> {
    Ok(Vec::new())
}
