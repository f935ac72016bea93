use leptos::prelude::*;

use super::types::OthersSendView;
use crate::error::AppError;

/// For an administrator: the school's sends by others (staff and API tokens) going on or
/// stopped, newest first, each one a link to its page where it can be stopped.
#[server(endpoint = "list_others_sends")]
pub async fn list_others_sends() -> Result<Vec<OthersSendView>, AppError> {
    use crate::ssr;
    /// How many sends the list shows.
    const LISTED: u64 = 100;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let sends = domain::outbox::stop::others_in_progress(&state.db, &actor, LISTED).await?;
    Ok(sends.into_iter().map(Into::into).collect())
}
