use leptos::prelude::*;

use crate::error::AppError;

/// "Arrêter l'envoi" (confirmed): every recipient of the send still waiting is cancelled
/// and nothing more of it leaves until it is resumed. The author and the school's
/// administrators may; anyone else gets "not found". Returns how many were cancelled (0:
/// nothing was pending any more). Back to the send's page, the confirmation closed.
#[server(endpoint = "stop_send")]
pub async fn stop_send(id: i64) -> Result<u64, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let cancelled = domain::outbox::stop::stop(&state.db, &actor, id, ssr::now()).await?;
    leptos_axum::redirect(&format!("/envois/{id}"));
    Ok(cancelled)
}
