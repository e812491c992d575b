//! What can go wrong reading or writing a table, said in Chinese and in English.
//!
//! Row and column numbers are 1-based and counted the way a spreadsheet shows them: the header row is
//! row 1 and column 1 is column A. Messages name the column both ways ("第 3 列（C）").

/// A failure to read or write a table file.
///
/// `Display` gives the English message; [`TabularError::message_zh`] gives the Chinese one shown to
/// most users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TabularError {
    /// The bytes could not be decoded: damaged ZIP or XML inside an XLSX, or a CSV that is neither
    /// UTF-8 nor GB18030/GBK.
    #[error("the file could not be read ({detail}); save it again as .xlsx or as UTF-8 CSV and retry")]
    Unreadable {
        /// What the decoder said, for logs and support; not translated.
        detail: String,
    },
    /// The bytes are not a CSV or XLSX table at all (a picture, a PDF, a Word file, ...).
    #[error("the file is not a spreadsheet: upload an .xlsx or .csv file")]
    NotSpreadsheet,
    /// An old binary Excel file (.xls) or an encrypted workbook: both are OLE compound files.
    #[error("the file is an old .xls workbook or is password-protected: remove any password and save it as .xlsx")]
    OldExcelFormat,
    /// The file has no bytes (or only a byte-order mark and white space).
    #[error("the file is empty")]
    EmptyFile,
    /// The file (or the chosen worksheet) has no row with any value, so there is no header row.
    #[error("the file has no header row: the first non-empty row must name the columns")]
    NoHeaderRow,
    /// The named worksheet is not in the workbook.
    #[error("the workbook has no worksheet named \"{name}\"")]
    SheetNotFound {
        /// The worksheet name asked for.
        name: String,
    },
    /// A header cell is empty while a column to its right has a header.
    #[error("row {row}: column {} has no header", column_label(*.column))]
    BlankHeader {
        /// The header row's number.
        row: usize,
        /// The 1-based column of the empty header cell.
        column: usize,
    },
    /// Two columns have the same header (after trimming spaces).
    #[error("row {row}: the header \"{name}\" appears twice, in column {} and in column {}", column_label(*.first), column_label(*.second))]
    DuplicateHeader {
        /// The header row's number.
        row: usize,
        /// The repeated header text.
        name: String,
        /// The 1-based column where it first appears.
        first: usize,
        /// The 1-based column where it appears again.
        second: usize,
    },
    /// A data row has a value in a column beyond the last header.
    #[error("row {row} is longer than the header row: column {} has a value but the header row has only {headers} columns", column_label(*.column))]
    RowTooLong {
        /// The row's number.
        row: usize,
        /// The 1-based column of the last non-empty cell of the row.
        column: usize,
        /// How many columns the header row names.
        headers: usize,
    },
    /// A CSV quoted field is never closed, so the rest of the file would be swallowed into one cell.
    #[error("row {row}: a quote (\") opens a cell that is never closed")]
    UnclosedQuote {
        /// The number of the row where the unclosed cell starts.
        row: usize,
    },
    /// An XLSX cell holds a number with more than 15 digits (an identity or bank-card number stored as a
    /// number): Excel keeps only 15 significant digits, so the last digits are already lost.
    #[error("row {row}, column {}: the number {shown} has more than 15 digits and Excel has already lost its last digits; format the column as text, type the values again and re-import", column_label(*.column))]
    NumberTooLong {
        /// The row's number.
        row: usize,
        /// The 1-based column.
        column: usize,
        /// The value as Excel shows it, for example `1.10101199003071E+17`.
        shown: String,
    },
    /// Writing XLSX: more rows than a worksheet holds.
    #[error("too many rows for one worksheet: at most {limit} data rows fit; export as CSV or narrow the list")]
    TooManyRows {
        /// The most data rows a worksheet holds (below the header row).
        limit: usize,
    },
    /// Writing XLSX: a cell longer than Excel's limit of 32,767 characters.
    #[error("row {row}, column {}: the text is longer than the 32,767 characters a spreadsheet cell holds", column_label(*.column))]
    CellTooLong {
        /// The row's number in the written sheet.
        row: usize,
        /// The 1-based column.
        column: usize,
    },
    /// Writing failed for another reason (temporary file, output stream).
    #[error("the file could not be written ({detail})")]
    Write {
        /// What the writer said, for logs and support; not translated.
        detail: String,
    },
}

