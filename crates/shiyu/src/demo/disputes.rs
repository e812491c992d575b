//! The demo city's year of disputes: a mediation committee in every community and street, a joint
//! mediation centre and professional committees in every district, weekly and monthly screenings
//! (a few missed, so some show as overdue), and disputes found by screening, brought by a party or
//! referred by a court, mediated at the village, passed up when three attempts fail (at once when
//! the risk is red), agreed and followed up, or referred to court or arbitration. Recent ones are
//! left where their life has reached, so every desk has work.
//!
//! Everything goes through the store's batch API, so the same rules decide every move.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use shiyu_domain::area::AreaCode;
use shiyu_domain::dispute::{
    DisputeMove, DisputeType, Fen, FollowUpResult, FollowUpVisit, MediationKind, MediatorRef, NewParty, OrgRef,
    PartyKind, PartyRole, Referral, RiskLevel, Session, SessionMethod, SessionOutcome, Source, Tier,
};
use shiyu_domain::ids::{DisputeId, MediationOrgId, MediatorId, ScreeningId};
use shiyu_domain::scope::Principal;
use shiyu_storage::Store;
use shiyu_storage::disputes::NewDispute;
use shiyu_storage::disputes::registry::NewMediationOrg;
use shiyu_storage::disputes::screenings::NewScreening;

use super::city::World;
use super::names;

/// Disputes per community per year.
const PER_COMMUNITY: usize = 24;

/// Disputes per transaction.
const BATCH: usize = 200;

/// What was made.
#[derive(Debug, Default)]
pub(super) struct DisputeCounts {
    pub orgs: usize,
    pub mediators: usize,
    pub screenings: usize,
    pub disputes: usize,
    pub events: usize,
}

/// An organisation and its mediators.
#[derive(Clone)]
struct Committee {
    org: MediationOrgId,
    mediators: Vec<MediatorId>,
}

#[expect(clippy::too_many_arguments, reason = "one committee's particulars and the demo's shared state")]
async fn committee(
    store: &Store,
    name: String,
    area: &AreaCode,
    kind: MediationKind,
    specialities: &str,
    people: usize,
    account: Option<&Principal>,
    rng: &mut StdRng,
    now: DateTime<Utc>,
    counts: &mut DisputeCounts,
) -> anyhow::Result<Committee> {
    let phone = format!("0739-{}", rng.random_range(2_000_000..9_000_000));
    let org = store
        .add_mediation_org(
            NewMediationOrg { name: name.clone(), area: area.clone(), kind, specialities: specialities.into(), phone },
            now,
        )
        .await
        .with_context(|| format!("adding {name}"))?;
    counts.orgs += 1;
    let mut mediators = Vec::new();
    for i in 0..people {
        let (person, user) = match (i, account) {
            (0, Some(p)) => (p.name.clone(), Some(p.user_id)),
            _ => (names::person(rng), None),
        };
        let m = store.add_mediator(org.id, &person, user, specialities, now).await?;
        counts.mediators += 1;
        mediators.push(m.id);
    }
    Ok(Committee { org: org.id, mediators })
}

