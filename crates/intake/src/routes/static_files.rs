//! Content types for the served script bundle and examples.
//!
//! Browsers refuse to compile WebAssembly streamed with another type than
//! `application/wasm`, and module scripts need a JavaScript type; file
//! extension guessing differs between platforms' MIME tables, so these
//! three are set explicitly.

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The content type a path's extension must be served with, if it is one
/// of the types browsers are strict about.
pub fn strict_content_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    match extension {
        "wasm" => Some("application/wasm"),
        "js" | "mjs" => Some("text/javascript; charset=utf-8"),
        _ => None,
    }
}

/// Middleware setting [`strict_content_type`] on successful responses.
pub async fn set_strict_content_types(request: Request, next: Next) -> Response {
    let content_type = strict_content_type(request.uri().path());
    let mut response = next.run(request).await;
    if let Some(content_type) = content_type {
        if response.status().is_success() {
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_and_module_scripts_get_the_types_browsers_require() {
        assert_eq!(
            strict_content_type("/tapedeck/worker/a_bg.wasm"),
            Some("application/wasm")
        );
        assert_eq!(
            strict_content_type("/tapedeck/tapedeck.mjs"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(strict_content_type("/examples/index.html"), None);
        assert_eq!(strict_content_type("/examples/README"), None);
    }
}
