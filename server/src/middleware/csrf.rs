//! Cross-site request forgery defence for every state-changing request (Leptos server
//! functions have none of their own). Browsers say where a request comes from in
//! `Sec-Fetch-Site`; older ones send `Origin`, which must then be exactly the app's public
//! origin (scheme, host and port of `public_url`, never the client-supplied `Host`). A request
//! that is not same-origin by either is refused before it reaches any handler. GET and HEAD
//! never change state here.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `State`: the public origin, e.g. `https://ecoles.example.fr`.
pub async fn refuse_cross_site(
    State(public_origin): State<Arc<str>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    if is_safe(request.method()) || is_same_origin(request.headers(), &public_origin) {
        return next.run(request).await;
    }
    tracing::warn!(method = %request.method(), path = %crate::router::loggable_path(request.uri().path()), "cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Requête refusée : elle ne provient pas de ce site. Rechargez la page et réessayez.\n\
         Request refused: it does not come from this site. Reload the page and try again.\n",
    )
        .into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    // No fetch metadata: the Origin must be ours. Neither header: not a browser we can
    // vouch for, so refuse rather than guess.
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| {
            origin
                .trim_end_matches('/')
                .eq_ignore_ascii_case(public_origin)
        })
}

/// `https://ecoles.example.fr:8443/app` → `https://ecoles.example.fr:8443`.
pub fn origin_of(public_url: &str) -> String {
    match url::Url::parse(public_url) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => public_url.trim_end_matches('/').to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, axum::http::HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let ours = "http://127.0.0.1:3000";
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            ours
        ));
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "none")]),
            ours
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site"), ("origin", ours)]),
            ours
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            ours
        ));
    }

    #[test]
    fn otherwise_the_origin_must_be_the_public_one_scheme_included() {
        let ours = origin_of("https://ecoles.example.fr/");
        assert_eq!(ours, "https://ecoles.example.fr");
        assert!(is_same_origin(
            &headers(&[("origin", "https://ecoles.example.fr")]),
            &ours
        ));
        assert!(
            !is_same_origin(
                &headers(&[
                    ("origin", "http://ecoles.example.fr"),
                    ("host", "ecoles.example.fr")
                ]),
                &ours
            ),
            "scheme"
        );
        assert!(
            !is_same_origin(
                &headers(&[("origin", "https://evil.example"), ("host", "evil.example")]),
                &ours
            ),
            "Host is the client's word"
        );
        assert!(!is_same_origin(&headers(&[("origin", "null")]), &ours));
        assert!(!is_same_origin(
            &headers(&[("host", "ecoles.example.fr")]),
            &ours
        ));
    }
}
