//! Import idempotency and conflicts (issue 6): cases, disputes and residents from other systems,
//! keyed by their identifiers and mapped by TOML files, on both engines. Importing the same files
//! again writes nothing at all (no event, counter, outbox or audit row); a record changed only
//! there is updated (a case gets one comment naming the changed fields, a resident is corrected);
//! a record changed on both sides is a conflict naming the record, the fields and both values,
//! and nothing is written; a bad mapping or bad rows are refused, naming the key or the row and
//! column, and nothing is written.

use chrono::Utc;
use shiyu_domain::case::Move;
use shiyu_domain::exchange::{ImportReport, Outcome};
use shiyu_domain::ids::CaseId;
use shiyu_domain::scope::Principal;
use shiyu_http::error::ApiError;
use shiyu_http::external_import::{import_external, mapping_message, report_text};
use shiyu_http::i18n::Lang;
use sqlx::Row;

use crate::base_data::id_number;
use crate::common::{TestApp, engines};

const CASES_MAP: &str = r#"
# The county hotline's work orders.
source = "county-hotline"
kind = "cases"
[columns]
external_id = "工单编号"
title = "标题"
text = "诉求内容"
category = "问题分类"
area_code = "区划代码"
urgency = "紧急程度"
reporter_name = "来电人"
reporter_phone = "来电号码"
[values.category]
"房屋漏水" = "urban.housing.repair"
[values.urgency]
"急" = "urgent"
[defaults]
ledger = "demand"
"#;

const DISPUTES_MAP: &str = r#"
source = "county-court"
kind = "disputes"
[columns]
external_id = "案号"
title = "案由"
facts = "事实"
dispute_type = "类型"
area_code = "区划"
money = "标的额"
applicant_name = "申请人"
applicant_phone = "申请人电话"
respondent_name = "被申请人"
[values.dispute_type]
"邻里" = "neighbours"
"#;

const RESIDENTS_MAP: &str = r#"
source = "police-census"
kind = "residents"
[columns]
external_id = "人员编号"
id_number = "公民身份号码"
name = "姓名"
phone = "手机号"
kind = "户籍类型"
grid = "网格"
[values.kind]
"本地" = "户籍"
"外来" = "流动"
"#;

fn cases_csv(first_title: &str) -> String {
    format!(
        "工单编号,标题,诉求内容,问题分类,区划代码,紧急程度,来电人,来电号码,承办人\n\
         GD-001,{first_title},三楼楼道天花板漏水，请尽快处理,房屋漏水,439901001001001,急,王女士,13812345678,老李\n\
         GD-002,外墙脱落,外墙瓷砖脱落，存在安全隐患,房屋漏水,439901001001002,,,,老张\n"
    )
}

fn disputes_csv(facts: &str) -> String {
    format!(
        "案号,案由,事实,类型,区划,标的额,申请人,申请人电话,被申请人\n\
         (2026)调001,漏水纠纷,{facts},邻里,439901001001,5000,张三,13900000001,李四\n"
    )
}

fn residents_csv(first_name: &str, first_phone: &str) -> String {
    format!(
        "人员编号,公民身份号码,姓名,手机号,户籍类型,网格\n\
         P-1,{},{first_name},{first_phone},本地,439901001001001\n\
         P-2,{},赵六,13700000002,外来,439901001001002\n",
        id_number(8101).as_str(),
        id_number(8102).as_str()
    )
}

fn operator(app: &TestApp) -> Principal {
    app.fx.users["city_operator"].principal()
}

async fn run(app: &TestApp, mapping: &str, csv: &str, dry_run: bool) -> Result<ImportReport, ApiError> {
    import_external(&app.store, &operator(app), mapping, Some("data.csv"), csv.as_bytes(), dry_run).await
}

async fn ok(app: &TestApp, mapping: &str, csv: &str) -> ImportReport {
    run(app, mapping, csv, false).await.unwrap_or_else(|e| panic!("import refused: {e:?}"))
}

fn counts(r: &ImportReport) -> (usize, usize, usize, usize) {
    (r.created, r.unchanged, r.updated, r.conflicts.len())
}

