//! Case lives. A [`Spec`] says where a case should stand today and what happened on the way
//! (returned, escalated, overdue, redone…); the [`Planner`] plays that life through the domain's
//! own state machine (`decide`), so every move is legal for its actor before anything is written,
//! and places it in time so that its last move lies in the past.

use anyhow::Context as _;
use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use shiyu_domain::area::AreaLevel;
use shiyu_domain::case::{
    CaseSnapshot, CaseState, CategoryCode, Channel, Ctx, Intake, Ledger, Move, Reporter, ResultKind, Satisfaction,
    SupervisionLevel, Urgency, decide, register,
};
use shiyu_domain::ids::{CaseId, CaseNumber, OrgId};
use shiyu_domain::scope::Principal;
use shiyu_storage::ContactInput;
use shiyu_storage::config::Rules;

use super::city::{CITY_NAME, World};
use super::clock::Clock;
use super::names;
use super::topics::{self, Dept, Topic, Vars};

/// Who brought the matter in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A resident with an account (web or mobile), by index into the world's residents.
    Resident(usize),
    /// The city's 12345 hotline.
    Hotline,
    /// Another system (the provincial platform).
    External,
    /// The street centre's desk: walk-in, letter, liaison, video.
    Desk(Channel),
    /// A call to the street leader's phone.
    LeaderPhone,
    /// The grid worker on their round.
    Grid,
}

/// Where a case that ends "accepted" stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AcceptedStop {
    /// Just accepted.
    Accept,
    /// Handed down by the city centre, not yet dispatched.
    Delegated,
    /// Sent back by a department as misrouted.
    Returned,
    /// Raised to the district, not yet dispatched there.
    Escalated,
}

/// What happens on the way.
#[derive(Debug, Clone, Copy)]
pub(super) struct Flags {
    /// The operator asks a leader to read and instruct first (critical cases always do).
    pub review: bool,
    /// Where a case meant to end "accepted" stops.
    pub accepted_stop: AcceptedStop,
    /// First dispatched to the wrong department, which returns it.
    pub returned: bool,
    /// The department asks for escalation and the street raises it to the district.
    pub escalate: bool,
    /// The city centre hands the case to a district rather than a street.
    pub district: bool,
    /// The city centre dispatches a utility matter itself.
    pub city_direct: bool,
    /// The grid worker handles it on the spot (events that allow it).
    pub self_handle: bool,
    /// The department asks for more time.
    pub extension: bool,
    /// Stop while the extension request is pending (in-progress cases).
    pub extension_pending: bool,
    /// The result comes after the deadline (after a chase).
    pub overdue: bool,
    /// Put under supervision (督办).
    pub supervise: bool,
    /// The leader's check fails once (把关退回).
    pub sendback: bool,
    /// The resident's answer at revisit.
    pub satisfaction: Satisfaction,
    /// An unsatisfied answer leads to a redo.
    pub redo: bool,
    /// The resident rates the result in the app rather than by phone.
    pub resident_rates: bool,
    /// For cases ending in revisit: the answer is recorded, closing is pending.
    pub revisit_recorded: bool,
    /// The kind of result the department reports.
    pub result: ResultKind,
    /// A co-organiser is added to the dispatch.
    pub co: bool,
}

impl Flags {
    /// A plain life: no detours.
    pub fn plain() -> Self {
        Flags {
            review: false,
            accepted_stop: AcceptedStop::Accept,
            returned: false,
            escalate: false,
            district: false,
            city_direct: true,
            self_handle: false,
            extension: false,
            extension_pending: false,
            overdue: false,
            supervise: false,
            sendback: false,
            satisfaction: Satisfaction::Satisfied,
            redo: false,
            resident_rates: false,
            revisit_recorded: false,
            result: ResultKind::Resolved,
            co: false,
        }
    }

