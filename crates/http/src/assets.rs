//! Front-end files shipped inside the binary (so the program works with no internet).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The embedded `assets/` folder: our CSS and scripts, and vendored npm packages under `vendor/`.
#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// Serves one embedded file with a long cache lifetime.
pub async fn serve(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                    (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
                ],
                file.data,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
