//! Retention: what stays in clear, and for how long. A send keeps its text, attachments and
//! each recipient's placeholder values (for the "login details" template, provisional
//! passwords) only while they may still be needed to deliver it:
//!
//! - a delivered recipient needs no values: [`sweep`] clears any still stored;
//! - a send with nothing pending keeps everything while a failed (or stopped) recipient
//!   may still be sent again — for [`Retention::failed_kept_for`] after its last delivery
//!   step — then its text, attachments and every value go (`purged_at` says when), as
//!   they go at once for a send that reached everyone; the sealed archive copy stays;
//! - a draft left unsaved for [`Retention::draft_lifetime`] is deleted with its
//!   attachments. A draft's `created_at` is when it was last saved
//!   ([`super::compose::save_draft`] moves it), so a draft worked on stays.
//!
//! One call does a bounded amount of work ([`Retention::messages_per_call`],
//! [`Retention::rows_per_call`]), each send or draft in its own short transaction, so the
//! sweep never holds the database long. Several instances may sweep at once: a send is
//! purged under its own row's lock, which "Renvoyer les échecs" takes too
//! ([`hold_unpurged`]), so a retry either comes first (and the send is not purged) or
//! finds it purged and is refused.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::{DeliveryState, MessageState};
use crate::entity::{message, message_attachment, outbox};
use crate::{Now, Result};

/// `outbox.fields` once a recipient's values are cleared: no value, as for a list without
/// columns.
pub const NO_VALUES: &str = "{}";

/// How long what is in clear is kept, and how much one [`sweep`] does.
#[derive(Clone, Debug)]
pub struct Retention {
    /// How long a send with nothing pending keeps its text, attachments and values after a
    /// recipient's last delivery step (failed, or stopped), for "Renvoyer les échecs".
    pub failed_kept_for: chrono::Duration,
    /// How long a draft nobody saves stays.
    pub draft_lifetime: chrono::Duration,
    /// Sends purged, and drafts deleted, per call at most (each).
    pub messages_per_call: u64,
    /// Delivered recipients whose values are cleared per call at most.
    pub rows_per_call: u64,
}

impl Default for Retention {
    /// 30 days for failed sends and for drafts; 20 sends, 20 drafts and 2,000 delivered
    /// rows per call (a send has at most 5,000 rows, each send its own transaction).
    fn default() -> Self {
        Self {
            failed_kept_for: chrono::Duration::days(30),
            draft_lifetime: chrono::Duration::days(30),
            messages_per_call: 20,
            rows_per_call: 2_000,
        }
    }
}

/// What one [`sweep`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Sends whose text, attachments and values were purged.
    pub purged: u64,
    /// Delivered recipients whose values were cleared (besides those of purged sends).
    pub values_cleared: u64,
    pub drafts_deleted: u64,
    /// A part of the sweep stopped at its bound: call again soon.
    pub more: bool,
}

/// The states a worker will still deliver from.
fn pending() -> [&'static str; 3] {
    [
        DeliveryState::Queued.as_str(),
        DeliveryState::Sending.as_str(),
        DeliveryState::Retrying.as_str(),
    ]
}

/// Outbox rows that keep their send in clear: pending ones, and the undelivered ones
/// (failed, stopped) whose last step is more recent than `cutoff`.
fn still_needed(cutoff: i64) -> Condition {
    Condition::any()
        .add(outbox::Column::State.is_in(pending()))
        .add(
            Condition::all()
                .add(outbox::Column::State.ne(DeliveryState::Sent.as_str()))
                .add(outbox::Column::UpdatedAt.gte(cutoff)),
        )
}

