//! Cases: the one-transaction write path and the scoped reads.
//!
//! A change flows one way: the caller's principal → scope check → domain decision → one
//! transaction writing the case row, the hash-chained event, counters, notifications and outbox.
//! Nothing is acknowledged before the commit returns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::notice::{Recipient, notices};
use shiyu_domain::case::{CaseSnapshot, CaseState, Ctx, Event, Intake, Move, Reporter, decide, register};
use shiyu_domain::ids::{CaseId, CaseNumber, OrgId, UserId};
use shiyu_domain::scope::{Principal, Scope};
use shiyu_domain::{DomainError, time};
use sqlx::any::AnyArguments;
use sqlx::{Any, Row};

use crate::base::V;
use crate::crypto;
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::group_commit::Insert;
use crate::sql::{from_ms, ms};

/// A reporter's contact as given at intake.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ContactInput {
    /// Name as given.
    pub name: String,
    /// Phone number (mainland mobile or landline digits).
    pub phone: String,
}

impl ContactInput {
    /// How the contact is shown once stored: the name trimmed, the phone masked (as
    /// [`Store::case_record`] would read it back).
    pub fn view(&self) -> ContactView {
        let digits: String = self.phone.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        ContactView { name: self.name.trim().to_owned(), phone_masked: crypto::mask_phone(&digits) }
    }
}

/// A reporter's contact as shown: masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactView {
    /// Name.
    pub name: String,
    /// Masked phone, e.g. `138****5678`.
    pub phone_masked: String,
}

/// A case with what screens show beside it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    /// The case.
    pub case: CaseSnapshot,
    /// The reporter's masked contact, if any.
    pub contact: Option<ContactView>,
}

/// The live counts a board shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LiveCounts {
    /// Open cases.
    pub open: i64,
    /// Open cases past their deadline.
    pub overdue: i64,
    /// Open cases under supervision.
    pub supervised: i64,
}

/// A case line in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    /// Id.
    pub id: CaseId,
    /// Number.
    pub number: String,
    /// State.
    pub state: CaseState,
    /// Ledger.
    pub ledger: String,
    /// Category code.
    pub category: String,
    /// Channel.
    pub channel: String,
    /// Urgency.
    pub urgency: String,
    /// Title.
    pub title: String,
    /// Leaf area.
    pub area_code: String,
    /// Responsible centre.
    pub handling_area: String,
    /// Lead organisation.
    pub lead_org: Option<String>,
    /// Supervision line.
    pub supervision: Option<String>,
    /// Deadline of the current stage.
    pub due_at: Option<DateTime<Utc>>,
    /// Registered at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Filters of a case list. All optional; combined with AND and always inside the caller's scope.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CaseFilter {
    /// Only these states.
    #[serde(default)]
    pub states: Vec<CaseState>,
    /// Only cases whose responsible centre is this area.
    pub handling_area: Option<AreaCode>,
    /// Only cases whose lead organisation is this one.
    pub lead_org: Option<OrgId>,
    /// Only open cases whose stage deadline is before this instant (overdue board).
    pub due_before: Option<DateTime<Utc>>,
    /// Only supervised cases.
    #[serde(default)]
    pub supervised: bool,
    /// Title contains this text.
    pub title_contains: Option<String>,
    /// Only cases whose place lies in this area's subtree (the map's click-through).
    pub area: Option<AreaCode>,
    /// Only cases whose point lies in no grid (for the centre to place).
    #[serde(default)]
    pub off_grid: bool,
    /// Only cases of this category or one below it (an early-warning alert's click-through).
    #[serde(default)]
    pub category: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u32>,
}

