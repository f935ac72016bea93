use leptos::prelude::*;

use crate::api::types::InvitationInfo;
use crate::error::AppError;

/// Whom and which school an invitation link is for, if it is still usable.
#[server(endpoint = "get_invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationInfo, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let view = domain::invitations::peek(&state.db, &token, ssr::now()).await?;
    Ok(InvitationInfo {
        school_name: view.school_name,
        display_name: view.display_name,
    })
}
