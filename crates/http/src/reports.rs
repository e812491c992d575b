//! Periodic reports (周报、月报、季度分析、年度总结) for any area: every figure this period, the
//! period before and the same period a year earlier with the changes, the top categories, the hot
//! spots (child areas), disputes, and the days of the period. One [`Report`] is built from the
//! figures API's own sums and then shown as a web page, written as XLSX (numbers as numbers) and
//! typeset as PDF, so the three never disagree.

use chrono::{Days, Utc};
use serde::{Deserialize, Serialize};
use shiyu_domain::stats::Metric;
use shiyu_domain::stats::disputes::DisputeMetric;
use shiyu_domain::stats::figures::{Figure, Sums, Value};
use shiyu_domain::stats::period::{ReportPeriod, change_permille};
use shiyu_storage::stats::{GroupBy, StatFilter};
use shiyu_tabular::report::{Cell, Sheet};

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::names::Names;

/// One figure across the three periods.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FigureLine {
    /// Name.
    pub label: String,
    /// This period.
    pub now: Value,
    /// The period before.
    pub before: Value,
    /// The same period a year earlier.
    pub last_year: Value,
    /// Change from the period before, as text.
    pub change: String,
    /// Change from a year earlier, as text.
    pub change_year: String,
}

/// A ranked line (category or area).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ranked {
    /// Name.
    pub name: String,
    /// Key (code).
    pub key: String,
    /// Cases received.
    pub received: i64,
    /// Share of all received, in per mille.
    pub share: Option<i64>,
    /// The share as shown.
    pub share_text: String,
    /// On-time rate.
    pub on_time: Value,
    /// Satisfaction rate.
    pub satisfaction: Value,
}

/// A report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Title, e.g. 示范市2026年11月社会治理工作月报.
    pub title: String,
    /// The period in words.
    pub period_label: String,
    /// The period.
    pub period: ReportPeriod,
    /// Area code.
    pub area: String,
    /// Figures.
    pub figures: Vec<FigureLine>,
    /// Top categories by cases received.
    pub categories: Vec<Ranked>,
    /// Child areas by cases received.
    pub hot_spots: Vec<Ranked>,
    /// Disputes: found, mediated, agreed, success rate.
    pub disputes: Vec<(String, String)>,
    /// Received per day of the period.
    pub days: Vec<(String, i64)>,
    /// The definitions.
    pub definitions: Vec<String>,
}

fn change(lang: Lang, now: Value, before: Value) -> String {
    match (now, before) {
        (Value::Count(a), Value::Count(b)) => match change_permille(a, b) {
            Some(p) => format!("{}{}.{}%", if p >= 0 { "+" } else { "-" }, p.abs() / 10, p.abs() % 10),
            None => "—".into(),
        },
        (Value::Permille(Some(a)), Value::Permille(Some(b))) => {
            let d = a - b;
            let unit = lang.pick("个百分点", " pp");
            format!("{}{}.{}{unit}", if d >= 0 { "+" } else { "-" }, d.abs() / 10, d.abs() % 10)
        }
        (Value::Minutes(Some(a)), Value::Minutes(Some(b))) => {
            let d = a - b;
            format!("{}{}.{} h", if d >= 0 { "+" } else { "-" }, d.abs() / 60, (d.abs() % 60) * 10 / 60)
        }
        _ => "—".into(),
    }
}

fn ranked(name: String, key: String, s: &Sums, total: i64) -> Ranked {
    Ranked {
        name,
        key,
        received: s.get(Metric::Received),
        share: shiyu_domain::stats::disputes::permille(s.get(Metric::Received), total),
        share_text: shiyu_domain::stats::disputes::percent(shiyu_domain::stats::disputes::permille(
            s.get(Metric::Received),
            total,
        )),
        on_time: Figure::OnTimeRate.of(s),
        satisfaction: Figure::SatisfactionRate.of(s),
    }
}

