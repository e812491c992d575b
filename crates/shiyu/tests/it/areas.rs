//! Importing areas and grids from GeoJSON through the administrator's page: each kind of problem
//! is reported by name and nothing is written; a clean file is written whole and the grid index
//! follows it at once.

use serde_json::{Value, json};

use crate::common::{Client, TestApp, engines};

fn ring(w: f64, e: f64) -> Value {
    json!([[[w, 28.0], [e, 28.0], [e, 28.2], [w, 28.2], [w, 28.0]]])
}

fn grid(code: &str, name: &str, coordinates: Value) -> Value {
    json!({"type": "Feature", "properties": {"code": code, "name": name},
           "geometry": {"type": "Polygon", "coordinates": coordinates}})
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

async fn upload(app: &TestApp, c: &Client, text: &str, crs: &str) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::text(text.to_owned()).file_name("areas.geojson"))
        .text("crs", crs.to_owned());
    let r = c
        .http
        .post(app.url(&format!("/admin/areas/import?_csrf={}", c.csrf)))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    (r.status().as_u16(), r.text().await.expect("text"))
}

async fn snapshot(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    app.store.all_areas().await.expect("areas").into_iter().map(|a| (a.code.to_string(), a.name, a.polygon)).collect()
}

#[tokio::test]
async fn area_imports_report_every_problem_and_write_all_or_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let admin = app.client("admin").await;
        let (g1, g2) = (app.fx.grid.as_str(), app.fx.grid_b.as_str());
        let before = snapshot(&app).await;
        let bow_tie = json!([[[113.0, 28.0], [113.05, 28.2], [113.05, 28.0], [113.0, 28.2], [113.0, 28.0]]]);
        let unclosed = json!([[[113.0, 28.0], [113.05, 28.0], [113.05, 28.2], [113.0, 28.2]]]);
        let cases: Vec<(&str, String, &str)> = vec![
            (
                "overlap",
                collection(vec![grid(g1, "一", ring(113.0, 113.07)), grid(g2, "二", ring(113.05, 113.1))]),
                "重叠",
            ),
            (
                "hole",
                collection(vec![grid(g1, "一", ring(113.0, 113.04)), grid(g2, "二", ring(113.05, 113.1))]),
                "未被下级区域覆盖",
            ),
            (
                "outside",
                collection(vec![grid(g1, "一", ring(113.0, 113.05)), grid(g2, "二", ring(113.05, 113.15))]),
                "超出上级区域",
            ),
            ("unclosed", collection(vec![grid(g1, "一", unclosed), grid(g2, "二", ring(113.05, 113.1))]), "未闭合"),
            (
                "self-intersecting",
                collection(vec![grid(g1, "一", bow_tie), grid(g2, "二", ring(113.05, 113.1))]),
                "自相交",
            ),
            ("not json", "{not json".to_owned(), "JSON"),
        ];
        for (what, file, expect) in cases {
            let (s, page) = upload(&app, &admin, &file, "").await;
            assert_eq!(s, 422, "{engine:?} {what}");
            assert!(page.contains("data-testid=\"import-problems\""), "{what}: {page}");
            assert!(page.contains(expect), "{what}: expected {expect} in the report");
            assert_eq!(snapshot(&app).await, before, "{engine:?} {what}: nothing written");
        }

        // Several problems in one file are all listed.
        let both = collection(vec![grid(g1, "一", ring(113.0, 113.07)), grid(g2, "", ring(113.05, 113.1))]);
        let (_, page) = upload(&app, &admin, &both, "").await;
        assert!(page.contains("重叠") && page.contains("缺少名称"), "{page}");

        // Only administrators import.
        let (s, _) = upload(&app, &app.client("operator").await, &collection(vec![]), "").await;
        assert_eq!(s, 403);

        // A clean file moving the shared edge from 113.05 to 113.06: written whole, and a point
        // between the two edges now lies in the first grid.
        let op = app.client("operator").await;
        let place = |lon: f64| {
            op.post(
                "/api/cases",
                json!({"ledger": "event", "category": app.fx.category, "channel": "walk_in", "title": "点",
                       "text": "点", "location": {"lon": lon, "lat": 28.1}}),
            )
        };
        let (_, c) = place(113.055).await;
        assert_eq!(c["case"]["area"], g2);
        let moved = collection(vec![
            grid(g1, "东门社区第一网格", ring(113.0, 113.06)),
            grid(g2, "东门社区第二网格", ring(113.06, 113.1)),
        ]);
        let (s, page) = upload(&app, &admin, &moved, "wgs84").await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("data-testid=\"import-done\""), "{page}");
        assert!(page.contains("更新 2"), "{page}");
        let (_, c) = place(113.055).await;
        assert_eq!(c["case"]["area"], g1, "the index follows the import at once");
        // The same file again changes nothing.
        let (_, page) = upload(&app, &admin, &moved, "").await;
        assert!(page.contains("未变 2"), "{page}");
    }
}
