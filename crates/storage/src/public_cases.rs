//! What the public community page shows of cases: [`Store::public_cases_of_area`].
//!
//! It takes no principal (the page is open to anyone) and hands out only
//! [`shiyu_domain::case::PublicCase`]s, a type with no field that could hold personal data; the
//! snapshots it reads never leave this function.

use chrono::{DateTime, Duration, Utc};
use shiyu_domain::area::AreaCode;
use shiyu_domain::case::PublicCase;
use shiyu_domain::time::local_date;
use sqlx::Row;

use crate::cases::{Arg, OPEN_STATES, Query, parse_snapshot};
use crate::db::Store;
use crate::error::Result;
use crate::sql::ms;

/// States a public list counts as finished (a merged case is shown where it was merged into).
const FINISHED_STATES: &str = "('closed','archived','not_accepted')";

/// The public lists of an area's cases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicCases {
    /// Open cases, newest first.
    pub open: Vec<PublicCase>,
    /// Cases finished in the last `closed_days`, the last finished first.
    pub closed: Vec<PublicCase>,
}

impl Store {
    /// The open cases of `area`'s subtree (newest first) and those finished in the `closed_days`
    /// before `now` (last finished first), at most `limit` (1–200) of each.
    ///
    /// For the public community page, which calls it for a community or village: the area
    /// index narrows both reads to its codes.
    pub async fn public_cases_of_area(
        &self,
        area: &AreaCode,
        closed_days: u32,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<PublicCases> {
        let limit = i64::from(limit.clamp(1, 200));
        let mut open = Query::new(&format!("SELECT c.snapshot FROM cases c WHERE c.state IN {OPEN_STATES}"));
        open.within("c.area_code", area.scope_prefix());
        open.raw(" ORDER BY c.created_at DESC, c.id DESC").push(" LIMIT ?", Arg::Int(limit));
        let since = now - Duration::days(i64::from(closed_days));
        let mut closed = Query::new(&format!("SELECT c.snapshot FROM cases c WHERE c.state IN {FINISHED_STATES}"));
        closed.within("c.area_code", area.scope_prefix());
        closed.push(" AND c.updated_at >= ?", Arg::Int(ms(since)));
        closed.raw(" ORDER BY c.updated_at DESC, c.id DESC").push(" LIMIT ?", Arg::Int(limit));
        let (open, closed) =
            tokio::try_join!(open.build().fetch_all(&self.pool), closed.build().fetch_all(&self.pool))?;
        let public = |rows: Vec<sqlx::any::AnyRow>| -> Result<Vec<PublicCase>> {
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                if let Some(p) = PublicCase::of(&parse_snapshot(&r.try_get::<String, _>("snapshot")?)?, now) {
                    out.push(p);
                }
            }
            Ok(out)
        };
        // A case can change after it is finished (archived), so `updated_at` only narrows the
        // read; the list is of the days it was finished.
        let first_day = local_date(since);
        let mut closed: Vec<PublicCase> =
            public(closed)?.into_iter().filter(|c| c.closed_on.is_some_and(|d| d >= first_day)).collect();
        closed.sort_by_key(|c| std::cmp::Reverse(c.closed_on));
        Ok(PublicCases { open: public(open)?, closed })
    }
}
