//! The write path: case intake and one full case life, on SQLite (durable: WAL, synchronous=FULL),
//! through the store and through the HTTP API end to end; beside the ceiling they should
//! approach, a raw durable single-row SQLite insert on the same disk.
//!
//! Run: `cargo bench -p shiyu --bench write_path`

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use shiyu_domain::case::{Channel, Intake, Ledger, Move, Reporter, ResultKind, Satisfaction, Urgency};

#[path = "../tests/it/common.rs"]
mod common;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

fn intake(app: &common::TestApp, n: u64) -> Intake {
    Intake {
        ledger: Ledger::Complaint,
        category: shiyu_domain::case::CategoryCode::parse(&app.fx.category).expect("category"),
        channel: Channel::Hotline,
        urgency: Urgency::Normal,
        title: format!("小区路灯不亮 {n}"),
        text: "东门社区三号楼前路灯连续一周不亮，夜间出行不便，请尽快维修。".to_owned(),
        area: app.fx.grid.clone(),
        location: None,
        off_grid: false,
        reporter: Reporter::Anonymous,
        attachments: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let app = rt.block_on(common::TestApp::spawn(common::Engine::Sqlite));
    let operator = app.fx.users["operator"].principal();
    let handler = app.fx.users["handler"].principal();
    let leader = app.fx.users["leader"].principal();
    let store = app.store.clone();

    let mut g = c.benchmark_group("write_path_sqlite");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(8));

    // Ceiling: one durable single-row insert per transaction on the same disk and settings.
    let raw_dir = tempfile::tempdir().expect("tempdir");
    let raw = rt.block_on(async {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
        let opts = SqliteConnectOptions::new()
            .filename(raw_dir.path().join("raw.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let pool = sqlx::SqlitePool::connect_with(opts).await.expect("raw pool");
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").execute(&pool).await.expect("table");
        pool
    });
    g.bench_function("raw_sqlite_durable_insert", |b| {
        b.to_async(&rt).iter(|| async {
            sqlx::query("INSERT INTO t (body) VALUES ($1)").bind("小区路灯不亮").execute(&raw).await.expect("insert");
        })
    });

    let mut n = 0u64;
    g.bench_function("intake_store", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            let i = intake(&app, n);
            let (store, operator) = (store.clone(), operator.clone());
            async move {
                store.register_case(&operator, i, None, chrono::Utc::now()).await.expect("register");
            }
        })
    });

    let client = rt.block_on(app.client("operator"));
    let body = json!({"ledger": "complaint", "category": app.fx.category, "channel": "hotline", "title": "小区路灯不亮",
                      "text": "东门社区三号楼前路灯连续一周不亮，夜间出行不便，请尽快维修。", "area_code": app.fx.grid.as_str()});
    g.bench_function("intake_http_end_to_end", |b| {
        b.to_async(&rt).iter(|| async {
            let (s, _) = client.post("/api/cases", body.clone()).await;
            assert_eq!(s, 201);
        })
    });

    let dept = app.fx.dept.id;
    g.throughput(Throughput::Elements(1));
    g.bench_function("full_life_store_9_events", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            let i = intake(&app, n);
            let (store, operator, handler, leader) = (store.clone(), operator.clone(), handler.clone(), leader.clone());
            async move {
                let now = chrono::Utc::now;
                let c = store.register_case(&operator, i, None, now()).await.expect("register");
                let steps: [(&shiyu_domain::scope::Principal, Move); 8] = [
                    (&operator, Move::Accept { note: String::new() }),
                    (&operator, Move::Dispatch { lead: dept, co: vec![], note: String::new() }),
                    (&handler, Move::Sign),
                    (&handler, Move::ReportResult { outcome: ResultKind::Resolved, text: "已维修".into() }),
                    (&leader, Move::Verify { note: String::new() }),
                    (&operator, Move::RecordRevisit { satisfaction: Satisfaction::Satisfied, note: String::new() }),
                    (&operator, Move::Close { note: String::new() }),
                    (&operator, Move::Archive),
                ];
                for (who, mv) in steps {
                    store.apply_move(who, c.id, mv, now()).await.expect("move");
                }
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
