//! What is written down about a dispute: its registration, its parties, each mediation session,
//! the agreement and the follow-up visits. Everything here is checked before it is stored, and
//! identifiers of parties appear only masked: the hash-chained history never holds a clear
//! identity or phone number (the store seals those separately).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::kinds::{
    DisputeType, FollowUpResult, MediationKind, RiskLevel, SessionMethod, SessionOutcome, Source, Tier,
};
use crate::DomainError;
use crate::area::AreaCode;
use crate::base::{CreditCode, IdNumber, Phone};
use crate::ids::{CaseId, MediationOrgId, MediatorId, ScreeningId};

crate::case::kinds::vocabulary!(
    /// A party's side in the dispute.
    PartyRole, "party_role", {
        /// 申请人
        Applicant = "applicant", "申请人", "Applicant";
        /// 被申请人
        Respondent = "respondent", "被申请人", "Respondent";
        /// 其他当事人
        Other = "other", "当事人", "Party";
    }
);

crate::case::kinds::vocabulary!(
    /// Whether a party is a person or an organisation.
    PartyKind, "party_kind", {
        /// 自然人
        Person = "person", "自然人", "Person";
        /// 法人或其他组织
        Entity = "entity", "法人/组织", "Legal entity";
    }
);

/// Money in fen (1/100 yuan), never negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Upper bound: ten billion yuan, beyond any mediated dispute, so sums of millions fit i64.
    const MAX: i64 = 1_000_000_000_000;

    /// Parses an amount in yuan as typed: `12000`, `12,000.5`, `12000.50`, `￥3000`.
    pub fn parse_yuan(text: &str) -> Result<Self, DomainError> {
        let bad = DomainError::invalid("money", "not_an_amount");
        let t: String = text.trim().trim_start_matches(['¥', '￥']).chars().filter(|c| *c != ',').collect();
        if t.is_empty() {
            return Ok(Self(0));
        }
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 11 {
            return Err(bad);
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad);
        }
        let yuan: i64 = whole.parse().map_err(|_| bad.clone())?;
        let fen: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad.clone())? };
        let total = yuan * 100 + fen;
        if total > Self::MAX { Err(DomainError::invalid("money", "out_of_range")) } else { Ok(Self(total)) }
    }

    /// Yuan with two decimals and thousands separators, e.g. `12,000.50`.
    pub fn yuan(self) -> String {
        format!("{}.{:02}", crate::stats::figures::thousands(self.0 / 100), self.0 % 100)
    }
}

/// A party as entered: identifiers in clear, to be sealed by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParty {
    /// Side.
    pub role: PartyRole,
    /// Person or organisation.
    pub kind: PartyKind,
    /// Name.
    pub name: String,
    /// Identity number (persons) or unified social credit code (entities), if given.
    pub identifier: Option<String>,
    /// Phone, if given.
    pub phone: Option<Phone>,
    /// Address, if given.
    pub address: Option<String>,
    /// The base-data record (resident or legal entity id) the party was taken from, if any.
    pub base_id: Option<String>,
}

/// A party as recorded in history and shown on screens: identifiers masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyRecord {
    /// Side.
    pub role: PartyRole,
    /// Person or organisation.
    pub kind: PartyKind,
    /// Name.
    pub name: String,
    /// Masked identity number or credit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_masked: Option<String>,
    /// Masked phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_masked: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Linked to a base-data record (a resident or legal entity on file).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_base: bool,
}

/// A checked party: the record for history plus the clear identifiers for sealing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedParty {
    /// What history and screens hold.
    pub record: PartyRecord,
    /// The normalised identifier in clear (identity number or credit code).
    pub identifier: Option<String>,
    /// The normalised phone in clear.
    pub phone: Option<String>,
}

/// A required text field, trimmed: refused when empty or longer than `max` characters.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let t = value.trim();
    if t.is_empty() {
        Err(DomainError::invalid(field, "required"))
    } else if t.chars().count() > max {
        Err(DomainError::invalid(field, "too_long"))
    } else {
        Ok(t.to_owned())
    }
}

fn optional(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(field, v, max).map(Some),
    }
}

impl NewParty {
    /// Checks the party: a name, an identifier valid for its kind, sensible lengths.
    pub fn check(&self, today: NaiveDate) -> Result<CheckedParty, DomainError> {
        let name = required_text("party_name", &self.name, 100)?;
        let identifier = match self.identifier.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(match self.kind {
                PartyKind::Person => {
                    let id = IdNumber::parse(raw, today).map_err(|_| DomainError::invalid("party_id", "bad_id"))?;
                    (id.as_str().to_owned(), id.masked())
                }
                PartyKind::Entity => {
                    let code =
                        CreditCode::parse(raw).map_err(|_| DomainError::invalid("party_id", "bad_credit_code"))?;
                    let c = code.as_str();
                    (c.to_owned(), format!("{}**********{}", &c[..4], &c[14..]))
                }
            }),
        };
        let address = optional("party_address", self.address.as_deref(), 200)?;
        Ok(CheckedParty {
            record: PartyRecord {
                role: self.role,
                kind: self.kind,
                name,
                id_masked: identifier.as_ref().map(|(_, m)| m.clone()),
                phone_masked: self.phone.as_ref().map(Phone::masked),
                address,
                from_base: self.base_id.is_some(),
            },
            identifier: identifier.map(|(clear, _)| clear),
            phone: self.phone.as_ref().map(|p| p.as_str().to_owned()),
        })
    }
}

