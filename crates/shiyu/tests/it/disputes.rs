//! Disputes through the real server on both engines: the tier rule (three attempts unless red),
//! who may act at which tier, every outcome, screenings and their overdue periods, a case turned
//! dispute, the chain verifying, and the figures equal to a count made from the raw records.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Utc};
use serde_json::{Value, json};
use shiyu_domain::time::local_date;

use crate::common::{Client, TestApp, engines};

/// The registry of the fixture: a village committee (东门社区) with the village mediator, a
/// township committee (东门街道) with the street's mediator, a county centre.
pub struct Registry {
    pub village_org: String,
    pub village_mediator: String,
    pub township_org: String,
    pub township_mediator: String,
    pub county_mediator: String,
}

/// Creates the registry through the admin API.
pub async fn registry(app: &TestApp) -> Registry {
    let admin = app.client("admin").await;
    let org = |name: &str, area: &str| json!({"name": name, "area_code": area, "kind": "peoples", "specialities": "邻里纠纷", "phone": "0731-8888888"});
    let mut ids = Vec::new();
    for (name, area, user) in [
        ("东门社区人民调解委员会", app.fx.community.as_str(), Some("village_mediator")),
        ("东门街道人民调解委员会", app.fx.street.as_str(), Some("mediator")),
        ("东城区矛盾纠纷联合调解中心", app.fx.district.as_str(), None),
    ] {
        let (s, o) = admin.post("/api/mediation/orgs", org(name, area)).await;
        assert_eq!(s, 200, "{o}");
        let oid = o["id"].as_str().expect("id").to_owned();
        let user_id = user.map(|u| app.fx.users[u].id.to_string()).unwrap_or_default();
        let (s, m) = admin
            .post(
                "/api/mediation/mediators",
                json!({"org": oid, "name": format!("{name}调解员"), "user_id": user_id, "specialities": "婚姻家庭"}),
            )
            .await;
        assert_eq!(s, 200, "{m}");
        ids.push((oid, m["id"].as_str().expect("id").to_owned()));
    }
    let mut it = ids.into_iter();
    let (village_org, village_mediator) = it.next().expect("v");
    let (township_org, township_mediator) = it.next().expect("t");
    let (_, county_mediator) = it.next().expect("c");
    Registry { village_org, village_mediator, township_org, township_mediator, county_mediator }
}

fn parties() -> Value {
    json!([
        {"role": "applicant", "kind": "person", "name": "张三", "identifier": "11010519491231002X", "phone": "13912345678", "address": "东门社区3栋"},
        {"role": "respondent", "kind": "person", "name": "李四", "phone": "13800001111"},
    ])
}

fn dispute(area: &str, risk: &str, money: &str) -> Value {
    json!({"title": "院墙占地纠纷", "facts": "李四翻建院墙占用张三宅基地约半米，双方争执。", "dispute_type": "land",
           "risk": risk, "source": "application", "area_code": area, "money_yuan": money, "parties": parties()})
}

fn session(mediator: &str, outcome: &str, day: NaiveDate) -> Value {
    let mut s = json!({"move": "record_session", "session": {"held_on": day.to_string(), "method": "in_person",
        "mediators": [{"id": mediator}], "parties_present": ["张三", "李四"], "notes": "双方陈述，各执一词。", "outcome": outcome}});
    if outcome == "agreement" {
        s["session"]["terms"] = json!(["李四于十日内将院墙退回原址", "张三不再追究其他费用"]);
        s["session"]["performance"] = json!("2026年12月10日前履行完毕");
    }
    s
}

async fn mv(who: &Client, id: &str, body: Value) -> (u16, Value) {
    who.post(&format!("/api/disputes/{id}/moves"), body).await
}

async fn ok(who: &Client, id: &str, body: Value) -> Value {
    let (s, v) = mv(who, id, body.clone()).await;
    assert_eq!(s, 200, "{body} → {v}");
    v
}

async fn create(who: &Client, body: Value) -> String {
    let (s, v) = who.post("/api/disputes", body).await;
    assert_eq!(s, 200, "{v}");
    v["id"].as_str().expect("id").to_owned()
}

