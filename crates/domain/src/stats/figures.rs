//! The case figures (DESIGN §8), each defined once, in code and in words. Every screen, report,
//! export, API answer and assessment computes a figure by calling [`Figure::of`] on counter sums
//! over the same filter, so two screens can never disagree about what "解决率" means.
//!
//! Counters are summed over an area subtree × a range of local days × optional ledger, category
//! (subtree), channel and organisation; the per-day rows are written by [`super::amounts`] in each
//! event's own transaction.

use std::collections::BTreeMap;

use super::Metric;

/// Counter sums of some filter, by metric.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums(pub BTreeMap<Metric, i64>);

impl Sums {
    /// One metric's sum (zero when absent).
    pub fn get(&self, m: Metric) -> i64 {
        self.0.get(&m).copied().unwrap_or(0)
    }

    /// Adds to a metric.
    pub fn add(&mut self, m: Metric, n: i64) {
        *self.0.entry(m).or_default() += n;
    }

    /// Adds every metric of `other`: the sums of two disjoint filters are the sums of their union.
    pub fn merge(&mut self, other: &Sums) {
        for (m, n) in &other.0 {
            self.add(*m, *n);
        }
    }
}

/// A figure's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A count.
    Count(i64),
    /// A rate in per mille (rounded half up); `None` when its denominator is zero.
    Permille(Option<i64>),
    /// A duration in working minutes (mean); `None` with nothing to average.
    Minutes(Option<i64>),
}

impl Value {
    /// As shown on screen: `1,234`, `87.5%`, `12.5 h`, or `—`.
    pub fn show(self) -> String {
        match self {
            Self::Count(n) => thousands(n),
            Self::Permille(p) => super::disputes::percent(p),
            Self::Minutes(None) => "—".to_owned(),
            Self::Minutes(Some(m)) => format!("{}.{} h", m / 60, (m % 60) * 10 / 60),
        }
    }
}

/// A whole number with thousands separators, e.g. `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn ratio(part: i64, whole: i64) -> Value {
    Value::Permille(super::disputes::permille(part, whole))
}

/// A case figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Figure {
    /// 受理量: cases received.
    Received,
    /// 受理: cases accepted.
    Accepted,
    /// 响应率: dispatches signed for by their deadline ÷ dispatches signed for.
    ResponseRate,
    /// 按时办结率: results reported by their deadline ÷ results reported.
    OnTimeRate,
    /// 解决率: results of kind "resolved" ÷ results reported.
    ResolutionRate,
    /// 满意率: satisfied or basically satisfied ÷ revisits with an answer.
    SatisfactionRate,
    /// 网格办结占比: cases closed at grid level ÷ cases closed.
    ClosedAtGridShare,
    /// 社区办结占比: closed at community level ÷ closed.
    ClosedAtCommunityShare,
    /// 街道办结占比: closed at street level ÷ closed.
    ClosedAtStreetShare,
    /// 平均办理时长: mean working time from registration to result.
    AverageHandlingTime,
    /// 退回: dispatches returned as misrouted.
    Returned,
    /// 提级: escalations.
    Escalated,
    /// 办结: cases closed.
    Closed,
    /// 重复诉求: registrations repeating an earlier request.
    Repeated,
}

