//! Deliberation: proposals, their meetings, published documents and comments.
//!
//! A change flows like a dispute's: principal → access check by the proposal's area
//! ([`shiyu_domain::deliberation::access`]) → domain decision → one transaction writing the
//! proposal row, its hash-chained event, the meeting or document row kept for screens, and the
//! outbox entry. Reads take the principal too: staff read their subtree in full, residents read
//! every proposal as published (no minutes or attendance, commenters masked). [`public`] holds
//! the read for the public community page, which takes no principal and returns no personal data.

pub mod public;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::Actor;
use shiyu_domain::case::event::{GENESIS, link_hash};
use shiyu_domain::deliberation::access::{ProposalAct, Reach, may, reach, reads_in_full, role_may};
use shiyu_domain::deliberation::record::comment_text;
use shiyu_domain::deliberation::{
    Body, DocumentKind, Origin, ProcedureKind, ProposalChange, ProposalEffects, ProposalEvent, ProposalIntake,
    ProposalMove, ProposalSnapshot, ProposalStatus, Stage, Votes, decide, mask_name,
};
use shiyu_domain::ids::{CaseId, ProposalCommentId, ProposalId};
use shiyu_domain::role::Role;
use shiyu_domain::scope::Principal;
use shiyu_domain::time::local_date;
use sqlx::{Any, Row, Transaction};

use crate::cases::{Arg, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::history::{PROPOSALS, append_entry};
use crate::sql::{from_ms, ms};

/// A proposal as entered, before checks.
#[derive(Debug, Clone, Default)]
pub struct NewProposal {
    /// Short title.
    pub title: String,
    /// What is proposed, and why.
    pub content: String,
    /// The community or village (default: the community of the case, or the proposal the comment
    /// was made on).
    pub area: Option<AreaCode>,
    /// The procedure (default: read from the area's code, [`ProcedureKind::of_area`]).
    pub procedure: Option<ProcedureKind>,
    /// The case it comes from.
    pub case: Option<CaseId>,
    /// The resident's comment it comes from.
    pub comment: Option<ProposalCommentId>,
}

/// Which proposals a list shows, always inside what the caller may read.
#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    /// Only this area's subtree.
    pub area: Option<AreaCode>,
    /// Only this status.
    pub status: Option<ProposalStatus>,
    /// At most (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// A proposal line in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalSummary {
    /// Id.
    pub id: ProposalId,
    /// The proposal as it stands.
    pub proposal: ProposalSnapshot,
    /// Its last change (a meeting, a publication, a withdrawal).
    pub updated_at: DateTime<Utc>,
}

/// A meeting as recorded. Read by residents, `attendees`, `observers` and `minutes` are empty.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRecord {
    /// Position of its event in the history.
    pub seq: u32,
    /// The stage's key.
    pub stage: String,
    /// Who met.
    pub body: Body,
    /// When.
    pub held_at: DateTime<Utc>,
    /// Members entitled to vote.
    pub members_total: u32,
    /// Members present.
    pub present: u32,
    /// The members present, as typed.
    pub attendees: Vec<String>,
    /// Others present without a vote.
    pub observers: Vec<String>,
    /// The count.
    pub votes: Votes,
    /// Members present needed to sit.
    pub quorum_needed: u32,
    /// Votes for needed to pass.
    pub votes_needed: u32,
    /// Whether the motion passed.
    pub passed: bool,
    /// The minutes.
    pub minutes: String,
}

/// A published document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRecord {
    /// Position of its event in the history.
    pub seq: u32,
    /// Which.
    pub kind: DocumentKind,
    /// Heading.
    pub title: String,
    /// Text.
    pub text: String,
    /// When.
    pub published_at: DateTime<Utc>,
}

/// A comment. Read by residents, the author's name is masked (`张*`).
#[derive(Debug, Clone, Serialize)]
pub struct CommentRecord {
    /// Id.
    pub id: ProposalCommentId,
    /// The author's name (masked for residents).
    pub author: String,
    /// The author's role.
    pub author_role: Role,
    /// Whether the caller wrote it.
    pub mine: bool,
    /// Text.
    pub text: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The proposal made from it, if any: id and number.
    pub became: Option<(ProposalId, String)>,
}

