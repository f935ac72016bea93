use leptos::prelude::*;

use super::types::SendView;
use crate::error::AppError;

/// One of the member's sends with every recipient's state ("not found" for anyone else's).
/// The status page calls it again every few seconds while recipients are pending.
#[server(endpoint = "get_send")]
pub async fn get_send(id: i64) -> Result<SendView, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let now = ssr::now();
    let detail = domain::outbox::detail(&state.db, &actor, id).await?;
    Ok(SendView::new(detail, now.timestamp()))
}
