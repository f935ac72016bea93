use leptos::prelude::*;

use super::types::SendView;
use crate::error::AppError;

/// One of the member's sends with every recipient's state, or for an administrator any send
/// of the school (to stop it); "not found" for anyone else. The status page calls it again
/// every few seconds while recipients are pending.
#[server(endpoint = "get_send")]
pub async fn get_send(id: i64) -> Result<SendView, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let now = ssr::now();
    let status = domain::outbox::stop::status(&state.db, &actor, id).await?;
    let pace = domain::outbox::pace::for_account(
        &state.db,
        actor.school_id(),
        status.detail.summary.account_id,
        state.hosting_pace,
    )
    .await?;
    Ok(SendView::new(status, now.timestamp()).with_pace(pace))
}
