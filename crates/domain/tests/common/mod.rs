//! Shared fixture for the domain's integration tests: a small city (one city, two districts, two
//! streets, communities, grids, a micro-grid), one principal per role and binding, a case driver
//! that decides and applies moves, an independent transition table written from DESIGN §4, and
//! a random driver for the property tests.
//!
//! Each test crate uses part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::event::{GENESIS, StoredLink, link_hash};
use shiyu_domain::case::machine::{self, CaseRules, Ctx};
use shiyu_domain::case::{
    CaseSnapshot, CaseState, CategoryCode, Channel, Event, GeoPoint, Intake, Ledger, Move, Reporter, ResultKind,
    Satisfaction, SupervisionLevel, Urgency,
};
use shiyu_domain::deadline::{DeadlinePolicy, WorkCalendar, WorkDuration};
use shiyu_domain::ids::{CaseId, CaseNumber, OrgId, UserId};
use shiyu_domain::role::Role;
use shiyu_domain::scope::{Binding, Principal};
use shiyu_domain::time::SHANGHAI;

// ---------------------------------------------------------------------------------------------
// The fixture city.

pub const CITY: &str = "439900000000";
pub const D1: &str = "439901000000";
pub const D2: &str = "439902000000";
pub const S1: &str = "439901001000";
pub const S2: &str = "439901002000";
pub const S_D2: &str = "439902001000";
pub const C1: &str = "439901001001";
pub const C2: &str = "439901001002";
pub const C_S2: &str = "439901002001";
pub const G1: &str = "439901001001001";
pub const G2: &str = "439901001001002";
pub const G_C2: &str = "439901001002001";
pub const G_S2: &str = "439901002001001";
pub const M1: &str = "439901001001001001";

/// Every area of the fixture, root first.
pub const AREAS: [&str; 14] = [CITY, D1, D2, S1, S2, S_D2, C1, C2, C_S2, G1, G2, G_C2, G_S2, M1];

pub fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A Shanghai wall-clock instant.
pub fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    SHANGHAI.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid local time").with_timezone(&Utc)
}

pub fn org(n: u128) -> OrgId {
    OrgId(Uuid::from_u128(0xA000 + n))
}

pub fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(0x1000 + n))
}

pub fn other_case() -> (CaseId, CaseNumber) {
    (CaseId(Uuid::from_u128(0xC0FFEE)), CaseNumber::new(NaiveDate::from_ymd_opt(2026, 4, 20).expect("date"), 7))
}

/// The lead organisations used by the tests.
pub fn org_a() -> OrgId {
    org(1)
}
pub fn org_b() -> OrgId {
    org(2)
}
pub fn org_c() -> OrgId {
    org(3)
}
/// An organisation never dispatched to.
pub fn org_x() -> OrgId {
    org(4)
}

fn person(n: u128, name: &str, role: Role, binding: Binding) -> Principal {
    Principal { user_id: user(n), name: name.to_owned(), role, binding }
}

fn at(area: &str) -> Binding {
    Binding::Area { area: code(area) }
}

/// One principal per role, correctly bound, plus neighbours who must be refused and a few
/// mis-bound accounts.
#[derive(Debug, Clone)]
pub struct Cast {
    pub resident: Principal,
    pub resident2: Principal,
    pub gw_g1: Principal,
    pub gw_g2: Principal,
    pub gw_c1: Principal,
    pub gw_s2: Principal,
    pub op_city: Principal,
    pub op_d1: Principal,
    pub op_d2: Principal,
    pub op_s1: Principal,
    pub op_s2: Principal,
    pub op_c1: Principal,
    pub leader_city: Principal,
    pub leader_d1: Principal,
    pub leader_s1: Principal,
    pub leader_s2: Principal,
    pub h_a: Principal,
    pub h_b: Principal,
    pub h_c: Principal,
    pub h_x: Principal,
    pub mediator: Principal,
    pub analyst: Principal,
    pub admin: Principal,
    pub admin_s2: Principal,
    /// An operator wrongly bound to an organisation.
    pub op_misbound: Principal,
    /// A handler wrongly bound to an area.
    pub h_misbound: Principal,
    /// A leader wrongly bound as a resident.
    pub leader_misbound: Principal,
    /// A grid worker wrongly bound to an organisation.
    pub gw_misbound: Principal,
}