/// A local working-hours instant on `day`.
fn at(day: NaiveDate, rng: &mut StdRng) -> DateTime<Utc> {
    let local = day.and_hms_opt(rng.random_range(9..17), rng.random_range(0..60), 0).unwrap_or_default();
    chrono::FixedOffset::east_opt(8 * 3600)
        .and_then(|tz| tz.from_local_datetime(&local).single())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

fn local_day(t: DateTime<Utc>) -> NaiveDate {
    shiyu_domain::time::local_date(t)
}

const SESSION_NOTES: [&str; 6] = [
    "分别听取双方陈述，释法明理，双方分歧较大。",
    "组织双方面对面沟通，就主要争议交换意见。",
    "背对背做工作，一方同意让步，另一方仍需考虑。",
    "邀请村（居）民代表和律师参与，讲解相关法律规定。",
    "到现场查看，核实争议事实。",
    "双方情绪平稳，同意在调解员主持下继续协商。",
];

fn facts(t: DisputeType, a: &str, b: &str, rng: &mut StdRng) -> (String, String) {
    let (title, text) = match t {
        DisputeType::Family => {
            ("赡养费分担纠纷", format!("{a}与{b}系兄弟，因父母赡养费用分担问题多次争吵，父母生活受到影响。"))
        }
        DisputeType::Neighbours => (
            ["楼上漏水纠纷", "院墙占地纠纷", "噪音扰邻纠纷", "排水沟堵塞纠纷"]
                .choose(rng)
                .copied()
                .unwrap_or("邻里纠纷"),
            format!("{a}与邻居{b}因相邻关系发生争执，双方互不相让，已发生口角。"),
        ),
        DisputeType::Land => {
            ("宅基地界址纠纷", format!("{a}与{b}因宅基地界址不清发生争议，{b}翻建房屋时占用争议地块约半米。"))
        }
        DisputeType::Contract => {
            ("装修合同款纠纷", format!("{a}称{b}承接的装修工程存在质量问题，拒付剩余工程款，{b}要求按合同付款。"))
        }
        DisputeType::Labour => ("拖欠工资纠纷", format!("{a}等人在{b}务工，{b}拖欠数月工资未付，{a}多次讨要无果。")),
        DisputeType::Property => ("物业费纠纷", format!("业主{a}认为{b}服务不到位，拒交物业费；{b}要求补交欠费。")),
        DisputeType::Medical => ("医疗损害赔偿纠纷", format!("{a}家属认为{b}诊疗过程中存在过错导致损害，要求赔偿。")),
        DisputeType::Compensation => {
            ("交通事故赔偿纠纷", format!("{a}驾驶电动车与{b}发生碰撞受伤，双方就医疗费、误工费赔偿协商未果。"))
        }
        DisputeType::Demolition => ("征收补偿纠纷", format!("{a}对房屋征收补偿标准有异议，与{b}协商未果。")),
        DisputeType::Other => ("其他纠纷", format!("{a}与{b}因琐事发生矛盾。")),
    };
    (title.to_owned(), text)
}

fn money(t: DisputeType, rng: &mut StdRng) -> Fen {
    let yuan: i64 = match t {
        DisputeType::Family => rng.random_range(0..20_000),
        DisputeType::Neighbours => rng.random_range(0..5_000),
        DisputeType::Land => rng.random_range(0..30_000),
        DisputeType::Contract => rng.random_range(10_000..300_000),
        DisputeType::Labour => rng.random_range(5_000..80_000),
        DisputeType::Property => rng.random_range(1_000..20_000),
        DisputeType::Medical => rng.random_range(20_000..300_000),
        DisputeType::Compensation => rng.random_range(5_000..120_000),
        DisputeType::Demolition => rng.random_range(50_000..800_000),
        DisputeType::Other => rng.random_range(0..3_000),
    };
    Fen(yuan * 100)
}

fn respondent_entity(t: DisputeType) -> Option<&'static str> {
    match t {
        DisputeType::Contract => Some("恒通装饰工程有限公司"),
        DisputeType::Labour => Some("宏达建筑劳务有限公司"),
        DisputeType::Property => Some("锦华物业服务有限公司"),
        DisputeType::Medical => Some("示范市第二人民医院"),
        DisputeType::Demolition => Some("区房屋征收服务中心"),
        _ => None,
    }
}

/// One planned move.
struct Step {
    at: DateTime<Utc>,
    actor: Principal,
    mv: DisputeMove,
}

/// Who acts at each tier for one dispute.
struct Cast {
    village: (Principal, Committee),
    township: (Principal, Committee),
    county: (Principal, Committee),
}

impl Cast {
    fn of(&self, tier: Tier) -> &(Principal, Committee) {
        match tier {
            Tier::Village => &self.village,
            Tier::Township => &self.township,
            Tier::County => &self.county,
        }
    }
}

fn refs(c: &Committee) -> (OrgRef, Vec<MediatorRef>) {
    (
        OrgRef { id: c.org, name: String::new() },
        c.mediators.iter().take(2).map(|id| MediatorRef { id: *id, name: String::new() }).collect(),
    )
}