/// The text of a PDF, by poppler's `pdftotext` (installed by scripts/test).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("a.pdf");
    std::fs::write(&file, pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils) must be installed; scripts/test installs it");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn today() -> NaiveDate {
    local_date(Utc::now())
}

#[tokio::test]
async fn the_tier_rule_every_outcome_and_who_acts_where() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let reg = registry(&app).await;
        let village = app.client("village_mediator").await;
        let township = app.client("mediator").await;
        let grid_worker = app.client("grid_worker").await;
        let handler = app.client("handler").await;
        let day = today();

        // A grid worker registers a dispute found in the grid; it starts at the village.
        let id = create(&grid_worker, dispute(app.fx.grid.as_str(), "yellow", "5,000")).await;
        let (_, d) = village.get(&format!("/api/disputes/{id}")).await;
        assert_eq!(d["dispute"]["tier"], "village", "{d}");
        assert_eq!(d["dispute"]["tier_area"], app.fx.community.as_str());
        assert_eq!(d["dispute"]["money"], 500_000);
        // Parties' identifiers are masked in the record and in the hash-chained history.
        let text = d.to_string();
        assert!(!text.contains("11010519491231002X") && !text.contains("13912345678"), "{text}");
        assert!(text.contains("139****5678"), "{text}");
        // A handler and a mediator of another place see nothing.
        assert_eq!(handler.get(&format!("/api/disputes/{id}")).await.0, 404);
        // A grid worker may not mediate.
        assert_eq!(mv(&grid_worker, &id, session(&reg.village_mediator, "failed", day)).await.0, 403);

        // The village may not pass it up before three attempts: refused, nothing changes.
        for attempt in 0..3 {
            let (s, v) = mv(&village, &id, json!({"move": "escalate", "reason": "调解不成"})).await;
            assert_eq!(s, 409, "attempt {attempt}: {v}");
            assert_eq!(v["error"]["rule"], "min_attempts_not_reached", "{v}");
            let (_, d) = village.get(&format!("/api/disputes/{id}")).await;
            assert_eq!(d["events"].as_array().map(Vec::len), Some(1 + attempt), "refusal wrote nothing");
            ok(&village, &id, session(&reg.village_mediator, "failed", day)).await;
        }
        let d = ok(&village, &id, json!({"move": "escalate", "reason": "三次调解不成，提交街道"})).await;
        assert_eq!(d["dispute"]["tier"], "township");
        assert_eq!(d["dispute"]["attempts_at_tier"], 0);
        // Now the village only reads it; the township steers and mediates.
        assert_eq!(village.get(&format!("/api/disputes/{id}")).await.0, 200);
        assert_eq!(mv(&village, &id, session(&reg.village_mediator, "failed", day)).await.0, 403);
        let (_, waiting) = township.get("/api/disputes?list=escalations").await;
        assert!(waiting.as_array().expect("list").iter().any(|w| w["id"] == id.as_str()), "{waiting}");
        // An organisation must serve the dispute's tier: the village committee does not.
        let (s, v) = mv(
            &township,
            &id,
            json!({"move": "assign", "org": {"id": reg.village_org}, "mediators": [{"id": reg.township_mediator}]}),
        )
        .await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("org")), "{v}");
        ok(
            &township,
            &id,
            json!({"move": "assign", "org": {"id": reg.township_org}, "mediators": [{"id": reg.township_mediator}]}),
        )
        .await;
        let (_, waiting) = township.get("/api/disputes?list=escalations").await;
        assert!(!waiting.as_array().expect("list").iter().any(|w| w["id"] == id.as_str()));
        let (_, mine) = township.get("/api/disputes?list=mine").await;
        assert!(mine.as_array().expect("list").iter().any(|w| w["id"] == id.as_str()), "{mine}");

        // An agreement needs its terms; a session cannot be in the future or name a stranger.
        let mut no_terms = session(&reg.township_mediator, "agreement", day);
        no_terms["session"]["terms"] = json!([]);
        let (s, v) = mv(&township, &id, no_terms).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("terms")), "{v}");
        let (s, v) = mv(&township, &id, session(&reg.township_mediator, "failed", day + Days::new(1))).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("held_on")), "{v}");
        let mut stranger = session(&reg.township_mediator, "failed", day);
        stranger["session"]["parties_present"] = json!(["王五"]);
        assert_eq!(mv(&township, &id, stranger).await.1["error"]["field"], "parties_present");

        let d = ok(&township, &id, session(&reg.township_mediator, "agreement", day)).await;
        assert_eq!(d["dispute"]["state"], "agreed");
        assert_eq!(d["dispute"]["agreed_tier"], "township");
        let number = d["dispute"]["number"].as_str().expect("n").to_owned();
        assert_eq!(d["dispute"]["agreement_number"], format!("{number}-1"));
        // The agreement document, in all three forms, names the parties and the terms.
        let (s, html) = township.get(&format!("/api/disputes/{id}/agreement?format=html")).await;
        let html = html.as_str().unwrap_or_default().to_owned();
        assert_eq!(s, 200);
        for needed in [
            "人民调解协议书",
            "张三",
            "李四",
            "李四于十日内将院墙退回原址",
            "东门街道人民调解委员会",
            "2026年12月10日前履行完毕",
        ] {
            assert!(html.contains(needed), "html lacks {needed}");
        }
        assert!(!html.contains("11010519491231002X"), "identifiers stay masked");
        let pdf = township.bytes(&format!("/api/disputes/{id}/agreement?format=pdf")).await;
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
        let text = pdf_text(&pdf);
        for needed in ["人民调解协议书", "张三", "李四", "李四于十日内将院墙退回原址"] {
            assert!(text.replace(char::is_whitespace, "").contains(needed), "pdf lacks {needed}: {text}");
        }
        let docx = township.bytes(&format!("/api/disputes/{id}/agreement?format=docx")).await;
        assert!(docx.starts_with(b"PK") && docx.windows(17).any(|w| w == b"word/document.xml"), "not a DOCX");
        assert_eq!(township.get(&format!("/api/disputes/{id}/agreement?format=odt")).await.0, 422);
        assert_eq!(handler.get(&format!("/api/disputes/{id}/agreement")).await.0, 404);

        // Agreed: no more sessions or escalations; a partial follow-up keeps it agreed.
        assert_eq!(mv(&township, &id, json!({"move": "escalate", "reason": "x"})).await.0, 409);
        let follow = |result: &str| json!({"move": "follow_up", "visit": {"visited_on": day.to_string(), "result": result, "notes": "上门回访"}});
        let d = ok(&township, &id, follow("partial")).await;
        assert_eq!(d["dispute"]["state"], "agreed");
        let d = ok(&township, &id, follow("performed")).await;
        assert_eq!(d["dispute"]["state"], "closed");
        assert_eq!(d["events"].as_array().map(Vec::len), Some(9), "{d}");

        // Red risk goes up at once; the county centre is the last tier.
        let red = create(&village, dispute(app.fx.grid.as_str(), "red", "")).await;
        ok(&village, &red, json!({"move": "escalate", "reason": "红色风险，立即上报"})).await;
        ok(&township, &red, json!({"move": "escalate", "reason": "涉及群体，提交县联调中心"})).await;
        let district_operator = app.client("district_operator").await;
        let (s, v) = mv(&district_operator, &red, json!({"move": "escalate", "reason": "x"})).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (409, Some("no_higher_tier")), "{v}");
        // Referred to litigation: the record stays and takes no more sessions.
        let d = ok(&district_operator, &red, json!({"move": "refer", "to": "litigation", "reason": "当事人坚持起诉"}))
            .await;
        assert_eq!(
            (d["dispute"]["state"].as_str(), d["dispute"]["referred_to"].as_str()),
            (Some("referred"), Some("litigation"))
        );
        let (s, _) = mv(&district_operator, &red, session(&reg.county_mediator, "failed", day)).await;
        assert_eq!(s, 409);
        assert_eq!(district_operator.get(&format!("/api/disputes/{red}")).await.0, 200);

        // An agreement not carried out goes back to mediation; withdrawn disputes close.
        let other = create(&village, dispute(app.fx.grid_b.as_str(), "blue", "800")).await;
        ok(&village, &other, session(&reg.village_mediator, "agreement", day)).await;
        let d = ok(&village, &other, follow("not_performed")).await;
        assert_eq!(d["dispute"]["state"], "mediating");
        let d = ok(&village, &other, json!({"move": "close", "reason": "当事人撤回申请"})).await;
        assert_eq!(d["dispute"]["state"], "closed");

        // Bad input names the field.
        let mut one = dispute(app.fx.grid.as_str(), "blue", "");
        one["parties"] = json!([{"name": "张三"}]);
        assert_eq!(village.post("/api/disputes", one).await.1["error"]["field"], "parties");
        let mut bad_id = dispute(app.fx.grid.as_str(), "blue", "");
        bad_id["parties"][0]["identifier"] = json!("110105194912310021");
        assert_eq!(village.post("/api/disputes", bad_id).await.1["error"]["field"], "party_id");
        let (s, v) = village.post("/api/disputes", dispute(app.fx.grid.as_str(), "blue", "-3")).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("money")), "{v}");
        // Outside the mediator's community.
        let (s, v) = village.post("/api/disputes", dispute(app.fx.grid2.as_str(), "blue", "")).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("area_code")), "{v}");

        let report = app.store.verify_histories().await.expect("verify");
        assert_eq!(report.disputes, 3);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
    }
}

