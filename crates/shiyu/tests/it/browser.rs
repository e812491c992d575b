//! One request through the web UI in a real browser (Chromium driven by chromedriver over
//! WebDriver): the resident submits it, the operator accepts and dispatches it, the department
//! signs for it and reports the result, the leader verifies it, the resident rates it, and the
//! operator closes it. At each step the test checks what that person sees: the state in Chinese,
//! the move forms their role has and has not, and that personal data stays masked or hidden.
//!
//! Needs `chromedriver` and `chromium` (paths in `SHIYU_CHROMEDRIVER`, `SHIYU_CHROMIUM`; defaults
//! `/usr/bin/chromedriver`, `/usr/bin/chromium`). `SHIYU_SKIP_BROWSER=1` skips it.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::common::{Engine, PASSWORD, TestApp};

/// How long one page may take to show what a step waits for.
const STEP: Duration = Duration::from_secs(15);
/// How long the whole scenario may take.
const WHOLE: Duration = Duration::from_secs(300);

/// A chromedriver child process, killed when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    pub(crate) async fn start() -> Driver {
        let bin = std::env::var("SHIYU_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that dropping it also ends the browsers it started (a
            // failing step never reaches the session's close).
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} ({e}); set SHIYU_SKIP_BROWSER=1 to skip this test"));
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{}/status", driver.url)).send().await.is_ok_and(|r| r.status().is_success()) {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on {}", driver.url);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One person's browser: a fresh Chromium profile, so no cookie is shared with anyone else.
pub(crate) struct Browser {
    c: Client,
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(crate) async fn open(driver: &Driver, base: &str) -> Browser {
        Self::open_sized(driver, base, (1280, 900)).await
    }

