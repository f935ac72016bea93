use leptos::prelude::*;

use crate::error::AppError;

/// "Corriger et renvoyer": gives `recipient`, refused for good by the server, a new
/// `address` and queues it again (the member's own send only). A malformed address, or
/// another recipient's of the same send, is refused and nothing changes. Returns the
/// address as stored.
#[server(endpoint = "correct_recipient")]
pub async fn correct_recipient(
    id: i64,
    recipient: i64,
    address: String,
) -> Result<String, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    Ok(domain::outbox::correct::correct_recipient(
        &state.db,
        &actor,
        id,
        recipient,
        &address,
        ssr::now(),
    )
    .await?)
}
