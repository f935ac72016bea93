//! Server-side sessions shared by every instance through the database.
//!
//! The cookie carries a 256-bit random token; the table keeps only its SHA-256. A session
//! ends after 30 minutes without a request (idle) and 12 hours after sign-in (absolute),
//! whichever comes first, and at sign-out.

use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::entity::session;
use crate::secret::{Secret, new_token, token_hash};
use crate::{Error, Now, Result};

pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY_SECS: i64 = 60;

/// Who a live session belongs to and which school they are working in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    pub person_id: i64,
    pub school_id: Option<i64>,
}

/// Opens a new session and returns the token for the cookie.
pub async fn start(
    db: &impl ConnectionTrait,
    person_id: i64,
    school_id: Option<i64>,
    now: Now,
) -> Result<Secret> {
    let token = new_token()?;
    let now = now.timestamp();
    session::ActiveModel {
        id_hash: Set(token_hash(token.expose())),
        person_id: Set(person_id),
        school_id: Set(school_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + ABSOLUTE_TIMEOUT_SECS),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The live session behind `token`, if any. Expired sessions are deleted on sight.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
    now: Now,
) -> Result<Option<SessionInfo>> {
    let id_hash = token_hash(token);
    let Some(row) = session::Entity::find_by_id(id_hash.clone()).one(db).await? else {
        return Ok(None);
    };
    let now = now.timestamp();
    if row.expires_at <= now || row.last_seen_at + IDLE_TIMEOUT_SECS <= now {
        session::Entity::delete_by_id(id_hash).exec(db).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_EVERY_SECS {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, now.into())
            .filter(session::Column::IdHash.eq(id_hash))
            .exec(db)
            .await?;
    }
    Ok(Some(SessionInfo {
        person_id: row.person_id,
        school_id: row.school_id,
    }))
}

/// Ends the session behind `token` on the server (sign-out).
pub async fn end(db: &impl ConnectionTrait, token: &str) -> Result<()> {
    session::Entity::delete_by_id(token_hash(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves the person to another school they belong to, under a **new** session id: the
/// switch may raise their role (teacher here, administrator there), like a sign-in.
pub async fn switch_school(
    db: &impl ConnectionTrait,
    token: &str,
    person_id: i64,
    school_id: i64,
    now: Now,
) -> Result<Secret> {
    if crate::access::actor_in(db, person_id, school_id)
        .await?
        .is_none()
    {
        return Err(Error::NotFound);
    }
    end(db, token).await?;
    start(db, person_id, Some(school_id), now).await
}

/// Deletes every expired session; run periodically.
pub async fn purge_expired(db: &impl ConnectionTrait, now: Now) -> Result<u64> {
    let now = now.timestamp();
    let result = session::Entity::delete_many()
        .filter(
            session::Column::ExpiresAt
                .lte(now)
                .or(session::Column::LastSeenAt.lte(now - IDLE_TIMEOUT_SECS)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
