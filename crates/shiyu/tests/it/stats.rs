//! The figures through the API and the board on both engines: the same numbers on every screen,
//! each person limited to their part (a handler to the cases their organisation leads), bad
//! filters named, and the board drilling from the city down to a grid.

use serde_json::{Value, json};

use crate::common::{TestApp, engines};

fn figure(v: &Value, name: &str) -> Value {
    v["total"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["figure"] == name))
        .map(|f| f["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn figures_are_the_same_everywhere_and_scoped() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let operator = app.client("operator").await;
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(app.new_case(&resident, &app.fx.grid, &format!("统计{i}")).await);
        }
        app.new_case(&app.client("operator2").await, &app.fx.grid2, "西门的诉求").await;
        for id in &ids {
            operator.ok_mv(id, json!({"move": "accept", "note": ""})).await;
        }
        operator.ok_mv(&ids[0], json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        let handler = app.client("handler").await;
        handler.ok_mv(&ids[0], json!({"move": "sign"})).await;
        handler.ok_mv(&ids[0], json!({"move": "report_result", "outcome": "resolved", "text": "已修复"})).await;

        let city = app.client("city_operator").await;
        let (s, all) = city.get("/api/stats/figures?by=child").await;
        assert_eq!(s, 200, "{all}");
        assert_eq!(figure(&all, "received"), 4);
        assert_eq!(figure(&all, "accepted"), 3);
        assert_eq!(figure(&all, "resolution_rate"), 1000, "one result, resolved");
        assert_eq!(figure(&all, "repeated"), 2, "the resident's second and third in the same grid repeat the first");
        assert!(figure(&all, "average_handling_time").is_number(), "{all}");
        assert!(all["definitions"].as_array().is_some_and(|d| d.len() >= 10));
        // The district's children add up; the street sees its own three.
        let (_, street) = operator.get("/api/stats/figures").await;
        assert_eq!(figure(&street, "received"), 3);
        let (_, by_ledger) = city.get("/api/stats/figures?by=ledger&ledger=demand").await;
        assert_eq!(figure(&by_ledger, "received"), 4);
        assert_eq!(by_ledger["groups"][0]["key"], "demand");
        let (_, none) = city.get("/api/stats/figures?ledger=complaint").await;
        assert_eq!(figure(&none, "received"), 0);
        // A handler sees only what their organisation leads, whatever they ask for.
        let (_, theirs) = handler.get(&format!("/api/stats/figures?area={}", app.fx.city.as_str())).await;
        assert_eq!(figure(&theirs, "received"), 0, "registered before their organisation led it");
        assert_eq!(figure(&theirs, "resolution_rate"), 1000, "{theirs}");
        // Out of one's part, bad filters, residents.
        let (s, v) = operator.get(&format!("/api/stats/figures?area={}", app.fx.street2.as_str())).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("area")), "{v}");
        assert_eq!(city.get("/api/stats/figures?by=colour").await.1["error"]["field"], "by");
        assert_eq!(city.get("/api/stats/figures?from=2026-13-01").await.1["error"]["field"], "from");
        assert_eq!(city.get("/api/stats/figures?ledger=x").await.1["error"]["field"], "ledger");
        assert_eq!(resident.get("/api/stats/figures").await.0, 403);

        // The board shows the same numbers and drills from the city to the grid.
        let web = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let user = &app.fx.users["city_operator"];
        web.post(app.url("/login"))
            .form(&[("username", user.username.as_str()), ("password", crate::common::PASSWORD)])
            .send()
            .await
            .expect("login");
        let mut area = app.fx.city.to_string();
        for next in [&app.fx.district, &app.fx.street, &app.fx.community, &app.fx.grid] {
            let page = web
                .get(app.url(&format!("/board?area={area}")))
                .send()
                .await
                .expect("board")
                .text()
                .await
                .expect("text");
            assert!(page.contains(&format!("/board?area={next}")), "no drill from {area} to {next}");
            area = next.to_string();
        }
        let page =
            web.get(app.url(&format!("/board?area={area}"))).send().await.expect("board").text().await.expect("text");
        assert!(page.contains("data-testid=\"trend\""), "the grid's board has its chart");
        assert!(page.contains("<strong data-testid=\"live-open\">3</strong>"), "three open cases in the grid");
        // The repeat is flagged on its case page, the first is not.
        let repeat =
            web.get(app.url(&format!("/cases/{}", ids[2]))).send().await.expect("case").text().await.expect("text");
        assert!(repeat.contains("data-testid=\"repeat\""), "the third case is a repeat");
        let first =
            web.get(app.url(&format!("/cases/{}", ids[0]))).send().await.expect("case").text().await.expect("text");
        assert!(!first.contains("data-testid=\"repeat\""));
        // The big screen shows the same.
        let screen = web
            .get(app.url(&format!("/board/screen?area={area}")))
            .send()
            .await
            .expect("screen")
            .text()
            .await
            .expect("text");
        assert!(
            screen.contains("<strong data-testid=\"live-open\">3</strong>")
                && screen.contains("http-equiv=\"refresh\"")
        );
    }
}

