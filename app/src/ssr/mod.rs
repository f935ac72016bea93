//! Server-only glue between server functions and the domain: the shared state, the
//! request's session and the clock; cookies (`cookies`), Paris time (`paris_time`) and the
//! mapping of domain errors to [`AppError`] (`errors`) each have their own file.
//! Compiled only with the `ssr` feature, so none of it reaches the wasm bundle.

mod cookies;
mod errors;
mod paris_time;

pub use cookies::{
    clear_session_cookie, cookie_once, set_session_cookie, show_once, take_shown_once,
};
pub use paris_time::paris_time;

use axum::Extension;
use domain::secret::Secret;
use domain::sessions::SessionInfo;
use domain::{DatabaseConnection, Now, access::Actor, password::PasswordHasher};
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// What every server function may use; built once by the server from its configuration.
#[derive(Clone)]
pub struct ServerState {
    pub db: DatabaseConnection,
    pub hasher: PasswordHasher,
    /// Base URL used in mailed links, without a trailing slash.
    pub public_url: String,
    /// True when served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// The app's mailer (`hosting`) and its sending address, the rules for schools' relays
    /// and the master keys: for step 1 and everything that sends.
    pub sending: domain::sending_settings::SendingEnvironment,
    /// The pace of each account through the hosting relay (the operator's setting), for
    /// the send's page.
    pub hosting_pace: domain::outbox::pace::Pace,
}

impl ServerState {
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-ecole_session"
        } else {
            "ecole_session"
        }
    }
}

/// The session found by the server's middleware for this request (if any).
#[derive(Clone)]
pub struct CurrentSession {
    pub token: Option<Secret>,
    pub info: Option<SessionInfo>,
    /// The database could not be asked: say "unavailable", not "signed out".
    pub lookup_failed: bool,
}

/// The client's address as the server's middleware determined it (for throttling).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

pub fn state() -> Result<ServerState, AppError> {
    use_context::<ServerState>().ok_or_else(|| {
        tracing::error!("ServerState missing from context");
        AppError::Internal
    })
}

/// A secret form value, empty when the field was not sent.
pub fn secret(value: Option<crate::sensitive::Sensitive>) -> Secret {
    Secret::new(
        value
            .map(crate::sensitive::Sensitive::into_inner)
            .unwrap_or_default(),
    )
}

/// The secret answer typed to authorise a change, checked by the server's hasher.
pub fn proof<'a>(
    state: &'a ServerState,
    answer: &'a Secret,
) -> domain::accounts::answer::Proof<'a> {
    domain::accounts::answer::Proof {
        hasher: &state.hasher,
        answer,
    }
}

/// The one place where server functions read the clock; the domain gets it passed in.
pub fn now() -> Now {
    chrono::Utc::now()
}

pub async fn current_session() -> Result<CurrentSession, AppError> {
    let Extension(session) = leptos_axum::extract::<Extension<CurrentSession>>()
        .await
        .map_err(|_| AppError::Internal)?;
    if session.lookup_failed {
        return Err(AppError::Unavailable);
    }
    Ok(session)
}

pub async fn client_ip() -> String {
    leptos_axum::extract::<Extension<ClientIp>>()
        .await
        .map(|Extension(ip)| ip.0)
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The session cookie's value: it keys what this session alone may read (an opened archive).
pub async fn session_token() -> Result<Secret, AppError> {
    current_session()
        .await?
        .token
        .ok_or(AppError::SignInRequired)
}

/// The signed-in person acting in their session's school, or the reason they cannot.
pub async fn actor() -> Result<Actor, AppError> {
    let state = state()?;
    let session = current_session().await?;
    let info = session.info.ok_or(AppError::SignInRequired)?;
    let school_id = info.school_id.ok_or(AppError::NoSchool)?;
    domain::access::actor_in(&state.db, info.person_id, school_id)
        .await?
        .ok_or(AppError::NoSchool)
}

/// Whether this server-function call is a plain form post (the page without its wasm): the
/// browser then accepts HTML, where the wasm asks for JSON. Leptos decides the same way
/// whether to send a plain post back to its page.
pub async fn plain_form_post() -> bool {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| {
            let accept = headers.get(http::header::ACCEPT)?.to_str().ok()?;
            Some(accept.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Reports `done` to the page a plain form post goes back to (see [`crate::notice::Done`]).
pub fn leave_outcome(done: crate::notice::Done) {
    let json = serde_json::to_string(&crate::notice::Outcome::Done(done)).ok();
    if let (Some(response), Some(value)) = (
        use_context::<ResponseOptions>(),
        json.and_then(|json| HeaderValue::from_str(&json).ok()),
    ) {
        response.insert_header(
            http::HeaderName::from_static(crate::notice::OUTCOME_HEADER),
            value,
        );
    }
}

/// Ends the request's current session, if any (before a new one, and at sign-out).
pub async fn end_current_session(state: &ServerState) -> Result<(), AppError> {
    if let Some(token) = current_session().await?.token {
        domain::sessions::end(&state.db, token.expose()).await?;
    }
    Ok(())
}