impl TabularError {
    /// The message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The message in Chinese, for the person who uploaded or asked for the file.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Unreadable { detail } => {
                format!("无法读取文件（{detail}），请另存为 .xlsx 或 UTF-8 编码的 CSV 后重试")
            }
            Self::NotSpreadsheet => "文件不是表格，请上传 .xlsx 或 .csv 文件".to_owned(),
            Self::OldExcelFormat => {
                "文件是旧版 .xls 格式或设置了密码，请去掉密码并在 Excel 中另存为 .xlsx 后重试".to_owned()
            }
            Self::EmptyFile => "文件是空的".to_owned(),
            Self::NoHeaderRow => "文件没有表头行：第一行有内容的行应当是各列的名称".to_owned(),
            Self::SheetNotFound { name } => format!("工作簿中没有名为“{name}”的工作表"),
            Self::BlankHeader { row, column } => {
                format!("第 {row} 行：{}的表头为空", column_zh(*column))
            }
            Self::DuplicateHeader { row, name, first, second } => {
                format!("第 {row} 行：表头“{name}”重复，出现在{}和{}", column_zh(*first), column_zh(*second))
            }
            Self::RowTooLong { row, column, headers } => {
                format!("第 {row} 行比表头长：{}有内容，但表头只有 {headers} 列", column_zh(*column))
            }
            Self::UnclosedQuote { row } => format!("第 {row} 行：单元格以引号（\"）开头但没有结束的引号"),
            Self::NumberTooLong { row, column, shown } => format!(
                "第 {row} 行{}：数字 {shown} 超过 15 位，Excel 已丢失末尾的数字；请把该列设置为文本格式，重新输入后再导入",
                column_zh(*column)
            ),
            Self::TooManyRows { limit } => {
                format!("行数过多：一个工作表最多容纳 {limit} 行数据，请导出为 CSV 或缩小范围")
            }
            Self::CellTooLong { row, column } => {
                format!("第 {row} 行{}：文字超过单元格上限 32767 个字符", column_zh(*column))
            }
            Self::Write { detail } => format!("无法生成文件（{detail}）"),
        }
    }
}

/// The spreadsheet letters of a 1-based column number: 1 → `A`, 27 → `AA`.
pub fn column_letters(column: usize) -> String {
    let mut n = column;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        // `rem` < 26, so the cast cannot truncate.
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn column_label(column: usize) -> String {
    format!("{column} ({})", column_letters(column))
}

fn column_zh(column: usize) -> String {
    format!("第 {column} 列（{}）", column_letters(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(52), "AZ");
        assert_eq!(column_letters(703), "AAA");
        assert_eq!(column_letters(16_384), "XFD");
    }

    #[test]
    fn messages_name_the_row_and_column_in_both_languages() {
        let e = TabularError::RowTooLong { row: 7, column: 9, headers: 8 };
        assert_eq!(
            e.message_en(),
            "row 7 is longer than the header row: column 9 (I) has a value but the header row has only 8 columns"
        );
        assert_eq!(e.message_zh(), "第 7 行比表头长：第 9 列（I）有内容，但表头只有 8 列");
        let e = TabularError::DuplicateHeader { row: 1, name: "姓名".into(), first: 1, second: 3 };
        assert!(e.message_zh().contains("第 1 列（A）和第 3 列（C）"), "{}", e.message_zh());
        assert!(e.message_en().contains("column 1 (A) and in column 3 (C)"), "{}", e.message_en());
    }
}
