//! Deliberation through the real server on both engines: a village proposal through 四议两公开
//! with every refusal on the way (a stage skipped, a meeting without quorum, votes that do not add
//! up, a failed vote sending it back) changing nothing; who sees and moves what (another
//! community's or street's staff see nothing; residents read the published view and comment,
//! masked); a case and a comment becoming proposals, linked both ways; and the public read with
//! no personal data.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use shiyu_domain::area::AreaCode;

use crate::common::{Client, TestApp, engines};

/// A village (村民委员会 code 201) under the fixture's first street.
pub async fn village(app: &TestApp) -> AreaCode {
    let code = AreaCode::parse("439901001201").expect("village code");
    app.store.create_area(&code, "东门村", None, Utc::now()).await.expect("village");
    code
}

/// A meeting body: `members` members, `present` present, `yes` for and the rest against, held
/// `hours_ago` hours ago.
pub fn meeting(stage: &str, members: u32, present: u32, yes: u32, hours_ago: i64) -> Value {
    let held = (Utc::now() - Duration::hours(hours_ago)).to_rfc3339();
    let attendees: Vec<String> = (0..present).map(|i| format!("成员{i}")).collect();
    json!({"move": "record_meeting", "meeting": {"stage": stage, "held_at": held, "members_total": members,
        "attendees": attendees, "votes": {"for": yes, "against": present - yes, "abstain": 0},
        "minutes": format!("{stage}会议记录")}})
}

pub fn publish(stage: &str, text: &str) -> Value {
    json!({"move": "publish", "publication": {"stage": stage, "text": text}})
}

