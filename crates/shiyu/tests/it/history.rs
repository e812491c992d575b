//! Random sequences of moves through the real store: refused moves change nothing, the stored row
//! always equals the replay of the stored history, every chain verifies, and the counters written
//! in the same transactions agree with the events.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use shiyu_domain::case::{
    CategoryCode, Channel, Intake, Ledger, Move, Reporter, ResultKind, Satisfaction, SupervisionLevel, Urgency,
};
use shiyu_domain::ids::CaseNumber;
use shiyu_domain::scope::{Principal, Scope};

use crate::common::{TestApp, engines};
use sqlx::Row;

pub(crate) const ACTORS: [&str; 7] =
    ["operator", "district_operator", "handler", "handler2", "leader", "grid_worker", "resident"];

pub(crate) fn moves(
    app: &TestApp,
    days: u32,
    sat: Satisfaction,
    level: SupervisionLevel,
    outcome: ResultKind,
) -> Vec<Move> {
    let s = || "理由".to_owned();
    vec![
        Move::RequestReview { note: s() },
        Move::Review { accept: days.is_multiple_of(2), instruction: s() },
        Move::Accept { note: s() },
        Move::NotAccept { reason: s() },
        Move::Dispatch {
            lead: app.fx.dept.id,
            co: if days.is_multiple_of(3) { vec![app.fx.dept2.id] } else { vec![] },
            note: s(),
        },
        Move::Dispatch { lead: app.fx.dept2.id, co: vec![], note: s() },
        Move::Sign,
        Move::Return { reason: s() },
        Move::RequestExtension { days, reason: s() },
        Move::DecideExtension { grant: days % 2 == 1, note: s() },
        Move::RequestEscalation { reason: s() },
        Move::Escalate { reason: s() },
        Move::Delegate { to: app.fx.street.clone(), reason: s() },
        Move::Delegate { to: app.fx.grid.clone(), reason: s() },
        Move::SelfHandle { note: s() },
        Move::ReportResult { outcome, text: s() },
        Move::Verify { note: s() },
        Move::SendBack { reason: s() },
        Move::RecordRevisit { satisfaction: sat, note: s() },
        Move::Redo { reason: s() },
        Move::Close { note: s() },
        Move::Archive,
        Move::Supervise { level, note: s() },
        Move::Urge { note: s() },
    ]
}

/// The account that would usually make each move of [`moves`] (index into [`ACTORS`]); sequences
/// mostly use it so that they travel deep into the case life, and sometimes anyone at all.
pub(crate) const USUAL: [usize; 24] = [0, 4, 0, 0, 0, 0, 2, 2, 2, 4, 2, 0, 1, 0, 5, 2, 4, 4, 6, 0, 0, 0, 4, 0];

/// A step: (actor or `None` for the usual one, move pick, whether to pick among the moves the state
/// table allows now, days, satisfaction, level, outcome).
type Step = (Option<usize>, usize, bool, u32, usize, usize, usize);

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = (
        prop::option::weighted(0.15, 0..ACTORS.len()),
        0..1000usize,
        prop::bool::weighted(0.85),
        1..10u32,
        0..4usize,
        0..3usize,
        0..3usize,
    );
    prop::collection::vec(step, 1..60)
}

