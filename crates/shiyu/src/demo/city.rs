//! The demo city's places, organisations and people, created through the store's public API.
//!
//! The area tree is a fictional city (示范市, code 4399) of five districts around lon 112.9–113.1,
//! lat 28.1–28.3. Each area's rectangle is tiled among its children, so every polygon nests inside
//! its parent's and point-in-polygon finds exactly one grid.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use shiyu_domain::area::{AreaCode, AreaLevel};
use shiyu_domain::case::GeoPoint;
use shiyu_domain::ids::OrgId;
use shiyu_domain::role::Role;
use shiyu_domain::scope::{Binding, Principal};
use shiyu_storage::Store;
use shiyu_storage::directory::OrgKind;

use super::names;
use super::topics::Dept;
use super::{DEMO_PASSWORD, DemoAccount};

/// The city's name.
pub(super) const CITY_NAME: &str = "示范市";
/// The city's 12-digit code (4399 is not a real prefecture).
pub(super) const CITY_CODE: &str = "439900000000";
/// The city's bounding box (WGS-84 degrees): west, south, east, north.
const CITY_BOX: Rect = Rect { w: 112.9, s: 28.1, e: 113.1, n: 28.3 };

/// A rectangle in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    /// West (min longitude).
    pub w: f64,
    /// South (min latitude).
    pub s: f64,
    /// East (max longitude).
    pub e: f64,
    /// North (max latitude).
    pub n: f64,
}

/// Rounds to the 6 decimals the polygons are written with (about 0.1 m), so what is stored and
/// what the generator reasons with are the same numbers.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl Rect {
    /// Tiles the rectangle into `k` children, in rows of near-square cells; inner edges are
    /// jittered a little so the map does not look like graph paper. Outer edges are the parent's
    /// own, so children never stick out.
    fn tile(&self, k: usize, rng: &mut StdRng) -> Vec<Rect> {
        let k = k.max(1);
        // Degrees of longitude are shorter than degrees of latitude at 28°N.
        let width = (self.e - self.w) * 28.2f64.to_radians().cos();
        let height = self.n - self.s;
        let ideal_rows = (k as f64 * height / width).sqrt().round();
        let rows = (ideal_rows.max(1.0) as usize).min(k);
        let cuts = |lo: f64, hi: f64, parts: usize, rng: &mut StdRng| -> Vec<f64> {
            (0..=parts)
                .map(|i| {
                    if i == 0 {
                        lo
                    } else if i == parts {
                        hi
                    } else {
                        let jitter = rng.random_range(-0.15..0.15);
                        round6(lo + (hi - lo) * (i as f64 + jitter) / parts as f64)
                    }
                })
                .collect()
        };
        let ys = cuts(self.s, self.n, rows, rng);
        let mut out = Vec::with_capacity(k);
        for r in 0..rows {
            let in_row = k / rows + usize::from(r < k % rows);
            let xs = cuts(self.w, self.e, in_row, rng);
            for c in 0..in_row {
                out.push(Rect { w: xs[c], s: ys[r], e: xs[c + 1], n: ys[r + 1] });
            }
        }
        out
    }

    /// The rectangle as GeoJSON Polygon geometry text (lon, lat; closed ring, counter-clockwise).
    pub fn geojson(&self) -> String {
        let p = |x: f64, y: f64| format!("[{x:.6},{y:.6}]");
        format!(
            "{{\"type\":\"Polygon\",\"coordinates\":[[{},{},{},{},{}]]}}",
            p(self.w, self.s),
            p(self.e, self.s),
            p(self.e, self.n),
            p(self.w, self.n),
            p(self.w, self.s)
        )
    }

    /// A random point well inside the rectangle.
    pub fn point(&self, rng: &mut StdRng) -> GeoPoint {
        let f = |a: f64, b: f64, rng: &mut StdRng| round6(a + (b - a) * rng.random_range(0.05..0.95));
        GeoPoint { lon: f(self.w, self.e, rng), lat: f(self.s, self.n, rng) }
    }
}

