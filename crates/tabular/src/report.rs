//! Report workbooks: several sheets, each a title, a header and rows of typed cells, so Excel
//! shows counts as numbers, rates as percentages and durations as hours — and sums them.

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use crate::TabularError;

/// A cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A rate as a fraction (0.875 shows as 87.5%); `None` is left empty.
    Percent(Option<f64>),
    /// Hours; `None` is left empty.
    Hours(Option<f64>),
}

/// One sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Sheet name (made acceptable to Excel).
    pub name: String,
    /// A title line above the table.
    pub title: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

fn err(e: &rust_xlsxwriter::XlsxError) -> TabularError {
    TabularError::Write { detail: e.to_string() }
}

/// Writes the sheets as one `.xlsx` file.
pub fn write_report_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, TabularError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold().set_border_bottom(FormatBorder::Thin);
    let int = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    let hours = Format::new().set_num_format("0.0");
    for s in sheets {
        let sheet = book.add_worksheet();
        let _ = sheet.set_name(crate::xlsx::sheet_name_for_excel(&s.name));
        sheet.write_string_with_format(0, 0, &s.title, &title).map_err(|e| err(&e))?;
        for (c, h) in s.header.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| TabularError::Write { detail: "too many columns".into() })?;
            sheet.write_string_with_format(2, col, h, &head).map_err(|e| err(&e))?;
            sheet.set_column_width(col, if c == 0 { 24.0 } else { 14.0 }).map_err(|e| err(&e))?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let at = u32::try_from(r + 3).map_err(|_| TabularError::Write { detail: "too many rows".into() })?;
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).map_err(|_| TabularError::Write { detail: "too many columns".into() })?;
                match cell {
                    Cell::Text(t) => sheet.write_string(at, col, t).map(|_| ()),
                    Cell::Int(n) => sheet.write_number_with_format(at, col, *n as f64, &int).map(|_| ()),
                    Cell::Percent(Some(p)) => sheet.write_number_with_format(at, col, *p, &pct).map(|_| ()),
                    Cell::Hours(Some(h)) => sheet.write_number_with_format(at, col, *h, &hours).map(|_| ()),
                    Cell::Percent(None) | Cell::Hours(None) => Ok(()),
                }
                .map_err(|e| err(&e))?;
            }
        }
        sheet.set_freeze_panes(3, 1).map_err(|e| err(&e))?;
    }
    book.save_to_buffer().map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;

    #[test]
    fn numbers_stay_numbers() {
        let sheets = vec![Sheet {
            name: "指标".into(),
            title: "示范市2026年11月月报".into(),
            header: vec!["指标".into(), "本期".into(), "满意率".into(), "时长".into()],
            rows: vec![vec![
                Cell::Text("受理量".into()),
                Cell::Int(1234),
                Cell::Percent(Some(0.875)),
                Cell::Hours(Some(12.5)),
            ]],
        }];
        let bytes = write_report_xlsx(&sheets).expect("xlsx");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("open");
        let range = book.worksheet_range("指标").expect("sheet");
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("示范市2026年11月月报".into())));
        assert_eq!(range.get_value((3, 1)), Some(&Data::Float(1234.0)), "a count is a number");
        assert_eq!(range.get_value((3, 2)), Some(&Data::Float(0.875)), "a rate is a number");
        assert_eq!(range.get_value((3, 3)), Some(&Data::Float(12.5)));
    }
}
