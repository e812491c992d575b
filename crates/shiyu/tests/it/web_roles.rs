//! Every role against every web page: allowed, refused, or sent to sign in; and no case page
//! outside the person's scope.

use serde_json::json;
use shiyu_domain::case::{CategoryCode, Channel, Intake, Ledger, Move, Reporter, Urgency, machine};
use shiyu_domain::dispute::DisputeAct;
use shiyu_domain::dispute::access as disputes;
use shiyu_domain::ids::CaseId;
use shiyu_domain::role::Role;
use shiyu_domain::scope::Scope;

use crate::common::{ACCOUNTS, PASSWORD, TestApp, engines};

async fn browser_session(app: &TestApp, who: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let user = &app.fx.users[who];
    let res = c
        .post(app.url("/login"))
        .form(&[("username", user.username.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 303, "form login as {who}");
    c
}

async fn status(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.expect("get");
    let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (r.status().as_u16(), loc)
}

#[tokio::test]
async fn every_role_against_every_page() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let id = app.new_case(&resident, &app.fx.grid, "网页矩阵").await;
        let operator = app.client("operator").await;
        operator.ok_mv(&id, json!({"move": "accept", "note": ""})).await;
        operator.ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""})).await;
        // A dispute in the first grid, mediated by its community.
        let (st, d) = app
            .client("village_mediator")
            .await
            .post(
                "/api/disputes",
                json!({"title": "网页矩阵纠纷", "facts": "邻里争执", "dispute_type": "neighbours", "risk": "blue",
                       "source": "application", "area_code": app.fx.grid.as_str(),
                       "parties": [{"name": "甲"}, {"name": "乙"}]}),
            )
            .await;
        assert_eq!(st, 200, "{d}");
        let dispute = d["id"].as_str().expect("dispute id").to_owned();

        let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        for page in [
            "/",
            "/cases",
            "/cases/overdue",
            "/search?q=%E7%BD%91%E9%A1%B5",
            "/cases/export?format=csv",
            "/cases/new",
            "/r",
            "/r/new",
            "/notifications",
            "/map",
            "/grid",
            &format!("/cases/{id}"),
        ] {
            let (s, loc) = status(&anon, app.url(page)).await;
            assert!(matches!(s, 302 | 303 | 307) && loc == "/login", "anonymous {page}: {s} {loc}");
        }
        for page in ["/login", "/follow"] {
            assert_eq!(status(&anon, app.url(page)).await.0, 200, "anonymous {page}");
        }

        let (_, case) = operator.get(&format!("/api/cases/{id}")).await;
        let number = case["case"]["number"].as_str().expect("number").to_owned();
        for who in ACCOUNTS {
            let user = &app.fx.users[who];
            let role = user.role;
            let resident = role == Role::Resident;
            let sees = user.principal().scope().sees(
                // The case's visibility as the domain defines it, from the stored row.
                app.store
                    .case_record(&Scope::Subtree(app.fx.city.clone()), CaseId::parse(&id).expect("id"))
                    .await
                    .expect("case")
                    .case
                    .visibility(),
            );
            let registers = machine::may(role, &Move::Register(dummy_intake(&app)));
            let p = user.principal();
            let reads_dispute = disputes::may(&p, DisputeAct::Read, &app.fx.grid, &app.fx.community);
            let dispute_role = |act| disputes::role_may(role, act);
            let c = browser_session(&app, who).await;
            let want = |page: &str| -> (u16, &'static str) {
                match page {
                    "/" if resident => (303, "/r"),
                    "/" if role == Role::GridWorker => (303, "/grid"),
                    "/grid" | "/grid/report" | "/grid/visits" | "/grid/visits/new" if role != Role::GridWorker => {
                        (403, "")
                    }
                    "/base/houses" | "/base/entities"
                        if !matches!(
                            role,
                            Role::GridWorker | Role::Operator | Role::Admin | Role::Leader | Role::Mediator
                        ) =>
                    {
                        (403, "")
                    }
                    "/base/cameras" if matches!(role, Role::Resident | Role::Handler) => (403, ""),
                    "/admin/areas/import" if role != Role::Admin => (403, ""),
                    "/map" if resident => (403, ""),
                    "/base/residents"
                        if !matches!(
                            role,
                            Role::GridWorker | Role::Operator | Role::Admin | Role::Leader | Role::Mediator
                        ) =>
                    {
                        (403, "")
                    }
                    "/base/care" if matches!(role, Role::Resident | Role::Handler) => (403, ""),
                    "/base/import" if !matches!(role, Role::Operator | Role::Admin) => (403, ""),
                    "/r" if !resident => (303, "/"),
                    "/r/new" if !resident => (303, "/cases/new"),
                    "/cases/new" if resident => (303, "/r/new"),
                    "/cases/new" if !registers => (403, ""),
                    p if p.starts_with("/cases/0") => (if sees { 200 } else { 404 }, ""),
                    "/assessment/plan" if !matches!(role, Role::Admin | Role::Analyst) => (403, ""),
                    "/board" | "/board/screen" | "/reports" | "/reports/view" | "/assessment"
                        if shiyu_domain::stats::access::figure_scope(&p).is_none() =>
                    {
                        (403, "")
                    }
                    "/disputes" | "/disputes/screenings" if !dispute_role(DisputeAct::Read) => (403, ""),
                    "/disputes/new" if !dispute_role(DisputeAct::Register) => (403, ""),
                    "/disputes/figures" if !dispute_role(DisputeAct::Figures) => (403, ""),
                    "/admin/mediation" if !dispute_role(DisputeAct::Registry) => (403, ""),
                    p if p.starts_with("/disputes/0") => (if reads_dispute { 200 } else { 404 }, ""),
                    _ => (200, ""),
                }
            };
            for page in [
                "/",
                "/cases",
                "/cases/overdue",
                "/search?q=%E7%BD%91%E9%A1%B5",
                "/cases/export?format=csv",
                "/cases/new",
                "/r",
                "/r/new",
                "/notifications",
                "/map",
                "/grid",
                "/grid/report",
                "/base/residents",
                "/base/houses",
                "/base/entities",
                "/base/cameras",
                "/base/care",
                "/base/import",
                "/grid/visits",
                "/grid/visits/new",
                "/admin/areas/import",
                &format!("/cases/{id}"),
                "/board",
                "/board/screen",
                "/reports",
                "/reports/view",
                "/assessment",
                "/assessment/plan",
                "/disputes",
                "/disputes/new",
                "/disputes/screenings",
                "/disputes/figures",
                "/admin/mediation",
                &format!("/disputes/{dispute}"),
            ] {
                let (s, loc) = status(&c, app.url(page)).await;
                let (ws, wl) = want(page);
                assert_eq!((s, loc.as_str()), (ws, wl), "{engine:?} {who} GET {page}");
            }
            // Lists and the case page never show a case outside scope.
            let list = c.get(app.url("/cases")).send().await.expect("list").text().await.expect("text");
            assert_eq!(list.contains(&number), sees, "{who} list");
            // Search finds it (once indexed) exactly when the list shows it.
            let started = std::time::Instant::now();
            loop {
                let found = c
                    .get(app.url("/search?q=%E7%BD%91%E9%A1%B5%E7%9F%A9%E9%98%B5"))
                    .send()
                    .await
                    .expect("search")
                    .text()
                    .await
                    .expect("text");
                if found.contains(&number) == sees {
                    break;
                }
                assert!(started.elapsed().as_secs() < 20, "{who} search page");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let page = c.get(app.url(&format!("/cases/{id}"))).send().await.expect("page").text().await.expect("text");
            assert_eq!(page.contains("网页矩阵"), sees, "{who} case page");
            // A move by form: only the lead department's handler may sign; the CSRF token is
            // taken from the page as a browser would.
            if sees {
                let csrf = page
                    .split("name=\"_csrf\" value=\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or("")
                    .to_owned();
                let r = c
                    .post(app.url(&format!("/cases/{id}/moves/sign")))
                    .form(&[("_csrf", csrf.as_str())])
                    .send()
                    .await
                    .expect("post");
                if who == "handler" {
                    assert_eq!(r.status(), 303, "handler signs by form");
                    // Put the case back to dispatched for the next accounts.
                    let h = app.client("handler").await;
                    h.ok_mv(&id, json!({"move": "request_escalation", "reason": "矩阵"})).await;
                    operator.ok_mv(&id, json!({"move": "escalate", "reason": "矩阵"})).await;
                    app.client("district_operator")
                        .await
                        .ok_mv(&id, json!({"move": "delegate", "to": app.fx.street.as_str(), "reason": "矩阵"}))
                        .await;
                    operator
                        .ok_mv(&id, json!({"move": "dispatch", "lead": app.fx.dept.id, "co": [], "note": ""}))
                        .await;
                } else {
                    assert!(matches!(r.status().as_u16(), 403 | 409), "{who} sign by form: {}", r.status());
                }
            }
        }
    }
}

fn dummy_intake(app: &TestApp) -> Intake {
    Intake {
        ledger: Ledger::Demand,
        category: CategoryCode::parse(&app.fx.category).expect("category"),
        channel: Channel::Web,
        urgency: Urgency::Normal,
        title: "x".into(),
        text: "x".into(),
        area: app.fx.grid.clone(),
        location: None,
        off_grid: false,
        reporter: Reporter::Anonymous,
        attachments: vec![],
    }
}
