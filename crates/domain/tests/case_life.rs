//! Every legal move of DESIGN §4, driven through `machine::register`/`decide` and `evolve` on a
//! fixture city, checking the state, the computed effects (deadlines against hand-counted working
//! days of the 2026 calendar), the counters of `stats::deltas` and the notices.

mod common;

use common::*;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaLevel;
use shiyu_domain::case::machine::CaseRules;
use shiyu_domain::case::notice::{Recipient, notices};
use shiyu_domain::case::{
    CaseSnapshot, CaseState, Channel, Ledger, Move, Reporter, ResultKind, Satisfaction, SupervisionLevel, Urgency,
};
use shiyu_domain::stats::{Metric, deltas};

/// The counters the last event of a life adds.
fn counted(l: &Life) -> Vec<Metric> {
    let last = l.events.last().expect("an event");
    if l.events.len() == 1 { deltas(None, last) } else { deltas(Some(&l.before_last()), last) }
}

/// The notices of the last event, as (recipient, kind).
fn told(l: &Life) -> Vec<(Recipient, &'static str)> {
    notices(&l.snap, l.events.last().expect("an event")).into_iter().map(|n| (n.to, n.kind)).collect()
}

fn notice_texts(l: &Life) -> Vec<String> {
    notices(&l.snap, l.events.last().expect("an event")).into_iter().map(|n| n.text).collect()
}

fn rule(rule: &'static str) -> DomainError {
    DomainError::Rule { rule }
}

fn assert_replays(l: &Life) {
    assert_eq!(CaseSnapshot::rebuild(l.snap.id, &l.events).expect("rebuild"), l.snap, "history replays to the row");
    for (i, e) in l.events.iter().enumerate() {
        assert_eq!(e.seq as usize, i + 1, "events are numbered from 1 without gaps");
    }
}

#[test]
fn full_life_of_a_hotline_demand() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    assert_eq!(l.snap.state, CaseState::Registered);
    assert_eq!(l.snap.number.as_str(), "2026-0421-000153");
    assert_eq!(l.snap.handling_area, code(S1), "the street centre that took the call keeps it");
    assert_eq!(l.snap.area, code(G1));
    assert_eq!(l.snap.last_seq, 1);
    assert_eq!(counted(&l), [Metric::Received]);
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "to_accept")]);

    // 受理告知: 15 working days for a normal demand, across Labour Day 2026 (1–5 May off,
    // Saturday 9 May worked): the 15th working day after Tuesday 21 April is Thursday 14 May.
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    assert_eq!(l.snap.state, CaseState::Accepted);
    assert_eq!(l.snap.handle_by, Some(cst(2026, 5, 14, 17, 30)));
    assert_eq!(l.snap.accepted_at, Some(cst(2026, 4, 21, 9, 30)));
    assert_eq!(counted(&l), [Metric::Accepted]);
    assert_eq!(told(&l), [(Recipient::Reporter, "accepted")]);
    let text = &notice_texts(&l)[0];
    assert!(text.contains("2026-0421-000153") && text.contains("2026-05-14 17:30"), "{text}");

    // 快速交办 to a lead and two co-organisations: one working day to sign.
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![org_b(), org_c()]));
    assert_eq!(l.snap.state, CaseState::Dispatched);
    assert_eq!(l.snap.sign_by, Some(cst(2026, 4, 22, 17, 30)));
    assert_eq!(l.snap.handle_by, Some(cst(2026, 5, 14, 17, 30)));
    assert_eq!(l.snap.lead_org, Some(org_a()));
    assert_eq!(l.snap.co_orgs, [org_b(), org_c()]);
    assert_eq!(l.snap.orgs_ever, [org_a(), org_b(), org_c()]);
    assert_eq!(l.snap.current_due(), l.snap.sign_by);
    assert_eq!(counted(&l), [Metric::Dispatched]);
    assert_eq!(
        told(&l),
        [
            (Recipient::Org(org_a()), "dispatched"),
            (Recipient::Org(org_b()), "co_dispatched"),
            (Recipient::Org(org_c()), "co_dispatched")
        ]
    );
    assert!(notice_texts(&l)[0].contains("2026-04-22 17:30"), "the lead is told when to sign by");

    // 签收 in time.
    l.ok(&w, &c.h_a, cst(2026, 4, 22, 9, 0), Move::Sign);
    assert_eq!(l.snap.state, CaseState::InProgress);
    assert_eq!(l.snap.current_due(), Some(cst(2026, 5, 14, 17, 30)));
    assert_eq!(counted(&l), [Metric::Signed, Metric::SignedOnTime]);
    assert!(told(&l).is_empty());

    // 结果反馈 in time.
    l.ok(&w, &c.h_a, cst(2026, 4, 30, 16, 0), report(ResultKind::Resolved));
    assert_eq!(l.snap.state, CaseState::Handled);
    assert_eq!(l.snap.result, Some(ResultKind::Resolved));
    assert_eq!(l.snap.handled_on_time, Some(true));
    assert_eq!(l.snap.handled_at, Some(cst(2026, 4, 30, 16, 0)));
    assert_eq!(counted(&l), [Metric::Handled, Metric::Timed, Metric::HandledOnTime, Metric::Resolved]);
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "to_verify")]);

    // 书记把关: three working days to revisit, the third being the worked Saturday 9 May.
    l.ok(&w, &c.leader_s1, cst(2026, 5, 6, 10, 0), verify());
    assert_eq!(l.snap.state, CaseState::Revisit);
    assert_eq!(l.snap.revisit_by, Some(cst(2026, 5, 9, 17, 30)));
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "to_revisit"), (Recipient::Reporter, "result")]);
    assert!(notice_texts(&l)[1].contains("已清理占道摊位"), "the reporter reads the result");
    assert!(counted(&l).is_empty());

    // 回复征询, then 销号 and 归档.
    assert_eq!(l.no(&w, &c.op_s1, cst(2026, 5, 7, 9, 0), close()), rule("close_needs_revisit"));
    l.ok(&w, &c.op_s1, cst(2026, 5, 7, 10, 0), revisit(Satisfaction::Basic));
    assert_eq!(l.snap.state, CaseState::Revisit);
    assert_eq!(l.snap.satisfaction, Some(Satisfaction::Basic));
    assert_eq!(counted(&l), [Metric::Revisited, Metric::Satisfied]);
    assert!(told(&l).is_empty());
    l.ok(&w, &c.op_s1, cst(2026, 5, 7, 11, 0), close());
    assert_eq!(l.snap.state, CaseState::Closed);
    assert_eq!(l.snap.closed_level, Some(AreaLevel::Street));
    assert_eq!(l.snap.closed_at, Some(cst(2026, 5, 7, 11, 0)));
    assert!(!l.snap.state.is_open());
    assert_eq!(counted(&l), [Metric::Closed, Metric::ClosedAtStreet], "closed at the street is not closed locally");
    assert_eq!(told(&l), [(Recipient::Reporter, "closed")]);
    l.ok(&w, &c.admin, cst(2026, 5, 11, 9, 0), Move::Archive);
    assert_eq!(l.snap.state, CaseState::Archived);
    assert!(counted(&l).is_empty());
    assert_eq!(l.snap.last_seq, 9);
    assert_replays(&l);
}

