//! The two entry points into the Leptos app: page rendering and server functions. Both get
//! the shared [`app::ssr::ServerState`] as context; pages also get the request's language.

use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;

use crate::handlers::language::request_lang;
use crate::state::AppState;

pub async fn server_fn(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    let server = state.server.clone();
    leptos_axum::handle_server_fns_with_context(move || provide_context(server.clone()), request)
        .await
}

pub async fn page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let lang = request_lang(request.headers());
    let server = state.server.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_route_with_context(
        state.routes.clone(),
        move || {
            provide_context(server.clone());
            provide_context(lang);
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
