//! Who may send with an establishment account: staff of its school, ticked by an
//! administrator. Checked on every use, so a revocation takes effect at once; someone not
//! (or no longer) authorised gets "not found", as for any account that is not theirs.

use std::collections::BTreeSet;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::{AccountKind, AccountState, AccountView, find_for, view};
use crate::access::Actor;
use crate::entity::{account as row, account_authorisation as grant, membership};
use crate::staff::Category;
use crate::{Error, Now, Result};

/// A staff member as the authorisation list shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub person_id: i64,
    pub display_name: String,
    pub category: Category,
    pub authorised: bool,
}

async fn establishment_account(
    db: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
) -> Result<row::Model> {
    actor.require_admin()?;
    let account = find_for(db, actor, account_id).await?;
    if account.kind != AccountKind::Establishment.as_str() {
        return Err(Error::NotFound);
    }
    Ok(account)
}

/// The school's staff, by name, each with whether they may use the account; narrowed to a
/// category and to names containing `search` (case and accents ignored).
pub async fn candidates(
    db: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
    category: Option<Category>,
    search: &str,
) -> Result<Vec<Candidate>> {
    let account = establishment_account(db, actor, account_id).await?;
    let granted: BTreeSet<i64> = grant::Entity::find()
        .filter(grant::Column::AccountId.eq(account.id))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.person_id)
        .collect();
    let mut members = membership::Entity::find()
        .filter(membership::Column::SchoolId.eq(actor.school_id()))
        .order_by_asc(membership::Column::DisplayName);
    if let Some(category) = category {
        members = members.filter(membership::Column::Category.eq(category.as_str()));
    }
    let wanted = super::answer::normalise(search);
    Ok(members
        .all(db)
        .await?
        .into_iter()
        .filter(|m| super::answer::normalise(&m.display_name).contains(&wanted))
        .map(|m| Candidate {
            authorised: granted.contains(&m.person_id),
            person_id: m.person_id,
            category: m.category.parse().unwrap_or(Category::Personnel),
            display_name: m.display_name,
        })
        .collect())
}

/// Sets exactly who may use the account: those in `person_ids` (members of the school),
/// nobody else. Whoever is left out is revoked at once.
pub async fn set(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    person_ids: &[i64],
    now: Now,
) -> Result<()> {
    let account = establishment_account(db, actor, account_id).await?;
    let wanted: BTreeSet<i64> = person_ids.iter().copied().collect();
    let members = membership::Entity::find()
        .filter(membership::Column::SchoolId.eq(actor.school_id()))
        .filter(membership::Column::PersonId.is_in(wanted.iter().copied()))
        .count(db)
        .await?;
    if members != wanted.len() as u64 {
        // Someone of another school, or unknown: the same answer as for anything not theirs.
        return Err(Error::NotFound);
    }
    let txn = db.begin().await?;
    grant::Entity::delete_many()
        .filter(grant::Column::AccountId.eq(account.id))
        .exec(&txn)
        .await?;
    if !wanted.is_empty() {
        grant::Entity::insert_many(wanted.iter().map(|person_id| grant::ActiveModel {
            school_id: Set(actor.school_id()),
            account_id: Set(account.id),
            person_id: Set(*person_id),
            granted_by: Set(actor.person_id()),
            created_at: Set(now.timestamp()),
            ..Default::default()
        }))
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    tracing::info!(
        event = "account_authorisations_set",
        school_id = actor.school_id(),
        account_id = account.id,
        by = actor.person_id(),
        count = wanted.len(),
        "who may send with an establishment account"
    );
    Ok(())
}

/// What the authorisation form sends: among the staff it `shown` (after filtering), those
/// `ticked`. Staff the filter hid keep what they had.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    shown: &[i64],
    ticked: &[i64],
    now: Now,
) -> Result<()> {
    let account = establishment_account(db, actor, account_id).await?;
    let members: BTreeSet<i64> = membership::Entity::find()
        .filter(membership::Column::SchoolId.eq(actor.school_id()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.person_id)
        .collect();
    // Grants of people no longer in the school are dropped, never carried forward.
    let mut allowed: BTreeSet<i64> = grant::Entity::find()
        .filter(grant::Column::AccountId.eq(account.id))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.person_id)
        .filter(|p| !shown.contains(p) && members.contains(p))
        .collect();
    allowed.extend(ticked.iter().filter(|p| shown.contains(p)));
    let allowed: Vec<i64> = allowed.into_iter().collect();
    set(db, actor, account_id, &allowed, now).await
}

/// The account `id` if `actor` may send with it now: their own active personal account, or
/// an active establishment account they are authorised on. "Not found" otherwise.
pub(crate) async fn find_usable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<row::Model> {
    let account = row::Entity::find_by_id(id)
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .filter(row::Column::State.eq(AccountState::Active.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let usable = if account.kind == AccountKind::Personal.as_str() {
        account.owner_person_id == Some(actor.person_id())
    } else {
        grant::Entity::find()
            .filter(grant::Column::AccountId.eq(account.id))
            .filter(grant::Column::PersonId.eq(actor.person_id()))
            .one(db)
            .await?
            .is_some()
    };
    usable.then_some(account).ok_or(Error::NotFound)
}

/// The account `id` as `actor` may send with it now ("not found" otherwise).
pub async fn usable_account(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    now: Now,
) -> Result<AccountView> {
    let account = find_usable(db, actor, id).await?;
    view(db, &account, now).await
}

/// The accounts `actor` may send with: their active personal account first, then the
/// active establishment accounts they are authorised on.
pub async fn usable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: Now,
) -> Result<Vec<AccountView>> {
    let granted: Vec<i64> = grant::Entity::find()
        .filter(grant::Column::SchoolId.eq(actor.school_id()))
        .filter(grant::Column::PersonId.eq(actor.person_id()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.account_id)
        .collect();
    let rows = row::Entity::find()
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .filter(row::Column::State.eq(AccountState::Active.as_str()))
        .order_by_desc(row::Column::Kind)
        .order_by_asc(row::Column::Label)
        .all(db)
        .await?;
    let mut views = Vec::new();
    for r in rows.iter().filter(|r| {
        (r.kind == AccountKind::Personal.as_str() && r.owner_person_id == Some(actor.person_id()))
            || (r.kind == AccountKind::Establishment.as_str() && granted.contains(&r.id))
    }) {
        views.push(view(db, r, now).await?);
    }
    Ok(views)
}
