use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Opens an account's archive for this session (ten minutes) with its secret answer. A
/// wrong answer counts towards the account's lockout, as everywhere else.
#[server(endpoint = "unlock_archive")]
pub async fn unlock_archive(id: i64, answer: Sensitive) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let session = ssr::session_token().await?;
    let answer = ssr::secret(Some(answer));
    let proof = ssr::proof(&state, &answer);
    domain::archive::unlock::with_answer(&state.db, &actor, &session, id, proof, ssr::now())
        .await?;
    Ok(())
}
