//! Write → read is the identity, for both formats, and XLSX files made elsewhere read as typed.

use proptest::prelude::*;
use rust_xlsxwriter::{Format as CellFormat, Formula, Workbook};

use crate::{Format, Row, Table, TabularError, read, read_xlsx, write_csv, write_xlsx};

fn headers() -> Vec<String> {
    ["姓名", "身份证号", "备注", "金额", "编号", "空"].map(String::from).to_vec()
}

/// Cells a careless exporter or importer would change.
fn tricky_rows() -> Vec<Vec<String>> {
    [
        ["张三", "11010119900307123X", "住址：北京市东城区, 1号", "-3", "0012", ""],
        ["李四", "110101199003071234", "他说\"你好\"", "=SUM(A1)", "+86 13800138000", ""],
        ["", "", "第一行\r\n第二行\n第三行", "-0.5", "@admin", "x"],
        [" 王五 ", "'0012", "  leading and trailing  ", "-", "'=1+1", "'"],
        ["\t制表", "1e5", "-1+2", "TRUE", "2024-03-01", ""],
        ["", "", "", "", "", "only last"],
    ]
    .iter()
    .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
    .collect()
}

fn cells(table: &Table) -> Vec<Vec<String>> {
    table.rows.iter().map(|r| r.cells.clone()).collect()
}

fn numbers(table: &Table) -> Vec<usize> {
    table.rows.iter().map(|r| r.number).collect()
}

fn read_ok(format: Format, bytes: &[u8]) -> Table {
    match read(format, bytes) {
        Ok(t) => t,
        Err(e) => panic!("{format:?}: {e}"),
    }
}

#[test]
fn csv_round_trip_is_the_identity_for_tricky_cells() {
    let bytes = write_csv(&headers(), tricky_rows());
    assert_eq!(Format::detect(Some("导出.csv"), &bytes), Ok(Format::Csv));
    let table = read_ok(Format::Csv, &bytes);
    assert_eq!(table.headers, headers());
    assert_eq!(cells(&table), tricky_rows());
    // Line breaks inside cells do not shift the numbers: data starts at row 2 in a spreadsheet.
    assert_eq!(numbers(&table), vec![2, 3, 4, 5, 6, 7]);
}

#[test]
fn xlsx_round_trip_is_the_identity_for_tricky_cells() {
    let bytes = match write_xlsx("实有人口", &headers(), tricky_rows()) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(Format::detect(Some("导出.xlsx"), &bytes), Ok(Format::Xlsx));
    let table = read_ok(Format::Xlsx, &bytes);
    assert_eq!(table.headers, headers());
    assert_eq!(cells(&table), tricky_rows());
    assert_eq!(numbers(&table), vec![2, 3, 4, 5, 6, 7]);
}

#[test]
fn xlsx_export_is_text_with_a_bold_header() {
    let bytes = write_xlsx("s", &["编号"], [["0012"], ["110101199003071234"]]).unwrap_or_default();
    let mut book: calamine::Xlsx<_> = match calamine::open_workbook_from_rs(std::io::Cursor::new(&bytes)) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    let range = calamine::Reader::worksheet_range(&mut book, "s").unwrap_or_default();
    let kinds: Vec<bool> = range.rows().map(|r| matches!(r[0], calamine::Data::String(_))).collect();
    assert_eq!(kinds, [true, true, true], "every cell is stored as text");
    let styles = book.worksheet_style("s").unwrap_or_default();
    let bold = styles.get((0, 0)).and_then(|s| s.font.as_ref()).is_some_and(|f| f.is_bold());
    assert!(bold, "the header row is bold");
}

#[test]
fn blank_rows_are_skipped_but_counted_in_both_formats() {
    let rows = [vec!["a", "1"], vec!["", ""], vec!["b", "2"]];
    for format in [Format::Csv, Format::Xlsx] {
        let bytes = match format {
            Format::Csv => write_csv(&["k", "v"], rows.clone()),
            Format::Xlsx => write_xlsx("s", &["k", "v"], rows.clone()).unwrap_or_default(),
        };
        let table = read_ok(format, &bytes);
        assert_eq!(numbers(&table), vec![2, 4], "{format:?}");
        assert_eq!(table.rows[1].get(1), "2");
    }
}

/// A workbook as a user makes one: numbers, dates and times typed into cells, not text.
fn typed_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let hidden = book.add_worksheet();
    hidden.set_name("下拉选项")?.write_string(0, 0, "选项")?;
    hidden.set_hidden(true);
    let sheet = book.add_worksheet();
    sheet.set_name("登记表")?.set_active(true);
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm");
    let time = CellFormat::new().set_num_format("hh:mm");
    // The table starts on row 3: rows 1 and 2 are empty.
    for (col, h) in
        [" 编号 ", "年龄", "比例", "出生日期", "登记时间", "到岗", "在册", "合计", "身份证号"].iter().enumerate()
    {
        sheet.write_string(2, col as u16, *h)?;
    }
    sheet.write_number(3, 0, 12)?;
    sheet.write_number(3, 1, -3)?;
    sheet.write_number(3, 2, 0.1 + 0.2)?;
    sheet.write_number_with_format(3, 3, 32_939, &date)?; // 1990-03-07
    sheet.write_number_with_format(3, 4, 45_352.354_166_666_67, &datetime)?; // 2024-03-01 08:30
    sheet.write_number_with_format(3, 5, 0.354_166_666_666_666_7, &time)?;
    sheet.write_boolean(3, 6, true)?;
    sheet.write_formula(3, 7, Formula::new("=A4+B4").set_result("9"))?;
    sheet.write_string(3, 8, "11010119900307123X")?;
    sheet.write_number(4, 0, 1_234_567)?;
    sheet.write_number(4, 1, 999_999_999_999_999.0)?;
    sheet.write_number(4, 2, 1234.5)?;
    // An identity number typed into a number cell: Excel has already dropped its last digits.
    sheet.write_number(5, 8, 110_101_199_003_071_234.0)?;
    sheet.write_string(6, 0, "13")?;
    book.save_to_buffer()
}

