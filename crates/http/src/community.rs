//! The public community page's content (DESIGN §7), for the page (`/p/{area}`) and the API
//! (`/api/public/areas/{area}`) alike: how the area's requests are answered, in the statistics
//! module's figures; at a community or village, its open and recently finished cases; and the
//! proposals of its deliberation with their published results.
//!
//! Open to anyone, so built only from values that carry no personal data:
//! [`shiyu_domain::case::PublicCase`] and [`shiyu_storage::deliberation::PublicProposal`], area
//! and category names, and counter sums.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Serialize;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::PublicCase;
use shiyu_domain::deliberation::ProposalStatus;
use shiyu_domain::scope::Scope;
use shiyu_domain::stats::figures::{Figure, Sums};
use shiyu_domain::time::local_date;
use shiyu_storage::deliberation::public::PublicProposal;
use shiyu_storage::stats::{GroupBy, StatFilter};

use crate::api::stats::{Definition, FigureValue, values};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::names::Names;

/// The figures the page shows, in this order: what came in, what was finished, and how well.
pub const PUBLIC_FIGURES: [Figure; 7] = [
    Figure::Received,
    Figure::Closed,
    Figure::ResponseRate,
    Figure::OnTimeRate,
    Figure::ResolutionRate,
    Figure::SatisfactionRate,
    Figure::AverageHandlingTime,
];

/// How far back the list of finished cases reaches.
pub const CLOSED_DAYS: u32 = 90;

/// How many cases each list shows at most.
pub const LIST_LIMIT: u32 = 50;

/// How many proposals the page shows at most.
pub const PROPOSAL_LIMIT: u32 = 20;

/// An area with its link.
#[derive(Debug, Clone, Serialize)]
pub struct AreaLink {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// An area below, with its last twelve months in brief.
#[derive(Debug, Clone, Serialize)]
pub struct ChildLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// [`CHILD_FIGURES`] over the last twelve months, in the caller's language.
    pub figures: Vec<FigureValue>,
}

/// What the list of areas below shows of each, over the last twelve months.
pub const CHILD_FIGURES: [Figure; 4] = [Figure::Received, Figure::Closed, Figure::OnTimeRate, Figure::SatisfactionRate];

/// A period's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodFigures {
    /// `month` (this month so far) or `year` (the twelve months to today).
    pub key: &'static str,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// [`PUBLIC_FIGURES`], in the caller's language.
    pub figures: Vec<FigureValue>,
}

/// A case line, in the caller's language.
#[derive(Debug, Clone, Serialize)]
pub struct CaseLine {
    /// Ledger wire name.
    pub ledger: &'static str,
    /// Ledger name.
    pub ledger_label: &'static str,
    /// Category code.
    pub category: String,
    /// Category name with its branch.
    pub category_label: String,
    /// State wire name.
    pub state: &'static str,
    /// State name.
    pub state_label: &'static str,
    /// Day registered.
    pub registered_on: NaiveDate,
    /// Day its current stage is due, while open.
    pub due_on: Option<NaiveDate>,
    /// Past that day.
    pub overdue: bool,
    /// Day finished.
    pub closed_on: Option<NaiveDate>,
    /// Result wire name, once finished.
    pub result: Option<&'static str>,
    /// Result name, or empty.
    pub result_label: &'static str,
    /// Handled within its deadline, once finished.
    pub on_time: Option<bool>,
    /// Rating wire name.
    pub satisfaction: Option<&'static str>,
    /// Rating name, or empty.
    pub satisfaction_label: &'static str,
    /// The level it was closed at, or empty.
    pub closed_level_label: &'static str,
}

/// A stage of a proposal's procedure.
#[derive(Debug, Clone, Serialize)]
pub struct StageLine {
    /// Key.
    pub key: &'static str,
    /// Name.
    pub label: String,
    /// `done`, `current`, `pending` or `stopped`.
    pub state: &'static str,
}

/// A meeting's published count.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingLine {
    /// The stage's name.
    pub stage: String,
    /// The body that met.
    pub body: &'static str,
    /// Day held.
    pub held_on: NaiveDate,
    /// Members entitled to vote.
    pub members: u32,
    /// Members present.
    pub present: u32,
    /// For.
    pub yes: u32,
    /// Against.
    pub against: u32,
    /// Abstaining.
    pub abstain: u32,
    /// Passed.
    pub passed: bool,
}

/// A published document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentLine {
    /// Resolution or result, named.
    pub kind: &'static str,
    /// Heading.
    pub title: String,
    /// Text.
    pub text: String,
    /// Day published.
    pub published_on: NaiveDate,
}

