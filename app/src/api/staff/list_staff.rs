use leptos::prelude::*;

use crate::api::types::StaffRow;
use crate::error::AppError;

/// The directory of the session's school (administrators only).
#[server(endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffRow>, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let members = domain::staff::list(&state.db, &actor).await?;
    Ok(members.into_iter().map(StaffRow::from).collect())
}