#[test]
fn late_signing_and_late_result_are_not_on_time() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![]));
    // Signed the morning after the deadline (17:30 on 22 April).
    l.ok(&w, &c.h_a, cst(2026, 4, 23, 9, 0), Move::Sign);
    assert_eq!(counted(&l), [Metric::Signed]);
    // Exactly at the deadline is still on time; one minute after is not.
    let mut on_edge = l.clone();
    on_edge.ok(&w, &c.h_a, cst(2026, 5, 14, 17, 30), report(ResultKind::Explained));
    assert_eq!(on_edge.snap.handled_on_time, Some(true));
    assert_eq!(counted(&on_edge), [Metric::Handled, Metric::Timed, Metric::HandledOnTime]);
    l.ok(&w, &c.h_a, cst(2026, 5, 14, 17, 31), report(ResultKind::Explained));
    assert_eq!(l.snap.handled_on_time, Some(false));
    assert_eq!(counted(&l), [Metric::Handled, Metric::Timed], "late and not resolved: no other counter");
    assert_replays(&l);
}

#[test]
fn critical_case_needs_the_leaders_review_and_gets_hour_limits() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), hotline(Urgency::Critical));
    assert_eq!(l.no(&w, &c.op_s1, cst(2026, 4, 21, 10, 10), accept()), rule("leader_review_required"));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 30), Move::RequestReview { note: note("特急，请书记阅批") });
    assert_eq!(l.snap.state, CaseState::PendingReview);
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "to_review")]);
    assert!(counted(&l).is_empty());
    // The operator cannot accept in the leader's place, and a leader of another street cannot review.
    let e = l.no(&w, &c.op_s1, cst(2026, 4, 21, 10, 40), accept());
    assert_eq!(e, DomainError::IllegalMove { action: "accept", state: "pending_review" });
    let e = l.no(&w, &c.leader_s2, cst(2026, 4, 21, 10, 40), Move::Review { accept: true, instruction: note("同意") });
    assert_eq!(e, rule("out_of_scope"));

    let mut refused = l.clone();
    refused.ok(
        &w,
        &c.leader_s1,
        cst(2026, 4, 21, 10, 50),
        Move::Review { accept: false, instruction: note("属司法程序") },
    );
    assert_eq!(refused.snap.state, CaseState::NotAccepted);
    assert_eq!(refused.snap.instruction.as_deref(), Some("属司法程序"));
    assert_eq!(counted(&refused), [Metric::NotAccepted]);
    assert_eq!(told(&refused), [(Recipient::Reporter, "not_accepted")]);
    assert!(notice_texts(&refused)[0].contains("属司法程序"), "the reporter is told why");

    // 阅批同意 at 11:00: 7 working hours = 11–12, 13:30–17:30, then 9–11 the next day.
    l.ok(&w, &c.leader_s1, cst(2026, 4, 21, 11, 0), Move::Review { accept: true, instruction: note("立即交办") });
    assert_eq!(l.snap.state, CaseState::Accepted);
    assert_eq!(l.snap.instruction.as_deref(), Some("立即交办"));
    assert_eq!(l.snap.handle_by, Some(cst(2026, 4, 22, 11, 0)));
    assert_eq!(l.snap.accepted_at, Some(cst(2026, 4, 21, 11, 0)));
    assert_eq!(counted(&l), [Metric::Accepted]);
    assert_eq!(told(&l), [(Recipient::Reporter, "accepted")]);
    // Dispatched at 16:00: one working hour to sign, seven to handle (16–17:30, 9–12, 13:30–16).
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 16, 0), dispatch(org_a(), vec![]));
    assert_eq!(l.snap.sign_by, Some(cst(2026, 4, 21, 17, 0)));
    assert_eq!(l.snap.handle_by, Some(cst(2026, 4, 22, 16, 0)));
    assert_replays(&l);
}

