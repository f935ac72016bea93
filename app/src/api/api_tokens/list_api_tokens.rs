use leptos::prelude::*;

use super::ApiTokensView;
use crate::error::AppError;

/// The school's API tokens, and the token created just before, if any (shown once).
#[server(endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<ApiTokensView, AppError> {
    use super::ApiTokenRow;
    use crate::ssr::{self, paris_time};
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let tokens = domain::api_tokens::list(&state.db, &actor).await?;
    let now = ssr::now();
    let fresh = match ssr::take_shown_once(&state).await {
        Some(token)
            if domain::api_tokens::just_created_by(&state.db, &actor, &token, now).await? =>
        {
            Some(token)
        }
        _ => None,
    };
    Ok(ApiTokensView {
        tokens: tokens
            .into_iter()
            .map(|t| ApiTokenRow {
                id: t.id,
                label: t.label,
                prefix: t.prefix,
                created_at: paris_time(t.created_at),
                revoked_at: t.revoked_at.map(paris_time),
                last_used_at: t.last_used_at.map(paris_time),
                creator_gone: t.creator_gone,
            })
            .collect(),
        fresh: fresh.map(|t| t.expose().to_owned()),
    })
}
