//! Static files, compiled into the binary so that one file is the whole deployment.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn serve(Path(path): Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match path.as_str() {
        "css/app.css" => (
            include_bytes!("../../static/css/app.css"),
            "text/css; charset=utf-8",
        ),
        "js/app.js" => (
            include_bytes!("../../static/js/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "js/htmx.min.js" => (
            include_bytes!("../../static/js/htmx.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "img/logo.svg" => (include_bytes!("../../static/img/logo.svg"), "image/svg+xml"),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
