//! Base data through the real store on both engines: one person is one record however often
//! imported; a bad row anywhere in a file writes nothing; export → import changes nothing;
//! identifiers are masked in every list and unmasked only for the roles and areas DESIGN §2 allows,
//! each unmasking and each care read leaving exactly one audit entry; the audit chain verifies and
//! a tampered entry is found.

use chrono::NaiveDate;
use shiyu_domain::area::AreaCode;
use shiyu_domain::base::care::CareGroup;
use shiyu_domain::base::idnum::{IdNumber, check_char};
use shiyu_domain::base::kinds::{HouseUse, ResidentKind, Tenancy};
use shiyu_domain::base::phone::Phone;
use shiyu_domain::base::records::{HouseRecord, ResidentRecord, WgsPoint};
use shiyu_storage::StorageError;
use shiyu_storage::base::Placed;
use shiyu_storage::base::care::CareFilter;
use shiyu_storage::base::residents::Identifier;

use crate::common::{ACCOUNTS, TestApp, engines};

const CITY: &str = "4399";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("d")
}

/// A valid identity number for person `n`.
pub fn id_number(n: u32) -> IdNumber {
    let body = format!(
        "439901{}{:03}",
        NaiveDate::from_ymd_opt(1950, 1, 1)
            .expect("d")
            .checked_add_days(chrono::Days::new(u64::from(n % 20000)))
            .expect("d")
            .format("%Y%m%d"),
        n % 1000
    );
    let full = format!("{body}{}", check_char(&body).expect("check"));
    IdNumber::parse(&full, today()).expect("valid id")
}

pub fn person(n: u32, grid: &AreaCode, house: Option<&str>, care: Vec<CareGroup>) -> ResidentRecord {
    ResidentRecord {
        id_number: id_number(n),
        name: format!("居民{n}"),
        phone: Some(Phone::parse(&format!("139{:08}", n)).expect("phone")),
        kind: if n.is_multiple_of(3) { ResidentKind::Floating } else { ResidentKind::Registered },
        grid: Some(grid.clone()),
        house: house.map(str::to_owned),
        care,
    }
}

fn house(code: &str, grid: &AreaCode) -> HouseRecord {
    HouseRecord {
        code: code.to_owned(),
        address: format!("东门路{code}号"),
        building: "1栋".into(),
        unit: "2单元".into(),
        room: "301".into(),
        use_: HouseUse::Residential,
        tenancy: Tenancy::Rented,
        location: Some(WgsPoint::new(113.02, 28.1)),
        grid: Some(grid.clone()),
    }
}

pub fn placed<T>(records: Vec<T>) -> Vec<Placed<T>> {
    records.into_iter().enumerate().map(|(i, record)| Placed { row: i + 2, record, off_grid: false }).collect()
}