/// A proposal with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalRecord {
    /// Id.
    pub id: ProposalId,
    /// The proposal as it stands.
    pub proposal: ProposalSnapshot,
    /// Whether this is the staff's full record (minutes, attendance, names, history) rather
    /// than the published view residents read.
    pub full: bool,
    /// Meetings, oldest first.
    pub meetings: Vec<MeetingRecord>,
    /// Published documents, oldest first.
    pub documents: Vec<DocumentRecord>,
    /// Comments, oldest first.
    pub comments: Vec<CommentRecord>,
    /// The hash-chained history (staff only).
    pub events: Vec<ProposalEvent>,
    /// The name of whoever made it (staff only).
    pub proposer_name: String,
    /// The case it came from, if the caller may see it: id and number.
    pub origin_case: Option<(CaseId, String)>,
    /// The proposal whose comment it came from: id and number.
    pub origin_proposal: Option<(ProposalId, String)>,
}

fn parse_snapshot(text: &str) -> Result<ProposalSnapshot> {
    serde_json::from_str(text).map_err(|_| StorageError::Corrupt("proposal"))
}

fn parse_id(text: &str) -> Result<ProposalId> {
    ProposalId::parse(text).map_err(|_| StorageError::Corrupt("proposal id"))
}

fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

fn actor_of(p: &Principal) -> Actor {
    Actor { user: Some(p.user_id), name: p.name.clone(), role: Some(p.role) }
}

/// The title a published document gets when the clerk gave none.
fn default_title(proposal: &str, kind: DocumentKind) -> String {
    match kind {
        DocumentKind::Resolution => format!("关于“{proposal}”的决议公告"),
        DocumentKind::Result => format!("关于“{proposal}”的实施结果公告"),
    }
}