/// An area as the generator knows it.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// Code.
    pub code: AreaCode,
    /// Name.
    pub name: String,
    /// Boundary.
    pub rect: Rect,
}

/// A district (区) or county (县).
pub(super) struct District {
    pub node: Node,
    pub streets: Vec<usize>,
    pub op: Principal,
    pub leader: Principal,
    pub depts: HashMap<Dept, OrgId>,
}

/// A street (街道) or town (镇).
pub(super) struct Street {
    pub node: Node,
    pub district: usize,
    pub communities: Vec<usize>,
    pub op: Principal,
    pub leader: Principal,
    pub police: OrgId,
    pub justice: OrgId,
    pub roads: Vec<String>,
    pub stem: &'static str,
}

/// A community (社区) or village (村).
pub(super) struct Community {
    pub node: Node,
    pub street: usize,
    pub grids: Vec<usize>,
    pub estates: Vec<String>,
}

/// A grid (网格) and its grid worker.
pub(super) struct Grid {
    pub node: Node,
    pub community: usize,
    pub worker: Principal,
}

/// Who the printed demo accounts are, by index into the world.
pub(super) struct Cast {
    /// The demo street (operator, leader, mediator).
    pub street: usize,
    /// The demo grid.
    pub grid: usize,
    /// The demo resident (index into `residents`).
    pub resident: usize,
}

/// The generated city.
pub(super) struct World {
    pub city: Node,
    pub city_op: Principal,
    pub city_leader: Principal,
    pub city_depts: HashMap<Dept, OrgId>,
    pub districts: Vec<District>,
    pub streets: Vec<Street>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    /// One handler per department organisation.
    pub handlers: HashMap<OrgId, Principal>,
    /// The demo mediators: the demo street's, then its first community's.
    pub mediators: Vec<Principal>,
    /// Residents with accounts, and the community each lives in.
    pub residents: Vec<(Principal, usize)>,
    pub cast: Cast,
    pub accounts: Vec<DemoAccount>,
    street_by_code: HashMap<AreaCode, usize>,
    district_by_code: HashMap<AreaCode, usize>,
    pub area_count: usize,
    pub org_count: usize,
    pub user_count: usize,
}

impl World {
    /// The street containing an area (the area itself if it is one).
    pub fn street_of(&self, area: &AreaCode) -> Option<&Street> {
        area.ancestor_at(AreaLevel::Street).and_then(|s| self.street_by_code.get(&s)).map(|&i| &self.streets[i])
    }

    /// The district containing an area.
    pub fn district_of(&self, area: &AreaCode) -> Option<&District> {
        area.ancestor_at(AreaLevel::District).and_then(|d| self.district_by_code.get(&d)).map(|&i| &self.districts[i])
    }

    /// The operator of the centre responsible for `handling`.
    pub fn op_for(&self, handling: &AreaCode) -> &Principal {
        match handling.level() {
            AreaLevel::City => &self.city_op,
            AreaLevel::District => self.district_of(handling).map_or(&self.city_op, |d| &d.op),
            _ => self.street_of(handling).map_or(&self.city_op, |s| &s.op),
        }
    }

    /// The leader of the centre responsible for `handling`.
    pub fn leader_for(&self, handling: &AreaCode) -> &Principal {
        match handling.level() {
            AreaLevel::City => &self.city_leader,
            AreaLevel::District => self.district_of(handling).map_or(&self.city_leader, |d| &d.leader),
            _ => self.street_of(handling).map_or(&self.city_leader, |s| &s.leader),
        }
    }

