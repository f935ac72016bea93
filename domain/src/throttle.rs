//! Failure counters with lockouts, stored in the database so that every server instance
//! sees the same counts. Keys name what is counted (an account, an IP address), hashed so
//! that no address is stored in clear here.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::throttle;
use crate::secret::token_hash;
use crate::{Error, Now, Result};

/// How many failures within a window lead to how long a lockout.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub max_failures: i32,
    pub window_secs: i64,
    pub lockout_secs: i64,
}

/// Sign-in failures per account: 5 within 15 minutes lock the account for 15 minutes.
pub const SIGN_IN_PER_ACCOUNT: Policy = Policy {
    max_failures: 5,
    window_secs: 15 * 60,
    lockout_secs: 15 * 60,
};

/// Sign-in failures per client address: generous, since a school's staff share one NAT.
pub const SIGN_IN_PER_IP: Policy = Policy {
    max_failures: 50,
    window_secs: 15 * 60,
    lockout_secs: 15 * 60,
};

/// Test sends per school: an administrator tries a few settings, not a mailing campaign
/// through the host's relay.
pub const TEST_SENDS_PER_SCHOOL: Policy = Policy {
    max_failures: 20,
    window_secs: 60 * 60,
    lockout_secs: 60 * 60,
};

/// Invitations mailed per school and hour.
pub const INVITATIONS_PER_SCHOOL: Policy = Policy {
    max_failures: 100,
    window_secs: 60 * 60,
    lockout_secs: 60 * 60,
};

/// Verification codes mailed to one address of one school, per hour (SECURITY.md: 5).
pub const CODE_SENDS_PER_ADDRESS: Policy = Policy {
    max_failures: 5,
    window_secs: 60 * 60,
    lockout_secs: 60 * 60,
};

/// Verification codes mailed per school and hour, whatever the address: a school's staff
/// set up their accounts, nobody mails hundreds of codes.
pub const CODE_SENDS_PER_SCHOOL: Policy = Policy {
    max_failures: 200,
    window_secs: 60 * 60,
    lockout_secs: 60 * 60,
};

/// Verification codes mailed for one account per hour, whatever the address: changing the
/// address again and again must not turn the school's relay into a mailing tool.
pub const CODE_SENDS_PER_ACCOUNT: Policy = Policy {
    max_failures: 10,
    window_secs: 60 * 60,
    lockout_secs: 60 * 60,
};

/// Test sends per sending account and hour (the school's own quota stays for step 1).
pub const TEST_SENDS_PER_ACCOUNT: Policy = Policy {
    max_failures: 20,
    window_secs: 60 * 60,
    lockout_secs: 60 * 60,
};

/// Wrong verification codes per account and hour, across all its codes (SECURITY.md: 100).
pub const CODE_FAILURES_PER_ACCOUNT: Policy = Policy {
    max_failures: 100,
    window_secs: 60 * 60,
    lockout_secs: 60 * 60,
};

/// The storage key for `what` in `scope`; `what` (an address) is hashed.
pub fn key(scope: &str, what: &str) -> String {
    format!("{scope}:{}", token_hash(what))
}

/// Fails with [`Error::TooManyAttempts`] while `key` is locked.
pub async fn check(db: &impl ConnectionTrait, key: &str, now: Now) -> Result<()> {
    let row = throttle::Entity::find_by_id(key.to_owned()).one(db).await?;
    match row.and_then(|r| r.locked_until) {
        Some(until) if until > now.timestamp() => Err(Error::TooManyAttempts {
            retry_after_secs: until - now.timestamp(),
        }),
        _ => Ok(()),
    }
}

