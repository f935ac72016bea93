//! Sending accounts (step 2 of the brief: a staff member's personal account; step 3 will
//! add establishment accounts). An account goes through a resumable wizard, each step one
//! function here with the time passed in:
//!
//! `awaiting_code` (a code is mailed to the address; [`code`]) → `awaiting_secret` (secret
//! question and answer; [`answer`]) → `awaiting_validation` (server settings or the
//! account's own SMTP server, test send; [`sending`]) → `active` (confirmation mailed).
//!
//! Changing the address goes back to `awaiting_code`; once verified again, an account that
//! was active is active again. Once an answer is set, changing the address, the question,
//! the SMTP settings, or deleting the account asks for it.
//!
//! A personal account is visible to its owner only, in the school it was created in:
//! anyone else (an administrator, another school) gets "not found".

pub mod answer;
pub mod authorisations;
pub mod code;
pub mod recovery;
pub mod sending;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, UpdateMany,
};

use crate::access::Actor;
use crate::entity::{account as row, verification_code};
use crate::sending_settings::{SendingEnvironment, TestReport};
use crate::smtp::Security;
use crate::{Error, Invalid, Now, Result, validate};
use answer::Proof;

pub use vocabulary::{AccountKind, AccountState};

/// An account's own SMTP server. No `From` here: an account sends as its verified address.
pub type OwnRelay = crate::sending_settings::SmtpServer;

/// What the account pages show. No hash, no password: only whether one is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountView {
    pub id: i64,
    pub kind: AccountKind,
    pub label: String,
    pub address: String,
    pub state: AccountState,
    pub use_server_settings: bool,
    pub own_relay: Option<OwnRelay>,
    pub password_set: bool,
    pub secret_question: Option<String>,
    /// The archive key's fingerprint, once the account is secured (it is also in the
    /// recovery file, so a file can be matched by eye).
    pub key_fingerprint: Option<String>,
    /// Seconds before a new code may be asked for (0: now).
    pub resend_in_secs: i64,
    /// When the pending code stops working (Unix seconds), if one is pending.
    pub code_expires_at: Option<i64>,
    /// False while the school delivers all mail through the server.
    pub own_smtp_allowed: bool,
    pub last_test: Option<TestReport>,
}

/// What the wizard's first step needs: the label pre-filled with the member's name.
pub fn default_label(actor: &Actor) -> String {
    actor.display_name().to_owned()
}

/// The accounts `actor` manages: their own personal account and, for an administrator,
/// the school's establishment accounts.
fn managed_by(actor: &Actor) -> Condition {
    let own = Condition::all()
        .add(row::Column::Kind.eq(AccountKind::Personal.as_str()))
        .add(row::Column::OwnerPersonId.eq(actor.person_id()));
    let mut managed = Condition::any().add(own);
    if actor.is_admin() {
        managed = managed.add(row::Column::Kind.eq(AccountKind::Establishment.as_str()));
    }
    managed
}

/// The account `id` if `actor` may manage it; "not found" otherwise, whoever owns it.
pub(crate) async fn find_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<row::Model> {
    row::Entity::find_by_id(id)
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .filter(managed_by(actor))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Whose archive keys these are (bound into every derivation).
pub(crate) fn owner(r: &row::Model) -> crate::archive::Owner {
    crate::archive::Owner {
        school_id: r.school_id,
        account_id: r.id,
    }
}

/// The account's archive keys as stored, once it has been secured.
pub(crate) fn stored_keys(r: &row::Model) -> Option<crate::archive::StoredKeys> {
    Some(crate::archive::StoredKeys {
        public_key: r.archive_public_key.clone()?,
        fingerprint: r.key_fingerprint.clone()?,
        by_answer: r.private_key_by_answer.clone()?,
        by_recovery: r.private_key_by_recovery.clone(),
        recovery_verifier: r.recovery_verifier.clone(),
    })
}

pub(crate) fn stored_own_relay(r: &row::Model) -> Option<OwnRelay> {
    Some(OwnRelay {
        host: r.smtp_host.clone()?,
        port: u16::try_from(r.smtp_port?).ok()?,
        security: Security::parse(r.smtp_security.as_deref()?)?,
        username: r.smtp_username.clone(),
    })
}

async fn view(db: &impl ConnectionTrait, r: &row::Model, now: Now) -> Result<AccountView> {
    let pending = code::pending(db, r).await?;
    let resend_in_secs = code::resend_wait(db, r, now).await?;
    let deliver_all = crate::routes::delivers_all_through_server(db, r.school_id).await?;
    Ok(AccountView {
        id: r.id,
        kind: if r.kind == AccountKind::Establishment.as_str() {
            AccountKind::Establishment
        } else {
            AccountKind::Personal
        },
        label: r.label.clone(),
        address: r.address.clone(),
        state: crate::entity::stored(AccountState::from_stored, "account state", &r.state)?,
        use_server_settings: r.use_server_settings || deliver_all,
        own_relay: stored_own_relay(r),
        password_set: r.smtp_password_sealed.is_some(),
        secret_question: r.secret_question.clone(),
        key_fingerprint: r.key_fingerprint.clone(),
        resend_in_secs,
        code_expires_at: pending.map(|c| c.expires_at),
        own_smtp_allowed: !deliver_all,
        last_test: r
            .last_test_report
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
    })
}

/// The accounts `actor` manages in their school: their personal account, and for an
/// administrator the establishment accounts.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, now: Now) -> Result<Vec<AccountView>> {
    let rows = row::Entity::find()
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .filter(managed_by(actor))
        .order_by_desc(row::Column::Kind)
        .order_by_asc(row::Column::Label)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for r in &rows {
        views.push(view(db, r, now).await?);
    }
    Ok(views)
}

