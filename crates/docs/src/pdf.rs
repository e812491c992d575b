//! Generic PDF rendering: a Typst template plus JSON data gives a PDF.
//!
//! The data never becomes markup. It is handed to the template as a virtual file, [`DATA_PATH`], which the
//! template reads with `json("/data.json")`; the strings in it are values, so whatever a user typed (`#eval(..)`,
//! `*`, `_`, `$`, `]`) is printed as it is. The font families of the [`Fonts`] in use are in
//! `sys.inputs.at("font-families")` (an array of strings), to pass to `text(font: ..)`.
//!
//! The template can read no other file: no file system, no package downloads, so rendering works offline.

use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Array, Dict, IntoValue, Value};
use typst::layout::PagedDocument;
use typst_as_lib::{TypstAsLibError, TypstEngine};

use crate::{DocError, Fonts};

/// The virtual path of the data file a template reads with `json(..)`.
pub const DATA_PATH: &str = "/data.json";

/// The `sys.inputs` key holding the font family names (best first).
pub const FONT_FAMILIES_INPUT: &str = "font-families";

/// Compiles the Typst `template` with `data` available as [`DATA_PATH`] and returns the PDF bytes.
///
/// Fonts are only those of `fonts`; the PDF embeds the subset of glyphs used.
pub fn render_pdf(template: &str, data: &serde_json::Value, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    let json = serde_json::to_vec(data).map_err(|e| DocError::Render(format!("data is not serialisable: {e}")))?;
    let engine = TypstEngine::builder()
        .main_file(template)
        .fonts(fonts.faces().iter().cloned())
        .with_static_file_resolver([(DATA_PATH, json)])
        .build();

    let mut inputs = Dict::new();
    let families: Array = fonts.families().iter().map(|f| f.as_str().into_value()).collect();
    inputs.insert(FONT_FAMILIES_INPUT.into(), Value::Array(families));

    let document: PagedDocument = engine.compile_with_input(inputs).output.map_err(describe)?;
    let options = typst_pdf::PdfOptions::default();
    typst_pdf::pdf(&document, &options).map_err(|diags| DocError::Render(diagnostics(&diags)))
}

fn describe(err: TypstAsLibError) -> DocError {
    match err {
        TypstAsLibError::TypstSource(diags) => DocError::Render(diagnostics(&diags)),
        other => DocError::Render(other.to_string()),
    }
}

fn diagnostics(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let level = if d.severity == Severity::Error { "error" } else { "warning" };
            let hints: String = d.hints.iter().map(|h| format!(" (hint: {h})")).collect();
            format!("{level}: {}{hints}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