/// Everything an import could write, as counts and sums: cases, events, every counter table,
/// disputes, residents (and their last change), outbox, notifications, audit, links.
async fn tallies(app: &TestApp) -> Vec<(&'static str, i64)> {
    let queries: [(&str, &str); 17] = [
        ("cases", "SELECT COUNT(*) AS n FROM cases"),
        ("case_serials", "SELECT CAST(COALESCE(SUM(last), 0) AS BIGINT) AS n FROM case_serials"),
        ("case_events", "SELECT COUNT(*) AS n FROM case_events"),
        ("case_counts", "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM case_counts"),
        ("stat_cells", "SELECT CAST(COALESCE(SUM(received + accepted), 0) AS BIGINT) AS n FROM stat_cells"),
        ("stat_cells_rows", "SELECT COUNT(*) AS n FROM stat_cells"),
        ("stat_area_days", "SELECT CAST(COALESCE(SUM(received + accepted), 0) AS BIGINT) AS n FROM stat_area_days"),
        ("stat_category_days", "SELECT COUNT(*) AS n FROM stat_category_days"),
        ("disputes", "SELECT COUNT(*) AS n FROM disputes"),
        ("dispute_events", "SELECT COUNT(*) AS n FROM dispute_events"),
        ("dispute_counters", "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) AS n FROM dispute_counters"),
        ("residents", "SELECT COUNT(*) AS n FROM residents"),
        ("residents_updated", "SELECT CAST(COALESCE(MAX(updated_at), 0) AS BIGINT) AS n FROM residents"),
        ("outbox", "SELECT COUNT(*) AS n FROM outbox"),
        ("notifications", "SELECT COUNT(*) AS n FROM notifications"),
        ("audit_log", "SELECT COUNT(*) AS n FROM audit_log"),
        ("external_ids", "SELECT CAST(COUNT(*) + COALESCE(MAX(imported_at), 0) AS BIGINT) AS n FROM external_ids"),
    ];
    let mut out = Vec::new();
    for (name, sql) in queries {
        let n: i64 = sqlx::query(sql).fetch_one(app.store.pool()).await.expect(name).try_get("n").expect("n");
        out.push((name, n));
    }
    out
}

async fn local_id(app: &TestApp, source: &str, external_id: &str) -> String {
    sqlx::query("SELECT local_id FROM external_ids WHERE source = $1 AND external_id = $2")
        .bind(source)
        .bind(external_id)
        .fetch_one(app.store.pool())
        .await
        .expect("link")
        .try_get("local_id")
        .expect("local_id")
}

async fn event_kinds(app: &TestApp, case_id: &str) -> Vec<String> {
    sqlx::query("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY seq")
        .bind(case_id)
        .fetch_all(app.store.pool())
        .await
        .expect("events")
        .iter()
        .map(|r| r.try_get("kind").expect("kind"))
        .collect()
}