#[tokio::test]
async fn imports_are_one_record_per_person_and_all_or_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let op = app.fx.users["operator"].principal();
        let now = chrono::Utc::now();
        let g = &app.fx.grid;
        let c = app
            .store
            .import_houses(CITY, &op, placed(vec![house("H1", g), house("H2", &app.fx.grid_b)]), now)
            .await
            .expect("houses");
        assert_eq!((c.inserted, c.updated, c.unchanged), (2, 0, 0));

        let people: Vec<ResidentRecord> = (1..=300)
            .map(|n| {
                person(
                    n,
                    g,
                    Some(if n % 2 == 0 { "H1" } else { "H2" }),
                    if n % 50 == 0 { vec![CareGroup::ElderlyAlone] } else { vec![] },
                )
            })
            .collect();
        let c = app.store.import_residents(CITY, &op, placed(people.clone()), now).await.expect("residents");
        assert_eq!((c.inserted, c.updated, c.unchanged), (300, 0, 0));
        // The same file again: nothing changes.
        let c = app.store.import_residents(CITY, &op, placed(people.clone()), now).await.expect("again");
        assert_eq!((c.inserted, c.updated, c.unchanged), (0, 0, 300));
        // Another list naming person 7 with a care group and no phone: still one person, the phone
        // kept, the care group added.
        let mut seven = person(7, g, None, vec![CareGroup::Disability]);
        seven.phone = None;
        let c = app.store.import_residents(CITY, &op, placed(vec![seven]), now).await.expect("other list");
        assert_eq!((c.inserted, c.updated), (0, 1));
        let (_, total) = app.store.residents(&op, None, None, 10, 0).await.expect("list");
        assert_eq!(total, 300, "one person is one record");
        let (rows, _) = app.store.residents(&op, None, Some("居民7"), 50, 0).await.expect("list");
        let r7 = rows.iter().find(|r| r.name == "居民7").expect("居民7");
        assert_eq!(r7.phone_masked.as_deref(), Some("139****0007"), "the phone was kept");

        // 1,000 rows with one bad one (an unknown house) write nothing, and the row is named.
        let before = app.store.export_residents(CITY, &op, now).await.expect("export");
        let mut file: Vec<ResidentRecord> = (1001..2000).map(|n| person(n, g, Some("H1"), vec![])).collect();
        file.insert(500, person(5000, g, Some("H404"), vec![]));
        let err = app.store.import_residents(CITY, &op, placed(file), now).await.expect_err("refused");
        match err {
            StorageError::Rows(rows) => {
                assert_eq!(rows.len(), 1);
                assert_eq!((rows[0].row, rows[0].column.as_str(), rows[0].reason), (502, "房屋编号", "unknown_house"));
            }
            other => panic!("{other:?}"),
        }
        // A grid in another street: out of the operator's area.
        let err = app
            .store
            .import_residents(CITY, &op, placed(vec![person(6000, &app.fx.grid2, None, vec![])]), now)
            .await
            .expect_err("scope");
        assert!(matches!(err, StorageError::Rows(ref r) if r[0].reason == "out_of_scope"), "{err:?}");
        let after = app.store.export_residents(CITY, &op, now).await.expect("export");
        assert_eq!(after, before, "nothing written by refused files");

        // Round trip: the export imported again leaves everything as it was.
        let c = app.store.import_residents(CITY, &op, placed(after.clone()), now).await.expect("round trip");
        assert_eq!((c.inserted, c.updated, c.unchanged), (0, 0, 300));
        assert_eq!(app.store.export_residents(CITY, &op, now).await.expect("export"), after);
        let houses = app.store.export_houses(CITY, &op, now).await.expect("houses");
        let c = app.store.import_houses(CITY, &op, placed(houses.clone()), now).await.expect("houses again");
        assert_eq!((c.inserted, c.updated, c.unchanged), (0, 0, 2));

        // A house whose point lies in no grid is kept, flagged, and is the city centre's to place:
        // the administrator sees it, the street operator does not.
        let admin = app.fx.users["admin"].principal();
        let mut stray = house("H9", g);
        stray.grid = None;
        stray.location = Some(WgsPoint::new(113.5, 28.1));
        let c = app
            .store
            .import_houses(CITY, &admin, vec![Placed { row: 2, record: stray, off_grid: true }], now)
            .await
            .expect("stray");
        assert_eq!(c.inserted, 1);
        let (all, _) = app.store.houses(&admin, None, 10, 0).await.expect("admin list");
        let h9 = all.iter().find(|h| h.record.code == "H9").expect("the city sees the stray house");
        assert!(h9.off_grid && h9.record.grid.is_none());
        let (theirs, _) = app.store.houses(&op, None, 10, 0).await.expect("op list");
        assert!(theirs.iter().all(|h| h.record.code != "H9"));

        // Handlers and residents may not import at all.
        for who in ["handler", "resident", "leader", "grid_worker"] {
            let p = app.fx.users[who].principal();
            let e = app.store.import_residents(CITY, &p, placed(vec![person(7000, g, None, vec![])]), now).await;
            assert!(matches!(e, Err(StorageError::Domain(_))), "{who} imported");
        }
    }
}

