use leptos::prelude::*;

use crate::error::AppError;
use crate::sensitive::Sensitive;

/// Wizard step 3, or a later change of question (then `current_answer` is required).
/// `question` is one of the suggestions, or `autre` with the member's own in `custom_question`.
#[server(endpoint = "set_secret")]
pub async fn set_secret(
    id: i64,
    question: String,
    custom_question: Option<String>,
    answer: Sensitive,
    confirmation: Sensitive,
    current_answer: Option<Sensitive>,
) -> Result<(), AppError> {
    use crate::ssr;
    use domain::accounts::answer::{self, SecretInput};
    use domain::secret::Secret;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let question = match question.as_str() {
        "autre" => custom_question.unwrap_or_default(),
        _ => question,
    };
    let input = SecretInput::parse(
        &question,
        &Secret::new(answer.into_inner()),
        &Secret::new(confirmation.into_inner()),
    )?;
    let changing = current_answer.is_some();
    let current = ssr::secret(current_answer);
    let proof = ssr::proof(&state, &current);
    answer::set(&state.db, &actor, id, input, proof, ssr::now()).await?;
    if changing {
        ssr::leave_outcome(crate::notice::Done::SecretChanged);
    }
    Ok(())
}
