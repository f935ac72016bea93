//! A form post's outcome reaches the page it redirects to as a one-time notice
//! ([`app::notice::Notice`]), never as text in the URL.
//!
//! Why a cookie, and not the server-side session: the outcome must reach the next page
//! whether or not anyone is signed in (a refused sign-in is the first plain form of all),
//! on whichever instance serves it, and the sessions table holds signed-in people only. So
//! the notice rides in a cookie the server seals ([`domain::crypto::seal`] under the master
//! key, for the place `form-notice`): a link cannot carry one and nobody but the server
//! can write one. It is HttpOnly (`__Host-` over HTTPS), bound to one page's path inside
//! the seal, lives a minute, and the next page the browser loads clears it.
//!
//! This layer:
//! - answers a GET whose query carries `erreur`, `cle`, `enregistre`, `doublons`, `__err` or
//!   `__path` with a 303 to the same URL without them: neither the server's render nor the
//!   wasm (Leptos reads `__err` from the address bar on both sides) ever sees them;
//! - gives a page request the notice left for its path (the page handler puts it in the
//!   Leptos context) and clears the cookie;
//! - turns Leptos's own no-JS fallback — a refused server function answers a plain form
//!   post with a redirect to the Referer plus `__path` and `__err` — into a notice, and takes
//!   both out of the `Location`.

use app::notice::{Notice, OUTCOME_HEADER, Outcome};
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Uri};
use axum::middleware::Next;
use axum::response::Response;
use domain::secret::Secret;

use crate::handlers::form_post::see_other;
use crate::state::AppState;

/// Query parameters that once carried an outcome; a link with them earned nothing.
const UNEARNED: [&str; 6] = ["erreur", "cle", "enregistre", "doublons", "__err", "__path"];
/// What the seal is bound to: a value sealed for another place does not open here.
const SEALED_FOR: &str = "form-notice";
/// Long enough for the redirect to be followed on a slow phone, short enough to be gone
/// if it is not.
const LIFETIME_SECS: i64 = 60;

fn cookie_name(state: &AppState) -> &'static str {
    if state.server.secure_cookies {
        "__Host-ecole_avis"
    } else {
        "ecole_avis"
    }
}

fn set_cookie(state: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if state.server.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(state)
    ))
    .ok()
}

/// A 303 to `location` that leaves `outcome` for the page there.
pub fn see_other_with(state: &AppState, location: &str, outcome: Outcome) -> Response {
    let mut response = see_other(location);
    let page = location.split(['?', '#']).next().unwrap_or_default();
    leave(state, response.headers_mut(), page, outcome);
    response
}

fn leave(state: &AppState, headers: &mut HeaderMap, page: &str, outcome: Outcome) {
    let notice = Notice {
        page: page.to_owned(),
        outcome,
    };
    let sealed = serde_json::to_string(&notice).ok().and_then(|json| {
        domain::crypto::seal(&state.server.sending.keys, &Secret::new(json), SEALED_FOR).ok()
    });
    match sealed.and_then(|sealed| set_cookie(state, &sealed, LIFETIME_SECS)) {
        Some(cookie) => {
            headers.append(SET_COOKIE, cookie);
        }
        None => tracing::error!("a form's outcome could not be sealed for the next page"),
    }
}

/// The notice in the request's cookie, if the server sealed it (a planted or altered
/// cookie does not open).
fn read(state: &AppState, headers: &HeaderMap) -> Option<Notice> {
    let sealed = app::ssr::cookie_once(headers, cookie_name(state))?;
    let json = domain::crypto::open(&state.server.sending.keys, &sealed, SEALED_FOR).ok()?;
    serde_json::from_str(json.expose()).ok()
}

pub async fn carry(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    match *request.method() {
        Method::GET | Method::HEAD => {
            if let Some(clean) = without_unearned(request.uri()) {
                return see_other(&clean);
            }
            if !super::session::needs_session(&path) {
                return next.run(request).await;
            }
            let carried = app::ssr::cookie_once(request.headers(), cookie_name(&state)).is_some();
            if let Some(notice) = read(&state, request.headers()).filter(|n| n.page == path) {
                request.extensions_mut().insert(notice);
            }
            let mut response = next.run(request).await;
            if let Some(clear) = carried.then(|| set_cookie(&state, "", 0)).flatten() {
                response.headers_mut().append(SET_COOKIE, clear);
            }
            response
        }
        Method::POST if path.starts_with("/api/") => {
            let mut response = next.run(request).await;
            // Always taken out: it is for this layer, never for the browser.
            let done = response.headers_mut().remove(OUTCOME_HEADER);
            if response.status().is_redirection() {
                server_fn_error_to_notice(&state, &path, response.headers_mut());
                if let Some(done) = done {
                    server_fn_done_to_notice(&state, &done, response.headers_mut());
                }
            }
            response
        }
        _ => next.run(request).await,
    }
}

