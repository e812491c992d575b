//! What one case or dispute puts in the index: the words to find it by, and the few values its
//! filters and result lines need.

use chrono::{DateTime, Utc};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::{CaseSnapshot, Reporter};
use shiyu_domain::dispute::{DisputeChange, DisputeEvent, DisputeMove, DisputeSnapshot};
use tantivy::TantivyDocument;

use crate::schema::Fields;

/// The kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A case (诉求/事件).
    Case,
    /// A dispute (矛盾纠纷).
    Dispute,
}

impl DocKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Dispute => "dispute",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "case" => Some(Self::Case),
            "dispute" => Some(Self::Dispute),
            _ => None,
        }
    }
}

/// One record as indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    /// Case or dispute.
    pub kind: DocKind,
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Result text.
    pub result: String,
    /// Leaf area.
    pub area: AreaCode,
    /// Responsible centre (cases) or the tier's area (disputes).
    pub handling_area: Option<AreaCode>,
    /// State's wire name.
    pub state: String,
    /// Category code or dispute type.
    pub category: String,
    /// Organisations.
    pub orgs: Vec<String>,
    /// Reporting user.
    pub reporter: Option<String>,
    /// Registered at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl SearchDoc {
    /// A case as it stands.
    pub fn case(c: &CaseSnapshot) -> Self {
        let mut orgs: Vec<String> = c.orgs_ever.iter().map(ToString::to_string).collect();
        if let Some(lead) = c.lead_org {
            let lead = lead.to_string();
            if !orgs.contains(&lead) {
                orgs.push(lead);
            }
        }
        Self {
            kind: DocKind::Case,
            id: c.id.to_string(),
            number: c.number.to_string(),
            title: c.title.clone(),
            body: c.text.clone(),
            result: c.result_text.clone().unwrap_or_default(),
            area: c.area.clone(),
            handling_area: Some(c.handling_area.clone()),
            state: c.state.as_str().to_owned(),
            category: c.category.as_str().to_owned(),
            orgs,
            reporter: match c.reporter {
                Reporter::Account { user } => Some(user.to_string()),
                Reporter::Anonymous | Reporter::Contact => None,
            },
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }

    /// A dispute as it stands, with the words of its history: the facts given at registration,
    /// session notes, escalation, referral and closing reasons and follow-up notes go to the text;
    /// agreement terms and how they are carried out to the result.
    pub fn dispute(id: &str, d: &DisputeSnapshot, events: &[DisputeEvent]) -> Self {
        let mut body: Vec<&str> = Vec::new();
        let mut result: Vec<&str> = Vec::new();
        let mut updated = d.registered_at;
        for e in events {
            updated = updated.max(e.at);
            match &e.change {
                DisputeChange::Register(intake) => body.push(&intake.facts),
                DisputeChange::Move(DisputeMove::RecordSession { session }) => {
                    body.push(&session.notes);
                    result.extend(session.terms.iter().map(String::as_str));
                    result.extend(session.performance.as_deref());
                }
                DisputeChange::Move(
                    DisputeMove::Escalate { reason }
                    | DisputeMove::Refer { reason, .. }
                    | DisputeMove::Close { reason },
                ) => body.push(reason),
                DisputeChange::Move(DisputeMove::FollowUp { visit }) => body.push(&visit.notes),
                DisputeChange::Move(DisputeMove::Assign { .. }) => {}
            }
        }
        let join = |v: Vec<&str>| v.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("\n");
        Self {
            kind: DocKind::Dispute,
            id: id.to_owned(),
            number: d.number.clone(),
            title: d.title.clone(),
            body: join(body),
            result: join(result),
            area: d.area.clone(),
            handling_area: Some(d.tier_area.clone()),
            state: d.state.as_str().to_owned(),
            category: d.dispute_type.as_str().to_owned(),
            orgs: d.org.iter().map(|o| o.id.to_string()).collect(),
            reporter: None,
            created_at: d.registered_at,
            updated_at: updated,
        }
    }

    /// The tantivy document.
    pub(crate) fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        d.add_text(f.kind, self.kind.as_str());
        d.add_text(f.id, &self.id);
        d.add_text(f.number, &self.number);
        d.add_text(f.title, &self.title);
        d.add_text(f.body, &self.body);
        d.add_text(f.result, &self.result);
        for t in [&self.title, &self.body, &self.result] {
            if !t.is_empty() {
                d.add_text(f.grams, t);
            }
        }
        for a in self.area.lineage() {
            d.add_text(f.area, a.as_str());
        }
        d.add_text(f.area_code, self.area.as_str());
        if let Some(h) = &self.handling_area {
            d.add_text(f.handling_area, h.as_str());
        }
        d.add_text(f.state, &self.state);
        for c in category_lineage(&self.category) {
            d.add_text(f.category, c);
        }
        d.add_text(f.category_code, &self.category);
        for o in &self.orgs {
            d.add_text(f.org, o);
        }
        if let Some(r) = &self.reporter {
            d.add_text(f.reporter, r);
        }
        d.add_i64(f.created, self.created_at.timestamp_millis());
        d.add_i64(f.updated, self.updated_at.timestamp_millis());
        d
    }
}

/// `a.b.c` → `a`, `a.b`, `a.b.c`.
pub fn category_lineage(code: &str) -> impl Iterator<Item = &str> {
    code.match_indices('.').map(move |(i, _)| &code[..i]).chain(std::iter::once(code)).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_lineage_lists_every_ancestor() {
        assert_eq!(category_lineage("a.b.c").collect::<Vec<_>>(), vec!["a", "a.b", "a.b.c"]);
        assert_eq!(category_lineage("family").collect::<Vec<_>>(), vec!["family"]);
    }
}
