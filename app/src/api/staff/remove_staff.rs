use leptos::prelude::*;

use crate::error::AppError;

/// Removes a member from the session's school, then returns to the directory. `confirm`
/// is the form's checkbox (`on`): it arrives only when ticked, and nothing happens without it.
#[server(endpoint = "remove_staff")]
pub async fn remove_staff(id: i64, confirm: Option<String>) -> Result<(), AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let member = domain::staff::get(&state.db, &actor, id).await?;
    domain::staff::remove(&state.db, &actor, id, confirm.as_deref() == Some("on")).await?;
    ssr::leave_outcome(crate::notice::Done::StaffRemoved {
        name: member.display_name,
    });
    leptos_axum::redirect("/personnels");
    Ok(())
}
