//! Questions: words and filters, always inside what the caller may see ([`Visible`]), answered
//! with BM25 scores (or newest first when no words are given) and snippets in which the words
//! found are marked (`<mark>`, the rest HTML-escaped).
//!
//! A word of the question matches a record when the record contains it whole, or contains every
//! dictionary part jieba cut from it ([`crate::tokenizer::words`]), in its title, text or result,
//! or (scoring little) contains all of its character pairs where the dictionary cut the record's
//! sentence otherwise; every word must match. Filters and visibility are exact terms and do not
//! change the score. Snippets mark every place a word or part of the question occurs in the
//! text, however the sentence was cut.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::dispute::{DisputeAct, access::dispute_root};
use shiyu_domain::scope::{Principal, Scope};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::doc::{DocKind, category_lineage};
use crate::index::SearchIndex;
use crate::schema::Fields;
use crate::tokenizer::{Word, grams, words};
use crate::{Result, SearchError};

/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start.
pub const MAX_OFFSET: usize = 10_000;

/// What the caller may see: cases by their data scope, disputes under an area (the dispute access
/// rule for reading), or none of either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible {
    /// Cases in this scope; `None`: no cases.
    pub cases: Option<Scope>,
    /// Disputes located in this subtree; `None`: no disputes.
    pub disputes: Option<AreaCode>,
}

impl Visible {
    /// What a signed-in principal may see: the cases of their scope and the disputes they may read.
    pub fn of(p: &Principal) -> Self {
        Self { cases: Some(p.scope()), disputes: dispute_root(p, DisputeAct::Read) }
    }
}

/// A question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// The words (Chinese text, a case number, or empty for every record matching the filters).
    pub text: String,
    /// Only this kind; `None`: both.
    pub kind: Option<DocKind>,
    /// Only records located in this area's subtree.
    pub area: Option<AreaCode>,
    /// Registered at or after.
    pub from: Option<DateTime<Utc>>,
    /// Registered before.
    pub to: Option<DateTime<Utc>>,
    /// Only these states (wire names); empty: any.
    pub states: Vec<String>,
    /// Only this category or one below it (cases), or this dispute type.
    pub category: Option<String>,
    /// Only records of this organisation (ever dispatched to it; a dispute's mediating one).
    pub org: Option<String>,
    /// Page size (1 to [`MAX_LIMIT`]).
    pub limit: usize,
    /// Hits to skip (at most [`MAX_OFFSET`]).
    pub offset: usize,
}

/// One record found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Case or dispute.
    pub kind: DocKind,
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title, plain.
    pub title: String,
    /// Title as HTML with the words found in `<mark>`.
    pub title_html: String,
    /// A passage of the text (or result) as HTML with the words found in `<mark>`.
    pub snippet_html: String,
    /// State's wire name.
    pub state: String,
    /// Leaf area code.
    pub area_code: String,
    /// Category code or dispute type.
    pub category: String,
    /// Registered at.
    pub created_at: DateTime<Utc>,
    /// Relevance (0 when listing without words).
    pub score: f32,
}

/// A page of hits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Records matching, in all pages.
    pub total: usize,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// The index holds every record (false while it is being rebuilt: hits may be missing).
    pub complete: bool,
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn any_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Should, q)).collect()))
}

fn all_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Must, q)).collect()))
}

/// The word part of a question: `None` when no words are given; an empty query when only
/// particles are.
pub(crate) fn text_query(f: &Fields, text: &str, ws: &[Word]) -> Option<Box<dyn Query>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let in_fields = |w: &str| -> Box<dyn Query> {
        any_of(vec![Box::new(BoostQuery::new(term(f.title, w), 2.0)), term(f.body, w), term(f.result, w)])
    };
    let mut per_word: Vec<Box<dyn Query>> = Vec::new();
    for w in ws {
        let mut ways = vec![in_fields(&w.text)];
        if !w.parts.is_empty() {
            ways.push(all_of(w.parts.iter().map(|p| in_fields(p)).collect()));
        }
        let pairs = grams(&w.text);
        if w.text.chars().count() >= 2 && !pairs.is_empty() {
            let all_pairs = all_of(pairs.iter().map(|g| term(f.grams, g)).collect());
            ways.push(Box::new(ConstScoreQuery::new(all_pairs, 0.1)));
        }
        per_word.push(any_of(ways));
    }
    let words_query: Box<dyn Query> = if per_word.is_empty() { Box::new(EmptyQuery) } else { all_of(per_word) };
    // A number is looked up as such too.
    if text.chars().any(|c| c.is_ascii_digit()) && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Some(any_of(vec![Box::new(BoostQuery::new(term(f.number, text), 10.0)), words_query]));
    }
    Some(words_query)
}