impl Cast {
    pub fn new() -> Self {
        use Role as R;
        let org_at = |o: OrgId, a: &str| Binding::Org { org: o, area: code(a) };
        Self {
            resident: person(1, "王阿姨", R::Resident, Binding::Resident),
            resident2: person(2, "李先生", R::Resident, Binding::Resident),
            gw_g1: person(10, "网格员甲", R::GridWorker, at(G1)),
            gw_g2: person(11, "网格员乙", R::GridWorker, at(G2)),
            gw_c1: person(12, "社区网格长", R::GridWorker, at(C1)),
            gw_s2: person(13, "网格员丙", R::GridWorker, at(G_S2)),
            op_city: person(20, "市中心受理员", R::Operator, at(CITY)),
            op_d1: person(21, "区中心受理员", R::Operator, at(D1)),
            op_d2: person(22, "二区受理员", R::Operator, at(D2)),
            op_s1: person(23, "街道受理员", R::Operator, at(S1)),
            op_s2: person(24, "邻街受理员", R::Operator, at(S2)),
            op_c1: person(25, "社区受理员", R::Operator, at(C1)),
            leader_city: person(30, "市领导", R::Leader, at(CITY)),
            leader_d1: person(31, "区领导", R::Leader, at(D1)),
            leader_s1: person(32, "街道书记", R::Leader, at(S1)),
            leader_s2: person(33, "邻街书记", R::Leader, at(S2)),
            h_a: person(40, "城管承办人", R::Handler, org_at(org_a(), D1)),
            h_b: person(41, "住建承办人", R::Handler, org_at(org_b(), D1)),
            h_c: person(42, "水务承办人", R::Handler, org_at(org_c(), CITY)),
            h_x: person(43, "无关单位", R::Handler, org_at(org_x(), D1)),
            mediator: person(50, "调解员", R::Mediator, at(S1)),
            analyst: person(51, "平安办", R::Analyst, at(CITY)),
            admin: person(52, "管理员", R::Admin, at(CITY)),
            admin_s2: person(53, "邻街管理员", R::Admin, at(S2)),
            op_misbound: person(60, "错绑受理员", R::Operator, org_at(org_a(), D1)),
            h_misbound: person(61, "错绑承办人", R::Handler, at(CITY)),
            leader_misbound: person(62, "错绑领导", R::Leader, Binding::Resident),
            gw_misbound: person(63, "错绑网格员", R::GridWorker, org_at(org_a(), G1)),
        }
    }

    /// Everyone, correctly bound or not.
    pub fn all(&self) -> Vec<Principal> {
        vec![
            self.resident.clone(),
            self.resident2.clone(),
            self.gw_g1.clone(),
            self.gw_g2.clone(),
            self.gw_c1.clone(),
            self.gw_s2.clone(),
            self.op_city.clone(),
            self.op_d1.clone(),
            self.op_d2.clone(),
            self.op_s1.clone(),
            self.op_s2.clone(),
            self.op_c1.clone(),
            self.leader_city.clone(),
            self.leader_d1.clone(),
            self.leader_s1.clone(),
            self.leader_s2.clone(),
            self.h_a.clone(),
            self.h_b.clone(),
            self.h_c.clone(),
            self.h_x.clone(),
            self.mediator.clone(),
            self.analyst.clone(),
            self.admin.clone(),
            self.admin_s2.clone(),
            self.op_misbound.clone(),
            self.h_misbound.clone(),
            self.leader_misbound.clone(),
            self.gw_misbound.clone(),
        ]
    }

    /// Everyone plus the reporter-by-number of `case`.
    pub fn all_for(&self, case: CaseId) -> Vec<Principal> {
        let mut v = self.all();
        v.push(follower(case));
        v
    }
}

/// A reporter without an account who proved, by number and phone, that this case is theirs.
pub fn follower(case: CaseId) -> Principal {
    person(90, "来电群众", Role::Resident, Binding::FollowedCase { case })
}

// ---------------------------------------------------------------------------------------------
// The world: calendar, policy, rules.

#[derive(Debug, Clone)]
pub struct World {
    pub cal: WorkCalendar,
    pub policy: DeadlinePolicy,
    pub rules: CaseRules,
    pub cast: Cast,
}

impl World {
    pub fn new() -> Self {
        Self::with_rules(CaseRules::default())
    }

    pub fn with_rules(rules: CaseRules) -> Self {
        Self { cal: WorkCalendar::china(), policy: DeadlinePolicy::standard(), rules, cast: Cast::new() }
    }

    pub fn ctx<'a>(&'a self, actor: &'a Principal, now: DateTime<Utc>) -> Ctx<'a> {
        Ctx { actor, now, calendar: &self.cal, policy: &self.policy, rules: &self.rules }
    }
}

pub fn intake(ledger: Ledger, urgency: Urgency, area: &str, reporter: Reporter, channel: Channel) -> Intake {
    Intake {
        ledger,
        category: CategoryCode::parse("urban.environment.vendors").expect("category"),
        channel,
        urgency,
        title: "小区门口占道经营".to_owned(),
        text: "每天傍晚有摊贩占用人行道，行人只能走机动车道。".to_owned(),
        area: code(area),
        location: Some(GeoPoint { lon: 112.938_814, lat: 28.228_209 }),
        off_grid: false,
        reporter,
        attachments: Vec::new(),
    }
}

/// A hotline demand with a contact, normal urgency, in grid G1.
pub fn hotline(urgency: Urgency) -> Intake {
    intake(Ledger::Demand, urgency, G1, Reporter::Contact, Channel::Hotline)
}

// ---------------------------------------------------------------------------------------------
// A case and its history.

#[derive(Debug, Clone)]
pub struct Life {
    pub snap: CaseSnapshot,
    pub events: Vec<Event>,
}

pub fn case_number(serial: u32) -> CaseNumber {
    CaseNumber::new(NaiveDate::from_ymd_opt(2026, 4, 21).expect("date"), serial)
}

pub fn try_register(w: &World, who: &Principal, now: DateTime<Utc>, intake: Intake) -> Result<Life, DomainError> {
    let id = CaseId(Uuid::from_u128(0xCA5E));
    let (snap, ev) = machine::register(id, case_number(153), intake, &w.ctx(who, now))?;
    Ok(Life { snap, events: vec![ev] })
}