fn session(
    at: DateTime<Utc>,
    c: &Committee,
    parties: &[String],
    outcome: SessionOutcome,
    terms: Vec<String>,
    rng: &mut StdRng,
) -> DisputeMove {
    let agreement = outcome == SessionOutcome::Agreement;
    let due = local_day(at) + Days::new(rng.random_range(7..30));
    DisputeMove::RecordSession {
        session: Session {
            held_on: local_day(at),
            method: *[
                SessionMethod::InPerson,
                SessionMethod::InPerson,
                SessionMethod::Separate,
                SessionMethod::Phone,
                SessionMethod::Joint,
            ]
            .choose(rng)
            .unwrap_or(&SessionMethod::InPerson),
            mediators: refs(c).1,
            parties_present: parties.to_vec(),
            notes: SESSION_NOTES.choose(rng).copied().unwrap_or("双方陈述").to_owned(),
            outcome,
            terms: if agreement { terms } else { Vec::new() },
            performance: agreement.then(|| format!("{}年{}月{}日前履行完毕", due.year(), due.month(), due.day())),
            next_on: None,
        },
    }
}

/// Plays one dispute's life from `t0` until it ends or reaches `now`.
#[expect(clippy::too_many_arguments, reason = "one life's inputs")]
fn life(
    cast: &Cast,
    start: Tier,
    risk: RiskLevel,
    parties: &[String],
    terms: &[String],
    t0: DateTime<Utc>,
    now: DateTime<Utc>,
    rng: &mut StdRng,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut t = t0;
    let next = |rng: &mut StdRng, t: &mut DateTime<Utc>, min: i64, max: i64| {
        let day = local_day(*t) + Days::new(rng.random_range(min..=max) as u64);
        *t = at(day, rng).max(*t + Duration::minutes(5));
        *t <= now
    };
    let mut tier = start;
    loop {
        let (actor, c) = cast.of(tier);
        // Red risk goes up at once from the village and township.
        if risk == RiskLevel::Red && tier != Tier::County && rng.random_bool(0.7) {
            if !next(rng, &mut t, 0, 1) {
                return steps;
            }
            steps.push(Step {
                at: t,
                actor: actor.clone(),
                mv: DisputeMove::Escalate { reason: "红色风险纠纷，立即上报".into() },
            });
            tier = tier.up().unwrap_or(Tier::County);
            let (up_actor, up) = cast.of(tier);
            if !next(rng, &mut t, 0, 2) {
                return steps;
            }
            let (org, mediators) = refs(up);
            steps.push(Step { at: t, actor: up_actor.clone(), mv: DisputeMove::Assign { org, mediators } });
            continue;
        }
        let p_success = match tier {
            Tier::Village => 0.72,
            Tier::Township => 0.6,
            Tier::County => 0.5,
        };
        if rng.random_bool(p_success) {
            let k = rng.random_range(1..=3);
            for i in 1..=k {
                if !next(rng, &mut t, 2, 9) {
                    return steps;
                }
                let outcome = if i == k { SessionOutcome::Agreement } else { SessionOutcome::Continue };
                steps.push(Step {
                    at: t,
                    actor: actor.clone(),
                    mv: session(t, c, parties, outcome, terms.to_vec(), rng),
                });
            }
            // Follow-ups until carried out.
            for _ in 0..3 {
                if !next(rng, &mut t, 20, 35) {
                    return steps;
                }
                let r: f64 = rng.random();
                let result = if r < 0.85 {
                    FollowUpResult::Performed
                } else if r < 0.95 {
                    FollowUpResult::Partial
                } else {
                    FollowUpResult::NotPerformed
                };
                let notes = match result {
                    FollowUpResult::Performed => "回访双方，协议已全部履行，双方满意。",
                    FollowUpResult::Partial => "已履行部分款项，余款约定下月付清。",
                    FollowUpResult::NotPerformed => "义务方未按约履行，需重新调解。",
                };
                let visit = FollowUpVisit { visited_on: local_day(t), result, notes: notes.into() };
                steps.push(Step { at: t, actor: actor.clone(), mv: DisputeMove::FollowUp { visit } });
                match result {
                    FollowUpResult::Performed => return steps,
                    FollowUpResult::Partial => {}
                    FollowUpResult::NotPerformed => {
                        if !next(rng, &mut t, 3, 10) {
                            return steps;
                        }
                        steps.push(Step {
                            at: t,
                            actor: actor.clone(),
                            mv: session(t, c, parties, SessionOutcome::Agreement, terms.to_vec(), rng),
                        });
                    }
                }
            }
            return steps;
        }
        for i in 1..=3 {
            if !next(rng, &mut t, 3, 10) {
                return steps;
            }
            let outcome = if i == 3 { SessionOutcome::Failed } else { SessionOutcome::Continue };
            steps.push(Step { at: t, actor: actor.clone(), mv: session(t, c, parties, outcome, Vec::new(), rng) });
        }
        if !next(rng, &mut t, 1, 4) {
            return steps;
        }
        if tier == Tier::County || rng.random_bool(0.12) {
            let to = *[Referral::Litigation, Referral::Litigation, Referral::Arbitration, Referral::Administrative]
                .choose(rng)
                .unwrap_or(&Referral::Litigation);
            steps.push(Step {
                at: t,
                actor: actor.clone(),
                mv: DisputeMove::Refer { to, reason: "多次调解不成，引导当事人依法解决。".into() },
            });
            return steps;
        }
        if rng.random_bool(0.05) {
            steps.push(Step {
                at: t,
                actor: actor.clone(),
                mv: DisputeMove::Close { reason: "申请人撤回调解申请。".into() },
            });
            return steps;
        }
        steps.push(Step {
            at: t,
            actor: actor.clone(),
            mv: DisputeMove::Escalate { reason: "本级三次调解未成，提请上一级调解。".into() },
        });
        tier = tier.up().unwrap_or(Tier::County);
        let (up_actor, up) = cast.of(tier);
        // The most recent escalations wait for the next tier to take them.
        if !next(rng, &mut t, 1, 3) {
            return steps;
        }
        let (org, mediators) = refs(up);
        steps.push(Step { at: t, actor: up_actor.clone(), mv: DisputeMove::Assign { org, mediators } });
    }
}

