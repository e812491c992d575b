//! Every illegal move is refused, with the error that names why, and a refusal changes nothing.
//!
//! The exhaustive test tries every move kind (with valid and invalid payloads) by every principal
//! of the fixture (all roles, right and wrong bindings) on cases in every state, and compares what
//! was accepted with the transition table of DESIGN §4 written out independently in `common`.

mod common;

use std::collections::BTreeSet;

use chrono::TimeDelta;
use common::*;
use shiyu_domain::DomainError;
use shiyu_domain::case::machine::{decide, may, register as register_case, target_state};
use shiyu_domain::case::{CaseState, Channel, GeoPoint, Intake, Ledger, Move, Reporter, Satisfaction, Urgency};
use shiyu_domain::ids::{AttachmentId, CaseId};
use shiyu_domain::role::Role;
use uuid::Uuid;

fn sample(w: &World, name: &str) -> Life {
    samples(w).into_iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no sample {name}")).life
}

fn rule(rule: &'static str) -> DomainError {
    DomainError::Rule { rule }
}

#[test]
fn samples_cover_every_state() {
    let w = World::new();
    let states: BTreeSet<&str> = samples(&w).iter().map(|s| s.life.snap.state.as_str()).collect();
    let all: BTreeSet<&str> = CaseState::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(states, all);
}

