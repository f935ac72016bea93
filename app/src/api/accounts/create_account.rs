use leptos::prelude::*;

use crate::error::AppError;

/// Wizard step 1 ("Désignation"): creates the member's personal account, mails the code
/// and opens the account's page at step 2.
#[server(endpoint = "create_account")]
pub async fn create_account(label: String, address: String) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let view = domain::accounts::create_personal(
        &state.db,
        &state.sending,
        &actor,
        &label,
        &address,
        ssr::now(),
    )
    .await?;
    leptos_axum::redirect(&format!("/comptes/{}", view.id));
    Ok(())
}
