use leptos::prelude::*;

use super::types::SendSummaryView;
use crate::error::AppError;

/// The member's sends in this school, newest first.
#[server(endpoint = "list_sends")]
pub async fn list_sends() -> Result<Vec<SendSummaryView>, AppError> {
    use crate::ssr;
    /// How many sends the list shows.
    const LISTED: u64 = 100;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let sends = domain::outbox::list(&state.db, &actor, LISTED).await?;
    Ok(sends.into_iter().map(Into::into).collect())
}
