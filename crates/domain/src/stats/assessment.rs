//! Assessment (考评): townships or departments scored on configured indicators — each a figure
//! of [`super::figures`] or a manual item — with weights, targets and a scoring rule, minus
//! recorded deductions (通报、约谈), zeroed by a veto item (一票否决); ranked only when a unit
//! handled at least the plan's minimum number of cases, so one case does not make a ranking. Every
//! point on a score sheet carries the sentence that explains it.

use serde::{Deserialize, Serialize};

use super::figures::{Figure, Sums, Value};
use crate::DomainError;

/// How an indicator's value turns into points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Scoring {
    /// Full points at or above the target, in proportion below it.
    Proportional,
    /// Full points at or above the target; `per_step` points off for every `step` short, down to zero.
    Stepped {
        /// Size of a step, in the value's unit (percentage points for rates).
        step: f64,
        /// Points off per step.
        per_step: f64,
    },
    /// Lower is better (e.g. handling time): full points at or below the target, in proportion above it.
    LowerBetter,
}

/// Where an indicator's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A figure by wire name (rates in percent, durations in hours, counts as counts).
    Figure(String),
    /// Entered by the assessors for each unit and period.
    Manual,
}

/// One indicator of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Short code, unique in the plan.
    pub code: String,
    /// Name.
    pub name: String,
    /// Where the value comes from.
    pub source: Source,
    /// Points it is worth.
    pub weight: f64,
    /// The target value.
    pub target: f64,
    /// The rule.
    pub scoring: Scoring,
}

/// A veto item: any occurrence zeroes a unit's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoItem {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// An assessment plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Name.
    pub name: String,
    /// Indicators.
    pub indicators: Vec<Indicator>,
    /// Veto items.
    #[serde(default)]
    pub vetoes: Vec<VetoItem>,
    /// Fewest cases received for a unit to be ranked.
    pub min_cases: i64,
}

impl Plan {
    /// Checks a plan as configured: codes unique, weights positive, targets sensible, figures known.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.indicators.is_empty() {
            return Err(DomainError::invalid("indicators", "required"));
        }
        for (i, ind) in self.indicators.iter().enumerate() {
            if ind.code.trim().is_empty() || self.indicators[..i].iter().any(|o| o.code == ind.code) {
                return Err(DomainError::invalid("indicators", "duplicate"));
            }
            // Written so that NaN fails too.
            let weight_ok = (0.0..=1000.0).contains(&ind.weight) && ind.weight > 0.0;
            let target_ok = ind.target.is_finite() && ind.target >= 0.0;
            if !weight_ok || !target_ok {
                return Err(DomainError::invalid("indicators", "out_of_range"));
            }
            if let Source::Figure(f) = &ind.source
                && !Figure::ALL.iter().any(|x| x.as_str() == f)
            {
                return Err(DomainError::invalid("indicators", "unknown_value"));
            }
            if let Scoring::Stepped { step, per_step } = ind.scoring
                && !(step > 0.0 && per_step >= 0.0)
            {
                return Err(DomainError::invalid("indicators", "out_of_range"));
            }
        }
        if self.min_cases < 0 {
            return Err(DomainError::invalid("min_cases", "out_of_range"));
        }
        Ok(())
    }

    /// Total points available.
    pub fn points(&self) -> f64 {
        self.indicators.iter().map(|i| i.weight).sum()
    }

    /// The default plan for townships: the centre's core figures.
    pub fn standard() -> Self {
        let ind = |code: &str, name: &str, fig: Figure, weight: f64, target: f64, scoring| Indicator {
            code: code.into(),
            name: name.into(),
            source: Source::Figure(fig.as_str().into()),
            weight,
            target,
            scoring,
        };
        let stepped = Scoring::Stepped { step: 1.0, per_step: 1.0 };
        Self {
            name: "乡镇（街道）综治工作月度考评".into(),
            indicators: vec![
                ind("response", "响应率", Figure::ResponseRate, 15.0, 98.0, stepped),
                ind("on_time", "按时办结率", Figure::OnTimeRate, 25.0, 95.0, stepped),
                ind("resolution", "解决率", Figure::ResolutionRate, 20.0, 90.0, Scoring::Proportional),
                ind("satisfaction", "满意率", Figure::SatisfactionRate, 25.0, 95.0, stepped),
                ind("local", "网格办结占比", Figure::ClosedAtGridShare, 5.0, 30.0, Scoring::Proportional),
                ind("time", "平均办理时长（工作时）", Figure::AverageHandlingTime, 10.0, 24.0, Scoring::LowerBetter),
            ],
            vetoes: vec![
                VetoItem {
                    code: "mass_incident".into(), name: "发生因工作不力引发的重大群体性事件".into()
                },
                VetoItem {
                    code: "concealment".into(), name: "瞒报、漏报、迟报重大矛盾纠纷或安全事件".into()
                },
            ],
            min_cases: 10,
        }
    }
}

