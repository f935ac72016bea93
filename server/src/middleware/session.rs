//! Finds the request's session from its cookie (one indexed lookup) and the client's
//! address, and hands both to the handlers as request extensions.

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{Request, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::secret::Secret;
use std::net::SocketAddr;

use app::ssr::{ClientIp, CurrentSession};

use crate::state::AppState;

pub async fn load(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let token = cookie(&request, state.server.session_cookie_name()).map(Secret::new);
    let (info, lookup_failed) = match &token {
        None => (None, false),
        Some(token) => {
            match domain::sessions::resolve(&state.server.db, token.expose(), chrono::Utc::now())
                .await
            {
                Ok(info) => (info, false),
                Err(error) => {
                    tracing::error!(%error, "session lookup failed");
                    (None, true)
                }
            }
        }
    };
    let ip = client_ip(&request, state.config.trust_forwarded_for);
    request.extensions_mut().insert(CurrentSession {
        token,
        info,
        lookup_failed,
    });
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

fn cookie(request: &Request<Body>, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

fn client_ip(request: &Request<Body>, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_owned());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}
