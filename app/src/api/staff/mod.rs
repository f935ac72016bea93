mod add_staff;
mod get_staff_member;
mod list_staff;
mod reinvite_staff;
mod remove_staff;
mod update_staff;

pub use add_staff::*;
pub use get_staff_member::*;
pub use list_staff::*;
pub use reinvite_staff::*;
pub use remove_staff::*;
pub use update_staff::*;

/// Mails the invitation `added` carries (if any), in the actor's school's name, through the
/// host's relay.
#[cfg(feature = "ssr")]
async fn mail_invitation(
    actor: &domain::access::Actor,
    added: &domain::staff::Added,
) -> Result<(), crate::error::AppError> {
    let state = crate::ssr::state()?;
    let school = domain::schools::get(&state.db, actor.school_id()).await?;
    domain::invitations::send(
        &state.sending.hosting,
        &state.sending.hosting_from,
        &state.public_url,
        &school.name,
        &added.member.display_name,
        &added.member.email,
        added.invitation.as_ref(),
    )
    .await?;
    Ok(())
}