    /// A browser with a window of `size` (a phone: 390×844).
    pub(crate) async fn open_sized(driver: &Driver, base: &str, size: (u32, u32)) -> Browser {
        let chromium = std::env::var("SHIYU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--lang=zh-CN",
                    "--no-first-run", format!("--window-size={},{}", size.0, size.1),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                // A Chinese browser, as most users have; the UI is Chinese by default anyway.
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            },
        });
        let serde_json::Value::Object(caps) = caps else { unreachable!("an object literal") };
        let c = ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("open a browser session");
        Browser { c, base: base.to_owned(), _profile: profile }
    }

    pub(crate) async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("goto {path}: {e}"));
    }

    pub(crate) async fn here(&self) -> String {
        self.c.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    /// Waits for an element.
    pub(crate) async fn el(&self, css: &str) -> fantoccini::elements::Element {
        match self.c.wait().at_most(STEP).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no `{css}` on {} ({e})", self.here().await),
        }
    }

    /// The text of an element, waiting for it. A page being replaced can hand out an element that
    /// is gone by the time it is read; that is retried, not a failure.
    pub(crate) async fn text(&self, css: &str) -> String {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let found = self.c.find(Locator::Css(css)).await;
            if let Ok(e) = found
                && let Ok(t) = e.text().await
            {
                return t.trim().to_owned();
            }
            if tokio::time::Instant::now() > deadline {
                panic!("no text at `{css}` on {}", self.here().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the address contains `part` (the next page has replaced the last).
    pub(crate) async fn arrived(&self, part: &str) {
        let deadline = tokio::time::Instant::now() + STEP;
        while !self.here().await.contains(part) {
            assert!(tokio::time::Instant::now() < deadline, "never reached {part}; at {}", self.here().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many elements match now.
    pub(crate) async fn count(&self, css: &str) -> usize {
        self.c.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    pub(crate) async fn source(&self) -> String {
        self.c.source().await.unwrap_or_default()
    }

    pub(crate) async fn type_in(&self, css: &str, text: &str) {
        self.el(css).await.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub(crate) async fn choose(&self, css: &str, value: &str) {
        self.el(css).await.select_by_value(value).await.unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
    }

    /// Clicks the element; if the page was replaced between finding and clicking it (a stale
    /// element), finds it again on the new page.
    pub(crate) async fn click(&self, css: &str) {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            match self.el(css).await.click().await {
                Ok(()) => return,
                Err(e) if e.to_string().contains("stale element") && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("click {css}: {e}"),
            }
        }
    }

    /// Signs in through the login form and waits for the top bar.
    pub(crate) async fn sign_in(&self, app: &TestApp, who: &str) {
        let user = &app.fx.users[who];
        self.go("/login").await;
        self.type_in("#username", &user.username).await;
        self.type_in("#password", PASSWORD).await;
        self.click("[data-testid=login-submit]").await;
        assert_eq!(self.text("[data-testid=user-name]").await, user.name, "signed in as {who}");
    }

    /// The state badge must read `zh`.
    pub(crate) async fn state_is(&self, zh: &str, who: &str) {
        let mut seen = String::new();
        for _ in 0..50 {
            seen = self.text("[data-testid=state]").await;
            if seen == zh {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{who} sees state {seen:?}, expected {zh:?} on {}", self.here().await);
    }

    /// Submits a move form and waits for the case page to confirm it.
    pub(crate) async fn make_move(&self, name: &str) {
        self.click(&format!("form[data-move={name}] [data-testid=submit-{name}]")).await;
        // The page before may carry a confirmation too (of the move before): wait for this one's.
        self.arrived(&format!("done={name}")).await;
        let done = self.text("[data-testid=done]").await;
        assert!(done.starts_with("已完成"), "after {name}: {done} on {}", self.here().await);
    }

    /// The move forms on the page, by name.
    pub(crate) async fn moves(&self) -> Vec<String> {
        let mut names = Vec::new();
        for f in self.c.find_all(Locator::Css("form[data-move]")).await.unwrap_or_default() {
            names.push(f.attr("data-move").await.ok().flatten().unwrap_or_default());
        }
        names
    }

    /// Runs an asynchronous script in the page; its callback is the last argument.
    pub(crate) async fn run_async(&self, script: &str) -> serde_json::Value {
        self.c.execute_async(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    pub(crate) async fn close(self) {
        let _ = self.c.close().await;
    }
}

#[tokio::test]
async fn one_request_through_the_browser() {
    if std::env::var("SHIYU_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SHIYU_SKIP_BROWSER=1: browser test skipped");
        return;
    }
    // Two crates in the test graph enable different rustls back ends (reqwest: ring; fantoccini's
    // hyper-rustls: aws-lc-rs), so rustls cannot pick one by itself: name it, once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = TestApp::spawn(Engine::Sqlite).await;
    let driver = Driver::start().await;
    tokio::time::timeout(WHOLE, scenario(&app, &driver)).await.expect("the browser scenario took too long");
}

async fn scenario(app: &TestApp, driver: &Driver) {
    let fx = &app.fx;
    let base = app.base_url();

    // Another person's case with a phone number, registered by the operator over the API.
    let operator_api = app.client("operator").await;
    let (status, body) = operator_api
        .post(
            "/api/cases",
            json!({"ledger": "complaint", "category": fx.category, "channel": "hotline", "title": "夜间施工噪音",
                   "text": "工地每晚施工到凌晨。", "area_code": fx.grid_b.as_str(), "reporter": "contact",
                   "contact": {"name": "王女士", "phone": "13812345678"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let other_id = body["case"]["id"].as_str().expect("id").to_owned();

    // 1. The resident submits a request.
    let resident = Browser::open(driver, base).await;
    resident.sign_in(app, "resident").await;
    assert_eq!(resident.text("[data-testid=user-role]").await, "群众");
    assert!(resident.here().await.ends_with("/r"), "a resident lands on their requests");
    resident.click("[data-testid=action-new-request]").await;
    resident.el("[data-testid=intake-form]").await;
    assert_eq!(resident.count("#channel").await, 0, "residents do not choose a channel");
    assert_eq!(resident.count("#contact_phone").await, 0, "residents report as themselves");
    resident.choose("#ledger", "demand").await;
    resident.choose("#category", &fx.category).await;
    resident.choose("#area_code", fx.grid.as_str()).await;
    resident.type_in("#title", "楼道灯不亮").await;
    resident.type_in("#text", "三单元楼道灯坏了一周，晚上上下楼很危险。").await;
    resident.click("[data-testid=intake-submit]").await;
    let number = resident.text("[data-testid=case-number]").await;
    let url = resident.here().await;
    let case_path = format!("/cases/{}", url.rsplit('/').next().expect("id").split('?').next().expect("id"));
    resident.state_is("已登记", "the resident").await;
    assert_eq!(resident.moves().await, vec!["comment".to_owned()], "the resident may only add information yet");
    assert_eq!(resident.text("[data-testid=detail-contact]").await, fx.users["resident"].name);
    // The other person's case does not exist for this resident, and nothing of it shows.
    resident.go(&format!("/cases/{other_id}")).await;
    let page = resident.source().await;
    assert!(page.contains("role=\"alert\""), "an error page");
    assert!(!page.contains("王女士") && !page.contains("5678"), "no trace of another reporter");
    resident.go("/r").await;
    assert_eq!(resident.count(&format!("[data-case-number=\"{number}\"]")).await, 1, "the request is listed");
    assert_eq!(resident.count("[data-case-number]").await, 1, "and only the resident's own");
    resident.close().await;

    // 2. The operator accepts and dispatches it.
    let operator = Browser::open(driver, base).await;
    operator.sign_in(app, "operator").await;
    operator.el(&format!("[data-testid=queue-to-accept] [data-case-number=\"{number}\"]")).await;
    operator.click(&format!("[data-testid=queue-to-accept] [data-case-number=\"{number}\"] td.num a")).await;
    operator.state_is("已登记", "the operator").await;
    let moves = operator.moves().await;
    for m in ["accept", "not_accept"] {
        assert!(moves.iter().any(|x| x == m), "operator may {m}: {moves:?}");
    }
    for m in ["sign", "report_result", "verify", "record_revisit", "dispatch"] {
        assert!(!moves.iter().any(|x| x == m), "operator may not {m} now: {moves:?}");
    }
    operator.make_move("accept").await;
    operator.state_is("已受理", "the operator").await;
    operator.choose("form[data-move=dispatch] select[name=lead]", &fx.dept.id.to_string()).await;
    operator.type_in("form[data-move=dispatch] textarea[name=note]", "请三个工作日内修复").await;
    operator.make_move("dispatch").await;
    operator.state_is("已交办", "the operator").await;
    assert!(operator.text("[data-testid=detail-lead]").await.contains(&fx.dept.name));
    assert!(!operator.moves().await.iter().any(|m| m == "dispatch"), "dispatched once");
    // The other case's phone is masked for the operator too.
    operator.go(&format!("/cases/{other_id}")).await;
    assert_eq!(operator.text("[data-testid=detail-contact]").await, "王女士 138****5678");
    assert!(!operator.source().await.contains("13812345678"), "the full phone never reaches the page");
    operator.close().await;

    // 3. The department signs for it and reports the result.
    let handler = Browser::open(driver, base).await;
    handler.sign_in(app, "handler").await;
    handler.el(&format!("[data-testid=queue-to-sign] [data-case-number=\"{number}\"]")).await;
    handler.go(&case_path).await;
    handler.state_is("已交办", "the handler").await;
    let moves = handler.moves().await;
    assert!(moves.iter().any(|m| m == "sign") && moves.iter().any(|m| m == "return"), "{moves:?}");
    assert!(!moves.iter().any(|m| m == "dispatch" || m == "accept" || m == "close"), "{moves:?}");
    handler.make_move("sign").await;
    handler.state_is("办理中", "the handler").await;
    handler.choose("form[data-move=report_result] select[name=outcome]", "resolved").await;
    handler.type_in("form[data-move=report_result] textarea[name=text]", "已更换三单元楼道灯具，恢复照明。").await;
    handler.make_move("report_result").await;
    handler.state_is("已反馈", "the handler").await;
    assert!(handler.moves().await.is_empty(), "nothing left for the handler");
    handler.el("[data-testid=no-actions]").await;
    handler.close().await;

    // 4. The leader verifies it.
    let leader = Browser::open(driver, base).await;
    leader.sign_in(app, "leader").await;
    leader.el(&format!("[data-testid=queue-to-verify] [data-case-number=\"{number}\"]")).await;
    leader.go(&case_path).await;
    leader.state_is("已反馈", "the leader").await;
    let moves = leader.moves().await;
    assert!(moves.iter().any(|m| m == "verify") && moves.iter().any(|m| m == "send_back"), "{moves:?}");
    assert!(!moves.iter().any(|m| m == "close" || m == "sign"), "{moves:?}");
    leader.make_move("verify").await;
    leader.state_is("待回访", "the leader").await;
    leader.close().await;

    // 5. The resident reads the result and rates it from the case page.
    let resident = Browser::open(driver, base).await;
    resident.sign_in(app, "resident").await;
    resident.go(&case_path).await;
    resident.state_is("待回访", "the resident").await;
    assert!(resident.text("[data-testid=detail-result]").await.contains("已更换三单元楼道灯具"));
    let mut offered = resident.moves().await;
    offered.sort();
    assert_eq!(offered, ["comment", "record_revisit"], "the resident may only rate, or add information");
    resident.click("form[data-move=record_revisit] input[name=satisfaction][value=satisfied]").await;
    resident.type_in("form[data-move=record_revisit] textarea[name=note]", "修得很快，谢谢！").await;
    resident.make_move("record_revisit").await;
    assert_eq!(resident.text("[data-testid=detail-satisfaction]").await, "满意");
    resident.close().await;

    // 6. The operator closes it; the page then reads in English on request.
    let operator = Browser::open(driver, base).await;
    operator.sign_in(app, "operator").await;
    operator.el(&format!("[data-testid=queue-to-revisit] [data-case-number=\"{number}\"]")).await;
    operator.go(&case_path).await;
    operator.state_is("待回访", "the operator").await;
    operator.make_move("close").await;
    operator.state_is("已销号", "the operator").await;
    assert!(operator.text("[data-testid=timeline]").await.contains("销号"));
    operator.click("[data-testid=lang-switch]").await;
    operator.state_is("Closed", "the operator in English").await;
    operator.click("[data-testid=lang-switch]").await;
    operator.state_is("已销号", "the operator back in Chinese").await;
    operator.close().await;

    // The whole life is in the stored history, in order.
    let (status, events) = operator_api.get(&format!("/api{case_path}/events")).await;
    assert_eq!(status, 200);
    let names: Vec<&str> =
        events.as_array().expect("events").iter().filter_map(|e| e["move"]["move"].as_str()).collect();
    assert_eq!(
        names,
        ["register", "accept", "dispatch", "sign", "report_result", "verify", "record_revisit", "close"],
        "history of {number}"
    );
}
