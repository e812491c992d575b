//! Procedures: the ordered stages a proposal passes through, each a meeting of one body (which
//! proposes, discusses, deliberates, decides or oversees) or a publication (the resolution, the
//! result). Two procedures ship:
//!
//! | # | village: 四议两公开 | community: 一委三会 | a failed vote |
//! |---|---|---|---|
//! | 1 | party branch proposes 党组织提议 | party committee proposes 党组织提议 | stops: not proposed |
//! | 2 | two committees discuss 两委会商议 | residents' committee discusses 居委会商议 | returns to 1 for revision |
//! | 3 | party members deliberate 党员大会审议 | deliberation council decides 议事会决议 | village: returns to 1; community: stops (rejected) |
//! | 4 | villagers' representatives decide 村民代表会议决议 | resolution published 决议公开 | village: stops (rejected) |
//! | 5 | resolution published 决议公开 | supervisory board oversees 监委会监督评议 | community: stays until it passes |
//! | 6 | result published 实施结果公开 | result published 实施结果公开 | |
//!
//! The decision is final once made: a procedure may not send a proposal back across its
//! decision, nor stop it after, so a published resolution is never undone by the software.

use serde::{Deserialize, Serialize};

use super::rules::{Body, BodyRules, BodyTable};
use crate::DomainError;
use crate::area::{AreaCode, AreaLevel};
use crate::case::kinds::vocabulary;

vocabulary!(
    /// What a body's meeting does at a stage.
    Act, "act", {
        /// 提议
        Propose = "propose", "提议", "Proposal";
        /// 商议
        Discuss = "discuss", "商议", "Discussion";
        /// 审议
        Deliberate = "deliberate", "审议", "Deliberation";
        /// 决议
        Decide = "decide", "决议", "Decision";
        /// 监督评议 (of how the resolution was carried out)
        Oversee = "oversee", "监督评议", "Oversight";
    }
);

vocabulary!(
    /// A document made public.
    DocumentKind, "document_kind", {
        /// 决议公开
        Resolution = "resolution", "决议公开", "Publication of the resolution";
        /// 实施结果公开
        Result = "result", "实施结果公开", "Publication of the result";
    }
);

vocabulary!(
    /// Which procedure a proposal follows.
    ProcedureKind, "procedure", {
        /// 四议两公开, for villages.
        Village = "village", "四议两公开（村）", "Village: four deliberations, two publications";
        /// 一委三会, for urban communities.
        Community = "community", "一委三会（社区）", "Community: one committee, three councils";
    }
);

impl ProcedureKind {
    /// The usual procedure of a community-level area, read from its code: in the statistical
    /// division code the last three digits of a residents' committee are 001–199 and of a
    /// villagers' committee 200–399 (统计用区划代码编制规则).
    pub fn of_area(area: &AreaCode) -> Self {
        let part: u32 = area.as_str().get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        if (200..400).contains(&part) { Self::Village } else { Self::Community }
    }
}

/// What a failed vote does to the proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "then", rename_all = "snake_case")]
pub enum OnFail {
    /// The proposal ends, not adopted.
    Stop,
    /// The proposal stays at this stage; the body may meet on it again.
    Stay,
    /// The proposal goes back to an earlier meeting stage (for revision).
    Return {
        /// The stage's position.
        to: u32,
    },
}

/// One stage of a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stage {
    /// A meeting of a body, which votes.
    Meeting {
        /// What the meeting does.
        act: Act,
        /// Who meets.
        body: Body,
        /// Its quorum and majority (as configured when the proposal was made).
        rules: BodyRules,
        /// What a failed vote does.
        on_fail: OnFail,
    },
    /// A document made public.
    Publication {
        /// Which.
        document: DocumentKind,
    },
}