#[tokio::test]
async fn import_idempotency_same_files_again_change_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let empty = tallies(&app).await;

        // A dry run reports what would happen and keeps nothing.
        let dry = run(&app, CASES_MAP, &cases_csv("楼道漏水"), true).await.expect("dry run");
        assert_eq!((counts(&dry), dry.dry_run), ((2, 0, 0, 0), true), "{engine:?}");
        assert_eq!(tallies(&app).await, empty, "{engine:?}: a dry run writes nothing");

        let cases = ok(&app, CASES_MAP, &cases_csv("楼道漏水")).await;
        assert_eq!(counts(&cases), (2, 0, 0, 0), "{engine:?}");
        let disputes = ok(&app, DISPUTES_MAP, &disputes_csv("楼上漏水损坏楼下装修")).await;
        assert_eq!(counts(&disputes), (1, 0, 0, 0), "{engine:?}");
        let residents = ok(&app, RESIDENTS_MAP, &residents_csv("钱五", "13700000001")).await;
        assert_eq!(counts(&residents), (2, 0, 0, 0), "{engine:?}");

        // Registered through the normal path: channel external, mapped values, contact sealed.
        let case_id = local_id(&app, "county-hotline", "GD-001").await;
        let row = sqlx::query("SELECT channel, urgency, category, title, state FROM cases WHERE id = $1")
            .bind(case_id.as_str())
            .fetch_one(app.store.pool())
            .await
            .expect("case");
        let got: (String, String, String, String) = (
            row.try_get("channel").expect("c"),
            row.try_get("urgency").expect("u"),
            row.try_get("category").expect("k"),
            row.try_get("title").expect("t"),
        );
        assert_eq!(got, ("external".into(), "urgent".into(), "urban.housing.repair".into(), "楼道漏水".into()));
        assert_eq!(event_kinds(&app, &case_id).await, vec!["register"]);
        let phone: String = sqlx::query("SELECT phone_masked FROM case_contacts WHERE case_id = $1")
            .bind(case_id.as_str())
            .fetch_one(app.store.pool())
            .await
            .expect("contact")
            .try_get("phone_masked")
            .expect("masked");
        assert_eq!(phone, "138****5678");
        let dispute_type: String = sqlx::query("SELECT dispute_type FROM disputes")
            .fetch_one(app.store.pool())
            .await
            .expect("dispute")
            .try_get("dispute_type")
            .expect("type");
        assert_eq!(dispute_type, "neighbours");
        let kinds: Vec<String> = sqlx::query("SELECT kind FROM residents ORDER BY name")
            .fetch_all(app.store.pool())
            .await
            .expect("residents")
            .iter()
            .map(|r| r.try_get("kind").expect("kind"))
            .collect();
        assert_eq!(kinds, vec!["floating", "registered"], "their 外来/本地 translated");
        // Identity numbers and phones are never kept in clear in the links.
        let links: Vec<String> = sqlx::query("SELECT fields FROM external_ids")
            .fetch_all(app.store.pool())
            .await
            .expect("links")
            .iter()
            .map(|r| r.try_get("fields").expect("fields"))
            .collect();
        assert_eq!(links.len(), 5);
        for clear in [id_number(8101).as_str(), "13812345678", "13700000001", "13900000001"] {
            assert!(links.iter().all(|l| !l.contains(clear)), "{clear} stored in clear");
        }

        let before = tallies(&app).await;
        let again = [
            ok(&app, CASES_MAP, &cases_csv("楼道漏水")).await,
            ok(&app, DISPUTES_MAP, &disputes_csv("楼上漏水损坏楼下装修")).await,
            ok(&app, RESIDENTS_MAP, &residents_csv("钱五", "13700000001")).await,
        ];
        assert_eq!(again.iter().map(counts).collect::<Vec<_>>(), vec![(0, 2, 0, 0), (0, 1, 0, 0), (0, 2, 0, 0)]);
        assert!(again.iter().flat_map(|r| &r.records).all(|l| l.outcome == Outcome::Unchanged));
        assert_eq!(tallies(&app).await, before, "{engine:?}: importing the same files again wrote something");
    }
}

#[tokio::test]
async fn import_updates_a_record_changed_only_in_the_other_system() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        ok(&app, CASES_MAP, &cases_csv("楼道漏水")).await;
        ok(&app, RESIDENTS_MAP, &residents_csv("钱五", "13700000001")).await;
        let case_id = local_id(&app, "county-hotline", "GD-001").await;
        let resident_id = local_id(&app, "police-census", "P-1").await;
        let outbox_before = tallies(&app).await.into_iter().find(|t| t.0 == "outbox").expect("outbox").1;

        let r = ok(&app, CASES_MAP, &cases_csv("楼道严重漏水")).await;
        assert_eq!(counts(&r), (0, 1, 1, 0), "{engine:?}");
        let line = r.records.iter().find(|l| l.external_id == "GD-001").expect("line");
        assert_eq!(line.outcome, Outcome::Updated);
        // History is append-only: one comment records which field changed, from what to what.
        assert_eq!(event_kinds(&app, &case_id).await, vec!["register", "comment"]);
        let body: String = sqlx::query("SELECT body FROM case_events WHERE case_id = $1 AND seq = 2")
            .bind(case_id.as_str())
            .fetch_one(app.store.pool())
            .await
            .expect("event")
            .try_get("body")
            .expect("body");
        assert!(body.contains("county-hotline") && body.contains("GD-001"), "{body}");
        assert!(body.contains("标题：“楼道漏水” → “楼道严重漏水”"), "{body}");

        let r = ok(&app, RESIDENTS_MAP, &residents_csv("钱伍", "13700000009")).await;
        assert_eq!(counts(&r), (0, 1, 1, 0), "{engine:?}");
        let row = sqlx::query("SELECT name, phone_masked FROM residents WHERE id = $1")
            .bind(resident_id.as_str())
            .fetch_one(app.store.pool())
            .await
            .expect("resident");
        let got: (String, String) = (row.try_get("name").expect("n"), row.try_get("phone_masked").expect("p"));
        assert_eq!(got, ("钱伍".to_owned(), "137****0009".to_owned()), "corrected in place");
        let outbox_after = tallies(&app).await.into_iter().find(|t| t.0 == "outbox").expect("outbox").1;
        assert_eq!(outbox_after, outbox_before + 2, "one case event and one base-data change");

        // Our own comment is not a local change: the same files again are unchanged.
        let before = tallies(&app).await;
        assert_eq!(counts(&ok(&app, CASES_MAP, &cases_csv("楼道严重漏水")).await), (0, 2, 0, 0));
        assert_eq!(counts(&ok(&app, RESIDENTS_MAP, &residents_csv("钱伍", "13700000009")).await), (0, 2, 0, 0));
        assert_eq!(tallies(&app).await, before);
    }
}