#[tokio::test]
async fn masking_unmasking_and_care_reads_per_role_are_audited() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let op = app.fx.users["operator"].principal();
        let now = chrono::Utc::now();
        let g = &app.fx.grid;
        app.store.import_houses(CITY, &op, placed(vec![house("H1", g)]), now).await.expect("houses");
        app.store
            .import_residents(
                CITY,
                &op,
                placed(vec![person(1, g, Some("H1"), vec![CareGroup::ElderlyAlone]), person(2, g, None, vec![])]),
                now,
            )
            .await
            .expect("residents");
        let (rows, _) = app.store.residents(&op, None, None, 10, 0).await.expect("list");
        let one = rows.iter().find(|r| r.name == "居民1").expect("one").clone();
        let clear = id_number(1).as_str().to_owned();
        assert_eq!(one.id_masked, id_number(1).masked());
        assert!(!one.id_masked.contains(&clear[3..14]), "masked");

        let audit_len = || async { app.store.audit_entries(CITY, None, 1000).await.expect("audit").len() };
        for who in ACCOUNTS {
            let p = app.fx.users[who].principal();
            let before = audit_len().await;
            // Lists: masked, and only for roles that serve the area.
            let listed = app.store.residents(&p, None, None, 10, 0).await;
            let lists = matches!(
                who,
                "grid_worker"
                    | "operator"
                    | "district_operator"
                    | "city_operator"
                    | "admin"
                    | "leader"
                    | "district_leader"
                    | "mediator"
                    | "village_mediator"
            );
            assert_eq!(listed.as_ref().map(|(r, _)| !r.is_empty()).unwrap_or(false), lists, "{who} list");
            if let Ok((rows, _)) = &listed {
                assert!(rows.iter().all(|r| r.id_masked.contains("***********")), "{who} sees masked ids");
            }
            // Unmasking: grid worker of the grid, operators over it, administrator.
            let got = app.store.unmask_resident(CITY, &p, &one.id, Identifier::IdNumber, "核实身份", now).await;
            let unmasks = matches!(who, "grid_worker" | "operator" | "district_operator" | "city_operator" | "admin");
            assert_eq!(got.as_ref().ok(), unmasks.then_some(&clear), "{who} unmask: {got:?}");
            assert_eq!(
                audit_len().await,
                before + usize::from(unmasks),
                "{who}: one audit entry per unmasking, none when refused"
            );
            // Care records: the same roles; one audit entry per read.
            let before = audit_len().await;
            let care = app.store.care_list(CITY, &p, &CareFilter::default(), 100, now).await;
            assert_eq!(care.as_ref().map(|c| c.len()).unwrap_or(0), usize::from(unmasks), "{who} care: {care:?}");
            // Every permitted read is recorded, even one that finds nobody (operator2's street).
            assert_eq!(audit_len().await, before + usize::from(care.is_ok()), "{who}: care reads audited");
            assert_eq!(care.is_ok(), unmasks || who == "operator2", "{who} may read care records");
        }
        // Operator 2 (another street) neither lists nor unmasks.
        let op2 = app.fx.users["operator2"].principal();
        assert!(app.store.residents(&op2, None, None, 10, 0).await.expect("list").0.is_empty());
        assert!(matches!(
            app.store.unmask_resident(CITY, &op2, &one.id, Identifier::Phone, "x", now).await,
            Err(StorageError::NotFound(_))
        ));
        // A reason is required.
        assert!(app.store.unmask_resident(CITY, &op, &one.id, Identifier::Phone, " ", now).await.is_err());
        // Counts for leaders and analysts, without names.
        let counts = app.store.care_counts(&app.fx.users["analyst"].principal(), today()).await.expect("counts");
        assert_eq!(counts, vec![(CareGroup::ElderlyAlone, 1, 0)]);

        // The log names who unmasked whom, and its chain holds until an entry is edited.
        let about = app.store.audit_entries(CITY, Some(("resident", &one.id)), 100).await.expect("about");
        assert_eq!(about.len(), 5, "five roles unmasked this person");
        assert!(about.iter().all(|e| e.action == "unmask_id_number" && e.detail.contains("核实身份")));
        let check = app.store.verify_audit_log(CITY).await.expect("verify");
        assert!(check.broken_at.is_empty() && check.entries > 10, "{check:?}");
        sqlx::query("UPDATE audit_log SET actor_role = 'resident' WHERE seq = 3")
            .execute(app.store.pool())
            .await
            .expect("tamper");
        let check = app.store.verify_audit_log(CITY).await.expect("verify");
        assert_eq!(check.broken_at, vec![3]);
    }
}

async fn upload(app: &TestApp, c: &crate::common::Client, table: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("table", table.to_owned())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    let r =
        c.http.post(app.url(&format!("/base/import?_csrf={}", c.csrf))).multipart(form).send().await.expect("upload");
    (r.status().as_u16(), r.text().await.expect("text"))
}