#[test]
fn urgent_dispatch_gets_four_working_hours_to_sign() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), hotline(Urgency::Urgent));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 30), accept());
    // Five working days to handle from acceptance.
    assert_eq!(l.snap.handle_by, Some(cst(2026, 4, 28, 17, 30)));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 11, 0), dispatch(org_a(), vec![]));
    // 11–12 and 13:30–16:30.
    assert_eq!(l.snap.sign_by, Some(cst(2026, 4, 21, 16, 30)));
}

#[test]
fn not_accepted_and_merged_end_the_case() {
    let w = World::new();
    let c = &w.cast;
    let base = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    let t = cst(2026, 4, 21, 9, 30);

    let mut na = base.clone();
    na.ok(&w, &c.op_s1, t, Move::NotAccept { reason: reason("属民事纠纷，请诉讼解决") });
    assert_eq!(na.snap.state, CaseState::NotAccepted);
    assert_eq!(counted(&na), [Metric::NotAccepted]);
    assert_eq!(told(&na), [(Recipient::Reporter, "not_accepted")]);
    assert!(notice_texts(&na)[0].contains("属民事纠纷"));

    let (into, into_number) = other_case();
    for mut l in [base.clone(), {
        let mut a = base.clone();
        a.ok(&w, &c.op_s1, t, accept());
        a
    }] {
        let e = l.no(
            &w,
            &c.op_s1,
            t,
            Move::Merge { into: l.snap.id, into_number: l.snap.number.clone(), reason: reason("同一事项") },
        );
        assert_eq!(e, rule("cannot_merge_into_itself"));
        l.ok(&w, &c.op_s1, t, Move::Merge { into, into_number: into_number.clone(), reason: reason("同一事项") });
        assert_eq!(l.snap.state, CaseState::Merged);
        assert_eq!(l.snap.merged_into, Some(into));
        assert_eq!(counted(&l), [Metric::Merged]);
        assert_eq!(told(&l), [(Recipient::Reporter, "merged")]);
        assert!(notice_texts(&l)[0].contains(into_number.as_str()), "the reporter learns the surviving number");
        assert_replays(&l);
    }
}

#[test]
fn misrouted_case_is_returned_then_dispatched_again() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![org_c()]));
    // A co-organiser sees the case but is not the one to sign or return it.
    assert_eq!(l.no(&w, &c.h_c, cst(2026, 4, 21, 11, 0), Move::Sign), rule("not_your_case_at_this_stage"));
    assert_eq!(
        l.no(&w, &c.h_a, cst(2026, 4, 21, 11, 0), Move::Return { reason: " ".to_owned() }),
        DomainError::Invalid { field: "reason", reason: "required" }
    );
    l.ok(&w, &c.h_a, cst(2026, 4, 21, 11, 0), Move::Return { reason: reason("应由住建部门办理") });
    assert_eq!(l.snap.state, CaseState::Accepted);
    assert_eq!(l.snap.lead_org, None);
    assert!(l.snap.co_orgs.is_empty());
    assert_eq!(l.snap.return_count, 1);
    assert_eq!(l.snap.orgs_ever, [org_a(), org_c()], "the organisations keep seeing what they were sent");
    assert_eq!(counted(&l), [Metric::Returned]);
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "returned")]);
    assert!(notice_texts(&l)[0].contains("应由住建部门办理"));
    // The former lead can no longer sign.
    assert_eq!(l.no(&w, &c.h_a, cst(2026, 4, 21, 11, 30), Move::Sign), rule("not_your_case_at_this_stage"));

    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 14, 0), dispatch(org_b(), vec![]));
    assert_eq!(l.snap.state, CaseState::Dispatched);
    assert_eq!(l.snap.orgs_ever, [org_a(), org_c(), org_b()]);
    assert_eq!(l.snap.sign_by, Some(cst(2026, 4, 22, 17, 30)));
    assert_eq!(l.no(&w, &c.h_a, cst(2026, 4, 21, 15, 0), Move::Sign), rule("not_your_case_at_this_stage"));
    l.ok(&w, &c.h_b, cst(2026, 4, 21, 15, 0), Move::Sign);
    assert_eq!(l.snap.state, CaseState::InProgress);
    assert_replays(&l);
}