/// A mediator named in history: the registry id and the name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediatorRef {
    /// Registry id.
    pub id: MediatorId,
    /// Name when recorded (filled in from the registry; callers may leave it empty).
    #[serde(default)]
    pub name: String,
}

/// A mediation organisation named in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRef {
    /// Registry id.
    pub id: MediationOrgId,
    /// Name when recorded (filled in from the registry; callers may leave it empty).
    #[serde(default)]
    pub name: String,
}

/// How a dispute came in, as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeIntake {
    /// Short title.
    pub title: String,
    /// Main facts and the matter in dispute (纠纷主要事实、争议事项).
    pub facts: String,
    /// Type.
    pub dispute_type: DisputeType,
    /// Risk level.
    pub risk: RiskLevel,
    /// Source.
    pub source: Source,
    /// Where the dispute is (a grid, community or higher).
    pub area: AreaCode,
    /// The tier that takes it first.
    pub tier: Tier,
    /// Money involved.
    #[serde(default)]
    pub money: Fen,
    /// The parties (at least two, or one with a respondent to be identified).
    pub parties: Vec<PartyRecord>,
    /// Kind of mediation.
    pub mediation_kind: MediationKind,
    /// The organisation that mediates, when known at registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgRef>,
    /// Mediators assigned at registration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mediators: Vec<MediatorRef>,
    /// The case this dispute came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseId>,
    /// The screening that found it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening: Option<ScreeningId>,
    /// The court's referral number (诉前委派号), for court referrals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court_ref: Option<String>,
}

impl DisputeIntake {
    /// Checks what the registration must hold; `Ok` leaves it trimmed.
    pub fn check(mut self) -> Result<Self, DomainError> {
        self.title = required_text("title", &self.title, 100)?;
        self.facts = required_text("facts", &self.facts, 5000)?;
        if self.parties.len() < 2 {
            return Err(DomainError::invalid("parties", "at_least_two"));
        }
        if self.parties.len() > 50 {
            return Err(DomainError::invalid("parties", "too_many"));
        }
        match (self.source, &self.case, &self.screening) {
            (Source::Case, None, _) => return Err(DomainError::invalid("case", "required")),
            (Source::Screening, _, None) => return Err(DomainError::invalid("screening", "required")),
            _ => {}
        }
        if self.source == Source::CourtReferral {
            self.court_ref = Some(required_text("court_ref", self.court_ref.as_deref().unwrap_or(""), 60)?);
        }
        if self.tier.area_for(&self.area).is_none() {
            // A dispute placed at the district cannot start in a village: there is none.
            return Err(DomainError::invalid("tier", "above_area"));
        }
        Ok(self)
    }
}

/// One mediation session as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// How.
    pub method: SessionMethod,
    /// Who mediated.
    pub mediators: Vec<MediatorRef>,
    /// Names of the parties who attended.
    pub parties_present: Vec<String>,
    /// What was said and done.
    pub notes: String,
    /// What it came to.
    pub outcome: SessionOutcome,
    /// The terms agreed (required for an agreement).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    /// How and by when the terms are carried out (required for an agreement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance: Option<String>,
    /// Next session planned (for a session to be continued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_on: Option<NaiveDate>,
}

impl Session {
    /// Checks a session against today's date and the dispute's party names.
    pub fn check(mut self, today: NaiveDate, party_names: &[&str]) -> Result<Self, DomainError> {
        if self.held_on > today {
            return Err(DomainError::invalid("held_on", "in_future"));
        }
        if self.mediators.is_empty() {
            return Err(DomainError::invalid("mediators", "required"));
        }
        if self.parties_present.iter().any(|p| !party_names.contains(&p.as_str())) {
            return Err(DomainError::invalid("parties_present", "not_a_party"));
        }
        self.notes = required_text("notes", &self.notes, 5000)?;
        self.terms = self.terms.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
        if self.terms.iter().any(|t| t.chars().count() > 1000) || self.terms.len() > 50 {
            return Err(DomainError::invalid("terms", "too_long"));
        }
        self.performance = optional("performance", self.performance.as_deref(), 1000)?;
        if self.outcome == SessionOutcome::Agreement {
            if self.terms.is_empty() {
                return Err(DomainError::invalid("terms", "required"));
            }
            if self.performance.is_none() {
                return Err(DomainError::invalid("performance", "required"));
            }
            if self.parties_present.is_empty() {
                return Err(DomainError::invalid("parties_present", "required"));
            }
        } else if !self.terms.is_empty() {
            return Err(DomainError::invalid("terms", "only_with_agreement"));
        }
        if self.next_on.is_some_and(|d| d < self.held_on) {
            return Err(DomainError::invalid("next_on", "before_session"));
        }
        Ok(self)
    }
}

