//! The synthetic demo city: a fictional city (示范市) with its area tree, centres and departments,
//! staff and residents, months of case history in every state of the case life, base data,
//! a year of disputes, and the demo street's volunteers, activities and points shops.
//!
//! Everything goes through the store's public API and the domain's rules: each case life is first
//! played through the state machine ([`life`]), then written with the same actors and times in
//! batched transactions, so the result is a history the platform itself could have produced (and
//! `verify-audit` checks it as such).

mod base;
mod city;
mod clock;
mod deliberation;
mod disputes;
mod life;
mod mix;
mod names;
pub mod open311;
mod points;
pub mod scale;
pub mod search_texts;
mod topics;

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context as _;
use chrono::Utc;
use rand::SeedableRng;
use rand::rngs::StdRng;
use shiyu_domain::case::{CaseSnapshot, CaseState, Move};
use shiyu_domain::ids::{CaseId, CaseNumber};
use shiyu_domain::scope::Scope;
use shiyu_storage::Store;
use shiyu_storage::batch::Batch;

use life::{Plan, Planner, Step};

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

/// Cases per transaction: large enough that commits do not dominate, small enough that a batch's
/// rows stay in the page cache.
const BATCH_CASES: usize = 300;

/// The seed of the demo's choices, fixed so that every demo city has the same shape and mix.
const SEED: u64 = 0x5348_4959_5520_2026;

/// What was written.
#[derive(Debug, Default)]
struct Written {
    cases: usize,
    events: usize,
}

/// A case whose duplicates are still to be merged into it. A merge names a case that must
/// already be stored (committed) and open, so the target's moves after the first merge, and any
/// merge that comes before the target's commit, wait.
struct Pending<'w> {
    id: CaseId,
    number: CaseNumber,
    committed: bool,
    /// Duplicates not yet registered, by index in the spec.
    dups: Vec<Option<Plan<'w>>>,
    /// Registered duplicates whose merge waits for the target's commit.
    waiting: Vec<(CaseId, Vec<Step<'w>>)>,
    /// Duplicates not yet merged.
    unmerged: usize,
    /// The target's moves after the first merge.
    rest: Vec<Step<'w>>,
}

/// One registration in the chronological stream: a case, or a duplicate of case `.0`.
enum Item {
    Case(usize),
    Dup(usize, usize),
}

/// A duplicate's moves with the real merge target.
fn merging<'w>(steps: Vec<Step<'w>>, target: CaseId, number: &CaseNumber) -> Vec<Step<'w>> {
    steps
        .into_iter()
        .map(|s| match s.mv {
            Move::Merge { .. } => Step {
                mv: Move::Merge {
                    into: target,
                    into_number: number.clone(),
                    reason: format!("与{number}反映的为同一地点同一问题，合并办理。"),
                },
                ..s
            },
            _ => s,
        })
        .collect()
}

/// After a commit: every pending target is now stored; merge the duplicates that waited, and
/// finish the targets whose duplicates are all merged.
async fn settle(
    batch: &mut Batch<'_>,
    pending: &mut HashMap<usize, Pending<'_>>,
    written: &mut Written,
) -> anyhow::Result<()> {
    let mut done = Vec::new();
    for (key, p) in pending.iter_mut() {
        p.committed = true;
        for (id, steps) in p.waiting.drain(..) {
            write_steps(batch, id, steps, written).await?;
            p.unmerged = p.unmerged.saturating_sub(1);
        }
        if p.unmerged == 0 {
            write_steps(batch, p.id, std::mem::take(&mut p.rest), written).await?;
            done.push(*key);
        }
    }
    for key in done {
        pending.remove(&key);
    }
    Ok(())
}

async fn write_steps(
    batch: &mut Batch<'_>,
    id: CaseId,
    steps: Vec<Step<'_>>,
    written: &mut Written,
) -> anyhow::Result<Option<CaseSnapshot>> {
    let mut last = None;
    for step in steps {
        let name = step.mv.name();
        let snap = batch
            .apply(step.actor, id, step.mv, step.at)
            .await
            .with_context(|| format!("demo case {id}: {name} by {}", step.actor.role.as_str()))?;
        written.events += 1;
        last = Some(snap);
    }
    Ok(last)
}