/// Takes the row of message `message_id` for the rest of the transaction if it is not
/// purged; false when it is. On PostgreSQL the purge and "Renvoyer les échecs" take turns
/// on that row, and each then sees what the other committed; on SQLite this write makes
/// the transaction the single writer at once.
pub(crate) async fn hold_unpurged(txn: &impl ConnectionTrait, message_id: i64) -> Result<bool> {
    Ok(message::Entity::update_many()
        .col_expr(
            message::Column::PurgedAt,
            Expr::col(message::Column::PurgedAt),
        )
        .filter(message::Column::Id.eq(message_id))
        .filter(message::Column::PurgedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected
        == 1)
}

/// Does one bounded round of retention at `now` (see the module's comment).
pub async fn sweep(db: &DatabaseConnection, now: Now, policy: &Retention) -> Result<Swept> {
    let cutoff = (now - policy.failed_kept_for).timestamp();
    let candidates = purgeable(db, cutoff, policy.messages_per_call).await?;
    let mut swept = Swept::default();
    for message_id in &candidates {
        if purge(db, *message_id, cutoff, now).await? {
            swept.purged += 1;
        }
    }
    swept.values_cleared = clear_delivered_values(db, policy.rows_per_call).await?;
    let drafts_cutoff = (now - policy.draft_lifetime).timestamp();
    let drafts = expired_drafts(db, drafts_cutoff, policy.messages_per_call).await?;
    for draft_id in &drafts {
        if delete_draft(db, *draft_id, drafts_cutoff).await? {
            swept.drafts_deleted += 1;
        }
    }
    let at_bound = |found: usize, bound: u64| u64::try_from(found).is_ok_and(|n| n >= bound);
    swept.more = at_bound(candidates.len(), policy.messages_per_call)
        || swept.values_cleared >= policy.rows_per_call
        || at_bound(drafts.len(), policy.messages_per_call);
    if swept != Swept::default() {
        tracing::info!(
            purged = swept.purged,
            values_cleared = swept.values_cleared,
            drafts_deleted = swept.drafts_deleted,
            more = swept.more,
            "retention sweep"
        );
    }
    Ok(swept)
}

/// Queued sends not purged yet that no row still needs ([`still_needed`]), oldest first.
async fn purgeable(db: &DatabaseConnection, cutoff: i64, limit: u64) -> Result<Vec<i64>> {
    let needing = Query::select()
        .expr(Expr::val(1))
        .from(outbox::Entity)
        .and_where(
            Expr::col((outbox::Entity, outbox::Column::MessageId))
                .equals((message::Entity, message::Column::Id)),
        )
        .cond_where(still_needed(cutoff))
        .to_owned();
    Ok(message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        // A stopped send keeps its text for a resume until the same period has run out.
        .filter(message::Column::State.is_in([
            MessageState::Queued.as_str(),
            MessageState::Stopped.as_str(),
        ]))
        .filter(message::Column::PurgedAt.is_null())
        .filter(Expr::not_exists(needing))
        .order_by_asc(message::Column::Id)
        .limit(limit)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Purges one send if, once its row is held, no outbox row still needs it; false when
/// another instance did it first or a retry came in between.
async fn purge(db: &DatabaseConnection, message_id: i64, cutoff: i64, now: Now) -> Result<bool> {
    let txn = db.begin().await?;
    if !hold_unpurged(&txn, message_id).await? {
        return Ok(false);
    }
    let needed = outbox::Entity::find()
        .filter(outbox::Column::MessageId.eq(message_id))
        .filter(still_needed(cutoff))
        .count(&txn)
        .await?;
    if needed > 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    message::Entity::update_many()
        .col_expr(message::Column::Body, Expr::value(Option::<String>::None))
        .col_expr(message::Column::PurgedAt, Expr::value(now.timestamp()))
        .filter(message::Column::Id.eq(message_id))
        .exec(&txn)
        .await?;
    message_attachment::Entity::delete_many()
        .filter(message_attachment::Column::MessageId.eq(message_id))
        .exec(&txn)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Fields, Expr::value(NO_VALUES))
        .filter(outbox::Column::MessageId.eq(message_id))
        .filter(outbox::Column::Fields.ne(NO_VALUES))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// Clears the values of at most `limit` delivered recipients that still hold some (a
/// delivered row never goes back to pending, so no lock is needed).
async fn clear_delivered_values(db: &DatabaseConnection, limit: u64) -> Result<u64> {
    let delivered = || {
        Condition::all()
            .add(outbox::Column::State.eq(DeliveryState::Sent.as_str()))
            .add(outbox::Column::Fields.ne(NO_VALUES))
    };
    let ids: Vec<i64> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(delivered())
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(outbox::Entity::update_many()
        .col_expr(outbox::Column::Fields, Expr::value(NO_VALUES))
        .filter(outbox::Column::Id.is_in(ids))
        .filter(delivered())
        .exec(db)
        .await?
        .rows_affected)
}

/// Drafts last saved before `cutoff`, oldest first.
async fn expired_drafts(db: &DatabaseConnection, cutoff: i64, limit: u64) -> Result<Vec<i64>> {
    Ok(message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::State.eq(MessageState::Draft.as_str()))
        .filter(message::Column::CreatedAt.lt(cutoff))
        .order_by_asc(message::Column::Id)
        .limit(limit)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Deletes one draft and its attachments unless it was saved (or queued) meanwhile: the
/// conditional `DELETE` waits for a save in progress on PostgreSQL and then sees its
/// `created_at`.
async fn delete_draft(db: &DatabaseConnection, draft_id: i64, cutoff: i64) -> Result<bool> {
    let txn = db.begin().await?;
    let deleted = message::Entity::delete_many()
        .filter(message::Column::Id.eq(draft_id))
        .filter(message::Column::State.eq(MessageState::Draft.as_str()))
        .filter(message::Column::CreatedAt.lt(cutoff))
        .exec(&txn)
        .await?
        .rows_affected;
    if deleted == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    // The foreign key cascades; said here too, in case a database does not enforce it.
    message_attachment::Entity::delete_many()
        .filter(message_attachment::Column::MessageId.eq(draft_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}