/// Counts one failure for `key`, and locks it once the policy's limit is reached.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    key: &str,
    policy: Policy,
    now: Now,
) -> Result<()> {
    let now = now.timestamp();
    // Start a fresh window when the old one is over (or the key is new)...
    ensure_row(db, key, now).await?;
    throttle::Entity::update_many()
        .col_expr(throttle::Column::Failures, Expr::value(0))
        .col_expr(throttle::Column::WindowStart, Expr::value(now))
        .filter(throttle::Column::Key.eq(key))
        .filter(throttle::Column::WindowStart.lte(now - policy.window_secs))
        .exec(db)
        .await?;
    // ...then count atomically, so concurrent failures on several instances all count.
    throttle::Entity::update_many()
        .col_expr(
            throttle::Column::Failures,
            Expr::col(throttle::Column::Failures).add(1),
        )
        .filter(throttle::Column::Key.eq(key))
        .exec(db)
        .await?;
    throttle::Entity::update_many()
        .col_expr(
            throttle::Column::LockedUntil,
            Expr::value(now + policy.lockout_secs),
        )
        .col_expr(throttle::Column::Failures, Expr::value(0))
        .col_expr(throttle::Column::WindowStart, Expr::value(now))
        .filter(throttle::Column::Key.eq(key))
        .filter(throttle::Column::Failures.gte(policy.max_failures))
        .exec(db)
        .await?;
    Ok(())
}

/// Counts an attempt *before* the slow check it guards, so that parallel attempts cannot
/// all slip in ahead of the first recorded failure. Refuses when `key` is locked or when
/// this attempt would exceed the policy's limit. Follow with [`attempt_failed`] or [`clear`].
pub async fn reserve(db: &impl ConnectionTrait, key: &str, policy: Policy, now: Now) -> Result<()> {
    let at = now.timestamp();
    ensure_row(db, key, at).await?;
    throttle::Entity::update_many()
        .col_expr(throttle::Column::Failures, Expr::value(0))
        .col_expr(throttle::Column::WindowStart, Expr::value(at))
        .filter(throttle::Column::Key.eq(key))
        .filter(throttle::Column::WindowStart.lte(at - policy.window_secs))
        .filter(
            throttle::Column::LockedUntil
                .is_null()
                .or(throttle::Column::LockedUntil.lte(at)),
        )
        .exec(db)
        .await?;
    // Count only while unlocked, in one statement: a lock set by a parallel attempt stops
    // this one even if it passed an earlier check.
    let counted = throttle::Entity::update_many()
        .col_expr(
            throttle::Column::Failures,
            Expr::col(throttle::Column::Failures).add(1),
        )
        .filter(throttle::Column::Key.eq(key))
        .filter(
            throttle::Column::LockedUntil
                .is_null()
                .or(throttle::Column::LockedUntil.lte(at)),
        )
        .exec(db)
        .await?;
    if counted.rows_affected == 0 {
        return check(db, key, now).await.and(Err(Error::TooManyAttempts {
            retry_after_secs: policy.lockout_secs,
        }));
    }
    let count = throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map_or(0, |r| r.failures);
    if count > policy.max_failures {
        lock(db, key, policy, at).await?;
        return Err(Error::TooManyAttempts {
            retry_after_secs: policy.lockout_secs,
        });
    }
    Ok(())
}

/// After a reserved attempt failed: locks `key` once the limit is reached.
pub async fn attempt_failed(
    db: &impl ConnectionTrait,
    key: &str,
    policy: Policy,
    now: Now,
) -> Result<()> {
    let row = throttle::Entity::find_by_id(key.to_owned()).one(db).await?;
    if row.is_some_and(|r| r.failures >= policy.max_failures) {
        lock(db, key, policy, now.timestamp()).await?;
    }
    Ok(())
}

/// Locks `key`. The count is kept (not reset) so that attempts already in flight still see
/// the limit; the window starts again from the lock.
async fn lock(db: &impl ConnectionTrait, key: &str, policy: Policy, at: i64) -> Result<()> {
    throttle::Entity::update_many()
        .col_expr(
            throttle::Column::LockedUntil,
            Expr::value(at + policy.lockout_secs),
        )
        .col_expr(throttle::Column::WindowStart, Expr::value(at))
        .filter(throttle::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

async fn ensure_row(db: &impl ConnectionTrait, key: &str, at: i64) -> Result<()> {
    throttle::Entity::insert(throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_start: Set(at),
        locked_until: Set(None),
    })
    .on_conflict_do_nothing_on([throttle::Column::Key])
    .exec(db)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a success).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<()> {
    throttle::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(())
}