/// A dynamic query with `$n` placeholders, valid on both engines.
pub(crate) struct Query {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

impl Query {
    pub(crate) fn new(sql: &str) -> Self {
        Self { sql: sql.to_owned(), args: Vec::new() }
    }
    /// Appends SQL in which `?` stands for the next argument.
    pub(crate) fn push(&mut self, fragment: &str, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.sql.push_str(&fragment.replace('?', &format!("${}", self.args.len())));
        self
    }
    pub(crate) fn raw(&mut self, fragment: &str) -> &mut Self {
        self.sql.push_str(fragment);
        self
    }
    pub(crate) fn scope(&mut self, scope: &Scope) -> &mut Self {
        match scope {
            Scope::Subtree(root) => self.within("c.area_code", root.scope_prefix()),
            Scope::Organisation(org) => {
                self.push(" AND c.id IN (SELECT case_id FROM case_orgs WHERE org_id = ?)", Arg::Text(org.to_string()))
            }
            Scope::Own(user) => self.push(" AND c.reporter_user = ?", Arg::Text(user.to_string())),
            Scope::Case(id) => self.push(" AND c.id = ?", Arg::Text(id.to_string())),
        }
    }
    /// `AND column` starts with the digit `prefix`, as an index range.
    pub(crate) fn within(&mut self, column: &str, prefix: &str) -> &mut Self {
        match crate::sql::prefix_range(prefix) {
            (low, Some(high)) => {
                self.push(&format!(" AND {column} >= ?"), Arg::Text(low));
                self.push(&format!(" AND {column} < ?"), Arg::Text(high))
            }
            (low, None) => self.push(&format!(" AND {column} >= ?"), Arg::Text(low)),
        }
    }
    pub(crate) fn build(&self) -> sqlx::query::Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// A case row ([`case_row`]).
pub(crate) static CASE_ROW: Insert = Insert {
    table: "cases",
    cols: &[
        "city",
        "id",
        "number",
        "state",
        "ledger",
        "category",
        "channel",
        "urgency",
        "title",
        "area_code",
        "handling_area",
        "lead_org",
        "reporter_user",
        "supervision",
        "due_at",
        "created_at",
        "updated_at",
        "last_seq",
        "last_hash",
        "snapshot",
        "lon",
        "lat",
        "off_grid",
    ],
    suffix: "",
};

static CONTACT_ROW: Insert = Insert {
    table: "case_contacts",
    cols: &["city", "case_id", "name", "phone_sealed", "phone_hash", "phone_masked"],
    suffix: "",
};

static EVENT_ROW: Insert = Insert {
    table: "case_events",
    cols: &["city", "case_id", "seq", "at", "actor_user", "kind", "body", "prev_hash", "hash"],
    suffix: "",
};

static NOTICE_ROW: Insert = Insert {
    table: "notifications",
    cols: &["city", "id", "user_id", "org_id", "area_code", "case_id", "kind", "body", "created_at"],
    suffix: "",
};

/// The row of a case whose last event hashed to `last_hash`, columns as [`CASE_ROW`].
pub(crate) fn case_row(snap: &CaseSnapshot, last_hash: &str) -> Result<Vec<V>> {
    Ok(vec![
        V::T(Some(snap.area.city_key().as_str().to_owned())),
        V::T(Some(snap.id.to_string())),
        V::T(Some(snap.number.as_str().to_owned())),
        V::T(Some(snap.state.as_str().to_owned())),
        V::T(Some(snap.ledger.as_str().to_owned())),
        V::T(Some(snap.category.as_str().to_owned())),
        V::T(Some(snap.channel.as_str().to_owned())),
        V::T(Some(snap.urgency.as_str().to_owned())),
        V::T(Some(snap.title.clone())),
        V::T(Some(snap.area.to_string())),
        V::T(Some(snap.handling_area.to_string())),
        V::T(snap.lead_org.map(|o| o.to_string())),
        V::T(snap.reporter_user().map(|u| u.to_string())),
        V::T(snap.supervision.map(|s| s.as_str().to_owned())),
        V::N(snap.current_due().map(ms)),
        V::I(ms(snap.created_at)),
        V::I(ms(snap.updated_at)),
        V::I(i64::from(snap.last_seq)),
        V::T(Some(last_hash.to_owned())),
        V::T(Some(serde_json::to_string(snap).map_err(|_| StorageError::Corrupt("case"))?)),
        V::F(snap.location.map(|p| p.lon)),
        V::F(snap.location.map(|p| p.lat)),
        V::I(i64::from(snap.off_grid)),
    ])
}

#[expect(clippy::too_many_arguments, reason = "one row's columns")]
fn notice_row(
    city: &str,
    user: Option<String>,
    org: Option<String>,
    area: Option<String>,
    case_id: &str,
    kind: &str,
    text: &str,
    at: DateTime<Utc>,
) -> Vec<V> {
    vec![
        V::T(Some(city.to_owned())),
        V::T(Some(uuid::Uuid::now_v7().to_string())),
        V::T(user),
        V::T(org),
        V::T(area),
        V::T(Some(case_id.to_owned())),
        V::T(Some(kind.to_owned())),
        V::T(Some(text.to_owned())),
        V::I(ms(at)),
    ]
}

/// The next case number of (city, day). In a group commit the batch reads the day's last number
/// once (creating and, on PostgreSQL, locking its row), counts on in memory and writes the last
/// one issued at its commit; a refused registration gives its number back.
async fn next_serial(tx: &mut sqlx::Transaction<'static, Any>, city: &str, day: &str) -> Result<i64> {
    let key = (city.to_owned(), day.to_owned());
    if !crate::group_commit::batching() {
        let next = sqlx::query(
            "INSERT INTO case_serials (city, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (city, day) DO UPDATE SET last = case_serials.last + 1 RETURNING last",
        )
        .bind(city)
        .bind(day)
        .fetch_one(&mut **tx)
        .await?
        .try_get("last")?;
        return Ok(next);
    }
    let last = match crate::group_commit::last_serial(&key) {
        Some(n) => n,
        None => sqlx::query(
            "INSERT INTO case_serials (city, day, last) VALUES ($1, $2, 0) \
             ON CONFLICT (city, day) DO UPDATE SET last = case_serials.last RETURNING last",
        )
        .bind(city)
        .bind(day)
        .fetch_one(&mut **tx)
        .await?
        .try_get("last")?,
    };
    crate::group_commit::issue_serial(key, last + 1);
    Ok(last + 1)
}

pub(crate) const OPEN_STATES: &str =
    "('registered','pending_review','accepted','dispatched','in_progress','handled','revisit')";

fn normalise_phone(phone: &str) -> std::result::Result<String, DomainError> {
    let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if ok { Ok(digits) } else { Err(DomainError::invalid("phone", "not_a_phone_number")) }
}

pub(crate) fn parse_snapshot(text: &str) -> Result<CaseSnapshot> {
    serde_json::from_str(text).map_err(|_| StorageError::Corrupt("case"))
}

impl Store {
    fn ctx<'a>(&'a self, actor: &'a Principal, now: DateTime<Utc>) -> Ctx<'a> {
        Ctx { actor, now, calendar: &self.rules.calendar, policy: &self.rules.policy, rules: &self.rules.case }
    }

