//! Disputes: the one-transaction write path, the scoped reads, the counters behind the figures.
//!
//! A change flows like a case's: principal → access check by the dispute's place and tier
//! ([`shiyu_domain::dispute::access`]) → domain decision → one transaction writing the dispute row,
//! its hash-chained event, the counters, the current mediators and the outbox entry.

pub mod figures;
mod parties;
pub mod registry;
pub mod screenings;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::Actor;
use shiyu_domain::case::event::{GENESIS, link_hash};
use shiyu_domain::dispute::access::{DisputeAct, dispute_root, may};
use shiyu_domain::dispute::{
    DisputeChange, DisputeEffects, DisputeEvent, DisputeIntake, DisputeMove, DisputeSnapshot, DisputeType, Fen,
    MediationKind, NewParty, PartyRecord, RiskLevel, SessionOutcome, Source, Tier,
};
use shiyu_domain::ids::{CaseId, DisputeId, MediationOrgId, MediatorId, ScreeningId};
use shiyu_domain::scope::Principal;
use shiyu_domain::stats::disputes::deltas;
use shiyu_domain::time::local_date;
use sqlx::{Any, Row, Transaction};

use crate::cases::{Arg, Query};
use crate::crypto;
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::history::{DISPUTES, append_entry};
use crate::sql::{ms, prefix_pattern};

/// A dispute as entered, before checks; organisations and mediators by registry id.
#[derive(Debug, Clone)]
pub struct NewDispute {
    /// Short title.
    pub title: String,
    /// Main facts and the matter in dispute.
    pub facts: String,
    /// Type.
    pub dispute_type: DisputeType,
    /// Risk.
    pub risk: RiskLevel,
    /// Source.
    pub source: Source,
    /// Where (defaults to the case's place for a case turned dispute).
    pub area: Option<AreaCode>,
    /// The tier that takes it first (default: the tier of the area's level).
    pub tier: Option<Tier>,
    /// Money involved.
    pub money: Fen,
    /// Parties.
    pub parties: Vec<NewParty>,
    /// Kind of mediation.
    pub mediation_kind: MediationKind,
    /// The mediating organisation, if known.
    pub org: Option<MediationOrgId>,
    /// Mediators assigned.
    pub mediators: Vec<MediatorId>,
    /// The case it came from.
    pub case: Option<CaseId>,
    /// The screening that found it.
    pub screening: Option<ScreeningId>,
    /// A court's referral number.
    pub court_ref: Option<String>,
}

/// A dispute line in a list.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeSummary {
    /// Id.
    pub id: DisputeId,
    /// The dispute as it stands.
    pub dispute: DisputeSnapshot,
}

/// A dispute with its parties and history, for its page.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeRecord {
    /// Id.
    pub id: DisputeId,
    /// The dispute as it stands.
    pub dispute: DisputeSnapshot,
    /// Parties, identifiers masked.
    pub parties: Vec<PartyRecord>,
    /// The whole history, oldest first.
    pub events: Vec<DisputeEvent>,
    /// The case it came from: id and number.
    pub case: Option<(CaseId, String)>,
    /// The registration facts.
    pub facts: String,
}

/// Which disputes a list shows, always inside what the caller may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeList {
    /// Every dispute, newest first.
    All,
    /// Open and agreed disputes the caller mediates (a registry mediator tied to the account).
    Mine,
    /// Open disputes whose next session is due by the day, at a tier the caller may mediate.
    SessionsDue(NaiveDate),
    /// Disputes escalated to a tier the caller steers, waiting for an organisation.
    EscalationsWaiting,
    /// Agreed disputes whose follow-up is due by the day.
    FollowUpsDue(NaiveDate),
}

fn parse_snapshot(text: &str) -> Result<DisputeSnapshot> {
    serde_json::from_str(text).map_err(|_| StorageError::Corrupt("dispute"))
}

fn actor_of(p: &Principal) -> Actor {
    Actor { user: Some(p.user_id), name: p.name.clone(), role: Some(p.role) }
}

