use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Checks the e-mail and password, then replaces any previous session with a new one
/// (a new id at every sign-in) and goes to the home page.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: Sensitive) -> Result<(), AppError> {
    use crate::ssr;
    use domain::secret::Secret;
    let state = ssr::state()?;
    let password = Secret::new(password.into_inner());
    let ip = ssr::client_ip().await;
    let signed_in =
        domain::auth::sign_in(&state.db, &state.hasher, &email, &password, &ip, ssr::now()).await?;
    ssr::end_current_session(&state).await?;
    let token = domain::sessions::start(
        &state.db,
        signed_in.person_id,
        signed_in.school_id,
        ssr::now(),
    )
    .await?;
    ssr::set_session_cookie(&state, &token);
    leptos_axum::redirect("/");
    Ok(())
}