/// Dark pixels of the first page of a PDF, rendered by poppler's `pdftoppm` in grey.
fn ink(pdf: &[u8]) -> f64 {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, pdf).expect("write");
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "40", "-gray", "-f", "1", "-l", "1"])
        .arg(&file)
        .output()
        .expect("pdftoppm (Debian poppler-utils) must be installed; scripts/test installs it");
    // PGM: "P5\nW H\n255\n" then one byte per pixel.
    let data = out.stdout;
    let mut fields = 0;
    let mut at = 0;
    while fields < 4 && at < data.len() {
        while at < data.len() && data[at].is_ascii_whitespace() {
            at += 1;
        }
        while at < data.len() && !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields += 1;
    }
    let pixels = &data[(at + 1).min(data.len())..];
    pixels.iter().filter(|&&p| p < 128).count() as f64 / pixels.len().max(1) as f64
}

#[tokio::test]
async fn monthly_reports_as_page_workbook_and_pdf_agree() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let resident = app.client("resident").await;
    for i in 0..4 {
        app.new_case(&resident, &app.fx.grid, &format!("月报{i}")).await;
    }
    let op = app.client("district_operator").await;
    let (s, page) = op.get("/reports/view?kind=monthly").await;
    assert_eq!(s, 200);
    let html = page.as_str().unwrap_or_default().to_owned();
    assert!(html.contains("社会治理工作月报"), "the title");
    assert!(html.contains("东门街道"), "the hot spot is named");
    let xlsx = op.bytes("/reports/view?kind=monthly&format=xlsx").await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("workbook");
    let names = book.sheet_names();
    let figures = book.worksheet_range(&names[0]).expect("figures sheet");
    assert_eq!(figures.get_value((3, 0)), Some(&Data::String("受理量".into())));
    assert_eq!(figures.get_value((3, 1)), Some(&Data::Float(4.0)), "received is a number");
    let hot = book.worksheet_range(&names[2]).expect("hot spots sheet");
    assert_eq!(hot.get_value((3, 1)), Some(&Data::Float(4.0)));
    assert_eq!(hot.get_value((3, 2)), Some(&Data::Float(1.0)), "the share is a fraction formatted as percent");
    let pdf = op.bytes("/reports/view?kind=monthly&format=pdf").await;
    assert!(pdf.starts_with(b"%PDF"));
    let dark = ink(&pdf);
    assert!((0.005..0.5).contains(&dark), "the first page has Chinese text drawn on it: {dark}");
    // Bad input names its field; a start that is not a period's first day is refused.
    let (s, v) = op.get("/reports/view?kind=daily").await;
    assert!(s == 422 && v.to_string().contains("报表类型"), "{s} {v}");
    let (s, v) = op.get("/reports/view?kind=monthly&start=2026-11-02").await;
    assert!(s == 422 && v.to_string().contains("不是该类报表周期的第一天"), "{s} {v}");
    assert_eq!(resident.get("/reports/view").await.0, 403);
    // Quarterly and annual work too.
    for kind in ["weekly", "quarterly", "annual"] {
        assert_eq!(op.get(&format!("/reports/view?kind={kind}")).await.0, 200, "{kind}");
    }
}

