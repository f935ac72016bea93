use leptos::prelude::*;

use crate::error::AppError;

/// Removes a member from the session's school; returns their name. `confirm` is the form's
/// checkbox (`on`): it arrives only when ticked, and nothing happens without it. A plain
/// form post goes on to the directory, which says who was removed; the wasm does the same
/// itself (the member's page is gone).
#[server(endpoint = "remove_staff")]
pub async fn remove_staff(id: i64, confirm: Option<String>) -> Result<String, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let member = domain::staff::get(&state.db, &actor, id).await?;
    domain::staff::remove(&state.db, &actor, id, confirm.as_deref() == Some("on")).await?;
    ssr::leave_outcome(crate::notice::Done::StaffRemoved {
        name: member.display_name.clone(),
    });
    if ssr::plain_form_post().await {
        leptos_axum::redirect("/personnels");
    }
    Ok(member.display_name)
}
