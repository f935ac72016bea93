use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Sets the invited person's password and signs them in.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: Sensitive,
    password: Sensitive,
    confirmation: Sensitive,
) -> Result<(), AppError> {
    use crate::ssr;
    use domain::secret::Secret;
    let state = ssr::state()?;
    let accepted = domain::invitations::accept(
        &state.db,
        &state.hasher,
        token.into_inner().as_str(),
        &Secret::new(password.into_inner()),
        &Secret::new(confirmation.into_inner()),
        ssr::now(),
    )
    .await?;
    ssr::end_current_session(&state).await?;
    let session = domain::sessions::start(
        &state.db,
        accepted.person_id,
        Some(accepted.school_id),
        ssr::now(),
    )
    .await?;
    ssr::set_session_cookie(&state, &session);
    leptos_axum::redirect("/");
    Ok(())
}
