//! E-mail verification codes (SECURITY.md): six digits from the OS CSPRNG, valid ten
//! minutes, single use, bound to school, account, address and purpose; five wrong tries
//! void a code; a new code at most once a minute and five times an hour per address; only
//! an HMAC-SHA-256 of the code (keyed by a server key) is stored, compared in constant time.

use hmac::{Hmac, Mac};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{AccountState, AccountView, advance, find_for, view};
use crate::access::Actor;
use crate::entity::{account, verification_code as row};
use crate::mail::templates;
use crate::secret::{Secret, random_bytes};
use crate::sending_settings::SendingEnvironment;
use crate::{CodeRefusal, Error, Invalid, Now, Result, routes, schools, throttle};

pub const LIFETIME_SECS: i64 = vocabulary::limits::CODE_LIFETIME_SECS;
pub const MAX_ATTEMPTS: i32 = vocabulary::limits::CODE_MAX_ATTEMPTS;
pub const RESEND_COOLDOWN_SECS: i64 = 60;
/// What a code proves. Part of what the HMAC binds, so a code for one purpose is worthless
/// for another.
pub const PURPOSE_VERIFY_ADDRESS: &str = "verify_address";

/// Six uniformly random digits (rejection sampling: no digit is likelier than another).
fn new_code() -> Result<Secret> {
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let mut bytes = [0u8; 4];
        random_bytes(&mut bytes)?;
        let n = u32::from_le_bytes(bytes);
        if n < LIMIT {
            return Ok(Secret::new(format!("{:06}", n % 1_000_000)));
        }
    }
}

/// The keyed hash stored for `code`: binds the code to everything it is valid for.
fn code_hmac(env: &SendingEnvironment, r: &row::Model, code: &str) -> String {
    let key = env.keys.derived_key("verification-code");
    hmac_hex(
        &key,
        r.school_id,
        r.account_id,
        &r.address,
        &r.purpose,
        code,
    )
}

