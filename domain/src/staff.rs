//! The school's staff directory, kept by its administrators. Every function is scoped by
//! the actor's school: another school's members are simply "not found".

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::access::Actor;
use crate::entity::{account_authorisation, invitation, membership, person};
use crate::invitations::{self, Issued};
use crate::{Error, Invalid, Now, Result, throttle, validate};

/// The two kinds of staff of the brief (the UI says "personnel" and "enseignant").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Personnel,
    Enseignant,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Personnel => "personnel",
            Category::Enseignant => "enseignant",
        }
    }
}

impl std::str::FromStr for Category {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "personnel" => Ok(Category::Personnel),
            "enseignant" => Ok(Category::Enseignant),
            _ => Err(Invalid::UnknownCategory),
        }
    }
}

/// What an administrator types to add someone (already validated by [`StaffInput::parse`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffInput {
    pub display_name: String,
    pub email: String,
    pub category: Category,
    pub is_admin: bool,
}

impl StaffInput {
    /// Validates raw form values.
    pub fn parse(display_name: &str, email: &str, category: &str, is_admin: bool) -> Result<Self> {
        Ok(Self {
            display_name: validate::display_name(display_name)?,
            email: validate::email(email)?,
            category: category.parse()?,
            is_admin,
        })
    }
}

/// One line of the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    /// The membership id: what the directory's links and forms refer to.
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub category: Category,
    pub is_admin: bool,
    /// True until the person has chosen a password.
    pub invitation_pending: bool,
}

fn view(m: membership::Model, p: &person::Model) -> StaffMember {
    StaffMember {
        id: m.id,
        display_name: m.display_name,
        email: p.email.clone(),
        category: m.category.parse().unwrap_or(Category::Personnel),
        is_admin: m.is_admin,
        invitation_pending: p.password_hash.is_none(),
    }
}

/// The directory of the actor's school, by name. Administrators only.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<StaffMember>> {
    actor.require_admin()?;
    let rows = membership::Entity::find()
        .filter(membership::Column::SchoolId.eq(actor.school_id()))
        .order_by_asc(membership::Column::DisplayName)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.person_id).collect();
    let people = person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            let p = people.iter().find(|p| p.id == m.person_id)?;
            Some(view(m, p))
        })
        .collect())
}

async fn find_in_school(
    db: &impl ConnectionTrait,
    actor: &Actor,
    member_id: i64,
) -> Result<(membership::Model, person::Model)> {
    let m = membership::Entity::find_by_id(member_id)
        .filter(membership::Column::SchoolId.eq(actor.school_id()))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let p = person::Entity::find_by_id(m.person_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((m, p))
}

/// One member of the actor's school.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, member_id: i64) -> Result<StaffMember> {
    actor.require_admin()?;
    let (m, p) = find_in_school(db, actor, member_id).await?;
    Ok(view(m, &p))
}

/// A new member and, if they have no password yet, the invitation to mail them.
pub struct Added {
    pub member: StaffMember,
    pub invitation: Option<Issued>,
}

/// Adds someone to the actor's school. A person already known from another school keeps
/// their password; only a new person gets an invitation.
pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &StaffInput,
    now: Now,
) -> Result<Added> {
    actor.require_admin()?;
    let quota = throttle::key("invitations:school", &actor.school_id().to_string());
    throttle::reserve(db, &quota, throttle::INVITATIONS_PER_SCHOOL, now).await?;
    let txn = db.begin().await?;
    let added = insert_member(&txn, actor.school_id(), input, now).await?;
    txn.commit().await?;
    tracing::info!(
        event = "staff_added",
        school_id = actor.school_id(),
        member_id = added.member.id,
        by = actor.person_id(),
        "staff member added"
    );
    Ok(added)
}