/// Builds the report of `period` for the filter's area (its other narrowings apply too).
pub async fn build(state: &AppState, lang: Lang, base: &StatFilter, period: ReportPeriod) -> Result<Report, ApiError> {
    let at = |p: ReportPeriod| StatFilter { from: p.from, to: p.to, ..base.clone() };
    let (now_f, before_f, year_f) = (at(period), at(period.previous()), at(period.year_before()));
    let now = state.store.case_sums(&now_f).await?;
    let before = state.store.case_sums(&before_f).await?;
    let year = state.store.case_sums(&year_f).await?;
    let figures = Figure::ALL
        .iter()
        .map(|f| {
            let (a, b, c) = (f.of(&now), f.of(&before), f.of(&year));
            FigureLine {
                label: lang.pick(f.label_zh(), f.label_en()).to_owned(),
                now: a,
                before: b,
                last_year: c,
                change: change(lang, a, b),
                change_year: change(lang, a, c),
            }
        })
        .collect();
    let total = now.get(Metric::Received);
    let names_of: std::collections::HashMap<String, (String, String)> = state
        .store
        .categories()
        .await?
        .into_iter()
        .map(|c| (c.code.as_str().to_owned(), (c.name_zh, c.name_en)))
        .collect();
    let mut categories: Vec<Ranked> = state
        .store
        .case_sums_by(&now_f, GroupBy::Category)
        .await?
        .into_iter()
        .map(|(k, s)| {
            let name = names_of.get(&k).map_or(k.clone(), |(zh, en)| lang.pick(zh, en).to_owned());
            ranked(name, k, &s, total)
        })
        .collect();
    categories.sort_by(|a, b| b.received.cmp(&a.received).then(a.key.cmp(&b.key)));
    categories.truncate(10);
    let mut names = Names::new(&state.store, lang);
    let mut hot_spots = Vec::new();
    for (k, s) in state.store.case_sums_by(&now_f, GroupBy::ChildArea).await? {
        hot_spots.push(ranked(names.area(&k).await, k, &s, total));
    }
    hot_spots.sort_by(|a, b| b.received.cmp(&a.received).then(a.key.cmp(&b.key)));
    hot_spots.truncate(10);
    let d = state.store.dispute_figures(&base.area, period.from, period.to).await?;
    let disputes = vec![
        (lang.pick("发现纠纷", "Disputes found").to_owned(), d.total(DisputeMetric::Found).to_string()),
        (lang.pick("调解", "Mediated").to_owned(), d.total(DisputeMetric::Mediated).to_string()),
        (lang.pick("调解成功", "Agreed").to_owned(), d.total(DisputeMetric::Agreed).to_string()),
        (
            lang.pick("调解成功率", "Success rate").to_owned(),
            shiyu_domain::stats::disputes::percent(d.success_permille()),
        ),
    ];
    let by_day = state.store.case_sums_by(&now_f, GroupBy::Day).await?;
    let mut days = Vec::new();
    let mut day = period.from;
    while day <= period.to && day <= shiyu_domain::time::local_date(Utc::now()) {
        let key = day.to_string();
        let n = by_day.iter().find(|(k, _)| *k == key).map_or(0, |(_, s)| s.get(Metric::Received));
        days.push((day.format("%m-%d").to_string(), n));
        day = day.checked_add_days(Days::new(1)).unwrap_or(day + Days::new(1));
    }
    let area_name = names.area(base.area.as_str()).await;
    let period_label = match lang {
        Lang::Zh => period.label_zh(),
        Lang::En => period.label_en(),
    };
    let title = match lang {
        Lang::Zh => format!("{area_name}{period_label}社会治理工作{}", period.kind.label_zh()),
        Lang::En => format!("{area_name}: {} for {period_label}", period.kind.label_en()),
    };
    Ok(Report {
        title,
        period_label,
        period,
        area: base.area.to_string(),
        figures,
        categories,
        hot_spots,
        disputes,
        days,
        definitions: Figure::ALL
            .iter()
            .map(|f| {
                format!(
                    "{}：{}",
                    lang.pick(f.label_zh(), f.label_en()),
                    lang.pick(f.definition_zh(), f.definition_en())
                )
            })
            .collect(),
    })
}

fn cell(v: Value) -> Cell {
    match v {
        Value::Count(n) => Cell::Int(n),
        Value::Permille(p) => Cell::Percent(p.map(|p| p as f64 / 1000.0)),
        Value::Minutes(m) => Cell::Hours(m.map(|m| (m as f64 / 6.0).round() / 10.0)),
    }
}

fn headers(lang: Lang) -> [Vec<String>; 3] {
    let s = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    [
        vec![
            s("指标", "Figure"),
            s("本期", "This period"),
            s("上期", "Period before"),
            s("去年同期", "A year earlier"),
            s("环比", "Change"),
            s("同比", "Year on year"),
        ],
        vec![
            s("名称", "Name"),
            s("受理量", "Received"),
            s("占比", "Share"),
            s("按时办结率", "On time"),
            s("满意率", "Satisfaction"),
        ],
        vec![s("项目", "Item"), s("数值", "Value")],
    ]
}

impl Report {
    fn section_names(lang: Lang) -> [String; 4] {
        [
            lang.pick("一、主要指标", "1. Figures").to_owned(),
            lang.pick("二、诉求类别前十", "2. Top categories").to_owned(),
            lang.pick("三、热点区域", "3. Hot spots").to_owned(),
            lang.pick("四、矛盾纠纷", "4. Disputes").to_owned(),
        ]
    }

