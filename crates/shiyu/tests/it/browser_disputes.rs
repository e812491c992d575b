//! One dispute in a real browser, from the village's weekly screening to a performed agreement:
//! the village mediator records the screening with what it found, is refused an early escalation,
//! holds three sessions that fail, passes it up; the township's mediator takes it from the list of
//! escalations waiting, assigns the township committee, records the agreement, opens the agreement
//! document and records the follow-up visit that closes it.

use std::time::Duration;

use crate::browser::{Browser, Driver};
use crate::common::{Engine, TestApp};
use crate::disputes::registry;

#[tokio::test]
async fn a_dispute_from_village_screening_to_a_followed_up_township_agreement() {
    if std::env::var("SHIYU_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SHIYU_SKIP_BROWSER=1: browser test skipped");
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let app = TestApp::spawn(Engine::Sqlite).await;
    let driver = Driver::start().await;
    tokio::time::timeout(Duration::from_secs(300), walk(&app, &driver)).await.expect("the dispute walk took too long");
}

/// Submits a dispute move form and waits for the confirmation of this move.
async fn submit(b: &Browser, name: &str) {
    b.click(&format!("form[data-move={name}] button[type=submit]")).await;
    b.arrived(&format!("done={name}")).await;
    let done = b.text("[data-testid=done]").await;
    assert!(done.starts_with("已完成"), "after {name}: {done} on {}", b.here().await);
}

/// Fills and submits the session form.
async fn session(b: &Browser, outcome: &str, notes: &str, terms: &str) {
    let form = "form[data-move=record_session]";
    b.el(form).await;
    // Tick the first mediator unless one is ticked already (assigned mediators come ticked).
    if b.count(&format!("{form} input[name=mediators]:checked")).await == 0 {
        b.click(&format!("{form} input[name=mediators]")).await;
    }
    b.type_in(&format!("{form} textarea[name=notes]"), notes).await;
    b.choose(&format!("{form} select[name=outcome]"), outcome).await;
    if !terms.is_empty() {
        b.type_in(&format!("{form} textarea[name=terms]"), terms).await;
        b.type_in(&format!("{form} input[name=performance]"), "2026年12月31日前一次付清").await;
    }
    submit(b, "record_session").await;
}