pub(crate) async fn insert_member(
    db: &impl ConnectionTrait,
    school_id: i64,
    input: &StaffInput,
    now: Now,
) -> Result<Added> {
    let existing = person::Entity::find()
        .filter(person::Column::Email.eq(&input.email))
        .one(db)
        .await?;
    let person = match existing {
        Some(p) => {
            let already = membership::Entity::find()
                .filter(membership::Column::SchoolId.eq(school_id))
                .filter(membership::Column::PersonId.eq(p.id))
                .count(db)
                .await?;
            if already > 0 {
                return Err(Invalid::EmailAlreadyInSchool.into());
            }
            p
        }
        None => {
            person::ActiveModel {
                email: Set(input.email.clone()),
                password_hash: Set(None),
                created_at: Set(now.timestamp()),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    let member = membership::ActiveModel {
        school_id: Set(school_id),
        person_id: Set(person.id),
        display_name: Set(input.display_name.clone()),
        category: Set(input.category.as_str().to_owned()),
        is_admin: Set(input.is_admin),
        created_at: Set(now.timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let invitation = if person.password_hash.is_none() {
        Some(invitations::issue(db, school_id, person.id, now).await?)
    } else {
        None
    };
    Ok(Added {
        member: view(member, &person),
        invitation,
    })
}

/// What an administrator may change on a member. The login address is the person's own,
/// shared with their other schools, so it is not editable here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffUpdate {
    pub display_name: String,
    pub category: Category,
    pub is_admin: bool,
}

impl StaffUpdate {
    pub fn parse(display_name: &str, category: &str, is_admin: bool) -> Result<Self> {
        Ok(Self {
            display_name: validate::display_name(display_name)?,
            category: category.parse()?,
            is_admin,
        })
    }
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    member_id: i64,
    update: &StaffUpdate,
) -> Result<StaffMember> {
    actor.require_admin()?;
    let txn = db.begin().await?;
    let (m, p) = find_in_school(&txn, actor, member_id).await?;
    if m.is_admin && !update.is_admin && admin_count(&txn, actor.school_id()).await? <= 1 {
        return Err(Invalid::LastAdministrator.into());
    }
    let mut active: membership::ActiveModel = m.into();
    active.display_name = Set(update.display_name.clone());
    active.category = Set(update.category.as_str().to_owned());
    active.is_admin = Set(update.is_admin);
    let m = active.update(&txn).await?;
    txn.commit().await?;
    Ok(view(m, &p))
}

/// Removes a member from the actor's school (the person stays in their other schools).
/// A new invitation for a member who has not chosen a password yet (the link mailed is
/// used or expired, or the mail was lost): every earlier link of theirs for this school
/// stops working, so only the newest mail counts. Same hourly quota as adding someone.
pub async fn reinvite(
    db: &DatabaseConnection,
    actor: &Actor,
    member_id: i64,
    now: Now,
) -> Result<Added> {
    actor.require_admin()?;
    let (m, p) = find_in_school(db, actor, member_id).await?;
    if p.password_hash.is_some() {
        return Err(Invalid::AlreadyJoined.into());
    }
    let quota = throttle::key("invitations:school", &actor.school_id().to_string());
    throttle::reserve(db, &quota, throttle::INVITATIONS_PER_SCHOOL, now).await?;
    let txn = db.begin().await?;
    invitation::Entity::delete_many()
        .filter(invitation::Column::SchoolId.eq(actor.school_id()))
        .filter(invitation::Column::PersonId.eq(p.id))
        .exec(&txn)
        .await?;
    let issued = invitations::issue(&txn, actor.school_id(), p.id, now).await?;
    txn.commit().await?;
    tracing::info!(
        event = "invitation_resent",
        school_id = actor.school_id(),
        member_id,
        by = actor.person_id(),
        "invitation sent again"
    );
    Ok(Added {
        member: view(m, &p),
        invitation: Some(issued),
    })
}

/// Removes a member from the actor's school; `confirmed` is the administrator's explicit
/// confirmation (the form's checkbox), without which nothing happens.
pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    member_id: i64,
    confirmed: bool,
) -> Result<()> {
    actor.require_admin()?;
    if !confirmed {
        return Err(Invalid::RemovalNotConfirmed.into());
    }
    if member_id == actor.membership_id() {
        return Err(Invalid::CannotRemoveSelf.into());
    }
    let txn = db.begin().await?;
    let (m, _) = find_in_school(&txn, actor, member_id).await?;
    if m.is_admin && admin_count(&txn, actor.school_id()).await? <= 1 {
        return Err(Invalid::LastAdministrator.into());
    }
    membership::Entity::delete_by_id(m.id).exec(&txn).await?;
    // An unused invitation must not let a removed person back in, nor a right to send
    // with a shared account come back if they are added again.
    invitation::Entity::delete_many()
        .filter(invitation::Column::SchoolId.eq(actor.school_id()))
        .filter(invitation::Column::PersonId.eq(m.person_id))
        .exec(&txn)
        .await?;
    account_authorisation::Entity::delete_many()
        .filter(account_authorisation::Column::SchoolId.eq(actor.school_id()))
        .filter(account_authorisation::Column::PersonId.eq(m.person_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(
        event = "staff_removed",
        school_id = actor.school_id(),
        member_id,
        by = actor.person_id(),
        "staff member removed"
    );
    Ok(())
}

/// The school's administrators, counted with their rows locked (`FOR UPDATE` on
/// PostgreSQL) until the transaction ends: two administrators demoting each other at the same
/// moment cannot both see "another one is left". (SQLite serialises writers by itself.)
async fn admin_count(db: &impl ConnectionTrait, school_id: i64) -> Result<u64> {
    let admins = membership::Entity::find()
        .filter(membership::Column::SchoolId.eq(school_id))
        .filter(membership::Column::IsAdmin.eq(true))
        .lock_exclusive()
        .all(db)
        .await?;
    Ok(admins.len() as u64)
}
