//! What the plain multipart form handlers share: who is posting, and the 303 back to a
//! page that shows the outcome (left in a one-time notice, `middleware::notice`, which
//! the page reads back and words in the user's language; never in the URL).

use app::error::AppError;
use app::notice::Outcome;
use app::ssr::CurrentSession;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::access::Actor;

use crate::middleware::notice::see_other_with;
use crate::state::AppState;

pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// A 303 to `location`, whose page says why the form was refused.
pub fn refused(state: &AppState, location: &str, error: AppError) -> Response {
    see_other_with(state, location, Outcome::Refused(error))
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
        Ok(None) => Err(refused(state, back, AppError::NoSchool)),
        Err(e) => Err(refused(state, back, e.into())),
    }
}
