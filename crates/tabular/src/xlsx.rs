//! XLSX: reading the first (or a named) worksheet as text, and writing one worksheet of text.
//!
//! **Reading** (calamine, streaming the sheet's XML cell by cell, so no grid of the whole sheet is
//! built). Without a name the sheet read is the first visible worksheet, else the first worksheet.
//! Every cell becomes the text a user sees or typed:
//!
//! - text cells as stored, never trimmed (a cell typed as `'0012` is stored as `0012`);
//! - whole numbers without `.0` (`12`, `-3`), other numbers rounded to Excel's 15 significant
//!   digits and written out without exponent (`0.1`, not `0.1000000000000000055`);
//! - a whole number with more than 15 digits is [`TabularError::NumberTooLong`]: Excel keeps only 15
//!   significant digits, so an identity number typed into a number cell has already lost its last
//!   digits and must be re-entered as text; it is never silently turned into a wrong number;
//! - dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DD HH:MM:SS`, times as `HH:MM:SS` (to the nearest
//!   second, 1900 and 1904 date systems), durations as `H:MM:SS`;
//! - booleans as `TRUE` / `FALSE`, error values as Excel shows them (`#N/A`), formulas as their
//!   last computed value, empty cells as `""`.
//!
//! Number formats that only change the display (`000000` padding, thousands separators) are not
//! applied: such a cell reads as its plain number.
//!
//! **Writing** (rust_xlsxwriter in constant-memory mode: each row goes to a temporary file as it is
//! written, so memory stays flat for a million rows). Every cell is a text cell in a text-formatted
//! (`@`) column, so `0012`, identity numbers and `=SUM(A1)` stay text even when a user edits them,
//! and no formula guard is needed. The header row is bold, frozen and has an autofilter; columns are
//! as wide as their header and the first 1,000 rows need (Chinese characters count double), between
//! 8 and 60 characters.

use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType, Reader, SheetType, SheetVisible, Xlsx, XlsxCellReader};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError as WriteError};

use crate::shape;
use crate::{OLE_MAGIC, Row, Table, TabularError, ZIP_MAGIC};

/// The most data rows one worksheet holds: Excel's 1,048,576 rows less the header row.
pub const MAX_DATA_ROWS: usize = 1_048_575;

/// How many data rows [`XlsxWriter`] looks at to size the columns.
const WIDTH_SAMPLE_ROWS: u32 = 1_000;

/// Reads a whole worksheet into a [`Table`], stopping at the first error.
///
/// `sheet` names the worksheet; `None` reads the first visible one.
pub fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<Table, TabularError> {
    let mut book = XlsxBook::open(bytes)?;
    let rows = book.rows(sheet)?;
    let headers = rows.headers.clone();
    let rows = rows.collect::<Result<Vec<Row>, TabularError>>()?;
    Ok(Table { headers, rows })
}

/// An opened XLSX workbook, to list its worksheets and read one row by row.
pub struct XlsxBook<'a> {
    book: Xlsx<Cursor<&'a [u8]>>,
}

impl std::fmt::Debug for XlsxBook<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxBook").field("sheets", &self.sheet_names()).finish()
    }
}

