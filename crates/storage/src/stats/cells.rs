//! Where counted amounts are kept. Every event adds its amounts (`shiyu_domain::stats::amounts`)
//! to one fine cell — day × leaf area × ledger × category × lead organisation × channel — and to
//! the rollup cells of the areas above it, so a board of a city, district or street sums a few
//! thousand rows instead of every case's cells. A rollup cell is the sum of the fine cells it
//! covers, by construction here and checked by `Store::rebuild_counters`.

use chrono::{Datelike, Days, NaiveDate};
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::{CaseSnapshot, Event};
use shiyu_domain::stats::{Metric, amounts};
use shiyu_domain::time;

/// A counter table: its name and key columns, in primary-key order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Table {
    /// Table name.
    pub name: &'static str,
    /// Key columns.
    pub keys: &'static [&'static str],
    /// The area levels a rollup keeps (empty for the fine cells, which keep the leaf area).
    pub levels: &'static [AreaLevel],
}

/// The fine cells.
pub const FINE: Table =
    Table { name: "stat_cells", keys: &["day", "area_code", "ledger", "category", "org_id", "channel"], levels: &[] };
/// City, district and street by day and ledger: the boards.
pub const AREA_DAYS: Table = Table {
    name: "stat_area_days",
    keys: &["level", "area_code", "day", "ledger"],
    levels: &[AreaLevel::City, AreaLevel::District, AreaLevel::Street],
};
/// City and district by day and category: reports' top categories.
pub const CATEGORY_DAYS: Table = Table {
    name: "stat_category_days",
    keys: &["level", "area_code", "day", "category"],
    levels: &[AreaLevel::City, AreaLevel::District],
};
/// District and street by week and category: early warning over a city's or district's children.
pub const CATEGORY_WEEKS: Table = Table {
    name: "stat_category_weeks",
    keys: &["level", "week", "area_code", "category"],
    levels: &[AreaLevel::District, AreaLevel::Street],
};
/// Every counter table.
pub const TABLES: [&Table; 4] = [&FINE, &AREA_DAYS, &CATEGORY_DAYS, &CATEGORY_WEEKS];

/// A fine cell's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FineKey {
    /// Local day.
    pub day: NaiveDate,
    /// The case's leaf area.
    pub area: AreaCode,
    /// Ledger.
    pub ledger: String,
    /// Category code.
    pub category: String,
    /// Lead organisation (empty before dispatch).
    pub org: String,
    /// Channel.
    pub channel: String,
}

/// A cell of any table: the table and its key values in the table's key order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct CellKey {
    /// Table name.
    pub table: &'static str,
    /// Key values.
    pub key: Vec<String>,
}

/// Metric amounts, indexed like `Metric::ALL`.
pub type Amounts = [i64; Metric::ALL.len()];

/// The Monday that starts `day`'s week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The position of a metric in `Metric::ALL` (and in [`Amounts`]).
pub fn slot(m: Metric) -> usize {
    Metric::ALL.iter().position(|x| *x == m).unwrap_or_default()
}

/// The fine cell an event counts in: the case as it is after the event, on the event's local day,
/// under the lead organisation after (or, when it was cleared, before) the event; and its amounts.
pub fn fine_cell(before: Option<&CaseSnapshot>, after: &CaseSnapshot, event: &Event) -> Option<(FineKey, Amounts)> {
    let mut a = [0; Metric::ALL.len()];
    let mut any = false;
    for (m, n) in amounts(before, event) {
        a[slot(m)] += n;
        any = true;
    }
    let org = after.lead_org.or(before.and_then(|b| b.lead_org)).map(|o| o.to_string()).unwrap_or_default();
    any.then(|| {
        let key = FineKey {
            day: time::local_date(event.at),
            area: after.area.clone(),
            ledger: after.ledger.as_str().to_owned(),
            category: after.category.as_str().to_owned(),
            org,
            channel: after.channel.as_str().to_owned(),
        };
        (key, a)
    })
}

