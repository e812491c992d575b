//! The rules both formats share once a line of cells is read: which row is the header, what makes a
//! header valid, and how data rows are fitted to the header's width.

use std::collections::HashMap;

use crate::{Row, TabularError};

/// True when every cell is empty: such rows are skipped (they still count for row numbers).
pub(crate) fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(String::is_empty)
}

/// Turns the first non-blank row into headers: each trimmed, trailing empty ones dropped, none empty
/// before the last, none repeated.
pub(crate) fn headers(row: usize, cells: Vec<String>) -> Result<Vec<String>, TabularError> {
    let mut headers: Vec<String> = cells.into_iter().map(|c| c.trim().to_owned()).collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    if headers.is_empty() {
        return Err(TabularError::NoHeaderRow);
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(headers.len());
    for (i, name) in headers.iter().enumerate() {
        if name.is_empty() {
            return Err(TabularError::BlankHeader { row, column: i + 1 });
        }
        if let Some(first) = seen.insert(name, i + 1) {
            return Err(TabularError::DuplicateHeader { row, name: name.clone(), first, second: i + 1 });
        }
    }
    Ok(headers)
}

/// Fits a data row to `width` columns: short rows are padded with empty cells, empty cells past the
/// last header are dropped, and a value past the last header is an error naming the row.
pub(crate) fn data_row(number: usize, mut cells: Vec<String>, width: usize) -> Result<Row, TabularError> {
    if cells.len() > width {
        if let Some(last) = cells.iter().rposition(|c| !c.is_empty()).filter(|&i| i >= width) {
            return Err(TabularError::RowTooLong { row: number, column: last + 1, headers: width });
        }
        cells.truncate(width);
    }
    cells.resize(width, String::new());
    Ok(Row { number, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn headers_are_trimmed_and_trailing_blanks_dropped() {
        assert_eq!(headers(1, strings(&[" 姓名 ", "身份证号", "", ""])).ok(), Some(strings(&["姓名", "身份证号"])));
    }

    #[test]
    fn blank_and_repeated_headers_are_refused() {
        assert_eq!(headers(2, strings(&["a", " ", "c"])), Err(TabularError::BlankHeader { row: 2, column: 2 }));
        assert_eq!(
            headers(1, strings(&["姓名", "电话", "姓名 "])),
            Err(TabularError::DuplicateHeader { row: 1, name: "姓名".into(), first: 1, second: 3 })
        );
        assert_eq!(headers(1, strings(&["", " "])), Err(TabularError::NoHeaderRow));
    }

    #[test]
    fn rows_are_padded_and_long_rows_name_the_row() {
        assert_eq!(data_row(3, strings(&["x"]), 3).map(|r| r.cells).ok(), Some(strings(&["x", "", ""])));
        assert_eq!(data_row(4, strings(&["x", "y", "", ""]), 2).map(|r| r.cells).ok(), Some(strings(&["x", "y"])));
        assert_eq!(
            data_row(5, strings(&["x", "y", "", "z", ""]), 2),
            Err(TabularError::RowTooLong { row: 5, column: 4, headers: 2 })
        );
    }
}
