//! The deadline policy table: which time limits a case gets, by ledger, category and urgency.
//!
//! Limits differ by locality and change with campaigns (a city may tighten complaint handling for a
//! quarter), so they are data an administrator edits, not code: a list of rules, each matching some
//! cases, plus a fallback. When several rules match, the most specific wins, so a general rule and a
//! few exceptions can be written without ordering puzzles.

use serde::{Deserialize, Serialize};

use super::calendar::WorkDuration;
use crate::DomainError;
use crate::case::{Ledger, Urgency};

/// The field name errors carry.
const FIELD: &str = "deadline_policy";

/// The three limits a case is held to, each counted from the step before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimits {
    /// From dispatch to the lead organisation signing for the case (签收).
    pub sign: WorkDuration,
    /// From dispatch to the result being reported (办结).
    pub handle: WorkDuration,
    /// From the result to the resident being asked about it (回访).
    pub revisit: WorkDuration,
}

/// One row of the table: the limits for cases matching every criterion it sets.
///
/// An unset criterion matches anything. Unknown keys are refused when read, because a misspelt
/// criterion (`"urgancy"`) would otherwise be dropped and the rule would match every case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    /// The ledger, if the rule is for one ledger only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Ledger>,
    /// A category code or a prefix of whole segments of one (`city.environment` matches
    /// `city.environment` and `city.environment.street_vendors`, but not `city.environmental`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_prefix: Option<String>,
    /// The urgency, if the rule is for one urgency only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// The limits given to matching cases.
    pub limits: TimeLimits,
}

impl PolicyRule {
    /// Whether the rule applies to a case.
    fn matches(&self, ledger: Ledger, category: &str, urgency: Urgency) -> bool {
        self.ledger.is_none_or(|l| l == ledger)
            && self.urgency.is_none_or(|u| u == urgency)
            && self.category_prefix.as_deref().is_none_or(|prefix| segment_prefix(prefix, category))
    }

    /// How specific the rule is; larger wins. A category is the strongest criterion because it
    /// says what the matter is; urgency comes next because it changes limits from days to hours.
    fn specificity(&self) -> (usize, bool, bool) {
        (self.category_prefix.as_deref().map_or(0, str::len), self.urgency.is_some(), self.ledger.is_some())
    }
}

/// Whether `prefix` is `category` or a leading run of its dot-separated segments.
fn segment_prefix(prefix: &str, category: &str) -> bool {
    category.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Whether a category prefix is well formed: non-empty segments joined by single dots.
fn valid_prefix(prefix: &str) -> bool {
    prefix.split('.').all(|segment| !segment.is_empty() && !segment.chars().any(char::is_whitespace))
}

/// The policy table: rules plus the limits for cases no rule matches.
///
/// Serialized as `{"rules": [...], "fallback": {...}}`; deserializing checks the table as
/// [`DeadlinePolicy::parse_json`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Table")]
pub struct DeadlinePolicy {
    /// The rules, in the administrator's order (which breaks ties).
    rules: Vec<PolicyRule>,
    /// The limits when no rule matches.
    fallback: TimeLimits,
}

/// The unchecked shape of a policy table, as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[serde(default)]
    rules: Vec<PolicyRule>,
    fallback: TimeLimits,
}

impl TryFrom<Table> for DeadlinePolicy {
    type Error = DomainError;

    fn try_from(table: Table) -> Result<Self, DomainError> {
        // A malformed prefix would silently match nothing; refusing it shows the typo at once.
        let malformed =
            table.rules.iter().filter_map(|rule| rule.category_prefix.as_deref()).any(|prefix| !valid_prefix(prefix));
        if malformed {
            return Err(DomainError::invalid(FIELD, "bad_category_prefix"));
        }
        Ok(DeadlinePolicy::new(table.rules, table.fallback))
    }
}