    /// Detours drawn with realistic frequencies, consistent with the target state.
    pub fn draw(rng: &mut StdRng, outcome: CaseState, origin: Origin, topic: &Topic, stop: AcceptedStop) -> Self {
        use CaseState as S;
        let p = |rng: &mut StdRng, x: f64| rng.random_bool(x);
        let mut f = Flags::plain();
        f.accepted_stop = stop;
        let later = matches!(outcome, S::InProgress | S::Handled | S::Revisit | S::Closed | S::Archived);
        f.self_handle = origin == Origin::Grid
            && topic.on_spot.is_some()
            && (later || (outcome == S::Accepted && stop == AcceptedStop::Accept))
            && p(rng, 0.65);
        f.returned = stop == AcceptedStop::Returned || (!f.self_handle && p(rng, 0.05));
        f.escalate = stop == AcceptedStop::Escalated || (later && !f.self_handle && p(rng, 0.03));
        f.district = stop != AcceptedStop::Delegated && p(rng, 0.15);
        f.city_direct = stop != AcceptedStop::Delegated && p(rng, 0.6);
        f.extension = !f.self_handle && later && p(rng, 0.06);
        f.extension_pending = outcome == S::InProgress && f.extension && p(rng, 0.4);
        f.overdue = match outcome {
            S::Dispatched => p(rng, 0.3),
            S::InProgress => p(rng, 0.25),
            S::Handled | S::Revisit | S::Closed | S::Archived => p(rng, 0.1),
            _ => false,
        };
        f.supervise = p(rng, if f.overdue { 0.5 } else { 0.02 }) && outcome != S::Dispatched;
        f.sendback = later && p(rng, 0.04);
        let x: f64 = rng.random();
        f.satisfaction = if x < 0.72 {
            Satisfaction::Satisfied
        } else if x < 0.88 {
            Satisfaction::Basic
        } else if x < 0.95 {
            Satisfaction::Unsatisfied
        } else {
            Satisfaction::Unreachable
        };
        f.redo = f.satisfaction == Satisfaction::Unsatisfied && p(rng, 0.7);
        if outcome == S::InProgress && p(rng, 0.05) {
            // Redone after an unsatisfied revisit, and being handled again.
            f.satisfaction = Satisfaction::Unsatisfied;
            f.redo = true;
        }
        f.resident_rates = matches!(origin, Origin::Resident(_)) && p(rng, 0.5);
        f.revisit_recorded = outcome == S::Revisit && p(rng, 0.3);
        let y: f64 = rng.random();
        f.result = if y < 0.76 {
            ResultKind::Resolved
        } else if y < 0.93 {
            ResultKind::Explained
        } else {
            ResultKind::NotYetPossible
        };
        f.co = topic.co.is_some() && p(rng, 0.25);
        f.review = p(rng, 0.01);
        f
    }
}

/// One case to generate.
#[derive(Debug)]
pub(super) struct Spec {
    /// Where it stands today.
    pub outcome: CaseState,
    /// Who brought it in.
    pub origin: Origin,
    /// What it is about.
    pub topic: &'static Topic,
    /// Index into the world's grids.
    pub grid: usize,
    /// How urgent.
    pub urgency: Urgency,
    /// Detours on the way.
    pub f: Flags,
    /// Seed of the life's choices (the same life whenever it is replayed).
    pub seed: u64,
    /// Seed of the place details (duplicates share their target's).
    pub place_seed: u64,
    /// Later reports of the same matter, merged into this one.
    pub dups: Vec<Spec>,
    /// Registered at a random time of the last 180 days and followed to its end, or as far as
    /// today: its state today comes from how long each step takes. Otherwise the life is placed
    /// so that it stands in `outcome` today (the hand-placed cases of the demo accounts).
    pub natural: bool,
}

/// Raised inside a simulation when the next move would come after today.
#[derive(Debug)]
struct Cutoff;

impl std::fmt::Display for Cutoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the life goes on after today")
    }
}

impl std::error::Error for Cutoff {}

pub(super) fn is_cutoff(e: &anyhow::Error) -> bool {
    e.downcast_ref::<Cutoff>().is_some()
}

/// One move at one time by one person.
#[derive(Debug)]
pub(super) struct Step<'w> {
    pub actor: &'w Principal,
    pub mv: Move,
    pub at: DateTime<Utc>,
}

/// A life ready to write.
#[derive(Debug)]
pub(super) struct Plan<'w> {
    /// Who registers.
    pub actor: &'w Principal,
    pub intake: Intake,
    pub contact: Option<ContactInput>,
    /// When it is registered.
    pub t0: DateTime<Utc>,
    pub steps: Vec<Step<'w>>,
    /// The case after the last step, as the domain computed it.
    pub snap: CaseSnapshot,
}

impl Plan<'_> {
    /// The time of the last event.
    pub fn end(&self) -> DateTime<Utc> {
        self.steps.last().map_or(self.t0, |s| s.at)
    }
}

/// A stand-in for the merge target while simulating; the real one is known only once the target
/// is written.
fn placeholder_target() -> (CaseId, CaseNumber) {
    (CaseId(uuid::Uuid::from_u128(1)), CaseNumber::new(chrono::NaiveDate::MIN, 1))
}

/// Plays lives through the domain and places them in time.
pub(super) struct Planner<'w> {
    pub world: &'w World,
    rules: &'w Rules,
    pub clock: Clock<'w>,
    pub now: DateTime<Utc>,
}

const MINUTE: TimeDelta = TimeDelta::minutes(1);

