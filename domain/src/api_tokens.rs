//! API tokens: how a school's other software queues messages and reads their status
//! (`/api/v1`). An administrator creates a token (shown once) and can revoke it; only its
//! SHA-256 is stored (the token is 256 random bits, so a plain hash is enough). A token
//! acts for its school only, and may send from the school's active establishment accounts,
//! never from a person's own account.
//!
//! A token acts for its creator: it works only while they are an administrator of its
//! school. Removed from the school or no longer an administrator, their tokens are refused
//! at once and what they queued is not sent (`outbox::permission`); the page
//! lists such tokens as inactive. Made an administrator again, their tokens work again
//! (unless revoked).

use std::collections::HashSet;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::access::Actor;
use crate::accounts::{AccountKind, AccountState};
use crate::entity::{account, api_token as row, membership, message};
use crate::outbox::compose::{Composition, Origin, Queued, queue_composition};
use crate::outbox::stop::{GOING, STOPPED};
use crate::outbox::{SendDetail, detail_of};
use crate::secret::{Secret, new_token, token_hash};
use crate::{Error, Now, Result, validate};

/// Every token starts with this, so a leaked one is recognisable (secret scanners).
pub const PREFIX: &str = "ecc_";

/// A token as the administration page lists it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenView {
    pub id: i64,
    pub label: String,
    /// The first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// Its creator is no longer an administrator of the school (or no longer in it): the
    /// token is refused, though not revoked.
    pub creator_gone: bool,
}

impl TokenView {
    fn new(r: row::Model, creator_gone: bool) -> Self {
        Self {
            id: r.id,
            label: r.label,
            prefix: r.prefix,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
            creator_gone,
        }
    }
}

/// Whether `person_id` administers `school_id` now: what a token of theirs needs.
async fn is_admin_of(db: &impl ConnectionTrait, school_id: i64, person_id: i64) -> Result<bool> {
    Ok(membership::Entity::find()
        .filter(membership::Column::SchoolId.eq(school_id))
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::IsAdmin.eq(true))
        .count(db)
        .await?
        > 0)
}

/// Who is calling the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiCaller {
    pub school_id: i64,
    pub token_id: i64,
    pub created_by: i64,
}

/// A new token for the actor's school; the token is returned once, here.
pub async fn create(
    db: &impl ConnectionTrait,
    actor: &Actor,
    label: &str,
    now: Now,
) -> Result<(TokenView, Secret)> {
    actor.require_admin()?;
    let label = validate::display_name(label)?;
    let token = Secret::new(format!("{PREFIX}{}", new_token()?.expose()));
    let prefix: String = token.expose().chars().take(PREFIX.len() + 6).collect();
    let created = row::ActiveModel {
        school_id: Set(actor.school_id()),
        label: Set(label),
        token_hash: Set(token_hash(token.expose())),
        prefix: Set(prefix),
        created_by: Set(actor.person_id()),
        created_at: Set(now.timestamp()),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(
        event = "api_token_created",
        school_id = actor.school_id(),
        token_id = created.id,
        "API token created"
    );
    Ok((TokenView::new(created, false), token))
}

/// The school's tokens, newest first, each saying whether its creator still administers
/// the school.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<TokenView>> {
    actor.require_admin()?;
    let admins: HashSet<i64> = membership::Entity::find()
        .select_only()
        .column(membership::Column::PersonId)
        .filter(membership::Column::SchoolId.eq(actor.school_id()))
        .filter(membership::Column::IsAdmin.eq(true))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(row::Entity::find()
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .order_by_desc(row::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let gone = !admins.contains(&r.created_by);
            TokenView::new(r, gone)
        })
        .collect())
}

