//! Volunteers and points: the one-transaction write paths and the scoped reads.
//!
//! Every change flows like a case's: principal → access check by area
//! ([`shiyu_domain::points::access`]) → domain decision → one transaction. The transaction of a
//! change that moves points posts its ledger [`Entry`] here ([`Store::post_entry`]): the entry row
//! (whose unique `idem_key` makes each cause pay once), its postings, and each account's cached
//! balance, updated by a guarded statement (`balance + amount >= 0` unless the account is an
//! issuing account) so that two transactions racing for the same points cannot both have them,
//! on SQLite (one writer) and on PostgreSQL (the row lock re-checks the guard) alike. Accounts
//! are always updated in key order, and goods rows before accounts, so concurrent entries never
//! wait on each other in a cycle.
//!
//! - [`rules`]: the earning rules and star thresholds per area;
//! - [`volunteers`]: registration, lists and teams;
//! - [`activities`]: activities, sign-up, attendance (paying hours and points);
//! - [`shop`]: goods, stock, redemptions, hand-over and refunds;
//! - [`rewards`]: points for reports that prove true, read from the outbox of case events.

pub mod activities;
pub mod rewards;
pub mod rules;
pub mod shop;
pub mod volunteers;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::ids::UserId;
use shiyu_domain::points::access::{PointsAct, points_root};
use shiyu_domain::points::{Account, AccountKind, Entry, EntryKind};
use shiyu_domain::scope::Principal;
use sqlx::{Any, Row, Transaction};

use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms};

/// What is stored beside an entry.
#[derive(Debug, Clone)]
pub(crate) struct EntryMeta {
    /// The cause, unique: a second entry with the same key is never posted.
    pub idem_key: String,
    /// The area the entry belongs to (whose staff see it in their ledger).
    pub area: AreaCode,
    /// What it was for, as shown in histories.
    pub memo: String,
    /// The record behind it (case, activity, redemption).
    pub ref_id: Option<String>,
    /// Who made it, if a person.
    pub actor: Option<UserId>,
}

/// The outcome of posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Posted {
    /// Posted now, with this id.
    New(String),
    /// An entry with the same cause was posted before, with this id; nothing was written.
    Already(String),
}

/// One line of a member's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryLine {
    /// The entry.
    pub entry_id: String,
    /// Why points moved.
    pub kind: EntryKind,
    /// What for.
    pub memo: String,
    /// The member's side: positive when they gained.
    pub amount: i64,
    /// When.
    pub at: DateTime<Utc>,
}

/// One entry of an area's ledger, for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerLine {
    /// The entry.
    pub entry_id: String,
    /// Kind.
    pub kind: EntryKind,
    /// The member concerned, if any: id and name.
    pub member: Option<(UserId, String)>,
    /// The area.
    pub area_code: String,
    /// The amount moved.
    pub amount: i64,
    /// What for.
    pub memo: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The postings: account key and signed amount.
    pub postings: Vec<(String, i64)>,
}

/// What [`Store::points_check`] found: every invariant of the ledger and the shops, each
/// violation named. Empty `problems` means the books are whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PointsCheck {
    /// Entries posted.
    pub entries: i64,
    /// Sum of every posting (zero in whole books).
    pub total: i64,
    /// Each violation, in words.
    pub problems: Vec<String>,
}

pub(crate) fn entry_kind(text: &str) -> Result<EntryKind> {
    EntryKind::parse(text).map_err(|_| StorageError::Corrupt("point entry"))
}

pub(crate) fn user_id(text: &str) -> Result<UserId> {
    UserId::parse(text).map_err(|_| StorageError::Corrupt("user id"))
}

pub(crate) fn area(text: &str) -> Result<AreaCode> {
    AreaCode::parse(text).map_err(|_| StorageError::Corrupt("area code"))
}