impl<'w> Planner<'w> {
    /// A planner deciding with `rules` (the store's), with `now` as today.
    pub fn new(world: &'w World, rules: &'w Rules, now: DateTime<Utc>) -> Self {
        Self { world, rules, clock: Clock::new(&rules.calendar), now }
    }

    fn ctx<'a>(&'a self, actor: &'a Principal, now: DateTime<Utc>) -> Ctx<'a> {
        Ctx { actor, now, calendar: &self.rules.calendar, policy: &self.rules.policy, rules: &self.rules.case }
    }

    /// The place details of a spec's matter.
    fn vars(&self, spec: &Spec) -> Vars {
        let mut r = StdRng::seed_from_u64(spec.place_seed);
        let w = self.world;
        let grid = &w.grids[spec.grid];
        let comm = &w.communities[grid.community];
        let street = &w.streets[comm.street];
        let district = &w.districts[street.district];
        let pick = |r: &mut StdRng, v: &[String]| v.choose(r).cloned().unwrap_or_default();
        let road = pick(&mut r, &street.roads);
        let mut road2 = pick(&mut r, &street.roads);
        if road2 == road {
            road2 = street.roads.iter().find(|x| **x != road).cloned().unwrap_or_default();
        }
        let mut v = Vars {
            estate: pick(&mut r, &comm.estates),
            road,
            road2,
            market: format!("{}农贸市场", street.stem),
            school: format!(
                "{}{}",
                street.stem,
                ["小学", "实验小学", "中学"].choose(&mut r).copied().unwrap_or("小学")
            ),
            hospital: format!("{}人民医院", district.node.name),
            river: names::RIVERS.choose(&mut r).copied().unwrap_or("清溪河").to_owned(),
            shop: names::SHOPS.choose(&mut r).copied().unwrap_or("湘味小厨").to_owned(),
            community: comm.node.name.clone(),
            city: CITY_NAME.to_owned(),
            project: format!(
                "{}{}",
                street.stem,
                ["安置房项目", "商业综合体项目", "学校改扩建项目"].choose(&mut r).copied().unwrap_or("项目")
            ),
            ..Vars::default()
        };
        v.draw_details(&mut r);
        v
    }