    /// The organisation of kind `dept` that a centre at `handling` dispatches a case at `area` to.
    pub fn dept_org(&self, dept: Dept, handling: &AreaCode, area: &AreaCode) -> Option<OrgId> {
        if dept.is_utility() || handling.level() == AreaLevel::City {
            return self.city_depts.get(&dept).copied();
        }
        if handling.level() >= AreaLevel::Street
            && let Some(s) = self.street_of(area)
        {
            match dept {
                Dept::Police => return Some(s.police),
                Dept::Justice => return Some(s.justice),
                _ => {}
            }
        }
        self.district_of(area).and_then(|d| d.depts.get(&dept).copied()).or_else(|| self.city_depts.get(&dept).copied())
    }

    /// All grids of a street.
    pub fn grids_of_street(&self, street: usize) -> Vec<usize> {
        self.streets[street].communities.iter().flat_map(|&c| self.communities[c].grids.iter().copied()).collect()
    }
}

const DISTRICTS: [(&str, &str); 5] =
    [("02", "清溪区"), ("03", "云湖区"), ("04", "松岭区"), ("05", "桂园区"), ("21", "临江县")];
const NUMERALS: [&str; 6] = ["一", "二", "三", "四", "五", "六"];
const DIRECTIONS: [&str; 6] = ["东", "西", "南", "北", "中", "新"];

/// Creates users with one Argon2id hash of the published demo password. Hashing once keeps a
/// build of hundreds of staff accounts fast; the printed accounts get their own hashes.
struct People<'a> {
    store: &'a Store,
    shared_hash: String,
    now: DateTime<Utc>,
    count: usize,
}

fn hash_password() -> anyhow::Result<String> {
    shiyu_http::auth::password::hash(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))
}

impl People<'_> {
    async fn add(
        &mut self,
        username: &str,
        name: &str,
        role: Role,
        binding: Binding,
        own_hash: bool,
    ) -> anyhow::Result<Principal> {
        let hash = if own_hash { hash_password()? } else { self.shared_hash.clone() };
        let user = self
            .store
            .create_user(username, name, role, binding, &hash, self.now)
            .await
            .with_context(|| format!("creating user {username}"))?;
        self.count += 1;
        Ok(user.principal())
    }
}