fn hmac_hex(
    key: &Zeroizing<[u8; 32]>,
    school_id: i64,
    account_id: i64,
    address: &str,
    purpose: &str,
    code: &str,
) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref()) else {
        return String::new(); // unreachable: HMAC accepts any key length
    };
    mac.update(format!("v1|{school_id}|{account_id}|{address}|{purpose}|{code}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The code now pending for this account's current address, if any.
pub(crate) async fn pending(
    db: &impl ConnectionTrait,
    a: &account::Model,
) -> Result<Option<row::Model>> {
    Ok(row::Entity::find()
        .filter(row::Column::SchoolId.eq(a.school_id))
        .filter(row::Column::AccountId.eq(a.id))
        .filter(row::Column::Address.eq(&a.address))
        .filter(row::Column::Purpose.eq(PURPOSE_VERIFY_ADDRESS))
        .filter(row::Column::UsedAt.is_null())
        .order_by_desc(row::Column::Id)
        .one(db)
        .await?)
}

/// Seconds before another code may be mailed for this account to its address (0: now).
/// Per account, so that one person's requests never show in another's page.
pub(crate) async fn resend_wait(
    db: &impl ConnectionTrait,
    a: &account::Model,
    now: Now,
) -> Result<i64> {
    let last = row::Entity::find()
        .filter(row::Column::SchoolId.eq(a.school_id))
        .filter(row::Column::AccountId.eq(a.id))
        .filter(row::Column::Address.eq(&a.address))
        .order_by_desc(row::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(last.map_or(0, |c| {
        std::cmp::max(c.created_at + RESEND_COOLDOWN_SECS - now.timestamp(), 0)
    }))
}

/// Voids every unused code of an account (a new code replaces the old one).
pub(crate) async fn void_all(db: &impl ConnectionTrait, account_id: i64, now: Now) -> Result<()> {
    row::Entity::update_many()
        .col_expr(row::Column::UsedAt, Expr::value(now.timestamp()))
        .filter(row::Column::AccountId.eq(account_id))
        .filter(row::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Mails a new code to the account's address through the school's settings.
pub(crate) async fn send(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    a: &account::Model,
    now: Now,
) -> Result<()> {
    let wait = resend_wait(db, a, now).await?;
    if wait > 0 {
        return Err(Error::Code(CodeRefusal::ResendTooSoon {
            retry_after_secs: wait,
        }));
    }
    // Keyed per school (SECURITY.md 18): one school's traffic never blocks another's.
    let school = a.school_id.to_string();
    let per_address = throttle::key(&format!("code-send:school:{school}"), &a.address);
    throttle::reserve(db, &per_address, throttle::CODE_SENDS_PER_ADDRESS, now).await?;
    let per_account = throttle::key("code-send:account", &a.id.to_string());
    throttle::reserve(db, &per_account, throttle::CODE_SENDS_PER_ACCOUNT, now).await?;
    let per_school = throttle::key("code-send:school", &school);
    throttle::reserve(db, &per_school, throttle::CODE_SENDS_PER_SCHOOL, now).await?;

    void_all(db, a.id, now).await?;
    let code = new_code()?;
    let mut r = row::Model {
        id: 0,
        school_id: a.school_id,
        account_id: a.id,
        address: a.address.clone(),
        purpose: PURPOSE_VERIFY_ADDRESS.to_owned(),
        code_hmac: String::new(),
        created_at: now.timestamp(),
        expires_at: now.timestamp() + LIFETIME_SECS,
        attempts: 0,
        used_at: None,
    };
    r.code_hmac = code_hmac(env, &r, code.expose());
    row::ActiveModel {
        school_id: Set(r.school_id),
        account_id: Set(r.account_id),
        address: Set(r.address.clone()),
        purpose: Set(r.purpose.clone()),
        code_hmac: Set(r.code_hmac.clone()),
        created_at: Set(r.created_at),
        expires_at: Set(r.expires_at),
        attempts: Set(0),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;

    let school = schools::get(db, a.school_id).await?;
    let carrier = routes::school_carrier(db, env, a.school_id).await?;
    let mail = templates::verification_code(&school.name, &a.address, code.expose());
    tracing::info!(
        event = "verification_code_sent",
        school_id = a.school_id,
        account_id = a.id,
        to = %crate::mail::mask(&a.address),
        "verification code mailed"
    );
    carrier.notification_route().send(&mail).await
}

/// "Renvoyer le code": a new code (the previous one stops working), once the cooldown is over.
pub async fn resend(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    account_id: i64,
    now: Now,
) -> Result<AccountView> {
    let a = find_for(db, actor, account_id).await?;
    if a.state != AccountState::AwaitingCode.as_str() {
        return Err(Invalid::WrongStep.into());
    }
    send(db, env, &a, now).await?;
    view(db, &a, now).await
}

/// Only the digits of what was typed ("123 456" and "123456" are the same code).
fn typed_digits(typed: &str) -> Result<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(Invalid::CodeMalformed.into())
    }
}

/// Step 2: checks the typed code. On success the address is verified and the wizard moves on.
pub async fn submit(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    account_id: i64,
    typed: &str,
    now: Now,
) -> Result<AccountView> {
    let a = find_for(db, actor, account_id).await?;
    if a.state != AccountState::AwaitingCode.as_str() {
        return Err(Error::Code(CodeRefusal::NonePending));
    }
    let typed = typed_digits(typed)?;
    let failures = throttle::key("code-fail:account", &a.id.to_string());
    throttle::check(db, &failures, now).await?;
    let Some(code) = pending(db, &a).await? else {
        return Err(Error::Code(CodeRefusal::NonePending));
    };
    if now.timestamp() >= code.expires_at {
        return Err(Error::Code(CodeRefusal::Expired {
            lifetime_secs: LIFETIME_SECS,
        }));
    }
    // Count the try before comparing, in one statement: parallel guesses cannot exceed
    // the limit between a read and a write.
    let counted = row::Entity::update_many()
        .col_expr(
            row::Column::Attempts,
            Expr::col(row::Column::Attempts).add(1),
        )
        .filter(row::Column::Id.eq(code.id))
        .filter(row::Column::UsedAt.is_null())
        .filter(row::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(db)
        .await?;
    if counted.rows_affected == 0 {
        return Err(Error::Code(CodeRefusal::Voided {
            after_tries: MAX_ATTEMPTS,
        }));
    }
    let expected = code.code_hmac.as_bytes();
    let given = code_hmac(env, &code, &typed);
    if !bool::from(given.as_bytes().ct_eq(expected)) {
        throttle::record_failure(db, &failures, throttle::CODE_FAILURES_PER_ACCOUNT, now).await?;
        let attempts = row::Entity::find_by_id(code.id)
            .one(db)
            .await?
            .map_or(MAX_ATTEMPTS, |c| c.attempts);
        tracing::info!(
            event = "verification_code_wrong",
            school_id = a.school_id,
            account_id = a.id,
            attempts,
            "wrong verification code"
        );
        if attempts >= MAX_ATTEMPTS {
            // The row keeps its count, so every later try is refused as voided too.
            return Err(Error::Code(CodeRefusal::Voided {
                after_tries: MAX_ATTEMPTS,
            }));
        }
        return Err(Error::Code(CodeRefusal::Wrong {
            remaining: MAX_ATTEMPTS - attempts,
        }));
    }
    // Single use, even against a parallel submission of the same code.
    let used = row::Entity::update_many()
        .col_expr(row::Column::UsedAt, Expr::value(now.timestamp()))
        .filter(row::Column::Id.eq(code.id))
        .filter(row::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected == 0 {
        return Err(Error::Code(CodeRefusal::NonePending));
    }
    let next = match (&a.answer_hash, a.activated_at) {
        (None, _) => AccountState::AwaitingSecret,
        (Some(_), None) => AccountState::AwaitingValidation,
        (Some(_), Some(_)) => AccountState::Active,
    };
    let a = advance(db, &a, next, |u| u).await?;
    tracing::info!(
        event = "address_verified",
        school_id = a.school_id,
        account_id = a.id,
        "address verified"
    );
    view(db, &a, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = new_code().unwrap();
            assert_eq!(code.expose().len(), 6);
            assert!(code.expose().chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn typed_codes_tolerate_spaces_only() {
        assert_eq!(typed_digits(" 123 456 ").unwrap(), "123456");
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert!(typed_digits(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_hmac_binds_every_part() {
        let key = Zeroizing::new([7u8; 32]);
        let base = hmac_hex(&key, 1, 2, "a@b.fr", "verify_address", "123456");
        assert_eq!(base.len(), 64);
        assert!(!base.contains("123456"));
        for other in [
            hmac_hex(&key, 9, 2, "a@b.fr", "verify_address", "123456"),
            hmac_hex(&key, 1, 9, "a@b.fr", "verify_address", "123456"),
            hmac_hex(&key, 1, 2, "c@b.fr", "verify_address", "123456"),
            hmac_hex(&key, 1, 2, "a@b.fr", "reset", "123456"),
            hmac_hex(&key, 1, 2, "a@b.fr", "verify_address", "123457"),
            hmac_hex(
                &Zeroizing::new([8u8; 32]),
                1,
                2,
                "a@b.fr",
                "verify_address",
                "123456",
            ),
        ] {
            assert_ne!(base, other);
        }
    }
}