pub fn register(w: &World, who: &Principal, now: DateTime<Utc>, intake: Intake) -> Life {
    try_register(w, who, now, intake).unwrap_or_else(|e| panic!("register by {:?}: {e}", who.role))
}

impl Life {
    /// Decides a move; on success applies it and returns the event, on refusal checks that the
    /// snapshot did not change.
    pub fn try_do(&mut self, w: &World, who: &Principal, now: DateTime<Utc>, mv: Move) -> Result<Event, DomainError> {
        let before = self.snap.clone();
        match machine::decide(&self.snap, mv, &w.ctx(who, now)) {
            Ok(ev) => {
                self.snap.evolve(&ev).unwrap_or_else(|e| panic!("a decided event must apply: {e}"));
                self.events.push(ev.clone());
                Ok(ev)
            }
            Err(e) => {
                assert_eq!(self.snap, before, "a refused move changed the case");
                Err(e)
            }
        }
    }

    /// A move that must be accepted.
    pub fn ok(&mut self, w: &World, who: &Principal, now: DateTime<Utc>, mv: Move) -> Event {
        let what = format!("{} by {} ({}) in {}", mv.name(), who.name, who.role.as_str(), self.snap.state.as_str());
        self.try_do(w, who, now, mv).unwrap_or_else(|e| panic!("{what}: refused with {e:?}"))
    }

    /// A move that must be refused; returns the error.
    pub fn no(&mut self, w: &World, who: &Principal, now: DateTime<Utc>, mv: Move) -> DomainError {
        let what = format!("{} by {} ({}) in {}", mv.name(), who.name, who.role.as_str(), self.snap.state.as_str());
        match self.try_do(w, who, now, mv) {
            Ok(_) => panic!("{what}: accepted but must be refused"),
            Err(e) => e,
        }
    }

    /// The snapshot before the last event (rebuilt from history).
    pub fn before_last(&self) -> CaseSnapshot {
        CaseSnapshot::rebuild(self.snap.id, &self.events[..self.events.len() - 1]).expect("rebuild")
    }
}

// ---------------------------------------------------------------------------------------------
// Moves with sensible payloads.

pub fn note(s: &str) -> String {
    s.to_owned()
}

pub fn accept() -> Move {
    Move::Accept { note: note("已受理") }
}
pub fn dispatch(lead: OrgId, co: Vec<OrgId>) -> Move {
    Move::Dispatch { lead, co, note: note("请依法处置") }
}
pub fn report(outcome: ResultKind) -> Move {
    Move::ReportResult { outcome, text: note("已清理占道摊位，并安排每日巡查。") }
}
pub fn verify() -> Move {
    Move::Verify { note: note("同意") }
}
pub fn revisit(s: Satisfaction) -> Move {
    Move::RecordRevisit { satisfaction: s, note: note("电话回访") }
}
pub fn close() -> Move {
    Move::Close { note: note("办结") }
}
pub fn reason(s: &str) -> String {
    s.to_owned()
}

// ---------------------------------------------------------------------------------------------
// DESIGN §4, written out independently of `machine::target_state`.

/// The state a move leads to from `state` according to DESIGN §4 (and the deliberate
/// extensions noted inline), or `None` if the move is not part of the life from there.
pub fn design_target(state: CaseState, mv: &Move) -> Option<CaseState> {
    use CaseState as S;
    let open = !matches!(state, S::Closed | S::Archived | S::NotAccepted | S::Merged);
    match (mv, state) {
        // Supervision and chasing apply to every open case and do not move it.
        (Move::Supervise { .. } | Move::Urge { .. } | Move::Comment { .. }, s) if open => Some(s),
        (Move::RequestReview { .. }, S::Registered) => Some(S::PendingReview),
        (Move::Accept { .. }, S::Registered) => Some(S::Accepted),
        // DESIGN: pending_review → not_accepted is the leader's review refusing; the centre can no longer
        // refuse on its own once a review is asked.
        (Move::NotAccept { .. }, S::Registered) => Some(S::NotAccepted),
        // Merged at registration; the implementation also merges duplicates found after acceptance.
        (Move::Merge { .. }, S::Registered | S::Accepted) => Some(S::Merged),
        (Move::Review { accept: true, .. }, S::PendingReview) => Some(S::Accepted),
        (Move::Review { accept: false, .. }, S::PendingReview) => Some(S::NotAccepted),
        (Move::Dispatch { .. }, S::Accepted) => Some(S::Dispatched),
        (Move::Escalate { .. }, S::Accepted | S::InProgress) => Some(S::Accepted),
        (Move::Delegate { .. }, S::Accepted) => Some(S::Accepted),
        (Move::SelfHandle { .. }, S::Accepted) => Some(S::InProgress),
        (Move::Sign, S::Dispatched) => Some(S::InProgress),
        (Move::Return { .. }, S::Dispatched) => Some(S::Accepted),
        (
            Move::RequestExtension { .. } | Move::DecideExtension { .. } | Move::RequestEscalation { .. },
            S::InProgress,
        ) => Some(S::InProgress),
        (Move::ReportResult { .. }, S::InProgress) => Some(S::Handled),
        (Move::Verify { .. }, S::Handled) => Some(S::Revisit),
        (Move::SendBack { .. }, S::Handled) => Some(S::InProgress),
        (Move::RecordRevisit { .. }, S::Revisit) => Some(S::Revisit),
        (Move::Redo { .. }, S::Revisit) => Some(S::InProgress),
        (Move::Close { .. }, S::Revisit) => Some(S::Closed),
        (Move::Archive, S::Closed) => Some(S::Archived),
        _ => None,
    }
}