impl DeadlinePolicy {
    /// A table from rules (in order of precedence among equally specific rules) and a fallback.
    pub fn new(rules: Vec<PolicyRule>, fallback: TimeLimits) -> Self {
        Self { rules, fallback }
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[PolicyRule] {
        &self.rules
    }

    /// The limits when no rule matches.
    pub fn fallback(&self) -> TimeLimits {
        self.fallback
    }

    /// The limits for a case.
    ///
    /// Of the matching rules, the one with the longest category prefix wins; then one that sets
    /// urgency; then one that sets the ledger; then the earliest. With none matching, the fallback.
    pub fn lookup(&self, ledger: Ledger, category: &str, urgency: Urgency) -> TimeLimits {
        let mut best: Option<&PolicyRule> = None;
        for rule in self.rules.iter().filter(|r| r.matches(ledger, category, urgency)) {
            if best.is_none_or(|b| rule.specificity() > b.specificity()) {
                best = Some(rule);
            }
        }
        best.map_or(self.fallback, |rule| rule.limits)
    }

    /// Reads a table from JSON (the shape serde writes). Refused with field `deadline_policy` and
    /// reason `bad_json` (not JSON, wrong shape, unknown ledger or urgency) or
    /// `bad_category_prefix` (an empty segment, e.g. `city..roads` or `city.`).
    pub fn parse_json(text: &str) -> Result<Self, DomainError> {
        let table: Table = serde_json::from_str(text).map_err(|_| DomainError::invalid(FIELD, "bad_json"))?;
        DeadlinePolicy::try_from(table)
    }

    /// The defaults shipped with the platform, after common practice of Chinese 12345 hotlines and
    /// grid-management centres:
    ///
    /// | case | sign | handle | revisit |
    /// |---|---|---|---|
    /// | normal (fallback) | 1 working day | 15 working days | 3 working days |
    /// | complaint, normal | 1 working day | 10 working days | 3 working days |
    /// | event (grid), normal | 1 working day | 3 working days | 3 working days |
    /// | urgent | 4 working hours | 5 working days | 1 working day |
    /// | event, urgent | 4 working hours | 1 working day | 1 working day |
    /// | critical | 1 working hour | 7 working hours | 1 working day |
    ///
    /// Fifteen working days is the usual limit for handling a hotline request and complaints are
    /// held to less because a wrong is being done meanwhile. Grid events are found on the street by
    /// the platform's own workers, so they are handled in days. Critical cases get one working day
    /// (7 hours) rather than a calendar "24 hours", which in working time would be over three days.
    /// An urgent grid event gets one working day, because the general urgent limit (5 days) would
    /// be looser than a normal event's 3.
    pub fn standard() -> Self {
        use WorkDuration::{Days, Hours};
        let limits = |sign, handle, revisit| TimeLimits { sign, handle, revisit };
        let rule = |ledger, urgency, limits| PolicyRule { ledger, category_prefix: None, urgency, limits };
        DeadlinePolicy::new(
            vec![
                rule(Some(Ledger::Complaint), None, limits(Days(1), Days(10), Days(3))),
                rule(Some(Ledger::Event), None, limits(Days(1), Days(3), Days(3))),
                rule(None, Some(Urgency::Urgent), limits(Hours(4), Days(5), Days(1))),
                rule(Some(Ledger::Event), Some(Urgency::Urgent), limits(Hours(4), Days(1), Days(1))),
                rule(None, Some(Urgency::Critical), limits(Hours(1), Hours(7), Days(1))),
            ],
            limits(Days(1), Days(15), Days(3)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::calendar::WORKING_MINUTES_PER_DAY;
    use WorkDuration::{Days, Hours};

    fn limits(handle: WorkDuration) -> TimeLimits {
        TimeLimits { sign: Days(1), handle, revisit: Days(3) }
    }

    fn rule(ledger: Option<Ledger>, prefix: Option<&str>, urgency: Option<Urgency>, handle: u32) -> PolicyRule {
        PolicyRule { ledger, category_prefix: prefix.map(str::to_owned), urgency, limits: limits(Days(handle)) }
    }

    fn handle(policy: &DeadlinePolicy, ledger: Ledger, category: &str, urgency: Urgency) -> WorkDuration {
        policy.lookup(ledger, category, urgency).handle
    }

    /// A table where every rule gives a different handling limit, so the winner is visible.
    fn table() -> DeadlinePolicy {
        DeadlinePolicy::new(
            vec![
                rule(Some(Ledger::Complaint), None, None, 1),
                rule(None, None, Some(Urgency::Urgent), 2),
                rule(Some(Ledger::Complaint), None, Some(Urgency::Urgent), 3),
                rule(None, Some("city"), None, 4),
                rule(None, Some("city.environment"), None, 5),
                rule(None, Some("city.env"), Some(Urgency::Critical), 6),
                rule(Some(Ledger::Demand), Some("city.environment"), None, 7),
                rule(None, Some("city.environment"), None, 8),
            ],
            limits(Days(99)),
        )
    }

    #[test]
    fn nothing_matching_gives_the_fallback() {
        let p = table();
        assert_eq!(handle(&p, Ledger::Suggestion, "rural.roads", Urgency::Normal), Days(99));
        assert_eq!(p.fallback(), limits(Days(99)));
        assert_eq!(p.rules().len(), 8);
    }

    #[test]
    fn urgency_beats_ledger_and_both_beat_either() {
        let p = table();
        assert_eq!(handle(&p, Ledger::Complaint, "rural.roads", Urgency::Normal), Days(1));
        assert_eq!(handle(&p, Ledger::Demand, "rural.roads", Urgency::Urgent), Days(2));
        assert_eq!(handle(&p, Ledger::Complaint, "rural.roads", Urgency::Urgent), Days(3));
    }

    #[test]
    fn longer_prefix_beats_everything_else() {
        let p = table();
        assert_eq!(handle(&p, Ledger::Complaint, "city.roads", Urgency::Urgent), Days(4));
        assert_eq!(handle(&p, Ledger::Complaint, "city.environment.street_vendors", Urgency::Urgent), Days(5));
        assert_eq!(handle(&p, Ledger::Suggestion, "city.environment", Urgency::Normal), Days(5));
        // Same prefix: the ledger decides; then the earlier of two equal rules (5, not 8).
        assert_eq!(handle(&p, Ledger::Demand, "city.environment.noise", Urgency::Normal), Days(7));
        assert_eq!(handle(&p, Ledger::Event, "city.environment.noise", Urgency::Normal), Days(5));
    }

    #[test]
    fn prefixes_match_whole_segments_only() {
        let p = table();
        // "city.env" must not match "city.environment…": the critical rule 6 stays out.
        assert_eq!(handle(&p, Ledger::Event, "city.environment.noise", Urgency::Critical), Days(5));
        assert_eq!(handle(&p, Ledger::Event, "city.env", Urgency::Critical), Days(6));
        assert_eq!(handle(&p, Ledger::Event, "city.env.noise", Urgency::Critical), Days(6));
        assert_eq!(handle(&p, Ledger::Event, "cityscape", Urgency::Normal), Days(99));
        assert!(segment_prefix("city", "city"));
        assert!(segment_prefix("city", "city.a"));
        assert!(!segment_prefix("city.a", "city"));
        assert!(!segment_prefix("city.a", "city.ab"));
    }

    #[test]
    fn standard_table() {
        let p = DeadlinePolicy::standard();
        let get = |ledger, urgency| p.lookup(ledger, "city.environment.street_vendors", urgency);
        assert_eq!(
            get(Ledger::Demand, Urgency::Normal),
            TimeLimits { sign: Days(1), handle: Days(15), revisit: Days(3) }
        );
        assert_eq!(get(Ledger::Suggestion, Urgency::Normal).handle, Days(15));
        assert_eq!(get(Ledger::Complaint, Urgency::Normal).handle, Days(10));
        assert_eq!(get(Ledger::Event, Urgency::Normal).handle, Days(3));
        assert_eq!(
            get(Ledger::Demand, Urgency::Urgent),
            TimeLimits { sign: Hours(4), handle: Days(5), revisit: Days(1) }
        );
        assert_eq!(get(Ledger::Complaint, Urgency::Urgent).handle, Days(5));
        assert_eq!(get(Ledger::Event, Urgency::Urgent).handle, Days(1));
        for ledger in Ledger::ALL {
            assert_eq!(
                get(*ledger, Urgency::Critical),
                TimeLimits { sign: Hours(1), handle: Hours(7), revisit: Days(1) }
            );
        }
    }

    #[test]
    fn standard_limits_shrink_as_urgency_rises() {
        // Days(n) runs up to the close of the n-th day, so n days is at least n working days.
        let minutes = |d: WorkDuration| match d {
            Days(n) => i64::from(n) * WORKING_MINUTES_PER_DAY,
            Hours(n) => i64::from(n) * 60,
        };
        let p = DeadlinePolicy::standard();
        for ledger in Ledger::ALL {
            let [normal, urgent, critical] =
                [Urgency::Normal, Urgency::Urgent, Urgency::Critical].map(|u| p.lookup(*ledger, "x", u));
            for pick in [|l: TimeLimits| l.sign, |l: TimeLimits| l.handle, |l: TimeLimits| l.revisit] {
                assert!(minutes(pick(urgent)) <= minutes(pick(normal)), "{ledger}");
                assert!(minutes(pick(critical)) <= minutes(pick(urgent)), "{ledger}");
            }
        }
    }

    #[test]
    fn json_round_trip() {
        for p in [DeadlinePolicy::standard(), table()] {
            let text = serde_json::to_string(&p).expect("serializes");
            assert_eq!(DeadlinePolicy::parse_json(&text).expect("parses"), p);
            let back: DeadlinePolicy = serde_json::from_str(&text).expect("deserializes");
            assert_eq!(back, p);
        }
    }

    #[test]
    fn json_written_by_hand() {
        let text = r#"{
            "rules": [
                {"ledger": "complaint", "category_prefix": "city.environment",
                 "limits": {"sign": {"hours": 2}, "handle": {"days": 5}, "revisit": {"days": 1}}}
            ],
            "fallback": {"sign": {"days": 1}, "handle": {"days": 15}, "revisit": {"days": 3}}
        }"#;
        let p = DeadlinePolicy::parse_json(text).expect("valid");
        assert_eq!(p.lookup(Ledger::Complaint, "city.environment.noise", Urgency::Urgent).sign, Hours(2));
        assert_eq!(p.lookup(Ledger::Demand, "city.environment.noise", Urgency::Urgent).sign, Days(1));
        let only_fallback = r#"{"fallback": {"sign": {"days": 1}, "handle": {"days": 15}, "revisit": {"days": 3}}}"#;
        assert!(DeadlinePolicy::parse_json(only_fallback).expect("valid").rules().is_empty());
    }

    #[test]
    fn json_refusals() {
        let limits = r#"{"sign": {"days": 1}, "handle": {"days": 15}, "revisit": {"days": 3}}"#;
        let with_rule = |rule: &str| format!(r#"{{"rules": [{rule}], "fallback": {limits}}}"#);
        let reason = |text: &str| match DeadlinePolicy::parse_json(text) {
            Err(DomainError::Invalid { field: "deadline_policy", reason }) => reason,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(reason("not json"), "bad_json");
        assert_eq!(reason("{}"), "bad_json");
        assert_eq!(reason(&with_rule(&format!(r#"{{"ledger": "gossip", "limits": {limits}}}"#))), "bad_json");
        assert_eq!(reason(&with_rule(&format!(r#"{{"urgancy": "urgent", "limits": {limits}}}"#))), "bad_json");
        assert_eq!(reason(&with_rule("").replace("\"rules\"", "\"rulez\"")), "bad_json");
        assert_eq!(
            reason(&with_rule(r#"{"limits": {"sign": {"weeks": 1}, "handle": {"days": 1}, "revisit": {"days": 1}}}"#)),
            "bad_json"
        );
        for prefix in ["", "city.", ".city", "city..roads", "city. roads"] {
            let text = with_rule(&format!(r#"{{"category_prefix": "{prefix}", "limits": {limits}}}"#));
            assert_eq!(reason(&text), "bad_category_prefix", "{prefix:?}");
        }
    }
}