async fn download(app: &TestApp, c: &crate::common::Client, table: &str, format: &str) -> Vec<u8> {
    let r = c.http.get(app.url(&format!("/base/export?table={table}&format={format}"))).send().await.expect("export");
    assert_eq!(r.status(), 200, "export {table} {format}");
    r.bytes().await.expect("bytes").to_vec()
}

#[tokio::test]
async fn files_round_trip_through_the_web_in_csv_and_xlsx() {
    use shiyu_domain::base::columns::{Table, house_row, resident_row};
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let op = app.client("operator").await;
        let g = app.fx.grid.clone();
        // Houses first (residents refer to them), written as a CSV a person might make, with a
        // GCJ-02 point and no grid: the point decides the grid.
        let mut h = house("H1", &g);
        h.grid = None;
        let (gx, gy) = shiyu_geo::crs::from_wgs84(shiyu_geo::Crs::Gcj02, 113.07, 28.1);
        let mut cells = house_row(&h);
        cells[7] = gx.to_string();
        cells[8] = gy.to_string();
        cells[9] = "gcj02".into();
        let csv = shiyu_tabular::write_csv(&Table::Houses.headers(), vec![cells]);
        let (s, page) = upload(&app, &op, "houses", "房屋.csv", csv).await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("新增 1"), "{page}");
        let houses =
            app.store.export_houses(CITY, &app.fx.users["operator"].principal(), chrono::Utc::now()).await.expect("h");
        assert_eq!(houses[0].grid.as_ref(), Some(&app.fx.grid_b), "placed by its converted point");

        let people: Vec<Vec<String>> = (1..=40)
            .map(|n| resident_row(&person(n, &g, Some("H1"), if n == 3 { vec![CareGroup::Hardship] } else { vec![] })))
            .collect();
        let xlsx = shiyu_tabular::write_xlsx("实有人口", &Table::Residents.headers(), people.clone()).expect("xlsx");
        let (s, page) = upload(&app, &op, "residents", "人口.xlsx", xlsx).await;
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("新增 40"), "{page}");

        // A file with bad cells: every one named by row and column, nothing written.
        let mut bad = people.clone();
        bad[4][0] = "110105194912310021".into(); // row 6: check digit
        bad[9][3] = "外籍".into(); // row 11: kind
        bad.push(resident_row(&person(99, &g, Some("H404"), vec![])));
        let (s, page) =
            upload(&app, &op, "residents", "bad.csv", shiyu_tabular::write_csv(&Table::Residents.headers(), bad)).await;
        assert_eq!(s, 422, "{page}");
        for expect in ["第 6 行“身份证号”：校验位错误", "第 11 行“人口类型”：取值无效"] {
            assert!(page.contains(expect), "{expect} in {page}");
        }
        let (_, total) =
            app.store.residents(&app.fx.users["operator"].principal(), None, None, 1, 0).await.expect("list");
        assert_eq!(total, 40, "nothing written");
        // The unknown house is found once the cell errors are fixed.
        let mut only_house = people.clone();
        only_house.push(resident_row(&person(99, &g, Some("H404"), vec![])));
        let (s, page) =
            upload(&app, &op, "residents", "h.csv", shiyu_tabular::write_csv(&Table::Residents.headers(), only_house))
                .await;
        assert_eq!(s, 422);
        assert!(page.contains("第 42 行“房屋编号”"), "{page}");

        // Export → import in both formats changes nothing, and the files are equal after.
        for format in ["xlsx", "csv"] {
            let before = download(&app, &op, "residents", format).await;
            let (s, page) = upload(&app, &op, "residents", &format!("导出.{format}"), before.clone()).await;
            assert_eq!(s, 200, "{page}");
            assert!(page.contains("未变 40"), "{format}: {page}");
            let table_before =
                shiyu_tabular::read(shiyu_tabular::Format::from_name(&format!("x.{format}")).expect("f"), &before)
                    .expect("read");
            let after = download(&app, &op, "residents", format).await;
            let table_after =
                shiyu_tabular::read(shiyu_tabular::Format::from_name(&format!("x.{format}")).expect("f"), &after)
                    .expect("read");
            assert_eq!(table_before, table_after, "{format} round trip");
            let houses = download(&app, &op, "houses", format).await;
            let (_, page) = upload(&app, &op, "houses", &format!("房屋.{format}"), houses).await;
            assert!(page.contains("未变 1"), "{page}");
        }
        // Leaders see the list masked but may neither export nor unmask.
        let leader = app.client("leader").await;
        let r = leader.http.get(app.url("/base/export?table=residents")).send().await.expect("get");
        assert_eq!(r.status(), 403);
        let list = leader.http.get(app.url("/base/residents")).send().await.expect("get").text().await.expect("t");
        assert!(
            list.contains(&id_number(1).masked()) && !list.contains(id_number(1).as_str()),
            "masked for the leader"
        );
        assert!(!list.contains("data-testid=\"unmask\""), "no unmask button for the leader");
        // The operator's unmask by form, with htmx: the clear value comes back and is audited.
        let (rows, _) =
            app.store.residents(&app.fx.users["operator"].principal(), None, Some("居民1"), 1, 0).await.expect("r");
        let before = app.store.audit_entries(CITY, Some(("resident", &rows[0].id)), 10).await.expect("a").len();
        let r = op
            .http
            .post(app.url(&format!("/base/residents/{}/unmask", rows[0].id)))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", op.csrf.clone())
            .form(&[("which", "id_number"), ("reason", "上门核实")])
            .send()
            .await
            .expect("unmask");
        let html = r.text().await.expect("t");
        assert!(html.contains(id_number(1).as_str()), "{html}");
        assert_eq!(
            app.store.audit_entries(CITY, Some(("resident", &rows[0].id)), 10).await.expect("a").len(),
            before + 1
        );
    }
}

