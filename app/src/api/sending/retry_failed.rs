use leptos::prelude::*;

use crate::error::AppError;

/// "Renvoyer les échecs": queues the failed recipients of the member's send again, except
/// those whose address the server refused for good (a retry would fail the same way: they
/// wait for [`super::correct_recipient`]); the others are left alone. Returns how many
/// were queued.
#[server(endpoint = "retry_failed")]
pub async fn retry_failed(id: i64) -> Result<u64, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    Ok(domain::outbox::retry_failed(&state.db, &actor, id, ssr::now()).await?)
}