impl<'a> XlsxBook<'a> {
    /// Opens the workbook: reads its directory, shared strings and styles, not yet any sheet.
    pub fn open(bytes: &'a [u8]) -> Result<Self, TabularError> {
        if bytes.is_empty() {
            return Err(TabularError::EmptyFile);
        }
        if bytes.starts_with(OLE_MAGIC) {
            return Err(TabularError::OldExcelFormat);
        }
        if !bytes.starts_with(ZIP_MAGIC) {
            return Err(TabularError::NotSpreadsheet);
        }
        let book = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsxError::Password => TabularError::OldExcelFormat,
            // A ZIP without a workbook in it: a .docx, a .zip of photos.
            calamine::XlsxError::FileNotFound(_) | calamine::XlsxError::RelationshipNotFound => {
                TabularError::NotSpreadsheet
            }
            other => unreadable(&other),
        })?;
        Ok(Self { book })
    }

    /// The names of the workbook's worksheets (not chart sheets), in tab order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.book.sheets_metadata().iter().filter(|s| s.typ == SheetType::WorkSheet).map(|s| s.name.clone()).collect()
    }

    /// Reads the header row of a worksheet and returns its data rows as an iterator.
    ///
    /// `sheet` names the worksheet; `None` takes the first visible worksheet. Errors about the sheet
    /// as a whole (missing, empty, bad header row) come back here. Each data row then comes back as
    /// `Ok(row)` or as the error for that row ([`TabularError::RowTooLong`],
    /// [`TabularError::NumberTooLong`]); iteration goes on after a row error. A damaged sheet is
    /// [`TabularError::Unreadable`], after which the iterator ends.
    pub fn rows(&mut self, sheet: Option<&str>) -> Result<XlsxRows<'_, 'a>, TabularError> {
        let worksheets = || self.book.sheets_metadata().iter().filter(|s| s.typ == SheetType::WorkSheet);
        let name = match sheet {
            Some(wanted) => worksheets()
                .find(|s| s.name == wanted)
                .ok_or_else(|| TabularError::SheetNotFound { name: wanted.to_owned() })?,
            None => worksheets()
                .find(|s| s.visible == SheetVisible::Visible)
                .or_else(|| worksheets().next())
                .ok_or(TabularError::EmptyFile)?,
        }
        .name
        .clone();
        let is_1904 = self.book.has_1904_epoch();
        let cells = self.book.worksheet_cells_reader(&name).map_err(|e| unreadable(&e))?;
        let mut rows = XlsxRows { cells, is_1904, headers: Vec::new(), pending: None, done: false };
        // Blank rows never come back from `next_raw_row`, so this is the first non-blank row.
        let Some((number, cells)) = rows.next_raw_row()? else {
            return Err(TabularError::EmptyFile);
        };
        rows.headers = shape::headers(number, cells?)?;
        Ok(rows)
    }
}

/// The data rows of one worksheet, one at a time; see [`XlsxBook::rows`].
pub struct XlsxRows<'b, 'a> {
    cells: XlsxCellReader<'b, Cursor<&'a [u8]>>,
    is_1904: bool,
    headers: Vec<String>,
    /// The first non-empty cell of the next row, read while looking for the end of the current one:
    /// (0-based row, 0-based column, text).
    pending: Option<(u32, u32, Result<String, TabularError>)>,
    done: bool,
}

impl std::fmt::Debug for XlsxRows<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxRows").field("headers", &self.headers).field("done", &self.done).finish()
    }
}

/// A row's number and its cells, or the first error among its cells.
type RawRow = (usize, Result<Vec<String>, TabularError>);

impl XlsxRows<'_, '_> {
    /// The header row: trimmed, none empty, none repeated.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The next row holding any non-empty cell, with its 1-based number; `Err` only when the sheet's
    /// XML is damaged.
    fn next_raw_row(&mut self) -> Result<Option<RawRow>, TabularError> {
        let mut current: Option<u32> = None;
        let mut cells: Vec<String> = Vec::with_capacity(self.headers.len());
        let mut first_error: Option<TabularError> = None;
        let mut place = |column: u32, text: Result<String, TabularError>| match text {
            Ok(text) => {
                let column = column as usize;
                if column >= cells.len() {
                    cells.resize(column + 1, String::new());
                }
                cells[column] = text;
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        };
        if let Some((row, column, text)) = self.pending.take() {
            current = Some(row);
            place(column, text);
        }
        while !self.done {
            let cell = match self.cells.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    self.done = true;
                    return Err(unreadable(&e));
                }
            };
            let (row, column) = cell.get_position();
            let text = cell_text(cell.get_value(), row, column, self.is_1904);
            if text.as_ref().is_ok_and(String::is_empty) {
                continue;
            }
            match current {
                None => current = Some(row),
                Some(now) if row == now => {}
                Some(now) if row > now => {
                    self.pending = Some((row, column, text));
                    break;
                }
                Some(now) => {
                    self.done = true;
                    return Err(TabularError::Unreadable {
                        detail: format!("worksheet rows out of order: row {} after row {}", row + 1, now + 1),
                    });
                }
            }
            place(column, text);
        }
        Ok(current.map(|row| (row as usize + 1, first_error.map_or(Ok(cells), Err))))
    }
}

