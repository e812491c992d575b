//! When a report "proves true", played through the real case machine: only a resident's own
//! report, only once it is closed (or archived), only with a result the rules count as true — at
//! every step of every life before that, nothing is owed.

mod common;

use common::*;
use shiyu_domain::case::{Channel, Ledger, Move, ResultKind, Satisfaction, Urgency};
use shiyu_domain::points::{PointRules, Points};

fn life_to_close(w: &World, outcome: ResultKind, reporter_is_resident: bool) -> (Life, Vec<bool>) {
    let c = &w.cast;
    let (who, intake) = if reporter_is_resident {
        (&c.resident, intake(Ledger::Demand, Urgency::Normal, G1, reporter_of(&c.resident), Channel::Mobile))
    } else {
        (&c.op_s1, hotline(Urgency::Normal))
    };
    let rules = PointRules::default();
    let mut owed = Vec::new();
    let mut l = register(w, who, cst(2026, 4, 21, 9, 0), intake);
    owed.push(rules.report_award(&l.snap).is_some());
    let steps = [
        (&c.op_s1, cst(2026, 4, 21, 9, 30), accept()),
        (&c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![])),
        (&c.h_a, cst(2026, 4, 21, 11, 0), Move::Sign),
        (&c.h_a, cst(2026, 4, 22, 11, 0), report(outcome)),
        (&c.leader_s1, cst(2026, 4, 22, 14, 0), verify()),
        (&c.op_s1, cst(2026, 4, 23, 9, 0), revisit(Satisfaction::Satisfied)),
        (&c.op_s1, cst(2026, 4, 23, 10, 0), close()),
        (&c.op_s1, cst(2026, 4, 24, 10, 0), Move::Archive),
    ];
    for (p, at, mv) in steps {
        l.ok(w, p, at, mv);
        owed.push(rules.report_award(&l.snap).is_some());
    }
    (l, owed)
}

#[test]
fn a_residents_resolved_report_is_owed_from_closing_on_and_nothing_else_is() {
    let w = World::new();
    let (l, owed) = life_to_close(&w, ResultKind::Resolved, true);
    // Registered … revisit: nothing; closed and archived: owed.
    assert_eq!(owed, [false, false, false, false, false, false, false, true, true]);
    let (user, points) = PointRules::default().report_award(&l.snap).expect("owed");
    assert_eq!(user, w.cast.resident.user_id);
    assert_eq!(points.get(), 20);

    // Merely explained, or not yet possible: never a true report under the default rules.
    for outcome in [ResultKind::Explained, ResultKind::NotYetPossible] {
        let (_, owed) = life_to_close(&w, outcome, true);
        assert!(owed.iter().all(|o| !o), "{outcome:?}: {owed:?}");
    }
    // Reported by phone (a contact, no account): nobody to pay.
    let (_, owed) = life_to_close(&w, ResultKind::Resolved, false);
    assert!(owed.iter().all(|o| !o), "{owed:?}");
}

#[test]
fn rules_decide_which_results_count_and_how_much() {
    let w = World::new();
    let (explained, _) = life_to_close(&w, ResultKind::Explained, true);
    let generous = PointRules {
        true_results: vec![ResultKind::Resolved, ResultKind::Explained],
        report_true: Points::new("report_true", 35).expect("points"),
        ..PointRules::default()
    };
    assert_eq!(generous.report_award(&explained.snap).map(|(_, p)| p.get()), Some(35));
    // A rule of zero points switches true-report points off.
    let off = PointRules { report_true: Points::ZERO, ..PointRules::default() };
    let (resolved, _) = life_to_close(&w, ResultKind::Resolved, true);
    assert_eq!(off.report_award(&resolved.snap), None);
}

#[test]
fn a_case_not_accepted_or_merged_is_never_owed() {
    let w = World::new();
    let c = &w.cast;
    let mine = intake(Ledger::Demand, Urgency::Normal, G1, reporter_of(&c.resident), Channel::Mobile);
    let mut l = register(&w, &c.resident, cst(2026, 4, 21, 9, 0), mine);
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), Move::NotAccept { reason: reason("不属于受理范围") });
    assert_eq!(PointRules::default().report_award(&l.snap), None);
}