/// The roles DESIGN §1 gives each move.
pub fn design_roles(mv: &Move) -> &'static [Role] {
    use Role as R;
    match mv {
        Move::Register(_) => &[R::Resident, R::GridWorker, R::Operator, R::Leader],
        // DESIGN §1: the grid worker "solves small ones on the spot" — they accept their own findings.
        Move::Accept { .. } => &[R::Operator, R::GridWorker],
        Move::RequestReview { .. }
        | Move::NotAccept { .. }
        | Move::Merge { .. }
        | Move::Dispatch { .. }
        | Move::Escalate { .. }
        | Move::Delegate { .. }
        | Move::Close { .. } => &[R::Operator],
        Move::Review { .. } | Move::Verify { .. } | Move::SendBack { .. } => &[R::Leader],
        Move::Sign | Move::Return { .. } | Move::RequestExtension { .. } | Move::RequestEscalation { .. } => {
            &[R::Handler]
        }
        Move::ReportResult { .. } => &[R::Handler, R::GridWorker],
        Move::SelfHandle { .. } => &[R::GridWorker],
        Move::DecideExtension { .. } | Move::Redo { .. } | Move::Supervise { .. } | Move::Urge { .. } => {
            &[R::Operator, R::Leader]
        }
        Move::RecordRevisit { .. } => &[R::Operator, R::Resident],
        // More information: from the reporter, or the centre (or a connected system through it).
        Move::Comment { .. } => &[R::Resident, R::Operator, R::Leader],
        Move::Archive => &[R::Operator, R::Admin],
    }
}

/// The move kinds that can be asked on an existing case (all but `register`).
pub const KINDS: [&str; 24] = [
    "request_review",
    "review",
    "accept",
    "not_accept",
    "merge",
    "dispatch",
    "sign",
    "return",
    "request_extension",
    "decide_extension",
    "request_escalation",
    "escalate",
    "delegate",
    "self_handle",
    "report_result",
    "verify",
    "send_back",
    "record_revisit",
    "redo",
    "close",
    "archive",
    "supervise",
    "urge",
    "comment",
];

