//! Invitations: a single-use link, mailed to a new person, to choose their password.
//! Only the token's hash is stored; the link works for 7 days.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, TransactionTrait,
};

use crate::entity::{invitation, membership, person, school};
use crate::password::PasswordHasher;
use crate::secret::{Secret, new_token, token_hash};
use crate::{Error, Now, Result, validate};

pub const LIFETIME_SECS: i64 = vocabulary::limits::INVITATION_LIFETIME_SECS;

/// A freshly issued invitation: the token goes into the mailed link, nowhere else.
pub struct Issued {
    pub token: Secret,
    pub expires_at: i64,
}

pub(crate) async fn issue(
    db: &impl ConnectionTrait,
    school_id: i64,
    person_id: i64,
    now: Now,
) -> Result<Issued> {
    let token = new_token()?;
    let expires_at = now.timestamp() + LIFETIME_SECS;
    invitation::ActiveModel {
        school_id: Set(school_id),
        person_id: Set(person_id),
        token_hash: Set(token_hash(token.expose())),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now.timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Issued { token, expires_at })
}

/// What the invitation page shows before the password is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationView {
    pub school_name: String,
    pub display_name: String,
}

async fn live(db: &impl ConnectionTrait, token: &str, now: Now) -> Result<invitation::Model> {
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash(token)))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now.timestamp()))
        .one(db)
        .await?
        .ok_or(Error::InvitationInvalid)
}

/// The invitation behind `token`, if it is still usable.
pub async fn peek(db: &impl ConnectionTrait, token: &str, now: Now) -> Result<InvitationView> {
    let invitation = live(db, token, now).await?;
    let school = school::Entity::find_by_id(invitation.school_id)
        .one(db)
        .await?
        .ok_or(Error::InvitationInvalid)?;
    let member = membership::Entity::find()
        .filter(membership::Column::SchoolId.eq(invitation.school_id))
        .filter(membership::Column::PersonId.eq(invitation.person_id))
        .one(db)
        .await?
        .ok_or(Error::InvitationInvalid)?;
    Ok(InvitationView {
        school_name: school.name,
        display_name: member.display_name,
    })
}

/// Who accepted an invitation, to open their first session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub person_id: i64,
    pub school_id: i64,
}

/// Sets the invited person's password and uses up every invitation they had pending.
pub async fn accept(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    token: &str,
    password: &Secret,
    confirmation: &Secret,
    now: Now,
) -> Result<Accepted> {
    let invitation = live(db, token, now).await?;
    validate::new_password(password, confirmation)?;
    let hash = hasher.hash(password).await?;

    let txn = db.begin().await?;
    // Claim the invitation first: of two simultaneous submissions only one gets here.
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Some(now.timestamp()).into())
        .filter(invitation::Column::Id.eq(invitation.id))
        .filter(invitation::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(Error::InvitationInvalid);
    }
    invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Some(now.timestamp()).into())
        .filter(invitation::Column::PersonId.eq(invitation.person_id))
        .filter(invitation::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    person::Entity::update_many()
        .col_expr(person::Column::PasswordHash, Some(hash).into())
        .filter(person::Column::Id.eq(invitation.person_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(
        event = "invitation_accepted",
        person_id = invitation.person_id,
        "password chosen"
    );
    Ok(Accepted {
        person_id: invitation.person_id,
        school_id: invitation.school_id,
    })
}

/// Mails a new member their invitation (or, if they already have a password from another
/// school, a note that they were added) and returns the link it carried.
pub async fn send(
    mailer: &crate::mail::Mailer,
    sender_address: &str,
    public_url: &str,
    school_name: &str,
    member_name: &str,
    member_email: &str,
    invitation: Option<&Issued>,
) -> Result<String> {
    let sender = crate::mail::Sender {
        address: sender_address.to_owned(),
        name: school_name.to_owned(),
    };
    let (link, mail) = match invitation {
        Some(issued) => {
            let link = format!("{public_url}/invitation/{}", issued.token.expose());
            let mail =
                crate::mail::templates::invitation(school_name, member_name, member_email, &link);
            (link, mail)
        }
        None => {
            let link = format!("{public_url}/connexion");
            let mail = crate::mail::templates::added_to_school(
                school_name,
                member_name,
                member_email,
                &link,
            );
            (link, mail)
        }
    };
    mailer.send(&sender, &mail).await?;
    Ok(link)
}