#[tokio::test]
async fn import_conflicts_when_changed_on_both_sides_write_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        ok(&app, CASES_MAP, &cases_csv("楼道漏水")).await;
        ok(&app, DISPUTES_MAP, &disputes_csv("楼上漏水损坏楼下装修")).await;
        ok(&app, RESIDENTS_MAP, &residents_csv("钱五", "13700000001")).await;
        let case_id = local_id(&app, "county-hotline", "GD-001").await;

        // Here: the centre accepts the case; a base-data import corrects the resident's name.
        let id = CaseId::parse(&case_id).expect("id");
        app.store
            .apply_move(&operator(&app), id, Move::Accept { note: "已受理".into() }, Utc::now())
            .await
            .expect("accept");
        let mut local = crate::base_data::person(8101, &app.fx.grid, None, vec![]);
        local.name = "钱老五".into();
        local.phone = None;
        let placed = vec![shiyu_storage::base::Placed { row: 2, record: local, off_grid: false }];
        app.store.import_residents("4399", &operator(&app), placed, Utc::now()).await.expect("local edit");

        // There: the title, the dispute's facts and the resident's name change.
        let before = tallies(&app).await;
        let r = run(&app, CASES_MAP, &cases_csv("楼道严重漏水"), false).await.expect("report");
        assert_eq!(counts(&r), (0, 1, 0, 1), "{engine:?}");
        let c = &r.conflicts[0];
        let number: String = sqlx::query("SELECT number FROM cases WHERE id = $1")
            .bind(case_id.as_str())
            .fetch_one(app.store.pool())
            .await
            .expect("case")
            .try_get("number")
            .expect("number");
        assert_eq!(
            (c.row, c.external_id.as_str(), c.local.as_str(), c.reason),
            (2, "GD-001", number.as_str(), "changed_on_both_sides")
        );
        assert_eq!(c.local_changes, vec!["accept"]);
        assert_eq!(c.fields.len(), 1);
        let f = &c.fields[0];
        assert_eq!(
            (f.field.as_str(), f.before.as_deref(), f.theirs.as_deref(), f.ours.as_deref()),
            ("title", Some("楼道漏水"), Some("楼道严重漏水"), Some("楼道漏水"))
        );
        let text = report_text(&r, Lang::Zh);
        assert!(text.contains("冲突 1") && text.contains("GD-001") && text.contains("双方均有修改"), "{text}");
        assert!(text.contains("标题：上次导入“楼道漏水”，对方现为“楼道严重漏水”，本系统现为“楼道漏水”"), "{text}");

        let r = run(&app, RESIDENTS_MAP, &residents_csv("钱5", "13700000001"), false).await.expect("report");
        assert_eq!(counts(&r), (0, 1, 0, 1), "{engine:?}");
        let c = &r.conflicts[0];
        assert_eq!((c.external_id.as_str(), c.reason), ("P-1", "changed_on_both_sides"));
        let f = c.fields.iter().find(|f| f.field == "name").expect("name");
        assert_eq!(
            (f.before.as_deref(), f.theirs.as_deref(), f.ours.as_deref()),
            (Some("钱五"), Some("钱5"), Some("钱老五"))
        );

        // A dispute has no move that amends its registration: reported, not applied.
        let r = run(&app, DISPUTES_MAP, &disputes_csv("楼上漏水多次损坏楼下装修"), false).await.expect("report");
        assert_eq!(counts(&r), (0, 0, 0, 1));
        assert_eq!(r.conflicts[0].reason, "dispute_not_amendable");
        assert_eq!(r.conflicts[0].fields[0].field, "facts");

        assert_eq!(tallies(&app).await, before, "{engine:?}: a conflict wrote something");
        assert_eq!(event_kinds(&app, &case_id).await, vec!["register", "accept"]);
    }
}