/// One account, for its owner.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    now: Now,
) -> Result<AccountView> {
    let r = find_for(db, actor, id).await?;
    view(db, &r, now).await
}

/// Step 1 ("Désignation"): creates the actor's personal account and mails the first code.
/// The account exists even if the mail fails (the error says so); "Renvoyer" retries.
pub async fn create_personal(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    label: &str,
    address: &str,
    now: Now,
) -> Result<AccountView> {
    let existing = row::Entity::find()
        .filter(row::Column::SchoolId.eq(actor.school_id()))
        .filter(row::Column::OwnerPersonId.eq(actor.person_id()))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(Invalid::PersonalAccountExists.into());
    }
    insert(db, env, actor, AccountKind::Personal, label, address, now).await
}

/// Step 3 of the brief: an administrator creates a shared account (secretariat,
/// direction…), then goes through the same wizard.
pub async fn create_establishment(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    label: &str,
    address: &str,
    now: Now,
) -> Result<AccountView> {
    actor.require_admin()?;
    insert(
        db,
        env,
        actor,
        AccountKind::Establishment,
        label,
        address,
        now,
    )
    .await
}

/// Inserts an account at its first step and mails the first code.
async fn insert(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    kind: AccountKind,
    label: &str,
    address: &str,
    now: Now,
) -> Result<AccountView> {
    let label = validate::display_name(label)?;
    let address = validate::email(address)?;
    let inserted = row::ActiveModel {
        school_id: Set(actor.school_id()),
        kind: Set(kind.as_str().to_owned()),
        owner_person_id: Set((kind == AccountKind::Personal).then(|| actor.person_id())),
        label: Set(label),
        address: Set(address),
        state: Set(AccountState::AwaitingCode.as_str().to_owned()),
        use_server_settings: Set(true),
        answer_failures: Set(0),
        answer_lockouts: Set(0),
        created_at: Set(now.timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        // Two submissions at once: the unique index kept one account.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            Error::Invalid(Invalid::PersonalAccountExists)
        }
        _ => Error::Database(e),
    })?;
    tracing::info!(
        event = "account_created",
        school_id = actor.school_id(),
        account_id = inserted.id,
        by = actor.person_id(),
        "sending account created"
    );
    code::send(db, env, &inserted, now).await?;
    view(db, &inserted, now).await
}

/// Changes the address: verification starts again with a code mailed to the new one.
/// Asks for the secret answer once one is set.
pub async fn change_address(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    id: i64,
    address: &str,
    proof: Proof<'_>,
    now: Now,
) -> Result<AccountView> {
    let r = find_for(db, actor, id).await?;
    let address = validate::email(address)?;
    answer::require(db, &r, proof, now).await?;
    let r = advance(db, &r, AccountState::AwaitingCode, |u| {
        u.col_expr(row::Column::Address, Expr::value(address))
    })
    .await?;
    code::void_all(db, r.id, now).await?;
    tracing::info!(
        event = "account_address_changed",
        school_id = r.school_id,
        account_id = r.id,
        "address changed: verification restarts"
    );
    code::send(db, env, &r, now).await?;
    view(db, &r, now).await
}

/// Deletes the account (asks for the secret answer once one is set).
pub async fn delete(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    proof: Proof<'_>,
    now: Now,
) -> Result<()> {
    let r = find_for(db, actor, id).await?;
    answer::require(db, &r, proof, now).await?;
    verification_code::Entity::delete_many()
        .filter(verification_code::Column::AccountId.eq(r.id))
        .exec(db)
        .await?;
    row::Entity::delete_by_id(r.id).exec(db).await?;
    tracing::info!(
        event = "account_deleted",
        school_id = r.school_id,
        account_id = r.id,
        "sending account deleted"
    );
    Ok(())
}

/// Moves the account from the state and address it was `read` with to `to`, with the
/// `changes` in the same conditional `UPDATE`. A parallel request that changed the state or
/// the address in between makes this fail with "wrong step": a step (a verified code, a
/// secret, a validation) never applies to an address other than the one it checked.
pub(crate) async fn advance(
    db: &impl ConnectionTrait,
    read: &row::Model,
    to: AccountState,
    changes: impl FnOnce(UpdateMany<row::Entity>) -> UpdateMany<row::Entity>,
) -> Result<row::Model> {
    let update = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(to.as_str()))
        .filter(row::Column::Id.eq(read.id))
        .filter(row::Column::State.eq(&read.state))
        .filter(row::Column::Address.eq(&read.address));
    if changes(update).exec(db).await?.rows_affected == 0 {
        return Err(Invalid::WrongStep.into());
    }
    row::Entity::find_by_id(read.id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}
