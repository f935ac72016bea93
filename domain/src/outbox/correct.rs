//! Correcting a recipient the server refused for good ("550 user unknown"): "Renvoyer
//! les échecs" would only hear the same answer for the same address, so the author types
//! the right one on the status page and that recipient alone is queued again.
//!
//! The corrected address goes through the same check as every typed address
//! ([`crate::validate::email`]) and must not be another recipient's of the same message,
//! who would otherwise get it twice. The change is one conditional `UPDATE` of a row
//! that is still `failed` and whose new address no other row of the message has, so a
//! double click, a worker or a parallel correction cannot turn it into two sends.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, TransactionTrait,
};

use super::{DeliveryProblem, DeliveryState, own_send};
use crate::access::Actor;
use crate::entity::{message, outbox};
use crate::{Error, Invalid, Now, Result, validate};

/// The failures a retry cannot fix but a corrected address can.
pub const NEEDS_NEW_ADDRESS: [DeliveryProblem; 1] = DeliveryProblem::NEEDS_NEW_ADDRESS;

/// [`NEEDS_NEW_ADDRESS`] as stored in `outbox.failure_kind`.
pub(super) fn needing_new_address() -> Vec<String> {
    NEEDS_NEW_ADDRESS
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// Gives the failed recipient `outbox_id` of the actor's send `message_id` the address
/// `address`, and queues it again at once (attempts start over, the failure is cleared);
/// the rest of its line (name, columns) is kept. Returns the address as stored.
///
/// Only the send's author may, and only while their authorisation on the account holds
/// (as for "Renvoyer les échecs"); anyone else's send, a recipient of another send or one
/// that is not `failed` answers "not found". A malformed address is refused as
/// [`Invalid::EmailMalformed`] and another recipient's as [`Invalid::AlreadyRecipient`]
/// (there is no variant for "already a recipient of this message" yet); either way nothing
/// changes. The same correction twice (a double click) answers as the first did.
pub async fn correct_recipient(
    db: &DatabaseConnection,
    actor: &Actor,
    message_id: i64,
    outbox_id: i64,
    address: &str,
    now: Now,
) -> Result<String> {
    let m = own_send(db, actor, message_id).await?;
    crate::accounts::authorisations::find_usable(db, actor, m.account_id).await?;
    let address = validate::email(address)?;

    let other = Alias::new("other");
    let taken = Query::select()
        .expr(Expr::val(1))
        .from_as(outbox::Entity, other.clone())
        .and_where(Expr::col((other.clone(), outbox::Column::MessageId)).eq(m.id))
        .and_where(
            Expr::col((other.clone(), outbox::Column::RecipientAddress)).eq(address.as_str()),
        )
        .and_where(Expr::col((other, outbox::Column::Id)).ne(outbox_id))
        .to_owned();
    let txn = db.begin().await?;
    // On PostgreSQL, corrections of one message take turns on its row, so two of them
    // cannot both find an address free; SQLite runs one writing statement at a time.
    if txn.get_database_backend() == DbBackend::Postgres {
        message::Entity::find_by_id(m.id)
            .lock_exclusive()
            .one(&txn)
            .await?;
    }
    // After the retention period the text and values are gone: nothing left to send.
    if !super::retention::hold_unpurged(&txn, m.id).await? {
        return Err(crate::Invalid::MessagePurged.into());
    }
    let at = now.timestamp();
    let changed = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::RecipientAddress,
            Expr::value(address.clone()),
        )
        .col_expr(
            outbox::Column::State,
            Expr::value(DeliveryState::Queued.as_str()),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
        .col_expr(
            outbox::Column::LastReply,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::FailureKind,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(outbox::Column::UpdatedAt, Expr::value(at))
        .filter(outbox::Column::Id.eq(outbox_id))
        .filter(outbox::Column::MessageId.eq(m.id))
        .filter(outbox::Column::SchoolId.eq(actor.school_id()))
        .filter(outbox::Column::State.eq(DeliveryState::Failed.as_str()))
        .filter(Expr::not_exists(taken))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    if changed == 1 {
        tracing::info!(
            message_id = m.id,
            outbox_id,
            "refused recipient corrected and queued again"
        );
        return Ok(address);
    }
    why_unchanged(db, m.id, outbox_id, address).await
}

/// Why a correction changed nothing: the address is another recipient's, the same
/// correction was made a moment ago, or there is no such failed recipient.
async fn why_unchanged(
    db: &DatabaseConnection,
    message_id: i64,
    outbox_id: i64,
    address: String,
) -> Result<String> {
    let others = outbox::Entity::find()
        .filter(outbox::Column::MessageId.eq(message_id))
        .filter(outbox::Column::RecipientAddress.eq(address.as_str()))
        .filter(outbox::Column::Id.ne(outbox_id))
        .count(db)
        .await?;
    if others > 0 {
        return Err(Invalid::AlreadyRecipient.into());
    }
    let row = outbox::Entity::find_by_id(outbox_id)
        .filter(outbox::Column::MessageId.eq(message_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    if row.recipient_address == address && row.state != DeliveryState::Failed.as_str() {
        Ok(address)
    } else {
        Err(Error::NotFound)
    }
}
