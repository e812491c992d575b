//! Routing proposals: which category a request belongs to and which organisation should lead,
//! learned from how past cases were classified and dispatched, combined with configured rules
//! (a category's owner per area). Pure: the model is trained from examples handed in and
//! serialised by the caller.
//!
//! The text model is a multinomial naive Bayes over character 1–3-grams of the text (Chinese
//! needs no segmentation for this: short n-grams carry most of a request's topic), with
//! add-alpha smoothing and document-frequency pruning to keep it small. Organisations are
//! proposed per (category, area): the organisation that most often led such cases in that area
//! or the nearest area above it, unless a rule names the owner.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::area::AreaCode;

/// The features of a text: character unigrams, bigrams and trigrams of its letters and digits
/// (punctuation and spaces break n-grams), ASCII lower-cased.
pub fn features(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = run.chars().flat_map(char::to_lowercase).collect();
        for n in 1..=3 {
            for w in chars.windows(n) {
                out.push(w.iter().collect());
            }
        }
    }
    out
}

/// A trained text classifier.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TextModel {
    labels: Vec<String>,
    /// Log prior per label.
    prior: Vec<f64>,
    /// Per feature: log P(feature | label) for every label.
    weights: HashMap<String, Vec<f64>>,
    /// Log probability of an unseen feature per label.
    unseen: Vec<f64>,
}

/// One label's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// The label (a category code or an organisation id).
    pub label: String,
    /// Its share of the probability among the labels, 0–1.
    pub confidence: f64,
}

impl TextModel {
    /// Trains on (text, label) examples. Features seen in fewer than `min_df` examples are
    /// dropped (noise and size).
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, &'a str)>, min_df: usize) -> Self {
        let mut labels: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut docs_per_label: Vec<u64> = Vec::new();
        let mut counts: HashMap<String, Vec<u64>> = HashMap::new();
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut total = 0u64;
        for (text, label) in examples {
            let l = *index.entry(label.to_owned()).or_insert_with(|| {
                labels.push(label.to_owned());
                docs_per_label.push(0);
                labels.len() - 1
            });
            docs_per_label[l] += 1;
            total += 1;
            let feats = features(text);
            let mut seen = std::collections::HashSet::new();
            for f in feats {
                if seen.insert(f.clone()) {
                    *df.entry(f.clone()).or_insert(0) += 1;
                }
                let row = counts.entry(f).or_default();
                if row.len() < labels.len() {
                    row.resize(labels.len(), 0);
                }
                row[l] += 1;
            }
        }
        let k = labels.len();
        counts.retain(|f, _| df.get(f).copied().unwrap_or(0) >= min_df);
        let vocab = counts.len() as f64 + 1.0;
        let mut per_label = vec![0u64; k];
        for row in counts.values_mut() {
            row.resize(k, 0);
            for (t, c) in per_label.iter_mut().zip(row.iter()) {
                *t += c;
            }
        }
        let alpha = 0.5;
        let denom: Vec<f64> = per_label.iter().map(|t| *t as f64 + alpha * vocab).collect();
        let weights = counts
            .into_iter()
            .map(|(f, row)| (f, row.iter().zip(&denom).map(|(c, d)| ((*c as f64 + alpha) / d).ln()).collect()))
            .collect();
        Self {
            prior: docs_per_label.iter().map(|n| (*n as f64 / total.max(1) as f64).ln()).collect(),
            unseen: denom.iter().map(|d| (alpha / d).ln()).collect(),
            labels,
            weights,
        }
    }

    /// Whether it learned anything.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels, best first, with confidences summing to 1.
    pub fn rank(&self, text: &str) -> Vec<Scored> {
        if self.labels.is_empty() {
            return Vec::new();
        }
        let mut score = self.prior.clone();
        for f in features(text) {
            // Unknown features say nothing about any label: skip them rather than add the same
            // penalty everywhere (which would only reward labels with less text).
            if let Some(w) = self.weights.get(&f) {
                for (s, x) in score.iter_mut().zip(w) {
                    *s += x;
                }
            }
        }
        let max = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = score.iter().map(|s| (s - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        let mut out: Vec<Scored> =
            self.labels.iter().zip(exp).map(|(l, e)| Scored { label: l.clone(), confidence: e / sum }).collect();
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| a.label.cmp(&b.label)));
        out
    }

    /// The best label, if any.
    pub fn predict(&self, text: &str) -> Option<String> {
        self.rank(text).into_iter().next().map(|s| s.label)
    }
}

/// Who led past cases of a category in an area: counts per (category, area) → organisation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LeadHistory {
    counts: BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>,
}

