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
