//! The two entry points into the Leptos app: page rendering and server functions. Both get
//! the shared [`app::ssr::ServerState`] and the request's language as context.
//! A server function's refusal leaves with its own 4xx status, not server_fn's 500.

use app::error::{AppError, CodeRefusal};
use app::notice::Notice;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use crate::handlers::language::request_lang;
use crate::state::AppState;

pub async fn server_fn(State(state): State<AppState>, request: Request<Body>) -> Response {
    let server = state.server.clone();
    // What a server function words for the page (a template's text) is in the language the
    // page is in, decided here as for the page, not by the caller.
    let lang = request_lang(request.headers());
    let response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(server.clone());
            provide_context(lang);
        },
        request,
    )
    .await
    .into_response();
    honest_status(response).await
}

/// Gives a server function's error its own status. `server_fn` answers every error with
/// 500, so a mistyped code would look like a fault to the operator's alerts and be logged
/// at ERROR by the trace layer; the body is the [`AppError`] as JSON, which knows its
/// status. A refusal is logged here at INFO (WARN when it is a lockout); a fault was
/// already logged with its cause where it happened. A redirect (a plain form post sent
/// back to its page, the error moved into a notice by `middleware::notice`) is left as it is.
async fn honest_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The body is already in memory: server_fn built it from the serialised error.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
        match &error {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::Code(CodeRefusal::ResendTooSoon { retry_after_secs }) => {
                let secs = (*retry_after_secs).max(1);
                parts.headers.insert(RETRY_AFTER, HeaderValue::from(secs));
                tracing::warn!(status = parts.status.as_u16(), %error, "request refused");
            }
            _ if parts.status.is_client_error() => {
                tracing::info!(status = parts.status.as_u16(), %error, "request refused");
            }
            _ => {}
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

pub async fn page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let lang = request_lang(request.headers());
    // The outcome a form post left for this page (`middleware::notice`), shown once.
    let notice = request.extensions().get::<Notice>().cloned();
    let server = state.server.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_route_with_context(
        state.routes.clone(),
        move || {
            provide_context(server.clone());
            provide_context(lang);
            if let Some(notice) = notice.clone() {
                provide_context(notice);
            }
        },
        move || app::shell(options.clone()),
    );
    handler(State(state), request).await.into_response()
}

/// Static files of the compiled site, or the app's own "page not found".
pub async fn fallback(State(state): State<AppState>, request: Request<Body>) -> Response {
    let lang = request_lang(request.headers());
    let server = state.server.clone();
    let handler = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
        move || {
            provide_context(server.clone());
            provide_context(lang);
        },
        app::shell,
    );
    handler(request.uri().clone(), State(state), request)
        .await
        .into_response()
}