    /// Plays a spec's life from `t0` (adjusted to when such a report can come in), stopping
    /// before the first move after `limit`. Fails with [`Cutoff`] if even the registration would
    /// come after `limit`.
    pub fn simulate(&self, spec: &Spec, t0: DateTime<Utc>, limit: DateTime<Utc>) -> anyhow::Result<Plan<'w>> {
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let w = self.world;
        let grid = &w.grids[spec.grid];
        let street = w.street_of(&grid.node.code).context("grid outside any street")?;
        let mut vars = self.vars(spec);
        if spec.outcome == CaseState::Merged {
            // A second reporter describes the same place in their own numbers.
            vars.draw_details(&mut rng);
        }
        let topic = spec.topic;
        let variant = rng.random_range(0..topic.texts.len().max(1));
        let title = vars.fill(topics::title(topic, variant));
        let text = vars.fill(topic.texts.get(variant).copied().unwrap_or("群众反映问题，请核查处理。"));
        let point = grid.node.rect.point(&mut rng);
        let contact = |rng: &mut StdRng| ContactInput { name: names::caller(rng), phone: names::phone(rng) };
        // Residents write at any hour but mostly by day; offices register in office hours.
        let any_hour = |rng: &mut StdRng, t: DateTime<Utc>| {
            if Clock::local_hour(t) < 7 && rng.random_bool(0.85) {
                t + TimeDelta::minutes(rng.random_range(420..=600))
            } else {
                t
            }
        };
        let office = |rng: &mut StdRng, t: DateTime<Utc>| self.clock.add_work(t, rng.random_range(0..=180));
        let (actor, channel, reporter, contact, t0): (&'w Principal, _, _, _, _) = match spec.origin {
            Origin::Resident(i) => {
                let p = &w.residents.get(i).context("no such resident")?.0;
                let ch = if rng.random_bool(0.6) { Channel::Mobile } else { Channel::Web };
                (p, ch, Reporter::Account { user: p.user_id }, None, any_hour(&mut rng, t0))
            }
            Origin::Hotline => {
                let t = any_hour(&mut rng, t0);
                if rng.random_bool(0.85) {
                    (&w.city_op, Channel::Hotline, Reporter::Contact, Some(contact(&mut rng)), t)
                } else {
                    (&w.city_op, Channel::Hotline, Reporter::Anonymous, None, t)
                }
            }
            Origin::External => {
                (&w.city_op, Channel::External, Reporter::Contact, Some(contact(&mut rng)), office(&mut rng, t0))
            }
            Origin::Desk(ch) => {
                let t = office(&mut rng, t0);
                if ch == Channel::Letter && rng.random_bool(0.5) {
                    (&street.op, ch, Reporter::Anonymous, None, t)
                } else {
                    (&street.op, ch, Reporter::Contact, Some(contact(&mut rng)), t)
                }
            }
            Origin::LeaderPhone => {
                (&street.leader, Channel::LeaderPhone, Reporter::Contact, Some(contact(&mut rng)), office(&mut rng, t0))
            }
            Origin::Grid => (
                &grid.worker,
                Channel::GridWorker,
                Reporter::Account { user: grid.worker.user_id },
                None,
                office(&mut rng, t0),
            ),
        };
        if t0 > limit {
            return Err(Cutoff.into());
        }
        let located = matches!(spec.origin, Origin::Grid | Origin::Resident(_)) || rng.random_bool(0.6);
        let intake = Intake {
            ledger: topic.ledger,
            category: CategoryCode::parse(topic.category)?,
            channel,
            urgency: spec.urgency,
            title,
            text,
            area: grid.node.code.clone(),
            location: located.then_some(point),
            off_grid: false,
            reporter,
            attachments: Vec::new(),
        };
        let number = CaseNumber::new(shiyu_domain::time::local_date(t0), 1);
        let (snap, _) = register(CaseId(uuid::Uuid::nil()), number, intake.clone(), &self.ctx(actor, t0))
            .with_context(|| format!("registering as {}", actor.role.as_str()))?;
        let mut sim = Sim { p: self, spec, rng, snap, t: t0, steps: Vec::new(), vars, variant, limit };
        match sim.run() {
            Err(e) if !is_cutoff(&e) => {
                return Err(e.context(format!("the life of a {} case ({})", spec.outcome.as_str(), topic.category)));
            }
            _ => {}
        }
        Ok(Plan { actor, intake, contact, t0, steps: sim.steps, snap: sim.snap })
    }

    /// Plays a spec's life and places it so that it ends in the past, at a time that fits its
    /// state: finished cases anywhere in the last 180 days, open ones recently, with deadlines
    /// still running unless the spec says overdue.
    pub fn place(&self, spec: &Spec) -> anyhow::Result<Plan<'w>> {
        use CaseState as S;
        let now = self.now;
        let latest = now - MINUTE;
        let mut rng = StdRng::seed_from_u64(spec.seed.rotate_left(17) ^ 0x5eed_cafe);
        let mins = |rng: &mut StdRng, lo: i64, hi: i64| TimeDelta::minutes(rng.random_range(lo..=hi));
        if spec.natural {
            let mut t0 = now - mins(&mut rng, 2, 180 * 1440);
            for _ in 0..10 {
                match self.simulate(spec, t0, latest) {
                    Err(e) if is_cutoff(&e) => t0 -= TimeDelta::days(1),
                    other => return other,
                }
            }
            anyhow::bail!("could not place a case in the past");
        }
        let never = DateTime::<Utc>::MAX_UTC;
        let probe = self.simulate(spec, now - TimeDelta::days(120), never)?;
        let span = probe.end() - probe.t0;
        let end_target = match spec.outcome {
            S::Archived | S::NotAccepted | S::Merged => None,
            S::Closed => Some(now - mins(&mut rng, 120, 14 * 1440)),
            S::Registered => Some(now - mins(&mut rng, 5, 360)),
            S::PendingReview => Some(now - mins(&mut rng, 10, 1200)),
            S::Accepted => Some(now - mins(&mut rng, 10, 1800)),
            S::Handled => Some(now - mins(&mut rng, 10, 2400)),
            S::Dispatched | S::InProgress | S::Revisit => match probe.snap.current_due() {
                _ if spec.f.overdue => Some(now - mins(&mut rng, 10, 2880)),
                Some(due) if due > probe.end() => {
                    let slack = (due - probe.end()).num_minutes() as f64;
                    Some(now - TimeDelta::minutes((slack * rng.random_range(0.1..0.85)) as i64))
                }
                _ => Some(now - mins(&mut rng, 10, 1440)),
            },
        };
        let mut t0 = match end_target {
            Some(end) => end - span,
            None => {
                let room = (TimeDelta::days(180) - span - TimeDelta::hours(2)).num_minutes().max(0);
                now - TimeDelta::days(180) + mins(&mut rng, 0, room)
            }
        };
        for attempt in 0..12 {
            let plan = self.simulate(spec, t0, never)?;
            if plan.end() <= latest {
                anyhow::ensure!(
                    plan.snap.state == spec.outcome,
                    "demo life meant to end {} ended {} ({:?})",
                    spec.outcome.as_str(),
                    plan.snap.state.as_str(),
                    spec.f
                );
                return Ok(plan);
            }
            // Step back by the overshoot and a growing margin: a start inside a long holiday
            // snaps to its end, so small steps back may not move the life at all.
            t0 = t0 - (plan.end() - latest) - TimeDelta::hours(2 << attempt) - mins(&mut rng, 1, 60);
        }
        anyhow::bail!("could not place a {} case in the past", spec.outcome.as_str())
    }

    /// Plays a duplicate report of `target`'s matter: registered soon after the target, merged
    /// while the target is still open. `None` if the target's life leaves no such moment.
    pub fn plan_dup(&self, dup: &Spec, target: &Plan<'w>) -> anyhow::Result<Option<Plan<'w>>> {
        let ends = |m: &Move| {
            matches!(
                m,
                Move::Close { .. } | Move::NotAccept { .. } | Move::Merge { .. } | Move::Review { accept: false, .. }
            )
        };
        let closed_at = target.steps.iter().find(|s| ends(&s.mv)).map_or(self.now, |s| s.at);
        let limit = closed_at.min(self.now) - MINUTE;
        let mut rng = StdRng::seed_from_u64(dup.seed ^ 0xd0b1e);
        for lead in [rng.random_range(20..=900), rng.random_range(5..=60), 1] {
            let td = self.clock.add_work(target.t0, lead).max(target.t0 + MINUTE);
            let plan = match self.simulate(dup, td, limit) {
                Err(e) if is_cutoff(&e) => continue,
                other => other?,
            };
            if plan.t0 > target.t0 && plan.end() < limit && plan.snap.state == CaseState::Merged {
                return Ok(Some(plan));
            }
        }
        Ok(None)
    }
}

