//! The one error type of the crate.

/// Why a document could not be produced.
#[derive(thiserror::Error, Debug)]
pub enum DocError {
    /// No font with Chinese (CJK) coverage was found; the message says where we looked and what to install.
    #[error("no CJK font found: {0}")]
    NoCjkFont(String),
    /// The template could not be compiled or the PDF could not be written (a bug in a template or in the data
    /// shape it expects, never something a user typed).
    #[error("document rendering failed: {0}")]
    Render(String),
    /// A font file could not be read or parsed.
    #[error("font error: {0}")]
    Font(String),
    /// The DOCX package could not be written.
    #[error("DOCX writing failed: {0}")]
    Docx(String),
}
