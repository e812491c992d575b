//! CSV: reading what Excel, WPS and other systems save, and writing what Chinese Excel opens.
//!
//! **Reading.** The bytes are UTF-8 (a byte-order mark is dropped) or, when they are not valid UTF-8,
//! GB18030, a superset of the GBK that Chinese Excel and WPS use for "CSV (逗号分隔)". Cells are
//! separated by commas and rows by CRLF, LF or CR. A cell that starts with `"` is quoted: it may hold
//! commas and line breaks, `""` inside it is one `"`, and text after its closing quote up to the next
//! comma is kept, as Excel does. A quote elsewhere is an ordinary character. A quoted cell left open
//! until the end of the file is [`TabularError::UnclosedQuote`] naming the row where it opens.
//!
//! The parser is this crate's own (about 50 lines) rather than the `csv` crate's because row numbers
//! must be those a spreadsheet shows: the `csv` crate reports a record's line before the blank lines it
//! skips and counts the line breaks inside quoted cells, so it cannot say "row 12" reliably.
//!
//! **Writing.** UTF-8 with a byte-order mark (without it Excel reads Chinese as GBK and shows
//! mojibake), CRLF line ends, and RFC 4180 quoting: a cell is quoted when it holds a comma, a quote or
//! a line break, or starts or ends with a space or tab (so no program trims it).
//!
//! **Formula injection and the round trip.** A spreadsheet treats a CSV cell starting with `=`, `+`,
//! `-`, `@`, tab or carriage return as a formula, so an exported name like `=HYPERLINK(...)` would run
//! when opened. [`neutralise_formula`] puts an apostrophe before such a cell. The rule, applied on
//! writing to every cell and header:
//!
//! - a cell starting with `=`, `+`, `@`, tab or CR gets a leading `'`;
//! - a cell starting with `-` gets a leading `'` unless it is a plain negative number (`-` then
//!   digits, optionally `.` and digits: `-3`, `-0.5`), which a spreadsheet reads as a number, not a
//!   formula, and which would be spoiled by the apostrophe;
//! - a cell that already starts with `'` gets another leading `'`, so that the apostrophe can be told
//!   apart from one this rule added.
//!
//! On reading, [`restore_formula`] removes a leading `'` exactly when the next character is one of
//! `'`, `=`, `+`, `-`, `@`, tab or CR. Every cell a writer could have guarded starts that way after
//! guarding, and every cell it left alone does not start with `'`, so reading what was written gives
//! back every cell unchanged (the tests check this over arbitrary text). For files typed by people the
//! same rule reads `'=1+1` as `=1+1`, which is what the apostrophe means in a spreadsheet, and leaves
//! `'abc` as it is.

use std::borrow::Cow;
use std::io::Write;

use crate::shape;
use crate::{OLE_MAGIC, Row, Table, TabularError, looks_binary};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a whole CSV file into a [`Table`], stopping at the first error.
pub fn read_csv(bytes: &[u8]) -> Result<Table, TabularError> {
    let rows = read_csv_iter(bytes)?;
    let headers = rows.headers.clone();
    let rows = rows.collect::<Result<Vec<Row>, TabularError>>()?;
    Ok(Table { headers, rows })
}

/// Decodes a CSV file and reads its header row, returning the data rows as an iterator.
///
/// Errors about the file as a whole (not text, empty, no or bad header row) come back here. Each data
/// row then comes back as `Ok(row)` or as the error for that row ([`TabularError::RowTooLong`]);
/// iteration goes on after a row error, so a caller can report every bad row at once. After
/// [`TabularError::UnclosedQuote`] there is nothing left to read and the iterator ends.
///
/// The rows borrow the bytes when they are UTF-8; a GBK file is decoded into one new string first.
pub fn read_csv_iter(bytes: &[u8]) -> Result<CsvRows<'_>, TabularError> {
    if bytes.starts_with(OLE_MAGIC) {
        return Err(TabularError::OldExcelFormat);
    }
    if looks_binary(bytes) && !bytes.starts_with(b"\xFF\xFE") && !bytes.starts_with(b"\xFE\xFF") {
        return Err(TabularError::NotSpreadsheet);
    }
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(TabularError::EmptyFile);
    }
    let mut parser = Parser { text, pos: 0, next_row: 1, width: 8 };
    loop {
        let Some((number, mut cells)) = parser.next_record()? else {
            return Err(TabularError::NoHeaderRow);
        };
        if shape::is_blank(&cells) {
            continue;
        }
        cells.iter_mut().for_each(restore_in_place);
        let headers = shape::headers(number, cells)?;
        parser.width = headers.len();
        return Ok(CsvRows { parser, headers });
    }
}

