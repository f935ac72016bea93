use leptos::prelude::*;

use crate::error::AppError;

/// Creates an API token for the school's other software. The token reaches the page once
/// (see `ssr::show_once`); only its hash is stored.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(label: String) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let (_, token) = domain::api_tokens::create(&state.db, &actor, &label, ssr::now()).await?;
    ssr::show_once(&state, &token);
    Ok(())
}
