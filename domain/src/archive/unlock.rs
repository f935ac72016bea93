//! Reading an account's archive. The secret answer (or the recovery file) opens the private
//! key; it is then kept for [`UNLOCK_SECS`] for this session only, wrapped under a key
//! derived from the session's cookie value, which the database does not hold (it keeps
//! only its hash). A database dump therefore opens no archive, even while one is unlocked.
//!
//! Who may try: the owner of a personal account; for an establishment account, the
//! school's administrators and the staff allowed to send with it. Anyone else gets
//! "not found"; wrong answers count towards the account's lockout as everywhere else.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use zeroize::Zeroizing;

use super::sealed::{ArchivedMessage, open_message};
use super::{FileRefusal, Owner, PrivateKey, hkdf_key, open, private_from, seal};
use crate::access::Actor;
use crate::accounts::answer::{Proof, normalise, require};
use crate::accounts::{authorisations::find_usable, find_for, owner, stored_keys};
use crate::entity::{account, archive_entry, archive_unlock};
use crate::secret::{Secret, token_hash};
use crate::{Error, Now, Result};

/// How long an opened archive stays open for the session.
pub const UNLOCK_SECS: i64 = vocabulary::limits::ARCHIVE_UNLOCK_SECS;
/// At most this many messages are listed (newest first).
pub const LIST_LIMIT: u64 = 200;

/// One archived message, opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveItem {
    pub message_id: i64,
    pub message: ArchivedMessage,
}

/// What the archive page shows.
#[derive(Clone, Debug)]
pub struct OpenedArchive {
    pub account_label: String,
    pub items: Vec<ArchiveItem>,
    /// Rows that did not open (moved or damaged): counted, never shown.
    pub unreadable: usize,
    pub open_until: i64,
}

async fn find_reader(
    db: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
) -> Result<account::Model> {
    match find_for(db, actor, account_id).await {
        Ok(a) => Ok(a),
        Err(Error::NotFound) => find_usable(db, actor, account_id).await,
        Err(e) => Err(e),
    }
}

fn session_key(session: &Secret, owner: Owner) -> Zeroizing<[u8; 32]> {
    hkdf_key(session.expose().as_bytes(), &owner.label("session-unlock"))
}

async fn keep_open(
    db: &impl ConnectionTrait,
    session: &Secret,
    a: &account::Model,
    private: &PrivateKey,
    now: Now,
) -> Result<()> {
    let owner = owner(a);
    let sealed = seal(
        &session_key(session, owner),
        private.as_static_secret().as_bytes(),
        &owner.label("session-unlock"),
    )?;
    let session_hash = token_hash(session.expose());
    archive_unlock::Entity::delete_many()
        .filter(archive_unlock::Column::SessionHash.eq(session_hash.clone()))
        .filter(archive_unlock::Column::AccountId.eq(a.id))
        .exec(db)
        .await?;
    archive_unlock::ActiveModel {
        session_hash: Set(session_hash),
        account_id: Set(a.id),
        wrapped_key: Set(base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            sealed,
        )),
        expires_at: Set(now.timestamp() + UNLOCK_SECS),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(
        event = "archive_unlocked",
        school_id = a.school_id,
        account_id = a.id,
        "archive opened for this session"
    );
    Ok(())
}

/// What a locked archive's page shows: the account's label and, as a reminder, its
/// secret question ("not found" for anyone who may not read it).
pub async fn lock_screen(
    db: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
) -> Result<(String, Option<String>)> {
    let a = find_reader(db, actor, account_id).await?;
    Ok((a.label, a.secret_question))
}

/// Opens the archive of `account_id` for this session with the secret answer.
pub async fn with_answer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session: &Secret,
    account_id: i64,
    proof: Proof<'_>,
    now: Now,
) -> Result<()> {
    let a = find_reader(db, actor, account_id).await?;
    let stored = stored_keys(&a).ok_or(Error::NotFound)?;
    require(db, &a, proof, now).await?;
    let normalised = Secret::new(normalise(proof.answer.expose()));
    let private = super::open_with_answer(proof.hasher, owner(&a), &stored, &normalised)
        .await?
        .ok_or_else(|| Error::Internal("the answer matched but did not open the key".into()))?;
    keep_open(db, session, &a, &private, now).await
}

/// Opens the archive of `account_id` for this session with its recovery file.
pub async fn with_file(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session: &Secret,
    account_id: i64,
    file: &[u8],
    now: Now,
) -> Result<std::result::Result<(), FileRefusal>> {
    let a = find_reader(db, actor, account_id).await?;
    let Some(stored) = stored_keys(&a) else {
        return Ok(Err(FileRefusal::OtherAccount));
    };
    match super::open_with_file(owner(&a), &stored, file) {
        Ok(private) => keep_open(db, session, &a, &private, now).await.map(Ok),
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// Closes the archive for this session at once.
pub async fn close(db: &impl ConnectionTrait, session: &Secret, account_id: i64) -> Result<()> {
    archive_unlock::Entity::delete_many()
        .filter(archive_unlock::Column::SessionHash.eq(token_hash(session.expose())))
        .filter(archive_unlock::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The archive's messages, newest first, if this session opened it less than
/// [`UNLOCK_SECS`] ago; [`Error::ArchiveLocked`] otherwise.
pub async fn read(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session: &Secret,
    account_id: i64,
    now: Now,
) -> Result<OpenedArchive> {
    let a = find_reader(db, actor, account_id).await?;
    let unlock = archive_unlock::Entity::find()
        .filter(archive_unlock::Column::SessionHash.eq(token_hash(session.expose())))
        .filter(archive_unlock::Column::AccountId.eq(a.id))
        .filter(archive_unlock::Column::ExpiresAt.gt(now.timestamp()))
        .one(db)
        .await?
        .ok_or(Error::ArchiveLocked)?;
    let owner = owner(&a);
    let wrapped = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        &unlock.wrapped_key,
    )
    .map_err(|_| Error::ArchiveLocked)?;
    let private = open(
        &session_key(session, owner),
        &wrapped,
        &owner.label("session-unlock"),
    )
    .and_then(|bytes| private_from(&bytes))
    .ok_or(Error::ArchiveLocked)?;
    let rows = archive_entry::Entity::find()
        .filter(archive_entry::Column::SchoolId.eq(a.school_id))
        .filter(archive_entry::Column::AccountId.eq(a.id))
        .order_by_desc(archive_entry::Column::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?;
    let mut items = Vec::new();
    let mut unreadable = 0;
    for row in rows {
        match open_message(&private, owner, row.message_id, &row.sealed) {
            Some(message) => items.push(ArchiveItem {
                message_id: row.message_id,
                message,
            }),
            None => unreadable += 1,
        }
    }
    Ok(OpenedArchive {
        account_label: a.label.clone(),
        items,
        unreadable,
        open_until: unlock.expires_at,
    })
}

/// Forgets expired unlocks (called with the other periodic clean-ups).
pub async fn purge_expired(db: &impl ConnectionTrait, now: Now) -> Result<u64> {
    Ok(archive_unlock::Entity::delete_many()
        .filter(archive_unlock::Column::ExpiresAt.lte(now.timestamp()))
        .exec(db)
        .await?
        .rows_affected)
}
