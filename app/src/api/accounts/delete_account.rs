use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Deletes the account (asks for the secret answer once one is set), then shows the list.
#[server(endpoint = "delete_account")]
pub async fn delete_account(id: i64, answer: Option<Sensitive>) -> Result<(), AppError> {
    use crate::ssr;
    use domain::accounts::answer::Proof;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let answer = domain::secret::Secret::new(answer.map(Sensitive::into_inner).unwrap_or_default());
    let proof = Proof {
        hasher: &state.hasher,
        answer: &answer,
    };
    domain::accounts::delete(&state.db, &actor, id, proof, ssr::now()).await?;
    leptos_axum::redirect("/comptes");
    Ok(())
}
