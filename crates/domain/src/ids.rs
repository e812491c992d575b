//! Identifiers. Each kind of record has its own newtype so that a user id can never be passed
//! where a case id is expected. Keys are UUIDv7 made by the application (portable across SQLite,
//! PostgreSQL and distributed engines; time-ordered for index locality).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Parses the hyphenated text form.
            pub fn parse(text: &str) -> Result<Self, DomainError> {
                Uuid::parse_str(text)
                    .map(Self)
                    .map_err(|_| DomainError::invalid(stringify!($name), "not_a_uuid"))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A case (诉求/事件).
    CaseId
);
uuid_id!(
    /// A user account.
    UserId
);
uuid_id!(
    /// An organisation: a functional department or a governance centre.
    OrgId
);
uuid_id!(
    /// A stored attachment.
    AttachmentId
);
uuid_id!(
    /// A dispute (矛盾纠纷).
    DisputeId
);
uuid_id!(
    /// A mediation organisation (调解组织).
    MediationOrgId
);
uuid_id!(
    /// A mediator in the registry.
    MediatorId
);
uuid_id!(
    /// A screening session (排查).
    ScreeningId
);
uuid_id!(
    /// A deliberation proposal (议事协商事项).
    ProposalId
);
uuid_id!(
    /// A resident's comment on a proposal.
    ProposalCommentId
);
uuid_id!(
    /// A registered volunteer (志愿者).
    VolunteerId
);
uuid_id!(
    /// A volunteer team (志愿服务队).
    TeamId
);
uuid_id!(
    /// A volunteer activity or meeting.
    ActivityId
);
uuid_id!(
    /// Goods of a points shop.
    GoodsId
);
uuid_id!(
    /// A redemption of points for goods.
    RedemptionId
);

/// The city a record belongs to. Every table carries it so that a province-wide deployment can
/// shard by city. It is the city's 4-digit division-code prefix, e.g. `3201`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CityKey(String);

impl CityKey {
    /// Parses a 4-digit city prefix.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::invalid("city", "not_a_city_code"))
        }
    }
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The human-readable case number, `YYYY-MMDD-NNNNNN` in Shanghai local date, e.g. `2026-0421-000153`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseNumber(String);

impl CaseNumber {
    /// Builds the number for the `serial`-th case of a local date.
    pub fn new(date: chrono::NaiveDate, serial: u32) -> Self {
        Self(format!("{}-{:06}", date.format("%Y-%m%d"), serial))
    }
    /// Parses and checks the shape of a number typed by a person.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let b = t.as_bytes();
        let ok = b.len() == 16
            && b[4] == b'-'
            && b[9] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 9 || c.is_ascii_digit());
        if ok { Ok(Self(t.to_owned())) } else { Err(DomainError::invalid("number", "not_a_case_number")) }
    }
    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_number_round_trips_and_rejects_bad_shapes() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 4, 21).expect("date");
        let n = CaseNumber::new(d, 153);
        assert_eq!(n.as_str(), "2026-0421-000153");
        assert_eq!(CaseNumber::parse(" 2026-0421-000153 "), Ok(n));
        for bad in ["2026-421-000153", "2026-0421-00015a", "20260421000153", ""] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn city_key_is_four_digits() {
        assert!(CityKey::parse("3201").is_ok());
        assert!(CityKey::parse("320").is_err());
        assert!(CityKey::parse("32a1").is_err());
    }
}
