//! One village proposal in a real browser through 四议两公开: the street's operator makes it, records
//! the party branch's proposal, the two committees' discussion, the party members' deliberation
//! and — after a first attempt without a quorum is refused — the villagers' representatives'
//! decision, publishes the resolution and then the result; a resident finds it, reads where it
//! stands and the published result, and sees no one's name from the meetings.

use std::time::Duration;

use crate::browser::{Browser, Driver};
use crate::common::{Engine, TestApp};
use crate::deliberation::village;

#[tokio::test]
async fn a_village_proposal_through_four_deliberations_and_two_publications() {
    if std::env::var("SHIYU_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SHIYU_SKIP_BROWSER=1: browser test skipped");
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = TestApp::spawn(Engine::Sqlite).await;
    let driver = Driver::start().await;
    tokio::time::timeout(Duration::from_secs(300), walk(&app, &driver))
        .await
        .expect("the deliberation walk took too long");
}

/// Replaces a field's value.
async fn fill(b: &Browser, css: &str, value: &str) {
    let e = b.el(css).await;
    e.clear().await.unwrap_or_else(|err| panic!("clear {css}: {err}"));
    e.send_keys(value).await.unwrap_or_else(|err| panic!("type into {css}: {err}"));
}

/// Fills the meeting form of the current stage: `present` named members of `members`, `yes` for
/// and the rest against. Returns nothing; the caller submits.
async fn meeting_form(b: &Browser, stage: &str, members: u32, present: u32, yes: u32, who: &str) {
    let form = format!("form[data-move=record_meeting][data-stage={stage}]");
    b.el(&form).await;
    fill(b, &format!("{form} input[name=members_total]"), &members.to_string()).await;
    let names: Vec<String> = (1..=present).map(|i| format!("{who}{i}")).collect();
    fill(b, &format!("{form} textarea[name=attendees]"), &names.join("\n")).await;
    fill(b, &format!("{form} input[name=votes_for]"), &yes.to_string()).await;
    fill(b, &format!("{form} input[name=votes_against]"), &(present - yes).to_string()).await;
    fill(b, &format!("{form} input[name=votes_abstain]"), "0").await;
    fill(b, &format!("{form} textarea[name=minutes]"), &format!("{who}会议讨论并表决。")).await;
}

async fn submit(b: &Browser, name: &str) {
    b.click(&format!("form[data-move={name}] [data-testid=submit-{name}]")).await;
    b.arrived(&format!("done={name}")).await;
    let done = b.text("[data-testid=done]").await;
    assert!(done.starts_with("已完成"), "after {name}: {done} on {}", b.here().await);
}