impl LeadHistory {
    /// Records that `org` led a case of `category` at `area` (counted at every level of the area
    /// up to the city, so a new grid borrows its street's experience).
    pub fn add(&mut self, category: &str, area: &AreaCode, org: &str) {
        let by_area = self.counts.entry(category.to_owned()).or_default();
        for a in area.lineage() {
            *by_area.entry(a.to_string()).or_default().entry(org.to_owned()).or_insert(0) += 1;
        }
    }

    /// The organisations that most often led `category` at `area`, or at the nearest area above
    /// it that has any, most often first.
    pub fn leads(&self, category: &str, area: &AreaCode) -> Vec<(String, u64)> {
        let Some(by_area) = self.counts.get(category) else { return Vec::new() };
        for a in area.lineage().iter().rev() {
            if let Some(orgs) = by_area.get(a.as_str()) {
                let mut v: Vec<(String, u64)> = orgs.iter().map(|(o, n)| (o.clone(), *n)).collect();
                v.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                return v;
            }
        }
        Vec::new()
    }
}

/// A configured owner: cases of `category` (or below it) at `area` (or below it) go to `org`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRule {
    /// Category code (a branch covers the codes below it).
    pub category: String,
    /// Area (a subtree).
    pub area: AreaCode,
    /// The owning organisation's id.
    pub org: String,
}

/// Why an organisation is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Because {
    /// A configured owner rule.
    Rule,
    /// How past cases of the category there were dispatched.
    History,
}

/// A proposed lead organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgProposal {
    /// Organisation id.
    pub org: String,
    /// Why.
    pub because: Because,
    /// Past cases behind it (0 for a rule).
    pub cases: u64,
}

/// The organisations to propose for a category at an area: the most specific matching rule
/// first (deepest area, then longest category), then history.
pub fn propose_orgs(category: &str, area: &AreaCode, rules: &[OwnerRule], history: &LeadHistory) -> Vec<OrgProposal> {
    let covers = |branch: &str| category == branch || category.starts_with(&format!("{branch}."));
    let mut matching: Vec<&OwnerRule> =
        rules.iter().filter(|r| covers(&r.category) && area.is_within(&r.area)).collect();
    matching.sort_by_key(|r| std::cmp::Reverse((r.area.as_str().trim_end_matches('0').len(), r.category.len())));
    let mut out: Vec<OrgProposal> = Vec::new();
    for r in matching {
        if !out.iter().any(|p| p.org == r.org) {
            out.push(OrgProposal { org: r.org.clone(), because: Because::Rule, cases: 0 });
        }
    }
    for (org, n) in history.leads(category, area) {
        if !out.iter().any(|p| p.org == org) {
            out.push(OrgProposal { org, because: Because::History, cases: n });
        }
    }
    out
}

/// Accuracy of predictions against the truth, with macro-F1 and the always-the-commonest baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accuracy {
    /// Examples judged.
    pub n: usize,
    /// Share predicted right.
    pub accuracy: f64,
    /// Mean F1 over the true labels.
    pub macro_f1: f64,
    /// Share right when always answering the commonest training label.
    pub baseline: f64,
}

/// Scores (truth, prediction) pairs; `commonest` is the baseline's answer.
pub fn accuracy(pairs: &[(String, Option<String>)], commonest: &str) -> Accuracy {
    let n = pairs.len();
    let right = pairs.iter().filter(|(t, p)| p.as_deref() == Some(t.as_str())).count();
    let base = pairs.iter().filter(|(t, _)| t == commonest).count();
    let labels: std::collections::BTreeSet<&str> = pairs.iter().map(|(t, _)| t.as_str()).collect();
    let mut f1s = Vec::new();
    for l in &labels {
        let tp = pairs.iter().filter(|(t, p)| t == l && p.as_deref() == Some(*l)).count() as f64;
        let fp = pairs.iter().filter(|(t, p)| t != l && p.as_deref() == Some(*l)).count() as f64;
        let fn_ = pairs.iter().filter(|(t, p)| t == l && p.as_deref() != Some(*l)).count() as f64;
        let f1 = if tp == 0.0 { 0.0 } else { 2.0 * tp / (2.0 * tp + fp + fn_) };
        f1s.push(f1);
    }
    let share = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    Accuracy {
        n,
        accuracy: share(right),
        macro_f1: if f1s.is_empty() { 0.0 } else { f1s.iter().sum::<f64>() / f1s.len() as f64 },
        baseline: share(base),
    }
}