    /// Registers a new case (分类建账) in one transaction and returns it.
    pub async fn register_case(
        &self,
        actor: &Principal,
        intake: Intake,
        contact: Option<ContactInput>,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        self.register_case_judged(actor, intake, contact, now, None).await
    }

    /// Registers a new case and, in the same transaction, judges the routing model's proposed
    /// category against the one registered (`routing_feedback`).
    pub async fn register_case_judged(
        &self,
        actor: &Principal,
        intake: Intake,
        contact: Option<ContactInput>,
        now: DateTime<Utc>,
        proposed_category: Option<String>,
    ) -> Result<CaseSnapshot> {
        // References are read before queueing, off the group commit's serial path.
        self.check_intake_refs(actor, &intake).await?;
        let (store, actor) = (self.clone(), actor.clone());
        // Every write of a registration is deferred to the batch's commit; it refuses (a bad
        // contact, a rule of the domain) before any.
        self.write(move |tx| {
            Box::pin(async move {
                let snap = store.register_checked_in(tx, &actor, intake, contact, now).await?;
                if let Some(p) = proposed_category {
                    crate::routing::feedback_in(tx, snap.id, "category", &p, snap.category.as_str(), now).await?;
                }
                Ok(snap)
            })
        })
        .await
    }

    /// Registration inside a caller's transaction.
    pub(crate) async fn register_in(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        actor: &Principal,
        intake: Intake,
        contact: Option<ContactInput>,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        self.check_intake_refs(actor, &intake).await?;
        self.register_checked_in(tx, actor, intake, contact, now).await
    }

    /// The area, category and attachments an intake names exist (and the attachments are the
    /// actor's own).
    async fn check_intake_refs(&self, actor: &Principal, intake: &Intake) -> Result<()> {
        let known = |set: &std::sync::RwLock<std::collections::HashSet<String>>, code: &str| {
            set.read().is_ok_and(|s| s.contains(code))
        };
        let (area, category) = (intake.area.as_str(), intake.category.as_str());
        if !(known(&self.known.areas, area) && known(&self.known.categories, category)) {
            // One statement for both; what exists is remembered (see `Known`).
            let row = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM areas WHERE code = $1) AS areas, \
                 (SELECT COUNT(*) FROM categories WHERE code = $2) AS categories",
            )
            .bind(area)
            .bind(category)
            .fetch_one(&self.pool)
            .await?;
            if row.try_get::<i64, _>("areas")? == 0 {
                return Err(DomainError::invalid("area_code", "unknown_area").into());
            }
            if row.try_get::<i64, _>("categories")? == 0 {
                return Err(DomainError::invalid("category", "unknown_category").into());
            }
            if let (Ok(mut a), Ok(mut c)) = (self.known.areas.write(), self.known.categories.write()) {
                a.insert(area.to_owned());
                c.insert(category.to_owned());
            }
        }
        self.check_own_attachments(actor, &intake.attachments).await
    }

    /// Registration inside a caller's transaction, its references already checked.
    async fn register_checked_in(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        actor: &Principal,
        intake: Intake,
        contact: Option<ContactInput>,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        let contact = match (&intake.reporter, contact) {
            (Reporter::Contact, Some(c)) => {
                let name = c.name.trim().to_owned();
                if name.is_empty() || name.chars().count() > 60 {
                    return Err(DomainError::invalid("contact.name", "required").into());
                }
                Some((name, normalise_phone(&c.phone)?))
            }
            (Reporter::Contact, None) => {
                return Err(DomainError::invalid("contact", "required").into());
            }
            (_, Some(_)) => {
                return Err(DomainError::invalid("contact", "only_with_contact_reporter").into());
            }
            (_, None) => None,
        };
        let attachments = intake.attachments.clone();
        let id = CaseId::new();
        let city = intake.area.city_key();
        let day = time::local_date(now);
        let serial = next_serial(tx, city.as_str(), &day.to_string()).await?;
        let number = CaseNumber::new(day, u32::try_from(serial).map_err(|_| StorageError::Corrupt("serial"))?);
        let (snap, mut event) = register(id, number, intake, &self.ctx(actor, now))?;
        let phone = contact.as_ref().map(|(_, p)| self.keyed_hash(p));
        if self.repeats_earlier(tx, &snap, phone.as_deref(), now).await? {
            event.effects.repeat = Some(true);
        }
        crate::group_commit::remember(crate::group_commit::Recent {
            area: snap.area.as_str().to_owned(),
            category: snap.category.as_str().to_owned(),
            created_at: ms(now),
            reporter_user: snap.reporter_user().map(|u| u.to_string()),
            phone_hash: phone,
        });
        let hash = shiyu_domain::case::event::link_hash(shiyu_domain::case::event::GENESIS, &event.to_json());
        crate::group_commit::insert(tx, &CASE_ROW, case_row(&snap, &hash)?).await?;
        crate::case_counts::shift(tx, None, &snap).await?;
        if let Some((name, phone)) = &contact {
            let row = vec![
                V::T(Some(city.as_str().to_owned())),
                V::T(Some(id.to_string())),
                V::T(Some(name.clone())),
                V::T(Some(crypto::seal(&self.secret, phone)?)),
                V::T(Some(self.keyed_hash(phone))),
                V::T(Some(crypto::mask_phone(phone))),
            ];
            crate::group_commit::insert(tx, &CONTACT_ROW, row).await?;
        }
        self.link_attachments(tx, city.as_str(), id, &attachments).await?;
        self.record_event(tx, None, &snap, &event, shiyu_domain::case::event::GENESIS, &hash).await?;
        Ok(snap)
    }

