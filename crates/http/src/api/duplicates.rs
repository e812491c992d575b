//! Likely duplicates of a report at intake: earlier cases in the same street from the last two
//! weeks, judged by place, time and words (`shiyu_domain::duplicates`), best first, with the
//! reasons; only cases the caller may see.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::GeoPoint;
use shiyu_domain::duplicates::{CLOSE_DAYS, Probe, Reason, judge_case};
use shiyu_domain::role::Role;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;

/// Candidates looked at per check.
const CANDIDATES: u32 = 500;

/// A new report to check.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DuplicateParams {
    /// Title and text.
    pub text: String,
    /// The leaf area.
    pub area: String,
    /// WGS-84 longitude, when known.
    pub lon: Option<f64>,
    /// WGS-84 latitude, when known.
    pub lat: Option<f64>,
    /// The category, when chosen.
    pub category: Option<String>,
}

/// A likely duplicate.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateView {
    /// Case id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// State wire name.
    pub state: String,
    /// 0–1.
    pub score: f64,
    /// Why, in the caller's language.
    pub reasons: Vec<String>,
}

/// Likely duplicates of a report, best first.
#[utoipa::path(get, path = "/api/cases/duplicates", tag = "cases", params(DuplicateParams),
    responses((status = 200, body = Vec<DuplicateView>), (status = 403)))]
pub async fn duplicates(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<DuplicateParams>,
) -> Result<Json<Vec<DuplicateView>>, ApiError> {
    auth.require(&[Role::Operator, Role::Leader, Role::GridWorker, Role::Admin])?;
    let area = AreaCode::parse(&p.area)?;
    let point = match (p.lon, p.lat) {
        (Some(lon), Some(lat)) => Some(GeoPoint { lon, lat }),
        _ => None,
    };
    Ok(Json(likely(&state, &auth, &p.text, &area, point, p.category.as_deref(), 5).await?))
}

/// The `top` likeliest duplicates the caller may see.
pub async fn likely(
    state: &AppState,
    auth: &Auth,
    text: &str,
    area: &AreaCode,
    point: Option<GeoPoint>,
    category: Option<&str>,
    top: usize,
) -> Result<Vec<DuplicateView>, ApiError> {
    let now = Utc::now();
    let candidates = state.store.duplicate_candidates(area, now - Duration::days(CLOSE_DAYS), CANDIDATES).await?;
    let probe = Probe { text, point, area: area.as_str(), category: category.filter(|c| !c.is_empty()), at: now };
    let scope = auth.scope();
    let mut found: Vec<(f64, DuplicateView)> = Vec::new();
    for c in &candidates {
        if !scope.sees(c.visibility()) {
            continue;
        }
        if let Some(j) = judge_case(&probe, c) {
            found.push((
                j.score,
                DuplicateView {
                    id: c.id.to_string(),
                    number: c.number.to_string(),
                    title: c.title.clone(),
                    state: c.state.as_str().to_owned(),
                    score: j.score,
                    reasons: j.reasons.iter().map(|r| reason(r, auth.lang)).collect(),
                },
            ));
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(found.into_iter().take(top).map(|(_, v)| v).collect())
}

fn reason(r: &Reason, lang: Lang) -> String {
    match (r, lang) {
        (Reason::Near { metres }, Lang::Zh) => format!("相距 {metres} 米"),
        (Reason::Near { metres }, Lang::En) => format!("{metres} m away"),
        (Reason::SameGrid, l) => l.pick("同一网格", "same grid").to_owned(),
        (Reason::Close { hours }, Lang::Zh) if *hours < 24 => format!("{hours} 小时内"),
        (Reason::Close { hours }, Lang::Zh) => format!("{} 天前", hours / 24),
        (Reason::Close { hours }, Lang::En) => format!("{hours} h apart"),
        (Reason::Similar { percent }, Lang::Zh) => format!("文字相似 {percent}%"),
        (Reason::Similar { percent }, Lang::En) => format!("{percent}% alike in words"),
        (Reason::SameCategory, l) => l.pick("同一分类", "same category").to_owned(),
    }
}