fn act_of(mv: &DisputeMove) -> DisputeAct {
    match mv {
        DisputeMove::RecordSession { .. } | DisputeMove::FollowUp { .. } => DisputeAct::Mediate,
        _ => DisputeAct::Steer,
    }
}

impl Store {
    /// Registers a dispute in one transaction.
    pub async fn register_dispute(&self, actor: &Principal, nd: NewDispute, now: DateTime<Utc>) -> Result<DisputeId> {
        let mut w = self.begin_write().await?;
        let id = self.register_dispute_in(&mut w.tx, actor, nd, now).await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// Registration inside a caller's transaction (screenings register their findings with it).
    pub(crate) async fn register_dispute_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &Principal,
        nd: NewDispute,
        now: DateTime<Utc>,
    ) -> Result<DisputeId> {
        let today = local_date(now);
        let case = match nd.case {
            Some(case_id) => {
                let rec = self
                    .case_record(&actor.scope(), case_id)
                    .await
                    .map_err(|_| DomainError::invalid("case", "unknown_case"))?;
                let taken = sqlx::query("SELECT id FROM disputes WHERE case_id = $1")
                    .bind(case_id.to_string())
                    .fetch_optional(&mut **tx)
                    .await?;
                if taken.is_some() {
                    return Err(DomainError::invalid("case", "already_a_dispute").into());
                }
                Some(rec.case)
            }
            None => None,
        };
        let area = match (nd.area, &case) {
            (Some(a), _) => a,
            (None, Some(c)) => c.area.clone(),
            (None, None) => return Err(DomainError::invalid("area_code", "required").into()),
        };
        self.area(&area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        let tier = nd.tier.unwrap_or_else(|| Tier::of_area(&area));
        let tier_area = tier.area_for(&area).ok_or(DomainError::invalid("tier", "above_area"))?;
        if !may(actor, DisputeAct::Register, &area, &tier_area) {
            return Err(DomainError::invalid("area_code", "outside_scope").into());
        }
        if let Some(s) = nd.screening {
            let found = sqlx::query("SELECT area_code FROM screenings WHERE id = $1")
                .bind(s.to_string())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(DomainError::invalid("screening", "unknown_screening"))?;
            let screened = AreaCode::parse(&found.try_get::<String, _>("area_code")?)
                .map_err(|_| StorageError::Corrupt("screening"))?;
            if !(area == screened || area.is_within(&screened)) {
                return Err(DomainError::invalid("area_code", "outside_screening").into());
            }
        }
        let city = area.city_key();
        let mut parties = Vec::with_capacity(nd.parties.len());
        let mut base_ids = Vec::with_capacity(nd.parties.len());
        for p in &nd.parties {
            let mut p = p.clone();
            self.party_from_base(actor, city.as_str(), &mut p).await?;
            parties.push(p.check(today)?);
            base_ids.push(p.base_id);
        }
        let org = match nd.org {
            Some(o) => Some(self.org_ref(o, &tier_area).await?),
            None => None,
        };
        let mediators = self.mediator_refs(&nd.mediators).await?;
        let intake = DisputeIntake {
            title: nd.title,
            facts: nd.facts,
            dispute_type: nd.dispute_type,
            risk: nd.risk,
            source: nd.source,
            area: area.clone(),
            tier,
            money: nd.money,
            parties: parties.iter().map(|p| p.record.clone()).collect(),
            mediation_kind: nd.mediation_kind,
            org,
            mediators,
            case: nd.case,
            screening: nd.screening,
            court_ref: nd.court_ref,
        }
        .check()?;

        let serial: i64 = sqlx::query(
            "INSERT INTO dispute_serials (city, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (city, year) DO UPDATE SET last = dispute_serials.last + 1 RETURNING last",
        )
        .bind(city.as_str())
        .bind(i64::from(today.year()))
        .fetch_one(&mut **tx)
        .await?
        .try_get("last")?;
        let number = format!("M{}-{serial:06}", today.year());
        let event = DisputeEvent {
            seq: 1,
            at: now,
            actor: actor_of(actor),
            change: DisputeChange::Register(Box::new(intake)),
            effects: DisputeEffects { number: Some(number), tier_area: Some(tier_area), agreement_number: None },
        };
        let snap = DisputeSnapshot::register(&event)?;
        let id = DisputeId::new();
        let hash = link_hash(GENESIS, &event.to_json());
        sqlx::query(
            "INSERT INTO disputes (city, id, number, title, dispute_type, risk, source, area_code, tier, tier_area, mediation_kind, \
             money_fen, state, attempts_at_tier, org_id, case_id, screening_id, session_due, follow_up_due, registered_at, \
             finished_at, updated_at, last_seq, last_hash, snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
        )
        .bind(city.as_str())
        .bind(id.to_string())
        .bind(snap.number.as_str())
        .bind(snap.title.as_str())
        .bind(snap.dispute_type.as_str())
        .bind(snap.risk.as_str())
        .bind(snap.source.as_str())
        .bind(snap.area.as_str())
        .bind(snap.tier.as_str())
        .bind(snap.tier_area.as_str())
        .bind(snap.mediation_kind.as_str())
        .bind(snap.money.0)
        .bind(snap.state.as_str())
        .bind(i64::from(snap.attempts_at_tier))
        .bind(snap.org.as_ref().map(|o| o.id.to_string()))
        .bind(nd.case.map(|c| c.to_string()))
        .bind(nd.screening.map(|s| s.to_string()))
        .bind(snap.session_due.map(|d| d.to_string()))
        .bind(snap.follow_up_due.map(|d| d.to_string()))
        .bind(ms(now))
        .bind(None::<i64>)
        .bind(ms(now))
        .bind(1_i64)
        .bind(hash.as_str())
        .bind(serde_json::to_string(&snap).map_err(|_| StorageError::Corrupt("dispute"))?)
        .execute(&mut **tx)
        .await?;
        for (i, p) in parties.iter().enumerate() {
            let sealed_id = p.identifier.as_deref().map(|v| crypto::seal(&self.secret, v)).transpose()?;
            let sealed_phone = p.phone.as_deref().map(|v| crypto::seal(&self.secret, v)).transpose()?;
            sqlx::query(
                "INSERT INTO dispute_parties (city, dispute_id, seq, role, kind, name, id_sealed, id_hash, id_masked, \
                 phone_sealed, phone_masked, address, base_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(city.as_str())
            .bind(id.to_string())
            .bind(i as i64 + 1)
            .bind(p.record.role.as_str())
            .bind(p.record.kind.as_str())
            .bind(p.record.name.as_str())
            .bind(sealed_id)
            .bind(p.identifier.as_deref().map(|v| self.keyed_hash(v)))
            .bind(p.record.id_masked.as_deref())
            .bind(sealed_phone)
            .bind(p.record.phone_masked.as_deref())
            .bind(p.record.address.as_deref())
            .bind(base_ids.get(i).cloned().flatten())
            .execute(&mut **tx)
            .await?;
        }
        self.set_dispute_mediators(tx, city.as_str(), id, &snap).await?;
        self.record_dispute_event(tx, id, None, &snap, &event, GENESIS, &hash).await?;
        Ok(id)
    }

    /// Makes a move on a dispute in one transaction and returns the dispute after it. Names of
    /// the organisation and mediators the move refers to are filled in from the registry.
    pub async fn apply_dispute_move(
        &self,
        actor: &Principal,
        id: DisputeId,
        mv: DisputeMove,
        now: DateTime<Utc>,
    ) -> Result<DisputeSnapshot> {
        let mut w = self.begin_write().await?;
        let after = self.apply_dispute_in(&mut w.tx, actor, id, mv, now).await?;
        w.tx.commit().await?;
        Ok(after)
    }

    pub(crate) async fn apply_dispute_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &Principal,
        id: DisputeId,
        mv: DisputeMove,
        now: DateTime<Utc>,
    ) -> Result<DisputeSnapshot> {
        let row = sqlx::query("SELECT snapshot, last_hash FROM disputes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StorageError::NotFound("dispute"))?;
        let before = parse_snapshot(&row.try_get::<String, _>("snapshot")?)?;
        let prev_hash: String = row.try_get("last_hash")?;
        if !may(actor, DisputeAct::Read, &before.area, &before.tier_area) {
            return Err(StorageError::NotFound("dispute"));
        }
        if !may(actor, act_of(&mv), &before.area, &before.tier_area) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: mv.name() }.into());
        }
        let mv = self.resolve_move(mv, &before).await?;
        let names: Vec<String> = sqlx::query("SELECT name FROM dispute_parties WHERE dispute_id = $1 ORDER BY seq")
            .bind(id.to_string())
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("name"))
            .collect::<std::result::Result<_, _>>()?;
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mv = mv.check(local_date(now), &name_refs)?;
        let mut effects = DisputeEffects::default();
        let next = shiyu_domain::dispute::decide_dispute(&before.view(), &mv, &self.rules.dispute)?;
        if next.tier != before.tier {
            effects.tier_area =
                Some(next.tier.area_for(&before.area).ok_or(DomainError::invalid("tier", "above_area"))?);
        }
        if let DisputeMove::RecordSession { session } = &mv
            && session.outcome == SessionOutcome::Agreement
        {
            effects.agreement_number = Some(format!("{}-{}", before.number, before.agreements + 1));
        }
        let event = DisputeEvent {
            seq: before.seq + 1,
            at: now,
            actor: actor_of(actor),
            change: DisputeChange::Move(mv),
            effects,
        };
        let mut after = before.clone();
        after.apply(&event, &self.rules.dispute)?;
        let hash = link_hash(&prev_hash, &event.to_json());
        let updated = sqlx::query(
            "UPDATE disputes SET state = $1, tier = $2, tier_area = $3, attempts_at_tier = $4, org_id = $5, session_due = $6, \
             follow_up_due = $7, finished_at = $8, updated_at = $9, last_seq = $10, last_hash = $11, snapshot = $12 \
             WHERE id = $13 AND last_seq = $14",
        )
        .bind(after.state.as_str())
        .bind(after.tier.as_str())
        .bind(after.tier_area.as_str())
        .bind(i64::from(after.attempts_at_tier))
        .bind(after.org.as_ref().map(|o| o.id.to_string()))
        .bind(after.session_due.map(|d| d.to_string()))
        .bind(after.follow_up_due.map(|d| d.to_string()))
        .bind(after.finished_at.map(ms))
        .bind(ms(now))
        .bind(i64::from(after.seq))
        .bind(hash.as_str())
        .bind(serde_json::to_string(&after).map_err(|_| StorageError::Corrupt("dispute"))?)
        .bind(id.to_string())
        .bind(i64::from(before.seq))
        .execute(&mut **tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StorageError::Conflict("dispute"));
        }
        if after.mediators != before.mediators {
            self.set_dispute_mediators(tx, after.area.city_key().as_str(), id, &after).await?;
        }
        self.record_dispute_event(tx, id, Some(&before), &after, &event, &prev_hash, &hash).await?;
        Ok(after)
    }

    /// Fills in registry names; checks the organisation serves the dispute's current tier.
    async fn resolve_move(&self, mv: DisputeMove, d: &DisputeSnapshot) -> Result<DisputeMove> {
        Ok(match mv {
            DisputeMove::RecordSession { mut session } => {
                let ids: Vec<MediatorId> = session.mediators.iter().map(|m| m.id).collect();
                session.mediators = self.mediator_refs(&ids).await?;
                DisputeMove::RecordSession { session }
            }
            DisputeMove::Assign { org, mediators } => {
                let ids: Vec<MediatorId> = mediators.iter().map(|m| m.id).collect();
                DisputeMove::Assign {
                    org: self.org_ref(org.id, &d.tier_area).await?,
                    mediators: self.mediator_refs(&ids).await?,
                }
            }
            other => other,
        })
    }

    async fn set_dispute_mediators(
        &self,
        tx: &mut Transaction<'static, Any>,
        city: &str,
        id: DisputeId,
        d: &DisputeSnapshot,
    ) -> Result<()> {
        sqlx::query("DELETE FROM dispute_mediators WHERE dispute_id = $1")
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
        for m in &d.mediators {
            sqlx::query("INSERT INTO dispute_mediators (city, dispute_id, mediator_id) VALUES ($1, $2, $3)")
                .bind(city)
                .bind(id.to_string())
                .bind(m.id.to_string())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "the event and both sides of it")]
    async fn record_dispute_event(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: DisputeId,
        before: Option<&DisputeSnapshot>,
        after: &DisputeSnapshot,
        event: &DisputeEvent,
        prev_hash: &str,
        hash: &str,
    ) -> Result<()> {
        let city = after.area.city_key();
        let body = event.to_json();
        let kind = match &event.change {
            DisputeChange::Register(_) => "register",
            DisputeChange::Move(mv) => mv.name(),
        };
        append_entry(tx, &DISPUTES, city.as_str(), &id.to_string(), event, kind, &body, prev_hash, hash).await?;
        let day = local_date(event.at).to_string();
        for d in deltas(before, after, event) {
            sqlx::query(
                "INSERT INTO dispute_counters (city, day, area_code, tier, dispute_type, metric, value, money_fen) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT (day, area_code, tier, dispute_type, metric) \
                 DO UPDATE SET value = dispute_counters.value + 1, money_fen = dispute_counters.money_fen + $7",
            )
            .bind(city.as_str())
            .bind(day.as_str())
            .bind(after.area.as_str())
            .bind(d.tier.as_str())
            .bind(after.dispute_type.as_str())
            .bind(d.metric.as_str())
            .bind(d.money_fen)
            .execute(&mut **tx)
            .await?;
        }
        let payload = serde_json::json!({
            "dispute_id": id, "number": after.number, "seq": event.seq, "hash": hash, "state": after.state,
            "event": serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default(),
        });
        self.outbox(
            tx,
            city.as_str(),
            "dispute.event",
            &id.to_string(),
            i64::from(event.seq),
            &payload.to_string(),
            event.at,
        )
        .await
    }

    /// Disputes the caller may read, as `list` selects, at most `limit`.
    pub async fn disputes(&self, actor: &Principal, list: &DisputeList, limit: u32) -> Result<Vec<DisputeSummary>> {
        let Some(read_root) = dispute_root(actor, DisputeAct::Read) else { return Ok(Vec::new()) };
        let mut q = Query::new("SELECT d.id, d.snapshot FROM disputes d WHERE 1 = 1");
        q.push(" AND d.area_code LIKE ?", Arg::Text(prefix_pattern(read_root.scope_prefix())));
        let steer_root = |act| dispute_root(actor, act).map(|r| prefix_pattern(r.scope_prefix()));
        let order = match list {
            DisputeList::All => " ORDER BY d.registered_at DESC",
            DisputeList::Mine => {
                let Some(me) = self.mediator_of_user(actor.user_id).await? else { return Ok(Vec::new()) };
                q.push(
                    " AND d.id IN (SELECT dispute_id FROM dispute_mediators WHERE mediator_id = ?)",
                    Arg::Text(me.id.to_string()),
                );
                q.raw(" AND d.state IN ('registered', 'mediating', 'agreed')");
                " ORDER BY d.updated_at DESC"
            }
            DisputeList::SessionsDue(day) => {
                let Some(root) = steer_root(DisputeAct::Mediate) else { return Ok(Vec::new()) };
                q.push(" AND d.tier_area LIKE ?", Arg::Text(root));
                q.raw(" AND d.state IN ('registered', 'mediating')");
                q.push(" AND d.session_due <= ?", Arg::Text(day.to_string()));
                " ORDER BY d.session_due, d.registered_at"
            }
            DisputeList::EscalationsWaiting => {
                let Some(root) = steer_root(DisputeAct::Steer) else { return Ok(Vec::new()) };
                q.push(" AND d.tier_area LIKE ?", Arg::Text(root));
                q.raw(" AND d.state = 'registered' AND d.tier <> 'village' AND d.org_id IS NULL");
                " ORDER BY d.updated_at"
            }
            DisputeList::FollowUpsDue(day) => {
                let Some(root) = steer_root(DisputeAct::Mediate) else { return Ok(Vec::new()) };
                q.push(" AND d.tier_area LIKE ?", Arg::Text(root));
                q.raw(" AND d.state = 'agreed'");
                q.push(" AND d.follow_up_due <= ?", Arg::Text(day.to_string()));
                " ORDER BY d.follow_up_due"
            }
        };
        q.raw(order);
        q.push(" LIMIT ?", Arg::Int(i64::from(limit.clamp(1, 1000))));
        q.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(DisputeSummary {
                    id: DisputeId::parse(&r.try_get::<String, _>("id")?)
                        .map_err(|_| StorageError::Corrupt("dispute"))?,
                    dispute: parse_snapshot(&r.try_get::<String, _>("snapshot")?)?,
                })
            })
            .collect()
    }

    /// One dispute with its parties and history, if the caller may read it.
    pub async fn dispute_record(&self, actor: &Principal, id: DisputeId) -> Result<DisputeRecord> {
        let row = sqlx::query("SELECT snapshot, case_id FROM disputes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("dispute"))?;
        let dispute = parse_snapshot(&row.try_get::<String, _>("snapshot")?)?;
        if !may(actor, DisputeAct::Read, &dispute.area, &dispute.tier_area) {
            return Err(StorageError::NotFound("dispute"));
        }
        let events = self.dispute_events(id).await?;
        let (parties, facts) = match events.first().map(|e| &e.change) {
            Some(DisputeChange::Register(intake)) => (intake.parties.clone(), intake.facts.clone()),
            _ => return Err(StorageError::Corrupt("dispute")),
        };
        let case = match row.try_get::<Option<String>, _>("case_id")? {
            Some(c) => {
                let n = sqlx::query("SELECT number FROM cases WHERE id = $1")
                    .bind(c.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                let cid = CaseId::parse(&c).map_err(|_| StorageError::Corrupt("dispute"))?;
                n.map(|r| r.try_get::<String, _>("number").map(|n| (cid, n))).transpose()?
            }
            None => None,
        };
        Ok(DisputeRecord { id, dispute, parties, events, case, facts })
    }

    /// A dispute's history, oldest first.
    pub async fn dispute_events(&self, id: DisputeId) -> Result<Vec<DisputeEvent>> {
        sqlx::query("SELECT body FROM dispute_events WHERE dispute_id = $1 ORDER BY seq")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                DisputeEvent::from_json(&r.try_get::<String, _>("body")?)
                    .map_err(|_| StorageError::Corrupt("dispute_event"))
            })
            .collect()
    }

    /// The dispute a case became, if any and if the caller may read it: id and number.
    pub async fn dispute_of_case(&self, actor: &Principal, case: CaseId) -> Result<Option<(DisputeId, String)>> {
        let row = sqlx::query("SELECT id, number, area_code, tier_area FROM disputes WHERE case_id = $1")
            .bind(case.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let bad = || StorageError::Corrupt("dispute");
        let area = AreaCode::parse(&r.try_get::<String, _>("area_code")?).map_err(|_| bad())?;
        let tier_area = AreaCode::parse(&r.try_get::<String, _>("tier_area")?).map_err(|_| bad())?;
        if !may(actor, DisputeAct::Read, &area, &tier_area) {
            return Ok(None);
        }
        Ok(Some((DisputeId::parse(&r.try_get::<String, _>("id")?).map_err(|_| bad())?, r.try_get("number")?)))
    }
}
