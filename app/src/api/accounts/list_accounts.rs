use leptos::prelude::*;

use crate::api::types::AccountsOverview;
use crate::error::AppError;

/// The signed-in member's sending accounts in their current school.
#[server(endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<AccountsOverview, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let accounts = domain::accounts::list(&state.db, &actor, ssr::now()).await?;
    Ok(AccountsOverview {
        accounts: accounts.into_iter().map(Into::into).collect(),
        default_label: domain::accounts::default_label(&actor),
    })
}