impl Iterator for XlsxRows<'_, '_> {
    type Item = Result<Row, TabularError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_raw_row() {
            Err(e) => Some(Err(e)),
            Ok(None) => None,
            Ok(Some((number, cells))) => {
                Some(cells.and_then(|cells| shape::data_row(number, cells, self.headers.len())))
            }
        }
    }
}

fn unreadable(e: &calamine::XlsxError) -> TabularError {
    TabularError::Unreadable { detail: e.to_string() }
}

/// The text a user sees for a cell; `row` and `column` are 0-based, for the error.
fn cell_text(value: &DataRef<'_>, row: u32, column: u32, is_1904: bool) -> Result<String, TabularError> {
    Ok(match value {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => {
            return number_text(*f).ok_or_else(|| TabularError::NumberTooLong {
                row: row as usize + 1,
                column: column as usize + 1,
                shown: excel_scientific(*f),
            });
        }
        DataRef::Bool(true) => "TRUE".to_owned(),
        DataRef::Bool(false) => "FALSE".to_owned(),
        DataRef::DateTime(dt) => datetime_text(dt, is_1904),
        DataRef::DateTimeIso(s) => match s.strip_suffix("T00:00:00") {
            Some(date) => date.to_owned(),
            None => s.replacen('T', " ", 1),
        },
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    })
}

/// Excel's significant digits: what it keeps of a typed number and what it shows.
const EXCEL_DIGITS: usize = 15;

/// A number as Excel shows it in a General cell, or `None` for a whole number of more than 15 digits
/// (whose last digits Excel has already dropped).
fn number_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return Some(f.to_string());
    }
    // Round to 15 significant digits the way Excel displays, then print the shortest exact form.
    let rounded = format!("{f:.prec$e}", prec = EXCEL_DIGITS - 1).parse::<f64>().unwrap_or(f);
    if rounded.fract() == 0.0 {
        // 1e15 is the smallest 16-digit number; below it the cast is exact.
        if rounded.abs() >= 1e15 {
            return None;
        }
        return Some(format!("{}", rounded as i64));
    }
    Some(format!("{rounded}"))
}

/// A number in Excel's scientific notation with 15 significant digits: `1.10101199003071E+17`.
fn excel_scientific(f: f64) -> String {
    let s = format!("{f:.prec$E}", prec = EXCEL_DIGITS - 1);
    let (mantissa, exponent) = s.split_once('E').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    match exponent.strip_prefix('-') {
        Some(e) => format!("{mantissa}E-{e:0>2}"),
        None => format!("{mantissa}E+{exponent:0>2}"),
    }
}

/// A date, date-time, time or duration cell as text, to the nearest second.
fn datetime_text(dt: &ExcelDateTime, is_1904: bool) -> String {
    let serial = dt.as_f64();
    let seconds = (serial * 86_400.0).round();
    if dt.is_duration() {
        let sign = if seconds < 0.0 { "-" } else { "" };
        let s = seconds.abs() as u64;
        return format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    }
    let of_day = seconds.rem_euclid(86_400.0) as u64;
    let (hh, mm, ss) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    if (0.0..1.0).contains(&serial) {
        return format!("{hh:02}:{mm:02}:{ss:02}");
    }
    // Half a second into the rounded second, so calamine's truncation lands on the right day.
    let nudged = ExcelDateTime::new((seconds + 0.5) / 86_400.0, ExcelDateTimeType::DateTime, is_1904);
    let (y, m, d, ..) = nudged.to_ymd_hms_milli();
    if of_day == 0 { format!("{y:04}-{m:02}-{d:02}") } else { format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}") }
}