/// What the caller may see, as a query.
pub(crate) fn visibility_query(f: &Fields, v: &Visible) -> Box<dyn Query> {
    let mut either: Vec<Box<dyn Query>> = Vec::new();
    if let Some(scope) = &v.cases {
        let within = match scope {
            Scope::Subtree(root) => term(f.area, root.as_str()),
            Scope::Organisation(org) => term(f.org, &org.to_string()),
            Scope::Own(user) => term(f.reporter, &user.to_string()),
            Scope::Case(id) => term(f.id, &id.to_string()),
        };
        either.push(all_of(vec![term(f.kind, DocKind::Case.as_str()), within]));
    }
    if let Some(root) = &v.disputes {
        either.push(all_of(vec![term(f.kind, DocKind::Dispute.as_str()), term(f.area, root.as_str())]));
    }
    if either.is_empty() { Box::new(EmptyQuery) } else { any_of(either) }
}

/// The filters of a request, as queries.
pub(crate) fn filter_queries(f: &Fields, r: &SearchRequest) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if let Some(k) = r.kind {
        out.push(term(f.kind, k.as_str()));
    }
    if let Some(a) = &r.area {
        out.push(term(f.area, a.as_str()));
    }
    if r.from.is_some() || r.to.is_some() {
        let lower =
            r.from.map_or(Bound::Unbounded, |t| Bound::Included(Term::from_field_i64(f.created, t.timestamp_millis())));
        let upper =
            r.to.map_or(Bound::Unbounded, |t| Bound::Excluded(Term::from_field_i64(f.created, t.timestamp_millis())));
        out.push(Box::new(RangeQuery::new(lower, upper)));
    }
    if !r.states.is_empty() {
        out.push(any_of(r.states.iter().map(|s| term(f.state, s)).collect()));
    }
    if let Some(c) = r.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        // The category's own code, whatever its depth: a term of its lineage.
        let code = category_lineage(c).last().unwrap_or(c);
        out.push(term(f.category, code));
    }
    if let Some(o) = r.org.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        out.push(term(f.org, o));
    }
    out
}

fn stored_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The first `n` characters, escaped, with an ellipsis when cut.
fn opening(text: &str, n: usize) -> String {
    let mut s: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        s.push('…');
    }
    escape(&s)
}

/// Marks every occurrence of the needles in `text` and cuts a passage of about `width`
/// characters around the densest run of marks; `None` when nothing occurs.
pub fn highlight(text: &str, needles: &[String], width: usize) -> Option<String> {
    let lower = text.to_lowercase();
    // Lower-casing keeps byte offsets only when it keeps lengths (Latin letters); otherwise match as is.
    let hay = if lower.len() == text.len() { lower.as_str() } else { text };
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for n in needles.iter().filter(|n| !n.is_empty()) {
        ranges.extend(hay.match_indices(n.as_str()).map(|(i, m)| (i, i + m.len())));
    }
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    // The window start (in characters) holding the most marks, starting a few characters early.
    let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let char_at = |byte: usize| starts.partition_point(|b| *b < byte);
    let total = starts.len();
    let mut best = (0usize, 0usize);
    for (i, (a, _)) in merged.iter().enumerate() {
        let from = char_at(*a);
        let n = merged[i..].iter().take_while(|(x, _)| char_at(*x) < from + width).count();
        if n > best.1 {
            best = (from, n);
        }
    }
    let from_char = best.0.saturating_sub(8).min(total.saturating_sub(width));
    let to_char = (from_char + width).min(total);
    let from = starts.get(from_char).copied().unwrap_or(0);
    let to = starts.get(to_char).copied().unwrap_or(text.len());
    let mut out = String::new();
    if from_char > 0 {
        out.push('…');
    }
    let mut at = from;
    for (a, b) in merged {
        if b <= from || a >= to {
            continue;
        }
        let (a, b) = (a.max(from), b.min(to));
        out.push_str(&escape(&text[at..a]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[a..b]));
        out.push_str("</mark>");
        at = b;
    }
    out.push_str(&escape(&text[at..to]));
    if to_char < total {
        out.push('…');
    }
    Some(out)
}

