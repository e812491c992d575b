//! Names of the records a page shows by code or id (areas, organisations, categories), looked up
//! once per page and remembered for the rest of it, so a list of fifty cases in the same grid
//! asks for that grid's name once. A record that cannot be found shows its code rather than
//! failing the page.

use std::collections::HashMap;

use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_storage::Store;

use crate::i18n::Lang;

/// A per-page name cache.
pub struct Names<'a> {
    store: &'a Store,
    lang: Lang,
    areas: HashMap<String, String>,
    orgs: HashMap<String, String>,
    categories: Option<HashMap<String, (String, String)>>,
}

impl<'a> Names<'a> {
    /// A cache over a store, naming categories in `lang`.
    pub fn new(store: &'a Store, lang: Lang) -> Self {
        Self { store, lang, areas: HashMap::new(), orgs: HashMap::new(), categories: None }
    }

    /// Remembers names already known (e.g. from a subtree listing).
    pub fn know_areas<'b>(&mut self, areas: impl IntoIterator<Item = (&'b str, &'b str)>) {
        for (code, name) in areas {
            self.areas.insert(code.to_owned(), name.to_owned());
        }
    }

    /// An area's name, or its code.
    pub async fn area(&mut self, code: &str) -> String {
        if let Some(n) = self.areas.get(code) {
            return n.clone();
        }
        let name = match AreaCode::parse(code) {
            Ok(c) => self.store.area(&c).await.map(|a| a.name).unwrap_or_else(|_| code.to_owned()),
            Err(_) => code.to_owned(),
        };
        self.areas.insert(code.to_owned(), name.clone());
        name
    }

    /// An area's name with its ancestors from the district down, e.g. `东城区 东门街道 东门社区`.
    pub async fn area_path(&mut self, code: &AreaCode) -> String {
        let mut chain = vec![code.clone()];
        while let Some(p) = chain.last().and_then(AreaCode::parent) {
            if p.level() < AreaLevel::District {
                break;
            }
            chain.push(p);
        }
        let mut parts = Vec::with_capacity(chain.len());
        for c in chain.iter().rev() {
            parts.push(self.area(c.as_str()).await);
        }
        parts.join(" ")
    }

    /// An organisation's name, or its id.
    pub async fn org(&mut self, id: &str) -> String {
        if let Some(n) = self.orgs.get(id) {
            return n.clone();
        }
        let name = match shiyu_domain::ids::OrgId::parse(id) {
            Ok(o) => self.store.org(o).await.map(|o| o.name).unwrap_or_else(|_| id.to_owned()),
            Err(_) => id.to_owned(),
        };
        self.orgs.insert(id.to_owned(), name.clone());
        name
    }

    async fn category_names(&mut self) -> &HashMap<String, (String, String)> {
        if self.categories.is_none() {
            let all = self.store.categories().await.unwrap_or_default();
            self.categories =
                Some(all.into_iter().map(|c| (c.code.as_str().to_owned(), (c.name_zh, c.name_en))).collect());
        }
        self.categories.get_or_insert_with(HashMap::new)
    }

    /// A category's own name, or its code.
    pub async fn category(&mut self, code: &str) -> String {
        let lang = self.lang;
        match self.category_names().await.get(code) {
            Some((zh, en)) => pick_name(lang, zh, en).to_owned(),
            None => code.to_owned(),
        }
    }

    /// A category's name with its branch, e.g. `城乡建设 › 住房保障 › 房屋维修`.
    pub async fn category_path(&mut self, code: &str) -> String {
        let mut prefixes = Vec::new();
        let mut end = 0;
        for (i, ch) in code.char_indices() {
            if ch == '.' {
                prefixes.push(&code[..i]);
            }
            end = i + ch.len_utf8();
        }
        prefixes.push(&code[..end]);
        let mut parts = Vec::with_capacity(prefixes.len());
        for p in prefixes {
            parts.push(self.category(p).await);
        }
        parts.join(" › ")
    }
}

/// A record's name in the language, falling back to Chinese when there is no English name.
pub fn pick_name<'s>(lang: Lang, zh: &'s str, en: &'s str) -> &'s str {
    if lang == Lang::En && !en.trim().is_empty() { en } else { zh }
}
