use leptos::prelude::*;

use crate::error::AppError;

/// Removes a member from the session's school, then returns to the directory.
#[server(endpoint = "remove_staff")]
pub async fn remove_staff(id: i64) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    domain::staff::remove(&state.db, &actor, id).await?;
    leptos_axum::redirect("/personnels");
    Ok(())
}
