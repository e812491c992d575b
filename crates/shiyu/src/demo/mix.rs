//! The mix of cases: how many end in each state, where they come from, and a handful placed on
//! purpose so that every printed demo account has work waiting when someone signs in.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};
use shiyu_domain::case::{CaseState, Channel, Ledger, Satisfaction, Urgency};

use super::city::World;
use super::life::{AcceptedStop, Flags, Origin, Spec};
use super::topics::{self, Dept, GRID_TOPICS, RESIDENT_TOPICS, Topic};

/// Share of matters, per mille, that end without being handled: not accepted, or merged into an
/// earlier report of the same matter. The rest are followed to their end (archived), or as far as
/// today; the state each stands in today comes from how long its steps take.
const NOT_ACCEPTED: u32 = 40;
const MERGED: u32 = 50;

/// Below this many cases the hand-placed cases for the demo accounts are left out.
const FORCED_MIN: usize = 150;

struct Mixer<'a> {
    world: &'a World,
    rng: &'a mut StdRng,
}

impl Mixer<'_> {
    fn origin(&mut self) -> Origin {
        let x = self.rng.random_range(0..100);
        match x {
            0..28 => self.resident(),
            28..62 => Origin::Hotline,
            62..65 => Origin::External,
            65..69 => Origin::Desk(Channel::WalkIn),
            69..70 => Origin::Desk(Channel::Letter),
            70..72 => Origin::Desk(Channel::Liaison),
            72..74 => Origin::Desk(Channel::Video),
            74..76 => Origin::LeaderPhone,
            _ => Origin::Grid,
        }
    }

    fn resident(&mut self) -> Origin {
        // The demo resident is placed by hand; the pool reports the rest.
        let n = self.world.residents.len();
        Origin::Resident(if n > 1 { self.rng.random_range(1..n) } else { 0 })
    }

    fn grid_for(&mut self, origin: Origin) -> usize {
        if let Origin::Resident(i) = origin
            && let Some((_, home)) = self.world.residents.get(i)
            && self.rng.random_bool(0.8)
            && let Some(g) = self.world.communities[*home].grids.choose(self.rng)
        {
            return *g;
        }
        self.rng.random_range(0..self.world.grids.len())
    }

    fn urgency(&mut self) -> Urgency {
        let x = self.rng.random_range(0..100);
        if x < 2 {
            Urgency::Critical
        } else if x < 12 {
            Urgency::Urgent
        } else {
            Urgency::Normal
        }
    }

    fn topic(&mut self, origin: Origin) -> &'static Topic {
        if origin == Origin::Grid {
            topics::pick(self.rng, GRID_TOPICS)
        } else {
            topics::pick(self.rng, RESIDENT_TOPICS)
        }
    }

    /// A spec with the given parts, the rest drawn.
    fn spec(
        &mut self,
        outcome: CaseState,
        origin: Origin,
        grid: usize,
        topic: &'static Topic,
        stop: AcceptedStop,
    ) -> Spec {
        let mut urgency = self.urgency();
        let f = Flags::draw(self.rng, outcome, origin, topic, stop);
        if outcome == CaseState::Merged {
            urgency = Urgency::Normal;
        }
        let mut spec = Spec {
            outcome,
            origin,
            topic,
            grid,
            urgency,
            f,
            seed: self.rng.next_u64(),
            place_seed: self.rng.next_u64(),
            dups: Vec::new(),
            natural: false,
        };
        if outcome == CaseState::PendingReview && urgency != Urgency::Critical {
            spec.f.review = true;
        }
        if outcome == CaseState::Merged {
            spec.f.review = false;
        }
        spec
    }

    /// A matter of the last 180 days, followed to `end` or as far as today.
    fn natural(&mut self, end: CaseState) -> Spec {
        let origin = self.origin();
        let grid = self.grid_for(origin);
        let topic = self.topic(origin);
        let mut s = self.spec(end, origin, grid, topic, AcceptedStop::Accept);
        s.natural = true;
        s
    }

    /// A later report of `target`'s matter.
    fn duplicate(&mut self, target: &Spec, origin: Origin) -> Spec {
        let mut d = self.spec(CaseState::Merged, origin, target.grid, target.topic, AcceptedStop::Accept);
        d.place_seed = target.place_seed;
        d.f = Flags::plain();
        d.natural = target.natural;
        d
    }
}