/// A recorded deduction (通报、约谈 …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deduction {
    /// Points off.
    pub points: f64,
    /// Why.
    pub reason: String,
}

/// One unit's input for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitInput {
    /// Code (area or organisation).
    pub unit: String,
    /// Name.
    pub name: String,
    /// Counter sums of the period.
    pub sums: Sums,
    /// Manual values by indicator code.
    pub manual: Vec<(String, f64)>,
    /// Deductions.
    pub deductions: Vec<Deduction>,
    /// Veto items that occurred, with what happened.
    pub vetoes: Vec<(String, String)>,
}

/// One indicator on a score sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreLine {
    /// Indicator name.
    pub name: String,
    /// The value (percent for rates, hours for durations), if any.
    pub value: Option<f64>,
    /// Points earned.
    pub points: f64,
    /// Points possible.
    pub weight: f64,
    /// Why these points.
    pub explanation: String,
}

/// A unit's score sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSheet {
    /// Unit code.
    pub unit: String,
    /// Unit name.
    pub name: String,
    /// Lines.
    pub lines: Vec<ScoreLine>,
    /// Deductions applied.
    pub deductions: Vec<Deduction>,
    /// The veto that zeroed the score, if any.
    pub veto: Option<String>,
    /// Cases received in the period.
    pub cases: i64,
    /// Final score.
    pub total: f64,
    /// Rank among ranked units (1 = best); `None` when too few cases or vetoed.
    pub rank: Option<usize>,
}