/// A complaint dispatched on Wednesday 16 September 2026 is due on 30 September (ten working days
/// over Mid-Autumn, with Sunday 20 September worked). Three more working days skip National Day
/// (1–7 October) and end on the worked Saturday 10 October.
#[test]
fn extension_granted_moves_the_deadline_by_working_days() {
    let w = World::new();
    let c = &w.cast;
    let complaint = intake(Ledger::Complaint, Urgency::Normal, G1, Reporter::Contact, Channel::Hotline);
    let mut l = register(&w, &c.op_s1, cst(2026, 9, 16, 9, 0), complaint);
    l.ok(&w, &c.op_s1, cst(2026, 9, 16, 9, 30), accept());
    l.ok(&w, &c.op_s1, cst(2026, 9, 16, 10, 0), dispatch(org_a(), vec![]));
    assert_eq!(l.snap.sign_by, Some(cst(2026, 9, 17, 17, 30)));
    assert_eq!(l.snap.handle_by, Some(cst(2026, 9, 30, 17, 30)));
    l.ok(&w, &c.h_a, cst(2026, 9, 17, 9, 0), Move::Sign);
    assert_eq!(
        l.no(&w, &c.op_s1, cst(2026, 9, 17, 9, 30), Move::DecideExtension { grant: true, note: String::new() }),
        rule("no_extension_pending")
    );

    let ask = |days| Move::RequestExtension { days, reason: reason("需协调供电公司") };
    assert_eq!(
        l.no(&w, &c.h_a, cst(2026, 9, 28, 9, 0), ask(0)),
        DomainError::Invalid { field: "days", reason: "out_of_range" }
    );
    assert_eq!(
        l.no(&w, &c.h_a, cst(2026, 9, 28, 9, 0), ask(31)),
        DomainError::Invalid { field: "days", reason: "out_of_range" }
    );
    l.ok(&w, &c.h_a, cst(2026, 9, 28, 9, 0), ask(3));
    assert_eq!(l.snap.state, CaseState::InProgress);
    assert_eq!(l.snap.extension_pending, Some(3));
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "extension_asked")]);
    assert_eq!(l.no(&w, &c.h_a, cst(2026, 9, 28, 9, 30), ask(2)), rule("extension_already_pending"));
    // Only the centre or its leader decides; the handler cannot grant itself time.
    assert!(matches!(
        l.no(&w, &c.h_a, cst(2026, 9, 28, 10, 0), Move::DecideExtension { grant: true, note: String::new() }),
        DomainError::Forbidden { role: "handler", action: "decide_extension" }
    ));

    let mut refused = l.clone();
    refused.ok(&w, &c.op_s1, cst(2026, 9, 29, 9, 0), Move::DecideExtension { grant: false, note: note("理由不足") });
    assert_eq!(refused.snap.extension_pending, None);
    assert_eq!(refused.snap.handle_by, Some(cst(2026, 9, 30, 17, 30)), "a refusal leaves the deadline");
    assert_eq!(told(&refused), [(Recipient::Org(org_a()), "extension_decided")]);
    assert!(notice_texts(&refused)[0].contains("未同意"));

    l.ok(&w, &c.leader_s1, cst(2026, 9, 29, 9, 0), Move::DecideExtension { grant: true, note: String::new() });
    assert_eq!(l.snap.extension_pending, None);
    assert_eq!(l.snap.handle_by, Some(cst(2026, 10, 10, 17, 30)));
    assert_eq!(told(&l), [(Recipient::Org(org_a()), "extension_decided")]);
    assert!(notice_texts(&l)[0].contains("2026-10-10 17:30"), "the handler is told the new deadline");
    // A result on 9 October is late against the old deadline but on time against the new one.
    l.ok(&w, &c.h_a, cst(2026, 10, 9, 10, 0), report(ResultKind::Resolved));
    assert_eq!(l.snap.handled_on_time, Some(true));
    assert_eq!(counted(&l), [Metric::Handled, Metric::Timed, Metric::HandledOnTime, Metric::Resolved]);
    refused.ok(&w, &c.h_a, cst(2026, 10, 9, 10, 0), report(ResultKind::Resolved));
    assert_eq!(refused.snap.handled_on_time, Some(false));
    assert_eq!(counted(&refused), [Metric::Handled, Metric::Timed, Metric::Resolved]);
    assert_replays(&l);
    assert_replays(&refused);
}

#[test]
fn escalation_asked_by_the_handler_moves_the_case_to_the_parent_centre() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![org_b()]));
    l.ok(&w, &c.h_a, cst(2026, 4, 21, 11, 0), Move::Sign);
    let esc = || Move::Escalate { reason: reason("涉及多个街道") };
    assert_eq!(l.no(&w, &c.op_s1, cst(2026, 4, 21, 14, 0), esc()), rule("escalation_not_requested"));
    l.ok(&w, &c.h_a, cst(2026, 4, 21, 14, 0), Move::RequestEscalation { reason: reason("需区级协调") });
    assert_eq!(l.snap.state, CaseState::InProgress);
    assert!(l.snap.escalation_requested);
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "escalation_asked")]);
    // Only the centre handling it escalates: not the street next door, not the handler.
    assert_eq!(l.no(&w, &c.op_s2, cst(2026, 4, 21, 15, 0), esc()), rule("out_of_scope"));
    assert!(matches!(l.no(&w, &c.h_a, cst(2026, 4, 21, 15, 0), esc()), DomainError::Forbidden { .. }));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 15, 0), esc());
    assert_eq!(l.snap.state, CaseState::Accepted);
    assert_eq!(l.snap.handling_area, code(D1), "the handling area becomes the parent");
    assert_eq!(l.snap.lead_org, None);
    assert!(l.snap.co_orgs.is_empty());
    assert!(!l.snap.escalation_requested);
    assert_eq!(counted(&l), [Metric::Escalated]);
    assert_eq!(told(&l), [(Recipient::Area(code(D1)), "escalated")]);

    // The street no longer acts on it; the district does.
    let again = dispatch(org_c(), vec![]);
    assert_eq!(l.no(&w, &c.op_s1, cst(2026, 4, 22, 9, 0), again.clone()), rule("not_your_case_at_this_stage"));
    l.ok(&w, &c.op_d1, cst(2026, 4, 22, 9, 0), again);
    l.ok(&w, &c.h_c, cst(2026, 4, 22, 10, 0), Move::Sign);
    l.ok(&w, &c.h_c, cst(2026, 4, 23, 10, 0), report(ResultKind::Resolved));
    assert_eq!(l.no(&w, &c.leader_s1, cst(2026, 4, 23, 11, 0), verify()), rule("not_your_case_at_this_stage"));
    l.ok(&w, &c.leader_d1, cst(2026, 4, 23, 11, 0), verify());
    l.ok(&w, &c.op_d1, cst(2026, 4, 24, 11, 0), revisit(Satisfaction::Satisfied));
    l.ok(&w, &c.op_d1, cst(2026, 4, 24, 11, 30), close());
    assert_eq!(l.snap.closed_level, Some(AreaLevel::District), "the level where it was closed is recorded");
    assert_eq!(counted(&l), [Metric::Closed]);
    assert_replays(&l);
}

