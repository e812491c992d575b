//! Parties from base data: a party named by a resident's or legal entity's base-data id, or whose
//! identity number or credit code is on file, is completed from that record (phone, address) and
//! linked to it, when the person registering may see that record (DESIGN §2); otherwise the party
//! stays as typed and nothing about the record is revealed.

use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::access::{self, BaseAct};
use shiyu_domain::base::{CreditCode, IdNumber, Phone};
use shiyu_domain::dispute::{NewParty, PartyKind};
use shiyu_domain::scope::Principal;
use sqlx::Row;

use crate::crypto;
use crate::db::Store;
use crate::error::Result;

/// What base data holds of a party.
struct OnFile {
    id: String,
    name: String,
    identifier: String,
    phone: Option<String>,
    address: Option<String>,
    grid: Option<String>,
}

impl Store {
    async fn resident_on_file(&self, city: &str, key: (&str, &str)) -> Result<Option<OnFile>> {
        let sql = format!(
            "SELECT r.id, r.name, r.id_sealed, r.phone_sealed, r.grid_code, \
             h.address, h.building, h.unit, h.room FROM residents r LEFT JOIN houses h ON h.id = r.house_id \
             WHERE r.city = $1 AND r.{} = $2",
            key.0
        );
        let Some(r) = sqlx::query(&sql).bind(city).bind(key.1).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let address = match r.try_get::<Option<String>, _>("address")? {
            Some(a) => Some(format!(
                "{a}{}{}{}",
                r.try_get::<Option<String>, _>("building")?.unwrap_or_default(),
                r.try_get::<Option<String>, _>("unit")?.unwrap_or_default(),
                r.try_get::<Option<String>, _>("room")?.unwrap_or_default()
            )),
            None => None,
        };
        Ok(Some(OnFile {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            identifier: crypto::open(&self.secret, &r.try_get::<String, _>("id_sealed")?)?,
            phone: r
                .try_get::<Option<String>, _>("phone_sealed")?
                .map(|s| crypto::open(&self.secret, &s))
                .transpose()?,
            address,
            grid: Some(r.try_get("grid_code")?),
        }))
    }

    async fn entity_on_file(&self, city: &str, key: (&str, &str)) -> Result<Option<OnFile>> {
        let sql = format!(
            "SELECT id, name, credit_code, address, grid_code FROM entities WHERE city = $1 AND {} = $2",
            key.0
        );
        let Some(r) = sqlx::query(&sql).bind(city).bind(key.1).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some(OnFile {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            identifier: r.try_get("credit_code")?,
            phone: None,
            address: Some(r.try_get::<String, _>("address")?).filter(|a| !a.is_empty()),
            grid: r.try_get("grid_code")?,
        }))
    }

    /// Completes `p` from base data and sets its `base_id` when a visible record matches.
    pub(crate) async fn party_from_base(&self, actor: &Principal, city: &str, p: &mut NewParty) -> Result<()> {
        let person = p.kind == PartyKind::Person;
        let found = match (p.base_id.as_deref(), p.identifier.as_deref()) {
            (Some(id), _) => {
                let f = if person {
                    self.resident_on_file(city, ("id", id)).await?
                } else {
                    self.entity_on_file(city, ("id", id)).await?
                };
                Some(f.ok_or(DomainError::invalid("party_base", "unknown_record"))?)
            }
            (None, Some(raw)) if person => match IdNumber::parse(raw, chrono::NaiveDate::MAX) {
                Ok(n) => self.resident_on_file(city, ("id_hash", &self.keyed_hash(n.as_str()))).await?,
                Err(_) => None,
            },
            (None, Some(raw)) => match CreditCode::parse(raw) {
                Ok(c) => self.entity_on_file(city, ("credit_code", c.as_str())).await?,
                Err(_) => None,
            },
            (None, None) => None,
        };
        let Some(f) = found else { return Ok(()) };
        // The city's own records (no grid) are visible to whoever may list the city's base data.
        let grid = f.grid.as_deref().and_then(|g| AreaCode::parse(g).ok());
        let visible = match &grid {
            Some(g) => access::may(actor, BaseAct::List, g),
            None => access::base_root(actor, BaseAct::List)
                .is_some_and(|r| r.level() == shiyu_domain::area::AreaLevel::City),
        };
        if !visible {
            // Named explicitly: refuse; matched by identifier: keep the party as typed.
            if p.base_id.is_some() {
                return Err(DomainError::invalid("party_base", "out_of_scope").into());
            }
            return Ok(());
        }
        let typed = p.name.trim();
        if !typed.is_empty() && typed != f.name {
            return Err(DomainError::invalid("party_name", "differs_from_base_data").into());
        }
        p.name.clone_from(&f.name);
        p.identifier = Some(f.identifier);
        if p.phone.is_none() {
            p.phone = f.phone.as_deref().and_then(|ph| Phone::parse(ph).ok());
        }
        if p.address.as_deref().is_none_or(|a| a.trim().is_empty()) {
            p.address = f.address;
        }
        p.base_id = Some(f.id);
        Ok(())
    }
}
