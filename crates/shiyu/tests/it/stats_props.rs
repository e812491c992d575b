//! Every figure against a naive count over the raw stored events, for random case histories
//! spread over two months and three grids, and random area subtrees and periods, on both engines.
//! Dispute figures likewise: random dispute lives through the store, every figure against a naive
//! walk of the stored dispute events.

use chrono::{DateTime, Days, Duration, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use shiyu_domain::case::{
    CaseSnapshot, CategoryCode, Channel, Intake, Ledger, Move, Reporter, ResultKind, Satisfaction, SupervisionLevel,
    Urgency,
};
use shiyu_domain::dispute::{DisputeChange, DisputeEvent, DisputeMove, FollowUpResult, SessionOutcome, Tier};
use shiyu_domain::ids::CaseId;
use shiyu_domain::scope::{Principal, Scope};
use shiyu_domain::stats::Metric;
use shiyu_domain::stats::disputes::{DisputeFigures, DisputeMetric};
use shiyu_domain::stats::figures::{Figure, Sums};
use shiyu_domain::time::local_date;
use shiyu_storage::stats::StatFilter;

use crate::common::{TestApp, engines};
use crate::history::{ACTORS, USUAL, moves};

/// A stored case as the naive count sees it: id, place, category, reporting account, registered
/// at, and its events with whether it repeats an earlier request.
type Stored = (
    CaseId,
    shiyu_domain::area::AreaCode,
    CategoryCode,
    Option<shiyu_domain::ids::UserId>,
    DateTime<Utc>,
    (Vec<shiyu_domain::case::Event>, bool),
);

/// One random life: grid pick, days ago it started, hours between moves, and the move picks.
type Life = (usize, u64, Vec<(usize, u32, u8)>);

fn lives() -> impl Strategy<Value = Vec<Life>> {
    prop::collection::vec((0..3usize, 0..60u64, prop::collection::vec((0..1000usize, 1..40u32, 0..4u8), 0..25)), 1..8)
}

/// The naive count of one case's stored history by the written definitions.
fn naive(events: &[shiyu_domain::case::Event], id: CaseId, repeat: bool, keep: impl Fn(DateTime<Utc>) -> bool) -> Sums {
    let mut s = Sums::default();
    for (i, e) in events.iter().enumerate() {
        if !keep(e.at) {
            continue;
        }
        let before = (i > 0).then(|| CaseSnapshot::rebuild(id, &events[..i]).expect("replay"));
        let mut add = |m| s.add(m, 1);
        match &e.change {
            Move::Register(_) => {
                add(Metric::Received);
                if repeat {
                    add(Metric::Repeated);
                }
            }
            Move::Accept { .. } | Move::Review { accept: true, .. } => add(Metric::Accepted),
            Move::Sign => {
                add(Metric::Signed);
                if before.as_ref().and_then(|b| b.sign_by).is_none_or(|due| e.at <= due) {
                    add(Metric::SignedOnTime);
                }
            }
            Move::Return { .. } => add(Metric::Returned),
            Move::ReportResult { outcome, .. } => {
                add(Metric::Handled);
                if before.as_ref().and_then(|b| b.handle_by).is_none_or(|due| e.at <= due) {
                    add(Metric::HandledOnTime);
                }
                if *outcome == ResultKind::Resolved {
                    add(Metric::Resolved);
                }
                if let Some(m) = e.effects.work_minutes {
                    add(Metric::Timed);
                    s.add(Metric::HandlingMinutes, m);
                }
            }
            Move::RecordRevisit { satisfaction: Satisfaction::Satisfied | Satisfaction::Basic, .. } => {
                add(Metric::Satisfied)
            }
            Move::RecordRevisit { satisfaction: Satisfaction::Unsatisfied, .. } => add(Metric::Unsatisfied),
            Move::Close { .. } => {
                add(Metric::Closed);
                match e.effects.closed_level {
                    Some(shiyu_domain::area::AreaLevel::Grid) => add(Metric::ClosedAtGrid),
                    Some(shiyu_domain::area::AreaLevel::Community) => add(Metric::ClosedAtCommunity),
                    Some(shiyu_domain::area::AreaLevel::Street) => add(Metric::ClosedAtStreet),
                    _ => {}
                }
            }
            Move::Escalate { .. } => add(Metric::Escalated),
            _ => {}
        }
    }
    s
}

#[test]
fn every_figure_equals_a_naive_count_for_random_histories_subtrees_and_periods() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for engine in engines() {
        let app = rt.block_on(TestApp::spawn(engine));
        let principals: Vec<Principal> = ACTORS.iter().map(|a| app.fx.users[a].principal()).collect();
        let op2 = app.fx.users["operator2"].principal();
        let grids = [app.fx.grid.clone(), app.fx.grid_b.clone(), app.fx.grid2.clone()];
        let subtrees = [
            app.fx.city.clone(),
            app.fx.district.clone(),
            app.fx.street.clone(),
            app.fx.community.clone(),
            app.fx.grid.clone(),
            app.fx.grid_b.clone(),
            app.fx.street2.clone(),
            app.fx.grid2.clone(),
        ];
        let now = Utc::now();
        let ids: std::cell::RefCell<Vec<CaseId>> = std::cell::RefCell::new(Vec::new());
        let mut runner = TestRunner::new(Config { cases: 12, failure_persistence: None, ..Config::default() });
        runner
            .run(&(lives(), prop::collection::vec((0..8usize, 0..70u64, 0..40u64), 6)), |(lives, windows)| {
                rt.block_on(async {
                    for (g, days_ago, steps) in &lives {
                        let mut t = now - Duration::days(*days_ago as i64) - Duration::hours(1);
                        let area = grids[*g].clone();
                        // The second street's cases are registered by its own operator and stay there.
                        let registrar = if *g == 2 { &op2 } else { &principals[6] };
                        let intake = Intake {
                            ledger: Ledger::Complaint,
                            category: CategoryCode::parse(&app.fx.category).expect("category"),
                            channel: Channel::Web,
                            urgency: Urgency::Normal,
                            title: "统计性质".into(),
                            text: "统计性质测试".into(),
                            area,
                            location: None,
                            off_grid: false,
                            reporter: if *g == 2 {
                                Reporter::Anonymous
                            } else {
                                Reporter::Account { user: principals[6].user_id }
                            },
                            attachments: vec![],
                        };
                        let case = app.store.register_case(registrar, intake, None, t).await.expect("register");
                        ids.borrow_mut().push(case.id);
                        for (pick, hours, x) in steps {
                            t += Duration::hours(i64::from(*hours));
                            if t >= now {
                                break;
                            }
                            let before = app
                                .store
                                .case_record(&Scope::Subtree(app.fx.city.clone()), case.id)
                                .await
                                .expect("read");
                            let sat = [
                                Satisfaction::Satisfied,
                                Satisfaction::Basic,
                                Satisfaction::Unsatisfied,
                                Satisfaction::Unreachable,
                            ][usize::from(*x)];
                            let outcome = [ResultKind::Resolved, ResultKind::Explained, ResultKind::NotYetPossible]
                                [usize::from(*x % 3)];
                            let mut all = moves(&app, (*hours % 9) + 1, sat, SupervisionLevel::Centre, outcome);
                            let legal: Vec<usize> = (0..all.len())
                                .filter(|i| shiyu_domain::case::machine::target_state(&before.case, &all[*i]).is_some())
                                .filter(|i| {
                                    !matches!(all[*i], Move::NotAccept { .. } | Move::Review { accept: false, .. })
                                })
                                .collect();
                            let Some(&index) = legal.get(pick % legal.len().max(1)) else { break };
                            let mv = all.swap_remove(index);
                            let _ = app.store.apply_move(&principals[USUAL[index]], case.id, mv, t).await;
                        }
                    }
                    // Random subtrees and periods: the counters' sums, through every figure, equal
                    // the naive count of the raw events.
                    let admin = app.fx.users["admin"].principal();
                    let mut histories: Vec<Stored> = Vec::new();
                    let mut rows: Vec<CaseSnapshot> = Vec::new();
                    let all_ids = ids.borrow().clone();
                    for id in &all_ids {
                        let events = app.store.case_history(&admin.scope(), *id).await.expect("history");
                        let case = app.store.case_record(&admin.scope(), *id).await.expect("row").case;
                        rows.push(case.clone());
                        // A repeat, by the written definition: an earlier registration within 30
                        // days from the same reporting account, or in the same grid and category.
                        let within =
                            |at: DateTime<Utc>| at >= case.created_at - Duration::days(30) && at <= case.created_at;
                        let repeat = histories.iter().any(|(_, a, c, u, at, _)| {
                            within(*at)
                                && ((*a == case.area && *c == case.category)
                                    || (u.is_some() && *u == case.reporter_user()))
                        });
                        histories.push((
                            *id,
                            case.area.clone(),
                            case.category.clone(),
                            case.reporter_user(),
                            case.created_at,
                            (events, repeat),
                        ));
                    }
                    // The kept live counts (open, overdue, supervised; per state) equal a count
                    // of the case rows, for every subtree.
                    let counted_at = now + Duration::hours(1);
                    for root in &subtrees {
                        let inside: Vec<&CaseSnapshot> = rows.iter().filter(|c| c.area.is_within(root)).collect();
                        let open: Vec<&&CaseSnapshot> = inside.iter().filter(|c| c.state.is_open()).collect();
                        let live =
                            app.store.live_counts(&Scope::Subtree(root.clone()), counted_at).await.expect("live");
                        prop_assert_eq!(live.open, open.len() as i64, "open under {}", root);
                        prop_assert_eq!(
                            live.overdue,
                            open.iter().filter(|c| c.current_due().is_some_and(|d| d < counted_at)).count() as i64,
                            "overdue under {}",
                            root
                        );
                        prop_assert_eq!(
                            live.supervised,
                            open.iter().filter(|c| c.supervision.is_some()).count() as i64,
                            "supervised under {}",
                            root
                        );
                        let mut by_state = app.store.state_counts(&Scope::Subtree(root.clone())).await.expect("states");
                        by_state.sort_by_key(|(s, _)| s.as_str());
                        let mut naive_states: std::collections::BTreeMap<&str, i64> = Default::default();
                        for c in &inside {
                            *naive_states.entry(c.state.as_str()).or_default() += 1;
                        }
                        let got: Vec<(&str, i64)> = by_state.iter().map(|(s, n)| (s.as_str(), *n)).collect();
                        prop_assert_eq!(got, naive_states.into_iter().collect::<Vec<_>>(), "states under {}", root);
                    }
                    for (which, ago, len) in windows {
                        let root = &subtrees[which];
                        let to = local_date(now) - Days::new(ago.min(69));
                        let from = to - Days::new(len);
                        let mut expected = Sums::default();
                        for (id, area, _, _, _, (events, repeat)) in &histories {
                            if !area.is_within(root) {
                                continue;
                            }
                            let part = naive(events, *id, *repeat, |at| (from..=to).contains(&local_date(at)));
                            for (m, n) in part.0 {
                                expected.add(m, n);
                            }
                        }
                        let f = StatFilter {
                            area: root.clone(),
                            from,
                            to,
                            ledger: None,
                            category: None,
                            channel: None,
                            org: None,
                        };
                        let got = app.store.case_sums(&f).await.expect("sums");
                        for fig in Figure::ALL {
                            prop_assert_eq!(
                                fig.of(&got),
                                fig.of(&expected),
                                "{:?} under {} for {}..{}",
                                fig,
                                root,
                                from,
                                to
                            );
                        }
                    }
                    Ok(())
                })
            })
            .expect("every figure equals the naive count");
    }
}

