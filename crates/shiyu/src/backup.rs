//! `shiyu backup` and `shiyu restore`: a consistent copy of the whole database taken while the
//! server runs, and putting one back. SQLite copies itself with `VACUUM INTO` (one snapshot,
//! compacted); PostgreSQL is dumped and restored with its own `pg_dump` / `pg_restore` (custom
//! format). The data folder's secret key is copied beside the file: without it the sealed
//! identity and phone numbers cannot be read.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use shiyu_storage::{Backend, Store};

/// Where the key goes beside a backup file.
fn key_beside(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".key");
    out.with_file_name(name)
}

/// Writes a backup of `store` (at `url`) to `out`, and the data folder's key beside it.
pub async fn backup(store: &Store, url: &str, data: &Path, out: &Path) -> anyhow::Result<u64> {
    if out.exists() {
        bail!("{} exists: a backup never overwrites a file", out.display());
    }
    match store.backend() {
        Backend::Sqlite => {
            let target = out.to_str().context("the backup path must be text")?;
            store.sqlite_copy_into(target).await.context("VACUUM INTO")?;
        }
        Backend::Postgres => {
            let status = tokio::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(out)
                .arg(url)
                .status()
                .await
                .context("running pg_dump (Debian: postgresql-client)")?;
            if !status.success() {
                bail!("pg_dump failed: {status}");
            }
        }
    }
    let key = data.join("secret.key");
    if key.exists() {
        std::fs::copy(&key, key_beside(out)).context("copying the secret key")?;
    }
    Ok(std::fs::metadata(out)?.len())
}

/// Puts a backup back: the SQLite file at `url` is replaced (the server must be stopped), or the
/// PostgreSQL database's objects are dropped and restored. The key beside the backup, if any,
/// goes back into the data folder.
pub async fn restore(url: &str, data: &Path, from: &Path) -> anyhow::Result<()> {
    if !from.exists() {
        bail!("{} does not exist", from.display());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let status = tokio::process::Command::new("pg_restore")
            .args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname", url])
            .arg(from)
            .status()
            .await
            .context("running pg_restore (Debian: postgresql-client)")?;
        if !status.success() {
            bail!("pg_restore failed: {status}");
        }
    } else {
        let db = PathBuf::from(url.trim_start_matches("sqlite://").split('?').next().unwrap_or(url));
        // Write beside, then rename over: a crash leaves the old file or the new, never half.
        let tmp = db.with_extension("restoring");
        std::fs::copy(from, &tmp).context("copying the backup")?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", db.display()));
            if side.exists() {
                std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
            }
        }
        std::fs::rename(&tmp, &db).context("putting the backup in place")?;
    }
    let key = key_beside(from);
    if key.exists() {
        std::fs::create_dir_all(data)?;
        std::fs::copy(&key, data.join("secret.key")).context("restoring the secret key")?;
    }
    Ok(())
}