/// The data rows of a CSV file, one at a time; see [`read_csv_iter`].
#[derive(Debug)]
pub struct CsvRows<'a> {
    parser: Parser<'a>,
    headers: Vec<String>,
}

impl CsvRows<'_> {
    /// The header row: trimmed, none empty, none repeated.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }
}

impl Iterator for CsvRows<'_> {
    type Item = Result<Row, TabularError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.parser.next_record() {
                Err(e) => return Some(Err(e)),
                Ok(None) => return None,
                Ok(Some((_, cells))) if shape::is_blank(&cells) => continue,
                Ok(Some((number, mut cells))) => {
                    cells.iter_mut().for_each(restore_in_place);
                    return Some(shape::data_row(number, cells, self.headers.len()));
                }
            }
        }
    }
}

/// UTF-8 (BOM dropped) when valid, else GB18030; anything else is unreadable.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, TabularError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(TabularError::Unreadable {
            detail: "UTF-16 text (Excel \"Unicode text\"); save as \"CSV UTF-8\" instead".to_owned(),
        });
    }
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return std::str::from_utf8(rest).map(Cow::Borrowed).map_err(|e| TabularError::Unreadable {
            detail: format!("invalid UTF-8 at byte {} after a UTF-8 byte-order mark", e.valid_up_to() + 3),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).ok_or_else(|| {
            TabularError::Unreadable {
                detail: format!("neither UTF-8 (invalid at byte {}) nor GB18030/GBK text", e.valid_up_to()),
            }
        }),
    }
}

/// Splits decoded text into records, counting rows as a spreadsheet does: every line break outside
/// a quoted cell ends a row, blank lines included.
#[derive(Debug)]
struct Parser<'a> {
    text: Cow<'a, str>,
    /// Byte offset of the next record.
    pos: usize,
    /// The row number of the next record.
    next_row: usize,
    /// How many cells to expect, to size each record's vector.
    width: usize,
}

impl Parser<'_> {
    /// The next record with its row number, `None` at the end of the text.
    fn next_record(&mut self) -> Result<Option<(usize, Vec<String>)>, TabularError> {
        let text: &str = &self.text;
        let bytes = text.as_bytes();
        if self.pos >= bytes.len() {
            return Ok(None);
        }
        let number = self.next_row;
        let mut cells = Vec::with_capacity(self.width);
        let mut pos = self.pos;
        loop {
            // All the delimiters are ASCII, so every offset used to slice is a char boundary.
            if bytes.get(pos) == Some(&b'"') {
                let mut cell = String::new();
                let mut i = pos + 1;
                loop {
                    let Some(quote) = bytes[i..].iter().position(|&b| b == b'"') else {
                        self.pos = bytes.len();
                        return Err(TabularError::UnclosedQuote { row: number });
                    };
                    cell.push_str(&text[i..i + quote]);
                    i += quote + 1;
                    if bytes.get(i) == Some(&b'"') {
                        cell.push('"');
                        i += 1;
                    } else {
                        break;
                    }
                }
                let end = cell_end(bytes, i);
                cell.push_str(&text[i..end]);
                cells.push(cell);
                pos = end;
            } else {
                let end = cell_end(bytes, pos);
                cells.push(text[pos..end].to_owned());
                pos = end;
            }
            match bytes.get(pos) {
                Some(b',') => pos += 1,
                Some(b'\r') => {
                    pos += if bytes.get(pos + 1) == Some(&b'\n') { 2 } else { 1 };
                    break;
                }
                Some(b'\n') => {
                    pos += 1;
                    break;
                }
                _ => break,
            }
        }
        self.pos = pos;
        self.next_row += 1;
        Ok(Some((number, cells)))
    }
}

/// The offset of the comma or line break that ends an unquoted cell starting at `from`.
fn cell_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| matches!(b, b',' | b'\n' | b'\r')).map_or(bytes.len(), |i| from + i)
}