    /// The report as workbook sheets: counts as numbers, rates as percentages.
    pub fn sheets(&self, lang: Lang) -> Vec<Sheet> {
        let [h_fig, h_rank, h_kv] = headers(lang);
        let names = Self::section_names(lang);
        let rank_rows = |v: &[Ranked]| -> Vec<Vec<Cell>> {
            v.iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.name.clone()),
                        Cell::Int(r.received),
                        Cell::Percent(r.share.map(|p| p as f64 / 1000.0)),
                        cell(r.on_time),
                        cell(r.satisfaction),
                    ]
                })
                .collect()
        };
        vec![
            Sheet {
                name: names[0].clone(),
                title: self.title.clone(),
                header: h_fig,
                rows: self
                    .figures
                    .iter()
                    .map(|f| {
                        vec![
                            Cell::Text(f.label.clone()),
                            cell(f.now),
                            cell(f.before),
                            cell(f.last_year),
                            Cell::Text(f.change.clone()),
                            Cell::Text(f.change_year.clone()),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: names[1].clone(),
                title: self.title.clone(),
                header: h_rank.clone(),
                rows: rank_rows(&self.categories),
            },
            Sheet {
                name: names[2].clone(),
                title: self.title.clone(),
                header: h_rank,
                rows: rank_rows(&self.hot_spots),
            },
            Sheet {
                name: names[3].clone(),
                title: self.title.clone(),
                header: h_kv,
                rows: self.disputes.iter().map(|(k, v)| vec![Cell::Text(k.clone()), Cell::Text(v.clone())]).collect(),
            },
        ]
    }

    /// The report as a printed document.
    pub fn doc(&self, lang: Lang) -> shiyu_docs::ReportDoc {
        let [h_fig, h_rank, h_kv] = headers(lang);
        let names = Self::section_names(lang);
        let rank_rows = |v: &[Ranked]| -> Vec<Vec<String>> {
            v.iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        Value::Count(r.received).show(),
                        Value::Permille(r.share).show(),
                        r.on_time.show(),
                        r.satisfaction.show(),
                    ]
                })
                .collect()
        };
        shiyu_docs::ReportDoc {
            title: self.title.clone(),
            subtitle: format!(
                "{} {} — {}{}{}",
                self.period_label,
                self.period.from,
                self.period.to,
                lang.pick("　生成于 ", "  made "),
                shiyu_domain::time::show(Utc::now())
            ),
            sections: vec![
                shiyu_docs::Section {
                    heading: names[0].clone(),
                    columns: h_fig,
                    rows: self
                        .figures
                        .iter()
                        .map(|f| {
                            vec![
                                f.label.clone(),
                                f.now.show(),
                                f.before.show(),
                                f.last_year.show(),
                                f.change.clone(),
                                f.change_year.clone(),
                            ]
                        })
                        .collect(),
                },
                shiyu_docs::Section {
                    heading: names[1].clone(),
                    columns: h_rank.clone(),
                    rows: rank_rows(&self.categories),
                },
                shiyu_docs::Section { heading: names[2].clone(), columns: h_rank, rows: rank_rows(&self.hot_spots) },
                shiyu_docs::Section {
                    heading: names[3].clone(),
                    columns: h_kv,
                    rows: self.disputes.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect(),
                },
            ],
            notes_heading: lang.pick("指标口径", "Definitions").to_owned(),
            notes: self.definitions.clone(),
        }
    }
}

/// Makes and keeps the reports of every period that has ended (the last week, month, quarter and
/// year) for the city and each district, once. Returns how many were made.
pub async fn generate_due(state: &AppState, today: chrono::NaiveDate) -> Result<usize, ApiError> {
    use shiyu_domain::area::AreaLevel;
    use shiyu_domain::stats::period::ReportKind;
    let areas: Vec<shiyu_domain::area::AreaCode> = state
        .store
        .all_areas()
        .await?
        .into_iter()
        .filter(|a| matches!(a.level, AreaLevel::City | AreaLevel::District))
        .map(|a| a.code)
        .collect();
    let mut made = 0;
    for kind in ReportKind::ALL {
        let period = ReportPeriod::containing(*kind, today).previous();
        for area in &areas {
            if state.store.report_exists(area, period).await? {
                continue;
            }
            let f = StatFilter {
                area: area.clone(),
                from: period.from,
                to: period.to,
                ledger: None,
                category: None,
                channel: None,
                org: None,
            };
            let r = build(state, Lang::Zh, &f, period).await?;
            let body = serde_json::to_string(&r).map_err(|e| ApiError::Internal(e.to_string()))?;
            if state.store.save_report(area, period, &r.title, &body, Utc::now()).await? {
                made += 1;
            }
        }
    }
    Ok(made)
}