#[test]
fn escalation_from_accepted_needs_no_request_and_stops_at_the_city() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    let esc = || Move::Escalate { reason: reason("重大复杂") };
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), esc());
    assert_eq!(l.snap.handling_area, code(D1));
    l.ok(&w, &c.op_d1, cst(2026, 4, 21, 10, 30), esc());
    assert_eq!(l.snap.handling_area, code(CITY));
    assert_eq!(told(&l), [(Recipient::Area(code(CITY)), "escalated")]);
    assert_eq!(l.no(&w, &c.op_city, cst(2026, 4, 21, 11, 0), esc()), rule("no_parent_level"));
    assert_eq!(
        l.no(&w, &c.op_city, cst(2026, 4, 21, 11, 0), Move::Escalate { reason: String::new() }),
        DomainError::Invalid { field: "reason", reason: "required" }
    );
}

#[test]
fn delegation_moves_the_case_down_to_a_lower_centre() {
    let w = World::new();
    let c = &w.cast;
    // The district centre took the call and keeps it.
    let mut l = register(&w, &c.op_d1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    assert_eq!(l.snap.handling_area, code(D1));
    assert_eq!(l.no(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept()), rule("not_your_case_at_this_stage"));
    l.ok(&w, &c.op_d1, cst(2026, 4, 21, 9, 30), accept());
    let to = |a: &str| Move::Delegate { to: code(a), reason: reason("属地处置") };
    let not_below = DomainError::Invalid { field: "to", reason: "not_below_handling_area" };
    for bad in [D1, CITY, S_D2, D2] {
        assert_eq!(l.no(&w, &c.op_d1, cst(2026, 4, 21, 10, 0), to(bad)), not_below, "{bad}");
    }
    assert!(matches!(l.no(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), to(S1)), DomainError::Rule { .. }));
    l.ok(&w, &c.op_d1, cst(2026, 4, 21, 10, 0), to(S1));
    assert_eq!(l.snap.state, CaseState::Accepted);
    assert_eq!(l.snap.handling_area, code(S1), "the handling area becomes the child");
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "delegated")]);
    assert!(counted(&l).is_empty());
    // Now the street dispatches it.
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 30), dispatch(org_a(), vec![]));
    assert_eq!(l.snap.state, CaseState::Dispatched);
    assert_replays(&l);
}

/// 下派 sends a case to the centre that serves the place of the matter. A district sending a
/// case located in street S1 to the centre of street S2 hands it to people who cannot even see it
/// (their scope is S2's subtree).
#[test]
fn delegation_goes_down_towards_the_case_only() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_d1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_d1, cst(2026, 4, 21, 9, 30), accept());
    let mut probe = l.clone();
    if probe
        .try_do(&w, &c.op_d1, cst(2026, 4, 21, 10, 0), Move::Delegate { to: code(S2), reason: reason("属地处置") })
        .is_ok()
    {
        // Show the consequence before failing: the new centre cannot act on it.
        let stuck = probe.no(&w, &c.op_s2, cst(2026, 4, 21, 10, 30), dispatch(org_a(), vec![]));
        panic!(
            "a case in {} was delegated to {} (not on its way down); that centre now gets {stuck:?}",
            l.snap.area, probe.snap.handling_area
        );
    }
    let e = l.no(&w, &c.op_d1, cst(2026, 4, 21, 10, 0), Move::Delegate { to: code(C2), reason: reason("属地处置") });
    assert!(matches!(e, DomainError::Invalid { field: "to", .. }), "{e:?}");
}

#[test]
fn grid_worker_handles_a_small_matter_on_the_spot() {
    let w = World::new();
    let c = &w.cast;
    let finding = intake(Ledger::Event, Urgency::Normal, G1, reporter_of(&c.gw_g1), Channel::GridWorker);
    let outside = intake(Ledger::Event, Urgency::Normal, G2, reporter_of(&c.gw_g1), Channel::GridWorker);
    assert_eq!(try_register(&w, &c.gw_g1, cst(2026, 4, 30, 14, 0), outside).map(|_| ()), Err(rule("out_of_scope")));
    let mut l = register(&w, &c.gw_g1, cst(2026, 4, 30, 15, 0), finding);
    assert_eq!(l.snap.handling_area, code(G1), "a grid finding stays with its grid");
    // The street centre, which accepts, is told; not the grid itself.
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "to_accept")]);
    let selfh = || Move::SelfHandle { note: note("现场劝离") };
    assert_eq!(
        l.no(&w, &c.gw_g1, cst(2026, 4, 30, 15, 10), selfh()),
        DomainError::IllegalMove { action: "self_handle", state: "registered" }
    );
    // Events get three working days: 6, 7, 8 May after Labour Day.
    l.ok(&w, &c.op_s1, cst(2026, 4, 30, 15, 30), accept());
    assert_eq!(l.snap.handle_by, Some(cst(2026, 5, 8, 17, 30)));
    assert_eq!(l.no(&w, &c.gw_g2, cst(2026, 4, 30, 16, 0), selfh()), rule("out_of_scope"));
    assert!(matches!(l.no(&w, &c.op_s1, cst(2026, 4, 30, 16, 0), selfh()), DomainError::Forbidden { .. }));
    l.ok(&w, &c.gw_g1, cst(2026, 4, 30, 16, 0), selfh());
    assert_eq!(l.snap.state, CaseState::InProgress);
    assert!(l.snap.self_handled);
    assert_eq!(l.snap.handle_by, Some(cst(2026, 5, 8, 17, 30)));
    assert!(told(&l).is_empty());
    // The neighbouring grid worker may not report the result.
    assert_eq!(l.no(&w, &c.gw_g2, cst(2026, 5, 6, 10, 0), report(ResultKind::Resolved)), rule("out_of_scope"));
    l.ok(&w, &c.gw_g1, cst(2026, 5, 6, 10, 0), report(ResultKind::Resolved));
    assert_eq!(l.snap.handled_on_time, Some(true));
    assert_eq!(counted(&l), [Metric::Handled, Metric::Timed, Metric::HandledOnTime, Metric::Resolved]);
    l.ok(&w, &c.leader_s1, cst(2026, 5, 6, 11, 0), verify());
    assert_eq!(l.snap.revisit_by, Some(cst(2026, 5, 9, 17, 30)));
    l.ok(&w, &c.op_s1, cst(2026, 5, 7, 9, 0), revisit(Satisfaction::Satisfied));
    l.ok(&w, &c.op_s1, cst(2026, 5, 7, 9, 30), close());
    assert_eq!(l.snap.closed_level, Some(AreaLevel::Grid));
    assert_eq!(
        counted(&l),
        [Metric::Closed, Metric::ClosedLocally, Metric::ClosedAtGrid],
        "closed at the grid counts as local"
    );
    assert_replays(&l);
}