fn value_of(ind: &Indicator, u: &UnitInput) -> Option<f64> {
    match &ind.source {
        Source::Manual => u.manual.iter().find(|(c, _)| *c == ind.code).map(|(_, v)| *v),
        Source::Figure(name) => {
            let f = Figure::ALL.iter().find(|f| f.as_str() == name)?;
            match f.of(&u.sums) {
                Value::Count(n) => Some(n as f64),
                Value::Permille(p) => p.map(|p| p as f64 / 10.0),
                Value::Minutes(m) => m.map(|m| m as f64 / 60.0),
            }
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn line(ind: &Indicator, u: &UnitInput) -> ScoreLine {
    let Some(v) = value_of(ind, u) else {
        return ScoreLine {
            name: ind.name.clone(),
            value: None,
            points: ind.weight,
            weight: ind.weight,
            explanation: format!("本期无可计算数据，按满分{}分计", ind.weight),
        };
    };
    let (points, why) = match ind.scoring {
        Scoring::Proportional if v >= ind.target => (ind.weight, format!("{v:.1} 达到目标 {}，得满分", ind.target)),
        Scoring::Proportional => {
            let p = if ind.target > 0.0 { ind.weight * v / ind.target } else { ind.weight };
            (p, format!("{v:.1} 低于目标 {}，按比例得 {:.2} 分", ind.target, p))
        }
        Scoring::Stepped { .. } if v >= ind.target => (ind.weight, format!("{v:.1} 达到目标 {}，得满分", ind.target)),
        Scoring::Stepped { step, per_step } => {
            let steps = ((ind.target - v) / step).ceil();
            let p = (ind.weight - steps * per_step).max(0.0);
            (p, format!("{v:.1} 低于目标 {}，差 {} 档，每档扣 {per_step} 分", ind.target, steps))
        }
        Scoring::LowerBetter if v <= ind.target => (ind.weight, format!("{v:.1} 不超过目标 {}，得满分", ind.target)),
        Scoring::LowerBetter => {
            let p = ind.weight * ind.target / v;
            (p, format!("{v:.1} 超过目标 {}，按比例得 {:.2} 分", ind.target, p))
        }
    };
    ScoreLine { name: ind.name.clone(), value: Some(v), points: round2(points), weight: ind.weight, explanation: why }
}

/// Scores and ranks the units.
pub fn score(plan: &Plan, units: &[UnitInput]) -> Vec<ScoreSheet> {
    let mut sheets: Vec<ScoreSheet> = units
        .iter()
        .map(|u| {
            let lines: Vec<ScoreLine> = plan.indicators.iter().map(|i| line(i, u)).collect();
            let earned: f64 = lines.iter().map(|l| l.points).sum();
            let off: f64 = u.deductions.iter().map(|d| d.points).sum();
            let veto = u.vetoes.first().map(|(code, what)| {
                let name = plan.vetoes.iter().find(|v| v.code == *code).map_or(code.as_str(), |v| v.name.as_str());
                format!("{name}：{what}")
            });
            let total = if veto.is_some() { 0.0 } else { round2((earned - off).max(0.0)) };
            ScoreSheet {
                unit: u.unit.clone(),
                name: u.name.clone(),
                lines,
                deductions: u.deductions.clone(),
                veto,
                cases: u.sums.get(super::Metric::Received),
                total,
                rank: None,
            }
        })
        .collect();
    sheets.sort_by(|a, b| b.total.total_cmp(&a.total).then(a.unit.cmp(&b.unit)));
    let mut rank = 0;
    for s in &mut sheets {
        if s.veto.is_none() && s.cases >= plan.min_cases {
            rank += 1;
            s.rank = Some(rank);
        }
    }
    sheets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Metric;

    fn unit(code: &str, received: i64, handled: i64, on_time: i64) -> UnitInput {
        let mut sums = Sums::default();
        sums.add(Metric::Received, received);
        sums.add(Metric::Handled, handled);
        sums.add(Metric::HandledOnTime, on_time);
        UnitInput { unit: code.into(), name: code.into(), sums, manual: vec![], deductions: vec![], vetoes: vec![] }
    }

    fn plan() -> Plan {
        Plan {
            name: "p".into(),
            indicators: vec![
                Indicator {
                    code: "on_time".into(),
                    name: "按时办结率".into(),
                    source: Source::Figure("on_time_rate".into()),
                    weight: 60.0,
                    target: 95.0,
                    scoring: Scoring::Stepped { step: 1.0, per_step: 2.0 },
                },
                Indicator {
                    code: "safety".into(),
                    name: "平安创建".into(),
                    source: Source::Manual,
                    weight: 40.0,
                    target: 100.0,
                    scoring: Scoring::Proportional,
                },
            ],
            vetoes: vec![VetoItem { code: "mass".into(), name: "重大群体性事件".into() }],
            min_cases: 10,
        }
    }

    #[test]
    fn every_point_is_explained_and_ranks_need_cases() {
        let p = plan();
        p.check().expect("valid");
        let mut a = unit("A", 50, 100, 92); // 92%: 3 steps short → 60 − 6 = 54
        a.manual.push(("safety".into(), 80.0)); // 80/100 × 40 = 32
        a.deductions.push(Deduction { points: 3.0, reason: "通报批评一次".into() });
        let mut b = unit("B", 40, 10, 10); // 100% → 60
        b.manual.push(("safety".into(), 100.0));
        let mut c = unit("C", 3, 3, 3); // too few cases to rank
        c.manual.push(("safety".into(), 100.0));
        let mut d = unit("D", 80, 10, 10);
        d.vetoes.push(("mass".into(), "10月发生群体性上访".into()));
        let sheets = score(&p, &[a, b, c, d]);
        let by = |u: &str| sheets.iter().find(|s| s.unit == u).expect("sheet");
        assert_eq!(by("A").lines[0].points, 54.0);
        assert!(by("A").lines[0].explanation.contains("差 3 档"), "{}", by("A").lines[0].explanation);
        assert_eq!(by("A").lines[1].points, 32.0);
        assert_eq!(by("A").total, 83.0, "54 + 32 − 3");
        assert_eq!((by("B").total, by("B").rank), (100.0, Some(1)));
        assert_eq!(by("A").rank, Some(2));
        assert_eq!((by("C").total, by("C").rank), (100.0, None), "a full score on three cases is not ranked");
        assert_eq!((by("D").total, by("D").rank), (0.0, None));
        assert!(by("D").veto.as_deref().is_some_and(|v| v.starts_with("重大群体性事件")));
        // No data: full points, said so.
        let empty = score(&p, &[unit("E", 0, 0, 0)]);
        assert!(empty[0].lines[0].explanation.contains("无可计算数据"));
    }

    #[test]
    fn bad_plans_are_refused_by_name() {
        let mut p = plan();
        p.indicators[1].code = "on_time".into();
        assert_eq!(p.check(), Err(DomainError::invalid("indicators", "duplicate")));
        let mut p = plan();
        p.indicators[0].source = Source::Figure("happiness".into());
        assert_eq!(p.check(), Err(DomainError::invalid("indicators", "unknown_value")));
        let mut p = plan();
        p.indicators[0].weight = 0.0;
        assert_eq!(p.check(), Err(DomainError::invalid("indicators", "out_of_range")));
        Plan::standard().check().expect("the standard plan is valid");
        assert_eq!(Plan::standard().points(), 100.0);
    }
}
