use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// A new address for the account: verification starts again (asks for the secret answer
/// once one is set).
#[server(endpoint = "change_account_address")]
pub async fn change_account_address(
    id: i64,
    address: String,
    answer: Option<Sensitive>,
) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let answer = ssr::secret(answer);
    domain::accounts::change_address(
        &state.db,
        &state.sending,
        &actor,
        id,
        &address,
        ssr::proof(&state, &answer),
        ssr::now(),
    )
    .await?;
    Ok(())
}