impl Figure {
    /// Every figure, in the order boards show them.
    pub const ALL: [Figure; 14] = [
        Self::Received,
        Self::Accepted,
        Self::ResponseRate,
        Self::OnTimeRate,
        Self::ResolutionRate,
        Self::SatisfactionRate,
        Self::ClosedAtGridShare,
        Self::ClosedAtCommunityShare,
        Self::ClosedAtStreetShare,
        Self::AverageHandlingTime,
        Self::Returned,
        Self::Escalated,
        Self::Closed,
        Self::Repeated,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::ResponseRate => "response_rate",
            Self::OnTimeRate => "on_time_rate",
            Self::ResolutionRate => "resolution_rate",
            Self::SatisfactionRate => "satisfaction_rate",
            Self::ClosedAtGridShare => "closed_at_grid_share",
            Self::ClosedAtCommunityShare => "closed_at_community_share",
            Self::ClosedAtStreetShare => "closed_at_street_share",
            Self::AverageHandlingTime => "average_handling_time",
            Self::Returned => "returned",
            Self::Escalated => "escalated",
            Self::Closed => "closed",
            Self::Repeated => "repeated",
        }
    }

    /// The Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Received => "受理量",
            Self::Accepted => "受理",
            Self::ResponseRate => "响应率",
            Self::OnTimeRate => "按时办结率",
            Self::ResolutionRate => "解决率",
            Self::SatisfactionRate => "满意率",
            Self::ClosedAtGridShare => "网格办结占比",
            Self::ClosedAtCommunityShare => "社区（村）办结占比",
            Self::ClosedAtStreetShare => "街道（乡镇）办结占比",
            Self::AverageHandlingTime => "平均办理时长（工作时）",
            Self::Returned => "退回",
            Self::Escalated => "提级",
            Self::Closed => "办结",
            Self::Repeated => "重复诉求",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Accepted => "Accepted",
            Self::ResponseRate => "Response rate",
            Self::OnTimeRate => "On-time rate",
            Self::ResolutionRate => "Resolution rate",
            Self::SatisfactionRate => "Satisfaction rate",
            Self::ClosedAtGridShare => "Share closed in grids",
            Self::ClosedAtCommunityShare => "Share closed in communities",
            Self::ClosedAtStreetShare => "Share closed in streets",
            Self::AverageHandlingTime => "Average handling time (working hours)",
            Self::Returned => "Returned",
            Self::Escalated => "Escalated",
            Self::Closed => "Closed",
            Self::Repeated => "Repeat requests",
        }
    }

    /// The written definition, in Chinese.
    pub fn definition_zh(self) -> &'static str {
        match self {
            Self::Received => "期内登记的诉求件数（含后来合并、不予受理的）。",
            Self::Accepted => "期内受理（含领导阅批后受理）的件数。",
            Self::ResponseRate => "期内按签收时限签收的交办次数 ÷ 期内签收的交办次数。",
            Self::OnTimeRate => "期内在办理时限内反馈结果的件次 ÷ 期内反馈结果的件次。",
            Self::ResolutionRate => "期内结果为“已解决”的件次 ÷ 期内反馈结果的件次。",
            Self::SatisfactionRate => {
                "期内回访评价为满意或基本满意的件次 ÷ 期内回访有评价（满意、基本满意、不满意）的件次；联系不上的不计入。"
            }
            Self::ClosedAtGridShare => "期内在网格层级办结的件数 ÷ 期内办结件数。",
            Self::ClosedAtCommunityShare => "期内在社区（村）层级办结的件数 ÷ 期内办结件数。",
            Self::ClosedAtStreetShare => "期内在街道（乡镇）层级办结的件数 ÷ 期内办结件数。",
            Self::AverageHandlingTime => "期内反馈结果的件次，自登记至反馈结果的工作时间（按工作日历计）的平均值。",
            Self::Returned => "期内以“非本单位职责”退回的交办次数。",
            Self::Escalated => "期内提级到上一级中心办理的次数。",
            Self::Closed => "期内销号办结的件数。",
            Self::Repeated => {
                "期内登记的诉求中，同一反映人（账号或电话）或同一网格同一类别在登记前30日内已有诉求的件数。"
            }
        }
    }

    /// The written definition, in English.
    pub fn definition_en(self) -> &'static str {
        match self {
            Self::Received => "Cases registered in the period (including those later merged or not accepted).",
            Self::Accepted => "Cases accepted in the period (including after a leader's review).",
            Self::ResponseRate => {
                "Dispatches signed for by their deadline in the period ÷ dispatches signed for in the period."
            }
            Self::OnTimeRate => "Results reported by their deadline in the period ÷ results reported in the period.",
            Self::ResolutionRate => "Results of kind \"resolved\" in the period ÷ results reported in the period.",
            Self::SatisfactionRate => {
                "Revisits answered satisfied or basically satisfied ÷ revisits with an answer (satisfied, basic, unsatisfied); unreachable ones are left out."
            }
            Self::ClosedAtGridShare => "Cases closed at grid level in the period ÷ cases closed in the period.",
            Self::ClosedAtCommunityShare => {
                "Cases closed at community level in the period ÷ cases closed in the period."
            }
            Self::ClosedAtStreetShare => "Cases closed at street level in the period ÷ cases closed in the period.",
            Self::AverageHandlingTime => {
                "Mean working time (by the working calendar) from registration to result, over results reported in the period."
            }
            Self::Returned => "Dispatches returned as misrouted in the period.",
            Self::Escalated => "Escalations to the next centre up in the period.",
            Self::Closed => "Cases closed in the period.",
            Self::Repeated => {
                "Cases registered in the period whose reporter (account or phone), or whose grid and category, already had a request in the 30 days before."
            }
        }
    }

    /// The figure's value from counter sums.
    pub fn of(self, s: &Sums) -> Value {
        use Metric as M;
        match self {
            Self::Received => Value::Count(s.get(M::Received)),
            Self::Accepted => Value::Count(s.get(M::Accepted)),
            Self::ResponseRate => ratio(s.get(M::SignedOnTime), s.get(M::Signed)),
            Self::OnTimeRate => ratio(s.get(M::HandledOnTime), s.get(M::Handled)),
            Self::ResolutionRate => ratio(s.get(M::Resolved), s.get(M::Handled)),
            Self::SatisfactionRate => ratio(s.get(M::Satisfied), s.get(M::Satisfied) + s.get(M::Unsatisfied)),
            Self::ClosedAtGridShare => ratio(s.get(M::ClosedAtGrid), s.get(M::Closed)),
            Self::ClosedAtCommunityShare => ratio(s.get(M::ClosedAtCommunity), s.get(M::Closed)),
            Self::ClosedAtStreetShare => ratio(s.get(M::ClosedAtStreet), s.get(M::Closed)),
            Self::AverageHandlingTime => {
                let n = s.get(M::Timed);
                Value::Minutes((n > 0).then(|| (s.get(M::HandlingMinutes) * 2 + n) / (2 * n)))
            }
            Self::Returned => Value::Count(s.get(M::Returned)),
            Self::Escalated => Value::Count(s.get(M::Escalated)),
            Self::Closed => Value::Count(s.get(M::Closed)),
            Self::Repeated => Value::Count(s.get(M::Repeated)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_follow_their_definitions() {
        let mut s = Sums::default();
        for (m, n) in [
            (Metric::Received, 1234),
            (Metric::Signed, 8),
            (Metric::SignedOnTime, 7),
            (Metric::Handled, 3),
            (Metric::HandledOnTime, 2),
            (Metric::Resolved, 1),
            (Metric::Satisfied, 3),
            (Metric::Unsatisfied, 1),
            (Metric::Closed, 4),
            (Metric::ClosedAtGrid, 1),
            (Metric::ClosedAtStreet, 3),
            (Metric::Timed, 2),
            (Metric::HandlingMinutes, 150),
        ] {
            s.add(m, n);
        }
        assert_eq!(Figure::Received.of(&s).show(), "1,234");
        assert_eq!(Figure::ResponseRate.of(&s), Value::Permille(Some(875)));
        assert_eq!(Figure::OnTimeRate.of(&s).show(), "66.7%");
        assert_eq!(Figure::ResolutionRate.of(&s), Value::Permille(Some(333)));
        assert_eq!(Figure::SatisfactionRate.of(&s), Value::Permille(Some(750)));
        assert_eq!(Figure::ClosedAtCommunityShare.of(&s), Value::Permille(Some(0)));
        assert_eq!(Figure::ClosedAtStreetShare.of(&s), Value::Permille(Some(750)));
        assert_eq!(Figure::AverageHandlingTime.of(&s), Value::Minutes(Some(75)));
        assert_eq!(Figure::AverageHandlingTime.of(&s).show(), "1.2 h");
        assert_eq!(Figure::Accepted.of(&Sums::default()).show(), "0");
        assert_eq!(Figure::SatisfactionRate.of(&Sums::default()).show(), "—");
        for f in Figure::ALL {
            assert!(!f.definition_zh().is_empty() && !f.definition_en().is_empty(), "{f:?} has its definition");
        }
    }
}