/// One run of a life.
struct Sim<'p, 'w> {
    p: &'p Planner<'w>,
    spec: &'p Spec,
    rng: StdRng,
    snap: CaseSnapshot,
    t: DateTime<Utc>,
    steps: Vec<Step<'w>>,
    vars: Vars,
    /// Which of the topic's texts the report used.
    variant: usize,
    /// No move after this instant (today).
    limit: DateTime<Utc>,
}

fn pick(rng: &mut StdRng, options: &[&str]) -> String {
    options.choose(rng).copied().unwrap_or_default().to_owned()
}

const REVIEW_NOTES: &[&str] = &["紧急事项，提请领导阅批。", "涉及群体性诉求，提请领导阅批。", "事项敏感，请领导阅示。"];
const INSTRUCTIONS: &[&str] = &[
    "请相关部门高度重视，立即核查处置，每日报告进展。",
    "同意受理，请街道牵头会同相关部门限时办结。",
    "请尽快现场核实，妥善处理，做好群众解释工作。",
];
const NOT_ACCEPT: &[&str] = &[
    "该诉求已进入司法程序，依法应通过诉讼途径解决，已告知反映人。",
    "诉求属民事合同纠纷，不属于本平台受理范围，已引导通过法律途径解决。",
    "反映内容不具体，多次回拨无法联系反映人，无法受理。",
    "同一事项已办结答复，反映人未提出新的事实和理由。",
];
/// Why an event a grid worker reported is not taken up.
const EVENT_NOT_ACCEPT: &[&str] = &[
    "经核查，该问题已由物业自行处理完毕，无需立案。",
    "同一事件已由其他网格上报并在处置中，不再重复立案。",
    "现场核实情况与上报不符，不予立案。",
];
const ACCEPT_NOTES: &[&str] = &["已受理，已告知反映人编号和办理时限。", "受理告知已发送。", ""];
const DISPATCH_NOTES: &[&str] = &[
    "请按时限办理并反馈结果。",
    "请尽快现场核查处置，办理结果附现场照片。",
    "请主办单位牵头，协办单位配合，限时办结。",
];
const URGE_NOTES: &[&str] = &["已超过办理时限，请抓紧办理并反馈。", "群众再次来电催促，请加快办理。"];
const EXTENSION_REASONS: &[&str] =
    &["需协调产权单位和施工队伍，申请延期。", "涉及资金审批流程，申请延期办理。", "需等待第三方检测结果，申请延期。"];
const SENDBACK_REASONS: &[&str] = &[
    "办理结果未附现场照片和整改前后对比，退回补充。",
    "反馈内容与诉求不对应，请重新核实办理。",
    "未与反映人沟通确认，请联系反映人后重新反馈。",
];

