use leptos::prelude::*;

use crate::error::AppError;

/// "Reprendre l'envoi": the cancelled recipients of a stopped send are queued again. Its
/// author (while still allowed to use the account) and the school's administrators may.
/// Returns how many were queued (0: the send was not stopped).
#[server(endpoint = "resume_send")]
pub async fn resume_send(id: i64) -> Result<u64, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let queued = domain::outbox::stop::resume(&state.db, &actor, id, ssr::now()).await?;
    leptos_axum::redirect(&format!("/envois/{id}"));
    Ok(queued)
}
