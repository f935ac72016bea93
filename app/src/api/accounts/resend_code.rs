use leptos::prelude::*;

use crate::error::AppError;

/// "Renvoyer le code": a new code once the 60-second cooldown is over.
#[server(endpoint = "resend_code")]
pub async fn resend_code(id: i64) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    domain::accounts::code::resend(&state.db, &state.sending, &actor, id, ssr::now()).await?;
    Ok(())
}