#[test]
fn grid_worker_takes_on_their_own_finding_without_waiting_for_the_centre() {
    let w = World::new();
    let c = &w.cast;
    let finding = intake(Ledger::Event, Urgency::Normal, G1, reporter_of(&c.gw_g1), Channel::GridWorker);
    let mut l = register(&w, &c.gw_g1, cst(2026, 4, 30, 15, 0), finding);
    // The neighbouring grid's worker may not take it on.
    assert_eq!(l.no(&w, &c.gw_g2, cst(2026, 4, 30, 15, 5), accept()), rule("out_of_scope"));
    l.ok(&w, &c.gw_g1, cst(2026, 4, 30, 15, 5), accept());
    l.ok(&w, &c.gw_g1, cst(2026, 4, 30, 15, 10), Move::SelfHandle { note: note("现场处置") });
    l.ok(&w, &c.gw_g1, cst(2026, 4, 30, 15, 20), report(ResultKind::Resolved));
    assert_eq!(l.snap.state, CaseState::Handled, "still verified by a leader");
    assert_replays(&l);

    // Not a resident's complaint (someone must be told the number), and not a colleague's finding.
    let complaint = intake(Ledger::Complaint, Urgency::Normal, G1, reporter_of(&c.gw_g1), Channel::GridWorker);
    let mut l = register(&w, &c.gw_g1, cst(2026, 4, 30, 16, 0), complaint);
    assert_eq!(l.no(&w, &c.gw_g1, cst(2026, 4, 30, 16, 5), accept()), rule("not_your_case_at_this_stage"));
    let by_centre = intake(Ledger::Event, Urgency::Normal, G1, Reporter::Anonymous, Channel::GridWorker);
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 30, 16, 0), by_centre);
    assert_eq!(l.no(&w, &c.gw_g1, cst(2026, 4, 30, 16, 5), accept()), rule("not_your_case_at_this_stage"));
}

#[test]
fn a_grid_worker_reports_results_only_of_self_handled_cases() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    // Not delegated to the grid: the handling centre is the street, so no self-handling.
    assert_eq!(
        l.no(&w, &c.gw_g1, cst(2026, 4, 21, 9, 40), Move::SelfHandle { note: String::new() }),
        rule("not_your_case_at_this_stage")
    );
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![]));
    l.ok(&w, &c.h_a, cst(2026, 4, 21, 11, 0), Move::Sign);
    assert_eq!(
        l.no(&w, &c.gw_g1, cst(2026, 4, 22, 11, 0), report(ResultKind::Resolved)),
        rule("not_your_case_at_this_stage")
    );
}

#[test]
fn send_back_returns_the_case_to_the_handler() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![]));
    l.ok(&w, &c.h_a, cst(2026, 4, 21, 11, 0), Move::Sign);
    l.ok(&w, &c.h_a, cst(2026, 4, 22, 11, 0), report(ResultKind::NotYetPossible));
    assert_eq!(
        counted(&l),
        [Metric::Handled, Metric::Timed, Metric::HandledOnTime],
        "not yet possible is not resolved"
    );
    assert!(matches!(
        l.no(&w, &c.op_s1, cst(2026, 4, 22, 14, 0), Move::SendBack { reason: reason("x") }),
        DomainError::Forbidden { .. }
    ));
    assert_eq!(
        l.no(&w, &c.leader_s1, cst(2026, 4, 22, 14, 0), Move::SendBack { reason: String::new() }),
        DomainError::Invalid { field: "reason", reason: "required" }
    );
    l.ok(&w, &c.leader_s1, cst(2026, 4, 22, 14, 0), Move::SendBack { reason: reason("未见整改照片") });
    assert_eq!(l.snap.state, CaseState::InProgress);
    assert_eq!(l.snap.result, None);
    assert_eq!(l.snap.handle_by, Some(cst(2026, 5, 14, 17, 30)), "the deadline keeps running");
    assert_eq!(told(&l), [(Recipient::Org(org_a()), "sent_back")]);
    assert!(notice_texts(&l)[0].contains("未见整改照片"));
    l.ok(&w, &c.h_a, cst(2026, 4, 23, 11, 0), report(ResultKind::Resolved));
    l.ok(&w, &c.leader_s1, cst(2026, 4, 23, 14, 0), verify());
    assert_eq!(l.snap.state, CaseState::Revisit);
    assert_replays(&l);
}

