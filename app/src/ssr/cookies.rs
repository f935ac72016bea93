//! The cookies server functions set and read: the session, and the token shown once.

use domain::secret::Secret;
use http::{HeaderValue, header::SET_COOKIE};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::ServerState;

/// A `Set-Cookie` value: HttpOnly, whole-site, `Secure` over HTTPS.
fn cookie(state: &ServerState, name: &str, value: &str, max_age: i64, same_site: &str) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}")
}

/// The cookie `name`, if sent exactly once: a second one of the same name may have been
/// planted by a sibling site (without the `__Host-` prefix), so neither is trusted.
pub fn cookie_once(headers: &http::HeaderMap, name: &str) -> Option<String> {
    let mut values = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned());
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    Some(first).filter(|value| !value.is_empty())
}

pub fn set_session_cookie(state: &ServerState, token: &Secret) {
    append_set_cookie(cookie(
        state,
        state.session_cookie_name(),
        token.expose(),
        domain::sessions::ABSOLUTE_TIMEOUT_SECS,
        "Lax",
    ));
}

/// A token the administrator must see once, carried to the next page by an HttpOnly
/// cookie that lives two minutes and is cleared when read: a plain form post (no wasm)
/// ends in a redirect, which would otherwise lose it. The page shows it only to the
/// administrator who created it, while it is fresh (`api_tokens::just_created_by`).
fn shown_once_cookie(state: &ServerState) -> &'static str {
    if state.secure_cookies {
        "__Host-ecole_nouveau_jeton"
    } else {
        "ecole_nouveau_jeton"
    }
}

pub fn show_once(state: &ServerState, token: &Secret) {
    append_set_cookie(cookie(
        state,
        shown_once_cookie(state),
        token.expose(),
        domain::api_tokens::SHOWN_FOR_SECS,
        "Strict",
    ));
}

/// The token [`show_once`] carried, if the cookie is there once; clears it.
pub async fn take_shown_once(state: &ServerState) -> Option<Secret> {
    let headers = leptos_axum::extract::<http::HeaderMap>().await.ok()?;
    let name = shown_once_cookie(state);
    append_set_cookie(cookie(state, name, "", 0, "Strict"));
    cookie_once(&headers, name).map(Secret::new)
}

pub fn clear_session_cookie(state: &ServerState) {
    append_set_cookie(cookie(state, state.session_cookie_name(), "", 0, "Lax"));
}

fn append_set_cookie(value: String) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}