#[test]
fn random_move_sequences_keep_rows_histories_and_counters_consistent() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for engine in engines() {
        let app = rt.block_on(TestApp::spawn(engine));
        let admin = app.fx.users["admin"].principal();
        let principals: Vec<Principal> = ACTORS.iter().map(|a| app.fx.users[a].principal()).collect();
        let mut runner = TestRunner::new(Config { cases: 48, failure_persistence: None, ..Config::default() });
        let registered = std::cell::Cell::new(0u64);
        let closes = std::cell::Cell::new(0u64);
        runner
            .run(&steps(), |seq| {
                rt.block_on(async {
                    let intake = Intake {
                        ledger: Ledger::Complaint,
                        category: CategoryCode::parse(&app.fx.category).expect("category"),
                        channel: Channel::Web,
                        urgency: Urgency::Normal,
                        title: "随机序列".into(),
                        text: "随机序列测试".into(),
                        area: app.fx.grid.clone(),
                        location: None,
                        off_grid: false,
                        reporter: Reporter::Account { user: principals[6].user_id },
                        attachments: vec![],
                    };
                    let case = app
                        .store
                        .register_case(&principals[6], intake, None, chrono::Utc::now())
                        .await
                        .expect("register");
                    registered.set(registered.get() + 1);
                    for (anyone, pick, in_table, days, sat, level, outcome) in seq {
                        let sat = [
                            Satisfaction::Satisfied,
                            Satisfaction::Basic,
                            Satisfaction::Unsatisfied,
                            Satisfaction::Unreachable,
                        ][sat];
                        let level =
                            [SupervisionLevel::Centre, SupervisionLevel::Leader, SupervisionLevel::TopLeader][level];
                        let outcome =
                            [ResultKind::Resolved, ResultKind::Explained, ResultKind::NotYetPossible][outcome];
                        let before =
                            app.store.case_record(&Scope::Subtree(app.fx.city.clone()), case.id).await.expect("read");
                        let mut all = moves(&app, days, sat, level, outcome);
                        let legal: Vec<usize> = (0..all.len())
                            .filter(|i| shiyu_domain::case::machine::target_state(&before.case, &all[*i]).is_some())
                            // Endings that stop a sequence early are picked less often, so that
                            // sequences travel deep.
                            .filter(|i| {
                                !matches!(all[*i], Move::NotAccept { .. } | Move::Review { accept: false, .. })
                                    || pick % 9 == 0
                            })
                            .collect();
                        let index =
                            if in_table && !legal.is_empty() { legal[pick % legal.len()] } else { pick % all.len() };
                        let actor = anyone.unwrap_or(USUAL[index]);
                        let mv = all.swap_remove(index);
                        let is_close = matches!(mv, Move::Close { .. });
                        match app.store.apply_move(&principals[actor], case.id, mv, chrono::Utc::now()).await {
                            Ok(after) => {
                                prop_assert_eq!(after.last_seq, before.case.last_seq + 1);
                                closes.set(closes.get() + u64::from(is_close));
                            }
                            Err(_) => {
                                let again = app
                                    .store
                                    .case_record(&Scope::Subtree(app.fx.city.clone()), case.id)
                                    .await
                                    .expect("read");
                                prop_assert_eq!(&again.case, &before.case, "a refused move changed the row");
                            }
                        }
                    }
                    let history = app.store.case_history(&admin.scope(), case.id).await.expect("history");
                    let now = app.store.case_record(&admin.scope(), case.id).await.expect("row");
                    let rebuilt = shiyu_domain::case::CaseSnapshot::rebuild(case.id, &history).expect("replay");
                    prop_assert_eq!(rebuilt, now.case);
                    Ok(())
                })
            })
            .expect("property holds");
        rt.block_on(async {
            let report = app.store.verify_histories().await.expect("verify");
            assert!(report.findings.is_empty(), "{engine:?}: {:?}", report.findings);
            let day = shiyu_domain::time::local_date(chrono::Utc::now());
            let f = shiyu_storage::stats::StatFilter {
                area: app.fx.city.clone(),
                from: day - chrono::Days::new(1),
                to: day,
                ledger: None,
                category: None,
                channel: None,
                org: None,
            };
            let totals = app.store.case_sums(&f).await.expect("counters");
            assert_eq!(totals.get(shiyu_domain::stats::Metric::Received) as u64, registered.get(), "{engine:?}");
            assert_eq!(totals.get(shiyu_domain::stats::Metric::Closed) as u64, closes.get(), "{engine:?}");
            eprintln!("{engine:?}: {} cases, {} events, {} closed", report.cases, report.events, closes.get());
            statistics_agree_with_the_histories(&app, day).await;
            // A number typed by a person finds the case only inside scope.
            let any =
                app.store.list_cases(&Scope::Subtree(app.fx.city.clone()), &Default::default()).await.expect("list").0;
            let number = CaseNumber::parse(&any[0].number).expect("number");
            assert!(app.store.case_by_number(&Scope::Subtree(app.fx.street2.clone()), &number).await.is_err());
        });
    }
}