impl Store {
    /// Makes a proposal in one transaction. Its creator is its proposer of record.
    pub async fn create_proposal(&self, actor: &Principal, np: NewProposal, now: DateTime<Utc>) -> Result<ProposalId> {
        if !role_may(actor.role, ProposalAct::Steer) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "create_proposal" }.into());
        }
        let mut area = np.area;
        let origin = match (np.case, np.comment) {
            (Some(_), Some(_)) => return Err(DomainError::invalid("comment", "case_or_comment").into()),
            (Some(case_id), None) => {
                let rec = self.case_record(&actor.scope(), case_id).await.map_err(|e| match e {
                    StorageError::NotFound(_) => DomainError::invalid("case", "unknown_case").into(),
                    other => other,
                })?;
                if area.is_none() {
                    area = rec.case.area.ancestor_at(AreaLevel::Community);
                }
                Some(Origin::Case { id: case_id, number: rec.case.number.to_string() })
            }
            (None, Some(comment)) => {
                let (on, _, on_area, _) = self
                    .proposal_comment(actor, comment)
                    .await?
                    .ok_or(DomainError::invalid("comment", "unknown_comment"))?;
                if area.is_none() {
                    area = Some(on_area);
                }
                Some(Origin::Comment { id: comment, proposal: on })
            }
            (None, None) => None,
        };
        let area = area.ok_or(DomainError::invalid("area_code", "required"))?;
        self.area(&area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        if !may(actor, ProposalAct::Steer, &area) {
            return Err(DomainError::invalid("area_code", "outside_scope").into());
        }
        let kind = np.procedure.unwrap_or_else(|| ProcedureKind::of_area(&area));
        let intake = ProposalIntake {
            title: np.title,
            content: np.content,
            area: area.clone(),
            procedure: self.rules.deliberation.procedure(kind).clone(),
            origin,
        }
        .check()?;

        let today = local_date(now);
        let city = area.city_key();
        let mut w = self.begin_write().await?;
        let serial: i64 = sqlx::query(
            "INSERT INTO proposal_serials (city, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (city, year) DO UPDATE SET last = proposal_serials.last + 1 RETURNING last",
        )
        .bind(city.as_str())
        .bind(i64::from(today.year()))
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("last")?;
        let event = ProposalEvent {
            seq: 1,
            at: now,
            actor: actor_of(actor),
            change: ProposalChange::Create(Box::new(intake)),
            effects: ProposalEffects { number: Some(format!("P{}-{serial:06}", today.year())) },
        };
        let snap = ProposalSnapshot::create(&event)?;
        let id = ProposalId::new();
        let hash = link_hash(GENESIS, &event.to_json());
        let (case_id, comment_id) = match &snap.origin {
            Some(Origin::Case { id, .. }) => (Some(id.to_string()), None),
            Some(Origin::Comment { id, .. }) => (None, Some(id.to_string())),
            None => (None, None),
        };
        let stage_key = snap.current_stage().map_or("", Stage::key);
        sqlx::query(
            "INSERT INTO proposals (city, id, number, area_code, procedure_kind, stage, stage_index, status, title, \
             origin_case_id, origin_comment_id, proposer_user, created_at, updated_at, finished_at, last_seq, last_hash, \
             snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(city.as_str())
        .bind(id.to_string())
        .bind(snap.number.as_str())
        .bind(snap.area.as_str())
        .bind(snap.procedure.kind.as_str())
        .bind(stage_key)
        .bind(i64::from(snap.stage))
        .bind(snap.status.as_str())
        .bind(snap.title.as_str())
        .bind(case_id)
        .bind(comment_id)
        .bind(actor.user_id.to_string())
        .bind(ms(now))
        .bind(ms(now))
        .bind(None::<i64>)
        .bind(1_i64)
        .bind(hash.as_str())
        .bind(serde_json::to_string(&snap).map_err(|_| StorageError::Corrupt("proposal"))?)
        .execute(&mut *w.tx)
        .await
        .map_err(|e| match &e {
            // The origin's unique index: a case or comment becomes one proposal only.
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                let field = if matches!(snap.origin, Some(Origin::Comment { .. })) { "comment" } else { "case" };
                DomainError::invalid(field, "already_a_proposal").into()
            }
            _ => StorageError::Database(e),
        })?;
        self.record_proposal_event(&mut w.tx, id, &snap, &event, GENESIS, &hash).await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// Makes a move on a proposal in one transaction and returns the proposal after it.
    pub async fn apply_proposal_move(
        &self,
        actor: &Principal,
        id: ProposalId,
        mv: ProposalMove,
        now: DateTime<Utc>,
    ) -> Result<ProposalSnapshot> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query("SELECT snapshot, last_hash FROM proposals WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StorageError::NotFound("proposal"))?;
        let before = parse_snapshot(&row.try_get::<String, _>("snapshot")?)?;
        let prev_hash: String = row.try_get("last_hash")?;
        if !may(actor, ProposalAct::Read, &before.area) {
            return Err(StorageError::NotFound("proposal"));
        }
        if !may(actor, ProposalAct::Steer, &before.area) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: mv.name() }.into());
        }
        let mut mv = mv.check(now)?;
        // The document's heading, when the clerk gave none, is written into the event itself.
        if let ProposalMove::Publish { publication } = &mut mv
            && publication.title.is_empty()
            && let Some(Stage::Publication { document }) =
                before.procedure.index_of(&publication.stage).and_then(|i| before.procedure.stages.get(i))
        {
            publication.title = default_title(&before.title, *document);
        }
        let decision = decide(&before.view(), &before.procedure, &mv, actor.user_id)?;
        let event = ProposalEvent {
            seq: before.seq + 1,
            at: now,
            actor: actor_of(actor),
            change: ProposalChange::Move(mv),
            effects: ProposalEffects::default(),
        };
        let mut after = before.clone();
        after.apply(&event)?;
        let hash = link_hash(&prev_hash, &event.to_json());
        let updated = sqlx::query(
            "UPDATE proposals SET stage = $1, stage_index = $2, status = $3, updated_at = $4, finished_at = $5, \
             last_seq = $6, last_hash = $7, snapshot = $8 WHERE id = $9 AND last_seq = $10",
        )
        .bind(after.current_stage().map_or("", Stage::key))
        .bind(i64::from(after.stage))
        .bind(after.status.as_str())
        .bind(ms(now))
        .bind(after.finished_at.map(ms))
        .bind(i64::from(after.seq))
        .bind(hash.as_str())
        .bind(serde_json::to_string(&after).map_err(|_| StorageError::Corrupt("proposal"))?)
        .bind(id.to_string())
        .bind(i64::from(before.seq))
        .execute(&mut *w.tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StorageError::Conflict("proposal"));
        }
        let city = after.area.city_key();
        match &event.change {
            ProposalChange::Move(ProposalMove::RecordMeeting { meeting }) => {
                let tally = decision.tally.ok_or(StorageError::Corrupt("meeting tally"))?;
                let body = before.current_stage().and_then(Stage::body).ok_or(StorageError::Corrupt("stage"))?;
                let list = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
                sqlx::query(
                    "INSERT INTO proposal_meetings (city, proposal_id, seq, stage, body, held_at, members_total, present, \
                     attendees, observers, votes_for, votes_against, votes_abstain, quorum_needed, votes_needed, passed, \
                     minutes, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     $14, $15, $16, $17, $18, $19)",
                )
                .bind(city.as_str())
                .bind(id.to_string())
                .bind(i64::from(event.seq))
                .bind(meeting.stage.as_str())
                .bind(body.as_str())
                .bind(ms(meeting.held_at))
                .bind(i64::from(meeting.members_total))
                .bind(i64::from(tally.present))
                .bind(list(&meeting.attendees))
                .bind(list(&meeting.observers))
                .bind(i64::from(meeting.votes.yes))
                .bind(i64::from(meeting.votes.against))
                .bind(i64::from(meeting.votes.abstain))
                .bind(i64::from(tally.quorum_needed))
                .bind(i64::from(tally.votes_needed))
                .bind(i64::from(tally.passed))
                .bind(meeting.minutes.as_str())
                .bind(actor.user_id.to_string())
                .bind(ms(now))
                .execute(&mut *w.tx)
                .await?;
            }
            ProposalChange::Move(ProposalMove::Publish { publication }) => {
                let Some(Stage::Publication { document }) = before.current_stage() else {
                    return Err(StorageError::Corrupt("stage"));
                };
                sqlx::query(
                    "INSERT INTO proposal_documents (city, proposal_id, seq, kind, title, text, published_at, published_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(city.as_str())
                .bind(id.to_string())
                .bind(i64::from(event.seq))
                .bind(document.as_str())
                .bind(publication.title.as_str())
                .bind(publication.text.as_str())
                .bind(ms(now))
                .bind(actor.user_id.to_string())
                .execute(&mut *w.tx)
                .await?;
            }
            _ => {}
        }
        self.record_proposal_event(&mut w.tx, id, &after, &event, &prev_hash, &hash).await?;
        w.tx.commit().await?;
        Ok(after)
    }

    /// Appends the event and its outbox entry.
    async fn record_proposal_event(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: ProposalId,
        after: &ProposalSnapshot,
        event: &ProposalEvent,
        prev_hash: &str,
        hash: &str,
    ) -> Result<()> {
        let city = after.area.city_key();
        let body = event.to_json();
        let kind = match &event.change {
            ProposalChange::Create(_) => "create",
            ProposalChange::Move(mv) => mv.name(),
        };
        append_entry(tx, &PROPOSALS, city.as_str(), &id.to_string(), event, kind, &body, prev_hash, hash).await?;
        let payload = serde_json::json!({
            "proposal_id": id, "number": after.number, "seq": event.seq, "hash": hash, "status": after.status,
            "stage": after.current_stage().map(Stage::key),
            "event": serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default(),
        });
        self.outbox(
            tx,
            city.as_str(),
            "proposal.event",
            &id.to_string(),
            i64::from(event.seq),
            &payload.to_string(),
            event.at,
        )
        .await
    }

    /// Adds a comment in one transaction, while the proposal is in progress.
    pub async fn comment_on_proposal(
        &self,
        actor: &Principal,
        id: ProposalId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<ProposalCommentId> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query("SELECT snapshot FROM proposals WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StorageError::NotFound("proposal"))?;
        let p = parse_snapshot(&row.try_get::<String, _>("snapshot")?)?;
        if !may(actor, ProposalAct::Read, &p.area) {
            return Err(StorageError::NotFound("proposal"));
        }
        if !may(actor, ProposalAct::Comment, &p.area) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "comment" }.into());
        }
        if p.status != ProposalStatus::InProgress {
            return Err(DomainError::Rule { rule: "proposal_closed" }.into());
        }
        let text = comment_text(text)?;
        let cid = ProposalCommentId::new();
        sqlx::query(
            "INSERT INTO proposal_comments (city, id, proposal_id, author_user, author_name, author_role, text, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(p.area.city_key().as_str())
        .bind(cid.to_string())
        .bind(id.to_string())
        .bind(actor.user_id.to_string())
        .bind(actor.name.as_str())
        .bind(actor.role.as_str())
        .bind(text.as_str())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(cid)
    }

    /// Proposals the caller may read, newest activity first.
    pub async fn proposals(&self, actor: &Principal, filter: &ProposalFilter) -> Result<Vec<ProposalSummary>> {
        let Some(reach) = reach(actor) else { return Ok(Vec::new()) };
        let mut q = Query::new("SELECT p.id, p.snapshot, p.updated_at FROM proposals p WHERE 1 = 1");
        if let Reach::Subtree(root) = &reach {
            q.within("p.area_code", root.scope_prefix());
        }
        if let Some(a) = &filter.area {
            q.within("p.area_code", a.scope_prefix());
        }
        if let Some(s) = filter.status {
            q.push(" AND p.status = ?", Arg::Text(s.as_str().to_owned()));
        }
        q.raw(" ORDER BY p.updated_at DESC, p.id DESC");
        q.push(" LIMIT ?", Arg::Int(i64::from(filter.limit.unwrap_or(100).clamp(1, 1000))));
        q.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ProposalSummary {
                    id: parse_id(&r.try_get::<String, _>("id")?)?,
                    proposal: parse_snapshot(&r.try_get::<String, _>("snapshot")?)?,
                    updated_at: from_ms(r.try_get("updated_at")?),
                })
            })
            .collect()
    }

    /// One proposal with its meetings, documents, comments and (for staff) history, if the
    /// caller may read it.
    pub async fn proposal_record(&self, actor: &Principal, id: ProposalId) -> Result<ProposalRecord> {
        let row = sqlx::query("SELECT snapshot, origin_case_id FROM proposals WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("proposal"))?;
        let proposal = parse_snapshot(&row.try_get::<String, _>("snapshot")?)?;
        if !may(actor, ProposalAct::Read, &proposal.area) {
            return Err(StorageError::NotFound("proposal"));
        }
        let full = reads_in_full(actor, &proposal.area);
        let mut meetings = self.proposal_meetings(id).await?;
        let documents = self.proposal_documents(id).await?;
        let mut comments = self.proposal_comments(actor, id).await?;
        let events = if full { self.proposal_events(id).await? } else { Vec::new() };
        if !full {
            for m in &mut meetings {
                m.attendees.clear();
                m.observers.clear();
                m.minutes.clear();
            }
            for c in &mut comments {
                c.author = mask_name(&c.author);
            }
        }
        let proposer_name = match events.first() {
            Some(e) => e.actor.name.clone(),
            None => String::new(),
        };
        let origin_case = match row.try_get::<Option<String>, _>("origin_case_id")? {
            Some(c) => {
                let cid = CaseId::parse(&c).map_err(|_| StorageError::Corrupt("proposal"))?;
                match self.case_record(&actor.scope(), cid).await {
                    Ok(r) => Some((cid, r.case.number.to_string())),
                    Err(StorageError::NotFound(_)) => None,
                    Err(e) => return Err(e),
                }
            }
            None => None,
        };
        let origin_proposal = match &proposal.origin {
            Some(Origin::Comment { proposal: from, .. }) => sqlx::query("SELECT number FROM proposals WHERE id = $1")
                .bind(from.to_string())
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get::<String, _>("number").map(|n| (*from, n)))
                .transpose()?,
            _ => None,
        };
        Ok(ProposalRecord {
            id,
            proposal,
            full,
            meetings,
            documents,
            comments,
            events,
            proposer_name,
            origin_case,
            origin_proposal,
        })
    }

    /// A proposal's history, oldest first.
    pub async fn proposal_events(&self, id: ProposalId) -> Result<Vec<ProposalEvent>> {
        sqlx::query("SELECT body FROM proposal_events WHERE proposal_id = $1 ORDER BY seq")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                ProposalEvent::from_json(&r.try_get::<String, _>("body")?)
                    .map_err(|_| StorageError::Corrupt("proposal_event"))
            })
            .collect()
    }

    async fn proposal_meetings(&self, id: ProposalId) -> Result<Vec<MeetingRecord>> {
        let rows = sqlx::query(
            "SELECT seq, stage, body, held_at, members_total, present, attendees, observers, votes_for, votes_against, \
             votes_abstain, quorum_needed, votes_needed, passed, minutes FROM proposal_meetings WHERE proposal_id = $1 \
             ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let list = |s: String| serde_json::from_str::<Vec<String>>(&s).map_err(|_| StorageError::Corrupt("meeting"));
        rows.iter()
            .map(|r| {
                Ok(MeetingRecord {
                    seq: count(r.try_get("seq")?),
                    stage: r.try_get("stage")?,
                    body: Body::parse(&r.try_get::<String, _>("body")?)
                        .map_err(|_| StorageError::Corrupt("meeting"))?,
                    held_at: from_ms(r.try_get("held_at")?),
                    members_total: count(r.try_get("members_total")?),
                    present: count(r.try_get("present")?),
                    attendees: list(r.try_get("attendees")?)?,
                    observers: list(r.try_get("observers")?)?,
                    votes: Votes {
                        yes: count(r.try_get("votes_for")?),
                        against: count(r.try_get("votes_against")?),
                        abstain: count(r.try_get("votes_abstain")?),
                    },
                    quorum_needed: count(r.try_get("quorum_needed")?),
                    votes_needed: count(r.try_get("votes_needed")?),
                    passed: r.try_get::<i64, _>("passed")? != 0,
                    minutes: r.try_get("minutes")?,
                })
            })
            .collect()
    }

    async fn proposal_documents(&self, id: ProposalId) -> Result<Vec<DocumentRecord>> {
        let rows = sqlx::query(
            "SELECT seq, kind, title, text, published_at FROM proposal_documents WHERE proposal_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DocumentRecord {
                    seq: count(r.try_get("seq")?),
                    kind: DocumentKind::parse(&r.try_get::<String, _>("kind")?)
                        .map_err(|_| StorageError::Corrupt("document"))?,
                    title: r.try_get("title")?,
                    text: r.try_get("text")?,
                    published_at: from_ms(r.try_get("published_at")?),
                })
            })
            .collect()
    }

    async fn proposal_comments(&self, actor: &Principal, id: ProposalId) -> Result<Vec<CommentRecord>> {
        let rows = sqlx::query(
            "SELECT c.id, c.author_user, c.author_name, c.author_role, c.text, c.created_at, p.id AS became_id, \
             p.number AS became_number FROM proposal_comments c LEFT JOIN proposals p ON p.origin_comment_id = c.id \
             WHERE c.proposal_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let became = match (r.try_get::<Option<String>, _>("became_id")?, r.try_get("became_number")?) {
                    (Some(pid), Some(n)) => Some((parse_id(&pid)?, n)),
                    _ => None,
                };
                Ok(CommentRecord {
                    id: ProposalCommentId::parse(&r.try_get::<String, _>("id")?)
                        .map_err(|_| StorageError::Corrupt("comment"))?,
                    author: r.try_get("author_name")?,
                    author_role: Role::parse(&r.try_get::<String, _>("author_role")?)
                        .map_err(|_| StorageError::Corrupt("comment"))?,
                    mine: r.try_get::<String, _>("author_user")? == actor.user_id.to_string(),
                    text: r.try_get("text")?,
                    at: from_ms(r.try_get("created_at")?),
                    became,
                })
            })
            .collect()
    }

    /// A comment the caller may read, with the proposal it was made on (for making a proposal of
    /// it): the proposal's id, number and area, and the comment's text.
    pub async fn proposal_comment(
        &self,
        actor: &Principal,
        comment: ProposalCommentId,
    ) -> Result<Option<(ProposalId, String, AreaCode, String)>> {
        let row = sqlx::query(
            "SELECT p.id, p.number, p.area_code, c.text FROM proposal_comments c JOIN proposals p ON p.id = c.proposal_id \
             WHERE c.id = $1",
        )
        .bind(comment.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let area =
            AreaCode::parse(&r.try_get::<String, _>("area_code")?).map_err(|_| StorageError::Corrupt("proposal"))?;
        if !may(actor, ProposalAct::Read, &area) {
            return Ok(None);
        }
        Ok(Some((parse_id(&r.try_get::<String, _>("id")?)?, r.try_get("number")?, area, r.try_get("text")?)))
    }

    /// The proposal a case became, if any and if the caller may read it: id and number.
    pub async fn proposal_of_case(&self, actor: &Principal, case: CaseId) -> Result<Option<(ProposalId, String)>> {
        let row = sqlx::query("SELECT id, number, area_code FROM proposals WHERE origin_case_id = $1")
            .bind(case.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let area =
            AreaCode::parse(&r.try_get::<String, _>("area_code")?).map_err(|_| StorageError::Corrupt("proposal"))?;
        if !may(actor, ProposalAct::Read, &area) {
            return Ok(None);
        }
        Ok(Some((parse_id(&r.try_get::<String, _>("id")?)?, r.try_get("number")?)))
    }
}
