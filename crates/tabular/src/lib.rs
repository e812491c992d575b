//! Table files for import and export: CSV and XLSX in, CSV and XLSX out.
//!
//! This crate owns the file formats and nothing else. Reading turns the bytes a user uploaded into a
//! [`Table`]: a header row and data rows of text cells, each row carrying the number the user sees in
//! Excel or WPS, so that whoever maps rows to residents, houses or organisations can say "第 12 行：…"
//! and mean the right line. Writing turns headers and rows of text into a CSV or XLSX file that opens
//! correctly in Chinese Excel. It knows nothing about residents, cases or validation of values; a
//! structural problem with the file itself (not a spreadsheet, no header row, duplicate header, a row
//! longer than the header, an identity number already truncated by Excel) is a [`TabularError`] with a
//! message in Chinese and in English that names the row.
//!
//! Rules that hold for both formats:
//! - The header row is the first row with any value; header cells are trimmed, empty trailing header
//!   cells are ignored, an empty header before the last one or a repeated header is an error.
//! - Rows whose cells are all empty are skipped but still counted, so numbers stay those of the sheet.
//! - Data cells are never trimmed: a cell is text exactly as it was typed. Short rows are padded with
//!   empty cells; a value beyond the last header is [`TabularError::RowTooLong`].
//! - Every cell is text. XLSX numbers and dates are turned into the text Excel shows for them
//!   (see [`xlsx`]); XLSX export writes every cell as text so `0012` and identity numbers survive.
//! - CSV export guards against formula injection and CSV import undoes exactly that guard, so a
//!   write followed by a read gives back the same cells (see [`neutralise_formula`]).
//!
//! [`read`] reads a whole file into memory; [`read_csv_iter`] and [`XlsxBook::rows`] yield rows one at a
//! time for very large files, and [`CsvWriter`] and [`XlsxWriter`] write them one at a time.

#![warn(missing_docs)]

pub mod csv;
mod error;
pub mod report;
#[cfg(test)]
mod round_trip_tests;
mod shape;
pub mod xlsx;

pub use crate::csv::{CsvRows, CsvWriter, neutralise_formula, read_csv, read_csv_iter, restore_formula, write_csv};
pub use crate::error::{TabularError, column_letters};
pub use crate::xlsx::{XlsxBook, XlsxRows, XlsxWriter, read_xlsx, write_xlsx};

/// The two table file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values, UTF-8 (with or without BOM) or GB18030/GBK.
    Csv,
    /// Office Open XML workbook (Excel 2007 and later, WPS).
    Xlsx,
}

/// The first bytes of every ZIP archive, so of every XLSX file.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The first bytes of an OLE compound file: old .xls workbooks and encrypted .xlsx files.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Magic numbers of files people upload by mistake: PDF, PNG, JPEG, GIF, RAR, 7z, gzip.
const OTHER_MAGICS: &[&[u8]] = &[b"%PDF", b"\x89PNG", b"\xFF\xD8\xFF", b"GIF8", b"Rar!", b"7z\xBC\xAF", b"\x1F\x8B"];

impl Format {
    /// The format a file name claims by its extension (`.csv`, `.xlsx`, any case), if any.
    pub fn from_name(name: &str) -> Option<Format> {
        let (_, extension) = name.rsplit_once('.')?;
        if extension.eq_ignore_ascii_case("csv") {
            Some(Format::Csv)
        } else if extension.eq_ignore_ascii_case("xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// The format of a file from its content and, when given, its name.
    ///
    /// The content decides: bytes starting `PK\x03\x04` are XLSX whatever the name says, an OLE file
    /// is [`TabularError::OldExcelFormat`], a known non-table file (PDF, picture, archive) or bytes with
    /// NUL in them are [`TabularError::NotSpreadsheet`], and other text is CSV, except that a name
    /// ending `.xlsx` on non-ZIP bytes is refused as not a spreadsheet and `.xls` as an old workbook
    /// (many systems save HTML under that name).
    pub fn detect(name: Option<&str>, bytes: &[u8]) -> Result<Format, TabularError> {
        if bytes.is_empty() {
            return Err(TabularError::EmptyFile);
        }
        if bytes.starts_with(ZIP_MAGIC) {
            return Ok(Format::Xlsx);
        }
        if bytes.starts_with(OLE_MAGIC) {
            return Err(TabularError::OldExcelFormat);
        }
        if let Some(name) = name {
            if Format::from_name(name) == Some(Format::Xlsx) {
                return Err(TabularError::NotSpreadsheet);
            }
            if name.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("xls")) {
                return Err(TabularError::OldExcelFormat);
            }
        }
        if looks_binary(bytes) {
            return Err(TabularError::NotSpreadsheet);
        }
        Ok(Format::Csv)
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type to send with a file of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// True for bytes that cannot be a text CSV: a known binary magic number or a NUL byte early on.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
        || bytes.starts_with(OLE_MAGIC)
        || OTHER_MAGICS.iter().any(|m| bytes.starts_with(m))
        || bytes.iter().take(8192).any(|&b| b == 0)
}

/// A table read from a file: its header row and its non-blank data rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The header cells, trimmed, none empty, none repeated.
    pub headers: Vec<String>,
    /// The data rows in file order, each exactly `headers.len()` cells wide.
    pub rows: Vec<Row>,
}

impl Table {
    /// The 0-based index of the column with this header, if there is one.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }
}

/// One data row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row number a user sees in Excel or WPS, 1-based, the header row being row 1 when it is the
    /// first line. Blank rows count. For a CSV without line breaks inside cells it is also the line
    /// number in a text editor; a cell with line breaks makes the editor's count run ahead.
    pub number: usize,
    /// The cells, as many as there are headers, as text exactly as typed (never trimmed).
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in the 0-based column `index`, or `""` past the end.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

/// Reads a whole table from the bytes of a file in `format` (XLSX: the first visible worksheet).
///
/// Stops at the first error. To collect every row's error, or to avoid holding every row in memory,
/// iterate with [`read_csv_iter`] or [`XlsxBook::rows`] instead.
pub fn read(format: Format, bytes: &[u8]) -> Result<Table, TabularError> {
    match format {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_name_reads_the_extension() {
        assert_eq!(Format::from_name("实有人口.CSV"), Some(Format::Csv));
        assert_eq!(Format::from_name("a.b.xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::from_name("a.xls"), None);
        assert_eq!(Format::from_name("xlsx"), None);
    }

    #[test]
    fn detect_trusts_the_content_over_the_name() {
        assert_eq!(Format::detect(Some("x.csv"), b"PK\x03\x04rest"), Ok(Format::Xlsx));
        assert_eq!(Format::detect(None, "姓名,电话\n".as_bytes()), Ok(Format::Csv));
        assert_eq!(Format::detect(Some("x.xlsx"), b"a,b\n"), Err(TabularError::NotSpreadsheet));
        assert_eq!(Format::detect(Some("x.xls"), b"<html>"), Err(TabularError::OldExcelFormat));
        assert_eq!(Format::detect(None, OLE_MAGIC), Err(TabularError::OldExcelFormat));
        assert_eq!(Format::detect(Some("scan.csv"), b"%PDF-1.7"), Err(TabularError::NotSpreadsheet));
        assert_eq!(Format::detect(None, b"a\0b"), Err(TabularError::NotSpreadsheet));
        assert_eq!(Format::detect(Some("x.csv"), b""), Err(TabularError::EmptyFile));
    }
}
