//! "Arrêter l'envoi" and "Reprendre l'envoi": stopping a send in progress, and resuming it.
//!
//! The author of a send, and any administrator of its school, may stop it (an API send
//! too); everyone else, and every other school, gets "not found". Stopping marks the
//! message `stopped` and turns each pending row (`queued`, `retrying`, and `sending`
//! under a worker's claim) `cancelled` in one transaction. A cancelled row is never
//! claimed, and stopping drops the worker's claim (`claimed_by` and the lease), so a worker
//! that held the row records nothing over it (its record is `WHERE claimed_by = me`) and,
//! checking `permission::may_still_send` before each message, hands nothing more of the
//! send to the relay. Only a message already on the wire at that instant may still arrive.
//!
//! A stopped send takes no new work ("Renvoyer les échecs" and corrections answer "not
//! found") until it is resumed: resuming queues the cancelled rows again, attempts starting
//! over, and the worker checks the author's right to send as for any message.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::MessageState;
use super::{DeliveryState, SendDetail, SendSummary, shown, subject_line, summary};
use crate::access::Actor;
use crate::entity::{api_token, membership, message, outbox};
use crate::{Error, Invalid, Now, Result};

/// `messages.state` of a stopped send (a going one is `queued`).
pub(crate) const STOPPED: &str = MessageState::Stopped.as_str();
/// `messages.state` of a send that is going on.
pub(crate) const GOING: &str = MessageState::Queued.as_str();

/// The rows a stop cancels: every one that may still be sent.
const PENDING: [DeliveryState; 3] = [
    DeliveryState::Queued,
    DeliveryState::Retrying,
    DeliveryState::Sending,
];

/// A send as its status page shows it, with what the reader may do with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendStatus {
    pub detail: SendDetail,
    /// The reader wrote it (an API send has no author here): "Renvoyer les échecs" and
    /// corrections are theirs; an administrator reading someone else's send may only stop
    /// and resume it.
    pub authored: bool,
    /// Stopped, and not resumed since.
    pub stopped: bool,
}

fn authored_by(m: &message::Model, actor: &Actor) -> bool {
    m.author_person_id == actor.person_id() && m.api_token_id.is_none()
}

/// A send of the actor's school that the actor may read, stop and resume: their own, or
/// any when they administer the school. "Not found" for anyone else, and for every other
/// school's send.
async fn reachable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    message_id: i64,
) -> Result<message::Model> {
    let m = message::Entity::find_by_id(message_id)
        .filter(message::Column::SchoolId.eq(actor.school_id()))
        .filter(message::Column::State.is_in([GOING, STOPPED]))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    if authored_by(&m, actor) || actor.is_admin() {
        Ok(m)
    } else {
        Err(Error::NotFound)
    }
}

/// The send `message_id` as the actor may see it (see [`reachable`]), every recipient
/// included.
pub async fn status(
    db: &impl ConnectionTrait,
    actor: &Actor,
    message_id: i64,
) -> Result<SendStatus> {
    let m = reachable(db, actor, message_id).await?;
    Ok(SendStatus {
        detail: shown(db, actor, &m).await?,
        authored: authored_by(&m, actor),
        stopped: m.state == STOPPED,
    })
}

/// "Arrêter l'envoi": every recipient of the send still waiting is cancelled at once
/// (those a worker holds included) and the send is stopped. Returns how many were
/// cancelled; 0 when nothing was pending any more (the send is then left as it was).
pub async fn stop(
    db: &DatabaseConnection,
    actor: &Actor,
    message_id: i64,
    now: Now,
) -> Result<u64> {
    let m = reachable(db, actor, message_id).await?;
    let txn = db.begin().await?;
    // The message's row first: on PostgreSQL a stop and a resume of one send take turns.
    message::Entity::update_many()
        .col_expr(message::Column::State, Expr::value(STOPPED))
        .filter(message::Column::Id.eq(m.id))
        .filter(message::Column::State.is_in([GOING, STOPPED]))
        .exec(&txn)
        .await?;
    let cancelled = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::State,
            Expr::value(DeliveryState::Cancelled.as_str()),
        )
        // A worker holding the row no longer owns it: what it records goes nowhere.
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(outbox::Column::UpdatedAt, Expr::value(now.timestamp()))
        .filter(outbox::Column::MessageId.eq(m.id))
        .filter(outbox::Column::State.is_in(PENDING.map(DeliveryState::as_str)))
        .exec(&txn)
        .await?
        .rows_affected;
    if cancelled == 0 {
        // Finished meanwhile (or a second click): nothing to stop.
        txn.rollback().await?;
        return Ok(0);
    }
    txn.commit().await?;
    tracing::info!(
        event = "send_stopped",
        school_id = actor.school_id(),
        message_id = m.id,
        by = actor.person_id(),
        cancelled,
        "send stopped"
    );
    Ok(cancelled)
}

