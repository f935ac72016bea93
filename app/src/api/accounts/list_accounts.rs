use leptos::prelude::*;

use crate::api::types::AccountsOverview;
use crate::error::AppError;

/// The signed-in member's sending accounts in their current school, and the shared ones
/// they may send with.
#[server(endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<AccountsOverview, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let now = ssr::now();
    let accounts = domain::accounts::list(&state.db, &actor, now).await?;
    let usable = domain::accounts::authorisations::usable(&state.db, &actor, now).await?;
    Ok(AccountsOverview {
        accounts: accounts.into_iter().map(Into::into).collect(),
        usable_establishment: usable
            .into_iter()
            .filter(|a| a.kind == domain::accounts::AccountKind::Establishment)
            .map(Into::into)
            .collect(),
        is_admin: actor.is_admin(),
        default_label: domain::accounts::default_label(&actor),
    })
}
