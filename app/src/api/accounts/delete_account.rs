use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Deletes the account (asks for the secret answer once one is set), then shows the list.
#[server(endpoint = "delete_account")]
pub async fn delete_account(id: i64, answer: Option<Sensitive>) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let answer = ssr::secret(answer);
    let proof = ssr::proof(&state, &answer);
    domain::accounts::delete(&state.db, &actor, id, proof, ssr::now()).await?;
    leptos_axum::redirect("/comptes");
    Ok(())
}