/// One random dispute life: grid pick, days ago it was found, red risk or not, and its move
/// attempts (move pick, hours later, variant).
type DisputeLife = (usize, u64, bool, Vec<(u8, u32, u8)>);

/// The naive dispute count of one raw history by the written definitions, for events in `keep`.
fn naive_dispute(events: &[DisputeEvent], keep: impl Fn(DateTime<Utc>) -> bool) -> DisputeFigures {
    let mut f = DisputeFigures::default();
    let mut tier = Tier::Village;
    let (mut sessions, mut agreed) = (0, false);
    for e in events {
        let here = keep(e.at);
        match &e.change {
            DisputeChange::Register(i) => {
                tier = i.tier;
                if here {
                    f.add(DisputeMetric::Found, i.tier, 1, i.money.0);
                }
            }
            DisputeChange::Move(DisputeMove::RecordSession { session }) => {
                if here {
                    f.add(DisputeMetric::Sessions, tier, 1, 0);
                    if sessions == 0 {
                        f.add(DisputeMetric::Mediated, tier, 1, 0);
                    }
                }
                sessions += 1;
                if session.outcome == SessionOutcome::Agreement && !agreed {
                    agreed = true;
                    if here {
                        f.add(DisputeMetric::Agreed, tier, 1, 0);
                    }
                }
            }
            DisputeChange::Move(DisputeMove::Escalate { .. }) => {
                if here {
                    f.add(DisputeMetric::Escalated, tier, 1, 0);
                }
                tier = tier.up().expect("escalated from the top");
            }
            DisputeChange::Move(DisputeMove::Refer { .. }) if here => f.add(DisputeMetric::Referred, tier, 1, 0),
            DisputeChange::Move(DisputeMove::FollowUp { visit })
                if here && visit.result == FollowUpResult::Performed =>
            {
                f.add(DisputeMetric::Performed, tier, 1, 0)
            }
            DisputeChange::Move(_) => {}
        }
    }
    f
}