/// Builds the registry, a year of screenings and a year of disputes.
pub(super) async fn build(
    store: &Store,
    world: &World,
    rng: &mut StdRng,
    now: DateTime<Utc>,
) -> anyhow::Result<DisputeCounts> {
    let mut counts = DisputeCounts::default();
    let demo_street = world.cast.street;
    let demo_community = world.streets.get(demo_street).and_then(|s| s.communities.first().copied());
    let street_mediator = world.mediators.first();
    let village_mediator = world.mediators.get(1);

    let mut villages = Vec::with_capacity(world.communities.len());
    for (i, c) in world.communities.iter().enumerate() {
        let account = if Some(i) == demo_community { village_mediator } else { None };
        let name = format!("{}人民调解委员会", c.node.name);
        villages.push(
            committee(
                store,
                name,
                &c.node.code,
                MediationKind::Peoples,
                "邻里纠纷、婚姻家庭",
                2,
                account,
                rng,
                now,
                &mut counts,
            )
            .await?,
        );
    }
    let mut townships = Vec::with_capacity(world.streets.len());
    for (i, s) in world.streets.iter().enumerate() {
        let account = if i == demo_street { street_mediator } else { None };
        let name = format!("{}人民调解委员会", s.node.name);
        townships.push(
            committee(
                store,
                name,
                &s.node.code,
                MediationKind::Peoples,
                "土地、合同、劳动争议",
                3,
                account,
                rng,
                now,
                &mut counts,
            )
            .await?,
        );
    }
    let mut counties = Vec::with_capacity(world.districts.len());
    let mut medical = Vec::with_capacity(world.districts.len());
    for d in &world.districts {
        counties.push(
            committee(
                store,
                format!("{}矛盾纠纷联合调解中心", d.node.name),
                &d.node.code,
                MediationKind::Peoples,
                "重大疑难纠纷",
                3,
                None,
                rng,
                now,
                &mut counts,
            )
            .await?,
        );
        medical.push(
            committee(
                store,
                format!("{}医疗纠纷人民调解委员会", d.node.name),
                &d.node.code,
                MediationKind::Professional,
                "医疗纠纷",
                2,
                None,
                rng,
                now,
                &mut counts,
            )
            .await?,
        );
        committee(
            store,
            format!("{}物业纠纷调解委员会", d.node.name),
            &d.node.code,
            MediationKind::Industry,
            "物业纠纷",
            2,
            None,
            rng,
            now,
            &mut counts,
        )
        .await?;
        committee(
            store,
            format!("{}劳动人事争议调解中心", d.node.name),
            &d.node.code,
            MediationKind::Administrative,
            "劳动争议",
            2,
            None,
            rng,
            now,
            &mut counts,
        )
        .await?;
    }

    let today = local_day(now);
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let village_actor = |ci: usize| -> Principal {
        match (Some(ci) == demo_community, village_mediator) {
            (true, Some(p)) => p.clone(),
            _ => world.streets[world.communities[ci].street].op.clone(),
        }
    };
    let township_actor = |si: usize| -> Principal {
        match (si == demo_street, street_mediator) {
            (true, Some(p)) => p.clone(),
            _ => world.streets[si].op.clone(),
        }
    };

    // Screenings: weekly per community for 52 weeks, monthly per street for 12 months; a few
    // missed, more often in the last week (so some communities are overdue now).
    let mut held: HashMap<(usize, NaiveDate), (ScreeningId, DateTime<Utc>)> = HashMap::new();
    let mut batch = store.batch().await?;
    for (ci, c) in world.communities.iter().enumerate() {
        for w in 1..=52u64 {
            let week = monday - Days::new(7 * w);
            let p_held = if w == 1 { 0.8 } else { 0.95 };
            if !rng.random_bool(p_held) {
                continue;
            }
            let t = at(week + Days::new(rng.random_range(0..5)), rng);
            let ns = NewScreening {
                area: c.node.code.clone(),
                held_on: local_day(t),
                participants: "社区（村）书记、人民调解员、网格员".into(),
                notes: format!("对{}各网格逐户排查矛盾纠纷隐患。", c.node.name),
                findings: Vec::new(),
            };
            let (id, _) = batch
                .record_screening(&village_actor(ci), ns, t)
                .await
                .with_context(|| format!("screening {}", c.node.name))?;
            held.insert((ci, week), (id, t));
            counts.screenings += 1;
        }
    }
    for (si, s) in world.streets.iter().enumerate() {
        for m in 1..=12u32 {
            let first = today.with_day(1).unwrap_or(today);
            let Some(month) = first.checked_sub_months(chrono::Months::new(m)) else { continue };
            if !rng.random_bool(0.9) {
                continue;
            }
            let t = at(month + Days::new(rng.random_range(0..25)), rng);
            let ns = NewScreening {
                area: s.node.code.clone(),
                held_on: local_day(t),
                participants: "街道（乡镇）综治中心、司法所、派出所".into(),
                notes: format!("{}月度矛盾纠纷排查研判。", s.node.name),
                findings: Vec::new(),
            };
            batch.record_screening(&township_actor(si), ns, t).await?;
            counts.screenings += 1;
        }
    }
    batch.commit().await?;

    // The disputes, written in order of registration so numbers follow the clock.
    struct Plan {
        t0: DateTime<Utc>,
        nd: NewDispute,
        actor: Principal,
        steps: Vec<Step>,
    }
    let n = world.communities.len() * PER_COMMUNITY;
    let mut plans = Vec::with_capacity(n);
    let types = [
        (DisputeType::Neighbours, 30),
        (DisputeType::Family, 15),
        (DisputeType::Land, 12),
        (DisputeType::Property, 10),
        (DisputeType::Labour, 9),
        (DisputeType::Contract, 8),
        (DisputeType::Compensation, 8),
        (DisputeType::Medical, 3),
        (DisputeType::Demolition, 2),
        (DisputeType::Other, 3),
    ];
    for k in 0..n {
        let ci = rng.random_range(0..world.communities.len());
        let c = &world.communities[ci];
        let si = c.street;
        let di = world.streets[si].district;
        let grid = c.grids.choose(rng).map_or_else(|| c.node.code.clone(), |&g| world.grids[g].node.code.clone());
        let dtype = types.choose_weighted(rng, |x| x.1).map_or(DisputeType::Other, |x| x.0);
        let r: f64 = rng.random();
        let risk = if r < 0.05 {
            RiskLevel::Red
        } else if r < 0.3 {
            RiskLevel::Yellow
        } else {
            RiskLevel::Blue
        };
        let days_ago = rng.random_range(0..365u64);
        let week = (today - Days::new(days_ago))
            - Days::new(u64::from((today - Days::new(days_ago)).weekday().num_days_from_monday()));
        let roll: f64 = rng.random();
        let (source, screening, t0) = match held.get(&(ci, week)) {
            Some((id, t)) if roll < 0.4 => (Source::Screening, Some(*id), *t + Duration::minutes(30)),
            _ => {
                let src = if roll < 0.9 { Source::Application } else { Source::CourtReferral };
                (src, None, at(today - Days::new(days_ago), rng))
            }
        };
        if t0 > now {
            continue;
        }
        let a = names::person(rng);
        let b = match respondent_entity(dtype) {
            Some(e) => e.to_owned(),
            None => names::person(rng),
        };
        let (title, text) = facts(dtype, &a, &b, rng);
        let money = money(dtype, rng);
        let terms = vec![
            if money.0 > 0 {
                format!("{b}于协议签订之日起十五日内向{a}支付人民币{}元", money.yuan())
            } else {
                format!("{b}向{a}赔礼道歉，双方和睦相处")
            },
            "双方就本纠纷再无其他争议".to_owned(),
        ];
        let party = |role, kind, name: &str| NewParty {
            role,
            kind,
            name: name.to_owned(),
            identifier: None,
            phone: None,
            address: None,
            base_id: None,
        };
        let parties = vec![
            party(PartyRole::Applicant, PartyKind::Person, &a),
            party(
                PartyRole::Respondent,
                if respondent_entity(dtype).is_some() { PartyKind::Entity } else { PartyKind::Person },
                &b,
            ),
        ];
        // Medical disputes go straight to the district's professional committee.
        let (tier, kind, first) = if dtype == DisputeType::Medical {
            (Tier::County, MediationKind::Professional, medical[di].clone())
        } else {
            (Tier::Village, MediationKind::Peoples, villages[ci].clone())
        };
        let cast = Cast {
            village: (village_actor(ci), villages[ci].clone()),
            township: (township_actor(si), townships[si].clone()),
            county: (
                world.districts[di].op.clone(),
                if dtype == DisputeType::Medical { medical[di].clone() } else { counties[di].clone() },
            ),
        };
        let actor = cast.of(tier).0.clone();
        let steps = life(&cast, tier, risk, &[a.clone(), b.clone()], &terms, t0, now, rng);
        plans.push(Plan {
            t0,
            actor,
            steps,
            nd: NewDispute {
                title: format!("{title}（{}）", c.node.name),
                facts: text,
                dispute_type: dtype,
                risk,
                source,
                area: Some(grid),
                tier: Some(tier),
                money,
                parties,
                mediation_kind: kind,
                org: Some(first.org),
                mediators: first.mediators.iter().take(2).copied().collect(),
                case: None,
                screening,
                court_ref: (source == Source::CourtReferral)
                    .then(|| format!("（{}）示法诉前调{}号", today.year(), 100 + k)),
            },
        });
    }
    plans.sort_by_key(|p| p.t0);
    for chunk in plans.chunks_mut(BATCH) {
        let mut batch = store.batch().await?;
        for p in chunk.iter_mut() {
            let id: DisputeId = batch
                .register_dispute(&p.actor, p.nd.clone(), p.t0)
                .await
                .with_context(|| format!("demo dispute {}", p.nd.title))?;
            counts.disputes += 1;
            counts.events += 1;
            for s in p.steps.drain(..) {
                let name = s.mv.name();
                batch
                    .apply_dispute(&s.actor, id, s.mv, s.at)
                    .await
                    .with_context(|| format!("demo dispute {}: {name}", p.nd.title))?;
                counts.events += 1;
            }
        }
        batch.commit().await?;
    }
    Ok(counts)
}