#[tokio::test]
async fn a_case_becomes_a_dispute_and_screenings_are_counted_and_chased() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let reg = registry(&app).await;
        let village = app.client("village_mediator").await;
        let operator = app.client("operator").await;

        // A case turned dispute takes the case's place and links both ways.
        let case_id = app.new_case(&operator, &app.fx.grid, "邻居装修噪音扰民").await;
        let mut body = dispute("", "blue", "");
        body["source"] = json!("case");
        body["case_id"] = json!(case_id);
        body["org"] = json!(reg.village_org);
        body["mediators"] = json!([reg.village_mediator]);
        let id = create(&operator, body.clone()).await;
        let (_, d) = village.get(&format!("/api/disputes/{id}")).await;
        assert_eq!(d["dispute"]["area"], app.fx.grid.as_str());
        assert_eq!(d["case"][0], case_id.as_str(), "{d}");
        let (s, v) = operator.post("/api/disputes", body).await;
        assert_eq!((s, v["error"]["reason"].as_str()), (422, Some("already_a_dispute")), "{v}");
        let (_, mine) = village.get("/api/disputes?list=mine").await;
        assert_eq!(mine.as_array().map(Vec::len), Some(1), "assigned at registration: {mine}");

        // Screening: a community that never screened is overdue for past weeks; screening this
        // week clears "due now", one two weeks ago clears that week only.
        let (_, status) = village.get("/api/screenings/status").await;
        let mine = status
            .as_array()
            .expect("list")
            .iter()
            .find(|s| s["area"] == app.fx.community.as_str())
            .cloned()
            .expect("community");
        assert_eq!(mine["missed"].as_array().map(Vec::len), Some(4), "{mine}");
        assert_eq!(mine["due_now"], true);
        let today = today();
        let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        let two_weeks_ago = monday - Days::new(14);
        let screen = |day: NaiveDate, findings: Value| {
            json!({"area_code": app.fx.community.as_str(), "held_on": day.to_string(),
            "participants": "社区书记、调解员、网格员", "notes": "逐户排查", "findings": findings})
        };
        let (s, v) = village.post("/api/screenings", screen(two_weeks_ago, json!([]))).await;
        assert_eq!(s, 200, "{v}");
        let mut finding = dispute(app.fx.grid.as_str(), "yellow", "12000");
        finding["source"] = json!("");
        let (s, v) = village.post("/api/screenings", screen(today, json!([finding]))).await;
        assert_eq!(s, 200, "{v}");
        let found = v["disputes"][0].as_str().expect("finding registered").to_owned();
        let (_, d) = village.get(&format!("/api/disputes/{found}")).await;
        assert_eq!(d["dispute"]["source"], "screening");
        let (_, status) = village.get("/api/screenings/status").await;
        let mine = status
            .as_array()
            .expect("list")
            .iter()
            .find(|s| s["area"] == app.fx.community.as_str())
            .cloned()
            .expect("community");
        assert_eq!(mine["due_now"], false, "{mine}");
        let missed: Vec<String> =
            mine["missed"].as_array().expect("missed").iter().map(|p| p[0].as_str().unwrap_or("").to_owned()).collect();
        assert_eq!(missed.len(), 3, "{mine}");
        assert!(!missed.contains(&two_weeks_ago.to_string()), "{missed:?}");
        assert!(missed.contains(&(monday - Days::new(7)).to_string()), "{missed:?}");
        // The street screens monthly and has not: overdue.
        let street = status.as_array().expect("list").iter().find(|s| s["area"] == app.fx.street.as_str());
        assert!(street.is_none(), "the village mediator reads only the community");
        let (_, status) = app.client("mediator").await.get("/api/screenings/status").await;
        let street = status
            .as_array()
            .expect("list")
            .iter()
            .find(|s| s["area"] == app.fx.street.as_str())
            .cloned()
            .expect("street");
        assert_eq!((street["tier"].as_str(), street["missed"].as_array().map(Vec::len)), (Some("township"), Some(4)));
        // A screening of a grid or in the future is refused by name.
        let mut bad = screen(today, json!([]));
        bad["area_code"] = json!(app.fx.grid.as_str());
        assert_eq!(village.post("/api/screenings", bad).await.1["error"]["reason"], "not_community_or_street");
        assert_eq!(
            village.post("/api/screenings", screen(today + Days::new(2), json!([]))).await.1["error"]["field"],
            "held_on"
        );
    }
}