/// The figures' sums, over every filter a board offers, equal a count made from the raw stored
/// events; the counters rebuilt from the histories equal the ones written move by move; a
/// tampered counter is found, and `--apply` puts it right.
async fn statistics_agree_with_the_histories(app: &TestApp, day: chrono::NaiveDate) {
    use shiyu_domain::stats::Metric;
    use shiyu_storage::stats::{GroupBy, StatFilter};
    let admin = app.fx.users["admin"].principal();
    // The naive count: every stored event of every case, by kind.
    let (cases, _) = app
        .store
        .list_cases(
            &Scope::Subtree(app.fx.city.clone()),
            &shiyu_storage::CaseFilter { limit: Some(500), ..Default::default() },
        )
        .await
        .expect("cases");
    let mut naive = std::collections::BTreeMap::<Metric, i64>::new();
    for c in &cases {
        let id = shiyu_domain::ids::CaseId::parse(&c.id.to_string()).expect("id");
        for e in app.store.case_history(&admin.scope(), id).await.expect("history") {
            let mut add = |m| *naive.entry(m).or_default() += 1;
            match &e.change {
                Move::Register(_) => add(Metric::Received),
                Move::Accept { .. } | Move::Review { accept: true, .. } => add(Metric::Accepted),
                Move::Sign => add(Metric::Signed),
                Move::Return { .. } => add(Metric::Returned),
                Move::ReportResult { outcome, .. } => {
                    add(Metric::Handled);
                    if *outcome == ResultKind::Resolved {
                        add(Metric::Resolved);
                    }
                    *naive.entry(Metric::HandlingMinutes).or_default() += e.effects.work_minutes.unwrap_or(0);
                }
                Move::RecordRevisit { satisfaction: Satisfaction::Satisfied | Satisfaction::Basic, .. } => {
                    add(Metric::Satisfied)
                }
                Move::RecordRevisit { satisfaction: Satisfaction::Unsatisfied, .. } => add(Metric::Unsatisfied),
                Move::Close { .. } => add(Metric::Closed),
                Move::Escalate { .. } => add(Metric::Escalated),
                _ => {}
            }
        }
    }
    let filter = |area: &shiyu_domain::area::AreaCode| StatFilter {
        area: area.clone(),
        from: day - chrono::Days::new(1),
        to: day,
        ledger: None,
        category: None,
        channel: None,
        org: None,
    };
    for area in [&app.fx.city, &app.fx.district, &app.fx.street, &app.fx.community, &app.fx.grid] {
        let sums = app.store.case_sums(&filter(area)).await.expect("sums");
        for (m, n) in &naive {
            assert_eq!(sums.get(*m), *n, "{m:?} under {area}");
        }
        // Every narrowing that still holds all the cases gives the same; one that holds none, zero.
        let same = StatFilter {
            ledger: Some(Ledger::Complaint),
            category: Some("urban".into()),
            channel: Some(Channel::Web),
            ..filter(area)
        };
        assert_eq!(app.store.case_sums(&same).await.expect("sums").get(Metric::Received), naive[&Metric::Received]);
        for none in [
            StatFilter { ledger: Some(Ledger::Demand), ..filter(area) },
            StatFilter { category: Some("urb".into()), ..filter(area) },
            StatFilter { channel: Some(Channel::Hotline), ..filter(area) },
            StatFilter { from: day - chrono::Days::new(30), to: day - chrono::Days::new(2), ..filter(area) },
        ] {
            assert_eq!(app.store.case_sums(&none).await.expect("sums").get(Metric::Received), 0, "{none:?}");
        }
    }
    for area in [&app.fx.grid_b, &app.fx.street2] {
        assert_eq!(app.store.case_sums(&filter(area)).await.expect("sums").get(Metric::Received), 0);
    }
    // Grouped by child area, the children add up to the whole.
    let by_child = app.store.case_sums_by(&filter(&app.fx.city), GroupBy::ChildArea).await.expect("by child");
    let received: i64 = by_child.iter().map(|(_, s)| s.get(Metric::Received)).sum();
    assert_eq!(received, naive[&Metric::Received]);
    assert_eq!(by_child.len(), 1, "all cases lie in one district: {by_child:?}");
    // Rebuilt from history: no difference.
    let r = app.store.rebuild_counters(false).await.expect("rebuild");
    assert_eq!((r.different, r.cases as usize), (0, cases.len()), "{:?}", r.differences);
    // A tampered counter is named, and applying the rebuild restores it.
    sqlx_tamper(app).await;
    let r = app.store.rebuild_counters(false).await.expect("rebuild");
    assert_eq!(r.different, 1, "{:?}", r.differences);
    assert_eq!(r.differences[0].stored, r.differences[0].expected + 5);
    let r = app.store.rebuild_counters(true).await.expect("apply");
    assert!(r.applied);
    assert_eq!(app.store.rebuild_counters(false).await.expect("again").different, 0);
    // A kept case count off by two is named against the rows, and applying restores it.
    let row = sqlx::query("SELECT area_code, state, supervised FROM case_counts WHERE n > 0 ORDER BY area_code, state")
        .fetch_one(app.store.pool())
        .await
        .expect("a count");
    sqlx::query("UPDATE case_counts SET n = n + 2 WHERE area_code = $1 AND state = $2 AND supervised = $3")
        .bind(row.get::<String, _>("area_code"))
        .bind(row.get::<String, _>("state"))
        .bind(row.get::<i64, _>("supervised"))
        .execute(app.store.pool())
        .await
        .expect("tamper counts");
    let r = app.store.rebuild_counters(false).await.expect("rebuild");
    assert_eq!(r.count_differences.len(), 1, "{:?}", r.count_differences);
    assert_eq!(r.count_differences[0].stored, r.count_differences[0].expected + 2);
    app.store.rebuild_counters(true).await.expect("apply");
    assert!(app.store.rebuild_counters(false).await.expect("again").count_differences.is_empty());
}

/// Adds 5 to one stored counter, as a faulty write or a hand edit would.
async fn sqlx_tamper(app: &TestApp) {
    let n = sqlx::query("UPDATE stat_cells SET received = received + 5 WHERE received > 0")
        .execute(app.store.pool())
        .await
        .expect("tamper")
        .rows_affected();
    assert_eq!(n, 1, "one row of received cases (all registered today in one place)");
}
