//! The bodies that deliberate and the arithmetic of their meetings: when a meeting may sit
//! (quorum) and when a motion passes (majority), both as exact fractions compared with integers.
//!
//! Chinese rules say "以上" (at least: 民法典 art. 1259 counts the number itself) or "超过"/"过半数"
//! (more than), and count a majority either of those present (到会人员) or of all members
//! entitled to vote (应到会人员). [`Threshold`] and [`MajorityBase`] say exactly that, so each
//! body's rule is written as the regulation words it:
//!
//! | body | sits when present are | passes when those for are | source |
//! |---|---|---|---|
//! | party branch committee 党组织（支委会） | at least half of members | more than half of members | 支部工作条例 (quorum), 民主集中制 (majority of all) |
//! | two committees 村"两委"联席会议 | more than half of members | more than half of those present | common practice |
//! | party members' meeting 党员大会 | at least half of voting members | more than half of voting members | 支部工作条例 art. 11 |
//! | villagers' representatives 村民代表会议 | at least two thirds of members | more than half of those present | 村民委员会组织法 art. 26 |
//! | residents' committee 居委会 | more than half of members | more than half of those present | common practice |
//! | deliberation council 议事会 | at least two thirds of members | more than half of those present | usual 议事规则 |
//! | supervisory board 监督委员会 | more than half of members | more than half of those present | common practice |
//!
//! Every default can be replaced ([`BodyTable::set`]); a proposal keeps the rules in force when
//! it was created, so a later change never rewrites a past decision.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::case::kinds::vocabulary;

vocabulary!(
    /// A body that meets and votes on a proposal.
    Body, "body", {
        /// 村（社区）党组织委员会: the village party branch or the community party committee.
        PartyBranch = "party_branch", "村（社区）党组织", "Party branch";
        /// 村"两委"联席会议: party branch and villagers' committee together.
        TwoCommittees = "two_committees", "村“两委”联席会议", "Joint meeting of the two committees";
        /// 党员大会.
        PartyMembers = "party_members", "党员大会", "Party members' meeting";
        /// 村民代表会议.
        VillagersRepresentatives = "villagers_representatives", "村民代表会议", "Villagers' representatives meeting";
        /// 社区居民委员会.
        ResidentsCommittee = "residents_committee", "社区居民委员会", "Residents' committee";
        /// 社区议事会 (居民议事会).
        DeliberationCouncil = "deliberation_council", "社区议事会", "Deliberation council";
        /// 村（居）务监督委员会.
        SupervisoryBoard = "supervisory_board", "监督委员会", "Supervisory board";
    }
);

impl Body {
    fn index(self) -> usize {
        Self::ALL.iter().position(|b| *b == self).unwrap_or(0)
    }
}

/// A share of a whole, `num/den` with `0 < num <= den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawFraction", into = "RawFraction")]
pub struct Fraction {
    num: u32,
    den: u32,
}

#[derive(Serialize, Deserialize)]
struct RawFraction {
    num: u32,
    den: u32,
}

impl TryFrom<RawFraction> for Fraction {
    type Error = DomainError;
    fn try_from(r: RawFraction) -> Result<Self, DomainError> {
        Self::new(r.num, r.den)
    }
}

impl From<Fraction> for RawFraction {
    fn from(f: Fraction) -> Self {
        Self { num: f.num, den: f.den }
    }
}

impl Fraction {
    /// One half.
    pub const HALF: Fraction = Fraction { num: 1, den: 2 };
    /// Two thirds.
    pub const TWO_THIRDS: Fraction = Fraction { num: 2, den: 3 };

    /// A share; refused unless `0 < num <= den`.
    pub fn new(num: u32, den: u32) -> Result<Self, DomainError> {
        if num == 0 || den == 0 || num > den {
            return Err(DomainError::invalid("fraction", "out_of_range"));
        }
        Ok(Self { num, den })
    }

