//! The demo city's deliberation: proposals of one village (四议两公开) and of the demo resident's
//! community (一委三会) at every point of their procedures — completed with both documents
//! published, stopped by a vote, sent back and proposed again, waiting at each body, one made of a
//! resident's suggestion case — with residents' comments, so every deliberation page has content.
//!
//! Everything goes through the store's public API with times over the past months, so the same
//! rules decide every meeting and `verify-audit` checks the histories.

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::Ledger;
use shiyu_domain::deliberation::{Act, Meeting, ProcedureKind, ProposalMove, Publication, Stage, Votes};
use shiyu_domain::ids::ProposalId;
use shiyu_domain::scope::{Principal, Scope};
use shiyu_storage::deliberation::NewProposal;
use shiyu_storage::{CaseFilter, Store};

use super::city::World;
use super::names;

/// What was made.
#[derive(Debug, Default)]
pub(super) struct DeliberationCounts {
    pub proposals: usize,
    pub meetings: usize,
    pub comments: usize,
}

/// How far a demo proposal goes: the vote of each meeting in turn (`true` passes), then the
/// documents to publish. A proposal stops where the list ends.
struct Plan {
    title: &'static str,
    content: &'static str,
    /// Votes in order; a failed one does what its stage says.
    votes: &'static [bool],
    /// Documents published after the votes (resolution, then result).
    documents: &'static [&'static str],
    /// Days ago it was made.
    days_ago: i64,
}

const VILLAGE: [Plan; 4] = [
    Plan {
        title: "硬化村东组通组道路",
        content: "村东组通组道路约1.2公里为土路，雨天泥泞，群众出行和农产品外运困难。提议申请一事一议财政奖补，村集体和受益农户共同筹资，将道路硬化为3.5米宽水泥路。",
        votes: &[true, true, true, true],
        documents: &[
            "经村民代表会议表决通过：硬化村东组通组道路1.2公里，宽3.5米；资金由一事一议财政奖补和村集体收入承担，受益农户自愿投工投劳。公示期七天，如有异议请向村务监督委员会反映。",
            "村东组通组道路硬化工程已完工并通过验收，实际长度1.18公里，决算金额已在村务公开栏公布。感谢村民的支持和监督。",
        ],
        days_ago: 150,
    },
    Plan {
        title: "新建村级文化广场",
        content: "利用原村小学闲置场地建设文化广场，配置健身器材和宣传栏，方便群众开展文体活动。",
        votes: &[true, true],
        documents: &[],
        days_ago: 40,
    },
    Plan {
        title: "村集体果园对外承包方案",
        content: "村集体果园约80亩，提议以公开竞价方式对外承包，期限十年，承包费按年收取用于村集体公益事业。",
        votes: &[true, true, true, false],
        documents: &[],
        days_ago: 90,
    },
    Plan {
        title: "修缮村小学围墙和校门",
        content: "村小学围墙多处开裂，存在安全隐患。提议由村集体出资修缮围墙并更换校门。",
        // The two committees sent it back for a cost estimate; proposed again and discussed.
        votes: &[true, false, true, true],
        documents: &[],
        days_ago: 30,
    },
];

const COMMUNITY: [Plan; 3] = [
    Plan {
        title: "社区老年食堂（长者助餐点）",
        content: "社区60岁以上老人较多，提议利用社区服务中心一楼开设长者助餐点，引入第三方运营，政府补贴、个人付费相结合。",
        votes: &[true, true, true],
        documents: &[
            "经社区议事会协商表决通过：在社区服务中心一楼开设长者助餐点，每日供应午餐和晚餐，80岁以上老人享受补贴。",
            "长者助餐点已开业运营，经社区监督委员会评议，饭菜质量和价格符合决议要求，日均就餐老人约60人次。",
        ],
        days_ago: 120,
    },
    Plan {
        title: "老旧小区加装电梯议事",
        content: "3栋、5栋居民申请加装电梯，涉及低楼层住户意见不一。提议由社区组织议事协商，确定费用分摊和补偿办法。",
        votes: &[true, true, true],
        documents: &["经议事会表决通过：3栋、5栋加装电梯费用按楼层系数分摊，一楼住户不出资并获得适当补偿。"],
        days_ago: 60,
    },
    Plan {
        title: "小区停车位划线和错峰停车",
        content: "小区车位紧张，夜间乱停车堵塞消防通道。提议重新划线并与周边单位协商错峰共享停车。",
        votes: &[true],
        documents: &[],
        days_ago: 12,
    },
];