/// Builds the area tree, organisations and users.
pub(super) async fn build(store: &Store, rng: &mut StdRng, now: DateTime<Utc>) -> anyhow::Result<World> {
    let city_code = AreaCode::parse(CITY_CODE)?;
    store.create_area(&city_code, CITY_NAME, Some(&CITY_BOX.geojson()), now).await.context("creating the city")?;
    let city = Node { code: city_code.clone(), name: CITY_NAME.to_owned(), rect: CITY_BOX };
    let mut area_count = 1;

    let mut stems: Vec<&'static str> = names::STEMS.to_vec();
    stems.shuffle(rng);
    let mut stems = stems.into_iter();

    let mut districts_nodes = Vec::new();
    let mut streets_nodes: Vec<(Node, usize, &'static str)> = Vec::new();
    let mut communities_nodes: Vec<(Node, usize)> = Vec::new();
    let mut grids_nodes: Vec<(Node, usize)> = Vec::new();

    for ((suffix, dname), drect) in DISTRICTS.iter().zip(CITY_BOX.tile(DISTRICTS.len(), rng)) {
        let code = AreaCode::parse(&format!("4399{suffix}000000"))?;
        store.create_area(&code, dname, Some(&drect.geojson()), now).await?;
        area_count += 1;
        let county = dname.ends_with('县');
        let d_index = districts_nodes.len();
        let n_streets = rng.random_range(3..=4);
        for (si, srect) in drect.tile(n_streets, rng).into_iter().enumerate() {
            let stem = stems.next().unwrap_or("新华");
            // Towns of a county take codes 101…, streets 001….
            let (s_no, sname) =
                if county { (101 + si, format!("{stem}镇")) } else { (1 + si, format!("{stem}街道")) };
            let s_code = AreaCode::parse(&format!("4399{suffix}{s_no:03}000"))?;
            store.create_area(&s_code, &sname, Some(&srect.geojson()), now).await?;
            area_count += 1;
            let s_index = streets_nodes.len();
            let n_comm = rng.random_range(3..=4);
            for (ci, crect) in srect.tile(n_comm, rng).into_iter().enumerate() {
                // When the name pool runs out, name communities after their street and a direction.
                let cstem = stems.next().map_or_else(|| format!("{stem}{}", DIRECTIONS[ci % 6]), str::to_owned);
                // A town's seat is a community (001); its other places are villages (201…).
                let (c_no, cname) = if county && ci > 0 {
                    (200 + ci, format!("{cstem}村"))
                } else {
                    (1 + ci, format!("{cstem}社区"))
                };
                let c_code = AreaCode::parse(&format!("{}{c_no:03}", &s_code.as_str()[..9]))?;
                store.create_area(&c_code, &cname, Some(&crect.geojson()), now).await?;
                area_count += 1;
                let c_index = communities_nodes.len();
                let n_grids = rng.random_range(3..=5);
                for (gi, grect) in crect.tile(n_grids, rng).into_iter().enumerate() {
                    let g_code = AreaCode::parse(&format!("{c_code}{:03}", gi + 1))?;
                    let gname = format!("{cname}第{}网格", NUMERALS[gi % 6]);
                    store.create_area(&g_code, &gname, Some(&grect.geojson()), now).await?;
                    area_count += 1;
                    grids_nodes.push((Node { code: g_code, name: gname, rect: grect }, c_index));
                }
                communities_nodes.push((Node { code: c_code, name: cname, rect: crect }, s_index));
            }
            streets_nodes.push((Node { code: s_code, name: sname, rect: srect }, d_index, stem));
        }
        districts_nodes.push(Node { code, name: (*dname).to_owned(), rect: drect });
    }

    // Organisations: centres at every level, departments at city and district, police stations
    // and justice offices at every street.
    let mut org_count = 0usize;
    let mut org = |name: String, kind: OrgKind, area: AreaCode| {
        org_count += 1;
        async move { store.create_org(&name, kind, &area, now).await.with_context(|| format!("creating {name}")) }
    };
    org(format!("{CITY_NAME}社会治理综合服务中心（12345热线）"), OrgKind::Centre, city_code.clone()).await?;
    let mut city_depts = HashMap::new();
    let mut dept_names: HashMap<OrgId, String> = HashMap::new();
    for dept in Dept::DISTRICT.iter().chain(&[Dept::Water, Dept::Power, Dept::Gas]) {
        let name = dept.city_name(CITY_NAME);
        let o = org(name.clone(), OrgKind::Department, city_code.clone()).await?;
        city_depts.insert(*dept, o.id);
        dept_names.insert(o.id, name);
    }
    let mut district_depts = Vec::new();
    for d in &districts_nodes {
        org(format!("{}社会治理综合服务中心", d.name), OrgKind::Centre, d.code.clone()).await?;
        let mut depts = HashMap::new();
        for dept in Dept::DISTRICT {
            let name = dept.district_name(CITY_NAME, &d.name);
            let o = org(name.clone(), OrgKind::Department, d.code.clone()).await?;
            depts.insert(dept, o.id);
            dept_names.insert(o.id, name);
        }
        district_depts.push(depts);
    }
    let mut street_orgs = Vec::new();
    for (s, _, _) in &streets_nodes {
        org(format!("{}综治中心", s.name), OrgKind::Centre, s.code.clone()).await?;
        let police_name = format!("{}派出所", s.name.trim_end_matches("街道"));
        let police = org(police_name.clone(), OrgKind::Department, s.code.clone()).await?;
        let justice_name = format!("{}司法所", s.name.trim_end_matches("街道"));
        let justice = org(justice_name.clone(), OrgKind::Department, s.code.clone()).await?;
        dept_names.insert(police.id, police_name);
        dept_names.insert(justice.id, justice_name);
        street_orgs.push((police.id, justice.id));
    }

    // People. The printed accounts are the staff of the first district's first street, its first
    // grid, and the first district's urban-management bureau, so what they see is connected.
    let mut people = People { store, shared_hash: hash_password()?, now, count: 0 };
    let mut accounts = Vec::new();
    let demo_street = 0usize;
    let demo_grid = 0usize;
    let handler_org = district_depts
        .first()
        .and_then(|d: &HashMap<Dept, OrgId>| d.get(&Dept::Urban).copied())
        .context("no district")?;

    let area = |a: &AreaCode| Binding::Area { area: a.clone() };
    let admin = names::person(rng);
    people.add("admin", &admin, Role::Admin, area(&city_code), true).await?;
    let analyst = names::person(rng);
    people.add("analyst", &analyst, Role::Analyst, area(&city_code), true).await?;
    let city_op = people.add("city_operator", &names::person(rng), Role::Operator, area(&city_code), true).await?;
    let city_leader = people.add("city_leader", &names::person(rng), Role::Leader, area(&city_code), false).await?;

    let mut districts = Vec::new();
    for (i, (node, depts)) in districts_nodes.into_iter().zip(district_depts).enumerate() {
        let op = people
            .add(&format!("d{}.operator", i + 1), &names::person(rng), Role::Operator, area(&node.code), false)
            .await?;
        let leader = people
            .add(&format!("d{}.leader", i + 1), &names::person(rng), Role::Leader, area(&node.code), false)
            .await?;
        districts.push(District { node, streets: Vec::new(), op, leader, depts });
    }

    let mut streets = Vec::new();
    let mut mediators = Vec::new();
    for (i, ((node, district, stem), (police, justice))) in streets_nodes.into_iter().zip(street_orgs).enumerate() {
        let demo = i == demo_street;
        let suffix = &node.code.as_str()[4..9];
        let op_name = if demo { "operator".to_owned() } else { format!("s{suffix}.operator") };
        let leader_name = if demo { "leader".to_owned() } else { format!("s{suffix}.leader") };
        let op = people.add(&op_name, &names::person(rng), Role::Operator, area(&node.code), demo).await?;
        let leader = people.add(&leader_name, &names::person(rng), Role::Leader, area(&node.code), demo).await?;
        if demo {
            mediators.push(people.add("mediator", &names::person(rng), Role::Mediator, area(&node.code), true).await?);
        }
        let roads = names::distinct_stems(rng, 6).into_iter().map(|r| names::road(rng, r)).collect();
        districts[district].streets.push(i);
        streets.push(Street { node, district, communities: Vec::new(), op, leader, police, justice, roads, stem });
    }

    let mut communities = Vec::new();
    for (i, (node, street)) in communities_nodes.into_iter().enumerate() {
        let estates = (0..rng.random_range(3..=5)).map(|_| names::estate(rng)).collect();
        streets[street].communities.push(i);
        communities.push(Community { node, street, grids: Vec::new(), estates });
    }

    let mut grids = Vec::new();
    for (i, (node, community)) in grids_nodes.into_iter().enumerate() {
        let demo = i == demo_grid;
        let username = if demo { "grid".to_owned() } else { format!("g{}", &node.code.as_str()[4..]) };
        let worker = people.add(&username, &names::person(rng), Role::GridWorker, area(&node.code), demo).await?;
        communities[community].grids.push(i);
        grids.push(Grid { node, community, worker });
    }

    // The demo street's first community has its own village mediator.
    if let Some(&c) = streets.get(demo_street).and_then(|s| s.communities.first()) {
        let code = communities[c].node.code.clone();
        mediators.push(people.add("vmediator", &names::person(rng), Role::Mediator, area(&code), true).await?);
    }

    // One handler for every department organisation.
    let mut handlers = HashMap::new();
    let mut dept_list: Vec<(OrgId, String)> = dept_names.into_iter().collect();
    dept_list.sort_by(|a, b| a.1.cmp(&b.1));
    let mut n = 0;
    for (org_id, org_name) in &dept_list {
        let demo = *org_id == handler_org;
        n += 1;
        let username = if demo { "handler".to_owned() } else { format!("h{n:03}") };
        let binding = Binding::Org { org: *org_id, area: city_code.clone() };
        let p = people.add(&username, &names::person(rng), Role::Handler, binding, demo).await?;
        handlers.insert(*org_id, p);
        if demo {
            accounts.push(DemoAccount {
                username: "handler".into(),
                role_label: Role::Handler.label_zh().into(),
                note: format!("{org_name}（签收、办理交办的诉求）"),
            });
        }
    }

    // Residents, each living in some community; the demo resident lives in the demo grid's.
    let mut residents = Vec::new();
    let demo_community = grids.get(demo_grid).map_or(0, |g| g.community);
    let resident = people.add("resident", &names::person(rng), Role::Resident, Binding::Resident, true).await?;
    residents.push((resident, demo_community));
    for i in 1..=80 {
        let home = rng.random_range(0..communities.len());
        let p = people.add(&format!("r{i:03}"), &names::person(rng), Role::Resident, Binding::Resident, false).await?;
        residents.push((p, home));
    }

    let s = &streets[demo_street];
    let d = &districts[s.district];
    let g = &grids[demo_grid];
    let place = format!("{} {}", d.node.name, s.node.name);
    let mut printed = vec![
        DemoAccount {
            username: "resident".into(),
            role_label: Role::Resident.label_zh().into(),
            note: format!("住{}，本人提交的诉求处于各个环节", communities[g.community].node.name),
        },
        DemoAccount {
            username: "grid".into(),
            role_label: Role::GridWorker.label_zh().into(),
            note: format!("{} {}", place, g.node.name),
        },
        DemoAccount {
            username: "operator".into(),
            role_label: Role::Operator.label_zh().into(),
            note: format!("{place}综治中心"),
        },
        DemoAccount {
            username: "city_operator".into(),
            role_label: Role::Operator.label_zh().into(),
            note: format!("{CITY_NAME}社会治理综合服务中心（12345热线）"),
        },
    ];
    printed.append(&mut accounts);
    printed.extend([
        DemoAccount {
            username: "leader".into(),
            role_label: Role::Leader.label_zh().into(),
            note: format!("{place}（阅批、把关、督办）"),
        },
        DemoAccount {
            username: "mediator".into(),
            role_label: Role::Mediator.label_zh().into(),
            note: format!("{place}人民调解委员会（乡镇、街道一级调解）"),
        },
        DemoAccount {
            username: "vmediator".into(),
            role_label: Role::Mediator.label_zh().into(),
            note: format!(
                "{place} {}人民调解委员会（村、社区一级调解）",
                s.communities.first().map_or("", |&c| communities[c].node.name.as_str())
            ),
        },
        DemoAccount {
            username: "analyst".into(),
            role_label: Role::Analyst.label_zh().into(),
            note: format!("{CITY_NAME}平安办"),
        },
        DemoAccount { username: "admin".into(), role_label: Role::Admin.label_zh().into(), note: CITY_NAME.into() },
    ]);

    let street_by_code = streets.iter().enumerate().map(|(i, s)| (s.node.code.clone(), i)).collect();
    let district_by_code = districts.iter().enumerate().map(|(i, d)| (d.node.code.clone(), i)).collect();
    anyhow::ensure!(!grids.is_empty(), "the demo city has no grids");
    Ok(World {
        city,
        city_op,
        city_leader,
        city_depts,
        districts,
        streets,
        communities,
        grids,
        handlers,
        mediators,
        residents,
        cast: Cast { street: demo_street, grid: demo_grid, resident: 0 },
        accounts: printed,
        street_by_code,
        district_by_code,
        area_count,
        org_count,
        user_count: people.count,
    })
}
