//! The map's data and the grid worker's report, through the real server: counts per child area in
//! scope, the drill-down kept inside the caller's area, case points, the list a map click opens,
//! and a report with a photo solved on the spot in one step.

use serde_json::{Value, json};

use crate::common::{TestApp, engines};

/// A tiny valid PNG (1×1), as a phone photo stand-in.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0xE9, 0xFA, 0xDC, 0xD8, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn feature<'a>(fc: &'a Value, code: &str) -> &'a Value {
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["code"] == code)
        .unwrap_or_else(|| panic!("no feature {code} in {fc}"))
}

fn codes(fc: &Value) -> Vec<String> {
    let mut v: Vec<String> = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["code"].as_str().expect("code").to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn map_counts_children_in_scope_and_drills_down_only_inside_it() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let operator = app.client("operator").await;
        // Two open cases in the first grid (one with a point), one in 西门.
        let (s, body) = resident
            .post(
                "/api/cases",
                json!({"ledger": "demand", "category": app.fx.category, "channel": "web", "title": "路灯不亮",
                       "text": "路灯不亮", "area_code": app.fx.grid.as_str(), "location": {"lon": 113.02, "lat": 28.1}}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        let with_point = body["case"]["id"].as_str().expect("id").to_owned();
        app.new_case(&resident, &app.fx.grid, "井盖缺失").await;
        app.new_case(&resident, &app.fx.grid2, "西门积水").await;

        // The street operator opens on their street: one community, two open cases.
        let (s, fc) = operator.get("/api/map/areas").await;
        assert_eq!(s, 200, "{fc}");
        assert_eq!(fc["area"]["code"], app.fx.street.as_str());
        assert_eq!(fc["area"]["up"], Value::Null, "no way up out of one's own area");
        assert_eq!(codes(&fc), vec![app.fx.community.to_string()]);
        assert_eq!(feature(&fc, app.fx.community.as_str())["properties"]["open"], 2);
        assert_eq!(feature(&fc, app.fx.community.as_str())["geometry"]["type"], "Polygon");
        // Asking for the district shows their street instead.
        let (_, up) = operator.get(&format!("/api/map/areas?area={}", app.fx.district)).await;
        assert_eq!(up["area"]["code"], app.fx.street.as_str());
        // Drilling into the community: per grid.
        let (_, fc) = operator.get(&format!("/api/map/areas?area={}", app.fx.community)).await;
        assert_eq!(codes(&fc), vec![app.fx.grid.to_string(), app.fx.grid_b.to_string()]);
        assert_eq!(feature(&fc, app.fx.grid.as_str())["properties"]["open"], 2);
        assert_eq!(feature(&fc, app.fx.grid_b.as_str())["properties"]["open"], 0);
        assert_eq!(fc["area"]["up"], app.fx.street.as_str());

        // The district operator sees both streets.
        let (_, fc) = app.client("district_operator").await.get("/api/map/areas").await;
        let total: i64 =
            fc["features"].as_array().expect("f").iter().map(|f| f["properties"]["open"].as_i64().expect("n")).sum();
        assert_eq!(total, 3);

        // Points: only the case with a location, only for whoever sees it.
        let (_, pts) = operator.get("/api/map/cases").await;
        let ids: Vec<&str> = pts["features"]
            .as_array()
            .expect("f")
            .iter()
            .map(|f| f["properties"]["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, vec![with_point.as_str()]);
        assert_eq!(pts["features"][0]["geometry"]["coordinates"], json!([113.02, 28.1]));
        let (_, pts) = app.client("operator2").await.get("/api/map/cases").await;
        assert!(pts["features"].as_array().expect("f").is_empty(), "{pts}");
        // Residents have no map of cases.
        assert_eq!(resident.get("/api/map/areas").await.0, 403);
        assert_eq!(resident.get("/api/map/cases").await.0, 403);

        // Overdue is counted against the clock: a year on, every open case with a deadline is late
        // (a registered case has none; a dispatched one has its time to sign).
        let (_, list) = operator.get(&format!("/api/cases?area={}", app.fx.grid)).await;
        for item in list["items"].as_array().expect("items") {
            let id = item["id"].as_str().expect("id");
            operator.ok_mv(id, json!({"move": "accept", "note": ""})).await;
            operator.ok_mv(id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        }
        let later = chrono::Utc::now() + chrono::Duration::days(365);
        let scope = app.fx.users["operator"].principal().scope();
        let loads = app.store.child_loads(&scope, &app.fx.community, later).await.expect("loads");
        let g1 = loads.iter().find(|l| l.code == app.fx.grid).expect("grid load");
        assert_eq!((g1.open, g1.overdue), (2, 2));
        let now_loads = app.store.child_loads(&scope, &app.fx.community, chrono::Utc::now()).await.expect("loads");
        assert_eq!(now_loads.iter().map(|l| l.overdue).sum::<i64>(), 0);

        // The list a map click opens: the area's cases only.
        let (_, list) = operator.get(&format!("/api/cases?area={}", app.fx.grid)).await;
        assert_eq!(list["total"], 2, "{list}");
        let (_, list) = operator.get(&format!("/api/cases?area={}", app.fx.grid_b)).await;
        assert_eq!(list["total"], 0, "{list}");
    }
}

#[tokio::test]
async fn grid_worker_reports_with_a_photo_and_solves_on_the_spot() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let gw = app.client("grid_worker").await;
        let form = |solved: bool| {
            let photo = reqwest::multipart::Part::bytes(PNG.to_vec())
                .file_name("scene.png")
                .mime_str("image/png")
                .expect("mime");
            let mut f = reqwest::multipart::Form::new()
                .text("category", app.fx.category.to_owned())
                .text("title", "楼道堆放杂物")
                .text("text", "三单元楼道堆放纸箱，影响通行。")
                .text("lon", "113.02")
                .text("lat", "28.1")
                .part("photo", photo);
            if solved {
                f = f.text("solved", "1").text("done", "已联系住户清理完毕。");
            }
            f
        };
        let post = |f: reqwest::multipart::Form| {
            gw.http.post(app.url(&format!("/grid/report?_csrf={}", gw.csrf))).multipart(f).send()
        };
        // Without the CSRF token nothing is written.
        let r = gw.http.post(app.url("/grid/report")).multipart(form(true)).send().await.expect("post");
        assert_eq!(r.status(), 403);
        let (_, before) = gw.get("/api/cases").await;
        assert_eq!(before["total"], 0);

        let r = post(form(true)).await.expect("post");
        assert!(r.status().is_success(), "{}", r.status());
        let id = r.url().path().trim_start_matches("/cases/").to_owned();
        let (s, case) = gw.get(&format!("/api/cases/{id}")).await;
        assert_eq!(s, 200, "{case}");
        assert_eq!(case["case"]["state"], "handled", "solved on the spot, waiting for a leader's check");
        assert_eq!(case["case"]["self_handled"], true);
        assert_eq!(case["case"]["ledger"], "event");
        assert_eq!(case["case"]["channel"], "grid_worker");
        let (_, events) = gw.get(&format!("/api/cases/{id}/events")).await;
        let photos = events[0]["move"]["attachments"].as_array().map(Vec::len);
        assert_eq!(photos, Some(1), "the photo travels with the registration: {events}");
        let page =
            gw.http.get(app.url(&format!("/cases/{id}"))).send().await.expect("page").text().await.expect("text");
        assert!(page.contains("data-testid=\"attachments\""), "the case page shows the photo");
        assert_eq!(case["case"]["location"], json!({"lon": 113.02, "lat": 28.1}));
        // The leader still verifies it.
        app.client("leader").await.ok_mv(&id, json!({"move": "verify", "note": "同意"})).await;

        // A report left for the centre stays registered; a missing category is named.
        let r = post(form(false)).await.expect("post");
        let id2 = r.url().path().trim_start_matches("/cases/").to_owned();
        let (_, case) = gw.get(&format!("/api/cases/{id2}")).await;
        assert_eq!(case["case"]["state"], "registered");
        let bad = reqwest::multipart::Form::new().text("title", "无分类").text("text", "无分类");
        let r = post(bad).await.expect("post");
        assert_eq!(r.status(), 422);
        let page = r.text().await.expect("text");
        assert!(page.contains("data-testid=\"form-error\""), "{page}");
        let (_, after) = gw.get("/api/cases").await;
        assert_eq!(after["total"], 2, "the refused form wrote nothing");
    }
}

#[tokio::test]
async fn a_point_decides_the_grid_in_any_declared_coordinate_system() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let op = app.client("district_operator").await;
        let post = |area: &str, lon: f64, lat: f64, crs: &str| {
            let mut body = json!({"ledger": "event", "category": app.fx.category, "channel": "walk_in",
                                  "title": "定位", "text": "定位", "location": {"lon": lon, "lat": lat, "crs": crs}});
            if !area.is_empty() {
                body["area_code"] = json!(area);
            }
            op.post("/api/cases", body)
        };
        // Inside the second grid, though the first was typed: the point wins.
        let (s, c) = post(app.fx.grid.as_str(), 113.07, 28.1, "wgs84").await;
        assert_eq!(s, 201, "{c}");
        assert_eq!(
            (c["case"]["area"].as_str(), c["case"]["off_grid"].as_bool()),
            (Some(app.fx.grid_b.as_str()), Some(false))
        );
        // On the shared edge of the two grids of 东门社区: the lower code.
        let (_, c) = post("", 113.05, 28.1, "wgs84").await;
        assert_eq!(c["case"]["area"], app.fx.grid.as_str());
        // On the edge between 东门's second grid and 西门's grid: the lower code again.
        let (_, c) = post("", 113.1, 28.15, "").await;
        assert_eq!(c["case"]["area"], app.fx.grid_b.as_str());
        // A GCJ-02 point (as a Chinese map app gives it) is converted before placing: the WGS-84
        // point 113.049990 sits just west of the edge, its GCJ-02 form is ~500 m east of it.
        let (gx, gy) = shiyu_geo::crs::from_wgs84(shiyu_geo::Crs::Gcj02, 113.04999, 28.1);
        assert!(gx > 113.05, "the shift crosses the edge: {gx}");
        let (_, c) = post("", gx, gy, "gcj02").await;
        assert_eq!(c["case"]["area"], app.fx.grid.as_str(), "{c}");
        let stored = c["case"]["location"]["lon"].as_f64().expect("lon");
        assert!((stored - 113.04999).abs() < 1e-6, "stored as WGS-84: {stored}");
        // Outside every grid: kept, at the caller's area, and flagged for the centre.
        let (s, c) = post("", 113.5, 28.1, "wgs84").await;
        assert_eq!(s, 201, "{c}");
        assert_eq!(
            (c["case"]["area"].as_str(), c["case"]["off_grid"].as_bool()),
            (Some(app.fx.district.as_str()), Some(true))
        );
        let (_, flagged) = op.get("/api/cases?off_grid=true").await;
        assert_eq!(flagged["total"], 1, "{flagged}");
        // An unknown coordinate system is named, and nothing is written.
        let (s, e) = post("", 113.07, 28.1, "utm50n").await;
        assert_eq!(s, 422, "{e}");
        assert!(e.to_string().contains("crs"), "{e}");
        // No point and no area: the area is required.
        let (s, e) = op.post("/api/cases", json!({"ledger": "event", "category": app.fx.category, "channel": "walk_in", "title": "无", "text": "无"})).await;
        assert_eq!(s, 422, "{e}");
        assert!(e.to_string().contains("area_code"), "{e}");
        let (_, all) = op.get("/api/cases").await;
        assert_eq!(all["total"], 5);
    }
}
