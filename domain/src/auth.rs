//! Signing in with an e-mail address and a password, throttled per account and per client
//! address. Events are logged without the address or the password.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{membership, person};
use crate::password::PasswordHasher;
use crate::secret::Secret;
use crate::{Error, Now, Result, throttle, validate};

/// Who just signed in, and the school their session starts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub person_id: i64,
    pub school_id: Option<i64>,
}

/// Checks `email` and `password`. Unknown address and wrong password fail alike, in
/// about the same time, and both count towards the lockouts.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    hasher: &PasswordHasher,
    email: &str,
    password: &Secret,
    client_ip: &str,
    now: Now,
) -> Result<SignedIn> {
    let email = validate::email(email).map_err(|_| Error::InvalidCredentials)?;
    let account_key = throttle::key("sign-in:account", &email);
    let ip_key = throttle::key("sign-in:ip", client_ip);
    throttle::check(db, &ip_key, now).await?;
    throttle::reserve(db, &account_key, throttle::SIGN_IN_PER_ACCOUNT, now).await?;

    let person = person::Entity::find()
        .filter(person::Column::Email.eq(&email))
        .one(db)
        .await?;
    let verified = match person.as_ref().and_then(|p| p.password_hash.as_deref()) {
        Some(hash) => hasher.verify(password, hash).await?,
        None => {
            hasher.waste_time(password).await?;
            false
        }
    };
    let Some(person) = person.filter(|_| verified) else {
        throttle::attempt_failed(db, &account_key, throttle::SIGN_IN_PER_ACCOUNT, now).await?;
        throttle::record_failure(db, &ip_key, throttle::SIGN_IN_PER_IP, now).await?;
        tracing::info!(event = "sign_in", outcome = "failure", "sign-in refused");
        return Err(Error::InvalidCredentials);
    };
    throttle::clear(db, &account_key).await?;
    let first_school = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person.id))
        .order_by_asc(membership::Column::Id)
        .one(db)
        .await?
        .map(|m| m.school_id);
    tracing::info!(
        event = "sign_in",
        outcome = "success",
        person_id = person.id,
        "signed in"
    );
    Ok(SignedIn {
        person_id: person.id,
        school_id: first_school,
    })
}
