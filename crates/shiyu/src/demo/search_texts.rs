//! Case texts for the search benchmark: the demo's topics ([`super::topics`]) filled with places
//! of a demo-like city (5 districts, 20 streets, 240 communities, 720 grids, 40 departments),
//! spread over three years in every state. Deterministic per chunk, so a large index can be built
//! in resumable chunks. Written for the demo; no real message is used.

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{CaseState, ResultKind};
use shiyu_search::{DocKind, SearchDoc};

use super::names;
use super::topics::{self, GRID_TOPICS, RESIDENT_TOPICS, Vars};

/// The benchmark city's code (the demo's).
pub const CITY: &str = "439900000000";

/// Districts, streets per district, communities per street and grids per community.
pub const SHAPE: (u32, u32, u32, u32) = (5, 4, 12, 3);

/// The code of district `d` (1-based).
pub fn district(d: u32) -> String {
    format!("4399{d:02}000000")
}

/// The code of street `s` of district `d`.
pub fn street(d: u32, s: u32) -> String {
    format!("4399{d:02}{s:03}000")
}

/// The departments' ids (fixed, so a bench can filter by one).
pub fn departments() -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(0x5eed_0de9);
    (0..40).map(|_| uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string()).collect()
}

/// Makes the documents of one chunk.
#[derive(Debug)]
pub struct TextGen {
    rng: StdRng,
    estates: Vec<String>,
    roads: Vec<String>,
    depts: Vec<String>,
    now: DateTime<Utc>,
}

impl TextGen {
    /// A generator for chunk `chunk`; `now` ends the three years the cases are spread over.
    pub fn new(chunk: u64, now: DateTime<Utc>) -> Self {
        let mut places = StdRng::seed_from_u64(0x5eed);
        let stems = names::distinct_stems(&mut places, 40);
        let estates = (0..400).map(|_| names::estate(&mut places)).collect();
        let roads = (0..200).map(|i| names::road(&mut places, stems[i % stems.len()])).collect();
        Self {
            rng: StdRng::seed_from_u64(0x5eed ^ chunk.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            estates,
            roads,
            depts: departments(),
            now,
        }
    }

    /// The next case.
    pub fn case(&mut self, n: u64) -> anyhow::Result<SearchDoc> {
        let r = &mut self.rng;
        let topic = if r.random_bool(0.2) { topics::pick(r, GRID_TOPICS) } else { topics::pick(r, RESIDENT_TOPICS) };
        let pick = |r: &mut StdRng, v: &[String]| v.choose(r).cloned().unwrap_or_default();
        let mut v = Vars {
            estate: pick(r, &self.estates),
            road: pick(r, &self.roads),
            road2: pick(r, &self.roads),
            market: format!("{}农贸市场", pick(r, &self.roads)),
            school: format!("{}小学", pick(r, &self.estates)),
            hospital: "示范市人民医院".to_owned(),
            river: names::RIVERS.choose(r).copied().unwrap_or("清溪河").to_owned(),
            shop: names::SHOPS.choose(r).copied().unwrap_or("湘味小厨").to_owned(),
            community: format!("{}社区", pick(r, &self.estates)),
            city: "示范市".to_owned(),
            project: format!("{}安置房项目", pick(r, &self.roads)),
            ..Vars::default()
        };
        v.draw_details(r);
        let i = r.random_range(0..topic.texts.len().max(1));
        let title = v.fill(topics::title(topic, i));
        let text = v.fill(topic.texts.get(i).copied().unwrap_or_default());
        let state = *[
            CaseState::Archived,
            CaseState::Archived,
            CaseState::Closed,
            CaseState::Closed,
            CaseState::Closed,
            CaseState::Revisit,
            CaseState::Handled,
            CaseState::InProgress,
            CaseState::Dispatched,
            CaseState::Accepted,
            CaseState::Registered,
            CaseState::NotAccepted,
        ]
        .choose(r)
        .unwrap_or(&CaseState::Closed);
        let result = match state {
            CaseState::Archived | CaseState::Closed | CaseState::Revisit | CaseState::Handled => {
                let kind = if r.random_bool(0.8) { ResultKind::Resolved } else { ResultKind::Explained };
                topics::result_text(topic, i, kind, &v, r)
            }
            _ => String::new(),
        };
        let (nd, ns, nc, ng) = SHAPE;
        let (d, s, c, g) =
            (r.random_range(1..=nd), r.random_range(1..=ns), r.random_range(1..=nc), r.random_range(1..=ng));
        let area = AreaCode::parse(&format!("4399{d:02}{s:03}{c:03}{g:03}"))?;
        let handling = AreaCode::parse(&street(d, s))?;
        let dispatched = !matches!(state, CaseState::Registered | CaseState::Accepted | CaseState::NotAccepted);
        let mut orgs = Vec::new();
        if dispatched {
            orgs.push(pick(r, &self.depts));
            if r.random_bool(0.15) {
                orgs.push(pick(r, &self.depts));
            }
        }
        let created = self.now - TimeDelta::seconds(r.random_range(0..3 * 365 * 86_400));
        let updated = created + TimeDelta::seconds(r.random_range(0..20 * 86_400));
        Ok(SearchDoc {
            kind: DocKind::Case,
            id: format!("bench-{n:010}"),
            number: format!("{}-{:06}", created.format("%Y-%m%d"), n % 1_000_000),
            title,
            body: text,
            result,
            area,
            handling_area: Some(handling),
            state: state.as_str().to_owned(),
            category: topic.category.to_owned(),
            orgs,
            reporter: r.random_bool(0.3).then(|| format!("user-{}", r.random_range(0..200_000u32))),
            created_at: created,
            updated_at: updated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_deterministic_and_texts_filled() {
        let now = Utc::now();
        let a: Vec<SearchDoc> = {
            let mut g = TextGen::new(3, now);
            (0..50).map(|n| g.case(n).expect("case")).collect()
        };
        let mut g = TextGen::new(3, now);
        for (n, d) in a.iter().enumerate() {
            assert_eq!(&g.case(n as u64).expect("case"), d);
            assert!(!d.body.contains('{') && !d.title.is_empty(), "{d:?}");
        }
    }
}
