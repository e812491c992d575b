//! Case list downloads: CSV (UTF-8 with BOM) and XLSX hold exactly the cases the list shows —
//! the user's scope and the list's filters — in the user's language; a bad format names its field.

use calamine::{Data, Reader, Xlsx};

use crate::common::{TestApp, engines};

fn csv_lines(bytes: &[u8]) -> Vec<String> {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM so that Excel reads UTF-8");
    String::from_utf8(bytes[3..].to_vec()).expect("utf-8").lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn case_lists_download_within_scope_and_filters() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        for i in 0..3 {
            app.new_case(&resident, &app.fx.grid, &format!("东门路灯不亮{i}")).await;
        }
        app.new_case(&resident, &app.fx.grid2, "西门积水").await;

        // The first street's operator: its three cases, not the second street's.
        let op = app.client("operator").await;
        let lines = csv_lines(&op.bytes("/cases/export?format=csv").await);
        assert!(lines[0].starts_with("编号,标题,状态,台账,类别"), "{engine:?}: {}", lines[0]);
        assert_eq!(lines.len(), 4, "{engine:?}: {lines:?}");
        assert!(lines.iter().skip(1).all(|l| l.contains("东门路灯不亮")), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains("西门积水")), "outside the operator's scope");
        // The list's filters apply: a title search keeps one.
        let one = csv_lines(&op.bytes("/cases/export?format=csv&q=%E4%B8%8D%E4%BA%AE1").await);
        assert_eq!(one.len(), 2, "{one:?}");
        assert!(one[1].contains("东门路灯不亮1"));
        // The district sees all four; as a workbook the rows are the same.
        let district = app.client("district_operator").await;
        let xlsx = district.bytes("/cases/export?format=xlsx").await;
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("workbook");
        let sheet = book.worksheet_range(&book.sheet_names()[0]).expect("sheet");
        assert_eq!(sheet.get_value((0, 0)), Some(&Data::String("编号".into())));
        assert_eq!(sheet.height(), 5, "header and four cases");
        let titles: Vec<String> = (1..5).filter_map(|r| sheet.get_value((r, 1)).map(|v| v.to_string())).collect();
        assert!(titles.contains(&"西门积水".to_owned()), "{titles:?}");
        // English on request; a bad format names the field and sends no file.
        let en = csv_lines(&op.bytes("/cases/export?format=csv&lang=en").await);
        assert!(en[0].starts_with("Number,Title,State"), "{}", en[0]);
        let (s, v) = op.get("/cases/export?format=pdf").await;
        assert!(s == 422 && v.to_string().contains("格式"), "{s} {v}");
        let (s, v) = op.get("/cases/export?format=csv&state=lost").await;
        assert!(s == 422 && v.to_string().contains("状态"), "{s} {v}");
        // The resident's own list holds their four cases.
        let mine = csv_lines(&resident.bytes("/cases/export?format=csv").await);
        assert_eq!(mine.len(), 5, "{mine:?}");
        // Without a session there is no file (the sign-in page instead).
        let (_, v) = app.anonymous().get("/cases/export?format=csv").await;
        assert!(!v.to_string().contains("东门路灯"), "{v}");
    }
}

#[tokio::test]
async fn dispute_lists_download_without_parties() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let village = app.client("village_mediator").await;
        let body = serde_json::json!({"title": "院墙占地纠纷", "facts": "翻建院墙占用宅基地，双方争执。", "dispute_type": "land",
            "risk": "yellow", "source": "application", "area_code": app.fx.grid.as_str(), "money_yuan": "1234.5",
            "parties": [{"role": "applicant", "kind": "person", "name": "张三", "identifier": "11010519491231002X"},
                        {"role": "respondent", "kind": "person", "name": "李四"}]});
        let (s, v) = village.post("/api/disputes", body).await;
        assert_eq!(s, 200, "{v}");
        let lines = csv_lines(&village.bytes("/disputes/export?format=csv").await);
        assert_eq!(lines.len(), 2, "{engine:?}: {lines:?}");
        assert!(lines[0].starts_with("编号,标题,类型,风险等级"), "{}", lines[0]);
        assert!(lines[1].contains("院墙占地纠纷") && lines[1].contains("1234.50"), "{}", lines[1]);
        let all = lines.join("\n");
        assert!(!all.contains("张三") && !all.contains("1101"), "no parties, no identifiers: {all}");
        // The second street's operator reads none of it; a resident may not export disputes.
        let other = csv_lines(&app.client("operator2").await.bytes("/disputes/export?format=csv").await);
        assert_eq!(other.len(), 1, "{other:?}");
        assert_eq!(app.client("resident").await.get("/disputes/export?format=csv").await.0, 403);
        let (s, v) = village.get("/disputes/export?list=someday").await;
        assert!(s == 422 && v.to_string().contains("列表"), "{s} {v}");
    }
}
