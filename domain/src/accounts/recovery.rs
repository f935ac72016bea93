//! What an administrator does with an establishment account's `cleRecuperation.crbee`:
//! check that a file is this account's and sound, and set a new secret question and answer
//! with it when the answer is forgotten (the same key pair is re-wrapped, so nothing
//! already archived is lost).

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::answer::{NORMALISATION_VERSION, SecretInput};
use super::{AccountKind, AccountView, find_for, owner, stored_keys, view};
use crate::access::Actor;
use crate::archive::{self, FileRefusal, PrivateKey};
use crate::entity::account as row;
use crate::password::PasswordHasher;
use crate::{Error, Now, Result};

async fn open(
    db: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
    file: &[u8],
) -> Result<(row::Model, std::result::Result<PrivateKey, FileRefusal>)> {
    actor.require_admin()?;
    let a = find_for(db, actor, account_id).await?;
    if a.kind != AccountKind::Establishment.as_str() {
        return Err(Error::NotFound);
    }
    let opened = match stored_keys(&a) {
        Some(stored) => archive::open_with_file(owner(&a), &stored, file),
        None => Err(FileRefusal::OtherAccount),
    };
    Ok((a, opened))
}

/// Whether `file` is this account's recovery file and sound.
pub async fn check_file(
    db: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
    file: &[u8],
) -> Result<std::result::Result<(), FileRefusal>> {
    let (a, opened) = open(db, actor, account_id, file).await?;
    tracing::info!(
        event = "recovery_file_checked",
        school_id = a.school_id,
        account_id = a.id,
        ok = opened.is_ok(),
        "recovery file checked"
    );
    Ok(opened.map(|_| ()))
}

/// A new question and answer, authorised by the recovery file instead of the old answer.
pub async fn reset_answer(
    db: &impl ConnectionTrait,
    hasher: &PasswordHasher,
    actor: &Actor,
    account_id: i64,
    file: &[u8],
    input: SecretInput,
    now: Now,
) -> Result<std::result::Result<AccountView, FileRefusal>> {
    let (a, opened) = open(db, actor, account_id, file).await?;
    let private = match opened {
        Ok(private) => private,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let stored = stored_keys(&a).ok_or(Error::NotFound)?;
    let (question, answer) = input.into_parts();
    let hash = hasher.hash(&answer).await?;
    let keys = archive::rewrap_by_answer(hasher, owner(&a), &stored, &private, &answer).await?;
    row::Entity::update_many()
        .col_expr(row::Column::SecretQuestion, Expr::value(question))
        .col_expr(row::Column::AnswerHash, Expr::value(hash))
        .col_expr(
            row::Column::AnswerNormVersion,
            Expr::value(NORMALISATION_VERSION),
        )
        .col_expr(row::Column::PrivateKeyByAnswer, Expr::value(keys.by_answer))
        .col_expr(row::Column::AnswerFailures, Expr::value(0))
        .col_expr(row::Column::AnswerLockouts, Expr::value(0))
        .col_expr(
            row::Column::AnswerLockedUntil,
            Expr::value(Option::<i64>::None),
        )
        .filter(row::Column::Id.eq(a.id))
        .exec(db)
        .await?;
    tracing::info!(
        event = "secret_answer_reset_with_file",
        school_id = a.school_id,
        account_id = a.id,
        "secret answer reset with the recovery file"
    );
    let a = row::Entity::find_by_id(a.id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Ok(view(db, &a, now).await?))
}
