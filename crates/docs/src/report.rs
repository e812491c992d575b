//! Periodic statistics reports as PDF: sections of tables, typeset by Typst from JSON.

use serde::Serialize;

use crate::{DocError, Fonts, render_pdf};

const TEMPLATE: &str = include_str!("../templates/report.typ");

/// A table of a report, its cells already formatted for print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Column headings (the first column names the rows).
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// A report as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportDoc {
    /// Title.
    pub title: String,
    /// Subtitle (period, area, when made).
    pub subtitle: String,
    /// Tables.
    pub sections: Vec<Section>,
    /// Heading of the notes.
    pub notes_heading: String,
    /// Notes (definitions).
    pub notes: Vec<String>,
}

/// The report as a PDF.
pub fn report_pdf(doc: &ReportDoc, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    for s in &doc.sections {
        if s.columns.is_empty() || s.rows.iter().any(|r| r.len() != s.columns.len()) {
            return Err(DocError::Render(format!("section {} has rows of the wrong width", s.heading)));
        }
    }
    let data = serde_json::to_value(doc).map_err(|e| DocError::Render(e.to_string()))?;
    render_pdf(TEMPLATE, &data, fonts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_renders_its_tables_in_chinese() {
        let fonts = Fonts::discover(&[]).expect("a Chinese font (scripts/test installs one)");
        let doc = ReportDoc {
            title: "示范市2026年11月社会治理工作月报".into(),
            subtitle: "2026年11月1日至11月30日".into(),
            sections: vec![Section {
                heading: "一、主要指标".into(),
                columns: vec!["指标".into(), "本期".into(), "上期".into()],
                rows: vec![
                    vec!["受理量".into(), "1,234".into(), "1,100".into()],
                    vec!["满意率".into(), "95.2%".into(), "#eval(1)".into()],
                ],
            }],
            notes_heading: "指标口径".into(),
            notes: vec!["受理量：期内登记的诉求件数。".into()],
        };
        let pdf = report_pdf(&doc, &fonts).expect("pdf");
        assert!(pdf.starts_with(b"%PDF"));
        let dir = tempfile::tempdir().expect("dir");
        let f = dir.path().join("r.pdf");
        std::fs::write(&f, &pdf).expect("write");
        let out = std::process::Command::new("pdftotext").arg(&f).arg("-").output().expect("pdftotext (poppler-utils)");
        let text = String::from_utf8_lossy(&out.stdout).replace(char::is_whitespace, "");
        for needed in ["示范市2026年11月社会治理工作月报", "主要指标", "受理量", "1,234", "95.2%", "#eval(1)"]
        {
            assert!(text.contains(needed), "{needed} missing from {text}");
        }
        let bad =
            ReportDoc { sections: vec![Section { rows: vec![vec!["x".into()]], ..doc.sections[0].clone() }], ..doc };
        assert!(matches!(report_pdf(&bad, &fonts), Err(DocError::Render(_))));
    }
}