/// "Reprendre l'envoi": the cancelled recipients of a stopped send are queued again
/// (attempts start over). Its author must still be allowed to use the account, as for
/// "Renvoyer les échecs"; an administrator may resume anyone's, and the worker still checks
/// the author's right for each message. Returns how many were queued; 0 when the send was
/// not stopped (a second click). A send stopped for longer than the retention period has
/// been purged ([`super::retention`]): nothing is left to send, [`Invalid::MessagePurged`].
pub async fn resume(
    db: &DatabaseConnection,
    actor: &Actor,
    message_id: i64,
    now: Now,
) -> Result<u64> {
    let m = reachable(db, actor, message_id).await?;
    if authored_by(&m, actor) {
        crate::accounts::authorisations::find_usable(db, actor, m.account_id).await?;
    }
    let txn = db.begin().await?;
    // Holds the send's row as the purge does, so the two cannot cross.
    if !super::retention::hold_unpurged(&txn, m.id).await? {
        return Err(Invalid::MessagePurged.into());
    }
    let resumed = message::Entity::update_many()
        .col_expr(message::Column::State, Expr::value(GOING))
        .filter(message::Column::Id.eq(m.id))
        .filter(message::Column::State.eq(STOPPED))
        .exec(&txn)
        .await?
        .rows_affected;
    if resumed == 0 {
        txn.rollback().await?;
        return Ok(0);
    }
    let at = now.timestamp();
    let queued = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::State,
            Expr::value(DeliveryState::Queued.as_str()),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
        .col_expr(outbox::Column::UpdatedAt, Expr::value(at))
        .filter(outbox::Column::MessageId.eq(m.id))
        .filter(outbox::Column::State.eq(DeliveryState::Cancelled.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    tracing::info!(
        event = "send_resumed",
        school_id = actor.school_id(),
        message_id = m.id,
        by = actor.person_id(),
        queued,
        "send resumed"
    );
    Ok(queued)
}

/// Someone else's send, as an administrator's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OthersSend {
    pub summary: SendSummary,
    /// The author's name in the school's directory, or the API token's label.
    pub author: String,
    /// From an API token rather than a person.
    pub by_api: bool,
    pub stopped: bool,
}

/// For an administrator: the school's sends by others (people and API tokens) that are
/// going on or stopped, newest first (at most `limit`), so that any of them can be stopped.
pub async fn others_in_progress(
    db: &impl ConnectionTrait,
    actor: &Actor,
    limit: u64,
) -> Result<Vec<OthersSend>> {
    actor.require_admin()?;
    let pending = Query::select()
        .column(outbox::Column::MessageId)
        .from(outbox::Entity)
        .and_where(outbox::Column::SchoolId.eq(actor.school_id()))
        .and_where(outbox::Column::State.is_in(PENDING.map(DeliveryState::as_str)))
        .to_owned();
    let rows = message::Entity::find()
        .filter(message::Column::SchoolId.eq(actor.school_id()))
        .filter(
            Condition::any()
                // A stopped send can be resumed until the retention sweep purges it.
                .add(
                    message::Column::State
                        .eq(STOPPED)
                        .and(message::Column::PurgedAt.is_null()),
                )
                .add(
                    message::Column::State
                        .eq(GOING)
                        .and(message::Column::Id.in_subquery(pending)),
                ),
        )
        // Not the administrator's own: those are in their list already.
        .filter(
            Condition::any()
                .add(message::Column::AuthorPersonId.ne(actor.person_id()))
                .add(message::Column::ApiTokenId.is_not_null()),
        )
        .order_by_desc(message::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let school_name = subject_line::school_name(db, actor.school_id()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in &rows {
        let mut s = summary(db, m).await?;
        s.subject = subject_line::subject_line(&s.subject, &school_name, &s.account_label);
        let author = match m.api_token_id {
            Some(token) => api_token::Entity::find_by_id(token)
                .one(db)
                .await?
                .map(|t| t.label),
            None => membership::Entity::find()
                .filter(membership::Column::SchoolId.eq(m.school_id))
                .filter(membership::Column::PersonId.eq(m.author_person_id))
                .one(db)
                .await?
                .map(|p| p.display_name),
        };
        out.push(OthersSend {
            summary: s,
            author: author.unwrap_or_default(),
            by_api: m.api_token_id.is_some(),
            stopped: m.state == STOPPED,
        });
    }
    Ok(out)
}
