//! What the plain multipart form handlers share: who is posting, and the 303 back to a
//! page that shows the outcome (an `erreur=` holds an `AppError` as JSON, which the page
//! reads back and words in the user's language).

use app::error::AppError;
use app::ssr::CurrentSession;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::access::Actor;

use crate::state::AppState;

pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// `location` with `erreur=<error>` added to its query string.
pub fn with_error(location: &str, error: Option<&AppError>) -> String {
    let Some(json) = error.and_then(|e| serde_json::to_string(e).ok()) else {
        return location.to_owned();
    };
    let separator = if location.contains('?') { '&' } else { '?' };
    let encoded: String = url::form_urlencoded::byte_serialize(json.as_bytes()).collect();
    format!("{location}{separator}erreur={encoded}")
}

/// The person posting, in their session's school; `Err` is the response to give instead
/// (the sign-in page, or `back` with the reason).
pub async fn actor(
    state: &AppState,
    session: &CurrentSession,
    back: &str,
) -> Result<Actor, Response> {
    let Some(info) = &session.info else {
        return Err(see_other("/connexion"));
    };
    let found = match info.school_id {
        Some(school) => domain::access::actor_in(&state.server.db, info.person_id, school).await,
        None => Ok(None),
    };
    match found {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(see_other(&with_error(back, Some(&AppError::NoSchool)))),
        Err(e) => Err(see_other(&with_error(back, Some(&e.into())))),
    }
}