#[test]
fn xlsx_numbers_and_dates_read_as_typed() {
    let bytes = match typed_workbook() {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    let mut book = match crate::XlsxBook::open(&bytes) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(book.sheet_names(), ["下拉选项", "登记表"]);
    // The hidden first sheet is passed over.
    let mut rows = match book.rows(None) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(rows.headers(), ["编号", "年龄", "比例", "出生日期", "登记时间", "到岗", "在册", "合计", "身份证号"]);
    let first = rows.next().and_then(Result::ok);
    let expected =
        ["12", "-3", "0.3", "1990-03-07", "2024-03-01 08:30:00", "08:30:00", "TRUE", "9", "11010119900307123X"];
    assert_eq!(first, Some(Row { number: 4, cells: expected.map(String::from).to_vec() }));
    let second = rows.next().and_then(Result::ok).map(|r| r.cells);
    assert_eq!(
        second.as_deref().map(|c| &c[..3]),
        Some(&["1234567", "999999999999999", "1234.5"].map(String::from)[..])
    );
    assert_eq!(
        rows.next(),
        Some(Err(TabularError::NumberTooLong { row: 6, column: 9, shown: "1.10101199003071E+17".into() }))
    );
    // The iterator goes on after a bad row.
    assert_eq!(rows.next().and_then(Result::ok).map(|r| (r.number, r.cells[0].clone())), Some((7, "13".to_owned())));
    assert_eq!(rows.next(), None);
    // The whole-table reader stops at the bad row and names it.
    let err = read_xlsx(&bytes, Some("登记表")).err();
    assert!(matches!(err, Some(TabularError::NumberTooLong { row: 6, column: 9, .. })), "{err:?}");
    assert!(err.is_some_and(|e| e.message_zh().starts_with("第 6 行第 9 列（I）")));
}

#[test]
fn xlsx_sheets_and_errors_name_what_is_wrong() {
    let bytes = typed_workbook().unwrap_or_default();
    assert_eq!(read_xlsx(&bytes, Some("无此表")).err(), Some(TabularError::SheetNotFound { name: "无此表".into() }));
    assert_eq!(read_xlsx(&bytes, Some("下拉选项")).map(|t| t.headers).ok(), Some(vec!["选项".to_owned()]));

    let long = write_xlsx("s", &["a", "b"], [vec!["1", "2"], vec!["3", "4", "5"]]).unwrap_or_default();
    assert_eq!(read_xlsx(&long, None).err(), Some(TabularError::RowTooLong { row: 3, column: 3, headers: 2 }));
    let duplicate = write_xlsx("s", &["姓名", "姓名"], Vec::<Vec<&str>>::new()).unwrap_or_default();
    assert!(matches!(
        read_xlsx(&duplicate, None),
        Err(TabularError::DuplicateHeader { row: 1, first: 1, second: 2, .. })
    ));
    let empty = write_xlsx("s", &[""], Vec::<Vec<&str>>::new()).unwrap_or_default();
    assert_eq!(read_xlsx(&empty, None).err(), Some(TabularError::EmptyFile));

    assert_eq!(read_xlsx(b"", None).err(), Some(TabularError::EmptyFile));
    assert_eq!(read_xlsx(b"a,b\n", None).err(), Some(TabularError::NotSpreadsheet));
    assert!(matches!(read_xlsx(b"PK\x03\x04 not really a zip", None), Err(TabularError::Unreadable { .. })));
}

#[test]
fn xlsx_writer_refuses_cells_excel_cannot_hold() {
    let huge = "长".repeat(32_768);
    let err = write_xlsx("s", &["a", "b"], [vec!["ok", "ok"], vec!["x", huge.as_str()]]).err();
    assert_eq!(err, Some(TabularError::CellTooLong { row: 3, column: 2 }));
}

/// Any text a cell may hold, biased towards the characters that need care.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[-=+@'\" ,\t\r\n0-9a-zA-Z张三_x]{0,12}",
        "\\PC{0,10}",
        "(_x00[0-9A-F]{2}_|[\u{1}-\u{1f}]|[a-z]){0,6}",
    ]
}

fn table_strategy(max_rows: usize) -> impl Strategy<Value = (Vec<String>, Vec<Vec<String>>)> {
    (1usize..5).prop_flat_map(move |width| {
        let header = "[a-z张李]{1,4}[0-9]{0,2}";
        let headers = prop::collection::hash_set(header, width).prop_map(|s| s.into_iter().collect::<Vec<String>>());
        let row = prop::collection::vec(cell(), width)
            .prop_filter("all-empty rows are skipped on reading", |r| r.iter().any(|c| !c.is_empty()));
        (headers, prop::collection::vec(row, 0..max_rows))
    })
}

proptest! {
    #[test]
    fn csv_round_trip_holds_for_any_text((headers, rows) in table_strategy(12)) {
        let table = read(Format::Csv, &write_csv(&headers, &rows));
        prop_assert_eq!(table.map(|t| (t.headers.clone(), cells(&t))), Ok((headers, rows)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn xlsx_round_trip_holds_for_any_text((headers, rows) in table_strategy(6)) {
        let bytes = write_xlsx("s", &headers, &rows);
        let table = bytes.and_then(|b| read(Format::Xlsx, &b));
        prop_assert_eq!(table.map(|t| (t.headers.clone(), cells(&t))), Ok((headers, rows)));
    }
}