/// What the naive count keeps of one dispute's raw history.
#[derive(Default)]
struct Raw {
    found_day: String,
    money: i64,
    first_session_day: Option<String>,
    first_agreement: Option<(String, String)>,
    escalations: Vec<(String, String)>,
    sessions: Vec<(String, String)>,
}

#[tokio::test]
async fn the_figures_equal_a_count_made_from_the_raw_records() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let reg = registry(&app).await;
        let village = app.client("village_mediator").await;
        let township = app.client("mediator").await;
        let operator2 = app.client("operator2").await;
        let day = today();
        // A spread of lives: agreed at the village, failed and escalated then agreed at the
        // township, referred, left open, a second street's dispute.
        let mut ids = Vec::new();
        for (i, plan) in ["agree", "escalate_agree", "refer", "open", "agree", "escalate", "red_up"].iter().enumerate()
        {
            let area = if i % 2 == 0 { app.fx.grid.as_str() } else { app.fx.grid_b.as_str() };
            let risk = if *plan == "red_up" { "red" } else { "yellow" };
            let id = create(&village, dispute(area, risk, &format!("{}", (i + 1) * 1000))).await;
            match *plan {
                "agree" => {
                    ok(&village, &id, session(&reg.village_mediator, "continue", day)).await;
                    ok(&village, &id, session(&reg.village_mediator, "agreement", day)).await;
                }
                "escalate_agree" | "escalate" => {
                    for _ in 0..3 {
                        ok(&village, &id, session(&reg.village_mediator, "failed", day)).await;
                    }
                    ok(&village, &id, json!({"move": "escalate", "reason": "三次不成"})).await;
                    if *plan == "escalate_agree" {
                        ok(&township, &id, session(&reg.township_mediator, "agreement", day)).await;
                    }
                }
                "refer" => {
                    ok(&village, &id, session(&reg.village_mediator, "failed", day)).await;
                    ok(&village, &id, json!({"move": "refer", "to": "arbitration", "reason": "劳动争议申请仲裁"}))
                        .await;
                }
                "red_up" => {
                    ok(&village, &id, json!({"move": "escalate", "reason": "红色"})).await;
                }
                _ => {}
            }
            ids.push(id);
        }
        let mut west = dispute(app.fx.grid2.as_str(), "blue", "777");
        west["title"] = json!("西门物业纠纷");
        ids.push(create(&operator2, west).await);

        // The naive count: read every dispute's raw history and count by the written definitions.
        let admin = app.client("district_operator").await;
        let mut raws = Vec::new();
        for id in &ids {
            let (_, d) = admin.get(&format!("/api/disputes/{id}")).await;
            let mut r = Raw::default();
            let mut tier = String::new();
            for e in d["events"].as_array().expect("events") {
                let at = e["at"].as_str().expect("at");
                let local = chrono::DateTime::parse_from_rfc3339(at).expect("rfc3339").with_timezone(&Utc);
                let dday = local_date(local).to_string();
                if let Some(reg) = e["change"].get("register") {
                    r.found_day = dday.clone();
                    r.money = reg["money"].as_i64().unwrap_or(0);
                    tier = reg["tier"].as_str().expect("tier").to_owned();
                    continue;
                }
                let m = &e["change"]["move"];
                match m["move"].as_str().expect("move") {
                    "record_session" => {
                        r.first_session_day.get_or_insert(dday.clone());
                        r.sessions.push((dday.clone(), tier.clone()));
                        if m["session"]["outcome"] == "agreement" && r.first_agreement.is_none() {
                            r.first_agreement = Some((dday.clone(), tier.clone()));
                        }
                    }
                    "escalate" => {
                        r.escalations.push((dday.clone(), tier.clone()));
                        tier = match tier.as_str() {
                            "village" => "township".into(),
                            _ => "county".into(),
                        };
                    }
                    _ => {}
                }
            }
            raws.push((d["dispute"]["area"].as_str().expect("area").to_owned(), r));
        }
        let from = day - Days::new(3);
        let to = day;
        let in_period = |d: &str| d >= from.to_string().as_str() && d <= to.to_string().as_str();
        for area in [app.fx.district.as_str(), app.fx.street.as_str(), app.fx.grid_b.as_str(), app.fx.street2.as_str()]
        {
            let mine: Vec<&Raw> =
                raws.iter().filter(|(a, _)| a.starts_with(area.trim_end_matches('0'))).map(|(_, r)| r).collect();
            let found = mine.iter().filter(|r| in_period(&r.found_day)).count() as i64;
            let money: i64 = mine.iter().filter(|r| in_period(&r.found_day)).map(|r| r.money).sum();
            let mediated = mine.iter().filter(|r| r.first_session_day.as_deref().is_some_and(in_period)).count() as i64;
            let mut agreed_by_tier: BTreeMap<&str, i64> = BTreeMap::new();
            for r in &mine {
                if let Some((d, t)) = &r.first_agreement
                    && in_period(d)
                {
                    *agreed_by_tier.entry(t.as_str()).or_default() += 1;
                }
            }
            let agreed: i64 = agreed_by_tier.values().sum();
            let escalated = mine.iter().flat_map(|r| &r.escalations).filter(|(d, _)| in_period(d)).count() as i64;
            let sessions = mine.iter().flat_map(|r| &r.sessions).filter(|(d, _)| in_period(d)).count() as i64;

            let (s, f) = admin.get(&format!("/api/disputes/figures?area={area}&from={from}&to={to}")).await;
            assert_eq!(s, 200, "{f}");
            let t = &f["total"];
            assert_eq!(t["found"], found, "{area}: {t}");
            assert_eq!(t["money_fen"], money, "{area}: {t}");
            assert_eq!(t["mediated"], mediated, "{area}: {t}");
            assert_eq!(t["agreed"], agreed, "{area}: {t}");
            assert_eq!(t["escalated"], escalated, "{area}: {t}");
            assert_eq!(t["sessions"], sessions, "{area}: {t}");
            for (tier, n) in t["agreed_by_tier"]
                .as_array()
                .expect("tiers")
                .iter()
                .map(|p| (p[0].as_str().unwrap_or(""), p[1].as_i64().unwrap_or(-1)))
            {
                assert_eq!(n, agreed_by_tier.get(tier).copied().unwrap_or(0), "{area} {tier}: {t}");
            }
            let expect_rate = (mediated > 0).then(|| (agreed * 2000 + mediated) / (2 * mediated));
            assert_eq!(t["success_permille"].as_i64(), expect_rate, "{area}: {t}");
            // Children add up to the whole (a grid has no children).
            if area.len() == 15 {
                continue;
            }
            let kids: i64 =
                f["children"].as_array().expect("children").iter().map(|c| c["found"].as_i64().unwrap_or(0)).sum();
            assert_eq!(kids, found, "{area}: children {f}");
        }
        assert!(raws.iter().any(|(_, r)| r.first_agreement.as_ref().is_some_and(|(_, t)| t == "township")));
        // A period before everything counts nothing.
        let (_, f) = admin.get("/api/disputes/figures?from=2020-01-01&to=2020-12-31").await;
        assert_eq!(f["total"]["found"], 0);
        // Outside the caller's area is refused by name; residents and handlers see no figures.
        let (s, v) = operator2.get(&format!("/api/disputes/figures?area={}", app.fx.street.as_str())).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("area")), "{v}");
        assert_eq!(app.client("handler").await.get("/api/disputes/figures").await.0, 403);
    }
}