/// Whether a storage error is a unique-key violation (a cause already paid, a place already
/// taken by a concurrent transaction).
pub(crate) fn is_unique(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Store {
    /// Posts a balanced entry inside the caller's transaction, once per `meta.idem_key`. Refuses,
    /// writing nothing the caller keeps, when an account other than an issuing account would go
    /// below zero (`insufficient_points` for a member).
    pub(crate) async fn post_entry(
        &self,
        tx: &mut Transaction<'static, Any>,
        entry: &Entry,
        meta: EntryMeta,
        now: DateTime<Utc>,
    ) -> Result<Posted> {
        let done = sqlx::query("SELECT id FROM point_entries WHERE idem_key = $1")
            .bind(meta.idem_key.as_str())
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(r) = done {
            return Ok(Posted::Already(r.try_get("id")?));
        }
        let city = meta.area.city_key();
        let id = uuid::Uuid::now_v7().to_string();
        let postings = entry.postings();
        let moved: i64 = postings.iter().filter(|p| p.amount > 0).map(|p| p.amount).sum();
        sqlx::query(
            "INSERT INTO point_entries (city, id, kind, idem_key, member_user, area_code, amount, memo, ref_id, actor_user, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(city.as_str())
        .bind(id.as_str())
        .bind(entry.kind().as_str())
        .bind(meta.idem_key.as_str())
        .bind(entry.member().map(|u| u.to_string()))
        .bind(meta.area.as_str())
        .bind(moved)
        .bind(meta.memo.as_str())
        .bind(meta.ref_id.as_deref())
        .bind(meta.actor.map(|u| u.to_string()))
        .bind(ms(now))
        .execute(&mut **tx)
        .await
        .map_err(|e| if is_unique(&e) { StorageError::Conflict("point entry") } else { StorageError::Database(e) })?;
        for (seq, p) in postings.iter().enumerate() {
            let key = p.account.key();
            sqlx::query(
                "INSERT INTO point_accounts (city, id, kind, owner, balance, updated_at) VALUES ($1, $2, $3, $4, 0, $5) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(city.as_str())
            .bind(key.as_str())
            .bind(p.account.kind().as_str())
            .bind(p.account.owner())
            .bind(ms(now))
            .execute(&mut **tx)
            .await?;
            // The guard is the rule of `Entry::post`, evaluated on the row under its lock.
            let moved = sqlx::query(
                "UPDATE point_accounts SET balance = balance + $1, updated_at = $2 \
                 WHERE id = $3 AND (kind = 'issue' OR balance + $1 >= 0)",
            )
            .bind(p.amount)
            .bind(ms(now))
            .bind(key.as_str())
            .execute(&mut **tx)
            .await?;
            if moved.rows_affected() != 1 {
                // Another transaction took the points first (the read before the decision was
                // older than the row under its lock): the same refusal `Entry::post` gives.
                let rule =
                    if p.account.kind() == AccountKind::Member { "insufficient_points" } else { "ledger_overdrawn" };
                return Err(DomainError::Rule { rule }.into());
            }
            sqlx::query(
                "INSERT INTO point_postings (city, entry_id, seq, account_id, amount) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(city.as_str())
            .bind(id.as_str())
            .bind(seq as i64 + 1)
            .bind(key.as_str())
            .bind(p.amount)
            .execute(&mut **tx)
            .await?;
        }
        Ok(Posted::New(id))
    }

    /// An account's balance (zero for an account that has never moved).
    pub async fn balance(&self, account: &Account) -> Result<i64> {
        let row = sqlx::query("SELECT balance FROM point_accounts WHERE id = $1")
            .bind(account.key())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get("balance")?,
            None => 0,
        })
    }

    /// A member's history, newest first.
    pub async fn member_history(&self, member: UserId, limit: u32) -> Result<Vec<HistoryLine>> {
        let rows = sqlx::query(
            "SELECT e.id, e.kind, e.memo, e.created_at, p.amount FROM point_postings p \
             JOIN point_entries e ON e.id = p.entry_id WHERE p.account_id = $1 \
             ORDER BY e.created_at DESC, e.id DESC LIMIT $2",
        )
        .bind(Account::Member(member).key())
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryLine {
                    entry_id: r.try_get("id")?,
                    kind: entry_kind(&r.try_get::<String, _>("kind")?)?,
                    memo: r.try_get("memo")?,
                    amount: r.try_get("amount")?,
                    at: from_ms(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// The entries of the areas a staff member may read (optionally only under `area`), newest
    /// first, with their postings and the members' names.
    pub async fn ledger(&self, actor: &Principal, area: Option<&AreaCode>, limit: u32) -> Result<Vec<LedgerLine>> {
        let Some(root) = points_root(actor, PointsAct::Read) else {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "read_ledger" }.into());
        };
        let root = match area {
            Some(a) if a.is_within(&root) => a.clone(),
            Some(_) => return Err(DomainError::invalid("area_code", "outside_scope").into()),
            None => root,
        };
        let mut q = crate::cases::Query::new(
            "SELECT e.id, e.kind, e.member_user, u.name, e.area_code, e.amount, e.memo, e.created_at \
             FROM point_entries e LEFT JOIN users u ON u.id = e.member_user WHERE 1 = 1",
        );
        q.within("e.area_code", root.scope_prefix());
        q.push(
            " ORDER BY e.created_at DESC, e.id DESC LIMIT ?",
            crate::cases::Arg::Int(i64::from(limit.clamp(1, 1000))),
        );
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            let member = match (r.try_get::<Option<String>, _>("member_user")?, r.try_get::<Option<String>, _>("name")?)
            {
                (Some(u), name) => Some((user_id(&u)?, name.unwrap_or_default())),
                _ => None,
            };
            let postings =
                sqlx::query("SELECT account_id, amount FROM point_postings WHERE entry_id = $1 ORDER BY seq")
                    .bind(id.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|p| Ok((p.try_get("account_id")?, p.try_get("amount")?)))
                    .collect::<Result<Vec<_>>>()?;
            out.push(LedgerLine {
                entry_id: id,
                kind: entry_kind(&r.try_get::<String, _>("kind")?)?,
                member,
                area_code: r.try_get("area_code")?,
                amount: r.try_get("amount")?,
                memo: r.try_get("memo")?,
                at: from_ms(r.try_get("created_at")?),
                postings,
            });
        }
        Ok(out)
    }

    /// Checks every invariant of the books: each entry sums to zero, so does the whole ledger; no
    /// account but an issuing one is negative; each cached balance equals the sum of its
    /// postings; each shop's held and spent accounts equal its reserved and handed-over
    /// redemptions; each good's units on the shelf, reserved and handed over add up to what was
    /// added less what was written off, and match its redemptions.
    pub async fn points_check(&self) -> Result<PointsCheck> {
        let mut problems = Vec::new();
        let entries: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM point_entries").fetch_one(&self.pool).await?.try_get("n")?;
        let total: i64 = sqlx::query("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS t FROM point_postings")
            .fetch_one(&self.pool)
            .await?
            .try_get("t")?;
        if total != 0 {
            problems.push(format!("the ledger sums to {total}, not zero"));
        }
        for r in sqlx::query(
            "SELECT entry_id, CAST(SUM(amount) AS BIGINT) AS t, COUNT(*) AS n FROM point_postings GROUP BY entry_id \
             HAVING SUM(amount) <> 0 OR COUNT(*) < 2",
        )
        .fetch_all(&self.pool)
        .await?
        {
            problems.push(format!(
                "entry {} sums to {} over {} postings",
                r.try_get::<String, _>("entry_id")?,
                r.try_get::<i64, _>("t")?,
                r.try_get::<i64, _>("n")?
            ));
        }
        let orphans: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM point_entries e WHERE NOT EXISTS (SELECT 1 FROM point_postings p WHERE p.entry_id = e.id)",
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        if orphans > 0 {
            problems.push(format!("{orphans} entries without postings"));
        }
        for r in sqlx::query(
            "SELECT a.id, a.kind, a.balance, \
             CAST(COALESCE((SELECT SUM(p.amount) FROM point_postings p WHERE p.account_id = a.id), 0) AS BIGINT) AS summed \
             FROM point_accounts a",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let (id, kind): (String, String) = (r.try_get("id")?, r.try_get("kind")?);
            let (balance, summed): (i64, i64) = (r.try_get("balance")?, r.try_get("summed")?);
            if balance != summed {
                problems.push(format!("account {id} holds {balance} but its postings sum to {summed}"));
            }
            if balance < 0 && kind != "issue" {
                problems.push(format!("account {id} is negative: {balance}"));
            }
        }
        // Shops: held = reserved redemptions, spent = handed-over ones, per area.
        for (state, kind) in [("reserved", "held"), ("handed_over", "spent")] {
            let rows = sqlx::query(
                "SELECT area_code, CAST(COALESCE(SUM(points), 0) AS BIGINT) AS p FROM redemptions WHERE state = $1 \
                 GROUP BY area_code",
            )
            .bind(state)
            .fetch_all(&self.pool)
            .await?;
            let mut areas = std::collections::BTreeMap::new();
            for r in &rows {
                areas.insert(r.try_get::<String, _>("area_code")?, r.try_get::<i64, _>("p")?);
            }
            for r in sqlx::query("SELECT owner, balance FROM point_accounts WHERE kind = $1")
                .bind(kind)
                .fetch_all(&self.pool)
                .await?
            {
                areas.entry(r.try_get::<String, _>("owner")?).or_insert(0);
            }
            for (a, p) in areas {
                let account =
                    Account::parse_key(&format!("{kind}:{a}")).map_err(|_| StorageError::Corrupt("account"))?;
                let b = self.balance(&account).await?;
                if b != p {
                    problems.push(format!("{kind} account of {a} holds {b}, its {state} redemptions {p}"));
                }
            }
        }
        for r in sqlx::query(
            "SELECT g.id, g.stock, g.reserved, g.handed, g.added, g.removed, \
             CAST(COALESCE((SELECT SUM(x.quantity) FROM redemptions x WHERE x.goods_id = g.id AND x.state = 'reserved'), 0) AS BIGINT) AS r, \
             CAST(COALESCE((SELECT SUM(x.quantity) FROM redemptions x WHERE x.goods_id = g.id AND x.state = 'handed_over'), 0) AS BIGINT) AS h \
             FROM shop_goods g",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let id: String = r.try_get("id")?;
            let [stock, reserved, handed, added, removed, r_sum, h_sum]: [i64; 7] = [
                r.try_get("stock")?,
                r.try_get("reserved")?,
                r.try_get("handed")?,
                r.try_get("added")?,
                r.try_get("removed")?,
                r.try_get("r")?,
                r.try_get("h")?,
            ];
            if stock < 0 || stock + reserved + handed != added - removed {
                problems.push(format!(
                    "goods {id}: {stock} on the shelf + {reserved} reserved + {handed} handed over ≠ {added} added − {removed} removed"
                ));
            }
            if reserved != r_sum || handed != h_sum {
                problems.push(format!(
                    "goods {id}: counts {reserved} reserved / {handed} handed over, redemptions {r_sum} / {h_sum}"
                ));
            }
        }
        Ok(PointsCheck { entries, total, problems })
    }
}