/// One past case as routing learns from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Title and text.
    pub text: String,
    /// Its category.
    pub category: String,
    /// Where.
    pub area: AreaCode,
    /// Who led it, once dispatched.
    pub lead_org: Option<String>,
}

/// A trained router: the category model and who led what where.
#[derive(Debug, Clone, Default)]
pub struct Router {
    /// Text → category.
    pub categories: TextModel,
    /// (category, area) → lead organisations.
    pub leads: LeadHistory,
    /// Examples it learned from.
    pub examples: usize,
}

/// What is proposed for a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// Categories, best first.
    pub categories: Vec<Scored>,
    /// Lead organisations for the best category, best first.
    pub orgs: Vec<OrgProposal>,
}

/// Features that appear in fewer examples than this are pruned from the model.
const MIN_DF: usize = 2;

impl Router {
    /// Learns from past cases.
    pub fn train(examples: &[Example]) -> Self {
        let categories = TextModel::train(examples.iter().map(|e| (e.text.as_str(), e.category.as_str())), MIN_DF);
        let mut leads = LeadHistory::default();
        for e in examples {
            if let Some(o) = &e.lead_org {
                leads.add(&e.category, &e.area, o);
            }
        }
        Self { categories, leads, examples: examples.len() }
    }

    /// The top `top` categories for a text and the organisations for the best one (or for
    /// `category` when the operator has already chosen it).
    pub fn propose(
        &self,
        text: &str,
        area: &AreaCode,
        category: Option<&str>,
        rules: &[OwnerRule],
        top: usize,
    ) -> Proposal {
        let mut categories = self.categories.rank(text);
        categories.truncate(top);
        let chosen = category.map(str::to_owned).or_else(|| categories.first().map(|s| s.label.clone()));
        let orgs = chosen.map(|c| propose_orgs(&c, area, rules, &self.leads)).unwrap_or_default();
        Proposal { categories, orgs }
    }
}

/// Held-out accuracy of the category and the lead organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Examples trained on.
    pub trained_on: usize,
    /// Category from the text.
    pub category: Accuracy,
    /// Lead organisation from the text and place (first proposal).
    pub org: Accuracy,
}

