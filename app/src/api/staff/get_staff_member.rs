use leptos::prelude::*;

use crate::api::types::StaffRow;
use crate::error::AppError;

/// One member of the session's school; another school's member is "not found".
#[server(endpoint = "get_staff_member")]
pub async fn get_staff_member(id: i64) -> Result<StaffRow, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    Ok(domain::staff::get(&state.db, &actor, id).await?.into())
}