/// A proposal as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalLine {
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// What is proposed.
    pub content: String,
    /// The community or village, named.
    pub area: String,
    /// Procedure, named.
    pub procedure: &'static str,
    /// Status wire name.
    pub status: &'static str,
    /// Status name.
    pub status_label: &'static str,
    /// Each stage with where it stands.
    pub stages: Vec<StageLine>,
    /// Meetings held.
    pub meetings: Vec<MeetingLine>,
    /// Resolution and result as published.
    pub documents: Vec<DocumentLine>,
    /// Day made.
    pub created_on: NaiveDate,
}

/// Everything the public page of an area shows.
#[derive(Debug, Clone, Serialize)]
pub struct CommunityView {
    /// The area.
    pub area: AreaLink,
    /// Its level's wire name.
    pub level: &'static str,
    /// The areas above it, from the city down.
    pub lineage: Vec<AreaLink>,
    /// The areas below it, down to communities and villages, with their last twelve months.
    pub children: Vec<ChildLine>,
    /// Open cases now.
    pub open: i64,
    /// Open cases past their stage's deadline now.
    pub overdue: i64,
    /// This month's and the last twelve months' figures.
    pub periods: Vec<PeriodFigures>,
    /// What each figure means.
    pub definitions: Vec<Definition>,
    /// Whether the case lists are shown (communities and villages).
    pub lists: bool,
    /// Open cases, newest first.
    pub open_cases: Vec<CaseLine>,
    /// Cases finished in the last [`CLOSED_DAYS`], the last finished first.
    pub closed_cases: Vec<CaseLine>,
    /// Proposals, latest activity first.
    pub proposals: Vec<ProposalLine>,
}

/// The area named in a public page's path, refused naming the field `area`.
pub fn area_of(path: &str) -> Result<AreaCode, ApiError> {
    AreaCode::parse(path).map_err(|_| ApiError::invalid("area", "not_an_area_code"))
}

/// The area a public page is for: grids belong to their community's page.
pub fn page_area(code: &AreaCode) -> AreaCode {
    if code.level() > AreaLevel::Community {
        code.ancestor_at(AreaLevel::Community).unwrap_or_else(|| code.clone())
    } else {
        code.clone()
    }
}

/// `which` of the figures of `s`, in that order.
fn some_values(lang: Lang, s: &Sums, which: &[Figure]) -> Vec<FigureValue> {
    let all = values(lang, s);
    which.iter().filter_map(|f| all.iter().find(|v| v.figure == f.as_str()).cloned()).collect()
}

fn period(key: &'static str, from: NaiveDate, to: NaiveDate, lang: Lang, s: &Sums) -> PeriodFigures {
    PeriodFigures { key, from, to, figures: some_values(lang, s, &PUBLIC_FIGURES) }
}

async fn case_line(names: &mut Names<'_>, lang: Lang, c: PublicCase) -> CaseLine {
    CaseLine {
        ledger: c.ledger.as_str(),
        ledger_label: lang.pick(c.ledger.label_zh(), c.ledger.label_en()),
        category_label: names.category_path(c.category.as_str()).await,
        category: c.category.as_str().to_owned(),
        state: c.state.as_str(),
        state_label: lang.pick(c.state.label_zh(), c.state.label_en()),
        registered_on: c.registered_on,
        due_on: c.due_on,
        overdue: c.overdue,
        closed_on: c.closed_on,
        result: c.result.map(|r| r.as_str()),
        result_label: c.result.map_or("", |r| lang.pick(r.label_zh(), r.label_en())),
        on_time: c.on_time,
        satisfaction: c.satisfaction.map(|s| s.as_str()),
        satisfaction_label: c.satisfaction.map_or("", |s| lang.pick(s.label_zh(), s.label_en())),
        closed_level_label: c.closed_level.map_or("", |l| level_label(lang, l)),
    }
}

/// A level's name.
pub fn level_label(lang: Lang, l: AreaLevel) -> &'static str {
    match lang {
        Lang::Zh => l.label_zh(),
        Lang::En => match l {
            AreaLevel::City => "city",
            AreaLevel::District => "district",
            AreaLevel::Street => "street or township",
            AreaLevel::Community => "community or village",
            AreaLevel::Grid => "grid",
            AreaLevel::MicroGrid => "micro-grid",
        },
    }
}