/// Members of each body in the demo: party branch 5, two committees 9, party members 36,
/// villagers' representatives 31, residents' committee 7, deliberation council 15, supervisory
/// board 5.
fn members(stage: &Stage) -> u32 {
    use shiyu_domain::deliberation::Body as B;
    match stage.body() {
        Some(B::PartyBranch) | Some(B::SupervisoryBoard) => 5,
        Some(B::TwoCommittees) => 9,
        Some(B::PartyMembers) => 36,
        Some(B::VillagersRepresentatives) => 31,
        Some(B::ResidentsCommittee) => 7,
        Some(B::DeliberationCouncil) => 15,
        None => 0,
    }
}

/// Minutes as a clerk writes them, by what the meeting does.
fn minutes(act: Act) -> &'static str {
    match act {
        Act::Propose => "书记介绍群众反映和初步方案，委员逐一发表意见，会议表决是否提出议题。",
        Act::Discuss => "会议听取方案说明，围绕资金来源、实施步骤和群众意见进行商议后表决。",
        Act::Deliberate => "党员听取议题说明，对方案提出修改意见，经充分讨论后表决。",
        Act::Decide => "主持人宣读方案，代表（成员）逐项讨论，以举手方式表决。",
        Act::Oversee => "监督委员会查看实施情况和资金使用，对照决议逐项评议。",
    }
}

const COMMENTS: [&str; 5] = [
    "支持！希望尽快实施，施工期间注意安全。",
    "建议把费用明细公开，大家心里有数。",
    "老人多，希望多照顾行动不便的住户。",
    "同意，但要听听低楼层住户的意见。",
    "希望工程质量有人监督。",
];

/// One meeting of the stage a proposal stands at, passing or not; attendance comfortably above
/// the quorum so that the rule, not chance, decides.
fn meeting(stage: &Stage, held_at: DateTime<Utc>, pass: bool, rng: &mut StdRng) -> Meeting {
    let total = members(stage);
    let present = total - total / 6;
    let needed = match stage {
        Stage::Meeting { rules, .. } => match rules.base {
            shiyu_domain::deliberation::MajorityBase::Present => rules.majority.minimum(present),
            shiyu_domain::deliberation::MajorityBase::Members => rules.majority.minimum(total),
        },
        Stage::Publication { .. } => 0,
    };
    let yes = if pass { needed.max(present - 1).min(present) } else { needed.saturating_sub(2) };
    let against = (present - yes) / 2;
    let mut attendees: Vec<String> = Vec::with_capacity(present as usize);
    while attendees.len() < present as usize {
        let n = names::person(rng);
        if !attendees.contains(&n) {
            attendees.push(n);
        }
    }
    Meeting {
        stage: stage.key().to_owned(),
        held_at,
        members_total: total,
        attendees,
        observers: vec!["镇（街道）包村干部".into()],
        votes: Votes { yes, against, abstain: present - yes - against },
        minutes: match stage {
            Stage::Meeting { act, .. } => minutes(*act).into(),
            Stage::Publication { .. } => String::new(),
        },
    }
}

