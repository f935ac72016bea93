use leptos::prelude::*;

use crate::error::AppError;

/// Revokes one of the school's API tokens; calls made with it are refused at once.
#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    domain::api_tokens::revoke(&state.db, &actor, id, ssr::now()).await?;
    Ok(())
}