/// Revokes a token of the actor's school at once (its queued messages are not sent).
pub async fn revoke(db: &impl ConnectionTrait, actor: &Actor, id: i64, now: Now) -> Result<()> {
    actor.require_admin()?;
    let done = row::Entity::update_many()
        .col_expr(row::Column::RevokedAt, Expr::value(now.timestamp()))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .filter(row::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    tracing::info!(
        event = "api_token_revoked",
        school_id = actor.school_id(),
        token_id = id,
        "API token revoked"
    );
    Ok(())
}

/// How long after its creation a token may still be shown to its creator.
pub const SHOWN_FOR_SECS: i64 = 120;

/// Whether `token` is one `actor` created in this school in the last
/// [`SHOWN_FOR_SECS`] and has not revoked: only then does the page show it (a cookie planted
/// by someone else, or left by another administrator on a shared computer, is not shown).
pub async fn just_created_by(
    db: &impl ConnectionTrait,
    actor: &Actor,
    token: &Secret,
    now: Now,
) -> Result<bool> {
    if !token.expose().starts_with(PREFIX) || token.expose().len() > 200 {
        return Ok(false);
    }
    Ok(row::Entity::find()
        .filter(row::Column::TokenHash.eq(token_hash(token.expose())))
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .filter(row::Column::CreatedBy.eq(actor.person_id()))
        .filter(row::Column::CreatedAt.gte(now.timestamp() - SHOWN_FOR_SECS))
        .filter(row::Column::RevokedAt.is_null())
        .count(db)
        .await?
        > 0)
}

/// The caller a bearer token stands for; "invalid credentials" for an unknown or revoked
/// one, and for one whose creator no longer administers its school.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str, now: Now) -> Result<ApiCaller> {
    if !token.starts_with(PREFIX) || token.len() > 200 {
        return Err(Error::InvalidCredentials);
    }
    let found = row::Entity::find()
        .filter(row::Column::TokenHash.eq(token_hash(token)))
        .filter(row::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(Error::InvalidCredentials)?;
    if !is_admin_of(db, found.school_id, found.created_by).await? {
        tracing::info!(
            event = "api_token_refused",
            school_id = found.school_id,
            token_id = found.id,
            "API token refused: its creator no longer administers the school"
        );
        return Err(Error::InvalidCredentials);
    }
    row::Entity::update_many()
        .col_expr(row::Column::LastUsedAt, Expr::value(now.timestamp()))
        .filter(row::Column::Id.eq(found.id))
        .exec(db)
        .await?;
    Ok(ApiCaller {
        school_id: found.school_id,
        token_id: found.id,
        created_by: found.created_by,
    })
}

/// An account the API may send from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiAccount {
    pub id: i64,
    pub label: String,
    pub address: String,
}

async fn sendable(db: &impl ConnectionTrait, caller: &ApiCaller) -> Result<Vec<account::Model>> {
    Ok(account::Entity::find()
        .filter(account::Column::SchoolId.eq(caller.school_id))
        .filter(account::Column::Kind.eq(AccountKind::Establishment.as_str()))
        .filter(account::Column::State.eq(AccountState::Active.as_str()))
        .order_by_asc(account::Column::Label)
        .all(db)
        .await?)
}

/// The school's active establishment accounts.
pub async fn accounts(db: &impl ConnectionTrait, caller: &ApiCaller) -> Result<Vec<ApiAccount>> {
    Ok(sendable(db, caller)
        .await?
        .into_iter()
        .map(|a| ApiAccount {
            id: a.id,
            label: a.label,
            address: a.address,
        })
        .collect())
}

/// Queues a message from one of the school's active establishment accounts.
pub async fn queue(
    db: &DatabaseConnection,
    caller: &ApiCaller,
    account_id: i64,
    composition: Composition,
    now: Now,
) -> Result<Queued> {
    if !sendable(db, caller)
        .await?
        .iter()
        .any(|a| a.id == account_id)
    {
        return Err(Error::NotFound);
    }
    let origin = Origin {
        school_id: caller.school_id,
        account_id,
        author_person_id: caller.created_by,
        author: "API".into(),
        api_token_id: Some(caller.token_id),
    };
    queue_composition(db, origin, composition, now).await
}

/// A message queued through the API (by any of the school's tokens), with every recipient.
pub async fn status(
    db: &impl ConnectionTrait,
    caller: &ApiCaller,
    message_id: i64,
) -> Result<SendDetail> {
    let m = message::Entity::find_by_id(message_id)
        .filter(message::Column::SchoolId.eq(caller.school_id))
        .filter(message::Column::ApiTokenId.is_not_null())
        .filter(message::Column::State.is_in([GOING, STOPPED]))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    detail_of(db, &m).await
}