#[tokio::test]
async fn import_refuses_bad_mappings_and_bad_rows_naming_key_row_and_column() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let empty = tallies(&app).await;

        let bad_map = CASES_MAP
            .replace("title = \"标题\"", "titel = \"标题\"")
            .replace("[defaults]\nledger", "[defaults]\nledgr");
        let Err(ApiError::Mapping(problems)) = run(&app, &bad_map, &cases_csv("x"), false).await else {
            panic!("bad mapping accepted");
        };
        let keys: Vec<(&str, &str)> = problems.iter().map(|p| (p.key.as_str(), p.reason)).collect();
        for want in [
            ("columns.titel", "unknown_field"),
            ("defaults.ledgr", "unknown_field"),
            ("columns.title", "missing_mapping"),
            ("columns.ledger", "missing_mapping"),
        ] {
            assert!(keys.contains(&want), "{want:?} not in {keys:?}");
        }
        let msgs: Vec<String> = problems.iter().map(|p| mapping_message(p, Lang::Zh)).collect();
        assert!(msgs.contains(&"映射文件“columns.titel”：不是可导入的字段".to_owned()), "{msgs:?}");

        // Their file lacks a mapped column.
        let Err(ApiError::Rows(rows)) = run(&app, CASES_MAP, "工单编号,标题\nGD-1,x\n", false).await else {
            panic!("missing column accepted");
        };
        assert!(rows.iter().any(|r| r.row == 1 && r.column == "诉求内容" && r.reason == "missing_column"), "{rows:?}");

        // Good rows beside bad ones: every bad cell named by row and their column; nothing written.
        let csv = "工单编号,标题,诉求内容,问题分类,区划代码,紧急程度,来电人,来电号码\n\
                   GD-1,好的,内容,房屋漏水,439901001001001,,,\n\
                   GD-2,坏的,内容,路灯不亮,439901001001001,很急,张三,12\n\
                   GD-1,重复,内容,房屋漏水,439988001001001,,,\n";
        let Err(ApiError::Rows(rows)) = run(&app, CASES_MAP, csv, false).await else { panic!("bad rows accepted") };
        let got: Vec<(usize, &str, &str)> = rows.iter().map(|r| (r.row, r.column.as_str(), r.reason)).collect();
        for want in [
            (3, "问题分类", "not_a_category_code"),
            (3, "紧急程度", "unknown_value"),
            (3, "来电号码", "not_a_phone_number"),
        ] {
            assert!(got.contains(&want), "{want:?} not in {got:?}");
        }
        let csv = "工单编号,标题,诉求内容,问题分类,区划代码,紧急程度,来电人,来电号码\n\
                   GD-1,好的,内容,房屋漏水,439901001001001,,,\n\
                   GD-2,坏的,内容,urban.roads,439901001001001,,,\n\
                   GD-1,重复,内容,房屋漏水,439988001001001,,,\n";
        let Err(ApiError::Rows(rows)) = run(&app, CASES_MAP, csv, false).await else { panic!("bad rows accepted") };
        let got: Vec<(usize, &str, &str)> = rows.iter().map(|r| (r.row, r.column.as_str(), r.reason)).collect();
        assert_eq!(
            got,
            vec![(3, "问题分类", "unknown_category"), (4, "工单编号", "duplicate"), (4, "区划代码", "unknown_area")]
        );
        let msg = shiyu_http::error::row_message(&rows[0], Lang::Zh);
        assert_eq!(msg, "第 3 行“问题分类”：分类不存在");

        let bad_people = format!(
            "人员编号,公民身份号码,姓名,手机号,户籍类型,网格\nP-1,{},钱五,13700000001,本地,439901001001001\nP-2,110105194912310021,赵六,123,外星,439901001001001\n",
            id_number(8101).as_str()
        );
        let Err(ApiError::Rows(rows)) = run(&app, RESIDENTS_MAP, &bad_people, false).await else {
            panic!("bad residents accepted")
        };
        let got: Vec<(usize, &str, &str)> = rows.iter().map(|r| (r.row, r.column.as_str(), r.reason)).collect();
        assert_eq!(
            got,
            vec![
                (3, "公民身份号码", "bad_check_digit"),
                (3, "手机号", "not_a_phone_number"),
                (3, "户籍类型", "unknown_value")
            ]
        );
        assert_eq!(tallies(&app).await, empty, "{engine:?}: a refused file wrote something");
    }
}

