//! What routing proposals learn from and are checked against: past cases' text, category, place
//! and lead organisation; configured owner rules; and what operators did with proposals.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{CaseSnapshot, CategoryCode};
use shiyu_domain::ids::{CaseId, OrgId};
use shiyu_domain::routing::{Example, OwnerRule};
use sqlx::Row;

use crate::base::V;
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::ms;

/// How often proposals were taken.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FeedbackTally {
    /// Category proposals judged, and taken.
    pub category: (i64, i64),
    /// Lead organisation proposals judged, and taken.
    pub org: (i64, i64),
}

impl Store {
    /// The newest `limit` cases (oldest first) with what routing learns from. Merged and
    /// not-accepted cases teach nothing about who should act and are left out.
    pub async fn routing_examples(&self, limit: u32) -> Result<Vec<Example>> {
        let rows = sqlx::query(
            "SELECT snapshot FROM cases WHERE state NOT IN ('merged', 'not_accepted') ORDER BY created_at DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows.iter().rev() {
            let c: CaseSnapshot = serde_json::from_str(&r.try_get::<String, _>("snapshot")?)
                .map_err(|_| StorageError::Corrupt("case"))?;
            out.push(Example {
                text: format!("{} {}", c.title, c.text),
                category: c.category.as_str().to_owned(),
                area: c.area.clone(),
                lead_org: c.lead_org.map(|o| o.to_string()),
            });
        }
        Ok(out)
    }

    /// The configured owners.
    pub async fn owner_rules(&self) -> Result<Vec<OwnerRule>> {
        let rows = sqlx::query("SELECT category, area_code, org_id FROM routing_rules ORDER BY category, area_code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(OwnerRule {
                    category: r.try_get("category")?,
                    area: AreaCode::parse(&r.try_get::<String, _>("area_code")?)
                        .map_err(|_| StorageError::Corrupt("area code"))?,
                    org: r.try_get("org_id")?,
                })
            })
            .collect()
    }

    /// Sets (or replaces) the owner of a category in an area subtree.
    pub async fn set_owner_rule(&self, category: &str, area: &AreaCode, org: OrgId, now: DateTime<Utc>) -> Result<()> {
        let code = CategoryCode::parse(category).map_err(|_| DomainError::invalid("category", "unknown_category"))?;
        if !self.category_exists(&code).await? {
            return Err(DomainError::invalid("category", "unknown_category").into());
        }
        self.area(area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        self.org(org).await.map_err(|_| DomainError::invalid("org_id", "unknown_org"))?;
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO routing_rules (category, area_code, org_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (category, area_code) DO UPDATE SET org_id = excluded.org_id, created_at = excluded.created_at",
        )
        .bind(category)
        .bind(area.as_str())
        .bind(org.to_string())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Records what the operator chose against what was proposed (`kind`: `category` or `org`);
    /// the first judgement of a case and kind stands.
    pub async fn record_routing_feedback(
        &self,
        case_id: CaseId,
        kind: &'static str,
        proposed: &str,
        chosen: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // Through the group commit: a judgement follows every dispatch, so it shares the batches
        // instead of paying a commit of its own.
        let (proposed, chosen) = (proposed.to_owned(), chosen.to_owned());
        self.write(move |tx| Box::pin(async move { feedback_in(tx, case_id, kind, &proposed, &chosen, now).await }))
            .await
    }

    /// Proposals judged and taken since `since`.
    pub async fn routing_feedback(&self, since: DateTime<Utc>) -> Result<FeedbackTally> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN proposed = chosen THEN 1 ELSE 0 END), 0) AS BIGINT) AS taken \
             FROM routing_feedback WHERE at >= $1 GROUP BY kind",
        )
        .bind(ms(since))
        .fetch_all(&self.pool)
        .await?;
        let mut t = FeedbackTally::default();
        for r in &rows {
            let pair = (r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("taken")?);
            match r.try_get::<String, _>("kind")?.as_str() {
                "category" => t.category = pair,
                _ => t.org = pair,
            }
        }
        Ok(t)
    }
}

/// Records a judgement inside a caller's transaction; the first of a case and kind stands.
pub(crate) async fn feedback_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: CaseId,
    kind: &'static str,
    proposed: &str,
    chosen: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = vec![
        V::T(Some(case_id.to_string())),
        V::T(Some(kind.to_owned())),
        V::T(Some(proposed.to_owned())),
        V::T(Some(chosen.to_owned())),
        V::I(ms(now)),
    ];
    crate::group_commit::insert(tx, &FEEDBACK_ROW, row).await
}

static FEEDBACK_ROW: crate::group_commit::Insert = crate::group_commit::Insert {
    table: "routing_feedback",
    cols: &["case_id", "kind", "proposed", "chosen", "at"],
    suffix: " ON CONFLICT (case_id, kind) DO NOTHING",
};
