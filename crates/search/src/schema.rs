//! The index's fields. Text fields are cut by [`crate::tokenizer`] and stored (snippets are
//! made from them); filter fields are exact strings, with an area or category indexed under each
//! of its ancestors so that a subtree is one term; the registration time is a fast field for
//! ranges and ordering. Anything else is read from the database.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::tokenizer::{GRAMS, JIEBA};

/// The version of this schema and of the tokenizer settings. Kept in the index folder; an index
/// of another version is thrown away and rebuilt from the database.
pub const SCHEMA_VERSION: u32 = 1;

/// The fields, by handle.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `case` or `dispute`.
    pub kind: Field,
    /// The record's id (the delete key).
    pub id: Field,
    /// Human-readable number.
    pub number: Field,
    /// Title, segmented and stored.
    pub title: Field,
    /// Text (a case's text; a dispute's facts and session notes), segmented and stored.
    pub body: Field,
    /// Result text (a case's reported result; a dispute's agreement terms), segmented and stored.
    pub result: Field,
    /// Title, text and result as overlapping character pairs (not stored).
    pub grams: Field,
    /// The area's code and every ancestor's (one term per level).
    pub area: Field,
    /// The leaf area as stored.
    pub area_code: Field,
    /// The responsible centre (cases) or the mediating tier's area (disputes).
    pub handling_area: Field,
    /// State's wire name.
    pub state: Field,
    /// Category code (cases) or dispute type, and every ancestor code.
    pub category: Field,
    /// The category as stored.
    pub category_code: Field,
    /// Organisations: a case's lead and every organisation it was dispatched to; a dispute's
    /// mediating organisation.
    pub org: Field,
    /// The reporting user (cases reported from an account).
    pub reporter: Field,
    /// Registered at, Unix milliseconds.
    pub created: Field,
    /// Last change, Unix milliseconds.
    pub updated: Field,
}

/// The schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(JIEBA).set_index_option(IndexRecordOption::WithFreqs),
        )
        .set_stored();
    let f = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_text_field("id", STRING | STORED),
        number: b.add_text_field("number", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone()),
        result: b.add_text_field("result", text),
        grams: b.add_text_field(
            "grams",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(GRAMS).set_index_option(IndexRecordOption::Basic),
            ),
        ),
        area: b.add_text_field("area", STRING),
        area_code: b.add_text_field("area_code", STORED),
        handling_area: b.add_text_field("handling_area", STRING | STORED),
        state: b.add_text_field("state", STRING | STORED),
        category: b.add_text_field("category", STRING),
        category_code: b.add_text_field("category_code", STORED),
        org: b.add_text_field("org", STRING),
        reporter: b.add_text_field("reporter", STRING),
        created: b.add_i64_field("created", INDEXED | FAST | STORED),
        updated: b.add_i64_field("updated", STORED),
    };
    (b.build(), f)
}

/// Handles of an existing index's fields (the index was created by [`build`] of this version).
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let get = |name: &str| schema.get_field(name);
    Ok(Fields {
        kind: get("kind")?,
        id: get("id")?,
        number: get("number")?,
        title: get("title")?,
        body: get("body")?,
        result: get("result")?,
        grams: get("grams")?,
        area: get("area")?,
        area_code: get("area_code")?,
        handling_area: get("handling_area")?,
        state: get("state")?,
        category: get("category")?,
        category_code: get("category_code")?,
        org: get("org")?,
        reporter: get("reporter")?,
        created: get("created")?,
        updated: get("updated")?,
    })
}
