//! What shiyu's Open311 face stores: connected clients and their keys, the extra questions each
//! service (category) asks, requests filed through a client (their answers, the client), and the
//! updates clients posted. A request is a case registered on the normal path inside the same
//! transaction as its Open311 rows; an update is a `comment` move on the case.

use std::collections::{BTreeMap, BTreeSet};

use chacha20poly1305::aead::OsRng;
use chacha20poly1305::aead::rand_core::RngCore;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{CaseSnapshot, CaseState, Event, Intake, Move};
use shiyu_domain::ids::{CaseId, UserId};
use shiyu_domain::open311::{Answer, AttributeDef, check_definitions, extended_status};
use shiyu_domain::role::Role;
use shiyu_domain::scope::{Binding, Principal};
use sqlx::Row;

use crate::cases::{Arg, ContactInput, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// A connected Open311 client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Open311Client {
    /// Id.
    pub id: String,
    /// Name (the system or app).
    pub name: String,
    /// The staff account it acts through.
    pub user_id: UserId,
    /// The key's first characters, to tell keys apart on screen.
    pub key_hint: String,
    /// Whether the key is accepted.
    pub active: bool,
}

/// A request as a client files it.
#[derive(Debug, Clone)]
pub struct Filing {
    /// The case as registered.
    pub intake: Intake,
    /// The reporter's contact, when a phone was given.
    pub contact: Option<ContactInput>,
    /// Checked answers to the service's questions.
    pub answers: Vec<Answer>,
    /// The client's own account id for the reporter.
    pub account_id: Option<String>,
}

/// What `GET requests` asks for.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// These request ids (case numbers) only; overrides every other filter.
    pub numbers: Vec<String>,
    /// Services (category codes), any of them; empty for all.
    pub services: Vec<String>,
    /// Registered at or after.
    pub from: Option<DateTime<Utc>>,
    /// Registered at or before.
    pub to: Option<DateTime<Utc>>,
    /// Any of these states; empty for all.
    pub states: Vec<CaseState>,
    /// The client asking (sees its own complaints too).
    pub client: Option<String>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// A request as listed: the case and whether the asking client filed it.
#[derive(Debug, Clone)]
pub struct ListedRequest {
    /// The case.
    pub case: CaseSnapshot,
    /// Filed by the client that asks.
    pub own: bool,
}

/// One update of a request as `GET servicerequestupdates` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestUpdate {
    /// `number-seq`.
    pub update_id: String,
    /// The request id (case number).
    pub service_request_id: String,
    /// Extended status after the update.
    pub status: &'static str,
    /// When.
    pub at: DateTime<Utc>,
    /// Public text: the move's label, the result once verified, or the information added.
    pub description: String,
}

/// The update id of an event.
pub fn update_id(number: &str, seq: u32) -> String {
    format!("{number}-{seq}")
}

/// Case states hidden from clients other than the filer, as SQL (ledgers `open311::published`
/// keeps back).
const HIDDEN_LEDGERS: &str = "('complaint')";

