//! The demo city's volunteers and points: in the demo street, residents registered as volunteers
//! (the demo resident among them) and a volunteer team in each community; over the past weeks,
//! service activities and a residents' meeting, held with attendance recorded (hours and points),
//! and a few coming up, open for sign-up; a points shop in each community with goods in stock,
//! and redemptions — handed over, cancelled, and one still waiting for the demo resident to
//! collect. Points for true reports are paid from the case history by the points feed.
//!
//! Everything goes through the store's public API with the times it would have happened at, so
//! the same rules decide every move and the ledger is one the platform itself could have written.

use anyhow::Context as _;
use chrono::{DateTime, Duration, Timelike, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use shiyu_domain::base::Phone;
use shiyu_domain::ids::GoodsId;
use shiyu_domain::points::{
    ActivityKind, ActivityPlan, GoodsPlan, PointRules, Points, Quantity, RedemptionMove, Registration, TeamPlan,
};
use shiyu_domain::scope::Principal;
use shiyu_storage::Store;
use shiyu_storage::points::activities::ActivityAction;

use super::city::World;

/// What was made.
#[derive(Debug, Default)]
pub(super) struct PointsCounts {
    pub volunteers: usize,
    pub activities: usize,
    pub attendance: usize,
    pub goods: usize,
    pub redemptions: usize,
    pub rewards: usize,
}

/// Residents who volunteer (the demo resident first).
const VOLUNTEERS: usize = 21;

/// Goods of a community shop: name, price, stock.
const GOODS: [(&str, i64, u32); 6] = [
    ("抽纸（一提）", 20, 60),
    ("毛巾", 30, 40),
    ("洗衣液（2kg）", 50, 30),
    ("食用油（1.8L）", 100, 20),
    ("大米（5kg）", 120, 15),
    ("电动车头盔", 150, 8),
];

/// Activities in the past: title, kind, days ago, hours.
const PAST: [(&str, ActivityKind, i64, i64); 4] = [
    ("小区环境卫生清理", ActivityKind::Service, 28, 3),
    ("关爱独居老人上门走访", ActivityKind::Service, 17, 2),
    ("居民议事会：停车位规划", ActivityKind::Meeting, 10, 2),
    ("反诈宣传进楼栋", ActivityKind::Service, 4, 3),
];

/// Activities coming up: title, kind, days ahead, hours, places.
const COMING: [(&str, ActivityKind, i64, i64, u32); 3] = [
    ("周末义务理发", ActivityKind::Service, 3, 3, 6),
    ("消防安全知识讲座", ActivityKind::Meeting, 6, 2, 40),
    ("河道巡查与垃圾清理", ActivityKind::Service, 9, 4, 15),
];

/// A local day's 9 o'clock, `days` from `now` (Shanghai: 01:00 UTC).
fn nine_am(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let day = now + Duration::days(days);
    day.with_hour(1).and_then(|d| d.with_minute(0)).and_then(|d| d.with_second(0)).unwrap_or(day)
}

/// Builds the demo's volunteers, activities, shops and redemptions, then pays true reports.
pub(super) async fn build(
    store: &Store,
    world: &World,
    rng: &mut StdRng,
    now: DateTime<Utc>,
) -> anyhow::Result<PointsCounts> {
    let mut counts = PointsCounts::default();
    let street = &world.streets[world.cast.street];
    let op = &street.op;
    // The demo street rewards community service sooner than the national record's thresholds,
    // which shows the rules are its own to set (and puts stars on the demo's volunteers).
    let rules = PointRules { star_hours: [5, 10, 20, 40, 80], ..PointRules::default() };
    store.set_point_rules(op, &street.node.code, rules, now - Duration::days(60)).await.context("demo rules")?;
    let demo_resident = world.residents[world.cast.resident].0.user_id;

    // Volunteers: the demo resident and twenty more, each in their own community when it is in
    // the demo street, else in one of the street's (people volunteer where they choose).
    let mut volunteers: Vec<(Principal, usize)> = Vec::new();
    for (p, home) in world.residents.iter().take(VOLUNTEERS) {
        let Some(&first) = street.communities.first() else { break };
        let home = if street.communities.contains(home) {
            *home
        } else {
            street.communities.get(rng.random_range(0..street.communities.len())).copied().unwrap_or(first)
        };
        let community = &world.communities[home];
        let registered = now - Duration::days(40 + rng.random_range(0..20));
        let reg = Registration {
            name: p.name.clone(),
            // A landline of the demo city's area code (the SMS-safe mobile numbers of
            // `names::phone` are not valid mobiles, and a volunteer's phone must be one or the other).
            phone: Phone::parse(&format!("0739-{}", rng.random_range(2_000_000..9_000_000))).context("demo phone")?,
            community: community.node.code.clone(),
            skills: ["理发", "电工维修", "心理疏导", "文艺演出", "法律咨询", "陪伴老人", ""][rng.random_range(0..7)]
                .into(),
            consent: true,
        };
        store.register_volunteer(p, reg, registered).await.with_context(|| format!("volunteer {}", p.name))?;
        volunteers.push((p.clone(), home));
        counts.volunteers += 1;
    }

    for &c in &street.communities {
        let community = &world.communities[c];
        let area = &community.node.code;
        let members: Vec<&(Principal, usize)> = volunteers.iter().filter(|(_, h)| *h == c).collect();
        let team = store
            .create_team(
                op,
                TeamPlan {
                    name: format!("{}志愿服务队", community.node.name),
                    area: area.clone(),
                    description: "环境整治、敬老助残、平安宣传".into(),
                },
                now - Duration::days(45),
            )
            .await
            .context("demo team")?;
        for (p, _) in &members {
            if let Some(v) = store.volunteer_of_user(p.user_id).await? {
                store.add_team_member(op, team.id, v.id, now - Duration::days(39)).await?;
            }
        }

        // Past activities, held with attendance; some volunteers come late.
        for (title, kind, ago, hours) in PAST {
            let starts_at = nine_am(now, -ago);
            let plan = ActivityPlan {
                title: title.into(),
                description: format!("{}组织，欢迎居民参加。", community.node.name),
                place: format!("{}党群服务中心", community.node.name),
                kind,
                area: area.clone(),
                starts_at,
                ends_at: starts_at + Duration::hours(hours),
                capacity: 30,
            };
            let a = store.create_activity(op, plan, Some(team.id), starts_at - Duration::days(7)).await?;
            counts.activities += 1;
            // Sign-ups in the days before, then the attendance of those who came.
            let mut came = Vec::new();
            for (p, _) in &members {
                // The demo resident always comes, so their account shows every kind of entry.
                let demo = p.user_id == demo_resident;
                if !demo && rng.random_bool(0.3) {
                    continue;
                }
                let signed = starts_at - Duration::days(rng.random_range(1..6));
                store.activity_action(p, a.id, ActivityAction::SignUp, signed).await.context("demo sign-up")?;
                if demo || !rng.random_bool(0.15) {
                    came.push(p.user_id);
                }
            }
            let mut held = 0;
            for user in came {
                let Some(v) = store.volunteer_of_user(user).await? else { continue };
                let minutes =
                    if rng.random_bool(0.25) { Some(u32::try_from(hours * 60 - 30).unwrap_or(60)) } else { None };
                let at = starts_at + Duration::hours(hours);
                store
                    .activity_action(op, a.id, ActivityAction::Attend { volunteer: v.id, minutes }, at)
                    .await
                    .context("demo attendance")?;
                counts.attendance += 1;
                held += 1;
            }
            if held > 0 {
                let _ = store
                    .activity_action(op, a.id, ActivityAction::Close, starts_at + Duration::hours(hours + 2))
                    .await;
            }
        }

        // Coming up, open for sign-up; a few have signed up already.
        for (title, kind, ahead, hours, capacity) in COMING {
            let starts_at = nine_am(now, ahead);
            let plan = ActivityPlan {
                title: title.into(),
                description: format!("{}组织，报名后请准时到场。", community.node.name),
                place: format!("{}文化广场", community.node.name),
                kind,
                area: area.clone(),
                starts_at,
                ends_at: starts_at + Duration::hours(hours),
                capacity,
            };
            let a = store.create_activity(op, plan, Some(team.id), now - Duration::days(2)).await?;
            counts.activities += 1;
            for (p, _) in members.iter().skip(1).take(usize::try_from(capacity / 2).unwrap_or(1)) {
                if rng.random_bool(0.5) {
                    store.activity_action(p, a.id, ActivityAction::SignUp, now - Duration::days(1)).await?;
                }
            }
        }

        // The community's points shop.
        let mut goods: Vec<GoodsId> = Vec::new();
        for (name, price, stock) in GOODS {
            let g = store
                .create_goods(
                    op,
                    GoodsPlan {
                        name: name.into(),
                        description: String::new(),
                        price: Points::new("price", price)?,
                        stock,
                        area: area.clone(),
                    },
                    now - Duration::days(30),
                )
                .await?;
            goods.push(g.id);
            counts.goods += 1;
        }
        // Redemptions over the last days: most collected, one cancelled; the demo resident's
        // waits to be collected.
        for (i, (p, _)) in members.iter().enumerate() {
            let at = now - Duration::days(3) + Duration::minutes(i64::try_from(i).unwrap_or(0) * 17);
            let Some(&g) = goods.get(i % 3) else { continue };
            let demo = p.user_id == demo_resident;
            let r = match store.redeem(p, g, Quantity::new(1)?, None, at).await {
                Ok(r) => r,
                // Someone who earned too little goes without.
                Err(_) if !demo => continue,
                Err(e) => return Err(e).context("the demo resident's redemption"),
            };
            counts.redemptions += 1;
            let id = r.redemption.id;
            let later = at + Duration::hours(20);
            if demo {
                continue;
            }
            let mv = if i % 5 == 4 {
                RedemptionMove::Cancel { reason: "家中已有，不需要了".into() }
            } else {
                RedemptionMove::HandOver { code: r.redemption.pickup_code.clone().unwrap_or_default() }
            };
            let who = if matches!(mv, RedemptionMove::Cancel { .. }) { p } else { op };
            store.redemption_action(who, id, mv, later).await?;
        }
    }

    // Points for reports that proved true, from the case history (the server's feed goes on from
    // the mark this leaves).
    let round = crate::points::catch_up(store, &mut crate::points::Feed::from_the_start(), false).await?;
    counts.rewards = round.paid;
    Ok(counts)
}