#[tokio::test]
async fn a_surge_beyond_its_own_history_raises_an_alert_on_the_board() {
    use shiyu_domain::case::{CategoryCode, Channel, Intake, Ledger, Reporter, Urgency};
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let op = app.fx.users["operator"].principal();
    let intake = || Intake {
        ledger: Ledger::Demand,
        category: CategoryCode::parse(&app.fx.category).expect("category"),
        channel: Channel::Hotline,
        urgency: Urgency::Normal,
        title: "楼道灯不亮".into(),
        text: "楼道灯坏了很久".into(),
        area: app.fx.grid.clone(),
        location: None,
        off_grid: false,
        reporter: Reporter::Anonymous,
        attachments: vec![],
    };
    // Two a week for eight weeks, then twelve this week.
    let now = chrono::Utc::now();
    let today = shiyu_domain::time::local_date(now);
    let monday = today - chrono::Days::new(u64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
    let noon = |d: chrono::NaiveDate| d.and_hms_opt(4, 0, 0).expect("t").and_utc();
    for w in 1..=8u64 {
        for k in 0..2u64 {
            let day = monday - chrono::Days::new(7 * w) + chrono::Days::new(k);
            app.store.register_case(&op, intake(), None, noon(day)).await.expect("past case");
        }
    }
    for _ in 0..12 {
        app.store.register_case(&op, intake(), None, noon(monday).min(now)).await.expect("this week's case");
    }
    let web = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let user = &app.fx.users["operator"];
    web.post(app.url("/login"))
        .form(&[("username", user.username.as_str()), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .expect("login");
    let page = web.get(app.url("/board")).send().await.expect("board").text().await.expect("text");
    assert!(page.contains("data-testid=\"alert\""), "a surge of 12 after 2 a week alerts");
    let href = format!("/cases?area={}&#38;category={}", app.fx.community, app.fx.category);
    let snippet: String = page.split("data-testid=\"alert\"").nth(1).unwrap_or_default().chars().take(200).collect();
    assert!(page.contains(&href), "the alert links to its cases: {href} in {snippet}");
    // The cases behind it: the list honours the category.
    let list = web
        .get(app.url(&format!("/cases?area={}&category={}", app.fx.community, app.fx.category)))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("text");
    assert_eq!(list.matches("楼道灯不亮").count().min(12), 12, "the twelve are listed");
    let none = web
        .get(app.url(&format!("/cases?category={}x", app.fx.category)))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("text");
    assert!(!none.contains("楼道灯不亮"));
}

#[tokio::test]
async fn assessment_ranks_units_explains_points_and_honours_deductions_and_vetoes() {
    use shiyu_domain::case::{CategoryCode, Channel, Intake, Ledger, Reporter, Urgency};
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let now = chrono::Utc::now();
    for (who, grid, n) in [("operator", &app.fx.grid, 10), ("operator2", &app.fx.grid2, 12)] {
        let p = app.fx.users[who].principal();
        for _ in 0..n {
            let intake = Intake {
                ledger: Ledger::Demand,
                category: CategoryCode::parse(&app.fx.category).expect("category"),
                channel: Channel::Hotline,
                urgency: Urgency::Normal,
                title: "考评样本".into(),
                text: "考评样本".into(),
                area: grid.clone(),
                location: None,
                off_grid: false,
                reporter: Reporter::Anonymous,
                attachments: vec![],
            };
            app.store.register_case(&p, intake, None, now).await.expect("case");
        }
    }
    let (leader, csrf) = login(&app, "district_leader").await;
    let rank_of = |page: &str, unit: &str| -> (String, String) {
        let row = page.split(&format!("data-unit=\"{unit}\"")).nth(1).unwrap_or_default();
        let cell = |id: &str| {
            row.split(&format!("data-testid=\"{id}\">"))
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap_or("")
                .to_owned()
        };
        (cell("rank"), cell("total"))
    };
    let page = leader.get(app.url("/assessment")).send().await.expect("page").text().await.expect("text");
    assert_eq!(rank_of(&page, app.fx.street2.as_str()).1, "100", "no results yet: full points, explained");
    assert!(page.contains("本期无可计算数据"));
    // A deduction with its reason lowers the first street below the second.
    let url = app.url("/assessment/records");
    let post = |form: Vec<(&'static str, String)>| leader.post(url.clone()).form(&form).send();
    let base = |csrf: &str| -> Vec<(&'static str, String)> {
        vec![
            ("_csrf", csrf.to_owned()),
            ("kind", "monthly".to_owned()),
            ("start", String::new()),
            ("area", app.fx.district.to_string()),
        ]
    };
    let mut f = base(&csrf);
    f.extend([
        ("unit", app.fx.street.to_string()),
        ("record_kind", "deduction".into()),
        ("amount", "5".into()),
        ("reason", "通报批评：超期件未及时督办".into()),
    ]);
    assert!(post(f).await.expect("post").status().is_success());
    let page = leader.get(app.url("/assessment")).send().await.expect("page").text().await.expect("text");
    assert_eq!(rank_of(&page, app.fx.street.as_str()), ("2".into(), "95".into()));
    assert_eq!(rank_of(&page, app.fx.street2.as_str()), ("1".into(), "100".into()));
    assert!(page.contains("通报批评：超期件未及时督办"), "the deduction's reason is on the sheet");
    // A veto zeroes the score and takes the unit out of the ranking.
    let mut f = base(&csrf);
    f.extend([
        ("unit", app.fx.street2.to_string()),
        ("record_kind", "veto".into()),
        ("code", "mass_incident".into()),
        ("reason", "发生群体性事件".into()),
    ]);
    assert!(post(f).await.expect("post").status().is_success());
    let page = leader.get(app.url("/assessment")).send().await.expect("page").text().await.expect("text");
    assert_eq!(rank_of(&page, app.fx.street2.as_str()), ("—".into(), "0".into()));
    assert_eq!(rank_of(&page, app.fx.street.as_str()).0, "1");
    // Refusals name the field; operators may not record; nothing is written.
    let mut f = base(&csrf);
    f.extend([
        ("unit", app.fx.street.to_string()),
        ("record_kind", "deduction".into()),
        ("amount", "x".into()),
        ("reason", "r".into()),
    ]);
    let r = post(f).await.expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("text").contains("分值或数值"));
    let (op, op_csrf) = login(&app, "district_operator").await;
    let mut f = base(&op_csrf);
    f.extend([
        ("unit", app.fx.street.to_string()),
        ("record_kind", "deduction".into()),
        ("amount", "50".into()),
        ("reason", "r".into()),
    ]);
    assert_eq!(op.post(app.url("/assessment/records")).form(&f).send().await.expect("post").status(), 403);
    // The plan is checked before it is kept.
    let (analyst, a_csrf) = login(&app, "analyst").await;
    let bad = r#"{"name":"x","indicators":[],"min_cases":1}"#;
    let r = analyst
        .post(app.url("/assessment/plan"))
        .form(&[("_csrf", a_csrf.as_str()), ("body", bad)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("text").contains("考评指标"));
    let mut plan = shiyu_domain::stats::assessment::Plan::standard();
    plan.name = "街道考评（试行）".into();
    plan.min_cases = 11;
    let body = serde_json::to_string(&plan).expect("json");
    let r = analyst
        .post(app.url("/assessment/plan"))
        .form(&[("_csrf", a_csrf.as_str()), ("body", body.as_str())])
        .send()
        .await
        .expect("post");
    assert!(r.status().is_success());
    let page = leader.get(app.url("/assessment")).send().await.expect("page").text().await.expect("text");
    assert!(page.contains("街道考评（试行）"));
    assert_eq!(rank_of(&page, app.fx.street.as_str()).0, "—", "ten cases are now too few to rank");
}

/// A web session for `who` and the CSRF token of its assessment page.
async fn login(app: &TestApp, who: &str) -> (reqwest::Client, String) {
    let web = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let user = &app.fx.users[who];
    let page = web
        .post(app.url("/login"))
        .form(&[("username", user.username.as_str()), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .expect("login");
    assert!(page.status().is_success(), "login {who}");
    let home = web.get(app.url("/assessment")).send().await.expect("page").text().await.expect("text");
    let csrf = home.split("name=\"_csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("").to_owned();
    (web, csrf)
}

#[tokio::test]
async fn ended_periods_get_their_reports_made_once_and_kept() {
    let app = TestApp::spawn(crate::common::Engine::Sqlite).await;
    let resident = app.client("resident").await;
    app.new_case(&resident, &app.fx.grid, "定期报表").await;
    let state = shiyu_http::AppState {
        store: app.store.clone(),
        cfg: std::sync::Arc::new(shiyu_http::HttpConfig::new(app.dir.path())),
        places: std::sync::Arc::new(shiyu::app::places(&app.store).await.expect("places")),
        fonts: None,
        routing: Default::default(),
        search: None,
    };
    let today = shiyu_domain::time::local_date(chrono::Utc::now());
    // Four kinds of period for the city and its one district.
    assert_eq!(shiyu_http::reports::generate_due(&state, today).await.expect("made"), 8);
    assert_eq!(shiyu_http::reports::generate_due(&state, today).await.expect("again"), 0, "each is made once");
    let op = app.client("district_operator").await;
    let (_, page) = op.get("/reports").await;
    let page = page.as_str().unwrap_or_default().to_owned();
    let ids: Vec<String> =
        page.split("href=\"/reports/saved/").skip(1).map(|r| r.split('"').next().unwrap_or("").to_owned()).collect();
    assert_eq!(ids.len(), 4, "the district's four, not the city's: {ids:?}");
    let (s, html) = op.get(&format!("/reports/saved/{}", ids[0])).await;
    assert_eq!(s, 200);
    assert!(html.as_str().unwrap_or_default().contains("东城区"));
    assert!(op.bytes(&format!("/reports/saved/{}?format=xlsx", ids[0])).await.starts_with(b"PK"));
    // Outside one's area, or a department's handler: not there.
    assert_eq!(app.client("operator2").await.get(&format!("/reports/saved/{}", ids[0])).await.0, 404);
    assert_eq!(app.client("handler").await.get(&format!("/reports/saved/{}", ids[0])).await.0, 404);
}