impl<'w> Sim<'_, 'w> {
    fn stop(&self, state: CaseState) -> bool {
        self.spec.outcome == state
    }

    fn stop_accepted(&self, at: AcceptedStop) -> bool {
        self.spec.outcome == CaseState::Accepted && self.spec.f.accepted_stop == at
    }

    fn op(&self) -> &'w Principal {
        self.p.world.op_for(&self.snap.handling_area)
    }

    fn leader(&self) -> &'w Principal {
        self.p.world.leader_for(&self.snap.handling_area)
    }

    fn handler(&self, org: OrgId) -> anyhow::Result<&'w Principal> {
        self.p.world.handlers.get(&org).context("organisation without a handler")
    }

    fn lead_handler(&self) -> anyhow::Result<&'w Principal> {
        let lead = self.snap.lead_org.context("no lead organisation")?;
        self.handler(lead)
    }

    fn grid_worker(&self) -> &'w Principal {
        &self.p.world.grids[self.spec.grid].worker
    }

    fn org_for(&self, dept: Dept) -> anyhow::Result<OrgId> {
        self.p.world.dept_org(dept, &self.snap.handling_area, &self.snap.area).context("no organisation for dept")
    }

    fn minutes(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi.max(lo))
    }

    /// A move `lo..=hi` working minutes after the previous one.
    fn act(&mut self, actor: &'w Principal, mv: Move, lo: i64, hi: i64) -> anyhow::Result<()> {
        let m = self.minutes(lo, hi);
        let at = self.p.clock.add_work(self.t, m);
        self.act_at(actor, mv, at)
    }

    /// A move at `at` (or just after the previous one, keeping the history in order).
    fn act_at(&mut self, actor: &'w Principal, mv: Move, at: DateTime<Utc>) -> anyhow::Result<()> {
        let at = at.max(self.t + MINUTE);
        if at > self.limit {
            return Err(Cutoff.into());
        }
        let event = decide(&self.snap, mv.clone(), &self.p.ctx(actor, at)).with_context(|| {
            format!("{} by {} in state {}", mv.name(), actor.role.as_str(), self.snap.state.as_str())
        })?;
        self.snap.evolve(&event)?;
        self.steps.push(Step { actor, mv, at });
        self.t = at;
        Ok(())
    }

    /// A time a share of the working time before `due` (or soon, when `due` has passed).
    fn within(&mut self, due: Option<DateTime<Utc>>, lo: f64, hi: f64) -> DateTime<Utc> {
        let window = due.map_or(0, |d| self.p.clock.work_between(self.t, d));
        if window > 10 {
            let share = self.rng.random_range(lo..hi);
            let m = ((window as f64 * share) as i64).clamp(1, window - 1);
            self.p.clock.add_work(self.t, m)
        } else {
            let m = self.minutes(30, 600);
            self.p.clock.add_work(self.t, m)
        }
    }

    fn dispatch(&mut self, lead: OrgId, co: Vec<OrgId>) -> anyhow::Result<()> {
        let op = self.op();
        let note = pick(&mut self.rng, DISPATCH_NOTES);
        self.act(op, Move::Dispatch { lead, co, note }, 10, 240)
    }

    fn co_orgs(&self, lead: OrgId) -> Vec<OrgId> {
        if !self.spec.f.co {
            return Vec::new();
        }
        self.spec.topic.co.and_then(|d| self.org_for(d).ok()).filter(|o| *o != lead).into_iter().collect()
    }

    fn sign(&mut self) -> anyhow::Result<()> {
        let h = self.lead_handler()?;
        if self.rng.random_bool(0.05) {
            // A late signature now and then, after a chase, so response rates are not all 100 %.
            if let Some(due) = self.snap.sign_by {
                let m = self.minutes(30, 300);
                let at = self.p.clock.add_work(due, m);
                let note = pick(&mut self.rng, URGE_NOTES);
                let op = self.op();
                self.act_at(op, Move::Urge { note }, at)?;
            }
            self.act(h, Move::Sign, 30, 600)
        } else {
            let at = self.within(self.snap.sign_by, 0.05, 0.7);
            self.act_at(h, Move::Sign, at)
        }
    }

    fn report(&mut self, self_handled: bool) -> anyhow::Result<()> {
        let topic = self.spec.topic;
        let (actor, outcome, text) = if self_handled {
            let text = topic.on_spot.map_or_else(|| self.vars.fill(topic.resolved[0]), |t| self.vars.fill(t));
            (self.grid_worker(), ResultKind::Resolved, text)
        } else {
            let kind = self.spec.f.result;
            let text = topics::result_text(topic, self.variant, kind, &self.vars, &mut self.rng);
            (self.lead_handler()?, kind, text)
        };
        let at = if self.spec.f.overdue && self.snap.handle_by.is_some_and(|d| d <= self.t) {
            // Most late results come within days of the chase; some matters stay stuck for weeks.
            let m = if self.rng.random_bool(0.2) { self.minutes(2400, 12_000) } else { self.minutes(60, 2400) };
            self.p.clock.add_work(self.t, m)
        } else {
            self.within(self.snap.handle_by, 0.15, 0.85)
        };
        self.act_at(actor, Move::ReportResult { outcome, text }, at)
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let leader = self.leader();
        let note = pick(&mut self.rng, &["办理结果属实，同意回访。", "已核实，同意。", ""]);
        self.act(leader, Move::Verify { note }, 30, 900)
    }

    fn revisit(&mut self, satisfaction: Satisfaction) -> anyhow::Result<()> {
        let note = match satisfaction {
            Satisfaction::Satisfied => "群众对办理结果表示满意。",
            Satisfaction::Basic => "群众表示基本满意，希望加强后续管理。",
            Satisfaction::Unsatisfied => "群众表示问题仍未彻底解决，不满意。",
            Satisfaction::Unreachable => "电话回访三次均无人接听。",
        }
        .to_owned();
        let mv = Move::RecordRevisit { satisfaction, note };
        match self.spec.origin {
            Origin::Resident(i) if self.spec.f.resident_rates && satisfaction != Satisfaction::Unreachable => {
                let who = &self.p.world.residents.get(i).context("no such resident")?.0;
                let m = self.minutes(30, 1800);
                let at = self.t + TimeDelta::minutes(m);
                self.act_at(who, mv, at)
            }
            _ => {
                let op = self.op();
                self.act(op, mv, 60, 900)
            }
        }
    }

    /// The life, stopping where the spec says the case stands today.
    fn run(&mut self) -> anyhow::Result<()> {
        use CaseState as S;
        let spec = self.spec;
        let f = spec.f;
        let topic = spec.topic;
        if self.stop(S::Registered) {
            return Ok(());
        }

        // 受理, or 阅批 first.
        let op = self.op();
        if spec.urgency == Urgency::Critical || f.review {
            let note = pick(&mut self.rng, REVIEW_NOTES);
            self.act(op, Move::RequestReview { note }, 5, 60)?;
            if self.stop(S::PendingReview) {
                return Ok(());
            }
            let leader = self.leader();
            if self.stop(S::NotAccepted) {
                let instruction = pick(&mut self.rng, NOT_ACCEPT);
                return self.act(leader, Move::Review { accept: false, instruction }, 10, 240);
            }
            let instruction = pick(&mut self.rng, INSTRUCTIONS);
            self.act(leader, Move::Review { accept: true, instruction }, 10, 240)?;
        } else if self.stop(S::NotAccepted) {
            let reasons = if topic.ledger == Ledger::Event { EVENT_NOT_ACCEPT } else { NOT_ACCEPT };
            let reason = pick(&mut self.rng, reasons);
            return self.act(op, Move::NotAccept { reason }, 10, 300);
        } else if self.stop(S::Merged) {
            let (into, into_number) = placeholder_target();
            let reason = "与已登记的同一事项合并办理。".to_owned();
            return self.act(op, Move::Merge { into, into_number, reason }, 10, 180);
        } else {
            let note = pick(&mut self.rng, ACCEPT_NOTES);
            self.act(op, Move::Accept { note }, 5, 90)?;
        }
        if self.stop_accepted(AcceptedStop::Accept) {
            return Ok(());
        }

        // 下派: the city centre hands local matters down.
        if self.snap.handling_area.level() == AreaLevel::City && !(topic.dept.is_utility() && f.city_direct) {
            let level = if f.district { AreaLevel::District } else { AreaLevel::Street };
            let to = self.snap.area.ancestor_at(level).context("case outside the tree")?;
            let reason = if f.district {
                "涉及区级部门职责，下派区级办理。"
            } else {
                "属地事项，下派街道办理。"
            };
            let op = self.op();
            self.act(op, Move::Delegate { to, reason: reason.to_owned() }, 10, 240)?;
            if self.stop_accepted(AcceptedStop::Delegated) {
                return Ok(());
            }
        }

        // 网格自办, or 交办 (after a misrouting now and then) and 签收.
        let self_handled = f.self_handle && self.snap.handling_area.level() >= AreaLevel::Grid;
        if self_handled {
            let gw = self.grid_worker();
            self.act(gw, Move::SelfHandle { note: "网格员现场处置。".to_owned() }, 5, 120)?;
        } else {
            let lead = self.org_for(topic.dept)?;
            if f.returned {
                let mut wrong = self.org_for(topic.wrong)?;
                if wrong == lead {
                    wrong = self.org_for(if topic.dept == Dept::Housing { Dept::Urban } else { Dept::Housing })?;
                }
                self.dispatch(wrong, Vec::new())?;
                let h = self.handler(wrong)?;
                let reason = "经核实，该事项不属于我单位职责范围，申请退回重新交办。".to_owned();
                self.act(h, Move::Return { reason }, 30, 400)?;
                if self.stop_accepted(AcceptedStop::Returned) {
                    return Ok(());
                }
            }
            let co = self.co_orgs(lead);
            self.dispatch(lead, co)?;
            if self.stop(S::Dispatched) {
                if f.overdue
                    && let Some(due) = self.snap.sign_by
                {
                    let m = self.minutes(30, 600);
                    let at = self.p.clock.add_work(due, m);
                    let note = pick(&mut self.rng, URGE_NOTES);
                    let op = self.op();
                    self.act_at(op, Move::Urge { note }, at)?;
                }
                return Ok(());
            }
            self.sign()?;
            if f.escalate && self.snap.handling_area.level() == AreaLevel::Street {
                let h = self.lead_handler()?;
                let reason = "涉及多个部门职责，街道层面难以协调，申请提级办理。".to_owned();
                self.act(h, Move::RequestEscalation { reason }, 60, 1200)?;
                let op = self.op();
                self.act(op, Move::Escalate { reason: "跨部门事项，提级至区级统筹协调。".to_owned() }, 20, 400)?;
                if self.stop_accepted(AcceptedStop::Escalated) {
                    return Ok(());
                }
                let lead = self.org_for(topic.dept)?;
                let co = self.co_orgs(lead);
                self.dispatch(lead, co)?;
                self.sign()?;
            }
        }

        if f.supervise && !f.overdue {
            let leader = self.leader();
            let note = "群众反映强烈，列入领导督办。".to_owned();
            self.act(leader, Move::Supervise { level: SupervisionLevel::Leader, note }, 30, 600)?;
        }
        if f.extension && !self_handled {
            let h = self.lead_handler()?;
            let days = self.rng.random_range(3..=10);
            let reason = pick(&mut self.rng, EXTENSION_REASONS);
            self.act(h, Move::RequestExtension { days, reason }, 240, 3000)?;
            if self.stop(S::InProgress) && f.extension_pending {
                return Ok(());
            }
            let grant = self.rng.random_bool(0.85);
            let decider = if self.rng.random_bool(0.5) { self.op() } else { self.leader() };
            let note = if grant {
                "同意延期，请在新期限内办结。"
            } else {
                "延期理由不充分，请按原期限办结。"
            };
            self.act(decider, Move::DecideExtension { grant, note: note.to_owned() }, 30, 600)?;
        }
        if f.overdue
            && let Some(due) = self.snap.handle_by
        {
            let m = self.minutes(30, 900);
            let at = self.p.clock.add_work(due, m);
            let note = pick(&mut self.rng, URGE_NOTES);
            let op = self.op();
            self.act_at(op, Move::Urge { note }, at)?;
            if f.supervise {
                let x: f64 = self.rng.random();
                let (who, level, note) = if x < 0.55 {
                    (self.op(), SupervisionLevel::Centre, "超期未办结，列入中心督办。")
                } else if x < 0.9 {
                    (self.leader(), SupervisionLevel::Leader, "超期未办结，列入领导督办。")
                } else {
                    (&self.p.world.city_leader, SupervisionLevel::TopLeader, "重大民生事项，主要领导督办。")
                };
                self.act(who, Move::Supervise { level, note: note.to_owned() }, 60, 1500)?;
            }
        }
        if self.stop(S::InProgress) && !f.redo {
            return Ok(());
        }

        // 结果反馈, 书记把关, 回复征询.
        self.report(self_handled)?;
        if f.sendback {
            let leader = self.leader();
            let reason = pick(&mut self.rng, SENDBACK_REASONS);
            self.act(leader, Move::SendBack { reason }, 60, 900)?;
            self.report(self_handled)?;
        }
        if self.stop(S::Handled) {
            return Ok(());
        }
        self.verify()?;
        if self.stop(S::Revisit) && !f.revisit_recorded {
            return Ok(());
        }
        self.revisit(f.satisfaction)?;
        if self.stop(S::Revisit) {
            return Ok(());
        }
        if f.satisfaction == Satisfaction::Unsatisfied && f.redo {
            let op = self.op();
            self.act(op, Move::Redo { reason: "回访不满意，重新办理。".to_owned() }, 30, 600)?;
            if self.stop(S::InProgress) {
                return Ok(());
            }
            self.report(self_handled)?;
            self.verify()?;
            let again = if self.rng.random_bool(0.7) { Satisfaction::Satisfied } else { Satisfaction::Basic };
            self.revisit(again)?;
        }

        // 销号, 归档.
        let op = self.op();
        let note = pick(&mut self.rng, &["办结销号。", "群众满意，同意销号。", ""]);
        self.act(op, Move::Close { note }, 10, 300)?;
        if self.stop(S::Closed) {
            return Ok(());
        }
        let days = self.minutes(15, 30);
        self.act(op, Move::Archive, days * 420, days * 420 + 300)
    }
}