/// Builds a case waiting for revisit after a dispatch to organisation A.
fn at_revisit(w: &World) -> Life {
    let c = &w.cast;
    let mine = intake(Ledger::Demand, Urgency::Normal, G1, reporter_of(&c.resident), Channel::Mobile);
    let mut l = register(w, &c.resident, cst(2026, 4, 21, 9, 0), mine);
    l.ok(w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![]));
    l.ok(w, &c.h_a, cst(2026, 4, 21, 11, 0), Move::Sign);
    l.ok(w, &c.h_a, cst(2026, 4, 22, 11, 0), report(ResultKind::Resolved));
    l.ok(w, &c.leader_s1, cst(2026, 4, 22, 14, 0), verify());
    l
}

#[test]
fn unsatisfied_revisit_leads_to_a_redo_up_to_the_limit() {
    let w = World::new();
    let c = &w.cast;
    let mut l = at_revisit(&w);
    let redo = || Move::Redo { reason: reason("群众反映仍有摊贩") };
    assert_eq!(l.no(&w, &c.op_s1, cst(2026, 4, 23, 9, 0), redo()), rule("redo_needs_unsatisfied_revisit"));
    // The reporter answers, from their own account; another resident cannot.
    assert_eq!(
        l.no(&w, &c.resident2, cst(2026, 4, 23, 9, 0), revisit(Satisfaction::Unsatisfied)),
        rule("out_of_scope")
    );
    l.ok(&w, &c.resident, cst(2026, 4, 23, 9, 0), revisit(Satisfaction::Unsatisfied));
    assert_eq!(counted(&l), [Metric::Revisited, Metric::Unsatisfied]);
    assert!(matches!(l.no(&w, &c.h_a, cst(2026, 4, 23, 10, 0), redo()), DomainError::Forbidden { .. }));
    l.ok(&w, &c.op_s1, cst(2026, 4, 23, 10, 0), redo());
    assert_eq!(l.snap.state, CaseState::InProgress);
    assert_eq!(l.snap.redo_count, 1);
    assert_eq!(l.snap.satisfaction, None);
    assert_eq!(l.snap.result, None);
    // A fresh 15 working days from Thursday 23 April, across Labour Day (9 May worked): Monday 18 May.
    assert_eq!(l.snap.handle_by, Some(cst(2026, 5, 18, 17, 30)));
    assert_eq!(told(&l), [(Recipient::Org(org_a()), "sent_back")]);
    assert_eq!(l.snap.lead_org, Some(org_a()), "the same organisation redoes it");
    l.ok(&w, &c.h_a, cst(2026, 4, 24, 10, 0), report(ResultKind::Resolved));
    l.ok(&w, &c.leader_s1, cst(2026, 4, 24, 11, 0), verify());
    l.ok(&w, &c.op_s1, cst(2026, 4, 24, 14, 0), revisit(Satisfaction::Unsatisfied));
    // The default rules allow one redo.
    assert_eq!(l.no(&w, &c.op_s1, cst(2026, 4, 24, 15, 0), redo()), rule("redo_limit_reached"));
    l.ok(&w, &c.op_s1, cst(2026, 4, 24, 15, 0), close());
    assert_eq!(l.snap.state, CaseState::Closed);
    assert_replays(&l);
}

#[test]
fn the_redo_limit_comes_from_the_city_rules() {
    for max_redo in [0u32, 2, 3] {
        let w = World::with_rules(CaseRules { max_redo, ..CaseRules::default() });
        let c = &w.cast;
        let mut l = at_revisit(&w);
        let mut t = cst(2026, 4, 23, 9, 0);
        let mut next = || {
            t += chrono::TimeDelta::hours(1);
            t
        };
        for round in 0..max_redo {
            l.ok(&w, &c.op_s1, next(), revisit(Satisfaction::Unsatisfied));
            l.ok(&w, &c.leader_s1, next(), Move::Redo { reason: reason("再办") });
            assert_eq!(l.snap.redo_count, round + 1);
            l.ok(&w, &c.h_a, next(), report(ResultKind::Resolved));
            l.ok(&w, &c.leader_s1, next(), verify());
        }
        l.ok(&w, &c.op_s1, next(), revisit(Satisfaction::Unsatisfied));
        assert_eq!(
            l.no(&w, &c.op_s1, next(), Move::Redo { reason: reason("再办") }),
            rule("redo_limit_reached"),
            "max_redo {max_redo}"
        );
        assert_eq!(l.snap.redo_count, max_redo);
    }
}

#[test]
fn a_reporter_without_account_answers_the_revisit_by_case_number() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![]));
    l.ok(&w, &c.h_a, cst(2026, 4, 21, 11, 0), Move::Sign);
    l.ok(&w, &c.h_a, cst(2026, 4, 22, 11, 0), report(ResultKind::Resolved));
    l.ok(&w, &c.leader_s1, cst(2026, 4, 22, 14, 0), verify());
    let other = follower(other_case().0);
    assert_eq!(l.no(&w, &other, cst(2026, 4, 23, 9, 0), revisit(Satisfaction::Satisfied)), rule("out_of_scope"));
    // A resident account is not the reporter of a phoned-in case.
    assert_eq!(l.no(&w, &c.resident, cst(2026, 4, 23, 9, 0), revisit(Satisfaction::Satisfied)), rule("out_of_scope"));
    l.ok(&w, &follower(l.snap.id), cst(2026, 4, 23, 9, 0), revisit(Satisfaction::Satisfied));
    assert_eq!(l.snap.satisfaction, Some(Satisfaction::Satisfied));
    // The reporter rates; closing is the centre's.
    assert!(matches!(l.no(&w, &follower(l.snap.id), cst(2026, 4, 23, 9, 30), close()), DomainError::Forbidden { .. }));
}