/// True for the characters after which a leading `'` is one the writer added.
fn is_guarded_start(b: u8) -> bool {
    matches!(b, b'\'' | b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
}

/// `-` followed by digits, optionally `.` and more digits.
fn is_plain_negative_number(cell: &str) -> bool {
    let Some(rest) = cell.strip_prefix('-') else {
        return false;
    };
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, "1"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// Guards a cell against formula injection for CSV export; see the [module docs](self) for the rule.
///
/// `=SUM(A1)` becomes `'=SUM(A1)`, `'abc` becomes `''abc`, `-3` and `张三` are unchanged.
/// [`restore_formula`] undoes exactly this.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    let guard = match cell.as_bytes().first() {
        Some(b'\'' | b'=' | b'+' | b'@' | b'\t' | b'\r') => true,
        Some(b'-') => !is_plain_negative_number(cell),
        _ => false,
    };
    if guard { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// Removes the apostrophe [`neutralise_formula`] adds: a leading `'` followed by `'`, `=`, `+`, `-`,
/// `@`, tab or CR. Other text is returned unchanged.
pub fn restore_formula(cell: &str) -> &str {
    match cell.as_bytes() {
        [b'\'', next, ..] if is_guarded_start(*next) => &cell[1..],
        _ => cell,
    }
}

fn restore_in_place(cell: &mut String) {
    if restore_formula(cell).len() != cell.len() {
        cell.remove(0);
    }
}

/// Appends one CSV line (guarded, quoted where needed, CRLF-terminated) to `out`.
fn encode_line<I, C>(out: &mut Vec<u8>, cells: I)
where
    I: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let cell = neutralise_formula(cell.as_ref());
        let needs_quotes = cell.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
            || cell.starts_with([' ', '\t'])
            || cell.ends_with([' ', '\t']);
        if needs_quotes {
            out.push(b'"');
            for part in cell.split_inclusive('"') {
                out.extend_from_slice(part.as_bytes());
                if part.ends_with('"') {
                    out.push(b'"');
                }
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(cell.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// Writes a whole CSV file: UTF-8 with BOM, the header line, then one line per row, guarded against
/// formula injection (see the [module docs](self)).
///
/// Rows whose cells are all empty are written but are skipped when read back.
pub fn write_csv<H, R, C>(headers: &[H], rows: impl IntoIterator<Item = R>) -> Vec<u8>
where
    H: AsRef<str>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(UTF8_BOM);
    encode_line(&mut out, headers);
    for row in rows {
        encode_line(&mut out, row);
    }
    out
}

/// Writes a CSV file row by row to any [`Write`] (a file, a response body), as [`write_csv`] does.
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> CsvWriter<W> {
    /// Starts the file: writes the byte-order mark and the header line.
    pub fn new<H: AsRef<str>>(mut out: W, headers: &[H]) -> Result<Self, TabularError> {
        let mut line = Vec::with_capacity(1024);
        line.extend_from_slice(UTF8_BOM);
        encode_line(&mut line, headers);
        out.write_all(&line).map_err(write_error)?;
        line.clear();
        Ok(Self { out, line })
    }

    /// Writes one row.
    pub fn write_row<R, C>(&mut self, cells: R) -> Result<(), TabularError>
    where
        R: IntoIterator<Item = C>,
        C: AsRef<str>,
    {
        self.line.clear();
        encode_line(&mut self.line, cells);
        self.out.write_all(&self.line).map_err(write_error)
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> Result<W, TabularError> {
        self.out.flush().map_err(write_error)?;
        Ok(self.out)
    }
}

fn write_error(e: std::io::Error) -> TabularError {
    TabularError::Write { detail: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bytes: &[u8]) -> Table {
        match read_csv(bytes) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    fn cells(t: &Table) -> Vec<(usize, Vec<&str>)> {
        t.rows.iter().map(|r| (r.number, r.cells.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn quoted_cells_blank_lines_and_row_numbers() {
        let t = table(
            b"\xEF\xBB\xBF name , note ,\r\n\r\n\"Zhang, San\",\"line 1\nline 2\"\r\n,\r\n\"a\"\"b\"x,\r\nlast,\n",
        );
        assert_eq!(t.headers, ["name", "note"]);
        // Row 2 is blank, row 3 holds a line break (one spreadsheet row), row 4 is ",", all empty.
        assert_eq!(
            cells(&t),
            vec![(3, vec!["Zhang, San", "line 1\nline 2"]), (5, vec!["a\"bx", ""]), (6, vec!["last", ""])]
        );
    }

    #[test]
    fn leading_blank_lines_count_towards_row_numbers() {
        let t = table(b"\n\nid,name\n1,a\r2,b");
        assert_eq!(cells(&t), vec![(4, vec!["1", "a"]), (5, vec!["2", "b"])]);
    }

    #[test]
    fn gbk_files_as_saved_by_chinese_excel_are_read() {
        let text = "姓名,身份证号,住址\r\n张三,11010119900307123X,\"北京市东城区, 1号\"\r\n";
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&gbk).is_err(), "the fixture must really be GBK");
        let t = table(&gbk);
        assert_eq!(t.headers, ["姓名", "身份证号", "住址"]);
        assert_eq!(cells(&t), vec![(2, vec!["张三", "11010119900307123X", "北京市东城区, 1号"])]);
    }

    #[test]
    fn errors_name_the_row() {
        let err = read_csv(b"a,b\n1,2\n3,4,5\n").err();
        assert_eq!(err, Some(TabularError::RowTooLong { row: 3, column: 3, headers: 2 }));
        let err = read_csv(b"a,b\n1,2\n\"3,4\n5,6\n").err();
        assert_eq!(err, Some(TabularError::UnclosedQuote { row: 3 }));
        assert_eq!(
            read_csv(b"a,b,a\n").err(),
            Some(TabularError::DuplicateHeader { row: 1, name: "a".into(), first: 1, second: 3 })
        );
        assert_eq!(read_csv(b"\n,,\n a , ,b\n").err(), Some(TabularError::BlankHeader { row: 3, column: 2 }));
    }

    #[test]
    fn the_iterator_reports_every_bad_row_and_goes_on() {
        let rows = read_csv_iter(b"a\n1\n2,x\n3\n4,,y\n").map(|r| r.collect::<Vec<_>>()).unwrap_or_default();
        let summary: Vec<Result<usize, TabularError>> = rows.into_iter().map(|r| r.map(|r| r.number)).collect();
        assert_eq!(
            summary,
            vec![
                Ok(2),
                Err(TabularError::RowTooLong { row: 3, column: 2, headers: 1 }),
                Ok(4),
                Err(TabularError::RowTooLong { row: 5, column: 3, headers: 1 }),
            ]
        );
    }

    #[test]
    fn empty_and_non_text_files_are_refused() {
        assert_eq!(read_csv(b"").err(), Some(TabularError::EmptyFile));
        assert_eq!(read_csv(b"\xEF\xBB\xBF \r\n\n").err(), Some(TabularError::EmptyFile));
        assert_eq!(read_csv(b",,\n,\n").err(), Some(TabularError::NoHeaderRow));
        assert_eq!(read_csv(b"\x89PNG\r\n").err(), Some(TabularError::NotSpreadsheet));
        assert!(matches!(read_csv(b"\xFF\xFEa\0"), Err(TabularError::Unreadable { .. })));
        assert!(matches!(read_csv(b"a,b\n\xFF\xFF\n"), Err(TabularError::Unreadable { .. })));
    }

    #[test]
    fn header_only_files_have_no_rows() {
        let t = table("姓名,电话\r\n".as_bytes());
        assert_eq!(t.headers, ["姓名", "电话"]);
        assert!(t.rows.is_empty());
    }

    #[test]
    fn the_formula_guard() {
        for (plain, guarded) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+86 138", "'+86 138"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("-1+2", "'-1+2"),
            ("-", "'-"),
            ("'abc", "''abc"),
            ("'=x", "''=x"),
            ("-3", "-3"),
            ("-0.5", "-0.5"),
            ("3-", "3-"),
            ("张=三", "张=三"),
            ("", ""),
        ] {
            assert_eq!(neutralise_formula(plain), guarded, "{plain:?}");
            assert_eq!(restore_formula(guarded), plain, "{guarded:?}");
        }
        // Typed by a person: the spreadsheet's meaning of the apostrophe.
        assert_eq!(restore_formula("'abc"), "'abc");
        assert_eq!(restore_formula("'"), "'");
    }

    #[test]
    fn written_csv_is_quoted_and_guarded() {
        let out = write_csv(&["姓名", "备注"], [["张三", "a,\"b\""], [" x", "=1+1"], ["-3", "-x"]]);
        let expected = "\u{feff}姓名,备注\r\n张三,\"a,\"\"b\"\"\"\r\n\" x\",'=1+1\r\n-3,'-x\r\n";
        assert_eq!(String::from_utf8_lossy(&out), expected);
    }

    #[test]
    fn the_streaming_writer_writes_what_write_csv_writes() {
        let rows = [["1", "'a"], ["", "x\ny"]];
        let result = CsvWriter::new(Vec::new(), &["h1", "h2"]).and_then(|mut w| {
            for row in rows {
                w.write_row(row)?;
            }
            w.finish()
        });
        assert_eq!(result.ok(), Some(write_csv(&["h1", "h2"], rows)));
    }
}