/// Payloads for a move kind: every valid variant worth trying on `snap` (different flags,
/// levels, organisations, delegation targets) and some invalid ones. The flag says whether the
/// payload's own fields are valid (independently of the case's state and the actor).
pub fn payloads(kind: &str, snap: &CaseSnapshot) -> Vec<(Move, bool)> {
    let (other_id, other_no) = other_case();
    let good = || "理由充分".to_owned();
    let blank = || "  ".to_owned();
    let long = || "长".repeat(2001);
    let mut v: Vec<(Move, bool)> = Vec::new();
    match kind {
        "request_review" => {
            v.push((Move::RequestReview { note: String::new() }, true));
            v.push((Move::RequestReview { note: long() }, false));
        }
        "review" => {
            for accept in [true, false] {
                v.push((Move::Review { accept, instruction: good() }, true));
            }
            v.push((Move::Review { accept: true, instruction: blank() }, false));
        }
        "accept" => {
            v.push((Move::Accept { note: String::new() }, true));
            v.push((Move::Accept { note: long() }, false));
        }
        "not_accept" => {
            v.push((Move::NotAccept { reason: good() }, true));
            v.push((Move::NotAccept { reason: String::new() }, false));
        }
        "merge" => {
            v.push((Move::Merge { into: other_id, into_number: other_no.clone(), reason: good() }, true));
            v.push((Move::Merge { into: other_id, into_number: other_no, reason: blank() }, false));
            // Merging into itself has valid fields but breaks a rule.
            v.push((Move::Merge { into: snap.id, into_number: snap.number.clone(), reason: good() }, true));
        }
        "dispatch" => {
            v.push((dispatch(org_a(), vec![]), true));
            v.push((dispatch(org_b(), vec![org_a(), org_c()]), true));
            v.push((dispatch(org_a(), vec![org_a()]), false));
            v.push((dispatch(org_a(), vec![org_b(), org_b()]), false));
        }
        "sign" => v.push((Move::Sign, true)),
        "return" => {
            v.push((Move::Return { reason: good() }, true));
            v.push((Move::Return { reason: blank() }, false));
        }
        "request_extension" => {
            v.push((Move::RequestExtension { days: 5, reason: good() }, true));
            v.push((Move::RequestExtension { days: 0, reason: good() }, false));
            v.push((Move::RequestExtension { days: 31, reason: good() }, false));
            v.push((Move::RequestExtension { days: 3, reason: String::new() }, false));
        }
        "decide_extension" => {
            for grant in [true, false] {
                v.push((Move::DecideExtension { grant, note: String::new() }, true));
            }
        }
        "request_escalation" => {
            v.push((Move::RequestEscalation { reason: good() }, true));
            v.push((Move::RequestEscalation { reason: blank() }, false));
        }
        "escalate" => {
            v.push((Move::Escalate { reason: good() }, true));
            v.push((Move::Escalate { reason: String::new() }, false));
        }
        "delegate" => {
            // Every area strictly below the handling centre on the way to the case is a valid target.
            for a in snap.area.lineage() {
                if a.level() > snap.handling_area.level() {
                    v.push((Move::Delegate { to: a, reason: good() }, true));
                }
            }
            v.push((Move::Delegate { to: snap.handling_area.clone(), reason: good() }, false));
            if let Some(p) = snap.handling_area.parent() {
                v.push((Move::Delegate { to: p, reason: good() }, false));
            }
            v.push((Move::Delegate { to: code(G1), reason: blank() }, false));
        }
        "self_handle" => v.push((Move::SelfHandle { note: String::new() }, true)),
        "report_result" => {
            for o in ResultKind::ALL {
                v.push((Move::ReportResult { outcome: *o, text: good() }, true));
            }
            v.push((Move::ReportResult { outcome: ResultKind::Resolved, text: blank() }, false));
        }
        "verify" => v.push((Move::Verify { note: String::new() }, true)),
        "send_back" => {
            v.push((Move::SendBack { reason: good() }, true));
            v.push((Move::SendBack { reason: blank() }, false));
        }
        "record_revisit" => {
            for s in Satisfaction::ALL {
                v.push((Move::RecordRevisit { satisfaction: *s, note: String::new() }, true));
            }
        }
        "redo" => {
            v.push((Move::Redo { reason: good() }, true));
            v.push((Move::Redo { reason: blank() }, false));
        }
        "close" => {
            v.push((Move::Close { note: String::new() }, true));
            v.push((Move::Close { note: long() }, false));
        }
        "archive" => v.push((Move::Archive, true)),
        "supervise" => {
            for l in SupervisionLevel::ALL {
                v.push((Move::Supervise { level: *l, note: String::new() }, true));
            }
        }
        "urge" => {
            v.push((Move::Urge { note: "请抓紧".to_owned() }, true));
            v.push((Move::Urge { note: long() }, false));
        }
        "comment" => {
            v.push((Move::Comment { text: "补充：路灯在公交站旁".to_owned() }, true));
            v.push((Move::Comment { text: blank() }, false));
        }
        other => panic!("unknown move kind {other}"),
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Reachable cases in every state, built through the state machine.

/// A named case in a given state.
pub struct Sample {
    pub name: &'static str,
    pub life: Life,
}

/// Cases in every state, with the variants the rules care about (critical urgency, extension
/// pending, escalation requested, self-handled, escalated, revisit answered or not, redone).
pub fn samples(w: &World) -> Vec<Sample> {
    let c = &w.cast;
    let mut out = Vec::new();
    let mut t = cst(2026, 4, 21, 9, 0);
    let mut tick = || {
        t += TimeDelta::minutes(30);
        t
    };
    let mut push = |name, life: &Life| out.push(Sample { name, life: life.clone() });

    // A resident's request, taken by the street.
    let start = tick();
    let mut l = register(
        w,
        &c.resident,
        start,
        intake(Ledger::Demand, Urgency::Normal, G1, reporter_of(&c.resident), Channel::Mobile),
    );
    push("registered", &l);
    let mut pr = l.clone();
    pr.ok(w, &c.op_s1, tick(), Move::RequestReview { note: String::new() });
    push("pending_review", &pr);
    let mut na = l.clone();
    na.ok(w, &c.op_s1, tick(), Move::NotAccept { reason: reason("不属于受理范围") });
    push("not_accepted", &na);
    let mut mg = l.clone();
    let (into, into_number) = other_case();
    mg.ok(w, &c.op_s1, tick(), Move::Merge { into, into_number, reason: reason("同一事项") });
    push("merged", &mg);

    l.ok(w, &c.op_s1, tick(), accept());
    push("accepted", &l);
    let mut esc = l.clone();
    esc.ok(w, &c.op_s1, tick(), Move::Escalate { reason: reason("跨街道") });
    push("accepted_at_district", &esc);
    let mut top = esc.clone();
    top.ok(w, &c.op_d1, tick(), Move::Escalate { reason: reason("跨区") });
    push("accepted_at_city", &top);
    let mut grid = l.clone();
    grid.ok(w, &c.op_s1, tick(), Move::Delegate { to: code(G1), reason: reason("网格可办") });
    push("accepted_at_grid", &grid);
    let mut selfh = grid.clone();
    selfh.ok(w, &c.gw_g1, tick(), Move::SelfHandle { note: String::new() });
    push("in_progress_self_handled", &selfh);
    selfh.ok(w, &c.gw_g1, tick(), report(ResultKind::Resolved));
    push("handled_self_handled", &selfh);

    l.ok(w, &c.op_s1, tick(), dispatch(org_a(), vec![org_b()]));
    push("dispatched", &l);
    let mut ret = l.clone();
    ret.ok(w, &c.h_a, tick(), Move::Return { reason: reason("非本单位职责") });
    push("accepted_after_return", &ret);
    l.ok(w, &c.h_a, tick(), Move::Sign);
    push("in_progress", &l);
    let mut ext = l.clone();
    ext.ok(w, &c.h_a, tick(), Move::RequestExtension { days: 5, reason: reason("需协调") });
    push("in_progress_extension_pending", &ext);
    let mut reqesc = l.clone();
    reqesc.ok(w, &c.h_a, tick(), Move::RequestEscalation { reason: reason("超出职权") });
    push("in_progress_escalation_requested", &reqesc);
    let mut sup = l.clone();
    sup.ok(w, &c.leader_s1, tick(), Move::Supervise { level: SupervisionLevel::Leader, note: String::new() });
    push("in_progress_supervised", &sup);

    l.ok(w, &c.h_a, tick(), report(ResultKind::Resolved));
    push("handled", &l);
    l.ok(w, &c.leader_s1, tick(), verify());
    push("revisit", &l);
    let mut sat = l.clone();
    sat.ok(w, &c.resident, tick(), revisit(Satisfaction::Satisfied));
    push("revisit_satisfied", &sat);
    let mut uns = l.clone();
    uns.ok(w, &c.op_s1, tick(), revisit(Satisfaction::Unsatisfied));
    push("revisit_unsatisfied", &uns);
    let mut again = uns.clone();
    again.ok(w, &c.op_s1, tick(), Move::Redo { reason: reason("群众不满意") });
    again.ok(w, &c.h_a, tick(), report(ResultKind::Explained));
    again.ok(w, &c.leader_s1, tick(), verify());
    again.ok(w, &c.op_s1, tick(), revisit(Satisfaction::Unsatisfied));
    push("revisit_unsatisfied_after_redo", &again);
    sat.ok(w, &c.op_s1, tick(), close());
    push("closed", &sat);
    sat.ok(w, &c.admin, tick(), Move::Archive);
    push("archived", &sat);

    // A critical hotline call: needs the leader's review.
    let crit = register(w, &c.op_s1, tick(), hotline(Urgency::Critical));
    push("registered_critical", &crit);
    // A grid worker's own finding, handled at the grid.
    let mut g = register(
        w,
        &c.gw_g1,
        tick(),
        intake(Ledger::Event, Urgency::Normal, G1, reporter_of(&c.gw_g1), Channel::GridWorker),
    );
    push("registered_by_grid", &g);
    g.ok(w, &c.op_s1, tick(), accept());
    push("accepted_grid_finding", &g);
    out
}

pub fn reporter_of(p: &Principal) -> Reporter {
    Reporter::Account { user: p.user_id }
}

// ---------------------------------------------------------------------------------------------
// Hash chain.

pub fn chain(events: &[Event]) -> Vec<StoredLink> {
    let mut prev = GENESIS.to_owned();
    events
        .iter()
        .map(|e| {
            let json = e.to_json();
            let hash = link_hash(&prev, &json);
            let link = StoredLink { seq: e.seq, json, prev_hash: prev.clone(), hash: hash.clone() };
            prev = hash;
            link
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// An independent working-time oracle: walks days and minutes using only `is_working_day`.

pub fn naive_deadline(cal: &WorkCalendar, start: DateTime<Utc>, d: WorkDuration) -> DateTime<Utc> {
    let local = start.with_timezone(&SHANGHAI).naive_local();
    let end_of_day = NaiveTime::from_hms_opt(17, 30, 0).expect("time");
    let to_utc =
        |n: chrono::NaiveDateTime| SHANGHAI.from_local_datetime(&n).single().expect("local").with_timezone(&Utc);
    match d {
        WorkDuration::Days(n) => {
            assert!(n >= 1, "the standard policy has no zero-day limits");
            let mut day = local.date();
            let mut left = n;
            while left > 0 {
                day = day.succ_opt().expect("date");
                if cal.is_working_day(day) {
                    left -= 1;
                }
            }
            to_utc(day.and_time(end_of_day))
        }
        WorkDuration::Hours(h) => {
            // Starts are whole minutes in these tests.
            let periods = [((9, 0), (12, 0)), ((13, 30), (17, 30))];
            let in_period = |t: chrono::NaiveDateTime| {
                cal.is_working_day(t.date())
                    && periods.iter().any(|&((fh, fm), (th, tm))| {
                        let from = NaiveTime::from_hms_opt(fh, fm, 0).expect("t");
                        let to = NaiveTime::from_hms_opt(th, tm, 0).expect("t");
                        t.time() >= from && t.time() < to
                    })
            };
            let mut t = local;
            let mut left = i64::from(h) * 60;
            while left > 0 {
                if in_period(t) {
                    left -= 1;
                }
                t += TimeDelta::minutes(1);
            }
            to_utc(t)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The random driver.

/// One random step: which move (biased towards moves DESIGN allows from the current state), who
/// makes it (biased towards roles that may), with what payload, and how much later.
#[derive(Debug, Clone)]
pub struct StepSeed {
    pub pick_kind: u16,
    pub pick_who: u16,
    pub payload: u16,
    pub text: u8,
    pub later_minutes: u32,
}

pub fn step_seed() -> impl Strategy<Value = StepSeed> {
    (any::<u16>(), any::<u16>(), any::<u16>(), any::<u8>(), prop_oneof![0u32..600, 0u32..6000]).prop_map(
        |(pick_kind, pick_who, payload, text, later_minutes)| StepSeed {
            pick_kind,
            pick_who,
            payload,
            text,
            later_minutes,
        },
    )
}

/// A random case: rules, who registers it, what it is, when, and the steps after.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub rules: CaseRules,
    pub registrant: u8,
    pub ledger: Ledger,
    pub urgency: Urgency,
    pub area: u8,
    pub reporter: u8,
    pub location: Option<(f64, f64)>,
    pub start_minutes: u32,
    pub steps: Vec<StepSeed>,
}

pub fn rules_strategy() -> impl Strategy<Value = CaseRules> {
    (0u32..4, proptest::sample::subsequence(vec![Urgency::Normal, Urgency::Urgent, Urgency::Critical], 0..=2), 1u32..31)
        .prop_map(|(max_redo, review_required_for, max_extension_days)| CaseRules {
            max_redo,
            review_required_for,
            max_extension_days,
        })
}

pub fn scenario(max_steps: usize, rules: BoxedStrategy<CaseRules>) -> impl Strategy<Value = Scenario> {
    (
        rules,
        any::<u8>(),
        proptest::sample::select(Ledger::ALL.to_vec()),
        proptest::sample::select(Urgency::ALL.to_vec()),
        any::<u8>(),
        any::<u8>(),
        proptest::option::of((-180.0f64..=180.0, -90.0f64..=90.0)),
        0u32..(500 * 24 * 60),
        proptest::collection::vec(step_seed(), 0..=max_steps),
    )
        .prop_map(|(rules, registrant, ledger, urgency, area, reporter, location, start_minutes, steps)| {
            Scenario { rules, registrant, ledger, urgency, area, reporter, location, start_minutes, steps }
        })
}

/// What happened at one step, for the checks.
pub struct StepView<'a> {
    pub world: &'a World,
    pub before: &'a CaseSnapshot,
    pub after: &'a CaseSnapshot,
    pub who: &'a Principal,
    pub mv: &'a Move,
    pub now: DateTime<Utc>,
    pub result: &'a Result<Event, DomainError>,
}

/// Builds the move of `kind` from a seed.
pub fn make_move(kind: &str, s: &StepSeed, snap: &CaseSnapshot) -> Move {
    let seed = usize::from(s.payload);
    let text = |salt: &str| match s.text % 24 {
        0 => String::new(),
        1 => " \t ".to_owned(),
        2 => "长".repeat(2001),
        n => format!("{salt}{n}"),
    };
    let orgs = [org_a(), org_b(), org_c(), org_x()];
    let (other_id, other_no) = other_case();
    match kind {
        "request_review" => Move::RequestReview { note: text("请阅") },
        "review" => Move::Review { accept: seed % 3 != 0, instruction: text("同意受理") },
        "accept" => Move::Accept { note: text("受理") },
        "not_accept" => Move::NotAccept { reason: text("不予受理") },
        "merge" => {
            if seed % 7 == 0 {
                Move::Merge { into: snap.id, into_number: snap.number.clone(), reason: text("重复") }
            } else {
                Move::Merge { into: other_id, into_number: other_no, reason: text("重复") }
            }
        }
        "dispatch" => {
            let lead = orgs[seed % 4];
            let mut co = Vec::new();
            for (i, o) in orgs.iter().enumerate() {
                if (seed >> (2 + i)) & 1 == 1 && (*o != lead || seed % 11 == 0) {
                    co.push(*o);
                }
            }
            if seed % 13 == 0
                && let Some(first) = co.first().copied()
            {
                co.push(first);
            }
            Move::Dispatch { lead, co, note: text("交办") }
        }
        "sign" => Move::Sign,
        "return" => Move::Return { reason: text("非本单位职责") },
        "request_extension" => {
            Move::RequestExtension { days: u32::try_from(seed % 40).unwrap_or(0), reason: text("需要时间") }
        }
        "decide_extension" => Move::DecideExtension { grant: seed % 2 == 0, note: text("") },
        "request_escalation" => Move::RequestEscalation { reason: text("请提级") },
        "escalate" => Move::Escalate { reason: text("提级") },
        "delegate" => {
            let to = if seed % 3 != 0 {
                let lineage = snap.area.lineage();
                lineage[(seed >> 2) % lineage.len()].clone()
            } else {
                code(AREAS[(seed >> 2) % AREAS.len()])
            };
            Move::Delegate { to, reason: text("下派") }
        }
        "self_handle" => Move::SelfHandle { note: text("") },
        "report_result" => Move::ReportResult { outcome: ResultKind::ALL[seed % 3], text: text("已办理") },
        "verify" => Move::Verify { note: text("") },
        "send_back" => Move::SendBack { reason: text("未办到位") },
        "record_revisit" => Move::RecordRevisit { satisfaction: Satisfaction::ALL[seed % 4], note: text("") },
        "redo" => Move::Redo { reason: text("重办") },
        "close" => Move::Close { note: text("") },
        "archive" => Move::Archive,
        "supervise" => Move::Supervise { level: SupervisionLevel::ALL[seed % 3], note: text("") },
        "urge" => Move::Urge { note: text("") },
        "comment" => Move::Comment { text: text("补充说明") },
        other => panic!("unknown kind {other}"),
    }
}

/// Registers the scenario's case (or returns the refusal) and the world it lives in.
pub fn start(sc: &Scenario) -> (World, DateTime<Utc>, Result<Life, DomainError>) {
    let w = World::with_rules(sc.rules.clone());
    let c = &w.cast;
    let registrants = [&c.op_s1, &c.op_d1, &c.op_c1, &c.op_city, &c.leader_s1, &c.gw_g1, &c.resident, &c.gw_c1];
    let who = registrants[usize::from(sc.registrant) % registrants.len()].clone();
    let leaves = [G1, G2, G_C2, C2, M1, G_S2];
    let area = leaves[usize::from(sc.area) % leaves.len()];
    let (reporter, channel) = match (who.role, sc.reporter % 3) {
        (Role::Resident, _) => {
            (reporter_of(&who), if sc.reporter.is_multiple_of(2) { Channel::Web } else { Channel::Mobile })
        }
        (Role::GridWorker, _) => (reporter_of(&who), Channel::GridWorker),
        (_, 0) => (Reporter::Anonymous, Channel::Hotline),
        (_, 1) => (Reporter::Contact, Channel::WalkIn),
        _ => (reporter_of(&c.resident), Channel::Hotline),
    };
    let mut i = intake(sc.ledger, sc.urgency, area, reporter, channel);
    // Six decimals, as a GPS fix is stored; arbitrary doubles are tested on their own.
    let six = |x: f64| (x * 1e6).round() / 1e6;
    i.location = sc.location.map(|(lon, lat)| GeoPoint { lon: six(lon), lat: six(lat) });
    let now = cst(2025, 1, 2, 0, 0) + TimeDelta::minutes(i64::from(sc.start_minutes));
    let r = try_register(&w, &who, now, i);
    (w, now, r)
}

/// Moves that end a case (picked less often, so that random lives get deep).
fn ends(kind: &str) -> bool {
    matches!(kind, "not_accept" | "merge")
}

/// The move of a step: one in eight any kind at all, one in eight any kind DESIGN allows from the
/// current state, otherwise one that does something (not supervision or chasing), with moves that
/// end the case four times rarer.
pub fn pick_move(s: &StepSeed, snap: &CaseSnapshot) -> (&'static str, Move) {
    let state = snap.state;
    let legal: Vec<&'static str> = KINDS
        .iter()
        .copied()
        .filter(|k| payloads(k, snap).iter().any(|(m, _)| design_target(state, m).is_some()))
        .collect();
    let useful: Vec<&'static str> =
        legal.iter().copied().filter(|k| !matches!(*k, "supervise" | "urge" | "comment")).collect();
    let n = usize::from(s.pick_kind / 8);
    let kind = match s.pick_kind % 8 {
        _ if legal.is_empty() => KINDS[n % KINDS.len()],
        0 => KINDS[n % KINDS.len()],
        1 => legal[n % legal.len()],
        _ if useful.is_empty() => legal[n % legal.len()],
        _ => {
            let k = useful[n % useful.len()];
            let rest: Vec<&str> = useful.iter().copied().filter(|k| !ends(k)).collect();
            if ends(k) && !s.payload.is_multiple_of(4) && !rest.is_empty() { rest[n % rest.len()] } else { k }
        }
    };
    (kind, make_move(kind, s, snap))
}

/// Who makes it: one in four anyone at all, one in four anyone whose role DESIGN gives the move,
/// otherwise someone the machine would let make it (when there is one).
pub fn pick_who<'a>(
    w: &World,
    s: &StepSeed,
    snap: &CaseSnapshot,
    mv: &Move,
    now: DateTime<Utc>,
    cast: &'a [Principal],
) -> &'a Principal {
    let n = usize::from(s.pick_who / 4);
    let fitting: Vec<&Principal> = cast.iter().filter(|p| design_roles(mv).contains(&p.role)).collect();
    let able: Vec<&Principal> =
        fitting.iter().copied().filter(|p| machine::decide(snap, mv.clone(), &w.ctx(p, now)).is_ok()).collect();
    match s.pick_who % 4 {
        _ if fitting.is_empty() => &cast[n % cast.len()],
        0 => &cast[n % cast.len()],
        1 => fitting[n % fitting.len()],
        _ if able.is_empty() => fitting[n % fitting.len()],
        _ => able[n % able.len()],
    }
}

/// Runs a scenario, calling `check` after every step. Returns the final case, or `None` when the
/// registration itself was refused.
pub fn drive(
    sc: &Scenario,
    mut check: impl FnMut(&StepView<'_>) -> Result<(), TestCaseError>,
) -> Result<Option<(World, Life)>, TestCaseError> {
    let (w, mut now, registered) = start(sc);
    let Ok(mut life) = registered else {
        return Ok(None);
    };
    let cast = w.cast.all_for(life.snap.id);
    for s in &sc.steps {
        now += TimeDelta::minutes(i64::from(s.later_minutes));
        let (_, mv) = pick_move(s, &life.snap);
        let who = pick_who(&w, s, &life.snap, &mv, now, &cast);
        let before = life.snap.clone();
        let result = life.try_do(&w, who, now, mv.clone());
        check(&StepView { world: &w, before: &before, after: &life.snap, who, mv: &mv, now, result: &result })?;
    }
    Ok(Some((w, life)))
}

/// Local date of an instant (for readable failure messages).
pub fn day(t: DateTime<Utc>) -> String {
    let d = t.with_timezone(&SHANGHAI);
    format!("{}-{:02}-{:02}", d.year(), d.month(), d.day())
}