impl Store {
    /// Connects a client: a staff account bound to `area` that cannot sign in, and a new api_key,
    /// returned once (only its keyed hash is stored).
    pub async fn create_open311_client(
        &self,
        name: &str,
        area: &AreaCode,
        now: DateTime<Utc>,
    ) -> Result<(Open311Client, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(DomainError::invalid("name", "required").into());
        }
        let mut raw = [0u8; 24];
        OsRng.fill_bytes(&mut raw);
        let key: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let id = uuid::Uuid::now_v7().to_string();
        let username = format!("open311-{}", &key[..8]);
        // "!" is no password hash: the account cannot sign in; it only carries the client's moves.
        let user = self
            .create_user(
                &username,
                &format!("Open311：{name}"),
                Role::Operator,
                Binding::Area { area: area.clone() },
                "!",
                now,
            )
            .await?;
        let client = Open311Client {
            id: id.clone(),
            name: name.to_owned(),
            user_id: user.id,
            key_hint: key[..6].to_owned(),
            active: true,
        };
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO open311_clients (city, id, name, user_id, key_hash, key_hint, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
        )
        .bind(area.city_key().as_str())
        .bind(id.as_str())
        .bind(name)
        .bind(user.id.to_string())
        .bind(self.keyed_hash(&key))
        .bind(client.key_hint.as_str())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok((client, key))
    }

    /// The active client holding this key, and the principal it acts as.
    pub async fn open311_client(&self, api_key: &str) -> Result<Option<(Open311Client, Principal)>> {
        let row = sqlx::query(
            "SELECT id, name, user_id, key_hint, active FROM open311_clients WHERE key_hash = $1 AND active = 1",
        )
        .bind(self.keyed_hash(api_key.trim()))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let user_id = UserId(
            uuid::Uuid::parse_str(&r.try_get::<String, _>("user_id")?).map_err(|_| StorageError::Corrupt("user id"))?,
        );
        let user = self.user(user_id).await?;
        let client = Open311Client {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            user_id,
            key_hint: r.try_get("key_hint")?,
            active: r.try_get::<i64, _>("active")? == 1,
        };
        Ok(Some((client, user.principal())))
    }

    /// Every connected client.
    pub async fn open311_clients(&self) -> Result<Vec<Open311Client>> {
        let rows = sqlx::query("SELECT id, name, user_id, key_hint, active FROM open311_clients ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Open311Client {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    user_id: UserId(
                        uuid::Uuid::parse_str(&r.try_get::<String, _>("user_id")?)
                            .map_err(|_| StorageError::Corrupt("user id"))?,
                    ),
                    key_hint: r.try_get("key_hint")?,
                    active: r.try_get::<i64, _>("active")? == 1,
                })
            })
            .collect()
    }

    /// The extra questions of a service (category), in order.
    pub async fn service_attributes(&self, category: &str) -> Result<Vec<AttributeDef>> {
        let rows = sqlx::query("SELECT definition FROM service_attributes WHERE category = $1 ORDER BY ord")
            .bind(category)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(&r.try_get::<String, _>("definition")?)
                    .map_err(|_| StorageError::Corrupt("service attribute"))
            })
            .collect()
    }

    /// The categories that ask extra questions.
    pub async fn categories_with_attributes(&self) -> Result<BTreeSet<String>> {
        let rows = sqlx::query("SELECT DISTINCT category FROM service_attributes").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get("category")?)).collect()
    }

    /// Replaces a service's questions (checked as a whole first; nothing changes when refused).
    pub async fn set_service_attributes(&self, category: &str, defs: &[AttributeDef]) -> Result<()> {
        let code = shiyu_domain::case::CategoryCode::parse(category)
            .map_err(|_| DomainError::invalid("category", "unknown_category"))?;
        if !self.category_exists(&code).await? {
            return Err(DomainError::invalid("category", "unknown_category").into());
        }
        check_definitions(defs).map_err(|e| DomainError::invalid("attributes", e.reason))?;
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM service_attributes WHERE category = $1").bind(category).execute(&mut *w.tx).await?;
        for d in defs {
            sqlx::query("INSERT INTO service_attributes (category, code, ord, definition) VALUES ($1, $2, $3, $4)")
                .bind(category)
                .bind(d.code.as_str())
                .bind(i64::from(d.order))
                .bind(serde_json::to_string(d).map_err(|_| StorageError::Corrupt("service attribute"))?)
                .execute(&mut *w.tx)
                .await?;
        }
        w.tx.commit().await?;
        Ok(())
    }

    /// Files a request: the case on the normal registration path, its answers and the client,
    /// in one transaction.
    pub async fn register_open311(
        &self,
        client: &Open311Client,
        actor: &Principal,
        filing: Filing,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        let Filing { intake, contact, answers, account_id } = filing;
        let mut w = self.begin_write().await?;
        let snap = self.register_in(&mut w.tx, actor, intake, contact, now).await?;
        for a in &answers {
            sqlx::query("INSERT INTO case_attributes (case_id, code, vals) VALUES ($1, $2, $3)")
                .bind(snap.id.to_string())
                .bind(a.code.as_str())
                .bind(serde_json::to_string(&a.values).map_err(|_| StorageError::Corrupt("answer"))?)
                .execute(&mut *w.tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO open311_requests (case_id, client_id, account_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(snap.id.to_string())
        .bind(client.id.as_str())
        .bind(account_id.as_deref())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(snap)
    }

    /// A request's answers to its service's questions.
    pub async fn case_answers(&self, case_id: CaseId) -> Result<Vec<Answer>> {
        let rows = sqlx::query("SELECT code, vals FROM case_attributes WHERE case_id = $1 ORDER BY code")
            .bind(case_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Answer {
                    code: r.try_get("code")?,
                    values: serde_json::from_str(&r.try_get::<String, _>("vals")?)
                        .map_err(|_| StorageError::Corrupt("answer"))?,
                })
            })
            .collect()
    }

    /// Requests for `GET requests`: published cases (and the asking client's own), newest first.
    pub async fn open311_requests(&self, rq: &RequestQuery) -> Result<Vec<ListedRequest>> {
        let client = rq.client.clone().unwrap_or_default();
        let mut q = Query::new(
            "SELECT c.snapshot, r.client_id FROM cases c LEFT JOIN open311_requests r ON r.case_id = c.id WHERE ",
        );
        q.push(&format!("(c.ledger NOT IN {HIDDEN_LEDGERS} OR r.client_id = ?)"), Arg::Text(client.clone()));
        if rq.numbers.is_empty() {
            if let Some(from) = rq.from {
                q.push(" AND c.created_at >= ?", Arg::Int(ms(from)));
            }
            if let Some(to) = rq.to {
                q.push(" AND c.created_at <= ?", Arg::Int(ms(to)));
            }
            in_list(&mut q, "c.category", rq.services.iter().cloned());
            in_list(&mut q, "c.state", rq.states.iter().map(|s| s.as_str().to_owned()));
        } else {
            in_list(&mut q, "c.number", rq.numbers.iter().cloned());
        }
        q.raw(&format!(" ORDER BY c.created_at DESC LIMIT {}", rq.limit.min(1000)));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let case = serde_json::from_str(&r.try_get::<String, _>("snapshot")?)
                    .map_err(|_| StorageError::Corrupt("case"))?;
                let by: Option<String> = r.try_get("client_id")?;
                Ok(ListedRequest { case, own: !client.is_empty() && by.as_deref() == Some(client.as_str()) })
            })
            .collect()
    }

    /// Updates of published requests between two instants, oldest first, at most `limit`: each
    /// event that changed a request's extended status, reported its verified result, or added
    /// information. The status after an event is found by replaying the case's history.
    pub async fn open311_updates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RequestUpdate>> {
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT e.case_id FROM case_events e JOIN cases c ON c.id = e.case_id \
             WHERE e.at >= $1 AND e.at <= $2 AND c.ledger NOT IN {HIDDEN_LEDGERS}"
        ))
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id =
                CaseId::parse(&r.try_get::<String, _>("case_id")?).map_err(|_| StorageError::Corrupt("case id"))?;
            let events: Vec<Event> = sqlx::query("SELECT body FROM case_events WHERE case_id = $1 ORDER BY seq")
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Event::from_json(&r.try_get::<String, _>("body")?).map_err(|_| StorageError::Corrupt("event")))
                .collect::<Result<_>>()?;
            let Some((first, rest)) = events.split_first() else { continue };
            let mut snap = CaseSnapshot::genesis(id, first)?;
            for e in rest {
                let before = extended_status(&snap);
                snap.evolve(e)?;
                let after = extended_status(&snap);
                let description = match &e.change {
                    Move::Comment { text } => Some(text.clone()),
                    Move::Verify { .. } => Some(snap.result_text.clone().unwrap_or_default()),
                    _ if before != after => Some(e.change.label_zh().to_owned()),
                    _ => None,
                };
                if let Some(description) = description
                    && e.at >= from
                    && e.at <= to
                {
                    out.push(RequestUpdate {
                        update_id: update_id(snap.number.as_str(), e.seq),
                        service_request_id: snap.number.to_string(),
                        status: after,
                        at: e.at,
                        description,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.update_id.cmp(&b.update_id)));
        out.truncate(limit as usize);
        Ok(out)
    }

    /// Adds a client's update to a request as a `comment` move, once per client update id: a
    /// repeated post returns the first one's update id and changes nothing.
    pub async fn post_open311_update(
        &self,
        client: &Open311Client,
        actor: &Principal,
        case_id: CaseId,
        client_update_id: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, bool)> {
        let number = |s: &CaseSnapshot| s.number.to_string();
        let mut w = self.begin_write().await?;
        if let Some(r) = sqlx::query(
            "SELECT u.seq, c.number FROM open311_updates u JOIN cases c ON c.id = u.case_id \
             WHERE u.client_id = $1 AND u.client_update_id = $2",
        )
        .bind(client.id.as_str())
        .bind(client_update_id)
        .fetch_optional(&mut *w.tx)
        .await?
        {
            let seq: i64 = r.try_get("seq")?;
            let n: String = r.try_get("number")?;
            return Ok((format!("{n}-{seq}"), false));
        }
        let after = self.apply_in(&mut w.tx, actor, case_id, Move::Comment { text: text.to_owned() }, now).await?;
        sqlx::query("INSERT INTO open311_updates (client_id, client_update_id, case_id, seq) VALUES ($1, $2, $3, $4)")
            .bind(client.id.as_str())
            .bind(client_update_id)
            .bind(case_id.to_string())
            .bind(i64::from(after.last_seq))
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok((update_id(&number(&after), after.last_seq), true))
    }

    /// A published request (or the client's own) by its id (case number), for updates.
    pub async fn open311_case(&self, number: &str, client: Option<&str>) -> Result<Option<CaseSnapshot>> {
        let found = self
            .open311_requests(&RequestQuery {
                numbers: vec![number.to_owned()],
                client: client.map(str::to_owned),
                limit: 1,
                ..RequestQuery::default()
            })
            .await?;
        Ok(found.into_iter().next().map(|r| r.case))
    }

    /// Organisation and area names for listing requests, by id/code.
    pub async fn names_for(&self, cases: &[CaseSnapshot]) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for c in cases {
            if let Some(o) = c.lead_org
                && !out.contains_key(&o.to_string())
                && let Ok(org) = self.org(o).await
            {
                out.insert(o.to_string(), org.name);
            }
            for a in c.area.lineage() {
                if !out.contains_key(a.as_str())
                    && let Ok(area) = self.area(&a).await
                {
                    out.insert(a.to_string(), area.name);
                }
            }
        }
        Ok(out)
    }
}

/// `AND column IN (…)` for a non-empty list.
fn in_list(q: &mut Query, column: &str, values: impl Iterator<Item = String>) {
    let open = format!(" AND {column} IN (?");
    let mut first = true;
    for v in values {
        q.push(if first { open.as_str() } else { ", ?" }, Arg::Text(v));
        first = false;
    }
    if !first {
        q.raw(")");
    }
}
