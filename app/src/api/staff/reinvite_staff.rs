use leptos::prelude::*;

use crate::error::AppError;

/// Mails a member who has not chosen a password yet a new invitation; their earlier links
/// stop working. Returns the address it went to.
#[server(endpoint = "reinvite_staff")]
pub async fn reinvite_staff(id: i64) -> Result<String, AppError> {
    use crate::ssr;
    let state = ssr::state()?;
    let actor = ssr::actor().await?;
    let again = domain::staff::reinvite(&state.db, &actor, id, ssr::now()).await?;
    super::mail_invitation(&actor, &again).await?;
    let email = again.member.email;
    ssr::leave_outcome(crate::notice::Done::InvitationResent {
        email: email.clone(),
    });
    Ok(email)
}