#[expect(clippy::too_many_arguments, reason = "one proposal's plan and the demo's shared state")]
async fn play(
    store: &Store,
    staff: &Principal,
    area: &AreaCode,
    plan: &Plan,
    case: Option<shiyu_domain::ids::CaseId>,
    now: DateTime<Utc>,
    rng: &mut StdRng,
    counts: &mut DeliberationCounts,
) -> anyhow::Result<ProposalId> {
    let mut at = now - Duration::days(plan.days_ago);
    let np = NewProposal {
        title: plan.title.into(),
        content: plan.content.into(),
        area: Some(area.clone()),
        procedure: None,
        case,
        comment: None,
    };
    let id = store.create_proposal(staff, np, at).await.with_context(|| format!("making {}", plan.title))?;
    counts.proposals += 1;
    let mut p = store.proposal_record(staff, id).await?.proposal;
    let step = Duration::days((plan.days_ago / 8).max(1));
    for &pass in plan.votes {
        let Some(stage) = p.current_stage().copied() else { break };
        at += step;
        let mv = ProposalMove::RecordMeeting { meeting: meeting(&stage, at, pass, rng) };
        p = store.apply_proposal_move(staff, id, mv, at + Duration::hours(2)).await.with_context(|| plan.title)?;
        counts.meetings += 1;
    }
    for text in plan.documents {
        let Some(stage) = p.current_stage().copied() else { break };
        at += step;
        if let Stage::Meeting { .. } = stage {
            // The community's supervisory board looks at the implementation before the result.
            let mv = ProposalMove::RecordMeeting { meeting: meeting(&stage, at, true, rng) };
            p = store.apply_proposal_move(staff, id, mv, at + Duration::hours(2)).await?;
            counts.meetings += 1;
            at += step;
        }
        let Some(stage) = p.current_stage().copied() else { break };
        let publication = Publication { stage: stage.key().into(), title: String::new(), text: (*text).into() };
        p = store.apply_proposal_move(staff, id, ProposalMove::Publish { publication }, at).await?;
    }
    Ok(id)
}

/// Builds the proposals; `now` is the demo's present.
pub(super) async fn build(
    store: &Store,
    world: &World,
    rng: &mut StdRng,
    now: DateTime<Utc>,
) -> anyhow::Result<DeliberationCounts> {
    let mut counts = DeliberationCounts::default();
    // The village: the first one of the county's towns.
    let village = world
        .communities
        .iter()
        .find(|c| ProcedureKind::of_area(&c.node.code) == ProcedureKind::Village)
        .context("the demo city has no village")?;
    let town_leader = &world.streets[village.street].leader;
    for plan in &VILLAGE {
        play(store, town_leader, &village.node.code, plan, None, now, rng, &mut counts).await?;
    }
    // The demo resident's community, whose street's printed leader and operator act.
    let home = world.grids.get(world.cast.grid).map_or(0, |g| g.community);
    let community = &world.communities[home];
    let street = &world.streets[community.street];
    let mut open = Vec::new();
    for (i, plan) in COMMUNITY.iter().enumerate() {
        let staff = if i % 2 == 0 { &street.leader } else { &street.op };
        let id = play(store, staff, &community.node.code, plan, None, now, rng, &mut counts).await?;
        if plan.documents.len() < 2 {
            open.push(id);
        }
    }
    // A resident's suggestion becomes a proposal: the latest suggestion case of the community.
    let filter = CaseFilter { area: Some(community.node.code.clone()), limit: Some(200), ..CaseFilter::default() };
    let (cases, _) = store.list_cases(&Scope::Subtree(community.node.code.clone()), &filter).await?;
    if let Some(c) = cases.iter().find(|c| c.ledger == Ledger::Suggestion.as_str()) {
        let plan = Plan {
            title: "群众建议：增设社区休闲座椅和照明",
            content: "居民通过诉求渠道建议在社区小游园增设休闲座椅和夜间照明，方便老人和儿童活动。",
            votes: &[],
            documents: &[],
            days_ago: 3,
        };
        let id = play(store, &street.leader, &community.node.code, &plan, Some(c.id), now, rng, &mut counts).await?;
        open.push(id);
    }
    // Residents comment on what is still open: the community's own first, then others.
    let mut neighbours: Vec<&Principal> = world.residents.iter().filter(|(_, c)| *c == home).map(|(p, _)| p).collect();
    neighbours.extend(world.residents.iter().filter(|(_, c)| *c != home).map(|(p, _)| p));
    for (i, id) in open.iter().enumerate() {
        for (j, who) in neighbours.iter().take(3).enumerate() {
            let text = COMMENTS[(i + j) % COMMENTS.len()];
            let at = now - Duration::hours(i64::try_from(10 * (i + 1) + j).unwrap_or(0));
            if store.comment_on_proposal(who, *id, text, at).await.is_ok() {
                counts.comments += 1;
            }
        }
    }
    Ok(counts)
}
