use leptos::prelude::*;

use crate::api::types::CandidateRow;
use crate::error::AppError;

/// The school's staff with whether each may send with establishment account `id`,
/// narrowed to a category (`personnel`, `enseignant`) and a name (administrators only).
#[server(endpoint = "list_candidates")]
pub async fn list_candidates(
    id: i64,
    category: Option<String>,
    search: Option<String>,
) -> Result<Vec<CandidateRow>, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let category = category.and_then(|c| c.parse().ok());
    let rows = domain::accounts::authorisations::candidates(
        &state.db,
        &actor,
        id,
        category,
        search.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}
