//! Security headers on every response. `Referrer-Policy: same-origin` (not `no-referrer`):
//! plain-form submissions rely on the Referer to come back to their page. Pages and API
//! answers carry personal data, so nothing but the static bundle may be cached; over HTTPS
//! browsers are told to stay on HTTPS.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::Response;

/// `State(true)` when the app is served over HTTPS.
pub async fn security_headers(
    State(https): State<bool>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let static_file =
        request.uri().path().starts_with("/pkg/") || request.uri().path() == "/favicon.svg";
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        (
            "content-security-policy",
            "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !static_file {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}