    /// The numerator.
    pub fn num(self) -> u32 {
        self.num
    }

    /// The denominator.
    pub fn den(self) -> u32 {
        self.den
    }

    fn zh(self) -> String {
        if self.num * 2 == self.den {
            return "半数".into();
        }
        match (numeral(self.den), numeral(self.num)) {
            (Some(d), Some(n)) => format!("{d}分之{n}"),
            _ => format!("{}/{}", self.num, self.den),
        }
    }

    fn en(self) -> String {
        match (self.num, self.den) {
            (n, d) if n * 2 == d => "half".into(),
            (1, 3) => "one third".into(),
            (2, 3) => "two thirds".into(),
            (3, 4) => "three quarters".into(),
            (4, 5) => "four fifths".into(),
            (n, d) => format!("{n}/{d}"),
        }
    }
}

fn numeral(n: u32) -> Option<&'static str> {
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"].get(usize::try_from(n).ok()?.checked_sub(1)?).copied()
}

/// Whether a count may equal the share ("以上") or must exceed it ("超过", "过半数").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// At least the share: 以上.
    AtLeast,
    /// More than the share: 超过.
    MoreThan,
}

/// A share that a count must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawThreshold", into = "RawThreshold")]
pub struct Threshold {
    share: Fraction,
    cmp: Comparison,
}

#[derive(Serialize, Deserialize)]
struct RawThreshold {
    share: Fraction,
    cmp: Comparison,
}

impl TryFrom<RawThreshold> for Threshold {
    type Error = DomainError;
    fn try_from(r: RawThreshold) -> Result<Self, DomainError> {
        Self::new(r.share, r.cmp)
    }
}

impl From<Threshold> for RawThreshold {
    fn from(t: Threshold) -> Self {
        Self { share: t.share, cmp: t.cmp }
    }
}

impl Threshold {
    /// At least the share.
    pub const fn at_least(share: Fraction) -> Self {
        Self { share, cmp: Comparison::AtLeast }
    }

    /// A threshold; "more than all of them" is refused, as no count could ever meet it.
    pub fn new(share: Fraction, cmp: Comparison) -> Result<Self, DomainError> {
        if cmp == Comparison::MoreThan && share.num == share.den {
            return Err(DomainError::invalid("fraction", "out_of_range"));
        }
        Ok(Self { share, cmp })
    }

    /// More than the share; only for shares below the whole (use [`Threshold::new`] otherwise).
    pub(crate) const fn more_than(share: Fraction) -> Self {
        Self { share, cmp: Comparison::MoreThan }
    }

    /// The share.
    pub fn share(self) -> Fraction {
        self.share
    }

    /// How the count compares with the share.
    pub fn comparison(self) -> Comparison {
        self.cmp
    }

    /// Whether `count` out of `whole` meets the threshold: `count/whole` against `num/den`,
    /// cross-multiplied in 64 bits, so no rounding can move a boundary.
    pub fn met(self, count: u32, whole: u32) -> bool {
        let lhs = u64::from(count) * u64::from(self.share.den);
        let rhs = u64::from(self.share.num) * u64::from(whole);
        match self.cmp {
            Comparison::AtLeast => lhs >= rhs,
            Comparison::MoreThan => lhs > rhs,
        }
    }

    /// The smallest count out of `whole` that meets the threshold (it may exceed `whole` only
    /// when `whole` is 0 and the comparison is strict).
    pub fn minimum(self, whole: u32) -> u32 {
        let product = u64::from(self.share.num) * u64::from(whole);
        let den = u64::from(self.share.den);
        let min = match self.cmp {
            Comparison::AtLeast => product.div_ceil(den),
            Comparison::MoreThan => product / den + 1,
        };
        // num <= den, so min <= whole + 1 <= u32::MAX + 1; saturate the one impossible case.
        u32::try_from(min).unwrap_or(u32::MAX)
    }