impl Stage {
    /// The stage's key within its procedure, e.g. `discuss`, `publish_result`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Meeting { act, .. } => act.as_str(),
            Self::Publication { document: DocumentKind::Resolution } => "publish_resolution",
            Self::Publication { document: DocumentKind::Result } => "publish_result",
        }
    }

    /// E.g. `村民代表会议决议`, `决议公开`.
    pub fn label_zh(&self) -> String {
        match self {
            Self::Meeting { act, body, .. } => format!("{}{}", body.label_zh(), act.label_zh()),
            Self::Publication { document } => document.label_zh().to_owned(),
        }
    }

    /// E.g. `Decision (Villagers' representatives meeting)`.
    pub fn label_en(&self) -> String {
        match self {
            Self::Meeting { act, body, .. } => format!("{} ({})", act.label_en(), body.label_en()),
            Self::Publication { document } => document.label_en().to_owned(),
        }
    }

    /// The name in a procedure of `kind`, where the party branch is the village's (村党组织) or the
    /// community's (社区党组织), e.g. `村党组织提议`.
    pub fn label_zh_in(&self, kind: ProcedureKind) -> String {
        match (self, kind) {
            (Self::Meeting { act, body: Body::PartyBranch, .. }, ProcedureKind::Village) => {
                format!("村党组织{}", act.label_zh())
            }
            (Self::Meeting { act, body: Body::PartyBranch, .. }, ProcedureKind::Community) => {
                format!("社区党组织{}", act.label_zh())
            }
            _ => self.label_zh(),
        }
    }

    /// The English name in a procedure of `kind`.
    pub fn label_en_in(&self, kind: ProcedureKind) -> String {
        match (self, kind) {
            (Self::Meeting { act, body: Body::PartyBranch, .. }, ProcedureKind::Village) => {
                format!("{} (Village party branch)", act.label_en())
            }
            (Self::Meeting { act, body: Body::PartyBranch, .. }, ProcedureKind::Community) => {
                format!("{} (Community party committee)", act.label_en())
            }
            _ => self.label_en(),
        }
    }

    /// The body that meets, for a meeting stage.
    pub fn body(&self) -> Option<Body> {
        match self {
            Self::Meeting { body, .. } => Some(*body),
            Self::Publication { .. } => None,
        }
    }
}

/// A procedure: its kind and its stages in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    /// Which.
    pub kind: ProcedureKind,
    /// The stages, first to last.
    pub stages: Vec<Stage>,
}

fn meeting(act: Act, body: Body, table: &BodyTable, on_fail: OnFail) -> Stage {
    Stage::Meeting { act, body, rules: table.get(body), on_fail }
}

impl Procedure {
    /// 四议两公开: 党组织提议、"两委"会议商议、党员大会审议、村民代表会议决议；决议公开、实施结果公开.
    pub fn village(table: &BodyTable) -> Self {
        let back = OnFail::Return { to: 0 };
        Self {
            kind: ProcedureKind::Village,
            stages: vec![
                meeting(Act::Propose, Body::PartyBranch, table, OnFail::Stop),
                meeting(Act::Discuss, Body::TwoCommittees, table, back),
                meeting(Act::Deliberate, Body::PartyMembers, table, back),
                meeting(Act::Decide, Body::VillagersRepresentatives, table, OnFail::Stop),
                Stage::Publication { document: DocumentKind::Resolution },
                Stage::Publication { document: DocumentKind::Result },
            ],
        }
    }

    /// 一委三会: the party committee proposes, the residents' committee (which carries decisions
    /// out) discusses the plan, the deliberation council decides, the resolution is published,
    /// the supervisory board oversees its implementation, the result is published.
    pub fn community(table: &BodyTable) -> Self {
        Self {
            kind: ProcedureKind::Community,
            stages: vec![
                meeting(Act::Propose, Body::PartyBranch, table, OnFail::Stop),
                meeting(Act::Discuss, Body::ResidentsCommittee, table, OnFail::Return { to: 0 }),
                meeting(Act::Decide, Body::DeliberationCouncil, table, OnFail::Stop),
                Stage::Publication { document: DocumentKind::Resolution },
                meeting(Act::Oversee, Body::SupervisoryBoard, table, OnFail::Stay),
                Stage::Publication { document: DocumentKind::Result },
            ],
        }
    }

