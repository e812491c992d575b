//! What the public community page shows of deliberation: [`Store::public_proposals_of_area`].
//!
//! It takes no principal (the page is open to anyone) and returns no personal data: no proposer,
//! no names of those who attended a meeting, no minutes, no commenters — only what 四议两公开
//! makes public anyway: the matter, where it stands, each meeting's count, and the published
//! resolution and result.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::area::AreaCode;
use shiyu_domain::deliberation::{Body, DocumentKind, ProcedureKind, ProposalSnapshot, ProposalStatus, Stage, Votes};
use sqlx::Row;

use super::{DocumentRecord, parse_id, parse_snapshot};
use crate::db::Store;
use crate::error::Result;
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
    pub body: String,
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
            label_zh: s.label_zh(),
            label_en: s.label_en(),
            done: i < at,
            current: i == at,
        })
        .collect()
}

impl From<DocumentRecord> for PublicDocument {
    fn from(d: DocumentRecord) -> Self {
        Self { kind: d.kind, title: d.title, text: d.text, published_at: d.published_at }
    }
}

impl Store {
    /// The proposals of `area` and the areas below it (a community or village, or a street,
    /// district or city for all of theirs), newest activity first, at most `limit` (1–500): each
    /// with where it stands in its procedure, its meetings' counts and its published documents.
    ///
    /// For the public community page: it needs no signed-in user and returns **no personal
    /// data** — no proposer, no names of attendees or commenters, no minutes. Withdrawn
    /// proposals are left out (the proposer took them back before any decision).
    pub async fn public_proposals_of_area(&self, area: &AreaCode, limit: u32) -> Result<Vec<PublicProposal>> {
        let (low, high) = crate::sql::prefix_range(area.scope_prefix());
        let rows = sqlx::query(
            "SELECT id, snapshot FROM proposals WHERE area_code >= $1 AND area_code < $2 AND status <> 'withdrawn' \
             ORDER BY updated_at DESC, id DESC LIMIT $3",
        )
        .bind(low)
        // An all-nines prefix has no upper bound; no area code sorts above the letter.
        .bind(high.unwrap_or_else(|| "A".into()))
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = parse_id(&r.try_get::<String, _>("id")?)?;
            let p = parse_snapshot(&r.try_get::<String, _>("snapshot")?)?;
            let meetings = sqlx::query(
                "SELECT stage, body, held_at, members_total, present, votes_for, votes_against, votes_abstain, passed \
                 FROM proposal_meetings WHERE proposal_id = $1 ORDER BY seq",
            )
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|m| {
                let n = |c: &str| m.try_get::<i64, _>(c).map(super::count);
                Ok(PublicMeeting {
                    stage: m.try_get("stage")?,
                    body: Body::parse(&m.try_get::<String, _>("body")?)
                        .map_err(|_| crate::error::StorageError::Corrupt("meeting"))?,
                    held_at: from_ms(m.try_get("held_at")?),
                    members_total: n("members_total")?,
                    present: n("present")?,
                    votes: Votes { yes: n("votes_for")?, against: n("votes_against")?, abstain: n("votes_abstain")? },
                    passed: m.try_get::<i64, _>("passed")? != 0,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let documents = self.proposal_documents(id).await?.into_iter().map(PublicDocument::from).collect();
            out.push(PublicProposal {
                stages: public_stages(&p),
                number: p.number,
                title: p.title,
                body: p.body,
                area: p.area,
                procedure: p.procedure.kind,
                status: p.status,
                meetings,
                documents,
                created_at: p.created_at,
                finished_at: p.finished_at,
            });
        }
        Ok(out)
    }
}