/// Trains on the first `train_share` of `examples` (oldest first, as cases arrive) and judges
/// the rest.
pub fn evaluate(examples: &[Example], train_share: f64) -> Evaluation {
    let cut = ((examples.len() as f64) * train_share.clamp(0.0, 1.0)) as usize;
    let (train, test) = examples.split_at(cut);
    let router = Router::train(train);
    let commonest = |values: Vec<&str>| {
        let mut n: HashMap<&str, usize> = HashMap::new();
        for v in values {
            *n.entry(v).or_insert(0) += 1;
        }
        n.into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(k, _)| k.to_owned())
            .unwrap_or_default()
    };
    let top_category = commonest(train.iter().map(|e| e.category.as_str()).collect());
    let top_org = commonest(train.iter().filter_map(|e| e.lead_org.as_deref()).collect());
    let cats: Vec<(String, Option<String>)> =
        test.iter().map(|e| (e.category.clone(), router.categories.predict(&e.text))).collect();
    let orgs: Vec<(String, Option<String>)> = test
        .iter()
        .filter_map(|e| {
            let truth = e.lead_org.clone()?;
            let p = router.propose(&e.text, &e.area, None, &[], 1);
            Some((truth, p.orgs.first().map(|o| o.org.clone())))
        })
        .collect();
    Evaluation { trained_on: train.len(), category: accuracy(&cats, &top_category), org: accuracy(&orgs, &top_org) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    #[test]
    fn features_are_short_ngrams_broken_by_punctuation() {
        let f = features("路灯坏了，Lamp");
        assert!(f.contains(&"路灯".to_owned()) && f.contains(&"路灯坏".to_owned()));
        assert!(!f.iter().any(|x| x.contains('，')), "{f:?}");
        assert!(!f.contains(&"了l".to_owned()), "punctuation breaks n-grams");
        assert!(f.contains(&"lam".to_owned()), "ASCII lower-cased");
    }

    #[test]
    fn the_model_learns_topics_from_words_inside_longer_sentences() {
        let train = [
            ("小区门口的路灯坏了好几天", "lighting"),
            ("路灯不亮晚上很黑", "lighting"),
            ("这条街的路灯一直闪", "lighting"),
            ("楼下饭店油烟太大", "fumes"),
            ("餐馆排油烟扰民", "fumes"),
            ("烧烤店油烟呛人", "fumes"),
            ("工地夜间施工噪音", "noise"),
            ("晚上施工噪音太吵", "noise"),
        ];
        let m = TextModel::train(train.iter().copied(), 1);
        assert_eq!(m.predict("我家楼下那盏路灯已经不亮三天了").as_deref(), Some("lighting"));
        assert_eq!(m.predict("隔壁的烧烤摊油烟熏得窗户都黑了").as_deref(), Some("fumes"));
        assert_eq!(m.predict("凌晨两点还在施工，噪音大").as_deref(), Some("noise"));
        let ranked = m.rank("油烟");
        assert!((ranked.iter().map(|s| s.confidence).sum::<f64>() - 1.0).abs() < 1e-9);
        assert_eq!(ranked[0].label, "fumes");
        assert!(TextModel::default().rank("任何").is_empty());
        // Serialised and read back, it answers the same.
        let back: TextModel = serde_json::from_str(&serde_json::to_string(&m).expect("json")).expect("model");
        assert_eq!(back.rank("路灯不亮"), m.rank("路灯不亮"));
    }

    #[test]
    fn rules_come_before_history_and_history_falls_back_to_the_area_above() {
        let mut h = LeadHistory::default();
        for _ in 0..3 {
            h.add("urban.lighting", &code("439901001001001"), "power");
        }
        h.add("urban.lighting", &code("439901001001001"), "city_mgmt");
        // Another grid of the same street: it borrows the street's experience.
        let sibling = code("439901001001002");
        let p = propose_orgs("urban.lighting", &sibling, &[], &h);
        assert_eq!(p.iter().map(|x| x.org.as_str()).collect::<Vec<_>>(), ["power", "city_mgmt"]);
        assert_eq!(p[0].cases, 3);
        let rules = vec![
            OwnerRule { category: "urban".into(), area: code("439900000000"), org: "city_mgmt".into() },
            OwnerRule { category: "urban.lighting".into(), area: code("439901000000"), org: "street_lights".into() },
        ];
        let p = propose_orgs("urban.lighting", &sibling, &rules, &h);
        assert_eq!(
            p.iter().map(|x| (x.org.as_str(), x.because)).collect::<Vec<_>>(),
            [("street_lights", Because::Rule), ("city_mgmt", Because::Rule), ("power", Because::History)]
        );
        assert!(propose_orgs("water", &sibling, &rules, &h).is_empty(), "no rule, no history");
    }

    #[test]
    fn held_out_evaluation_learns_category_and_lead_from_the_past() {
        let grid = code("439901001001001");
        let mut examples = Vec::new();
        for i in 0..40 {
            let (text, category, org) = match i % 3 {
                0 => (format!("第{i}号楼路灯不亮"), "lighting", "power"),
                1 => (format!("第{i}号楼下饭店油烟扰民"), "fumes", "env"),
                _ => (format!("第{i}号楼旁工地夜间施工噪音"), "noise", "env"),
            };
            examples.push(Example { text, category: category.into(), area: grid.clone(), lead_org: Some(org.into()) });
        }
        let e = evaluate(&examples, 0.75);
        assert_eq!(e.trained_on, 30);
        assert_eq!(e.category.n, 10);
        assert!((e.category.accuracy - 1.0).abs() < 1e-9, "{e:?}");
        assert!(e.category.baseline < 0.5, "{e:?}");
        assert!((e.org.accuracy - 1.0).abs() < 1e-9, "{e:?}");
        let p = Router::train(&examples).propose("路灯坏了", &grid, None, &[], 2);
        assert_eq!(p.categories.len(), 2);
        assert_eq!(p.categories[0].label, "lighting");
        assert_eq!(p.orgs[0].org, "power");
        let chosen = Router::train(&examples).propose("路灯坏了", &grid, Some("fumes"), &[], 2);
        assert_eq!(chosen.orgs[0].org, "env", "the operator's category decides the organisations");
    }

    #[test]
    fn accuracy_counts_right_answers_f1_and_the_baseline() {
        let pairs = vec![
            ("a".to_owned(), Some("a".to_owned())),
            ("a".to_owned(), Some("b".to_owned())),
            ("b".to_owned(), Some("b".to_owned())),
            ("c".to_owned(), None),
        ];
        let a = accuracy(&pairs, "a");
        assert_eq!(a.n, 4);
        assert!((a.accuracy - 0.5).abs() < 1e-9);
        assert!((a.baseline - 0.5).abs() < 1e-9);
        // F1: a = 2/3, b = 2/3, c = 0.
        assert!((a.macro_f1 - 4.0 / 9.0).abs() < 1e-9, "{}", a.macro_f1);
    }
}
