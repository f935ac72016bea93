use leptos::prelude::*;

use crate::error::AppError;

/// Ends the session on the server and clears the cookie.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    ssr::end_current_session(&state).await?;
    ssr::clear_session_cookie(&state);
    tracing::info!(event = "sign_out", "signed out");
    leptos_axum::redirect("/connexion");
    Ok(())
}