/// A follow-up visit on whether an agreement was carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpVisit {
    /// The day of the visit.
    pub visited_on: NaiveDate,
    /// What was found.
    pub result: FollowUpResult,
    /// Notes.
    pub notes: String,
}

impl FollowUpVisit {
    /// Checks a follow-up.
    pub fn check(mut self, today: NaiveDate) -> Result<Self, DomainError> {
        if self.visited_on > today {
            return Err(DomainError::invalid("visited_on", "in_future"));
        }
        self.notes = required_text("notes", &self.notes, 2000)?;
        Ok(self)
    }
}

/// Days after an agreement by which its first follow-up is due, and between follow-ups of an
/// agreement partly carried out.
pub const FOLLOW_UP_AFTER_DAYS: u64 = 30;

/// Days after registration (or after the last session) by which the next session is due when no
/// date was planned. 人民调解法 practice: a dispute is mediated within a month of acceptance.
pub const SESSION_DUE_DAYS: u64 = 10;

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("d")
    }

    #[test]
    fn money_is_parsed_in_yuan_and_printed_with_separators() {
        assert_eq!(Fen::parse_yuan("12,000.5"), Ok(Fen(1_200_050)));
        assert_eq!(Fen::parse_yuan("￥3000"), Ok(Fen(300_000)));
        assert_eq!(Fen::parse_yuan(""), Ok(Fen(0)));
        assert_eq!(Fen::parse_yuan("-5"), Err(DomainError::invalid("money", "not_an_amount")));
        assert_eq!(Fen::parse_yuan("1.234"), Err(DomainError::invalid("money", "not_an_amount")));
        assert_eq!(Fen::parse_yuan("99999999999"), Err(DomainError::invalid("money", "out_of_range")));
        assert_eq!(Fen(1_200_050).yuan(), "12,000.50");
        assert_eq!(Fen(5).yuan(), "0.05");
        assert_eq!(Fen(12_345_678_900).yuan(), "123,456,789.00");
    }

    #[test]
    fn parties_keep_only_masked_identifiers() {
        let p = NewParty {
            role: PartyRole::Applicant,
            kind: PartyKind::Person,
            name: " 张三 ".into(),
            identifier: Some("11010519491231002X".into()),
            phone: Some(Phone::parse("13912345678").expect("phone")),
            address: None,
            base_id: None,
        };
        let c = p.check(day()).expect("valid");
        assert_eq!(c.record.name, "张三");
        let masked = c.record.id_masked.clone().expect("masked");
        assert!(!masked.contains("19491231"), "{masked}");
        assert_eq!(c.identifier.as_deref(), Some("11010519491231002X"));
        assert!(!serde_json::to_string(&c.record).expect("json").contains("13912345678"));
        let bad = NewParty { identifier: Some("110105194912310021".into()), ..p.clone() };
        assert_eq!(bad.check(day()), Err(DomainError::invalid("party_id", "bad_id")));
        let org = NewParty { kind: PartyKind::Entity, identifier: Some("91350100M000100Y43".into()), ..p };
        let c = org.check(day()).expect("credit code");
        assert_eq!(c.record.id_masked.as_deref(), Some("9135**********0Y43"));
    }

    fn session(outcome: SessionOutcome) -> Session {
        Session {
            held_on: day(),
            method: SessionMethod::InPerson,
            mediators: vec![MediatorRef { id: MediatorId::new(), name: "李调解".into() }],
            parties_present: vec!["张三".into(), "李四".into()],
            notes: "双方陈述".into(),
            outcome,
            terms: vec![],
            performance: None,
            next_on: None,
        }
    }

    #[test]
    fn an_agreement_needs_terms_and_performance_and_sessions_name_real_parties() {
        let names = ["张三", "李四"];
        assert!(session(SessionOutcome::Failed).check(day(), &names).is_ok());
        assert_eq!(
            session(SessionOutcome::Agreement).check(day(), &names),
            Err(DomainError::invalid("terms", "required"))
        );
        let mut s = session(SessionOutcome::Agreement);
        s.terms = vec!["李四赔偿张三 3000 元".into(), " ".into()];
        assert_eq!(s.clone().check(day(), &names), Err(DomainError::invalid("performance", "required")));
        s.performance = Some("2026年12月31日前一次付清".into());
        assert_eq!(s.clone().check(day(), &names).expect("ok").terms.len(), 1);
        let mut stranger = s.clone();
        stranger.parties_present.push("王五".into());
        assert_eq!(stranger.check(day(), &names), Err(DomainError::invalid("parties_present", "not_a_party")));
        let mut future = s;
        future.held_on = day().succ_opt().expect("d");
        assert_eq!(future.check(day(), &names), Err(DomainError::invalid("held_on", "in_future")));
        let mut noone = session(SessionOutcome::Continue);
        noone.mediators.clear();
        assert_eq!(noone.check(day(), &names), Err(DomainError::invalid("mediators", "required")));
    }
}