    /// The position of the stage with `key`.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key() == key)
    }

    /// The position of the decision.
    pub fn decide_index(&self) -> usize {
        self.stages.iter().position(|s| matches!(s, Stage::Meeting { act: Act::Decide, .. })).unwrap_or(0)
    }

    /// Checks the shape every procedure must have: a proposal first; each stage once; one
    /// decision; the resolution published after it; the result published last; failed votes
    /// that go back only to earlier meetings, and never across the decision.
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |reason| Err(DomainError::invalid("procedure", reason));
        if !matches!(self.stages.first(), Some(Stage::Meeting { act: Act::Propose, .. })) {
            return bad("must_start_with_a_proposal");
        }
        for (i, s) in self.stages.iter().enumerate() {
            if self.stages[..i].iter().any(|earlier| earlier.key() == s.key()) {
                return bad("stage_repeated");
            }
        }
        let Some(decide) = self.index_of(Act::Decide.as_str()) else { return bad("no_decision") };
        match self.index_of("publish_resolution") {
            Some(r) if r > decide => {}
            _ => return bad("resolution_not_published_after_decision"),
        }
        if self.stages.last().map(Stage::key) != Some("publish_result") {
            return bad("result_not_published_last");
        }
        for (i, s) in self.stages.iter().enumerate() {
            let Stage::Meeting { on_fail, .. } = s else { continue };
            match *on_fail {
                OnFail::Stop if i > decide => return bad("stops_after_decision"),
                OnFail::Return { to } => {
                    let to = usize::try_from(to).unwrap_or(usize::MAX);
                    if to >= i || !matches!(self.stages.get(to), Some(Stage::Meeting { .. })) {
                        return bad("returns_forward");
                    }
                    if i > decide && to <= decide {
                        return bad("returns_across_decision");
                    }
                }
                OnFail::Stop | OnFail::Stay => {}
            }
        }
        Ok(())
    }
}

/// The configured deliberation rules: every body's quorum and majority, and the two procedures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliberationRules {
    bodies: BodyTable,
    village: Procedure,
    community: Procedure,
}

impl Default for DeliberationRules {
    fn default() -> Self {
        let bodies = BodyTable::default();
        Self { village: Procedure::village(&bodies), community: Procedure::community(&bodies), bodies }
    }
}

impl DeliberationRules {
    /// The procedure a new proposal of `kind` follows.
    pub fn procedure(&self, kind: ProcedureKind) -> &Procedure {
        match kind {
            ProcedureKind::Village => &self.village,
            ProcedureKind::Community => &self.community,
        }
    }

    /// The rules of a body.
    pub fn body(&self, body: Body) -> BodyRules {
        self.bodies.get(body)
    }

    /// Replaces a body's rules, in the table and in every stage where it meets.
    pub fn set_body(&mut self, body: Body, rules: BodyRules) {
        self.bodies.set(body, rules);
        for p in [&mut self.village, &mut self.community] {
            for s in &mut p.stages {
                if let Stage::Meeting { body: b, rules: r, .. } = s
                    && *b == body
                {
                    *r = rules;
                }
            }
        }
    }

    /// Replaces a procedure, if it has the shape [`Procedure::check`] asks for.
    pub fn set_procedure(&mut self, procedure: Procedure) -> Result<(), DomainError> {
        procedure.check()?;
        match procedure.kind {
            ProcedureKind::Village => self.village = procedure,
            ProcedureKind::Community => self.community = procedure,
        }
        Ok(())
    }
}