async fn register(batch: &mut Batch<'_>, plan: &Plan<'_>, written: &mut Written) -> anyhow::Result<CaseSnapshot> {
    let snap = batch
        .register(plan.actor, plan.intake.clone(), plan.contact.clone(), plan.t0)
        .await
        .with_context(|| format!("registering demo case {}", plan.intake.title))?;
    written.cases += 1;
    written.events += 1;
    Ok(snap)
}

/// Builds the demo city into an empty store and returns the accounts to print.
///
/// Writes progress lines to `out`. Fails if the store already holds a city (run it on a fresh
/// database).
pub async fn build(store: &Store, cases: u32, out: &mut dyn std::io::Write) -> anyhow::Result<Vec<DemoAccount>> {
    let started = Instant::now();
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(SEED);
    let world = city::build(store, &mut rng, now).await.context("building the demo city")?;
    let categories = crate::seed::categories(store).await?;
    writeln!(
        out,
        "areas: {} ({} districts, {} streets, {} communities, {} grids), organisations: {}, users: {}, categories: {} in {:.1} s",
        world.area_count,
        world.districts.len(),
        world.streets.len(),
        world.communities.len(),
        world.grids.len(),
        world.org_count,
        world.user_count,
        categories,
        started.elapsed().as_secs_f64()
    )?;

    let cases_started = Instant::now();
    let planner = Planner::new(&world, store.rules(), now);
    let specs = mix::specs(&world, cases as usize, &mut rng);
    let mut written = Written::default();

    // Written in order of registration, so that each day's case numbers follow the clock. Lives
    // are replayed from their seeds, so planning twice gives the same plans.
    let mut items = Vec::with_capacity(cases as usize);
    for (i, spec) in specs.iter().enumerate() {
        let plan = planner.place(spec)?;
        items.push((plan.t0, Item::Case(i)));
        for (j, d) in spec.dups.iter().enumerate() {
            if let Some(dup) = planner.plan_dup(d, &plan)? {
                items.push((dup.t0, Item::Dup(i, j)));
            }
        }
    }
    items.sort_by_key(|item| item.0);

    let mut batch = store.batch().await?;
    let mut in_batch = 0usize;
    let mut pending: HashMap<usize, Pending<'_>> = HashMap::new();
    let mut next_report = 5000usize;
    for (_, item) in items {
        match item {
            Item::Case(i) => {
                let spec = &specs[i];
                let plan = planner.place(spec)?;
                let dups = spec.dups.iter().map(|d| planner.plan_dup(d, &plan)).collect::<anyhow::Result<Vec<_>>>()?;
                let snap = register(&mut batch, &plan, &mut written).await?;
                let Plan { mut steps, .. } = plan;
                match dups.iter().flatten().map(Plan::end).min() {
                    None => {
                        write_steps(&mut batch, snap.id, steps, &mut written).await?;
                    }
                    Some(first_merge) => {
                        let split = steps.iter().position(|s| s.at >= first_merge).unwrap_or(steps.len());
                        let rest = steps.split_off(split);
                        write_steps(&mut batch, snap.id, steps, &mut written).await?;
                        let unmerged = dups.iter().flatten().count();
                        let p = Pending {
                            id: snap.id,
                            number: snap.number,
                            committed: false,
                            dups,
                            waiting: Vec::new(),
                            unmerged,
                            rest,
                        };
                        pending.insert(i, p);
                    }
                }
            }
            Item::Dup(i, j) => {
                let Some(p) = pending.get_mut(&i) else { continue };
                let Some(plan) = p.dups.get_mut(j).and_then(Option::take) else { continue };
                let snap = register(&mut batch, &plan, &mut written).await?;
                let steps = merging(plan.steps, p.id, &p.number);
                if p.committed {
                    write_steps(&mut batch, snap.id, steps, &mut written).await?;
                    p.unmerged = p.unmerged.saturating_sub(1);
                    if p.unmerged == 0 {
                        write_steps(&mut batch, p.id, std::mem::take(&mut p.rest), &mut written).await?;
                        pending.remove(&i);
                    }
                } else {
                    p.waiting.push((snap.id, steps));
                }
            }
        }
        in_batch += 1;
        if in_batch >= BATCH_CASES {
            batch.commit().await?;
            batch = store.batch().await?;
            in_batch = 0;
            settle(&mut batch, &mut pending, &mut written).await?;
        }
        if written.cases >= next_report {
            writeln!(out, "cases: {} of {} … {:.1} s", written.cases, cases, cases_started.elapsed().as_secs_f64())?;
            next_report += 5000;
        }
    }
    batch.commit().await?;
    if !pending.is_empty() {
        let mut batch = store.batch().await?;
        settle(&mut batch, &mut pending, &mut written).await?;
        // A duplicate that could not be replayed would leave its target unfinished; finish it.
        for (_, p) in pending.drain() {
            write_steps(&mut batch, p.id, p.rest, &mut written).await?;
        }
        batch.commit().await?;
    }

    let counts = store.state_counts(&Scope::Subtree(world.city.code.clone())).await?;
    let by_state: Vec<String> = CaseState::ALL
        .iter()
        .map(|s| format!("{} {}", s.as_str(), counts.iter().find(|c| c.0 == *s).map_or(0, |c| c.1)))
        .collect();
    writeln!(
        out,
        "cases: {} ({} events) in {:.1} s; total {:.1} s",
        written.cases,
        written.events,
        cases_started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    )?;
    writeln!(out, "states: {}", by_state.join(", "))?;

    let base_started = Instant::now();
    let b = base::build(store, &world, &mut rng, now).await.context("building the base data")?;
    writeln!(
        out,
        "base data: {} houses, {} residents, {} legal entities, {} cameras, {} visit logs in {:.1} s",
        b.houses,
        b.residents,
        b.entities,
        b.cameras,
        b.visits,
        base_started.elapsed().as_secs_f64()
    )?;

    let disputes_started = Instant::now();
    let d = disputes::build(store, &world, &mut rng, now).await.context("building the disputes")?;
    writeln!(
        out,
        "disputes: {} mediation organisations, {} mediators, {} screenings, {} disputes ({} events) over a year in {:.1} s",
        d.orgs,
        d.mediators,
        d.screenings,
        d.disputes,
        d.events,
        disputes_started.elapsed().as_secs_f64()
    )?;

    let deliberation_started = Instant::now();
    let p = deliberation::build(store, &world, &mut rng, now).await.context("building the proposals")?;
    writeln!(
        out,
        "deliberation: {} proposals, {} meetings, {} comments in {:.1} s",
        p.proposals,
        p.meetings,
        p.comments,
        deliberation_started.elapsed().as_secs_f64()
    )?;

    let points_started = Instant::now();
    let p = points::build(store, &world, &mut rng, now).await.context("building volunteers and points")?;
    writeln!(
        out,
        "volunteers and points: {} volunteers, {} activities ({} attendances), {} goods, {} redemptions, {} rewards for true reports in {:.1} s",
        p.volunteers,
        p.activities,
        p.attendance,
        p.goods,
        p.redemptions,
        p.rewards,
        points_started.elapsed().as_secs_f64()
    )?;
    Ok(world.accounts.clone())
}