    /// Whether a new case repeats an earlier request of the 30 days before: the same reporting
    /// account, the same contact phone, or the same grid about the same category. One statement,
    /// and the registrations earlier in the same group commit (not in the database yet).
    async fn repeats_earlier(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        snap: &CaseSnapshot,
        phone_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (since, until) = (ms(now - chrono::Duration::days(30)), ms(now));
        let user = snap.reporter_user().map(|u| u.to_string());
        let in_batch = crate::group_commit::any_recent(|r| {
            (since..=until).contains(&r.created_at)
                && ((r.area == snap.area.as_str() && r.category == snap.category.as_str())
                    || (user.is_some() && r.reporter_user == user)
                    || (phone_hash.is_some() && r.phone_hash.as_deref() == phone_hash))
        });
        if in_batch {
            return Ok(true);
        }
        let window = |q: &mut Query, column: &str| {
            q.push(&format!(" AND {column} >= ?"), Arg::Int(since));
            q.push(&format!(" AND {column} <= ?"), Arg::Int(until));
        };
        let mut q = Query::new("SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM cases WHERE area_code = ");
        q.push("?", Arg::Text(snap.area.as_str().to_owned()));
        q.push(" AND category = ?", Arg::Text(snap.category.as_str().to_owned()));
        window(&mut q, "created_at");
        q.raw(")");
        if let Some(user) = user {
            q.push(" OR EXISTS (SELECT 1 FROM cases WHERE reporter_user = ?", Arg::Text(user));
            window(&mut q, "created_at");
            q.raw(")");
        }
        if let Some(h) = phone_hash {
            q.push(
                " OR EXISTS (SELECT 1 FROM case_contacts k JOIN cases c ON c.id = k.case_id WHERE k.phone_hash = ?",
                Arg::Text(h.to_owned()),
            );
            window(&mut q, "c.created_at");
            q.raw(")");
        }
        Ok(q.build().fetch_optional(&mut **tx).await?.is_some())
    }

    /// Makes a move on a case in one transaction and returns the case after it.
    pub async fn apply_move(
        &self,
        actor: &Principal,
        case_id: CaseId,
        mv: Move,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        self.check_references(actor, case_id, &mv).await?;
        let (store, actor) = (self.clone(), actor.clone());
        // A move refuses (not found, a rule, a concurrent change) before its one immediate write,
        // the case row's update; the rest is deferred to the batch's commit.
        self.write(move |tx| Box::pin(async move { store.apply_in(tx, &actor, case_id, mv, now).await })).await
    }