#[test]
fn every_state_every_move_every_role() {
    let w = World::new();
    let now = cst(2026, 4, 23, 10, 0);
    let mut expected: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    let mut observed: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    let mut tried = 0usize;
    for s in samples(&w) {
        let snap = &s.life.snap;
        let cast = w.cast.all_for(snap.id);
        for kind in KINDS {
            for (mv, valid) in payloads(kind, snap) {
                if valid && let Some(t) = design_target(snap.state, &mv) {
                    expected.insert((snap.state.as_str(), mv.name(), t.as_str()));
                }
                for p in &cast {
                    tried += 1;
                    let before = snap.clone();
                    let what = format!("{} ({}) {:?} on {}", p.name, p.role.as_str(), mv, s.name);
                    let result = decide(snap, mv.clone(), &w.ctx(p, now));
                    assert_eq!(*snap, before, "{what}: decide changed the case");
                    match result {
                        Ok(ev) => {
                            assert!(valid, "{what}: accepted a payload with invalid fields");
                            assert!(may(p.role, &mv), "{what}: accepted from a role `may` refuses");
                            assert!(
                                design_roles(&mv).contains(&p.role),
                                "{what}: accepted from a role DESIGN does not give the move"
                            );
                            assert!(
                                p.scope().sees(snap.visibility()),
                                "{what}: accepted from someone who cannot see the case"
                            );
                            let t =
                                target_state(snap, &mv).unwrap_or_else(|| panic!("{what}: accepted without a target"));
                            assert_eq!(Some(t), design_target(snap.state, &mv), "{what}: target differs from DESIGN");
                            assert_eq!(ev.seq, snap.last_seq + 1, "{what}");
                            assert_eq!(ev.change, mv, "{what}: the event records the move as asked");
                            assert_eq!(ev.at, now);
                            assert_eq!(ev.actor.user, Some(p.user_id));
                            assert_eq!(ev.actor.role, Some(p.role));
                            assert_eq!(ev.actor.name, p.name);
                            let mut after = snap.clone();
                            after.evolve(&ev).unwrap_or_else(|e| panic!("{what}: evolve refused a decided event: {e}"));
                            assert_eq!(after.state, t, "{what}");
                            assert_eq!(after.last_seq, ev.seq);
                            observed.insert((snap.state.as_str(), mv.name(), t.as_str()));
                        }
                        Err(e) => {
                            if !valid {
                                assert!(
                                    matches!(e, DomainError::Invalid { .. }),
                                    "{what}: bad fields must be named, got {e:?}"
                                );
                            } else if !may(p.role, &mv) {
                                assert_eq!(
                                    e,
                                    DomainError::Forbidden { role: p.role.as_str(), action: mv.name() },
                                    "{what}"
                                );
                            } else if !p.scope().sees(snap.visibility()) {
                                assert_eq!(e, rule("out_of_scope"), "{what}");
                            }
                            if let DomainError::IllegalMove { action, state } = e {
                                assert!(target_state(snap, &mv).is_none(), "{what}");
                                assert!(
                                    design_target(snap.state, &mv).is_none(),
                                    "{what}: DESIGN allows this move here"
                                );
                                assert_eq!((action, state), (mv.name(), snap.state.as_str()), "{what}");
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(tried > 10_000, "the sweep is exhaustive ({tried} decisions)");
    let missing: Vec<_> = expected.difference(&observed).collect();
    let extra: Vec<_> = observed.difference(&expected).collect();
    assert!(missing.is_empty(), "legal moves nobody could make: {missing:?}");
    assert!(extra.is_empty(), "moves accepted beyond DESIGN §4: {extra:?}");
}

#[test]
fn target_state_agrees_with_design_for_every_state_and_move() {
    let w = World::new();
    for s in samples(&w) {
        for kind in KINDS {
            for (mv, _) in payloads(kind, &s.life.snap) {
                assert_eq!(
                    target_state(&s.life.snap, &mv),
                    design_target(s.life.snap.state, &mv),
                    "{} in {}",
                    mv.name(),
                    s.name
                );
            }
        }
    }
}

#[test]
fn may_agrees_with_the_roles_of_design() {
    let w = World::new();
    let snap = &sample(&w, "in_progress").snap;
    for kind in KINDS {
        for (mv, _) in payloads(kind, snap) {
            for role in Role::ALL {
                assert_eq!(may(role, &mv), design_roles(&mv).contains(&role), "{} by {}", mv.name(), role.as_str());
            }
        }
    }
}

#[test]
fn terminal_states_accept_nothing_and_closed_only_archiving() {
    let w = World::new();
    let now = cst(2026, 4, 23, 10, 0);
    for name in ["archived", "not_accepted", "merged", "closed"] {
        let l = sample(&w, name);
        for p in w.cast.all_for(l.snap.id) {
            for kind in KINDS {
                for (mv, _) in payloads(kind, &l.snap) {
                    if let Ok(ev) = decide(&l.snap, mv.clone(), &w.ctx(&p, now)) {
                        assert!(
                            name == "closed" && matches!(ev.change, Move::Archive),
                            "{name}: {} by {} accepted",
                            mv.name(),
                            p.name
                        );
                    }
                }
            }
        }
    }
    // Archiving is the centre's or the administrator's, within their area.
    let l = sample(&w, "closed");
    let who_archives: BTreeSet<String> = w
        .cast
        .all()
        .into_iter()
        .filter(|p| decide(&l.snap, Move::Archive, &w.ctx(p, now)).is_ok())
        .map(|p| p.name)
        .collect();
    let c = &w.cast;
    let expected: BTreeSet<String> =
        [&c.op_city, &c.op_d1, &c.op_s1, &c.admin].iter().map(|p| p.name.clone()).collect();
    assert_eq!(who_archives, expected);
}

/// The refusals a person meets most, with the exact error the API shows.
#[test]
fn representative_refusals_name_their_reason() {
    let w = World::new();
    let c = &w.cast;
    let now = cst(2026, 4, 23, 10, 0);
    let check = |name: &str, who: &shiyu_domain::scope::Principal, mv: Move, expected: DomainError| {
        let mut l = sample(&w, name);
        let what = format!("{} by {} on {name}", mv.name(), who.name);
        assert_eq!(l.no(&w, who, now, mv), expected, "{what}");
    };
    let (other, other_no) = other_case();
    let good = || "理由".to_owned();

    // Wrong state.
    check(
        "registered",
        &c.op_s1,
        dispatch(org_a(), vec![]),
        DomainError::IllegalMove { action: "dispatch", state: "registered" },
    );
    check("accepted", &c.h_a, Move::Sign, rule("out_of_scope")); // not dispatched yet: A cannot even see it
    check("dispatched", &c.op_s1, close(), DomainError::IllegalMove { action: "close", state: "dispatched" });
    check("revisit", &c.op_s1, Move::Archive, DomainError::IllegalMove { action: "archive", state: "revisit" });
    check(
        "closed",
        &c.leader_s1,
        Move::Supervise { level: shiyu_domain::case::SupervisionLevel::Leader, note: String::new() },
        DomainError::IllegalMove { action: "supervise", state: "closed" },
    );
    check(
        "closed",
        &c.op_s1,
        Move::Urge { note: String::new() },
        DomainError::IllegalMove { action: "urge", state: "closed" },
    );
    check(
        "handled",
        &c.h_a,
        report(shiyu_domain::case::ResultKind::Resolved),
        DomainError::IllegalMove { action: "report_result", state: "handled" },
    );
    check(
        "in_progress",
        &c.op_s1,
        Move::Delegate { to: code(G1), reason: good() },
        DomainError::IllegalMove { action: "delegate", state: "in_progress" },
    );
    check("merged", &c.op_s1, accept(), DomainError::IllegalMove { action: "accept", state: "merged" });
    check("archived", &c.admin, Move::Archive, DomainError::IllegalMove { action: "archive", state: "archived" });

    // Wrong role.
    check("registered", &c.h_a, accept(), DomainError::Forbidden { role: "handler", action: "accept" });
    check("registered", &c.resident, accept(), DomainError::Forbidden { role: "resident", action: "accept" });
    check(
        "accepted",
        &c.leader_s1,
        dispatch(org_a(), vec![]),
        DomainError::Forbidden { role: "leader", action: "dispatch" },
    );
    check("dispatched", &c.op_s1, Move::Sign, DomainError::Forbidden { role: "operator", action: "sign" });
    check("handled", &c.op_s1, verify(), DomainError::Forbidden { role: "operator", action: "verify" });
    check(
        "in_progress",
        &c.mediator,
        Move::Urge { note: String::new() },
        DomainError::Forbidden { role: "mediator", action: "urge" },
    );
    check("revisit_satisfied", &c.analyst, close(), DomainError::Forbidden { role: "analyst", action: "close" });
    check(
        "revisit",
        &c.h_a,
        revisit(Satisfaction::Satisfied),
        DomainError::Forbidden { role: "handler", action: "record_revisit" },
    );
    check("closed", &c.leader_city, Move::Archive, DomainError::Forbidden { role: "leader", action: "archive" });
    check("registered", &c.admin, accept(), DomainError::Forbidden { role: "admin", action: "accept" });

    // Out of scope: another street's operator, an uninvolved organisation, another resident.
    check("registered", &c.op_s2, accept(), rule("out_of_scope"));
    check("registered", &c.op_d2, accept(), rule("out_of_scope"));
    check("dispatched", &c.h_x, Move::Sign, rule("out_of_scope"));
    check("revisit", &c.resident2, revisit(Satisfaction::Satisfied), rule("out_of_scope"));
    check("closed", &c.admin_s2, Move::Archive, rule("out_of_scope"));

    // In scope but not theirs at this stage.
    check("dispatched", &c.h_b, Move::Sign, rule("not_your_case_at_this_stage")); // co-organiser
    check("registered", &c.op_c1, accept(), rule("not_your_case_at_this_stage")); // below the handling centre
    check("accepted_at_district", &c.op_s1, dispatch(org_a(), vec![]), rule("not_your_case_at_this_stage"));
    check(
        "in_progress",
        &c.gw_g1,
        report(shiyu_domain::case::ResultKind::Resolved),
        rule("not_your_case_at_this_stage"),
    );

    // Fields.
    let reason_required = DomainError::Invalid { field: "reason", reason: "required" };
    check("registered", &c.op_s1, Move::NotAccept { reason: String::new() }, reason_required.clone());
    check("registered", &c.op_s1, Move::NotAccept { reason: " \n\t".to_owned() }, reason_required.clone());
    check(
        "registered",
        &c.op_s1,
        Move::Merge { into: other, into_number: other_no.clone(), reason: String::new() },
        reason_required.clone(),
    );
    check("dispatched", &c.h_a, Move::Return { reason: String::new() }, reason_required.clone());
    check("in_progress", &c.h_a, Move::RequestEscalation { reason: String::new() }, reason_required.clone());
    check("handled", &c.leader_s1, Move::SendBack { reason: String::new() }, reason_required.clone());
    check("revisit_unsatisfied", &c.op_s1, Move::Redo { reason: String::new() }, reason_required.clone());
    check("in_progress", &c.h_a, Move::RequestExtension { days: 3, reason: String::new() }, reason_required);
    check(
        "pending_review",
        &c.leader_s1,
        Move::Review { accept: true, instruction: String::new() },
        DomainError::Invalid { field: "instruction", reason: "required" },
    );
    check(
        "in_progress",
        &c.h_a,
        Move::ReportResult { outcome: shiyu_domain::case::ResultKind::Resolved, text: " ".to_owned() },
        DomainError::Invalid { field: "text", reason: "required" },
    );
    check(
        "in_progress",
        &c.h_a,
        Move::ReportResult { outcome: shiyu_domain::case::ResultKind::Resolved, text: "长".repeat(5001) },
        DomainError::Invalid { field: "text", reason: "too_long" },
    );
    check(
        "registered",
        &c.op_s1,
        Move::Accept { note: "长".repeat(2001) },
        DomainError::Invalid { field: "note", reason: "too_long" },
    );
    check(
        "registered",
        &c.op_s1,
        Move::NotAccept { reason: "长".repeat(2001) },
        DomainError::Invalid { field: "reason", reason: "too_long" },
    );
    check(
        "accepted",
        &c.op_s1,
        dispatch(org_a(), vec![org_b(), org_a()]),
        DomainError::Invalid { field: "co", reason: "lead_also_co" },
    );
    check(
        "accepted",
        &c.op_s1,
        dispatch(org_a(), vec![org_b(), org_c(), org_b()]),
        DomainError::Invalid { field: "co", reason: "duplicate" },
    );
    check(
        "in_progress",
        &c.h_a,
        Move::RequestExtension { days: 0, reason: good() },
        DomainError::Invalid { field: "days", reason: "out_of_range" },
    );
    check(
        "in_progress",
        &c.h_a,
        Move::RequestExtension { days: 31, reason: good() },
        DomainError::Invalid { field: "days", reason: "out_of_range" },
    );
    check(
        "accepted",
        &c.op_s1,
        Move::Delegate { to: code(S1), reason: good() },
        DomainError::Invalid { field: "to", reason: "not_below_handling_area" },
    );
    check(
        "accepted",
        &c.op_s1,
        Move::Delegate { to: code(D1), reason: good() },
        DomainError::Invalid { field: "to", reason: "not_below_handling_area" },
    );

    // Rules of the case life.
    check("revisit", &c.op_s1, close(), rule("close_needs_revisit"));
    check("registered_critical", &c.op_s1, accept(), rule("leader_review_required"));
    check("revisit_unsatisfied_after_redo", &c.op_s1, Move::Redo { reason: good() }, rule("redo_limit_reached"));
    check("revisit_satisfied", &c.op_s1, Move::Redo { reason: good() }, rule("redo_needs_unsatisfied_revisit"));
    check("revisit", &c.op_s1, Move::Redo { reason: good() }, rule("redo_needs_unsatisfied_revisit"));
    check(
        "in_progress_extension_pending",
        &c.h_a,
        Move::RequestExtension { days: 2, reason: good() },
        rule("extension_already_pending"),
    );
    check(
        "in_progress",
        &c.op_s1,
        Move::DecideExtension { grant: true, note: String::new() },
        rule("no_extension_pending"),
    );
    check("in_progress", &c.op_s1, Move::Escalate { reason: good() }, rule("escalation_not_requested"));
    check("accepted_at_city", &c.op_city, Move::Escalate { reason: good() }, rule("no_parent_level"));
    check(
        "registered",
        &c.op_s1,
        Move::Merge { into: CaseId(Uuid::from_u128(0xCA5E)), into_number: other_no, reason: good() },
        rule("cannot_merge_into_itself"),
    );
    check("in_progress", &c.op_s1, Move::Register(hotline(Urgency::Normal)), rule("register_only_first"));
    check(
        "in_progress",
        &c.op_s1,
        Move::Supervise { level: shiyu_domain::case::SupervisionLevel::TopLeader, note: String::new() },
        DomainError::Forbidden { role: "operator", action: "supervise" },
    );
}

#[test]
fn registration_refusals() {
    let w = World::new();
    let c = &w.cast;
    let now = cst(2026, 4, 21, 9, 0);
    let refused = |who: &shiyu_domain::scope::Principal, i: Intake| -> DomainError {
        let what = format!("register by {}", who.name);
        match register_case(CaseId::new(), case_number(1), i, &w.ctx(who, now)) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => e,
        }
    };
    let ok = |who: &shiyu_domain::scope::Principal, i: Intake| {
        register_case(CaseId::new(), case_number(1), i, &w.ctx(who, now))
            .unwrap_or_else(|e| panic!("{}: {e}", who.name));
    };
    let base = || hotline(Urgency::Normal);
    let with = |f: &dyn Fn(&mut Intake)| {
        let mut i = base();
        f(&mut i);
        i
    };
    assert_eq!(
        refused(&c.op_s1, with(&|i| i.title = "  ".into())),
        DomainError::Invalid { field: "title", reason: "required" }
    );
    assert_eq!(
        refused(&c.op_s1, with(&|i| i.title = "题".repeat(201))),
        DomainError::Invalid { field: "title", reason: "too_long" }
    );
    ok(&c.op_s1, with(&|i| i.title = "题".repeat(200)));
    assert_eq!(
        refused(&c.op_s1, with(&|i| i.text = String::new())),
        DomainError::Invalid { field: "text", reason: "required" }
    );
    assert_eq!(
        refused(&c.op_s1, with(&|i| i.text = "字".repeat(5001))),
        DomainError::Invalid { field: "text", reason: "too_long" }
    );
    for (lon, lat) in
        [(180.5, 30.0), (-181.0, 30.0), (112.0, 90.1), (112.0, -90.5), (f64::NAN, 30.0), (112.0, f64::INFINITY)]
    {
        assert_eq!(
            refused(&c.op_s1, with(&|i| i.location = Some(GeoPoint { lon, lat }))),
            DomainError::Invalid { field: "location", reason: "out_of_range" },
            "{lon},{lat}"
        );
    }
    ok(&c.op_s1, with(&|i| i.location = Some(GeoPoint { lon: -180.0, lat: 90.0 })));
    ok(&c.op_s1, with(&|i| i.location = None));
    assert_eq!(
        refused(&c.op_s1, with(&|i| i.attachments = (0..21).map(|_| AttachmentId::new()).collect())),
        DomainError::Invalid { field: "attachments", reason: "too_many" }
    );
    ok(&c.op_s1, with(&|i| i.attachments = (0..20).map(|_| AttachmentId::new()).collect()));

    // A resident files for themself, through the web or the mobile page.
    let mine = |reporter, channel| intake(Ledger::Demand, Urgency::Normal, G1, reporter, channel);
    assert_eq!(
        refused(&c.resident, mine(Reporter::Contact, Channel::Web)),
        DomainError::Invalid { field: "reporter", reason: "must_be_self" }
    );
    assert_eq!(
        refused(&c.resident, mine(Reporter::Anonymous, Channel::Web)),
        DomainError::Invalid { field: "reporter", reason: "must_be_self" }
    );
    assert_eq!(
        refused(&c.resident, mine(reporter_of(&c.resident2), Channel::Web)),
        DomainError::Invalid { field: "reporter", reason: "must_be_self" }
    );
    assert_eq!(
        refused(&c.resident, mine(reporter_of(&c.resident), Channel::Hotline)),
        DomainError::Invalid { field: "channel", reason: "not_a_resident_channel" }
    );
    assert_eq!(
        refused(&c.resident, mine(reporter_of(&c.resident), Channel::LeaderPhone)),
        DomainError::Invalid { field: "channel", reason: "not_a_resident_channel" }
    );
    ok(&c.resident, mine(reporter_of(&c.resident), Channel::Mobile));

    // Staff register inside their area only.
    let far = intake(Ledger::Event, Urgency::Normal, G_S2, Reporter::Anonymous, Channel::GridWorker);
    assert_eq!(refused(&c.gw_g1, far.clone()), rule("out_of_scope"));
    assert_eq!(refused(&c.op_s1, far.clone()), rule("out_of_scope"));
    assert_eq!(refused(&c.leader_s1, far.clone()), rule("out_of_scope"));
    assert_eq!(refused(&c.op_c1, far.clone()), rule("out_of_scope"));
    ok(&c.gw_s2, far.clone());
    ok(&c.op_d1, far);

    // Roles that do not register.
    for p in [&c.h_a, &c.mediator, &c.analyst, &c.admin] {
        assert_eq!(
            refused(p, base()),
            DomainError::Forbidden { role: p.role.as_str(), action: "register" },
            "{}",
            p.name
        );
    }
    // Mis-bound staff cannot register either (their binding gives no area to register in).
    for p in [&c.op_misbound, &c.leader_misbound, &c.gw_misbound] {
        assert!(matches!(refused(p, base()), DomainError::Forbidden { action: "register", .. }), "{}", p.name);
    }
}

#[test]
fn refusals_after_time_passes_still_change_nothing() {
    // A long sequence of refused moves on a live case leaves its row and history as they were.
    let w = World::new();
    let mut l = sample(&w, "in_progress");
    let row = l.snap.clone();
    let n = l.events.len();
    let mut t = cst(2026, 4, 23, 10, 0);
    for p in w.cast.all_for(l.snap.id) {
        for mv in [
            accept(),
            dispatch(org_a(), vec![]),
            Move::Sign,
            close(),
            Move::Archive,
            verify(),
            Move::Redo { reason: "x".into() },
        ] {
            t += TimeDelta::minutes(7);
            let _ = l.try_do(&w, &p, t, mv);
        }
    }
    // None of these moves is legal in progress, so nothing was accepted.
    assert_eq!(l.snap, row);
    assert_eq!(l.events.len(), n);
}