#[cfg(test)]
mod tests {
    use shiyu_domain::area::{AreaCode, AreaLevel};
    use shiyu_domain::case::CategoryCode;
    use shiyu_storage::config::Rules;

    use super::*;

    /// Bounding box of a GeoJSON Polygon's outer ring: (west, south, east, north).
    fn bbox(geojson: &str) -> (f64, f64, f64, f64) {
        let v: serde_json::Value = serde_json::from_str(geojson).expect("geojson");
        assert_eq!(v["type"], "Polygon");
        let ring = v["coordinates"][0].as_array().expect("ring");
        assert!(ring.len() >= 4 && ring.first() == ring.last(), "closed ring");
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in ring {
            let (x, y) = (p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat"));
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        b
    }

    #[tokio::test]
    async fn small_demo_is_complete_and_consistent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("demo.db");
        let store = Store::open(&path.display().to_string(), Rules::default(), vec![7; 32]).await.expect("store");
        let mut log = Vec::new();
        let accounts = build(&store, 400, &mut log).await.expect("demo builds");
        let log = String::from_utf8(log).expect("utf-8");
        assert!(log.contains("cases: "), "{log}");

        // Every state of the case life appears.
        let city = AreaCode::parse(city::CITY_CODE).expect("city");
        let counts: HashMap<CaseState, i64> =
            store.state_counts(&Scope::Subtree(city.clone())).await.expect("counts").into_iter().collect();
        for s in CaseState::ALL {
            assert!(counts.get(&s).copied().unwrap_or(0) > 0, "no case in state {}: {log}", s.as_str());
        }
        let total: i64 = counts.values().sum();
        assert!((380..=400).contains(&total), "{total} cases");

        // Histories chain and replay.
        let report = store.verify_histories().await.expect("verify");
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_eq!(report.cases, total as u64);
        assert!(report.disputes > 500, "a year of disputes: {}", report.disputes);
        assert!(report.proposals >= 7, "proposals of a village and a community: {}", report.proposals);

        // Disputes reach every tier and every outcome; some screenings are overdue.
        let today = shiyu_domain::time::local_date(Utc::now());
        let f = store.dispute_figures(&city, today - chrono::Days::new(400), today).await.expect("figures");
        use shiyu_domain::dispute::Tier;
        use shiyu_domain::stats::disputes::DisputeMetric as M;
        for tier in Tier::ALL {
            assert!(f.at(M::Agreed, *tier) > 0, "no agreement at {tier:?}: {f:?}");
        }
        for m in [M::Escalated, M::Referred, M::Performed] {
            assert!(f.total(m) > 0, "{m:?}: {f:?}");
        }
        let rate = f.success_permille().expect("rate");
        assert!((600..=950).contains(&rate), "success rate {rate}");

        // Every printed account signs in with the demo password.
        let names: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
        for needed in [
            "resident",
            "grid",
            "operator",
            "city_operator",
            "handler",
            "leader",
            "mediator",
            "vmediator",
            "analyst",
            "admin",
        ] {
            assert!(names.contains(&needed), "{needed} missing from {names:?}");
        }
        for a in &accounts {
            let (user, hash) = store.user_for_login(&a.username).await.expect("account exists");
            assert!(user.active);
            assert!(shiyu_http::auth::password::verify(DEMO_PASSWORD, &hash), "{}", a.username);
        }

        // The demo accounts have work waiting.
        let user = |n: &str| {
            let store = store.clone();
            let n = n.to_owned();
            async move { store.user_for_login(&n).await.expect("user").0.principal() }
        };
        let resident = user("resident").await;
        let own = store.state_counts(&resident.scope()).await.expect("own");
        assert!(own.len() >= 6, "resident's cases are in few states: {own:?}");
        let handler = user("handler").await;
        let theirs: HashMap<CaseState, i64> =
            store.state_counts(&handler.scope()).await.expect("org").into_iter().collect();
        assert!(
            theirs.contains_key(&CaseState::Dispatched) && theirs.contains_key(&CaseState::InProgress),
            "{theirs:?}"
        );

        // The mediators have disputes on their desks, and some communities are overdue.
        let vmediator = user("vmediator").await;
        let mine = store.disputes(&vmediator, &shiyu_storage::disputes::DisputeList::Mine, 500).await.expect("mine");
        assert!(!mine.is_empty(), "the village mediator has no disputes");
        let mediator = user("mediator").await;
        let status = store.screening_status(&mediator, today, 4).await.expect("status");
        assert!(status.iter().any(|s| !s.missed.is_empty()), "no overdue screening");
        assert!(status.iter().any(|s| s.last_held.is_some()), "no screening");

        // Proposals stand at every point of their procedures; the printed leader sees the
        // community's, a resident reads every one.
        use shiyu_domain::deliberation::ProposalStatus;
        let all = store.proposals(&resident, &Default::default()).await.expect("proposals");
        for s in [ProposalStatus::Completed, ProposalStatus::NotAdopted, ProposalStatus::InProgress] {
            assert!(all.iter().any(|p| p.proposal.status == s), "no proposal {s:?}");
        }
        let leader = user("leader").await;
        let theirs = store.proposals(&leader, &Default::default()).await.expect("leader's");
        assert!(theirs.len() >= 3 && theirs.len() < all.len(), "{} of {}", theirs.len(), all.len());
        // The demo resident volunteers, holds points, and has goods waiting to be collected; the
        // demo operator's area has activities open for sign-up; the books are whole.
        let rv = store.volunteer_of_user(resident.user_id).await.expect("volunteer").expect("the resident volunteers");
        assert!(rv.service_minutes.0 > 0, "{rv:?}");
        let mine = store.my_redemptions(resident.user_id, 50).await.expect("redemptions");
        assert!(mine.iter().any(|r| r.state == shiyu_domain::points::RedemptionState::Reserved), "{mine:?}");
        let history = store.member_history(resident.user_id, 100).await.expect("history");
        assert!(history.iter().any(|h| h.kind == shiyu_domain::points::EntryKind::Service), "{history:?}");
        let operator = user("operator").await;
        let upcoming = shiyu_storage::points::activities::ActivityFilter { area: None, upcoming: true, limit: 50 };
        assert!(!store.activities(&operator, &upcoming, Utc::now()).await.expect("activities").is_empty());
        let books = store.points_check().await.expect("check");
        assert!(books.problems.is_empty() && books.entries > 10, "{books:?}");

        // Areas nest: each polygon lies inside its parent's.
        let areas = store.areas_within(&city).await.expect("areas");
        let boxes: HashMap<AreaCode, (f64, f64, f64, f64)> =
            areas.iter().map(|a| (a.code.clone(), bbox(a.polygon.as_deref().expect("polygon")))).collect();
        let eps = 1e-9;
        for a in &areas {
            let b = boxes[&a.code];
            assert!(b.0 >= 112.9 - eps && b.2 <= 113.1 + eps && b.1 >= 28.1 - eps && b.3 <= 28.3 + eps);
            if let Some(p) = &a.parent {
                let pb = boxes[p];
                assert!(
                    b.0 >= pb.0 - eps && b.1 >= pb.1 - eps && b.2 <= pb.2 + eps && b.3 <= pb.3 + eps,
                    "{} sticks out of {}",
                    a.code,
                    p
                );
            }
        }
        assert!(areas.iter().filter(|a| a.level == AreaLevel::Grid).count() >= 5 * 3 * 3 * 3);

        // Every grid has houses, residents, entities, cameras and a week of visits; the audit log
        // of those imports and visits verifies.
        let admin = user("admin").await;
        let grids: Vec<&shiyu_storage::directory::Area> = areas.iter().filter(|a| a.level == AreaLevel::Grid).collect();
        let cams = store.all_cameras().await.expect("cameras");
        assert_eq!(cams.len(), grids.len() * 2);
        let today = shiyu_domain::time::local_date(Utc::now());
        for g in &grids {
            let (houses, _) = store.houses(&admin, Some(&g.code), 100, 0).await.expect("houses");
            assert!(houses.iter().filter(|h| h.residents > 0).count() >= 5, "{} has too few inhabited houses", g.code);
            let (_, people) = store.residents(&admin, Some(&g.code), None, 1, 0).await.expect("people");
            assert!(people >= 5, "{} has {people} residents", g.code);
            let visits = store.visits(&g.code, today - chrono::Duration::days(7), today, 50).await.expect("visits");
            assert_eq!(visits.len(), 7, "{} visits", g.code);
            assert!(cams.iter().filter(|c| c.grid.as_deref() == Some(g.code.as_str())).count() == 2);
        }
        let (_, entities) = store.entities(&admin, None, 1, 0).await.expect("entities");
        assert_eq!(entities, i64::try_from(grids.len() * 3).expect("n"));
        let check = store.verify_audit_log(city.city_key().as_str()).await.expect("audit");
        assert!(check.broken_at.is_empty() && check.entries > grids.len() as u64, "{check:?}");

        // Categories parse, and every topic's category exists.
        let cats = store.categories().await.expect("categories");
        assert!(cats.len() > 100);
        for c in &cats {
            assert!(CategoryCode::parse(c.code.as_str()).is_ok());
        }
        for t in topics::RESIDENT_TOPICS.iter().chain(topics::GRID_TOPICS) {
            assert!(cats.iter().any(|c| c.code.as_str() == t.category), "{}", t.category);
        }
    }

    #[test]
    fn templates_have_no_unknown_placeholders() {
        let mut v = topics::Vars::default();
        let mut rng = StdRng::seed_from_u64(1);
        v.draw_details(&mut rng);
        for t in topics::RESIDENT_TOPICS.iter().chain(topics::GRID_TOPICS) {
            let all = t
                .titles
                .iter()
                .chain(t.texts)
                .chain(t.resolved)
                .chain([&t.explained, &t.pending])
                .chain(t.on_spot.iter());
            for s in all {
                let filled = v.fill(s);
                assert!(!filled.contains('{') && !filled.contains('}'), "{s}");
            }
            assert!(!t.titles.is_empty() && !t.texts.is_empty() && !t.resolved.is_empty(), "{}", t.category);
            assert!(t.titles.len() <= t.texts.len(), "{}: a title without a text", t.category);
        }
    }
}