async fn walk(app: &TestApp, driver: &Driver) {
    let village = village(app).await;

    // The street's operator makes the proposal for the village.
    let op = Browser::open(driver, app.base_url()).await;
    op.sign_in(app, "operator").await;
    op.go("/proposals").await;
    op.click("[data-testid=proposal-new]").await;
    op.arrived("/proposals/new").await;
    op.type_in("#title", "硬化村东组通组道路").await;
    op.choose("#area_code", village.as_str()).await;
    op.type_in("#content", "村东组道路为土路，雨天泥泞，提议硬化为水泥路。").await;
    op.click("[data-testid=proposal-submit]").await;
    op.arrived("done=create").await;
    op.state_is("进行中", "operator").await;
    assert_eq!(op.text("[data-testid=stands]").await, "村党组织提议");
    assert!(op.text("[data-testid=detail-procedure]").await.contains("四议两公开"), "a village's procedure");
    let path = op
        .here()
        .await
        .split_once(app.base_url())
        .map(|(_, p)| p)
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    // Only the current stage's form is offered.
    assert_eq!(op.count("form[data-move=record_meeting]").await, 1);
    assert_eq!(op.count("form[data-move=publish]").await, 0);

    // 党组织提议, 两委会商议, 党员大会审议.
    for (stage, members, present, yes, who, next) in [
        ("propose", 5, 5, 5, "支委", "村“两委”联席会议商议"),
        ("discuss", 9, 8, 7, "两委委员", "党员大会审议"),
        ("deliberate", 36, 30, 26, "党员", "村民代表会议决议"),
    ] {
        op.go(&path).await;
        meeting_form(&op, stage, members, present, yes, who).await;
        submit(&op, "record_meeting").await;
        assert_eq!(op.text("[data-testid=stands]").await, next, "after {stage}");
    }
    let done: Vec<String> = {
        let n = op.count("[data-testid=stages] li[data-state=done]").await;
        let mut v = Vec::new();
        for i in 1..=n {
            let el = op.el(&format!("[data-testid=stages] li[data-state=done]:nth-child({i})")).await;
            v.push(el.attr("data-stage").await.ok().flatten().unwrap_or_default());
        }
        v
    };
    assert_eq!(done, ["propose", "discuss", "deliberate"]);

    // The representatives: 19 of 30 cannot sit (two thirds is 20). Refused, and nothing changes.
    op.go(&path).await;
    assert!(op.text("[data-testid=rule]").await.contains("三分之二以上"), "the rule is shown");
    meeting_form(&op, "decide", 30, 19, 19, "代表").await;
    op.click("form[data-move=record_meeting] [data-testid=submit-record_meeting]").await;
    let refusal = op.text("[data-testid=move-error]").await;
    assert!(refusal.contains("到会人员") && refusal.contains("到会人数"), "{refusal}");
    op.go(&path).await;
    assert_eq!(op.text("[data-testid=stands]").await, "村民代表会议决议");
    assert_eq!(op.count("[data-testid=stages] li[data-stage=decide] [data-testid=meeting]").await, 0);
    // With 24 present and 20 for, it is decided.
    meeting_form(&op, "decide", 30, 24, 20, "代表").await;
    submit(&op, "record_meeting").await;
    assert_eq!(op.text("[data-testid=stands]").await, "决议公开");

    // The resolution, then the result, are published.
    for (stage, text, next) in [
        ("publish_resolution", "经村民代表会议表决通过：硬化村东组道路1.2公里。", "实施结果公开"),
        ("publish_result", "村东组道路硬化已完工并通过验收。", "已办结"),
    ] {
        op.go(&path).await;
        let form = format!("form[data-move=publish][data-stage={stage}]");
        op.type_in(&format!("{form} textarea[name=text]"), text).await;
        submit(&op, "publish").await;
        assert_eq!(op.text("[data-testid=stands]").await, next);
    }
    op.state_is("已办结", "operator").await;
    assert!(op.text("[data-testid=stages] li[data-stage=decide]").await.contains("代表1"), "staff read attendance");
    let moves = op.count("[data-testid=timeline] li[data-move]").await;
    assert_eq!(moves, 7, "made, four meetings, two publications");
    op.close().await;

    // A resident finds it and reads the published result — and nobody's name from the meetings.
    let resident = Browser::open(driver, app.base_url()).await;
    resident.sign_in(app, "resident").await;
    resident.click("nav.mainnav a[href='/proposals']").await;
    resident.arrived("/proposals").await;
    resident.choose("#f-area", village.as_str()).await;
    resident.click("#filters button[type=submit]").await;
    resident.arrived(&format!("area={}", village.as_str())).await;
    resident.click(&format!("[data-testid=proposal-list] a[href='{path}']")).await;
    resident.arrived(&path).await;
    resident.state_is("已办结", "resident").await;
    let result = resident.text("[data-testid=document-publish_result]").await;
    assert!(result.contains("村东组道路硬化已完工并通过验收"), "{result}");
    assert!(resident.text("[data-testid=document-publish_resolution]").await.contains("硬化村东组道路1.2公里"));
    assert!(
        resident.text("[data-testid=stages] li[data-stage=decide]").await.contains("赞成20票"),
        "the count is public"
    );
    resident.el("[data-testid=redacted]").await;
    let page = resident.source().await;
    for hidden in ["代表1", "党员1", "支委1", "会议讨论并表决"] {
        assert!(!page.contains(hidden), "a resident sees {hidden}");
    }
    assert_eq!(resident.count("form[data-move]").await, 0, "nothing to do, and comments are closed");
    resident.close().await;

    // Anyone, signed in or not, walks from the city's public page down to the village and reads
    // the result there, with the count and without a name.
    let visitor = Browser::open(driver, app.base_url()).await;
    visitor.go("/follow").await;
    visitor.click("nav.mainnav a[href='/p']").await;
    visitor.arrived(&format!("/p/{}", app.fx.city)).await;
    for next in [&app.fx.district, &app.fx.street, &village] {
        visitor.click(&format!("[data-testid=children] a[data-area='{next}']")).await;
        visitor.arrived(&format!("/p/{next}")).await;
    }
    assert_eq!(visitor.text("[data-testid=area-name]").await, "东门村 · 公开栏");
    let shown = visitor.text("[data-testid=public-proposals]").await;
    assert!(shown.contains("村东组道路硬化已完工并通过验收") && shown.contains("赞成20票"), "{shown}");
    assert_eq!(visitor.count("[data-testid=public-proposals] .step-done").await, 6, "every stage done");
    let page = visitor.source().await;
    for hidden in ["代表1", "党员1", "支委1", "会议讨论并表决"] {
        assert!(!page.contains(hidden), "the public page shows {hidden}");
    }
    visitor.close().await;

    let report = app.store.verify_histories().await.expect("verify");
    assert!(report.findings.is_empty() && report.proposals == 1, "{:?}", report.findings);
}