#[test]
fn every_dispute_figure_equals_a_naive_count_for_random_histories_subtrees_and_periods() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for engine in engines() {
        let app = rt.block_on(TestApp::spawn(engine));
        let reg = rt.block_on(crate::disputes::registry(&app));
        let grids = [app.fx.grid.clone(), app.fx.grid_b.clone(), app.fx.grid2.clone()];
        let registrars = [
            app.fx.users["village_mediator"].principal(),
            app.fx.users["village_mediator"].principal(),
            app.fx.users["operator2"].principal(),
        ];
        let actors: Vec<Principal> = ["village_mediator", "mediator", "district_operator", "operator2"]
            .iter()
            .map(|a| app.fx.users[*a].principal())
            .collect();
        let mediators = [reg.village_mediator.clone(), reg.township_mediator.clone(), reg.county_mediator.clone()];
        let subtrees = [
            app.fx.city.clone(),
            app.fx.district.clone(),
            app.fx.street.clone(),
            app.fx.community.clone(),
            app.fx.grid.clone(),
            app.fx.grid_b.clone(),
            app.fx.street2.clone(),
            app.fx.grid2.clone(),
        ];
        let now = Utc::now();
        let ids: std::cell::RefCell<Vec<shiyu_domain::ids::DisputeId>> = std::cell::RefCell::new(Vec::new());
        let lives = prop::collection::vec(
            (0..3usize, 0..60u64, any::<bool>(), prop::collection::vec((0..9u8, 1..60u32, 0..3u8), 0..14)),
            1..6,
        );
        // A fixed seed: the check below that the lives reached escalation must not depend on luck.
        let config = Config { cases: 10, failure_persistence: None, ..Config::default() };
        let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
        let mut runner = TestRunner::new_with_rng(config, rng);
        runner
            .run(&(lives, prop::collection::vec((0..8usize, 0..70u64, 0..40u64), 6)), |(lives, windows)| {
                rt.block_on(async {
                    let lives: Vec<DisputeLife> = lives;
                    for (g, days_ago, red, steps) in &lives {
                        let mut t = now - Duration::days(*days_ago as i64) - Duration::hours(1);
                        let body = serde_json::json!({
                            "title": "院墙占地纠纷", "facts": "翻建院墙占用宅基地，双方争执。", "dispute_type": "land",
                            "risk": if *red { "red" } else { "yellow" }, "source": "application",
                            "area_code": grids[*g].as_str(), "money_yuan": format!("{}", 100 * (g + 1)),
                            "parties": [{"role": "applicant", "kind": "person", "name": "张三"},
                                        {"role": "respondent", "kind": "person", "name": "李四"}]});
                        let nd = serde_json::from_value::<shiyu_http::api::disputes::NewDisputeBody>(body)
                            .expect("body")
                            .parse()
                            .expect("new dispute");
                        let id = app.store.register_dispute(&registrars[*g], nd, t).await.expect("register");
                        ids.borrow_mut().push(id);
                        for (pick, hours, x) in steps {
                            t += Duration::hours(i64::from(*hours));
                            if t >= now {
                                break;
                            }
                            let day = local_date(t).to_string();
                            let outcome = ["continue", "failed", "agreement"][usize::from(*x)];
                            let tries: Vec<serde_json::Value> = match pick {
                                0..=3 => mediators
                                    .iter()
                                    .map(|m| {
                                        serde_json::json!({"move": "record_session", "session": {"held_on": day,
                                        "method": "in_person", "mediators": [{"id": m}], "parties_present": ["张三", "李四"],
                                        "notes": "双方陈述。", "outcome": outcome,
                                        "terms": if outcome == "agreement" { vec!["退回原址"] } else { vec![] },
                                        "performance": if outcome == "agreement" { Some("十日内") } else { None }}})
                                    })
                                    .collect(),
                                4 => vec![serde_json::json!({"move": "escalate", "reason": "调解不成"})],
                                5 => vec![
                                    serde_json::json!({"move": "assign", "org": {"id": reg.township_org}, "mediators": [{"id": reg.township_mediator}]}),
                                ],
                                6 => vec![serde_json::json!({"move": "refer", "to": "arbitration", "reason": "申请仲裁"})],
                                7 => {
                                    let result = ["performed", "partial", "not_performed"][usize::from(*x)];
                                    vec![serde_json::json!({"move": "follow_up", "visit": {"visited_on": day,
                                        "result": result, "notes": "回访"}})]
                                }
                                _ => vec![serde_json::json!({"move": "close", "reason": "当事人撤回"})],
                            };
                            'attempt: for body in tries {
                                let mv: DisputeMove = serde_json::from_value(body).expect("move");
                                for a in &actors {
                                    if app.store.apply_dispute_move(a, id, mv.clone(), t).await.is_ok() {
                                        break 'attempt;
                                    }
                                }
                            }
                        }
                    }
                    let mut histories = Vec::new();
                    let all_ids = ids.borrow().clone();
                    for id in &all_ids {
                        let events = app.store.dispute_events(*id).await.expect("events");
                        let DisputeChange::Register(i) = &events[0].change else { panic!("first event registers") };
                        histories.push((i.area.clone(), events));
                    }
                    for (which, ago, len) in windows {
                        let root = &subtrees[which];
                        let to = local_date(now) - Days::new(ago.min(69));
                        let from = to - Days::new(len);
                        let mut expected = DisputeFigures::default();
                        for (area, events) in &histories {
                            if area.is_within(root) {
                                let part = naive_dispute(events, |at| (from..=to).contains(&local_date(at)));
                                for ((m, t), n) in part.counts {
                                    expected.add(m, t, n, 0);
                                }
                                expected.money_fen += part.money_fen;
                            }
                        }
                        let mut got = app.store.dispute_figures(root, from, to).await.expect("figures");
                        got.counts.retain(|_, n| *n != 0);
                        expected.counts.retain(|_, n| *n != 0);
                        prop_assert_eq!(&got, &expected, "under {} for {}..{}", root, from, to);
                        prop_assert_eq!(got.success_permille(), expected.success_permille());
                    }
                    Ok(())
                })
            })
            .expect("every dispute figure equals the naive count");
        // The random lives reached past registration: sessions, agreements and escalations happened.
        let total = rt
            .block_on(app.store.dispute_figures(&app.fx.city, local_date(now) - Days::new(400), local_date(now)))
            .expect("all");
        for m in [DisputeMetric::Sessions, DisputeMetric::Agreed, DisputeMetric::Escalated] {
            assert!(total.total(m) > 0, "{engine:?}: no {m:?} in the random lives: {total:?}");
        }
    }
}