/// The command line: the report printed, exit code 1 when a conflict is reported.
#[tokio::test]
async fn import_external_command_exits_1_on_conflicts() {
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let dir = app.dir.path();
    std::fs::write(dir.join("cases.toml"), CASES_MAP).expect("mapping");
    let run = |csv: String| {
        std::fs::write(dir.join("cases.csv"), csv).expect("csv");
        std::process::Command::new(env!("CARGO_BIN_EXE_shiyu"))
            .args(["import-external", "--mapping"])
            .arg(dir.join("cases.toml"))
            .arg("--file")
            .arg(dir.join("cases.csv"))
            .args(["--as-user", "city_operator", "--database", &app.database_url, "--data"])
            .arg(dir)
            .output()
            .expect("run shiyu")
    };
    let out = run(cases_csv("楼道漏水"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("新建 2，未变 0，更新 0，冲突 0"), "{stdout}");
    let case_id = local_id(&app, "county-hotline", "GD-001").await;
    let id = CaseId::parse(&case_id).expect("id");
    app.store
        .apply_move(&operator(&app), id, Move::Accept { note: "已受理".into() }, Utc::now())
        .await
        .expect("accept");
    let out = run(cases_csv("楼道严重漏水"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("冲突：第 2 行 GD-001"), "{stdout}");
}

#[tokio::test]
async fn operators_import_through_the_api_with_a_dry_run_first() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let send = |who: crate::common::Client, mapping: Option<&'static str>, dry: bool| {
            let app_url = app.url(&format!("/api/admin/imports?dry_run={dry}"));
            let csv = cases_csv("楼道漏水");
            async move {
                let mut form = reqwest::multipart::Form::new()
                    .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("orders.csv"));
                if let Some(m) = mapping {
                    form = form.text("mapping", m);
                }
                let res = who
                    .http
                    .post(app_url)
                    .header("x-csrf-token", &who.csrf)
                    .multipart(form)
                    .send()
                    .await
                    .expect("send");
                let status = res.status().as_u16();
                (status, res.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let (s, dry) = send(app.client("operator").await, Some(CASES_MAP), true).await;
        assert_eq!(s, 200, "{dry}");
        assert_eq!((dry["created"].as_u64(), dry["dry_run"].as_bool()), (Some(2), Some(true)), "{dry}");
        let (s, done) = send(app.client("operator").await, Some(CASES_MAP), false).await;
        assert_eq!((s, done["created"].as_u64()), (200, Some(2)), "{done}");
        let (_, again) = send(app.client("operator").await, Some(CASES_MAP), false).await;
        assert_eq!((again["created"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(2)), "{again}");
        let (s, body) = send(app.client("operator").await, None, false).await;
        assert_eq!((s, body["error"]["field"].as_str()), (422, Some("mapping")), "{body}");
        assert_eq!(send(app.client("resident").await, Some(CASES_MAP), false).await.0, 403);
        assert_eq!(send(app.client("admin").await, Some(CASES_MAP), false).await.0, 403);
    }
}
