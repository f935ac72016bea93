use leptos::prelude::*;

use crate::error::AppError;

/// An administrator creates a shared account (secretariat, direction…): wizard step 1.
#[server(endpoint = "create_establishment_account")]
pub async fn create_establishment_account(label: String, address: String) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let view = domain::accounts::create_establishment(
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