    /// The threshold as the regulations word it, e.g. `三分之二以上`, `超过半数`.
    pub fn label_zh(self) -> String {
        match self.cmp {
            Comparison::AtLeast => format!("{}以上", self.share.zh()),
            Comparison::MoreThan if self.share == Fraction::HALF => "过半数".into(),
            Comparison::MoreThan => format!("超过{}", self.share.zh()),
        }
    }

    /// The threshold in English, e.g. `at least two thirds`, `more than half`.
    pub fn label_en(self) -> String {
        match self.cmp {
            Comparison::AtLeast => format!("at least {}", self.share.en()),
            Comparison::MoreThan => format!("more than {}", self.share.en()),
        }
    }
}

/// What a majority is counted of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityBase {
    /// Those present (到会人员).
    Present,
    /// All members entitled to vote, present or not (应到会人员).
    Members,
}

/// When a body's meeting may sit and when it decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BodyRules {
    /// Members present, out of all members, for the meeting to sit.
    pub quorum: Threshold,
    /// Votes for, out of [`BodyRules::base`], for a motion to pass.
    pub majority: Threshold,
    /// What the majority is counted of.
    pub base: MajorityBase,
}

/// How a meeting came out, counted by a body's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Members present.
    pub present: u32,
    /// Members present needed to sit.
    pub quorum_needed: u32,
    /// Votes for needed to pass.
    pub votes_needed: u32,
    /// Whether the motion passed.
    pub passed: bool,
}

impl BodyRules {
    /// Counts a meeting of `members` members with `present` present and `votes_for` for.
    /// Without a quorum nothing was decided: that is an error naming the attendance.
    pub fn tally(&self, members: u32, present: u32, votes_for: u32) -> Result<Tally, DomainError> {
        if !self.quorum.met(present, members) {
            return Err(DomainError::invalid("attendees", "quorum_not_met"));
        }
        let base = match self.base {
            MajorityBase::Present => present,
            MajorityBase::Members => members,
        };
        Ok(Tally {
            present,
            quorum_needed: self.quorum.minimum(members),
            votes_needed: self.majority.minimum(base),
            passed: self.majority.met(votes_for, base),
        })
    }

    /// The rule in words, e.g. `三分之二以上成员到会；到会人员过半数同意`.
    pub fn label_zh(&self) -> String {
        let base = match self.base {
            MajorityBase::Present => "到会人员",
            MajorityBase::Members => "应到会人员",
        };
        format!("{}成员到会方可召开；经{base}{}同意为通过", self.quorum.label_zh(), self.majority.label_zh())
    }

    /// The rule in English.
    pub fn label_en(&self) -> String {
        let base = match self.base {
            MajorityBase::Present => "of those present",
            MajorityBase::Members => "of all members",
        };
        format!(
            "sits with {} of members present; passes with {} {base} in favour",
            self.quorum.label_en(),
            self.majority.label_en()
        )
    }

    /// The default rule of a body (see the module's table).
    pub fn default_for(body: Body) -> Self {
        use Body as B;
        let half = Fraction::HALF;
        let present = |quorum| BodyRules { quorum, majority: Threshold::more_than(half), base: MajorityBase::Present };
        match body {
            B::PartyBranch | B::PartyMembers => BodyRules {
                quorum: Threshold::at_least(half),
                majority: Threshold::more_than(half),
                base: MajorityBase::Members,
            },
            B::VillagersRepresentatives | B::DeliberationCouncil => present(Threshold::at_least(Fraction::TWO_THIRDS)),
            B::TwoCommittees | B::ResidentsCommittee | B::SupervisoryBoard => present(Threshold::more_than(half)),
        }
    }
}

/// The rules of every body, defaults unless configured otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyTable([BodyRules; 7]);

impl Default for BodyTable {
    fn default() -> Self {
        Self(std::array::from_fn(|i| BodyRules::default_for(Body::ALL[i])))
    }
}

