use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Wizard step 2: the code from the e-mail.
#[server(endpoint = "submit_code")]
pub async fn submit_code(id: i64, code: Sensitive) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let code = code.into_inner();
    domain::accounts::code::submit(&state.db, &state.sending, &actor, id, &code, ssr::now())
        .await?;
    Ok(())
}
