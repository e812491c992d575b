//! The demo city's base data: houses, residents (a few in care groups), legal entities and
//! cameras in every grid, loaded through the same all-or-nothing imports a deployment uses, and a
//! week of each grid worker's visit logs. Every identity number and credit code is generated with
//! a valid check character; none belongs to a real person or company.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use shiyu_domain::base::care::CareGroup;
use shiyu_domain::base::credit::{self, CreditCode};
use shiyu_domain::base::idnum::{self, IdNumber};
use shiyu_domain::base::kinds::{CameraStatus, HouseUse, ResidentKind, Tenancy};
use shiyu_domain::base::phone::Phone;
use shiyu_domain::base::records::{CameraRecord, EntityRecord, HouseRecord, ResidentRecord, WgsPoint};
use shiyu_storage::Store;
use shiyu_storage::base::Placed;
use shiyu_storage::base::visits::NewVisit;

use super::city::World;
use super::names;

/// Houses per grid.
const HOUSES: usize = 12;

/// What was made.
#[derive(Debug, Default)]
pub(super) struct BaseCounts {
    pub houses: u64,
    pub residents: u64,
    pub entities: u64,
    pub cameras: u64,
    pub visits: u64,
}

fn placed<T>(v: Vec<T>) -> Vec<Placed<T>> {
    v.into_iter().enumerate().map(|(i, record)| Placed { row: i + 2, record, off_grid: false }).collect()
}

fn id_number(rng: &mut StdRng, serial: usize) -> anyhow::Result<IdNumber> {
    let age_days = rng.random_range(365 * 3..365 * 90);
    let birth = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| anyhow::anyhow!("date"))?
        - chrono::Duration::days(age_days);
    // Region 4399xx is the fictional city; the serial keeps numbers distinct.
    let body = format!("4399{:02}{}{:03}", serial % 90 + 1, birth.format("%Y%m%d"), serial % 1000);
    let check = idnum::check_char(&body).ok_or_else(|| anyhow::anyhow!("check"))?;
    let today = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    IdNumber::parse(&format!("{body}{check}"), today).map_err(|e| anyhow::anyhow!("{e}"))
}

fn credit_code(serial: usize) -> anyhow::Result<CreditCode> {
    let body = format!("92439901MA{serial:07}");
    let check = credit::check_char(&body).ok_or_else(|| anyhow::anyhow!("check"))?;
    CreditCode::parse(&format!("{body}{check}")).map_err(|e| anyhow::anyhow!("{e}"))
}

const SHOPS: [&str; 8] = ["便利店", "水果店", "餐馆", "五金店", "理发店", "药店", "早餐店", "快递驿站"];
const VISIT_NOTES: [&str; 5] = [
    "入户走访，家中一切正常。",
    "了解近期生活情况，无特殊困难。",
    "宣传防诈骗知识。",
    "核实居住人员信息。",
    "提醒注意用电用气安全。",
];
const FINDINGS: [&str; 4] =
    ["楼道堆放杂物，影响通行。", "小区路灯损坏，夜间无照明。", "电动车在楼道内充电。", "下水道井盖松动。"];

