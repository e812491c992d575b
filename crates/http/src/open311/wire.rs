//! GeoReport v2's two formats from one value tree: XML with the specification's element names
//! (a list is a container of one repeated child), and JSON by the Spark convention it names (the
//! root dropped, lists as arrays, empty values as null). Errors are lists too, with the HTTP
//! status equal to their code.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A response format, chosen by the resource's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.xml` (required by the specification).
    Xml,
    /// `.json`.
    Json,
}

impl Format {
    /// Splits `services.json` into `("services", Json)`; none for another extension.
    pub fn split(resource: &str) -> Option<(&str, Self)> {
        if let Some(stem) = resource.strip_suffix(".xml") {
            Some((stem, Self::Xml))
        } else {
            resource.strip_suffix(".json").map(|stem| (stem, Self::Json))
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Xml => "text/xml; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// A value of a response.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    /// Text.
    S(String),
    /// true/false.
    B(bool),
    /// A whole number.
    I(i64),
    /// A number with a fraction (coordinates).
    F(f64),
    /// Nothing (an empty element; JSON null).
    Null,
    /// A list: its items' element name and the items.
    List(&'static str, Vec<V>),
    /// Named fields, in order.
    Obj(Vec<(&'static str, V)>),
}

impl V {
    /// Text, or null when empty.
    pub fn text(s: impl Into<String>) -> Self {
        let s = s.into();
        if s.is_empty() { Self::Null } else { Self::S(s) }
    }

    /// Text or null.
    pub fn opt(s: Option<impl Into<String>>) -> Self {
        s.map_or(Self::Null, Self::text)
    }
}

/// A whole response body in a format, with `root` as the XML root element.
pub fn body(format: Format, root: &str, value: &V) -> String {
    match format {
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
            element(&mut out, root, value);
            out
        }
        Format::Json => json(value).to_string(),
    }
}

/// A 200 response.
pub fn ok(format: Format, root: &str, value: &V) -> Response {
    respond(StatusCode::OK, format, root, value)
}

/// A response with a status.
pub fn respond(status: StatusCode, format: Format, root: &str, value: &V) -> Response {
    let mut res = (status, body(format, root, value)).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    res
}

/// An error list of one error whose code is the HTTP status.
pub fn error(status: StatusCode, format: Format, description: &str) -> Response {
    let e = V::Obj(vec![("code", V::I(i64::from(status.as_u16()))), ("description", V::text(description))]);
    respond(status, format, "errors", &V::List("error", vec![e]))
}

fn element(out: &mut String, name: &str, value: &V) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        V::S(s) => escape_into(out, s),
        V::B(b) => out.push_str(if *b { "true" } else { "false" }),
        V::I(i) => out.push_str(&i.to_string()),
        V::F(f) => out.push_str(&f.to_string()),
        V::Null => {}
        V::List(item, items) => {
            for i in items {
                element(out, item, i);
            }
        }
        V::Obj(fields) => {
            for (k, v) in fields {
                element(out, k, v);
            }
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes markup and drops characters XML 1.0 cannot carry (control characters other than tab
/// and line breaks), so any text a resident typed makes a well-formed document.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

fn json(value: &V) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        V::S(s) => J::String(s.clone()),
        V::B(b) => J::Bool(*b),
        V::I(i) => J::from(*i),
        V::F(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        V::Null => J::Null,
        V::List(_, items) => J::Array(items.iter().map(json).collect()),
        V::Obj(fields) => J::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> V {
        V::List(
            "request",
            vec![V::Obj(vec![
                ("service_request_id", V::text("2026-1123-000001")),
                ("description", V::text("井盖 <丢失> & \u{1}危险")),
                ("lat", V::F(28.2)),
                ("media_url", V::Null),
            ])],
        )
    }

    #[test]
    fn xml_has_the_declaration_the_root_and_escaped_text() {
        let xml = body(Format::Xml, "service_requests", &sample());
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request>\
             <service_request_id>2026-1123-000001</service_request_id>\
             <description>井盖 &lt;丢失&gt; &amp; 危险</description><lat>28.2</lat><media_url></media_url>\
             </request></service_requests>"
        );
    }

    #[test]
    fn json_drops_the_root_and_keeps_lists_as_arrays() {
        let j: serde_json::Value =
            serde_json::from_str(&body(Format::Json, "service_requests", &sample())).expect("json");
        assert!(j.is_array());
        assert_eq!(j[0]["lat"], 28.2);
        assert!(j[0]["media_url"].is_null());
        assert_eq!(j[0]["description"], "井盖 <丢失> & \u{1}危险");
        let one = body(Format::Json, "service_definition", &V::Obj(vec![("attributes", V::List("attribute", vec![]))]));
        assert_eq!(one, r#"{"attributes":[]}"#, "an empty list is still a list");
    }

    #[test]
    fn extensions_pick_the_format() {
        assert_eq!(Format::split("services.json"), Some(("services", Format::Json)));
        assert_eq!(Format::split("requests/1.xml"), Some(("requests/1", Format::Xml)));
        assert_eq!(Format::split("services"), None);
        assert_eq!(Format::split("services.html"), None);
    }
}