/// Whether a community-level area is where proposals are made.
pub fn is_proposal_area(area: &AreaCode) -> bool {
    area.level() == AreaLevel::Community
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: &Procedure) -> Vec<&'static str> {
        p.stages.iter().map(Stage::key).collect()
    }

    #[test]
    fn the_two_procedures_in_order() {
        let r = DeliberationRules::default();
        let v = r.procedure(ProcedureKind::Village);
        assert_eq!(
            keys(v),
            ["propose", "discuss", "deliberate", "decide", "publish_resolution", "publish_result"],
            "四议两公开"
        );
        let bodies: Vec<Option<Body>> = v.stages.iter().map(Stage::body).collect();
        assert_eq!(
            bodies,
            [
                Some(Body::PartyBranch),
                Some(Body::TwoCommittees),
                Some(Body::PartyMembers),
                Some(Body::VillagersRepresentatives),
                None,
                None
            ]
        );
        assert_eq!(v.stages[3].label_zh(), "村民代表会议决议");
        assert_eq!(v.stages[0].label_zh_in(ProcedureKind::Village), "村党组织提议");
        assert_eq!(v.stages[0].label_zh_in(ProcedureKind::Community), "社区党组织提议");
        assert_eq!(v.stages[3].label_zh_in(ProcedureKind::Village), "村民代表会议决议");
        assert_eq!(v.decide_index(), 3);
        let c = r.procedure(ProcedureKind::Community);
        assert_eq!(keys(c), ["propose", "discuss", "decide", "publish_resolution", "oversee", "publish_result"]);
        assert_eq!(c.stages[4].body(), Some(Body::SupervisoryBoard));
        assert_eq!(c.stages[2].label_en(), "Decision (Deliberation council)");
        assert!(v.check().is_ok() && c.check().is_ok());
    }

    #[test]
    fn the_area_code_says_village_or_community() {
        let code = |s: &str| AreaCode::parse(s).expect(s);
        assert_eq!(ProcedureKind::of_area(&code("439921101201")), ProcedureKind::Village);
        assert_eq!(ProcedureKind::of_area(&code("439921101399")), ProcedureKind::Village);
        assert_eq!(ProcedureKind::of_area(&code("439921101199")), ProcedureKind::Community);
        assert_eq!(ProcedureKind::of_area(&code("439901001001")), ProcedureKind::Community);
        assert_eq!(ProcedureKind::of_area(&code("439921101400")), ProcedureKind::Community);
        assert!(is_proposal_area(&code("439901001001")));
        assert!(!is_proposal_area(&code("439901001000")) && !is_proposal_area(&code("439901001001001")));
    }

    #[test]
    fn malformed_procedures_are_refused() {
        let table = BodyTable::default();
        let base = Procedure::village(&table);
        let refused = |p: Procedure, reason: &'static str| {
            assert_eq!(p.check(), Err(DomainError::invalid("procedure", reason)), "{:?}", keys(&p));
        };
        let mut p = base.clone();
        p.stages.remove(0);
        refused(p, "must_start_with_a_proposal");
        let mut p = base.clone();
        p.stages.swap(3, 4);
        refused(p, "resolution_not_published_after_decision");
        let mut p = base.clone();
        p.stages.remove(3);
        refused(p, "no_decision");
        let mut p = base.clone();
        p.stages.swap(4, 5);
        refused(p, "result_not_published_last");
        let mut p = base.clone();
        p.stages.insert(2, p.stages[1]);
        refused(p, "stage_repeated");
        let mut p = base.clone();
        if let Stage::Meeting { on_fail, .. } = &mut p.stages[1] {
            *on_fail = OnFail::Return { to: 2 };
        }
        refused(p, "returns_forward");
        let mut p = base.clone();
        if let Stage::Meeting { on_fail, .. } = &mut p.stages[2] {
            *on_fail = OnFail::Return { to: 0 };
        }
        assert!(p.check().is_ok());
        // After the decision: no stop, no return across it.
        let mut c = Procedure::community(&table);
        if let Stage::Meeting { on_fail, .. } = &mut c.stages[4] {
            *on_fail = OnFail::Stop;
        }
        refused(c.clone(), "stops_after_decision");
        if let Stage::Meeting { on_fail, .. } = &mut c.stages[4] {
            *on_fail = OnFail::Return { to: 1 };
        }
        refused(c, "returns_across_decision");
        let mut rules = DeliberationRules::default();
        assert!(rules.set_procedure(base.clone()).is_ok());
        let mut broken = base;
        broken.stages.pop();
        assert!(rules.set_procedure(broken).is_err());
    }

    #[test]
    fn a_body_rule_reaches_every_stage_where_it_meets() {
        let mut rules = DeliberationRules::default();
        let reps = rules.body(Body::VillagersRepresentatives);
        let strict = BodyRules {
            quorum: super::super::rules::Threshold::more_than(super::super::rules::Fraction::TWO_THIRDS),
            ..reps
        };
        rules.set_body(Body::VillagersRepresentatives, strict);
        let v = rules.procedure(ProcedureKind::Village);
        assert!(matches!(v.stages[3], Stage::Meeting { rules, .. } if rules == strict));
        assert!(matches!(v.stages[2], Stage::Meeting { rules, .. } if rules == rules_default(Body::PartyMembers)));
    }

    fn rules_default(b: Body) -> BodyRules {
        BodyRules::default_for(b)
    }
}
