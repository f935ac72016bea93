use leptos::prelude::*;

use crate::error::AppError;

/// Changes a member's name, category or administrator flag, then returns to the directory.
#[server(endpoint = "update_staff")]
pub async fn update_staff(
    id: i64,
    display_name: String,
    category: String,
    is_admin: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let update = domain::staff::StaffUpdate::parse(&display_name, &category, is_admin.is_some())?;
    domain::staff::update(&state.db, &actor, id, &update).await?;
    leptos_axum::redirect("/personnels");
    Ok(())
}
