use leptos::prelude::*;

use crate::api::types::AccountDetail;
use crate::error::AppError;

/// One of the member's sending accounts ("not found" for anyone else's).
#[server(endpoint = "get_account")]
pub async fn get_account(id: i64) -> Result<AccountDetail, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let view = domain::accounts::get(&state.db, &actor, id, ssr::now()).await?;
    Ok(view.into())
}