async fn walk(app: &TestApp, driver: &Driver) {
    let fx = &app.fx;
    registry(app).await;

    // The village mediator screens the community this week and finds a dispute.
    let village = Browser::open(driver, app.base_url()).await;
    village.sign_in(app, "village_mediator").await;
    village.go("/disputes").await;
    village.click("[data-testid=screenings]").await;
    village.arrived("/disputes/screenings").await;
    let row = format!("[data-testid=screening-status] tr[data-area='{}']", fx.community.as_str());
    assert_eq!(
        village.el(&row).await.attr("data-overdue").await.ok().flatten().as_deref(),
        Some("true"),
        "never screened"
    );
    village.choose("#area_code", fx.community.as_str()).await;
    village.type_in("#participants", "社区书记、调解员、网格员").await;
    village.type_in("#notes", "逐户排查矛盾纠纷").await;
    village.type_in("#f_title", "院墙占地纠纷").await;
    village.choose("#f_type", "land").await;
    village.choose("#f_risk", "yellow").await;
    village.type_in("#f_money", "3000").await;
    village.type_in("#f_party0", "张三").await;
    village.type_in("#f_party1", "李四").await;
    village.type_in("#f_facts", "李四翻建院墙占用张三宅基地约半米。").await;
    village.click("[data-testid=screening-submit]").await;
    village.arrived("done=register").await;
    village.state_is("待调解", "village mediator").await;
    assert_eq!(village.text("[data-testid=tier]").await, "村（社区）");
    let dispute_url = village.here().await;
    let path = dispute_url
        .split_once(app.base_url())
        .map(|(_, p)| p)
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(village.text("[data-testid=detail-source]").await.contains("排查"));

    // Passing it up before three attempts is refused, and nothing changes.
    village.type_in("form[data-move=escalate] textarea[name=reason]", "当事人要求上交").await;
    village.click("form[data-move=escalate] button[type=submit]").await;
    let refusal = village.text("[data-testid=move-error]").await;
    assert!(refusal.contains("未达到规定次数"), "{refusal}");
    village.state_is("待调解", "village mediator").await;

    // Three sessions that fail.
    for (i, outcome) in ["continue", "continue", "failed"].into_iter().enumerate() {
        village.go(&path).await;
        session(&village, outcome, &format!("第{}次调解，双方各执一词。", i + 1), "").await;
        village.state_is("调解中", "village mediator").await;
        assert_eq!(village.text("[data-testid=detail-attempts]").await, (i + 1).to_string());
    }
    village.type_in("form[data-move=escalate] textarea[name=reason]", "三次调解不成，提请街道调解").await;
    submit(&village, "escalate").await;
    village.state_is("待调解", "village mediator").await;
    assert_eq!(village.text("[data-testid=tier]").await, "乡镇（街道）");
    assert_eq!(village.count("form[data-move=record_session]").await, 0, "the village no longer mediates it");
    village.close().await;

    // The township's mediator finds it waiting, assigns the committee and reaches an agreement.
    let township = Browser::open(driver, app.base_url()).await;
    township.sign_in(app, "mediator").await;
    township.go("/disputes?list=escalations").await;
    township.click(&format!("[data-testid=dispute-list] a[href='{path}']")).await;
    township.arrived(&path).await;
    let org = township
        .el("form[data-move=assign] select[name=org] option:nth-child(2)")
        .await
        .attr("value")
        .await
        .ok()
        .flatten()
        .expect("a township committee");
    township.choose("form[data-move=assign] select[name=org]", &org).await;
    township.click("form[data-move=assign] input[name=mediators]").await;
    submit(&township, "assign").await;
    assert!(township.text("[data-testid=detail-org]").await.contains("东门街道人民调解委员会"));
    session(
        &township,
        "agreement",
        "街道调解员释法明理，双方达成一致。",
        "李四于十日内退回院墙原址\n李四赔偿张三人民币3000元",
    )
    .await;
    township.state_is("已达成协议", "township mediator").await;

    // The agreement document names the parties and the terms.
    township.el("[data-testid=agreement-pdf]").await;
    township.go(&format!("{path}/agreement?format=html")).await;
    let doc = township.source().await;
    for needed in ["人民调解协议书", "张三", "李四", "李四赔偿张三人民币3000元", "东门街道人民调解委员会"]
    {
        assert!(doc.contains(needed), "agreement lacks {needed}");
    }

    // The follow-up visit finds it carried out: closed.
    township.go(&path).await;
    let form = "form[data-move=follow_up]";
    township.choose(&format!("{form} select[name=result]"), "performed").await;
    township.type_in(&format!("{form} textarea[name=notes]"), "回访双方，已退回院墙并付清款项。").await;
    submit(&township, "follow_up").await;
    township.state_is("已结案", "township mediator").await;
    let moves: Vec<String> = {
        let n = township.count("[data-testid=timeline] li[data-move]").await;
        let mut v = Vec::with_capacity(n);
        for i in 1..=n {
            let el = township.el(&format!("[data-testid=timeline] li[data-move]:nth-child({i})")).await;
            v.push(el.attr("data-move").await.ok().flatten().unwrap_or_default());
        }
        v
    };
    assert_eq!(
        moves,
        [
            "register",
            "record_session",
            "record_session",
            "record_session",
            "escalate",
            "assign",
            "record_session",
            "follow_up"
        ],
        "the whole history, in order"
    );
    township.close().await;

    // The screening is counted for this week now; the history verifies.
    let report = app.store.verify_histories().await.expect("verify");
    assert!(report.findings.is_empty() && report.disputes == 1, "{:?}", report.findings);
}