#[tokio::test]
async fn parties_come_from_base_data_when_the_registrar_may_see_them() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let op = app.fx.users["operator"].principal();
        let people = vec![
            crate::base_data::person(1, &app.fx.grid, None, vec![]),
            crate::base_data::person(2, &app.fx.grid, None, vec![]),
        ];
        app.store.import_residents("4399", &op, crate::base_data::placed(people), Utc::now()).await.expect("residents");
        let (rows, _) = app.store.residents(&op, None, Some("居民2"), 10, 0).await.expect("list");
        let two = rows.iter().find(|r| r.name == "居民2").expect("居民2").id.clone();
        let village = app.client("village_mediator").await;

        // One party by identity number (typed), the other by base-data id (chosen): both are
        // completed from the record on file and linked.
        let mut body = dispute(app.fx.grid.as_str(), "blue", "");
        body["parties"] = json!([
            {"role": "applicant", "kind": "person", "name": "居民1", "identifier": crate::base_data::id_number(1).as_str()},
            {"role": "respondent", "kind": "person", "name": "", "base_id": two},
        ]);
        let id = create(&village, body.clone()).await;
        let (_, d) = village.get(&format!("/api/disputes/{id}")).await;
        let parties = d["parties"].as_array().expect("parties");
        assert_eq!(parties[0]["from_base"], true, "{d}");
        assert_eq!(parties[0]["phone_masked"], "139****0001", "phone taken from base data: {d}");
        assert_eq!(
            (parties[1]["name"].as_str(), parties[1]["from_base"].as_bool()),
            (Some("居民2"), Some(true)),
            "{d}"
        );
        assert!(parties[1]["id_masked"].as_str().is_some_and(|m| m.contains('*')), "{d}");
        assert!(!d.to_string().contains(crate::base_data::id_number(2).as_str()), "identifiers stay masked");

        // A name that differs from the record is refused by name.
        body["parties"][0]["name"] = json!("别人");
        let (s, v) = village.post("/api/disputes", body.clone()).await;
        assert_eq!(
            (s, v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
            (422, Some("party_name"), Some("differs_from_base_data")),
            "{v}"
        );
        // Someone who may not see the record cannot take it by id; a typed number they cannot
        // see simply stays as typed (nothing is revealed).
        let mut other = dispute(app.fx.grid2.as_str(), "blue", "");
        other["parties"] = json!([{"name": "", "base_id": two}, {"name": "乙"}]);
        let (s, v) = app.client("operator2").await.post("/api/disputes", other.clone()).await;
        assert_eq!((s, v["error"]["reason"].as_str()), (422, Some("out_of_scope")), "{v}");
        other["parties"] =
            json!([{"name": "居民1", "identifier": crate::base_data::id_number(1).as_str()}, {"name": "乙"}]);
        let id2 = create(&app.client("operator2").await, other).await;
        let (_, d) = app.client("operator2").await.get(&format!("/api/disputes/{id2}")).await;
        assert_eq!((d["parties"][0]["from_base"].as_bool(), d["parties"][0].get("phone_masked")), (None, None), "{d}");
    }
}