impl BodyTable {
    /// The rules of a body.
    pub fn get(&self, body: Body) -> BodyRules {
        self.0[body.index()]
    }

    /// Replaces the rules of a body.
    pub fn set(&mut self, body: Body, rules: BodyRules) {
        self.0[body.index()] = rules;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn frac(n: u32, d: u32) -> Fraction {
        Fraction::new(n, d).expect("fraction")
    }

    #[test]
    fn fractions_and_thresholds_refuse_what_could_never_be_met() {
        assert!(Fraction::new(0, 3).is_err());
        assert!(Fraction::new(1, 0).is_err());
        assert!(Fraction::new(4, 3).is_err());
        assert!(Threshold::new(frac(3, 3), Comparison::MoreThan).is_err());
        assert!(Threshold::new(frac(3, 3), Comparison::AtLeast).is_ok(), "unanimity is a rule");
        // The stored form is checked too.
        assert!(serde_json::from_str::<Fraction>(r#"{"num":5,"den":4}"#).is_err());
        let t: Threshold = serde_json::from_str(r#"{"share":{"num":2,"den":3},"cmp":"at_least"}"#).expect("json");
        assert_eq!(t, Threshold::at_least(Fraction::TWO_THIRDS));
        assert!(serde_json::from_str::<Threshold>(r#"{"share":{"num":1,"den":1},"cmp":"more_than"}"#).is_err());
    }

    #[test]
    fn two_thirds_at_the_boundary() {
        let more = Threshold::more_than(Fraction::TWO_THIRDS);
        let at_least = Threshold::at_least(Fraction::TWO_THIRDS);
        // 30 members: exactly 20 is two thirds — "以上" counts it, "超过" does not.
        assert!(!more.met(20, 30), "exactly two thirds is not more than two thirds");
        assert!(more.met(21, 30));
        assert!(at_least.met(20, 30));
        assert!(!at_least.met(19, 30));
        // 31 members: two thirds is 20.67, so 20 is short either way and 21 is enough either way.
        assert!(!at_least.met(20, 31) && !more.met(20, 31));
        assert!(at_least.met(21, 31) && more.met(21, 31));
        assert_eq!((at_least.minimum(30), more.minimum(30)), (20, 21));
        assert_eq!((at_least.minimum(31), more.minimum(31)), (21, 21));
        assert_eq!((at_least.minimum(3), more.minimum(3)), (2, 3));
    }

    #[test]
    fn half_at_the_boundary() {
        let more = Threshold::more_than(Fraction::HALF);
        let at_least = Threshold::at_least(Fraction::HALF);
        assert!(!more.met(5, 10), "five of ten is not a majority");
        assert!(more.met(6, 10));
        assert!(at_least.met(5, 10), "five of ten is half or more");
        assert!(more.met(5, 9) && !more.met(4, 9));
        assert_eq!((more.minimum(10), more.minimum(9), more.minimum(1)), (6, 5, 1));
        assert_eq!((at_least.minimum(10), at_least.minimum(9), at_least.minimum(1)), (5, 5, 1));
        // Large bodies do not overflow.
        assert!(more.met(u32::MAX / 2 + 1, u32::MAX));
        assert!(!more.met(u32::MAX / 2, u32::MAX));
    }

    #[test]
    fn each_body_by_its_rule() {
        let t = BodyTable::default();
        // 村民代表会议, 30 representatives: sits with 20 (三分之二以上), decides by more than half
        // of those present.
        let reps = t.get(Body::VillagersRepresentatives);
        assert_eq!(reps.tally(30, 19, 19), Err(DomainError::invalid("attendees", "quorum_not_met")));
        let sat = reps.tally(30, 20, 10).expect("quorate at exactly two thirds");
        assert!(!sat.passed, "10 of 20 present is not more than half");
        assert_eq!((sat.quorum_needed, sat.votes_needed), (20, 11));
        assert!(reps.tally(30, 20, 11).expect("quorate").passed);
        // 党员大会, 40 voting members: sits with 20; passes only with more than half of all 40,
        // however few came.
        let members = t.get(Body::PartyMembers);
        assert!(members.tally(40, 19, 19).is_err());
        let m = members.tally(40, 20, 20).expect("quorate at exactly half");
        assert!(!m.passed, "20 of 40 members is not more than half of them, though all present agree");
        assert_eq!(m.votes_needed, 21);
        assert!(members.tally(40, 30, 21).expect("q").passed);
        // 支委会, 5 members: 3 present sit (half or more), 3 for pass.
        let branch = t.get(Body::PartyBranch);
        assert!(branch.tally(5, 2, 2).is_err());
        assert!(branch.tally(5, 3, 3).expect("q").passed);
        assert!(!branch.tally(5, 5, 2).expect("q").passed);
        // 两委, 居委会, 监委会: more than half present; more than half of those present.
        for body in [Body::TwoCommittees, Body::ResidentsCommittee, Body::SupervisoryBoard] {
            let r = t.get(body);
            assert!(r.tally(8, 4, 4).is_err(), "{body}: four of eight is not more than half");
            assert!(!r.tally(8, 5, 2).expect("q").passed, "{body}");
            assert!(r.tally(8, 5, 3).expect("q").passed, "{body}");
        }
        // 议事会, 15 members: ten present sit; six of ten present pass, five do not.
        let council = t.get(Body::DeliberationCouncil);
        assert!(council.tally(15, 9, 9).is_err());
        assert!(!council.tally(15, 10, 5).expect("q").passed);
        assert!(council.tally(15, 10, 6).expect("q").passed);
    }

    #[test]
    fn rules_are_configurable_and_read_as_the_regulations_word_them() {
        let mut t = BodyTable::default();
        let reps = t.get(Body::VillagersRepresentatives);
        assert_eq!(reps.label_zh(), "三分之二以上成员到会方可召开；经到会人员过半数同意为通过");
        assert_eq!(t.get(Body::PartyMembers).label_zh(), "半数以上成员到会方可召开；经应到会人员过半数同意为通过");
        assert!(reps.label_en().contains("at least two thirds"), "{}", reps.label_en());
        let strict = BodyRules { quorum: Threshold::more_than(Fraction::TWO_THIRDS), ..reps };
        t.set(Body::VillagersRepresentatives, strict);
        assert!(t.get(Body::VillagersRepresentatives).tally(30, 20, 20).is_err(), "now 20 of 30 cannot sit");
        assert_eq!(t.get(Body::PartyMembers), BodyRules::default_for(Body::PartyMembers), "others unchanged");
        assert_eq!(strict.quorum.label_zh(), "超过三分之二");
        assert_eq!(Threshold::at_least(frac(4, 5)).label_en(), "at least four fifths");
    }

    proptest! {
        /// `met` agrees with exact rational comparison, and `minimum` is the least count that
        /// meets the threshold.
        #[test]
        fn met_and_minimum_agree_with_rationals(
            num in 1u32..12, extra in 0u32..12, whole in 0u32..500, count in 0u32..520, strict: bool,
        ) {
            let share = Fraction::new(num, num + extra).expect("share");
            let cmp = if strict { Comparison::MoreThan } else { Comparison::AtLeast };
            let Ok(t) = Threshold::new(share, cmp) else { return Ok(()) };
            // count/whole ⋚ num/den as exact rationals: count·den ⋚ num·whole.
            let (l, r) = (u128::from(count) * u128::from(share.den()), u128::from(num) * u128::from(whole));
            prop_assert_eq!(t.met(count, whole), if strict { l > r } else { l >= r });
            let min = t.minimum(whole);
            prop_assert!(t.met(min, whole));
            if min > 0 {
                prop_assert!(!t.met(min - 1, whole));
            }
        }
    }
}