/// Writes a whole one-sheet XLSX file: a bold frozen header row, then every row, all cells as text.
///
/// The sheet name is made acceptable to Excel (see [`XlsxWriter::new`]). More than [`MAX_DATA_ROWS`]
/// rows is [`TabularError::TooManyRows`]; a cell over 32,767 characters is
/// [`TabularError::CellTooLong`].
pub fn write_xlsx<H, R, C>(
    sheet_name: &str,
    headers: &[H],
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>, TabularError>
where
    H: AsRef<str>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut writer = XlsxWriter::new(sheet_name, headers)?;
    for row in rows {
        writer.write_row(row)?;
    }
    writer.finish()
}

/// Writes a one-sheet XLSX file row by row in constant memory; see the [module docs](self).
pub struct XlsxWriter {
    book: Workbook,
    text: Format,
    /// The 0-based sheet row the next data row goes to (the header is row 0).
    next_row: u32,
    /// Display width, in characters, of the widest cell seen in each column.
    widths: Vec<usize>,
}

impl std::fmt::Debug for XlsxWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxWriter").field("next_row", &self.next_row).field("columns", &self.widths.len()).finish()
    }
}

impl XlsxWriter {
    /// Starts a workbook with one worksheet and writes its header row.
    ///
    /// Excel's sheet-name rules are applied rather than refused: `[ ] : * ? / \` become `_`, leading
    /// and trailing apostrophes are dropped, the name is cut to 31 characters, and an empty or
    /// reserved name becomes `Sheet1`.
    pub fn new<H: AsRef<str>>(sheet_name: &str, headers: &[H]) -> Result<Self, TabularError> {
        let mut book = Workbook::new();
        let text = Format::new().set_num_format("@");
        let header = Format::new()
            .set_bold()
            .set_num_format("@")
            .set_background_color(Color::RGB(0xF2_F2_F2))
            .set_border_bottom(FormatBorder::Thin);
        let sheet = book.add_worksheet_with_constant_memory().map_err(|e| write_error(&e))?;
        // A name the sanitiser lets through can still be reserved ("History"): keep "Sheet1" then.
        let _ = sheet.set_name(sheet_name_for_excel(sheet_name));
        sheet.set_freeze_panes(1, 0).map_err(|e| write_error(&e))?;
        let mut widths = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            let h = h.as_ref();
            widths.push(display_width(h) + 2);
            if !h.is_empty() {
                sheet.write_string_with_format(0, column_number(i)?, h, &header).map_err(|e| cell_error(e, 1, i))?;
            }
        }
        Ok(Self { book, text, next_row: 1, widths })
    }

    /// Writes one data row.
    pub fn write_row<R, C>(&mut self, cells: R) -> Result<(), TabularError>
    where
        R: IntoIterator<Item = C>,
        C: AsRef<str>,
    {
        if self.next_row as usize > MAX_DATA_ROWS {
            return Err(TabularError::TooManyRows { limit: MAX_DATA_ROWS });
        }
        let row = self.next_row;
        let sample = row <= WIDTH_SAMPLE_ROWS;
        let sheet = self.book.worksheet_from_index(0).map_err(|e| write_error(&e))?;
        for (i, cell) in cells.into_iter().enumerate() {
            let cell = cell.as_ref();
            if cell.is_empty() {
                continue;
            }
            sheet
                .write_string_with_format(row, column_number(i)?, cell, &self.text)
                .map_err(|e| cell_error(e, row as usize + 1, i))?;
            if sample {
                if i >= self.widths.len() {
                    self.widths.resize(i + 1, 0);
                }
                self.widths[i] = self.widths[i].max(display_width(cell));
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Sizes the columns, adds the autofilter and returns the bytes of the `.xlsx` file.
    pub fn finish(mut self) -> Result<Vec<u8>, TabularError> {
        let sheet = self.book.worksheet_from_index(0).map_err(|e| write_error(&e))?;
        for (i, width) in self.widths.iter().enumerate() {
            let column = column_number(i)?;
            sheet.set_column_width(column, (*width).clamp(8, 60) as f64).map_err(|e| write_error(&e))?;
            sheet.set_column_format(column, &self.text).map_err(|e| write_error(&e))?;
        }
        if let Some(last) = self.widths.len().checked_sub(1) {
            sheet.autofilter(0, 0, self.next_row - 1, column_number(last)?).map_err(|e| write_error(&e))?;
        }
        self.book.save_to_buffer().map_err(|e| write_error(&e))
    }
}

/// The spreadsheet column for a 0-based index, refusing what Excel cannot hold (16,384 columns).
fn column_number(index: usize) -> Result<u16, TabularError> {
    u16::try_from(index).ok().filter(|&c| c < 16_384).ok_or_else(|| TabularError::Write {
        detail: format!("column {} is beyond the 16,384 columns of a worksheet", index + 1),
    })
}

fn write_error(e: &WriteError) -> TabularError {
    TabularError::Write { detail: e.to_string() }
}

/// A failed cell write: too long is the user's problem and names the cell, the rest is ours.
fn cell_error(e: WriteError, row: usize, index: usize) -> TabularError {
    match e {
        WriteError::MaxStringLengthExceeded => TabularError::CellTooLong { row, column: index + 1 },
        other => write_error(&other),
    }
}

/// A sheet name Excel accepts, made from any text.
pub(crate) fn sheet_name_for_excel(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let cleaned = cleaned.trim_matches('\'');
    let mut out = String::new();
    let mut units = 0;
    for c in cleaned.chars() {
        units += c.len_utf16();
        if units > 31 {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end_matches('\'');
    if out.trim().is_empty() { "Sheet1".to_owned() } else { out.to_owned() }
}

/// The width of text in a spreadsheet column, in characters: East Asian wide characters count two;
/// for text with line breaks, the longest line.
fn display_width(text: &str) -> usize {
    text.lines().map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()).max().unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(12.0).as_deref(), Some("12"));
        assert_eq!(number_text(-3.0).as_deref(), Some("-3"));
        assert_eq!(number_text(0.1).as_deref(), Some("0.1"));
        assert_eq!(number_text(0.1 + 0.2).as_deref(), Some("0.3"));
        assert_eq!(number_text(1234.5).as_deref(), Some("1234.5"));
        assert_eq!(number_text(1e-7).as_deref(), Some("0.0000001"));
        assert_eq!(number_text(999_999_999_999_999.0).as_deref(), Some("999999999999999"));
        assert_eq!(number_text(1e15), None);
        assert_eq!(number_text(110_101_199_003_071_234.0), None);
        assert_eq!(excel_scientific(110_101_199_003_071_234.0), "1.10101199003071E+17");
        assert_eq!(excel_scientific(1e15), "1E+15");
    }

    #[test]
    fn dates_times_and_durations() {
        let dt = |v: f64| ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&dt(45_352.0), false), "2024-03-01");
        assert_eq!(datetime_text(&dt(45_352.5), false), "2024-03-01 12:00:00");
        // 23:59:59.9999 rounds into the next day, not to 23:59:59 of this one.
        assert_eq!(datetime_text(&dt(45_352.0 + 0.999_999_9), false), "2024-03-02");
        assert_eq!(datetime_text(&dt(0.354_166_666_666_666_7), false), "08:30:00");
        assert_eq!(datetime_text(&dt(1.0), false), "1900-01-01");
        assert_eq!(datetime_text(&ExcelDateTime::new(0.0, ExcelDateTimeType::DateTime, true), true), "00:00:00");
        assert_eq!(datetime_text(&ExcelDateTime::new(43_890.0, ExcelDateTimeType::DateTime, true), true), "2024-03-01");
        let duration = ExcelDateTime::new(1.5 + 1.0 / 86_400.0, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(datetime_text(&duration, false), "36:00:01");
    }

    #[test]
    fn sheet_names_are_made_acceptable() {
        assert_eq!(sheet_name_for_excel("实有人口 2026/11"), "实有人口 2026_11");
        assert_eq!(sheet_name_for_excel("'x'"), "x");
        assert_eq!(sheet_name_for_excel(""), "Sheet1");
        assert_eq!(sheet_name_for_excel(&"长".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn chinese_counts_double_in_column_widths() {
        assert_eq!(display_width("张三"), 4);
        assert_eq!(display_width("ab\n张三丰"), 6);
        assert_eq!(display_width(""), 0);
    }
}