#[test]
fn supervision_only_rises_and_an_operator_gives_only_centre_supervision() {
    let w = World::new();
    let c = &w.cast;
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    let sup = |level| Move::Supervise { level, note: note("限期办结") };
    // Supervision applies already at registration; nobody else is involved yet, so the centre is told.
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 10), sup(SupervisionLevel::Centre));
    assert_eq!(l.snap.supervision, Some(SupervisionLevel::Centre));
    assert_eq!(l.snap.state, CaseState::Registered);
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "supervised")]);
    for level in [SupervisionLevel::Leader, SupervisionLevel::TopLeader] {
        assert_eq!(
            l.no(&w, &c.op_s1, cst(2026, 4, 21, 9, 20), sup(level)),
            DomainError::Forbidden { role: "operator", action: "supervise" }
        );
    }
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![]));
    l.ok(&w, &c.leader_s1, cst(2026, 4, 21, 10, 30), sup(SupervisionLevel::Leader));
    assert_eq!(l.snap.supervision, Some(SupervisionLevel::Leader));
    assert_eq!(l.snap.state, CaseState::Dispatched);
    assert_eq!(told(&l), [(Recipient::Org(org_a()), "supervised")]);
    assert!(notice_texts(&l)[0].contains("领导督办"));
    // A lower (or the same) line later is refused: it would not lower the case, and its notice
    // would mislead the department.
    assert_eq!(
        l.no(&w, &c.op_s1, cst(2026, 4, 21, 11, 0), sup(SupervisionLevel::Centre)),
        rule("supervision_cannot_lower")
    );
    assert_eq!(l.snap.supervision, Some(SupervisionLevel::Leader));
    l.ok(&w, &c.leader_d1, cst(2026, 4, 21, 11, 30), sup(SupervisionLevel::TopLeader));
    assert_eq!(l.snap.supervision, Some(SupervisionLevel::TopLeader));
    assert_eq!(
        l.no(&w, &c.leader_s1, cst(2026, 4, 21, 12, 0), sup(SupervisionLevel::Leader)),
        rule("supervision_cannot_lower")
    );
    assert_eq!(l.snap.supervision, Some(SupervisionLevel::TopLeader));
    assert!(matches!(
        l.no(&w, &c.h_a, cst(2026, 4, 21, 12, 0), sup(SupervisionLevel::Centre)),
        DomainError::Forbidden { .. }
    ));
    assert!(counted(&l).is_empty());
    assert_replays(&l);
}

#[test]
fn urging_chases_whoever_holds_the_case() {
    let w = World::new();
    let c = &w.cast;
    let urge = || Move::Urge { note: note("请抓紧") };
    let mut l = register(&w, &c.op_s1, cst(2026, 4, 21, 9, 0), hotline(Urgency::Normal));
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 9, 30), accept());
    l.ok(&w, &c.leader_d1, cst(2026, 4, 21, 9, 40), urge());
    assert_eq!(l.snap.state, CaseState::Accepted);
    assert_eq!(told(&l), [(Recipient::Area(code(S1)), "urged")]);
    l.ok(&w, &c.op_s1, cst(2026, 4, 21, 10, 0), dispatch(org_a(), vec![org_b()]));
    let before = l.snap.clone();
    l.ok(&w, &c.op_s1, cst(2026, 4, 22, 10, 0), urge());
    assert_eq!(told(&l), [(Recipient::Org(org_a()), "urged")]);
    assert!(counted(&l).is_empty());
    assert_eq!(l.snap.state, before.state);
    assert_eq!(l.snap.stage_started_at, before.stage_started_at, "chasing does not restart the stage clock");
    assert_eq!(l.snap.sign_by, before.sign_by);
    assert_eq!(l.no(&w, &c.op_s2, cst(2026, 4, 22, 10, 0), urge()), rule("out_of_scope"));
}

#[test]
fn registration_sets_the_handling_centre_by_who_takes_it() {
    let w = World::new();
    let c = &w.cast;
    let t = cst(2026, 4, 21, 9, 0);
    let handled_by = |who: &shiyu_domain::scope::Principal, i| register(&w, who, t, i).snap.handling_area;
    // A resident's web request goes to the street of the place.
    let mine = |ch| intake(Ledger::Suggestion, Urgency::Normal, G2, reporter_of(&c.resident), ch);
    assert_eq!(handled_by(&c.resident, mine(Channel::Web)), code(S1));
    assert_eq!(handled_by(&c.resident, mine(Channel::Mobile)), code(S1));
    // A centre at street level or above keeps what it takes; a community centre passes it to its street.
    assert_eq!(handled_by(&c.op_s1, hotline(Urgency::Normal)), code(S1));
    assert_eq!(handled_by(&c.op_d1, hotline(Urgency::Normal)), code(D1));
    assert_eq!(handled_by(&c.op_city, hotline(Urgency::Normal)), code(CITY));
    assert_eq!(handled_by(&c.leader_s1, hotline(Urgency::Normal)), code(S1));
    assert_eq!(handled_by(&c.op_c1, hotline(Urgency::Normal)), code(S1));
    let l = register(&w, &c.resident, t, mine(Channel::Web));
    assert_eq!(l.snap.reporter_user(), Some(c.resident.user_id));
    assert_eq!(l.snap.created_at, t);
    assert_eq!(l.snap.stage_started_at, t);
}
