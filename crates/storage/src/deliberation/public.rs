//! What the public community page shows of deliberation: [`Store::public_proposals_of_area`].
//!
//! It takes no principal (the page is open to anyone) and returns no personal data: no proposer,
//! no names of those who attended a meeting, no minutes, no commenters — only what 四议两公开
//! makes public anyway: the matter, where it stands, each meeting's count, and the published
//! resolution and result.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::deliberation::{Body, DocumentKind, ProcedureKind, ProposalSnapshot, ProposalStatus, Stage, Votes};
use sqlx::Row;

use super::parse_snapshot;
use crate::cases::{Arg, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::from_ms;

/// A meeting as published: the body, the day, the count. No names, no minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicMeeting {
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
    /// The count.
    pub votes: Votes,
    /// Whether the motion passed.
    pub passed: bool,
}

/// A published document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicDocument {
    /// Resolution or result.
    pub kind: DocumentKind,
    /// Heading.
    pub title: String,
    /// Text.
    pub text: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// A stage of the procedure and whether the proposal has passed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicStage {
    /// Key, e.g. `decide`.
    pub key: &'static str,
    /// Chinese name, e.g. `村民代表会议决议`.
    pub label_zh: String,
    /// English name.
    pub label_en: String,
    /// Passed (done).
    pub done: bool,
    /// Where the proposal stands (or stopped).
    pub current: bool,
}

/// A proposal as the public page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicProposal {
    /// Number, e.g. `P2026-000012`.
    pub number: String,
    /// Title.
    pub title: String,
    /// What is proposed.
    pub content: String,
    /// The community or village.
    pub area: AreaCode,
    /// Village or community procedure.
    pub procedure: ProcedureKind,
    /// Overall status.
    pub status: ProposalStatus,
    /// Every stage, in order, with where it stands.
    pub stages: Vec<PublicStage>,
    /// Meetings held, oldest first.
    pub meetings: Vec<PublicMeeting>,
    /// Published resolution and result, oldest first.
    pub documents: Vec<PublicDocument>,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Completed, stopped or withdrawn at.
    pub finished_at: Option<DateTime<Utc>>,
}

/// The stages of a proposal with what is done and where it stands.
pub fn public_stages(p: &ProposalSnapshot) -> Vec<PublicStage> {
    let at = p.stage as usize;
    p.procedure
        .stages
        .iter()
        .enumerate()
        .map(|(i, s): (usize, &Stage)| PublicStage {
            key: s.key(),
            label_zh: s.label_zh_in(p.procedure.kind),
            label_en: s.label_en_in(p.procedure.kind),
            done: i < at,
            current: i == at,
        })
        .collect()
}

impl Store {
    /// The proposals of `area` and the areas below it (a community or village, or a street,
    /// district or city for all of theirs), newest activity first, at most `limit` (1–500): each
    /// with where it stands in its procedure, its meetings' counts and its published documents.
    ///
    /// For the public community page: it needs no signed-in user and returns **no personal
    /// data** — no proposer, no names of attendees or commenters, no minutes. Withdrawn
    /// proposals are left out (the proposer took them back before any decision). Three queries
    /// whatever the number of proposals.
    pub async fn public_proposals_of_area(&self, area: &AreaCode, limit: u32) -> Result<Vec<PublicProposal>> {
        let mut q = Query::new("SELECT id, snapshot FROM proposals WHERE status <> 'withdrawn'");
        q.within("area_code", area.scope_prefix());
        q.raw(" ORDER BY updated_at DESC, id DESC");
        q.push(" LIMIT ?", Arg::Int(i64::from(limit.clamp(1, 500))));
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut found = Vec::with_capacity(rows.len());
        for r in &rows {
            found.push((r.try_get::<String, _>("id")?, parse_snapshot(&r.try_get::<String, _>("snapshot")?)?));
        }
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let of_these = |select: &str| {
            let mut q = Query::new(select);
            for (i, (id, _)) in found.iter().enumerate() {
                q.push(if i == 0 { "?" } else { ", ?" }, Arg::Text(id.clone()));
            }
            q.raw(") ORDER BY proposal_id, seq");
            q
        };
        let mut meetings: HashMap<String, Vec<PublicMeeting>> = HashMap::new();
        let q = of_these(
            "SELECT proposal_id, stage, body, held_at, members_total, present, votes_for, votes_against, votes_abstain, \
             passed FROM proposal_meetings WHERE proposal_id IN (",
        );
        for m in q.build().fetch_all(&self.pool).await? {
            let n = |c: &str| m.try_get::<i64, _>(c).map(super::count);
            let meeting = PublicMeeting {
                stage: m.try_get("stage")?,
                body: Body::parse(&m.try_get::<String, _>("body")?).map_err(|_| StorageError::Corrupt("meeting"))?,
                held_at: from_ms(m.try_get("held_at")?),
                members_total: n("members_total")?,
                present: n("present")?,
                votes: Votes { yes: n("votes_for")?, against: n("votes_against")?, abstain: n("votes_abstain")? },
                passed: m.try_get::<i64, _>("passed")? != 0,
            };
            meetings.entry(m.try_get("proposal_id")?).or_default().push(meeting);
        }
        let mut documents: HashMap<String, Vec<PublicDocument>> = HashMap::new();
        let q = of_these(
            "SELECT proposal_id, kind, title, text, published_at FROM proposal_documents WHERE proposal_id IN (",
        );
        for d in q.build().fetch_all(&self.pool).await? {
            let doc = PublicDocument {
                kind: DocumentKind::parse(&d.try_get::<String, _>("kind")?)
                    .map_err(|_| StorageError::Corrupt("document"))?,
                title: d.try_get("title")?,
                text: d.try_get("text")?,
                published_at: from_ms(d.try_get("published_at")?),
            };
            documents.entry(d.try_get("proposal_id")?).or_default().push(doc);
        }
        Ok(found
            .into_iter()
            .map(|(id, p)| PublicProposal {
                stages: public_stages(&p),
                meetings: meetings.remove(&id).unwrap_or_default(),
                documents: documents.remove(&id).unwrap_or_default(),
                number: p.number,
                title: p.title,
                content: p.content,
                area: p.area,
                procedure: p.procedure.kind,
                status: p.status,
                created_at: p.created_at,
                finished_at: p.finished_at,
            })
            .collect())
    }
}