#[tokio::test]
async fn a_visit_moves_care_visits_forward_and_stays_in_the_grid() {
    use shiyu_storage::base::visits::NewVisit;
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let op = app.fx.users["operator"].principal();
        let gw = app.fx.users["grid_worker"].principal();
        let now = chrono::Utc::now();
        let today = shiyu_domain::time::local_date(now);
        let g = &app.fx.grid;
        app.store
            .import_houses(CITY, &op, placed(vec![house("H1", g), house("H2", &app.fx.grid_b)]), now)
            .await
            .expect("houses");
        app.store
            .import_residents(CITY, &op, placed(vec![person(1, g, Some("H1"), vec![CareGroup::ElderlyAlone])]), now)
            .await
            .expect("r");
        let due = |c: Vec<shiyu_storage::base::care::CareRow>| c[0].visit_due;
        assert_eq!(
            due(app.store.care_list(CITY, &gw, &CareFilter::default(), 10, now).await.expect("care")),
            today,
            "due at once"
        );
        let (houses, _) = app.store.houses(&op, None, 10, 0).await.expect("houses");
        let h1 = houses.iter().find(|h| h.record.code == "H1").expect("h1").id.clone();
        let h2 = houses.iter().find(|h| h.record.code == "H2").expect("h2").id.clone();
        // A household of the neighbouring grid is refused, and nothing is logged.
        let v = |houses: Vec<String>| NewVisit {
            visited_on: today,
            houses,
            summary: "走访".into(),
            found: "井盖松动".into(),
        };
        let e = app.store.log_visit(CITY, &gw, v(vec![h2]), now).await.expect_err("other grid");
        assert!(matches!(e, StorageError::Domain(shiyu_domain::DomainError::Invalid { field: "houses", .. })), "{e:?}");
        assert!(app.store.visits(g, today, today, 10).await.expect("v").is_empty());
        let id = app.store.log_visit(CITY, &gw, v(vec![h1]), now).await.expect("visit");
        let visit = app.store.visit(g, &id).await.expect("found in the grid");
        assert_eq!((visit.households, visit.found.as_str()), (1, "井盖松动"));
        assert!(app.store.visit(&app.fx.grid2, &id).await.is_err(), "not found from another grid");
        assert_eq!(
            due(app.store.care_list(CITY, &gw, &CareFilter::default(), 10, now).await.expect("care")),
            today + chrono::Duration::days(7)
        );
        // Only grid workers log visits.
        assert!(app.store.log_visit(CITY, &op, v(vec![houses[0].id.clone()]), now).await.is_err());
        assert_eq!(
            app.store.visit_counts(g, today, today).await.expect("counts"),
            vec![(app.fx.users["grid_worker"].id.to_string(), 1)]
        );
    }
}