/// Topics the demo handler's bureau (urban management) leads.
fn urban_topics() -> Vec<&'static Topic> {
    RESIDENT_TOPICS.iter().filter(|t| t.dept == Dept::Urban).collect()
}

/// Cases placed by hand so that each printed account has something in every tray.
fn forced(m: &mut Mixer<'_>) -> Vec<Spec> {
    use CaseState as S;
    let w = m.world;
    let street_grids = w.grids_of_street(w.cast.street);
    let urban = urban_topics();
    let me = Origin::Resident(w.cast.resident);
    let walk_in = Origin::Desk(Channel::WalkIn);
    let mut out = Vec::new();
    let add = |m: &mut Mixer<'_>,
               outcome: CaseState,
               origin: Origin,
               grid: Option<usize>,
               topic: Option<&'static Topic>,
               tweak: &dyn Fn(&mut Spec)| {
        let grid = grid.unwrap_or_else(|| *street_grids.choose(m.rng).unwrap_or(&w.cast.grid));
        let topic = topic.unwrap_or_else(|| urban.choose(m.rng).copied().unwrap_or(&RESIDENT_TOPICS[0]));
        let mut s = m.spec(outcome, origin, grid, topic, AcceptedStop::Accept);
        // Hand-placed lives stay on the straight path unless the tweak says otherwise.
        s.f.returned = false;
        s.f.escalate = false;
        s.f.district = false;
        s.f.extension = false;
        s.f.extension_pending = false;
        s.f.review = false;
        s.f.self_handle = false;
        s.f.overdue = false;
        s.f.supervise = false;
        s.urgency = Urgency::Normal;
        tweak(&mut s);
        s
    };
    let none = &|_: &mut Spec| {};
    let overdue = &|s: &mut Spec| {
        s.f.overdue = true;
        s.f.supervise = true;
    };

    // The demo resident's own requests, one in each tray.
    for outcome in [
        S::Registered,
        S::Accepted,
        S::Dispatched,
        S::InProgress,
        S::Handled,
        S::Revisit,
        S::Closed,
        S::Archived,
        S::Archived,
        S::NotAccepted,
    ] {
        out.push(add(m, outcome, me, None, None, none));
    }
    out.push(add(m, S::InProgress, me, None, None, overdue));
    out.push(add(m, S::Revisit, me, None, None, &|s| s.f.revisit_recorded = true));
    out.push(add(m, S::Archived, me, None, None, &|s| {
        s.f.satisfaction = Satisfaction::Unsatisfied;
        s.f.redo = true;
        s.f.resident_rates = true;
    }));
    // …and one merged into a matter a neighbour had already phoned in.
    let mut target = add(m, S::InProgress, Origin::Hotline, None, None, none);
    target.dups.push(m.duplicate(&target, me));
    out.push(target);

    // The demo handler's bureau: cases to sign and to handle, some overdue.
    out.push(add(m, S::Dispatched, Origin::Hotline, None, None, none));
    out.push(add(m, S::Dispatched, walk_in, None, None, &|s| s.f.overdue = true));
    out.push(add(m, S::InProgress, Origin::Hotline, None, None, none));
    out.push(add(m, S::InProgress, walk_in, None, None, overdue));
    out.push(add(m, S::InProgress, Origin::Hotline, None, None, &|s| {
        s.f.extension = true;
        s.f.extension_pending = true;
    }));
    out.push(add(m, S::Handled, walk_in, None, None, none));

    // The demo leader: requests to read and instruct, results to check.
    out.push(add(m, S::PendingReview, walk_in, None, None, &|s| s.urgency = Urgency::Critical));
    out.push(add(m, S::PendingReview, Origin::LeaderPhone, None, None, &|s| s.f.review = true));
    out.push(add(m, S::Handled, Origin::Hotline, None, None, none));
    out.push(add(m, S::Handled, walk_in, None, None, &|s| s.f.sendback = true));

    // The demo grid worker's grid: events to handle on the spot, some late.
    let grid = Some(w.cast.grid);
    let on_spot: Vec<&'static Topic> = GRID_TOPICS.iter().filter(|t| t.on_spot.is_some()).collect();
    let dispatched_only: Vec<&'static Topic> = GRID_TOPICS.iter().filter(|t| t.on_spot.is_none()).collect();
    let self_handle = &|s: &mut Spec| s.f.self_handle = true;
    for (outcome, tweak) in [
        (S::Accepted, self_handle as &dyn Fn(&mut Spec)),
        (S::Accepted, self_handle),
        (S::InProgress, self_handle),
        (S::InProgress, &|s: &mut Spec| {
            s.f.self_handle = true;
            s.f.overdue = true;
        }),
        (S::Handled, self_handle),
        (S::Closed, self_handle),
        (S::Archived, self_handle),
        (S::Archived, self_handle),
    ] {
        let topic = on_spot.choose(m.rng).copied();
        out.push(add(m, outcome, Origin::Grid, grid, topic, tweak));
    }
    let topic = dispatched_only.choose(m.rng).copied();
    out.push(add(m, S::Dispatched, Origin::Grid, grid, topic, none));
    out.push(add(m, S::InProgress, Origin::Grid, grid, topic, overdue));

    // The demo operator's street and the city hotline desk.
    out.push(add(m, S::Registered, walk_in, None, None, none));
    out.push(add(m, S::Accepted, walk_in, None, None, &|s| {
        s.f.accepted_stop = AcceptedStop::Returned;
        s.f.returned = true;
    }));
    out.push(add(m, S::Revisit, Origin::Hotline, None, None, none));
    let anywhere = |m: &mut Mixer<'_>| Some(m.rng.random_range(0..w.grids.len()));
    for (outcome, tweak) in [
        (S::Registered, none as &dyn Fn(&mut Spec)),
        (S::Registered, none),
        (S::Accepted, none),
        (S::PendingReview, &|s: &mut Spec| s.urgency = Urgency::Critical),
    ] {
        let g = anywhere(m);
        out.push(add(m, outcome, Origin::Hotline, g, None, tweak));
    }
    out
}