impl SearchIndex {
    /// Answers a question inside `visible`.
    pub fn search(&self, r: &SearchRequest, visible: &Visible) -> Result<SearchResults> {
        if r.limit == 0 || r.limit > MAX_LIMIT {
            return Err(SearchError::Invalid("limit"));
        }
        if r.offset > MAX_OFFSET {
            return Err(SearchError::Invalid("offset"));
        }
        let f = &self.f;
        let ws = words(&r.text);
        let text = text_query(f, &r.text, &ws);
        let mut filters = filter_queries(f, r);
        filters.push(visibility_query(f, visible));
        let filter: Box<dyn Query> = Box::new(ConstScoreQuery::new(all_of(filters), 0.0));
        let searcher = self.reader.searcher();
        let (total, found): (usize, Vec<(f32, DocAddress)>) = match &text {
            Some(t) => {
                let q = BooleanQuery::new(vec![(Occur::Must, t.box_clone()), (Occur::Must, filter)]);
                searcher.search(&q, &(Count, TopDocs::with_limit(r.limit).and_offset(r.offset).order_by_score()))?
            }
            None => {
                let q =
                    BooleanQuery::new(vec![(Occur::Must, Box::new(AllQuery) as Box<dyn Query>), (Occur::Must, filter)]);
                let (n, top) = searcher.search(
                    &q,
                    &(
                        Count,
                        TopDocs::with_limit(r.limit)
                            .and_offset(r.offset)
                            .order_by_fast_field::<i64>("created", Order::Desc),
                    ),
                )?;
                (n, top.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        };
        let mut needles: Vec<String> =
            ws.iter().flat_map(|w| std::iter::once(w.text.clone()).chain(w.parts.clone())).collect();
        let number = r.text.trim().to_owned();
        needles.push(number);
        let mut hits = Vec::with_capacity(found.len());
        for (score, addr) in found {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let title = stored_text(&doc, f.title);
            let body = stored_text(&doc, f.body);
            let result = stored_text(&doc, f.result);
            let title_html = highlight(&title, &needles, 200).unwrap_or_else(|| escape(&title));
            let snippet_html = highlight(&body, &needles, 80)
                .or_else(|| highlight(&result, &needles, 80))
                .unwrap_or_else(|| opening(&body, 80));
            let created = doc.get_first(f.created).and_then(|v| v.as_i64()).unwrap_or_default();
            hits.push(SearchHit {
                kind: DocKind::parse(&stored_text(&doc, f.kind)).unwrap_or(DocKind::Case),
                id: stored_text(&doc, f.id),
                number: stored_text(&doc, f.number),
                title,
                title_html,
                snippet_html,
                state: stored_text(&doc, f.state),
                area_code: stored_text(&doc, f.area_code),
                category: stored_text(&doc, f.category_code),
                created_at: DateTime::<Utc>::from_timestamp_millis(created).unwrap_or_default(),
                score,
            });
        }
        Ok(SearchResults { total, hits, complete: self.is_ready() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::SearchDoc;
    use crate::index::{Progress, WriterOptions};
    use shiyu_domain::ids::{OrgId, UserId};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect(s)
    }

    fn doc(id: &str, area: &str, title: &str, body: &str, orgs: &[&str], reporter: Option<&str>) -> SearchDoc {
        SearchDoc {
            kind: DocKind::Case,
            id: id.into(),
            number: format!("2026-0101-{id:0>6}"),
            title: title.into(),
            body: body.into(),
            result: String::new(),
            area: code(area),
            handling_area: None,
            state: "accepted".into(),
            category: "urban.municipal.lights".into(),
            orgs: orgs.iter().map(|o| (*o).to_owned()).collect(),
            reporter: reporter.map(str::to_owned),
            created_at: DateTime::<Utc>::from_timestamp_millis(1_700_000_000_000).unwrap_or_default(),
            updated_at: DateTime::<Utc>::from_timestamp_millis(1_700_000_000_000).unwrap_or_default(),
        }
    }

    fn index(docs: &[SearchDoc]) -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("dir");
        let ix = SearchIndex::open(dir.path(), WriterOptions::default()).expect("open");
        ix.add_new(docs).expect("add");
        ix.commit(&Progress { schema: crate::schema::SCHEMA_VERSION, built: true, ..Progress::default() })
            .expect("commit");
        (dir, ix)
    }

    fn ask(ix: &SearchIndex, text: &str, v: &Visible) -> Vec<String> {
        let r = SearchRequest { text: text.into(), limit: 10, ..SearchRequest::default() };
        ix.search(&r, v).expect("search").hits.into_iter().map(|h| h.id).collect()
    }

    fn city() -> Visible {
        Visible { cases: Some(Scope::Subtree(code("320100000000"))), disputes: None }
    }

    #[test]
    fn a_word_inside_a_sentence_is_found_and_marked() {
        let (_d, ix) = index(&[
            doc("1", "320102001001", "路灯不亮", "小区门口的路灯已经坏了三天", &[], None),
            doc("2", "320102001001", "噪音扰民", "楼下饭店油烟很大", &[], None),
        ]);
        assert_eq!(ask(&ix, "路灯", &city()), vec!["1"]);
        assert_eq!(ask(&ix, "门口路灯坏了", &city()), vec!["1"], "every word must match, particles ignored");
        let r = ix
            .search(&SearchRequest { text: "路灯".into(), limit: 10, ..SearchRequest::default() }, &city())
            .expect("search");
        assert!(r.hits[0].snippet_html.contains("<mark>路灯</mark>"), "{}", r.hits[0].snippet_html);
        assert!(r.hits[0].title_html.contains("<mark>路灯</mark>"), "{}", r.hits[0].title_html);
    }

    #[test]
    fn a_long_word_is_found_by_its_parts_and_the_parts_by_the_word() {
        let (_d, ix) = index(&[
            doc("1", "320102001001", "标题", "他考上了北京大学", &[], None),
            doc("2", "320102001001", "标题", "北京的几所大学门口拥堵", &[], None),
        ]);
        let mut both = ask(&ix, "北京大学", &city());
        both.sort();
        assert_eq!(both, vec!["1", "2"], "the whole word or all its parts");
        let mut parts = ask(&ix, "大学", &city());
        parts.sort();
        assert_eq!(parts, vec!["1", "2"]);
    }

    #[test]
    fn scope_limits_what_is_found() {
        let org = OrgId::new();
        let user = UserId::new();
        let (_d, ix) = index(&[
            doc("1", "320102001001", "路灯", "路灯坏了", &[&org.to_string()], None),
            doc("2", "320102002001", "路灯", "路灯坏了", &[], Some(&user.to_string())),
        ]);
        let street1 = Visible { cases: Some(Scope::Subtree(code("320102001000"))), disputes: None };
        assert_eq!(ask(&ix, "路灯", &street1), vec!["1"]);
        let dept = Visible { cases: Some(Scope::Organisation(org)), disputes: None };
        assert_eq!(ask(&ix, "路灯", &dept), vec!["1"]);
        let own = Visible { cases: Some(Scope::Own(user)), disputes: None };
        assert_eq!(ask(&ix, "路灯", &own), vec!["2"]);
        let nothing = Visible { cases: None, disputes: Some(code("320100000000")) };
        assert!(ask(&ix, "路灯", &nothing).is_empty(), "cases are not disputes");
    }

    #[test]
    fn filters_narrow_and_empty_text_lists_newest_first() {
        let mut a = doc("1", "320102001001", "路灯", "路灯坏了", &[], None);
        a.state = "closed".into();
        let mut b = doc("2", "320102002001", "路灯", "路灯坏了", &[], None);
        b.created_at += chrono::TimeDelta::days(2);
        b.category = "urban.water".into();
        let (_d, ix) = index(&[a, b]);
        let ids = |r: SearchRequest| -> Vec<String> {
            ix.search(&r, &city()).expect("search").hits.into_iter().map(|h| h.id).collect()
        };
        let base = SearchRequest { text: "路灯".into(), limit: 10, ..SearchRequest::default() };
        assert_eq!(ids(SearchRequest { states: vec!["closed".into()], ..base.clone() }), vec!["1"]);
        assert_eq!(ids(SearchRequest { area: Some(code("320102002000")), ..base.clone() }), vec!["2"]);
        assert_eq!(ids(SearchRequest { category: Some("urban.municipal".into()), ..base.clone() }), vec!["1"]);
        let day = DateTime::<Utc>::from_timestamp_millis(1_700_000_000_000 + 86_400_000).unwrap_or_default();
        assert_eq!(ids(SearchRequest { from: Some(day), ..base.clone() }), vec!["2"]);
        assert_eq!(ids(SearchRequest { to: Some(day), ..base.clone() }), vec!["1"]);
        assert_eq!(ids(SearchRequest { text: String::new(), ..base.clone() }), vec!["2", "1"], "newest first");
        assert_eq!(ids(SearchRequest { text: "2026-0101-000002".into(), ..base }), vec!["2"], "by number");
    }

    #[test]
    fn a_word_the_dictionary_cut_otherwise_is_found_by_its_pairs_and_marked() {
        let (_d, ix) = index(&[
            doc("1", "320102001001", "路灯不亮", "晚上一片漆黑", &[], None),
            doc("2", "320102001001", "灯不亮", "路口一片漆黑", &[], None),
        ]);
        let r = ix
            .search(&SearchRequest { text: "路灯".into(), limit: 10, ..SearchRequest::default() }, &city())
            .expect("search");
        assert_eq!(r.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), vec!["1"]);
        assert_eq!(r.hits[0].title_html, "<mark>路灯</mark>不亮");
    }

    #[test]
    fn highlight_cuts_a_passage_around_the_marks() {
        let text = format!("{}路灯坏了{}", "前".repeat(100), "后".repeat(100));
        let h = highlight(&text, &["路灯".to_owned()], 20).expect("marked");
        assert!(h.starts_with('…') && h.ends_with('…') && h.contains("<mark>路灯</mark>"), "{h}");
        assert_eq!(h.chars().filter(|c| *c == '前').count(), 8);
        assert_eq!(highlight("abc", &["路灯".to_owned()], 20), None);
        assert_eq!(highlight("WiFi 信号", &["wifi".to_owned()], 20).as_deref(), Some("<mark>WiFi</mark> 信号"));
    }

    #[test]
    fn html_in_texts_is_escaped_in_snippets() {
        let (_d, ix) = index(&[doc("1", "320102001001", "<b>路灯</b>", "<script>路灯</script>坏了", &[], None)]);
        let r = ix
            .search(&SearchRequest { text: "路灯".into(), limit: 10, ..SearchRequest::default() }, &city())
            .expect("search");
        assert!(!r.hits[0].snippet_html.contains("<script>"), "{}", r.hits[0].snippet_html);
        assert!(r.hits[0].title_html.contains("&lt;b&gt;"), "{}", r.hits[0].title_html);
    }

    #[test]
    fn upsert_replaces_and_a_reopened_index_keeps_its_progress() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let ix = SearchIndex::open(dir.path(), WriterOptions::default()).expect("open");
            assert!(ix.needs_rebuild());
            ix.upsert(&[doc("1", "320102001001", "路灯", "路灯坏了", &[], None)]).expect("add");
            ix.upsert(&[doc("1", "320102001001", "井盖", "井盖丢了", &[], None)]).expect("replace");
            let p =
                Progress { schema: crate::schema::SCHEMA_VERSION, mark: Some("m1".into()), built: true, rebuild: None };
            ix.commit(&p).expect("commit");
            assert_eq!(ix.count(DocKind::Case).expect("count"), 1);
            assert!(ask(&ix, "路灯", &city()).is_empty());
        }
        let ix = SearchIndex::open(dir.path(), WriterOptions::default()).expect("reopen");
        assert!(!ix.needs_rebuild() && ix.is_ready());
        assert_eq!(ix.progress().mark.as_deref(), Some("m1"));
        assert_eq!(ask(&ix, "井盖", &city()), vec!["1"]);
        drop(ix);
        // Another schema version: started afresh.
        std::fs::write(dir.path().join("shiyu-schema-version"), "0\n").expect("write");
        let ix = SearchIndex::open(dir.path(), WriterOptions::default()).expect("reopen");
        assert!(ix.needs_rebuild());
        assert_eq!(ix.count(DocKind::Case).expect("count"), 0);
    }
}
