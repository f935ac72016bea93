use leptos::prelude::*;

use crate::error::AppError;

/// Locks an account's archive again for this session, before the ten minutes are up.
#[server(endpoint = "close_archive")]
pub async fn close_archive(id: i64) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    ssr::actor().await?;
    let session = ssr::session_token().await?;
    domain::archive::unlock::close(&state.db, &session, id).await?;
    Ok(())
}