impl FineKey {
    /// The fine cell itself and every rollup cell it adds to.
    pub fn cells(&self) -> Vec<CellKey> {
        let day = self.day.to_string();
        let mut out = vec![CellKey {
            table: FINE.name,
            key: vec![
                day.clone(),
                self.area.to_string(),
                self.ledger.clone(),
                self.category.clone(),
                self.org.clone(),
                self.channel.clone(),
            ],
        }];
        for table in [&AREA_DAYS, &CATEGORY_DAYS, &CATEGORY_WEEKS] {
            for level in table.levels {
                let Some(anc) = self.area.ancestor_at(*level) else { continue };
                let (level, anc) = (level.as_str().to_owned(), anc.to_string());
                let key = match table.name {
                    "stat_area_days" => vec![level, anc, day.clone(), self.ledger.clone()],
                    "stat_category_days" => vec![level, anc, day.clone(), self.category.clone()],
                    _ => vec![level, week_of(self.day).to_string(), anc, self.category.clone()],
                };
                out.push(CellKey { table: table.name, key });
            }
        }
        out
    }
}

/// The table of a name.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.into_iter().find(|t| t.name == name)
}

/// `INSERT … ON CONFLICT DO UPDATE` adding the non-zero amounts of a cell of `t`. Binds the key
/// values, then the amounts of the metrics listed, in order.
pub fn upsert_sql(t: &Table, metrics: &[Metric]) -> String {
    let cols: Vec<&str> = t.keys.iter().copied().chain(metrics.iter().map(|m| m.as_str())).collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sets: Vec<String> =
        metrics.iter().map(|m| format!("{0} = {1}.{0} + excluded.{0}", m.as_str(), t.name)).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        t.name,
        cols.join(", "),
        params.join(", "),
        t.keys.join(", "),
        sets.join(", ")
    )
}

/// `CAST(SUM(m) AS BIGINT) AS m` for every metric.
pub fn sums_sql() -> String {
    Metric::ALL.iter().map(|m| format!("CAST(SUM({0}) AS BIGINT) AS {0}", m.as_str())).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(area: &str) -> FineKey {
        FineKey {
            day: NaiveDate::from_ymd_opt(2026, 11, 19).expect("day"),
            area: AreaCode::parse(area).expect("area"),
            ledger: "complaint".into(),
            category: "a.b".into(),
            org: String::new(),
            channel: "hotline".into(),
        }
    }

    #[test]
    fn a_grid_cell_rolls_up_to_its_city_district_and_street() {
        let cells = key("439921103001003").cells();
        let of = |t: &str| cells.iter().filter(|c| c.table == t).map(|c| c.key.clone()).collect::<Vec<_>>();
        assert_eq!(of("stat_cells").len(), 1);
        assert_eq!(
            of("stat_area_days"),
            vec![
                vec!["city".to_string(), "439900000000".into(), "2026-11-19".into(), "complaint".into()],
                vec!["district".into(), "439921000000".into(), "2026-11-19".into(), "complaint".into()],
                vec!["street".into(), "439921103000".into(), "2026-11-19".into(), "complaint".into()],
            ]
        );
        assert_eq!(of("stat_category_days").len(), 2);
        // 2026-11-19 is a Thursday; its week starts on Monday the 16th.
        assert_eq!(
            of("stat_category_weeks")[0],
            vec!["district".to_string(), "2026-11-16".into(), "439921000000".into(), "a.b".into()]
        );
    }

    #[test]
    fn a_case_filed_at_a_district_is_in_no_street_rollup() {
        let cells = key("439921000000").cells();
        let levels: Vec<&str> =
            cells.iter().filter(|c| c.table == "stat_area_days").map(|c| c.key[0].as_str()).collect();
        assert_eq!(levels, vec!["city", "district"]);
    }

    #[test]
    fn upserts_add_only_the_metrics_given() {
        let sql = upsert_sql(&AREA_DAYS, &[Metric::Received, Metric::Timed]);
        assert_eq!(
            sql,
            "INSERT INTO stat_area_days (level, area_code, day, ledger, received, timed) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (level, area_code, day, ledger) DO UPDATE SET received = stat_area_days.received + excluded.received, \
             timed = stat_area_days.timed + excluded.timed"
        );
    }
}
