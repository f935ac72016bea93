//! Finds the request's session from its cookie (one indexed lookup) and the client's
//! address, and hands both to the handlers as request extensions.

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::Request;
use axum::middleware::Next;
use axum::response::Response;
use domain::secret::Secret;
use std::net::{IpAddr, SocketAddr};

use app::ssr::{ClientIp, CurrentSession};

use crate::state::AppState;

pub async fn load(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    // Static files and the operations endpoints never need the session: no database
    // round trip for each of the wasm, JS, CSS and favicon requests a page triggers.
    let token = if needs_session(request.uri().path()) {
        app::ssr::cookie_once(request.headers(), state.server.session_cookie_name())
            .map(Secret::new)
    } else {
        None
    };
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

pub(crate) fn needs_session(path: &str) -> bool {
    !(path.starts_with("/pkg/") || matches!(path, "/favicon.svg" | "/healthz" | "/metrics"))
}

/// The client's address as a throttling key. Behind a trusted proxy, the right-most
/// `X-Forwarded-For` entry is the one that proxy appended (entries to its left are whatever
/// the client sent). IPv6 clients are keyed by their /64, which one household or attacker
/// typically holds whole.
fn client_ip(request: &Request<Body>, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
        })
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match forwarded.or(peer) {
        Some(ip) => network_key(ip),
        None => "unknown".to_owned(),
    }
}

fn network_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(forwarded: &[&'static str]) -> Request<Body> {
        let mut request = Request::new(Body::empty());
        for f in forwarded {
            request
                .headers_mut()
                .append("x-forwarded-for", axum::http::HeaderValue::from_static(f));
        }
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 1234))));
        request
    }

    #[test]
    fn the_proxy_appended_entry_counts_not_what_the_client_wrote() {
        assert_eq!(
            client_ip(&request(&["6.6.6.6, 203.0.113.7"]), true),
            "203.0.113.7"
        );
        assert_eq!(
            client_ip(&request(&["6.6.6.6", "203.0.113.8"]), true),
            "203.0.113.8"
        );
        assert_eq!(client_ip(&request(&["not an address"]), true), "10.0.0.1");
        assert_eq!(
            client_ip(&request(&["203.0.113.7"]), false),
            "10.0.0.1",
            "untrusted header ignored"
        );
    }

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        assert_eq!(
            network_key(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0xaaaa, 0, 0, 1).into()),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            network_key(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0xbbbb, 0, 0, 9).into()),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            network_key(
                std::net::Ipv4Addr::new(192, 0, 2, 1)
                    .to_ipv6_mapped()
                    .into()
            ),
            "192.0.2.1"
        );
    }
}