    /// A move inside a caller's transaction (references already checked).
    pub(crate) async fn apply_in(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        actor: &Principal,
        case_id: CaseId,
        mv: Move,
        now: DateTime<Utc>,
    ) -> Result<CaseSnapshot> {
        let row = sqlx::query("SELECT snapshot, last_hash FROM cases WHERE id = $1")
            .bind(case_id.to_string())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StorageError::NotFound("case"))?;
        let before = parse_snapshot(&row.try_get::<String, _>("snapshot")?)?;
        let prev_hash: String = row.try_get("last_hash")?;
        if !actor.scope().sees(before.visibility()) {
            return Err(StorageError::NotFound("case"));
        }
        let event = decide(&before, mv, &self.ctx(actor, now))?;
        let mut after = before.clone();
        after.evolve(&event)?;
        let hash = shiyu_domain::case::event::link_hash(&prev_hash, &event.to_json());
        let updated = sqlx::query(
            "UPDATE cases SET state = $1, handling_area = $2, lead_org = $3, supervision = $4, due_at = $5, updated_at = $6, \
             last_seq = $7, last_hash = $8, snapshot = $9 WHERE id = $10 AND last_seq = $11",
        )
        .bind(after.state.as_str())
        .bind(after.handling_area.as_str())
        .bind(after.lead_org.map(|o| o.to_string()))
        .bind(after.supervision.map(|s| s.as_str()))
        .bind(after.current_due().map(ms))
        .bind(ms(after.updated_at))
        .bind(i64::from(after.last_seq))
        .bind(hash.as_str())
        .bind(serde_json::to_string(&after).map_err(|_| StorageError::Corrupt("case"))?)
        .bind(case_id.to_string())
        .bind(i64::from(before.last_seq))
        .execute(&mut **tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StorageError::Conflict("case"));
        }
        crate::case_counts::shift(tx, Some(&before), &after).await?;
        if let Move::Merge { into, .. } = &event.change {
            sqlx::query("INSERT INTO case_merges (into_id, case_id) VALUES ($1, $2) ON CONFLICT (case_id) DO NOTHING")
                .bind(into.to_string())
                .bind(case_id.to_string())
                .execute(&mut **tx)
                .await?;
        }
        if let Move::Dispatch { lead, co, .. } = &event.change {
            for org in std::iter::once(lead).chain(co) {
                sqlx::query("INSERT INTO case_orgs (city, case_id, org_id) VALUES ($1, $2, $3) ON CONFLICT (case_id, org_id) DO NOTHING")
                    .bind(after.area.city_key().as_str())
                    .bind(case_id.to_string())
                    .bind(org.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
        }
        self.record_event(tx, Some(&before), &after, &event, &prev_hash, &hash).await?;
        Ok(after)
    }

    /// Checks that the records a move names exist and may be named by this actor.
    pub(crate) async fn check_references(&self, actor: &Principal, case_id: CaseId, mv: &Move) -> Result<()> {
        match mv {
            Move::Dispatch { lead, co, .. } => {
                self.org(*lead).await.map_err(|_| DomainError::invalid("lead", "unknown_org"))?;
                for o in co {
                    self.org(*o).await.map_err(|_| DomainError::invalid("co", "unknown_org"))?;
                }
            }
            Move::Delegate { to, .. } => {
                self.area(to).await.map_err(|_| DomainError::invalid("to", "unknown_area"))?;
            }
            Move::Merge { into, into_number, .. } => {
                let target = self
                    .case_record(&actor.scope(), *into)
                    .await
                    .map_err(|_| DomainError::invalid("into", "unknown_case"))?;
                if &target.case.number != into_number {
                    return Err(DomainError::invalid("into_number", "does_not_match").into());
                }
                if !target.case.state.is_open() || target.case.id == case_id {
                    return Err(DomainError::invalid("into", "not_an_open_case").into());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Appends the event and everything it causes: counters, notifications, outbox.
    async fn record_event(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        before: Option<&CaseSnapshot>,
        after: &CaseSnapshot,
        event: &Event,
        prev_hash: &str,
        hash: &str,
    ) -> Result<()> {
        let city = after.area.city_key();
        let case_id = after.id.to_string();
        let body = event.to_json();
        let row = vec![
            V::T(Some(city.as_str().to_owned())),
            V::T(Some(case_id.clone())),
            V::I(i64::from(event.seq)),
            V::I(ms(event.at)),
            V::T(event.actor.user.map(|u| u.to_string())),
            V::T(Some(event.change.name().to_owned())),
            V::T(Some(body.clone())),
            V::T(Some(prev_hash.to_owned())),
            V::T(Some(hash.to_owned())),
        ];
        crate::group_commit::insert(tx, &EVENT_ROW, row).await.map_err(|e| match &e {
            StorageError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                StorageError::Conflict("case")
            }
            _ => e,
        })?;

        self.count_event(tx, before, after, event).await?;

        let payload = serde_json::json!({
            "case_id": case_id, "number": after.number, "seq": event.seq, "hash": hash,
            "state": after.state, "event": serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default(),
        });
        self.outbox(tx, city.as_str(), "case.event", &case_id, i64::from(event.seq), &payload.to_string(), event.at)
            .await?;

        for notice in notices(after, event) {
            let (user, org, area) = match &notice.to {
                Recipient::Org(o) => (None, Some(o.to_string()), None),
                Recipient::Area(a) => (None, None, Some(a.to_string())),
                Recipient::Reporter => {
                    // A new case has nothing merged into it yet.
                    if before.is_some() {
                        self.tell_merged_reporters(tx, after, event, notice.kind, &notice.text).await?;
                    }
                    match after.reporter {
                        Reporter::Account { user } => (Some(user.to_string()), None, None),
                        Reporter::Contact => {
                            let p = serde_json::json!({ "case_id": case_id, "kind": notice.kind, "text": notice.text });
                            self.outbox(
                                tx,
                                city.as_str(),
                                "reporter.sms",
                                &case_id,
                                i64::from(event.seq),
                                &p.to_string(),
                                event.at,
                            )
                            .await?;
                            continue;
                        }
                        Reporter::Anonymous => continue,
                    }
                }
            };
            let row = notice_row(city.as_str(), user, org, area, &case_id, notice.kind, &notice.text, event.at);
            crate::group_commit::insert(tx, &NOTICE_ROW, row).await?;
        }
        Ok(())
    }

    /// Passes a notice for a case's reporter on to the reporters of the cases merged into it
    /// (the same matter reported again): each hears the answer under their own number.
    async fn tell_merged_reporters(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        after: &CaseSnapshot,
        event: &Event,
        kind: &str,
        text: &str,
    ) -> Result<()> {
        let rows =
            sqlx::query("SELECT c.snapshot FROM case_merges m JOIN cases c ON c.id = m.case_id WHERE m.into_id = $1")
                .bind(after.id.to_string())
                .fetch_all(&mut **tx)
                .await?;
        let city = after.area.city_key();
        for r in &rows {
            let merged = parse_snapshot(&r.try_get::<String, _>("snapshot")?)?;
            let said = format!("（您的诉求 {} 已并入 {} 一并办理）{text}", merged.number, after.number);
            let id = merged.id.to_string();
            match merged.reporter {
                Reporter::Account { user } => {
                    let row = notice_row(city.as_str(), Some(user.to_string()), None, None, &id, kind, &said, event.at);
                    crate::group_commit::insert(tx, &NOTICE_ROW, row).await?;
                }
                Reporter::Contact => {
                    let p = serde_json::json!({ "case_id": id, "kind": kind, "text": said });
                    self.outbox(tx, city.as_str(), "reporter.sms", &id, i64::from(event.seq), &p.to_string(), event.at)
                        .await?;
                }
                Reporter::Anonymous => {}
            }
        }
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one row's columns")]
    pub(crate) async fn outbox(
        &self,
        tx: &mut sqlx::Transaction<'static, Any>,
        city: &str,
        topic: &str,
        aggregate: &str,
        seq: i64,
        payload: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let row = crate::webhooks::OutboxRow {
            city: city.to_owned(),
            id: uuid::Uuid::now_v7().to_string(),
            topic: topic.to_owned(),
            aggregate: aggregate.to_owned(),
            seq,
            payload: payload.to_owned(),
            at,
        };
        match crate::group_commit::defer_outbox(row) {
            Some(row) => crate::webhooks::write_outbox(tx, vec![row]).await,
            None => Ok(()),
        }
    }

    async fn contact_view(&self, id: CaseId) -> Result<Option<ContactView>> {
        let row = sqlx::query("SELECT name, phone_masked FROM case_contacts WHERE case_id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(ContactView { name: r.try_get("name")?, phone_masked: r.try_get("phone_masked")? }),
            None => None,
        })
    }

    /// One case, if inside the scope (otherwise "not found": out-of-scope cases do not exist).
    pub async fn case_record(&self, scope: &Scope, id: CaseId) -> Result<CaseRecord> {
        let mut q = Query::new("SELECT c.snapshot FROM cases c WHERE ");
        q.push("c.id = ?", Arg::Text(id.to_string())).scope(scope);
        let row = q.build().fetch_optional(&self.pool).await?.ok_or(StorageError::NotFound("case"))?;
        let case = parse_snapshot(&row.try_get::<String, _>("snapshot")?)?;
        Ok(CaseRecord { contact: self.contact_view(case.id).await?, case })
    }

    /// One case by number, if inside the scope.
    pub async fn case_by_number(&self, scope: &Scope, number: &CaseNumber) -> Result<CaseRecord> {
        let mut q = Query::new("SELECT c.id FROM cases c WHERE ");
        q.push("c.number = ?", Arg::Text(number.to_string())).scope(scope);
        let row = q.build().fetch_optional(&self.pool).await?.ok_or(StorageError::NotFound("case"))?;
        let id = CaseId::parse(&row.try_get::<String, _>("id")?).map_err(|_| StorageError::Corrupt("case id"))?;
        self.case_record(scope, id).await
    }

    /// A case found by its number and the reporter's phone, for residents following a case
    /// without an account. Either being wrong gives the same "not found".
    pub async fn follow_case(&self, number: &CaseNumber, phone: &str) -> Result<CaseSnapshot> {
        let phone = normalise_phone(phone).map_err(|_| StorageError::NotFound("case"))?;
        let row = sqlx::query(
            "SELECT c.snapshot FROM cases c JOIN case_contacts k ON k.case_id = c.id WHERE c.number = $1 AND k.phone_hash = $2",
        )
        .bind(number.as_str())
        .bind(self.keyed_hash(&phone))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("case"))?;
        parse_snapshot(&row.try_get::<String, _>("snapshot")?)
    }

    /// The acting identity of a resident who proved by number and phone that they reported a case.
    pub async fn followed_case_principal(&self, number: &CaseNumber, phone: &str) -> Result<(CaseSnapshot, Principal)> {
        let case = self.follow_case(number, phone).await?;
        let p = Principal {
            user_id: UserId(uuid::Uuid::nil()),
            name: "来电群众".to_owned(),
            role: shiyu_domain::role::Role::Resident,
            binding: shiyu_domain::scope::Binding::FollowedCase { case: case.id },
        };
        Ok((case, p))
    }

    /// The history of a case, if inside the scope.
    pub async fn case_history(&self, scope: &Scope, id: CaseId) -> Result<Vec<Event>> {
        self.case_record(scope, id).await?;
        let rows = sqlx::query("SELECT body FROM case_events WHERE case_id = $1 ORDER BY seq")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Event::from_json(&r.try_get::<String, _>("body")?).map_err(|_| StorageError::Corrupt("event")))
            .collect()
    }

    /// Cases in scope matching the filter, newest first; and the total count.
    pub async fn list_cases(&self, scope: &Scope, filter: &CaseFilter) -> Result<(Vec<CaseSummary>, i64)> {
        let mut q = Query::new("");
        q.raw(" FROM cases c WHERE 1 = 1").scope(scope);
        if !filter.states.is_empty() {
            let list: Vec<String> = filter.states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            // State names come from a closed enum, never from input text.
            q.raw(&format!(" AND c.state IN ({})", list.join(",")));
        }
        if let Some(a) = &filter.handling_area {
            q.push(" AND c.handling_area = ?", Arg::Text(a.to_string()));
        }
        if let Some(o) = &filter.lead_org {
            q.push(" AND c.lead_org = ?", Arg::Text(o.to_string()));
        }
        if let Some(t) = filter.due_before {
            q.raw(&format!(" AND c.state IN {OPEN_STATES}")).push(" AND c.due_at < ?", Arg::Int(ms(t)));
        }
        if filter.supervised {
            q.raw(" AND c.supervision IS NOT NULL");
        }
        if let Some(a) = &filter.area {
            q.within("c.area_code", a.scope_prefix());
        }
        if filter.off_grid {
            q.raw(" AND c.off_grid = 1");
        }
        if let Some(c) = filter.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            q.push(" AND (c.category = ?", Arg::Text(c.to_owned()));
            q.push(" OR c.category LIKE ?)", Arg::Text(format!("{c}.%")));
        }
        if let Some(t) = filter.title_contains.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let escaped = t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            q.push(" AND c.title LIKE ? ESCAPE '\\'", Arg::Text(format!("%{escaped}%")));
        }
        let where_sql = q.sql.clone();
        let total: i64 = {
            let count = Query {
                sql: format!("SELECT COUNT(*) AS n{where_sql}"),
                args: q.args.iter().map(Arg::clone_arg).collect(),
            };
            count.build().fetch_one(&self.pool).await?.try_get("n")?
        };
        let limit = i64::from(filter.limit.unwrap_or(50).clamp(1, 500));
        let offset = i64::from(filter.offset.unwrap_or(0));
        let mut list = Query {
            sql: format!(
                "SELECT c.id, c.number, c.state, c.ledger, c.category, c.channel, c.urgency, c.title, c.area_code, c.handling_area, \
                 c.lead_org, c.supervision, c.due_at, c.created_at, c.updated_at{where_sql}"
            ),
            args: q.args.iter().map(Arg::clone_arg).collect(),
        };
        let order = if filter.due_before.is_some() {
            " ORDER BY c.due_at ASC"
        } else {
            " ORDER BY c.created_at DESC, c.id DESC"
        };
        list.raw(order).push(" LIMIT ?", Arg::Int(limit)).push(" OFFSET ?", Arg::Int(offset));
        let rows = list.build().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(CaseSummary {
                id: CaseId::parse(&r.try_get::<String, _>("id")?).map_err(|_| StorageError::Corrupt("case id"))?,
                number: r.try_get("number")?,
                state: CaseState::parse(&r.try_get::<String, _>("state")?)
                    .map_err(|_| StorageError::Corrupt("state"))?,
                ledger: r.try_get("ledger")?,
                category: r.try_get("category")?,
                channel: r.try_get("channel")?,
                urgency: r.try_get("urgency")?,
                title: r.try_get("title")?,
                area_code: r.try_get("area_code")?,
                handling_area: r.try_get("handling_area")?,
                lead_org: r.try_get("lead_org")?,
                supervision: r.try_get("supervision")?,
                due_at: r.try_get::<Option<i64>, _>("due_at")?.map(from_ms),
                created_at: from_ms(r.try_get("created_at")?),
                updated_at: from_ms(r.try_get("updated_at")?),
            });
        }
        Ok((out, total))
    }

    /// In-platform notices for a principal: addressed to the user, the user's organisation, or
    /// the centre of the user's own area. Newest first.
    pub async fn notifications(&self, who: &Principal, limit: u32) -> Result<Vec<Notification>> {
        use shiyu_domain::scope::Binding;
        let (org, area) = match &who.binding {
            Binding::Org { org, .. } => (org.to_string(), String::new()),
            Binding::Area { area } => (String::new(), area.to_string()),
            Binding::Resident | Binding::FollowedCase { .. } => (String::new(), String::new()),
        };
        let rows = sqlx::query(
            "SELECT n.id, n.case_id, n.kind, n.body, n.created_at, n.read_at, c.number FROM notifications n JOIN cases c ON c.id = n.case_id \
             WHERE n.user_id = $1 OR n.org_id = $2 OR n.area_code = $3 ORDER BY n.created_at DESC, n.id DESC LIMIT $4",
        )
        .bind(who.user_id.to_string())
        .bind(org)
        .bind(area)
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Notification {
                    id: r.try_get("id")?,
                    case_id: r.try_get("case_id")?,
                    case_number: r.try_get("number")?,
                    kind: r.try_get("kind")?,
                    body: r.try_get("body")?,
                    created_at: from_ms(r.try_get("created_at")?),
                    read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
                })
            })
            .collect()
    }

    /// Marks a notice read, if it is addressed to the principal (their account, organisation or
    /// area). Returns whether a notice was marked.
    pub async fn mark_notification_read(&self, who: &Principal, id: &str, now: DateTime<Utc>) -> Result<bool> {
        use shiyu_domain::scope::Binding;
        let (org, area) = match &who.binding {
            Binding::Org { org, .. } => (org.to_string(), String::new()),
            Binding::Area { area } => (String::new(), area.to_string()),
            Binding::Resident | Binding::FollowedCase { .. } => (String::new(), String::new()),
        };
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL \
             AND (user_id = $3 OR org_id = $4 OR area_code = $5)",
        )
        .bind(ms(now))
        .bind(id)
        .bind(who.user_id.to_string())
        .bind(org)
        .bind(area)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        w.tx.commit().await?;
        Ok(done == 1)
    }

    /// Earlier cases that might be the same matter as a new report: registered in the street
    /// around `area` since `since`, not ended as merged or refused, newest first, at most `limit`.
    pub async fn duplicate_candidates(
        &self,
        area: &AreaCode,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<CaseSnapshot>> {
        let street = area.lineage().into_iter().find(|a| a.level() == shiyu_domain::area::AreaLevel::Street);
        let root = street.unwrap_or_else(|| area.clone());
        let mut q = Query::new("SELECT c.snapshot FROM cases c WHERE c.state NOT IN ('merged', 'not_accepted')");
        q.within("c.area_code", root.scope_prefix());
        q.push(" AND c.created_at >= ?", Arg::Int(ms(since)));
        q.raw(&format!(" ORDER BY c.created_at DESC LIMIT {}", limit.min(2000)));
        q.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| parse_snapshot(&r.try_get::<String, _>("snapshot")?))
            .collect()
    }

    /// Case counts per state in a scope (states with no case left out). An area subtree sums the
    /// kept counts (`case_counts`); other scopes count their rows.
    pub async fn state_counts(&self, scope: &Scope) -> Result<Vec<(CaseState, i64)>> {
        let mut q = match scope {
            Scope::Subtree(root) => {
                let mut q = Query::new("SELECT c.state, CAST(SUM(c.n) AS BIGINT) AS n FROM case_counts c WHERE 1 = 1");
                q.within("c.area_code", root.scope_prefix());
                q
            }
            _ => {
                let mut q = Query::new("SELECT c.state, COUNT(*) AS n FROM cases c WHERE 1 = 1");
                q.scope(scope);
                q
            }
        };
        q.raw(" GROUP BY c.state");
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            if n != 0 {
                let state =
                    CaseState::parse(&r.try_get::<String, _>("state")?).map_err(|_| StorageError::Corrupt("state"))?;
                out.push((state, n));
            }
        }
        Ok(out)
    }

    /// The board's live counts in a scope: open cases, open cases past their deadline at `now`,
    /// and supervised open cases. An area subtree sums the kept counts for open and supervised
    /// and reads overdue from the deadline index (`cases_due`: only overdue entries, no rows);
    /// other scopes take one pass over their open cases.
    pub async fn live_counts(&self, scope: &Scope, now: DateTime<Utc>) -> Result<LiveCounts> {
        if let Scope::Subtree(root) = scope {
            let mut kept = Query::new(
                "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS open, \
                 CAST(COALESCE(SUM(CASE WHEN c.supervised = 1 THEN c.n ELSE 0 END), 0) AS BIGINT) AS supervised ",
            );
            kept.raw(&format!("FROM case_counts c WHERE c.state IN {OPEN_STATES}"))
                .within("c.area_code", root.scope_prefix());
            let mut late = Query::new(&format!("SELECT COUNT(*) AS n FROM cases c WHERE c.state IN {OPEN_STATES}"));
            // `|| ''` keeps the planner on the deadline index rather than the area one: there are
            // far fewer overdue cases than open ones in a big area.
            late.push(" AND c.due_at < ?", Arg::Int(ms(now))).within("c.area_code || ''", root.scope_prefix());
            let (kept, late) =
                tokio::try_join!(kept.build().fetch_one(&self.pool), late.build().fetch_one(&self.pool))?;
            return Ok(LiveCounts {
                open: kept.try_get("open")?,
                overdue: late.try_get("n")?,
                supervised: kept.try_get("supervised")?,
            });
        }
        let mut q = Query::new("SELECT COUNT(*) AS open, ");
        q.push(
            "CAST(COALESCE(SUM(CASE WHEN c.due_at < ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, ",
            Arg::Int(ms(now)),
        )
        .raw("CAST(COALESCE(SUM(CASE WHEN c.supervision IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS supervised ")
        .raw(&format!("FROM cases c WHERE c.state IN {OPEN_STATES}"))
        .scope(scope);
        let r = q.build().fetch_one(&self.pool).await?;
        Ok(LiveCounts {
            open: r.try_get("open")?,
            overdue: r.try_get("overdue")?,
            supervised: r.try_get("supervised")?,
        })
    }

    /// Pending outbox entries of a topic, oldest first.
    pub async fn pending_outbox(&self, topic: &str, limit: u32) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT id, aggregate_id, payload FROM outbox WHERE topic = $1 AND delivered_at IS NULL ORDER BY id LIMIT $2",
        )
        .bind(topic)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("aggregate_id")?, r.try_get("payload")?))).collect()
    }

    /// Marks an outbox entry delivered.
    pub async fn mark_delivered(&self, id: &str, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE outbox SET delivered_at = $1, attempts = attempts + 1 WHERE id = $2")
            .bind(ms(now))
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The reporter's phone in clear, for the SMS adapter only.
    pub async fn reporter_phone(&self, case_id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT phone_sealed FROM case_contacts WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| crypto::open(&self.secret, &r.try_get::<String, _>("phone_sealed")?)).transpose()
    }
}

impl Arg {
    fn clone_arg(&self) -> Arg {
        match self {
            Arg::Text(s) => Arg::Text(s.clone()),
            Arg::Int(i) => Arg::Int(*i),
        }
    }
}

/// An in-platform notice.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// Id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// The case number.
    pub case_number: String,
    /// Kind.
    pub kind: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Read already.
    pub read: bool,
}
