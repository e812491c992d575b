//! Official documents in Chinese, rendered for printing and filing.
//!
//! This crate owns the rendering of the documents the centre hands out or files: first the people's mediation
//! agreement (人民调解协议书, see [`Agreement`]) as printable HTML, PDF and DOCX, and the periodic statistical
//! reports as PDF ([`ReportDoc`]). It knows nothing about cases, storage or permissions: the caller passes the text as it is to be printed
//! (already masked, already formatted amounts) and gets bytes back.
//!
//! PDF rendering is generic: [`render_pdf`] compiles a Typst template with JSON data (read by the template from
//! the virtual file [`DATA_PATH`], so user text is data and never markup) using the CJK fonts found at run time by
//! [`Fonts::discover`]. No font is embedded in the binary, nothing is downloaded: rendering works offline, but the
//! machine needs a Chinese font (Debian: `fonts-wqy-microhei` or `fonts-noto-cjk`). The agreement is one user of it
//! (`templates/agreement.typ`).

#![warn(missing_docs)]

mod agreement;
mod error;
mod fonts;
mod pdf;
mod report;
#[cfg(test)]
mod tests;

pub use agreement::{
    Agreement, Party, TITLE, agreement_docx, agreement_html, agreement_pdf, chinese_date, chinese_number,
};
pub use error::DocError;
pub use fonts::{FONT_DIR_ENV, Fonts, SYSTEM_FONT_DIR};
pub use pdf::{DATA_PATH, FONT_FAMILIES_INPUT, render_pdf};
pub use report::{ReportDoc, Section, report_pdf};
