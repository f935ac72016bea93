//! The HTTP surface: Leptos pages and server functions, the language switch, `/healthz`,
//! `/metrics` and static files, behind the middleware stack.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use leptos_axum::LeptosRoutes;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::handlers;
use crate::middleware;
use crate::state::AppState;

/// Forms here are small; a larger body is refused before it is read.
const BODY_LIMIT_BYTES: usize = 64 * 1024;

const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(45);
/// 24 MB at about 1 Mbit/s.
const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(240);

fn timeout(after: std::time::Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, after)
}

pub fn router(state: AppState) -> Router {
    let routes = state.routes.clone();
    // The JSON API authenticates by bearer token and reads no cookie: no session, no CSRF
    // check, and a body limit sized for attachments.
    let api = Router::new()
        .route("/api/v1/openapi.json", get(handlers::api_v1::openapi))
        .route("/api/v1/accounts", get(handlers::api_v1::accounts))
        .route("/api/v1/messages", post(handlers::api_v1::queue))
        .route("/api/v1/messages/{id}", get(handlers::api_v1::status))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(
            handlers::api_v1::BODY_LIMIT_BYTES,
        ))
        .layer(timeout(REQUEST_TIMEOUT));
    // The compose form carries attachments: its handler reads up to its own limit and
    // past it keeps the text and says so (axum's default 2 MB limit gives way); only a post
    // beyond what it will read at all is refused here. Time for 24 MB over a slow uplink.
    let uploads = Router::new()
        .route("/brouillons", post(handlers::compose::compose))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(
            handlers::compose::DRAIN_LIMIT_BYTES,
        ))
        .layer(timeout(UPLOAD_TIMEOUT));
    let pages = Router::new()
        .route("/api/{fn_name}", post(handlers::leptos::server_fn))
        .route("/langue", post(handlers::language::set_language))
        .route(
            "/comptes/{id}/cle-de-recuperation",
            post(handlers::recovery_file::recovery_file),
        )
        .route(
            "/comptes/{id}/archive/cle",
            post(handlers::archive_file::archive_file),
        )
        .route("/healthz", get(handlers::health::healthz))
        .route("/metrics", get(handlers::metrics::metrics))
        .leptos_routes_with_handler(routes, get(handlers::leptos::page))
        .nest_service(
            "/pkg",
            handlers::bundle::service(&state.config.site_root, handlers::bundle::bundle_hashes()),
        )
        .fallback(handlers::leptos::fallback)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // No request may hang: the longest legitimate one is a 30 s test send.
        .layer(timeout(REQUEST_TIMEOUT))
        .merge(uploads)
        // A form's outcome reaches its page as a one-time notice, never from the URL.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::notice::carry,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::session::load,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::<str>::from(middleware::csrf::origin_of(&state.config.public_url)),
            middleware::csrf::refuse_cross_site,
        ));
    pages
        .merge(api)
        // The wasm bundle shrinks to about a third compressed: a slow phone feels it.
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(middleware::metrics::record))
        .layer(axum::middleware::from_fn_with_state(
            state.config.secure_cookies(),
            middleware::headers::security_headers,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::info_span!("http", method = %request.method(), path = %loggable_path(request.uri().path()))
        }))
        .with_state(state)
}

/// The request path as logs may show it: no query string (it may carry errors or tokens)
/// and no invitation token (it is a password-setting capability).
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/invitation/") {
        "/invitation/…"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_paths_are_redacted() {
        assert_eq!(super::loggable_path("/invitation/abc"), "/invitation/…");
        assert_eq!(super::loggable_path("/personnels/3"), "/personnels/3");
    }
}
