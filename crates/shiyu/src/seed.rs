//! Reference data every deployment starts with: the default category tree.
//!
//! The tree lives in `seed/categories.tsv`, compiled into the program, so a fresh deployment can
//! classify cases before an administrator has configured anything; administrators rename, add and
//! retire categories afterwards.

use anyhow::Context as _;
use shiyu_domain::case::CategoryCode;
use shiyu_storage::Store;

/// The default category tree as shipped (`code<TAB>name_zh<TAB>name_en` lines).
const CATEGORIES_TSV: &str = include_str!("../seed/categories.tsv");

/// One category of the default tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedCategory {
    /// The dotted code, e.g. `urban_rural.municipal.sanitation`.
    pub code: CategoryCode,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
}

/// The default category tree, parents before children.
///
/// Fails (naming the line) if the shipped file is malformed: a bad code, a missing name, a
/// duplicate, or a child listed before its parent. Unit tests keep the shipped file valid.
pub fn default_categories() -> anyhow::Result<Vec<SeedCategory>> {
    let mut out: Vec<SeedCategory> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, raw) in CATEGORIES_TSV.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(code), Some(name_zh), Some(name_en), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            anyhow::bail!("categories.tsv line {line_no}: expected three tab-separated fields");
        };
        let code = CategoryCode::parse(code).with_context(|| format!("categories.tsv line {line_no}: bad code"))?;
        anyhow::ensure!(
            !name_zh.trim().is_empty() && !name_en.trim().is_empty(),
            "categories.tsv line {line_no}: missing name"
        );
        if let Some(parent) = code.parent() {
            anyhow::ensure!(seen.contains(&parent), "categories.tsv line {line_no}: parent {parent} not listed before");
        }
        anyhow::ensure!(seen.insert(code.clone()), "categories.tsv line {line_no}: duplicate code {code}");
        out.push(SeedCategory { code, name_zh: name_zh.trim(), name_en: name_en.trim() });
    }
    Ok(out)
}

/// Loads the default category tree into the store (adding missing categories, renaming existing
/// ones back to the shipped names) and returns how many were written.
///
/// Categories carry the city key, so the city area must exist first.
pub async fn categories(store: &Store) -> anyhow::Result<usize> {
    store.default_city().await.context("create the city area before loading categories")?;
    let tree = default_categories()?;
    for c in &tree {
        store
            .upsert_category(&c.code, c.name_zh, c.name_en)
            .await
            .with_context(|| format!("writing category {}", c.code))?;
    }
    Ok(tree.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tree_is_valid_and_shaped_like_the_taxonomy() {
        let tree = default_categories().expect("valid tree");
        let depth = |d: usize| tree.iter().filter(|c| c.code.depth() == d).count();
        // 15 taxonomy classes plus the grid-event branch.
        assert_eq!(depth(1), 16);
        assert!(depth(2) >= 103, "second level: {}", depth(2));
        assert!(depth(3) >= 300, "third level: {}", depth(3));
        assert!(tree.iter().all(|c| c.code.depth() <= 3));
        for needed in
            ["event.safety", "event.dispute", "event.sanitation", "event.street_vending", "event.illegal_building"]
        {
            assert!(tree.iter().any(|c| c.code.as_str() == needed), "{needed}");
        }
        assert!(tree.iter().any(|c| c.code.as_str() == "urban_rural.municipal.sanitation"));
    }

    #[test]
    fn left_out_leaves_stay_out() {
        let tree = default_categories().expect("valid tree");
        for name in ["集会游行示威", "邪教组织", "互联网信息监管"] {
            assert!(tree.iter().all(|c| c.name_zh != name), "{name}");
        }
    }
}

/// Sets up a new deployment: the city area, the default category tree, and an administrator
/// bound to the city. Refuses when the city already exists, so it cannot overwrite a running one.
pub async fn init(
    store: &Store,
    city_code: &str,
    city_name: &str,
    admin: &str,
    password: &str,
) -> anyhow::Result<usize> {
    use shiyu_domain::area::{AreaCode, AreaLevel};
    let code = AreaCode::parse(city_code).map_err(|e| anyhow::anyhow!("--city-code: {e}"))?;
    anyhow::ensure!(code.level() == AreaLevel::City, "--city-code must be a city code such as 320100000000");
    anyhow::ensure!(
        store.default_city().await.is_err(),
        "this database already has a city; init is for new deployments"
    );
    let hash = shiyu_http::auth::password::hash(password)
        .map_err(|_| anyhow::anyhow!("the password must have at least 8 characters"))?;
    let now = chrono::Utc::now();
    store.create_area(&code, city_name, None, now).await?;
    let n = categories(store).await?;
    store
        .create_user(
            admin,
            "系统管理员",
            shiyu_domain::role::Role::Admin,
            shiyu_domain::scope::Binding::Area { area: code },
            &hash,
            now,
        )
        .await?;
    Ok(n)
}

#[cfg(test)]
mod init_tests {
    #[tokio::test]
    async fn init_creates_city_categories_and_admin_once() {
        let dir = tempfile::tempdir().expect("dir");
        let store = shiyu_storage::Store::open(
            &dir.path().join("s.db").display().to_string(),
            shiyu_storage::config::Rules::default(),
            vec![7; 32],
        )
        .await
        .expect("store");
        assert!(super::init(&store, "320100000000", "某市", "admin", "short").await.is_err(), "short password");
        assert!(super::init(&store, "320102000000", "某区", "admin", "long-enough").await.is_err(), "not a city");
        let n = super::init(&store, "320100000000", "某市", "admin", "long-enough").await.expect("init");
        assert!(n > 100);
        let (user, hash) = store.user_for_login("admin").await.expect("admin");
        assert_eq!(user.role, shiyu_domain::role::Role::Admin);
        assert!(shiyu_http::auth::password::verify("long-enough", &hash));
        assert!(super::init(&store, "320100000000", "某市", "admin2", "long-enough").await.is_err(), "only once");
    }
}