async fn proposal_line(names: &mut Names<'_>, lang: Lang, p: PublicProposal) -> ProposalLine {
    let ended = matches!(p.status, ProposalStatus::NotAdopted | ProposalStatus::Withdrawn);
    let stages: Vec<StageLine> = p
        .stages
        .iter()
        .map(|s| StageLine {
            key: s.key,
            label: lang.pick(&s.label_zh, &s.label_en).to_owned(),
            state: match (s.done, s.current) {
                (true, _) => "done",
                (false, true) if ended => "stopped",
                (false, true) => "current",
                (false, false) => "pending",
            },
        })
        .collect();
    let stage_name = |key: &str| stages.iter().find(|s| s.key == key).map(|s| s.label.clone()).unwrap_or_default();
    let meetings = p
        .meetings
        .iter()
        .map(|m| MeetingLine {
            stage: stage_name(&m.stage),
            body: lang.pick(m.body.label_zh(), m.body.label_en()),
            held_on: local_date(m.held_at),
            members: m.members_total,
            present: m.present,
            yes: m.votes.yes,
            against: m.votes.against,
            abstain: m.votes.abstain,
            passed: m.passed,
        })
        .collect();
    ProposalLine {
        area: names.area(p.area.as_str()).await,
        procedure: lang.pick(p.procedure.label_zh(), p.procedure.label_en()),
        status: p.status.as_str(),
        status_label: lang.pick(p.status.label_zh(), p.status.label_en()),
        meetings,
        documents: p
            .documents
            .into_iter()
            .map(|d| DocumentLine {
                kind: lang.pick(d.kind.label_zh(), d.kind.label_en()),
                title: d.title,
                text: d.text,
                published_on: local_date(d.published_at),
            })
            .collect(),
        stages,
        number: p.number,
        title: p.title,
        content: p.content,
        created_on: local_date(p.created_at),
    }
}

/// The public view of `code` (a city, district, street, community or village) at `now`.
pub async fn community_view(
    state: &AppState,
    lang: Lang,
    code: &AreaCode,
    now: DateTime<Utc>,
) -> Result<CommunityView, ApiError> {
    if code.level() > AreaLevel::Community {
        return Err(ApiError::invalid("area", "below_public_page"));
    }
    let store = &state.store;
    let area = store.area(code).await?;
    let today = local_date(now);
    let month_from = today.with_day(1).unwrap_or(today);
    let year_from = today.checked_sub_days(Days::new(364)).unwrap_or(today);
    let filter = |from| StatFilter {
        area: code.clone(),
        from,
        to: today,
        ledger: None,
        category: None,
        channel: None,
        org: None,
    };
    let lists = code.level() == AreaLevel::Community;
    let cases = async {
        if lists {
            store.public_cases_of_area(code, CLOSED_DAYS, LIST_LIMIT, now).await
        } else {
            Ok(Default::default())
        }
    };
    let (scope, this_month, this_year) = (Scope::Subtree(code.clone()), filter(month_from), filter(year_from));
    let children = async {
        if lists {
            Ok((Vec::new(), Vec::new()))
        } else {
            tokio::try_join!(store.child_areas(code), store.case_sums_by(&this_year, GroupBy::ChildArea))
        }
    };
    let (live, month, year, (children, child_sums), cases, proposals) = tokio::try_join!(
        store.live_counts(&scope, now),
        store.case_sums(&this_month),
        store.case_sums(&this_year),
        children,
        cases,
        store.public_proposals_of_area(code, PROPOSAL_LIMIT),
    )?;
    let mut names = Names::new(store, lang);
    let mut lineage = Vec::new();
    for a in code.lineage() {
        if &a != code {
            lineage.push(AreaLink { name: names.area(a.as_str()).await, code: a.to_string() });
        }
    }
    let mut open_cases = Vec::with_capacity(cases.open.len());
    for c in cases.open {
        open_cases.push(case_line(&mut names, lang, c).await);
    }
    let mut closed_cases = Vec::with_capacity(cases.closed.len());
    for c in cases.closed {
        closed_cases.push(case_line(&mut names, lang, c).await);
    }
    names.know_areas([(area.code.as_str(), area.name.as_str())]);
    let mut proposal_lines = Vec::with_capacity(proposals.len());
    for p in proposals {
        proposal_lines.push(proposal_line(&mut names, lang, p).await);
    }
    Ok(CommunityView {
        level: code.level().as_str(),
        area: AreaLink { code: area.code.to_string(), name: area.name },
        lineage,
        children: children
            .into_iter()
            .map(|a| {
                let code = a.code.to_string();
                let sums = child_sums.iter().find(|(k, _)| *k == code).map(|(_, s)| s.clone()).unwrap_or_default();
                ChildLine { figures: some_values(lang, &sums, &CHILD_FIGURES), code, name: a.name }
            })
            .collect(),
        open: live.open,
        overdue: live.overdue,
        periods: vec![period("month", month_from, today, lang, &month), period("year", year_from, today, lang, &year)],
        definitions: crate::api::stats::definitions(lang)
            .into_iter()
            .filter(|d| PUBLIC_FIGURES.iter().any(|f| f.as_str() == d.figure))
            .collect(),
        lists,
        open_cases,
        closed_cases,
        proposals: proposal_lines,
    })
}