/// A leader bound at `area` (the fixture has none at a community), signed in through the API.
async fn community_leader(app: &TestApp, name: &str, area: &AreaCode) -> Client {
    use shiyu_domain::role::Role;
    use shiyu_domain::scope::Binding;
    let hash = shiyu_http::auth::password::hash(crate::common::PASSWORD).expect("hash");
    let username = format!("leader_{}", area.as_str());
    let binding = Binding::Area { area: area.clone() };
    app.store.create_user(&username, name, Role::Leader, binding, &hash, Utc::now()).await.expect("user");
    let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let res = http
        .post(app.url("/api/login"))
        .json(&json!({"username": username, "password": crate::common::PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200, "login as {username}");
    let body: Value = res.json().await.expect("login body");
    Client {
        http,
        base: app.base_url().to_owned(),
        csrf: body["csrf"].as_str().unwrap_or_default().to_owned(),
        token: None,
    }
}

async fn mv(who: &Client, id: &str, body: Value) -> (u16, Value) {
    who.post(&format!("/api/proposals/{id}/moves"), body).await
}

async fn ok(who: &Client, id: &str, body: Value) -> Value {
    let (s, v) = mv(who, id, body.clone()).await;
    assert_eq!(s, 200, "{body} → {v}");
    v
}

/// A refused move: its status and (field or rule), and the proposal exactly as before.
async fn refused(who: &Client, id: &str, body: Value) -> (u16, String, String) {
    let before = who.get(&format!("/api/proposals/{id}")).await.1;
    let (s, v) = mv(who, id, body).await;
    let after = who.get(&format!("/api/proposals/{id}")).await.1;
    assert_eq!(before, after, "a refused move changed the proposal: {v}");
    let e = &v["error"];
    let what = e["field"].as_str().or(e["rule"].as_str()).unwrap_or_default().to_owned();
    (s, what, e["reason"].as_str().unwrap_or(e["code"].as_str().unwrap_or_default()).to_owned())
}

pub async fn create(who: &Client, body: Value) -> String {
    let (s, v) = who.post("/api/proposals", body).await;
    assert_eq!(s, 200, "{v}");
    v["id"].as_str().expect("id").to_owned()
}

fn stage_of(v: &Value) -> (String, u64) {
    let p = &v["proposal"];
    let i = p["stage"].as_u64().expect("stage");
    let key = p["procedure"]["stages"][i as usize]["act"]
        .as_str()
        .or(p["procedure"]["stages"][i as usize]["document"].as_str())
        .unwrap_or("done")
        .to_owned();
    (key, i)
}

#[tokio::test]
async fn a_village_proposal_goes_stage_by_stage_and_every_refusal_changes_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let village = village(&app).await;
        let operator = app.client("operator").await;
        let id = create(
            &operator,
            json!({"title": "硬化村东道路", "content": "村东道路雨天泥泞，提议硬化。", "area_code": village.as_str()}),
        )
        .await;
        let (_, p) = operator.get(&format!("/api/proposals/{id}")).await;
        assert_eq!(p["proposal"]["procedure"]["kind"], "village", "a 2xx village code takes 四议两公开: {p}");
        assert_eq!(stage_of(&p), ("propose".into(), 0));
        assert!(p["proposal"]["number"].as_str().is_some_and(|n| n.starts_with('P')), "{p}");

        // Skipping ahead, in any form, is refused naming the stage; nothing changes.
        assert_eq!(
            refused(&operator, &id, meeting("discuss", 9, 9, 9, 100)).await,
            (422, "stage".into(), "not_current_stage".into())
        );
        assert_eq!(
            refused(&operator, &id, meeting("decide", 30, 30, 30, 100)).await,
            (422, "stage".into(), "not_current_stage".into())
        );
        assert_eq!(
            refused(&operator, &id, publish("publish_result", "已完工")).await,
            (422, "stage".into(), "not_current_stage".into())
        );
        // The refusal says so in the user's language.
        let (_, zh) = mv(&operator, &id, meeting("discuss", 9, 9, 9, 100)).await;
        assert!(
            zh["error"]["message"].as_str().is_some_and(|m| m.contains("议事环节") && m.contains("逐个环节")),
            "{zh}"
        );
        let (_, en) = operator
            .post_with(
                &format!("/api/proposals/{id}/moves"),
                meeting("discuss", 9, 9, 9, 100),
                &[("accept-language", "en")],
            )
            .await;
        assert!(en["error"]["message"].as_str().is_some_and(|m| m.contains("stage")), "{en}");

        // The party branch proposes it (5 members: 3 present are enough, 3 for pass).
        let v = ok(&operator, &id, meeting("propose", 5, 3, 3, 100)).await;
        assert_eq!(stage_of(&v), ("discuss".into(), 1));
        // Votes must count everyone present; attendance cannot exceed the members.
        let mut short = meeting("discuss", 9, 6, 5, 90);
        short["meeting"]["votes"]["against"] = json!(0);
        assert_eq!(refused(&operator, &id, short).await, (422, "votes".into(), "do_not_add_up".into()));
        assert_eq!(
            refused(&operator, &id, meeting("discuss", 5, 6, 6, 90)).await,
            (422, "attendees".into(), "more_than_members".into())
        );
        // A meeting cannot be before the one it follows.
        assert_eq!(
            refused(&operator, &id, meeting("discuss", 9, 9, 9, 200)).await,
            (422, "held_at".into(), "before_previous_meeting".into())
        );
        // Four of nine cannot sit as the two committees: no quorum, nothing decided.
        assert_eq!(
            refused(&operator, &id, meeting("discuss", 9, 4, 4, 90)).await,
            (422, "attendees".into(), "quorum_not_met".into())
        );
        // The two committees do not agree: back to the party branch.
        let v = ok(&operator, &id, meeting("discuss", 9, 9, 4, 90)).await;
        assert_eq!(stage_of(&v), ("propose".into(), 0), "a failed discussion returns the proposal");
        assert_eq!(v["proposal"]["returns"], 1);
        ok(&operator, &id, meeting("propose", 5, 5, 5, 80)).await;
        ok(&operator, &id, meeting("discuss", 9, 9, 8, 70)).await;
        // Party members: 20 of 40 present and all for is not more than half of the 40.
        let v = ok(&operator, &id, meeting("deliberate", 40, 20, 20, 60)).await;
        assert_eq!(stage_of(&v), ("propose".into(), 0), "20 of 40 members is no majority of them");
        ok(&operator, &id, meeting("propose", 5, 5, 5, 50)).await;
        ok(&operator, &id, meeting("discuss", 9, 9, 9, 40)).await;
        ok(&operator, &id, meeting("deliberate", 40, 30, 25, 30)).await;
        // Villagers' representatives: 19 of 30 cannot sit; exactly 20 (two thirds) can, and 11 of
        // the 20 present decide.
        assert_eq!(
            refused(&operator, &id, meeting("decide", 30, 19, 19, 20)).await,
            (422, "attendees".into(), "quorum_not_met".into())
        );
        let v = ok(&operator, &id, meeting("decide", 30, 20, 11, 20)).await;
        assert_eq!(stage_of(&v), ("resolution".into(), 4));
        let decided = v["meetings"].as_array().expect("meetings").last().cloned().expect("the decision");
        assert_eq!((decided["quorum_needed"].as_u64(), decided["votes_needed"].as_u64()), (Some(20), Some(11)));
        assert_eq!(decided["passed"], true);

        // Decided: the proposer can no longer withdraw it; the publication needs its text.
        let (s, what, _) = refused(&operator, &id, json!({"move": "withdraw", "reason": "改变主意"})).await;
        assert_eq!((s, what.as_str()), (409, "already_decided"));
        assert_eq!(
            refused(&operator, &id, publish("publish_resolution", "  ")).await,
            (422, "text".into(), "required".into())
        );
        assert_eq!(
            refused(&operator, &id, meeting("publish_resolution", 5, 5, 5, 10)).await,
            (422, "stage".into(), "not_a_meeting_stage".into())
        );
        ok(&operator, &id, publish("publish_resolution", "经村民代表会议表决通过，硬化村东道路。")).await;
        let v = ok(&operator, &id, publish("publish_result", "村东道路已硬化完工。")).await;
        assert_eq!(v["proposal"]["status"], "completed");
        let docs: Vec<(&str, &str)> = v["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .map(|d| (d["kind"].as_str().unwrap_or_default(), d["title"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(
            docs,
            [("resolution", "关于“硬化村东道路”的决议公告"), ("result", "关于“硬化村东道路”的实施结果公告")]
        );
        // Nothing moves a completed proposal; the message names the proposal's status.
        let (s, v) = mv(&operator, &id, publish("publish_result", "再次公开")).await;
        assert_eq!((s, v["error"]["code"].as_str()), (409, Some("illegal_move")), "{v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("已办结")), "{v}");

        // Every meeting is in the history, and the chain verifies and replays to the row.
        let (_, full) = operator.get(&format!("/api/proposals/{id}")).await;
        assert_eq!(full["meetings"].as_array().map(Vec::len), Some(9));
        assert_eq!(full["events"].as_array().map(Vec::len), Some(12));
        let report = app.store.verify_histories().await.expect("verify");
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_eq!((report.proposals, report.proposal_events), (1, 12));
        // The outbox carries every event for upstream platforms.
        let n: i64 = sqlx::Row::get(
            &sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE topic = 'proposal.event' AND aggregate_id = $1")
                .bind(id.as_str())
                .fetch_one(app.store.pool())
                .await
                .expect("outbox"),
            "n",
        );
        assert_eq!(n, 12);
    }
}

#[tokio::test]
async fn staff_act_in_their_area_and_residents_read_the_published_view_and_comment() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let leader = app.client("leader").await;
        let community = app.fx.community.as_str();
        let id = create(
            &leader,
            json!({"title": "加装电梯", "content": "3栋居民申请加装电梯，提议议事协商费用分摊。", "area_code": community}),
        )
        .await;
        let (_, p) = leader.get(&format!("/api/proposals/{id}")).await;
        assert_eq!(p["proposal"]["procedure"]["kind"], "community", "a 0xx code takes 一委三会");
        let mut first = meeting("propose", 7, 6, 5, 10);
        first["meeting"]["attendees"] = json!(["张三丰", "李四光", "王五", "赵六", "钱七", "孙八"]);
        first["meeting"]["minutes"] = json!("支部委员一致认为应当推进。");
        ok(&leader, &id, first).await;

        // Another street's staff: it does not exist for them.
        for who in ["operator2", "leader2"] {
            let c = app.client(who).await;
            assert_eq!(c.get(&format!("/api/proposals/{id}")).await.0, 404, "{who}");
            assert_eq!(mv(&c, &id, meeting("discuss", 7, 7, 7, 5)).await.0, 404, "{who}");
            assert_eq!(c.post(&format!("/api/proposals/{id}/comments"), json!({"text": "?"})).await.0, 404, "{who}");
            let (_, list) = c.get("/api/proposals").await;
            assert_eq!(list.as_array().map(Vec::len), Some(0), "{who}: {list}");
            // Nor may they make one there.
            let (s, v) =
                c.post("/api/proposals", json!({"title": "越界", "content": "x", "area_code": community})).await;
            assert_eq!((s, v["error"]["reason"].as_str()), (422, Some("outside_scope")), "{who}: {v}");
        }
        let handler = app.client("handler").await;
        assert_eq!(handler.get(&format!("/api/proposals/{id}")).await.0, 404);
        // A community's own leader acts on their community's proposals and sees no other's; the
        // district's operator acts on every street below.
        let own = community_leader(&app, "东门社区书记", &app.fx.community).await;
        ok(&own, &id, meeting("discuss", 7, 7, 7, 8)).await;
        let west = AreaCode::parse("439901002001").expect("west community");
        let district = app.client("district_operator").await;
        let west_id =
            create(&district, json!({"title": "西门议事", "content": "西门社区议题。", "area_code": west.as_str()}))
                .await;
        assert_eq!(own.get(&format!("/api/proposals/{west_id}")).await.0, 404, "another community's proposal");
        assert_eq!(mv(&own, &west_id, meeting("propose", 5, 5, 5, 1)).await.0, 404);
        let (s, v) =
            own.post("/api/proposals", json!({"title": "越界", "content": "x", "area_code": west.as_str()})).await;
        assert_eq!((s, v["error"]["reason"].as_str()), (422, Some("outside_scope")), "{v}");
        let (_, list) = own.get("/api/proposals").await;
        assert_eq!(list.as_array().map(Vec::len), Some(1), "only the community's own: {list}");
        assert_eq!(app.client("village_mediator").await.get(&format!("/api/proposals/{west_id}")).await.0, 404);
        // The grid worker reads the community's proposals in full but does not act.
        let gw = app.client("grid_worker").await;
        let (s, g) = gw.get(&format!("/api/proposals/{id}")).await;
        assert_eq!((s, &g["full"]), (200, &json!(true)));
        assert_eq!(mv(&gw, &id, meeting("discuss", 7, 7, 7, 5)).await.0, 403);

        // A resident reads it as published: counts, no names, no minutes.
        let resident = app.client("resident").await;
        let (s, r) = resident.get(&format!("/api/proposals/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(r["full"], false);
        let text = r.to_string();
        for hidden in ["张三丰", "李四光", "支部委员一致认为", app.fx.users["leader"].name.as_str()] {
            assert!(!text.contains(hidden), "a resident sees {hidden}: {text}");
        }
        assert_eq!(r["meetings"][0]["present"], 6);
        assert_eq!(r["meetings"][0]["votes"]["for"], 5);
        assert_eq!(r["events"].as_array().map(Vec::len), Some(0));
        let (_, listed) = resident.get(&format!("/api/proposals?area={community}")).await;
        assert!(listed.as_array().expect("list").iter().any(|x| x["id"] == id.as_str()), "{listed}");
        // A resident may not move it, but comments; an empty comment is refused naming the text.
        assert_eq!(mv(&resident, &id, meeting("decide", 15, 15, 15, 1)).await.0, 403);
        let (s, v) = resident.post(&format!("/api/proposals/{id}/comments"), json!({"text": " "})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (422, Some("text")), "{v}");
        let (s, c) =
            resident.post(&format!("/api/proposals/{id}/comments"), json!({"text": "同意，但要照顾一楼住户。"})).await;
        assert_eq!(s, 200, "{c}");
        let comment_id = c["id"].as_str().expect("comment id").to_owned();
        let name = app.fx.users["resident"].name.clone();
        let (_, r) = resident.get(&format!("/api/proposals/{id}")).await;
        let shown = r["comments"][0]["author"].as_str().expect("author").to_owned();
        assert!(
            shown != name && shown.starts_with(name.chars().next().expect("a name")) && shown.contains('*'),
            "{shown}"
        );
        assert_eq!(r["comments"][0]["mine"], true);
        // The staff read who wrote it.
        let (_, l) = leader.get(&format!("/api/proposals/{id}")).await;
        assert_eq!(l["comments"][0]["author"], name.as_str());
        // Grid workers read but do not comment.
        assert_eq!(gw.post(&format!("/api/proposals/{id}/comments"), json!({"text": "网格员"})).await.0, 403);

        // The comment becomes a proposal of its own, linked both ways; only once.
        let new_id = create(
            &leader,
            json!({"title": "一楼住户补偿办法", "content": "研究一楼住户补偿。", "comment_id": comment_id}),
        )
        .await;
        let (_, n) = leader.get(&format!("/api/proposals/{new_id}")).await;
        assert_eq!(n["proposal"]["area"], community, "the commented proposal's community");
        assert_eq!(n["origin_proposal"][0], id.as_str());
        let (_, l) = leader.get(&format!("/api/proposals/{id}")).await;
        assert_eq!(l["comments"][0]["became"][0], new_id.as_str());
        let (s, v) =
            leader.post("/api/proposals", json!({"title": "再转", "content": "x", "comment_id": comment_id})).await;
        assert_eq!(
            (s, v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
            (422, Some("comment"), Some("already_a_proposal"))
        );

        // Only the proposer withdraws, and a withdrawn proposal takes no more comments.
        let operator = app.client("operator").await;
        assert_eq!(mv(&operator, &id, json!({"move": "withdraw", "reason": "撤回"})).await.0, 403);
        let w = ok(&leader, &id, json!({"move": "withdraw", "reason": "居民自行协商解决"})).await;
        assert_eq!(w["proposal"]["status"], "withdrawn");
        let (s, v) = resident.post(&format!("/api/proposals/{id}/comments"), json!({"text": "还有意见"})).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (409, Some("proposal_closed")), "{v}");

        // The public read: where each stands, counts and documents; no personal data, no
        // withdrawn proposals.
        let public = app.store.public_proposals_of_area(&app.fx.community, 50).await.expect("public");
        assert_eq!(public.len(), 1, "the withdrawn one is left out");
        assert_eq!(public[0].title, "一楼住户补偿办法");
        let public = app.store.public_proposals_of_area(&app.fx.street, 50).await.expect("street");
        let text = serde_json::to_string(&public).expect("json");
        for hidden in [name.as_str(), app.fx.users["leader"].name.as_str(), "成员0"] {
            assert!(!text.contains(hidden), "public read holds {hidden}: {text}");
        }
        let titles: Vec<String> =
            app.store.public_proposals_of_area(&west, 50).await.expect("west").into_iter().map(|p| p.title).collect();
        assert_eq!(titles, ["西门议事"], "another community's page shows its own only");
    }
}

#[tokio::test]
async fn a_resident_suggestion_case_becomes_a_proposal_linked_both_ways() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resident = app.client("resident").await;
        let (s, c) = resident
            .post(
                "/api/cases",
                json!({"ledger": "suggestion", "category": app.fx.category, "channel": "web", "title": "建议增设休闲座椅",
                       "text": "小游园没有座椅，老人休息不便，建议增设。", "area_code": app.fx.grid.as_str()}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        let case_id = c["case"]["id"].as_str().expect("id").to_owned();
        let case_number = c["case"]["number"].as_str().expect("number").to_owned();

        // A resident cannot make proposals; another street's staff cannot see the case.
        let (s, _) = resident.post("/api/proposals", json!({"title": "x", "content": "x", "case_id": case_id})).await;
        assert_eq!(s, 403);
        let (s, v) = app
            .client("operator2")
            .await
            .post("/api/proposals", json!({"title": "x", "content": "x", "case_id": case_id}))
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
            (422, Some("case"), Some("unknown_case"))
        );

        // The street's leader makes it a proposal: the case's community, the community procedure.
        let leader = app.client("leader").await;
        let id = create(
            &leader,
            json!({"title": "增设小游园休闲座椅", "content": "群众建议增设座椅。", "case_id": case_id}),
        )
        .await;
        let (_, p) = leader.get(&format!("/api/proposals/{id}")).await;
        assert_eq!(p["proposal"]["area"], app.fx.community.as_str());
        assert_eq!(p["origin_case"], json!([case_id, case_number]));
        assert_eq!(p["proposal"]["origin"]["kind"], "case");
        // Once only.
        let (s, v) = leader.post("/api/proposals", json!({"title": "再转", "content": "x", "case_id": case_id})).await;
        assert_eq!(
            (s, v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
            (422, Some("case"), Some("already_a_proposal"))
        );

        // The case page links to the proposal, for the staff and for the resident who suggested it.
        let number = p["proposal"]["number"].as_str().expect("number").to_owned();
        for who in [&leader, &resident] {
            let (s, html) = who.get(&format!("/cases/{case_id}")).await;
            let html = html.as_str().unwrap_or_default().to_owned();
            assert_eq!(s, 200);
            assert!(html.contains(&format!("/proposals/{id}")) && html.contains(&number), "no link to the proposal");
        }
        // The proposal page links back to the case.
        let (_, html) = leader.get(&format!("/proposals/{id}")).await;
        assert!(html.as_str().unwrap_or_default().contains(&format!("/cases/{case_id}")), "no link back");
        // A case of another street is refused to the leader: unknown.
        let other = app.new_case(&app.client("operator2").await, &app.fx.grid2, "西门诉求").await;
        let (s, v) = leader.post("/api/proposals", json!({"title": "x", "content": "x", "case_id": other})).await;
        assert_eq!((s, v["error"]["reason"].as_str()), (422, Some("unknown_case")), "{v}");
    }
}