/// Builds the base data of every grid.
pub(super) async fn build(
    store: &Store,
    world: &World,
    rng: &mut StdRng,
    now: DateTime<Utc>,
) -> anyhow::Result<BaseCounts> {
    let city = world.city.code.city_key();
    let city = city.as_str();
    let actor = &world.city_op;
    let mut houses = Vec::new();
    let mut residents = Vec::new();
    let mut entities = Vec::new();
    let mut cameras = Vec::new();
    let mut serial = 0usize;
    for (gi, g) in world.grids.iter().enumerate() {
        let estates = &world.communities[g.community].estates;
        for h in 0..HOUSES {
            let p = g.node.rect.point(rng);
            let code = format!("H{}-{h:02}", g.node.code.as_str());
            houses.push(HouseRecord {
                code: code.clone(),
                address: estates.choose(rng).cloned().unwrap_or_default(),
                building: format!("{}栋", h / 4 + 1),
                unit: format!("{}单元", h % 2 + 1),
                room: format!("{}0{}", h % 6 + 1, h % 3 + 1),
                use_: if h % 11 == 10 { HouseUse::Shop } else { HouseUse::Residential },
                tenancy: *[Tenancy::OwnerOccupied, Tenancy::OwnerOccupied, Tenancy::Rented, Tenancy::Vacant]
                    .choose(rng)
                    .unwrap_or(&Tenancy::Other),
                location: Some(WgsPoint::new(p.lon, p.lat)),
                grid: Some(g.node.code.clone()),
            });
            let people = if h % 11 == 10 { 0 } else { rng.random_range(1..=4) };
            for k in 0..people {
                serial += 1;
                let care = match rng.random_range(0..100) {
                    0..=2 if people == 1 => vec![CareGroup::ElderlyAlone],
                    3 => vec![CareGroup::LeftBehindChild],
                    4 => vec![CareGroup::Disability],
                    5 => vec![CareGroup::Hardship],
                    _ => Vec::new(),
                };
                residents.push(ResidentRecord {
                    id_number: id_number(rng, serial)?,
                    name: names::person(rng),
                    phone: if k == 0 { Phone::parse(&names::phone(rng)).ok() } else { None },
                    kind: if rng.random_bool(0.25) { ResidentKind::Floating } else { ResidentKind::Registered },
                    grid: Some(g.node.code.clone()),
                    house: Some(code.clone()),
                    care,
                });
            }
        }
        for e in 0..3 {
            let p = g.node.rect.point(rng);
            entities.push(EntityRecord {
                credit_code: credit_code(gi * 10 + e)?,
                name: format!(
                    "示范市{}{}",
                    names::estate(rng).chars().take(2).collect::<String>(),
                    SHOPS.choose(rng).unwrap_or(&"商店")
                ),
                address: format!("{}{}号", estates.choose(rng).cloned().unwrap_or_default(), e + 1),
                location: Some(WgsPoint::new(p.lon, p.lat)),
                grid: Some(g.node.code.clone()),
            });
        }
        for c in 0..2 {
            let p = g.node.rect.point(rng);
            cameras.push(CameraRecord {
                code: format!("SX-{}-{c}", g.node.code.as_str()),
                name: format!("{}{}号点位", g.node.name, c + 1),
                location: WgsPoint::new(p.lon, p.lat),
                status: match rng.random_range(0..20) {
                    0 => CameraStatus::Fault,
                    1 | 2 => CameraStatus::Offline,
                    _ => CameraStatus::Online,
                },
                stream_url: format!("rtsp://video.demo.invalid/{}/{c}", g.node.code.as_str()),
                grid: Some(g.node.code.clone()),
            });
        }
    }
    let mut counts = BaseCounts {
        houses: store.import_houses(city, actor, placed(houses), now).await?.inserted,
        residents: store.import_residents(city, actor, placed(residents), now).await?.inserted,
        entities: store.import_entities(city, actor, placed(entities), now).await?.inserted,
        cameras: store.import_cameras(city, actor, placed(cameras), now).await?.inserted,
        visits: 0,
    };

    // A week of visits: each grid worker sees two or three households a day.
    let today = shiyu_domain::time::local_date(now);
    for g in &world.grids {
        let (list, _) = store.houses(&g.worker, Some(&g.node.code), 100, 0).await?;
        let ids: Vec<String> = list.into_iter().filter(|h| h.residents > 0).map(|h| h.id).collect();
        for back in (1..=7).rev() {
            let k = rng.random_range(2..=3);
            let chosen: Vec<String> = ids.choose_multiple(rng, k).cloned().collect();
            if chosen.is_empty() {
                continue;
            }
            let found =
                if rng.random_range(0..10) == 0 { FINDINGS.choose(rng).copied().unwrap_or_default() } else { "" };
            let visit = NewVisit {
                visited_on: today - chrono::Duration::days(back),
                houses: chosen,
                summary: VISIT_NOTES.choose(rng).copied().unwrap_or_default().to_owned(),
                found: found.to_owned(),
            };
            store.log_visit(city, &g.worker, visit, now).await?;
            counts.visits += 1;
        }
    }
    Ok(counts)
}
