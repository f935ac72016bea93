use leptos::prelude::*;

use crate::api::types::StaffRow;
use crate::error::AppError;

/// Adds a member to the session's school and mails them their invitation. The checkbox
/// `is_admin` arrives only when ticked, as HTML forms do.
#[server(endpoint = "add_staff")]
pub async fn add_staff(
    display_name: String,
    email: String,
    category: String,
    is_admin: Option<String>,
) -> Result<StaffRow, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let input =
        domain::staff::StaffInput::parse(&display_name, &email, &category, is_admin.is_some())?;
    let added = domain::staff::add(&state.db, &actor, &input, ssr::now()).await?;
    super::mail_invitation(&actor, &added).await?;
    ssr::leave_outcome(crate::notice::Done::StaffAdded {
        name: added.member.display_name.clone(),
    });
    Ok(added.member.into())
}