fn count(specs: &[Spec]) -> usize {
    specs.iter().map(|s| 1 + s.dups.len()).sum()
}

/// The cases of a demo of `n` cases.
pub(super) fn specs(world: &World, n: usize, rng: &mut StdRng) -> Vec<Spec> {
    let mut m = Mixer { world, rng };
    let mut out = if n >= FORCED_MIN { forced(&mut m) } else { Vec::new() };
    let room = n.saturating_sub(count(&out));
    let mut natural: Vec<Spec> = Vec::with_capacity(room);
    let mut merged = 0usize;
    for _ in 0..room {
        let x = m.rng.random_range(0..1000);
        if x < MERGED {
            merged += 1;
        } else if x < MERGED + NOT_ACCEPTED {
            natural.push(m.natural(CaseState::NotAccepted));
        } else {
            natural.push(m.natural(CaseState::Archived));
        }
    }
    // Duplicates are residents' second reports of a matter (a grid worker does not file the same
    // event twice); up to three per matter.
    let eligible: Vec<usize> = natural
        .iter()
        .enumerate()
        .filter(|(_, s)| s.outcome == CaseState::Archived && s.topic.ledger != Ledger::Event)
        .map(|(i, _)| i)
        .collect();
    for _ in 0..merged {
        let target = (0..8).filter_map(|_| eligible.choose(m.rng).copied()).find(|&i| natural[i].dups.len() < 3);
        match target {
            Some(i) => {
                let origin = if m.rng.random_bool(0.5) { m.resident() } else { Origin::Hotline };
                let d = m.duplicate(&natural[i], origin);
                natural[i].dups.push(d);
            }
            None => natural.push(m.natural(CaseState::NotAccepted)),
        }
    }
    out.append(&mut natural);
    out
}