/// `uri` without the unearned parameters, if it had any.
fn without_unearned(uri: &Uri) -> Option<String> {
    let query = uri.query()?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if !pairs
        .iter()
        .any(|(key, _)| UNEARNED.contains(&key.as_str()))
    {
        return None;
    }
    Some(with_query(uri.path(), &pairs))
}

fn with_query(path: &str, pairs: &[(String, String)]) -> String {
    match kept_query(pairs) {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    }
}

/// The query string of `pairs` without the unearned ones, if anything is left.
fn kept_query(pairs: &[(String, String)]) -> Option<String> {
    let kept: Vec<_> = pairs
        .iter()
        .filter(|(key, _)| !UNEARNED.contains(&key.as_str()))
        .collect();
    (!kept.is_empty()).then(|| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish()
    })
}

/// Leaves what a server function reported done (`ssr::leave_outcome`) for the page its
/// plain form post is sent back to. Only a [`Outcome::Done`] is taken from the header.
fn server_fn_done_to_notice(state: &AppState, done: &HeaderValue, headers: &mut HeaderMap) {
    let outcome = done
        .to_str()
        .ok()
        .and_then(|json| serde_json::from_str::<Outcome>(json).ok())
        .filter(|outcome| matches!(outcome, Outcome::Done(_)));
    let page = headers
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|location| {
            url::Url::parse("http://this.site/")
                .ok()?
                .join(location)
                .ok()
        })
        .map(|url| url.path().to_owned());
    if let (Some(outcome), Some(page)) = (outcome, page) {
        leave(state, headers, &page, outcome);
    }
}

/// Moves the `__err` that server_fn added to a plain form post's redirect into a notice
/// for the page it goes back to, when it is the error of the function `called` (server_fn
/// appends its own pair after whatever the Referer held).
fn server_fn_error_to_notice(state: &AppState, called: &str, headers: &mut HeaderMap) {
    let Some(location) = headers.get(LOCATION).and_then(|l| l.to_str().ok()) else {
        return;
    };
    // server_fn writes the Referer (absolute); without one, a bare path.
    let absolute = url::Url::parse(location).ok();
    let Some(url) = absolute.clone().or_else(|| {
        url::Url::parse("http://this.site/")
            .ok()
            .and_then(|base| base.join(location).ok())
    }) else {
        return;
    };
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if !pairs
        .iter()
        .any(|(key, _)| UNEARNED.contains(&key.as_str()))
    {
        return;
    }
    let last = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let clean = match absolute {
        Some(mut absolute) => {
            absolute.set_query(kept_query(&pairs).as_deref());
            absolute.to_string()
        }
        None => with_query(url.path(), &pairs),
    };
    if let (Some(error), Some(path)) = (last("__err"), last("__path"))
        && path == called
    {
        leave(state, headers, url.path(), Outcome::Action { path, error });
    }
    if let Ok(clean) = HeaderValue::from_str(&clean) {
        headers.insert(LOCATION, clean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unearned_parameters_are_taken_out_and_the_rest_kept() {
        let uri: Uri = "/envoyer?brouillon=3&erreur=%7B%7D&__err=x&__path=%2Fapi%2Fa"
            .parse()
            .expect("uri");
        assert_eq!(
            without_unearned(&uri).as_deref(),
            Some("/envoyer?brouillon=3")
        );
        let uri: Uri = "/comptes/2?cle=valide".parse().expect("uri");
        assert_eq!(without_unearned(&uri).as_deref(), Some("/comptes/2"));
        let uri: Uri = "/envoyer?brouillon=3&enregistre=1".parse().expect("uri");
        assert_eq!(
            without_unearned(&uri).as_deref(),
            Some("/envoyer?brouillon=3")
        );
        let uri: Uri = "/envois/4?doublons=-1&doublons=9".parse().expect("uri");
        assert_eq!(without_unearned(&uri).as_deref(), Some("/envois/4"));
        let uri: Uri = "/envoyer?brouillon=3".parse().expect("uri");
        assert_eq!(without_unearned(&uri), None);
    }
}
