use leptos::prelude::*;

use crate::error::AppError;

/// Moves the session to another school the person belongs to.
#[server(endpoint = "switch_school")]
pub async fn switch_school(school_id: i64) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let session = ssr::current_session().await?;
    let (Some(token), Some(info)) = (session.token, session.info) else {
        return Err(AppError::SignInRequired);
    };
    let renewed = domain::sessions::switch_school(
        &state.db,
        token.expose(),
        info.person_id,
        school_id,
        ssr::now(),
    )
    .await?;
    ssr::set_session_cookie(&state, &renewed);
    leptos_axum::redirect("/");
    Ok(())
}
