//! Sending for real: compose ([`compose`]), a durable outbox with one row per recipient
//! ([`worker`] delivers it), each recipient's status and "retry only the failed" (here).
//!
//! A row goes `queued` → `sending` (claimed by one worker, under a lease) → `sent`, or
//! `retrying` (a temporary failure; `next_attempt_at` says when) → … → `failed` (a
//! permanent refusal, or too many attempts). A worker that dies leaves its rows `sending`;
//! once the lease has run out another worker takes them again. That is the only way a
//! recipient can get a message twice, and it then carries the same Message-ID.
//!
//! "Arrêter l'envoi" ([`stop`]) turns every pending row of a send `cancelled`, which no
//! worker claims; "Reprendre l'envoi" queues them again. `permission` is the rule a
//! worker checks before handing each message to the relay.

pub mod attachment_type;
pub mod compose;
pub mod correct;
pub mod message_text;
pub mod pace;
pub(crate) mod permission;
pub mod recipients;
pub mod retention;
pub mod review;
pub mod stop;
pub mod subject_line;
pub mod worker;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::access::Actor;
use crate::entity::{account, message, outbox, stored};
use crate::{Error, Invalid, Now, Result};

pub use vocabulary::{DeliveryProblem, DeliveryState, MessageState};

/// Sent / pending / failed of the total; the rest of the total was cancelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub total: u64,
    pub sent: u64,
    pub pending: u64,
    pub failed: u64,
}

impl Progress {
    /// The recipients a stop cancelled ([`stop`]): what is neither sent, pending nor failed.
    pub fn cancelled(&self) -> u64 {
        self.total
            .saturating_sub(self.sent + self.pending + self.failed)
    }
}

/// One send, as its author's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendSummary {
    pub message_id: i64,
    pub account_id: i64,
    pub account_label: String,
    pub subject: String,
    pub queued_at: i64,
    pub progress: Progress,
}

/// One recipient of a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientStatus {
    /// The outbox row, which a correction names.
    pub id: i64,
    pub address: String,
    pub name: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// When the next try is due (retrying only).
    pub next_attempt_at: Option<i64>,
    /// The relay's reply to the last attempt.
    pub reply: Option<String>,
    pub problem: Option<DeliveryProblem>,
    pub sent_at: Option<i64>,
}

/// A send with every recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendDetail {
    pub summary: SendSummary,
    pub recipients: Vec<RecipientStatus>,
}

pub(crate) async fn progress_of(db: &impl ConnectionTrait, message_id: i64) -> Result<Progress> {
    let counts: Vec<(String, i64)> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::State)
        .column_as(outbox::Column::Id.count(), "n")
        .filter(outbox::Column::MessageId.eq(message_id))
        .group_by(outbox::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let mut p = Progress::default();
    for (state, n) in counts {
        let n = u64::try_from(n).unwrap_or(0);
        p.total += n;
        match stored(DeliveryState::from_stored, "delivery state", &state)? {
            DeliveryState::Sent => p.sent += n,
            DeliveryState::Failed => p.failed += n,
            DeliveryState::Queued | DeliveryState::Sending | DeliveryState::Retrying => {
                p.pending += n
            }
            // Counted in `total` only: see `Progress::cancelled`.
            DeliveryState::Cancelled => {}
        }
    }
    Ok(p)
}

async fn summary(db: &impl ConnectionTrait, m: &message::Model) -> Result<SendSummary> {
    let label = account::Entity::find_by_id(m.account_id)
        .one(db)
        .await?
        .map(|a| a.label)
        .unwrap_or_default();
    Ok(SendSummary {
        message_id: m.id,
        account_id: m.account_id,
        account_label: label,
        subject: m.subject.clone(),
        queued_at: m.queued_at.unwrap_or(m.created_at),
        progress: progress_of(db, m.id).await?,
    })
}

/// The actor's own send while it goes on: what "retry" and "correct" act on. A stopped
/// send is not found here: it takes no new work until it is resumed ([`stop::resume`]).
async fn own_send(
    db: &impl ConnectionTrait,
    actor: &Actor,
    message_id: i64,
) -> Result<message::Model> {
    message::Entity::find_by_id(message_id)
        .filter(message::Column::SchoolId.eq(actor.school_id()))
        .filter(message::Column::AuthorPersonId.eq(actor.person_id()))
        .filter(message::Column::ApiTokenId.is_null())
        .filter(message::Column::State.eq(MessageState::Queued.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// The actor's sends, newest first (at most `limit`), each subject as one line for every
/// recipient ([`subject_line`]).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    limit: u64,
) -> Result<Vec<SendSummary>> {
    let rows = message::Entity::find()
        .filter(message::Column::SchoolId.eq(actor.school_id()))
        .filter(message::Column::AuthorPersonId.eq(actor.person_id()))
        .filter(message::Column::ApiTokenId.is_null())
        .filter(message::Column::State.is_in([MessageState::Queued.as_str(), stop::STOPPED]))
        .order_by_desc(message::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let school_name = subject_line::school_name(db, actor.school_id()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in &rows {
        let mut s = summary(db, m).await?;
        s.subject = subject_line::subject_line(&s.subject, &school_name, &s.account_label);
        out.push(s);
    }
    Ok(out)
}

pub(crate) async fn detail_of(db: &impl ConnectionTrait, m: &message::Model) -> Result<SendDetail> {
    let rows = outbox::Entity::find()
        .filter(outbox::Column::MessageId.eq(m.id))
        .order_by_asc(outbox::Column::Position)
        .all(db)
        .await?;
    let recipients = rows
        .into_iter()
        .map(|r| {
            let state = stored(DeliveryState::from_stored, "delivery state", &r.state)?;
            Ok(RecipientStatus {
                id: r.id,
                address: r.recipient_address,
                name: r.recipient_name,
                state,
                attempts: r.attempts,
                next_attempt_at: (state == DeliveryState::Retrying).then_some(r.next_attempt_at),
                reply: r.last_reply,
                problem: r
                    .failure_kind
                    .as_deref()
                    .and_then(DeliveryProblem::from_stored),
                sent_at: r.sent_at,
            })
        })
        .collect::<Result<_>>()?;
    Ok(SendDetail {
        summary: summary(db, m).await?,
        recipients,
    })
}

/// One of the actor's sends, stopped or not, with every recipient ("not found" for anyone
/// else's), its subject as one line for every recipient ([`subject_line`]). The status
/// page, which administrators reach too, reads [`stop::status`].
pub async fn detail(
    db: &impl ConnectionTrait,
    actor: &Actor,
    message_id: i64,
) -> Result<SendDetail> {
    let status = stop::status(db, actor, message_id).await?;
    if !status.authored {
        return Err(Error::NotFound);
    }
    Ok(status.detail)
}

/// `m` with every recipient, its subject as one line ([`subject_line`]).
pub(crate) async fn shown(
    db: &impl ConnectionTrait,
    actor: &Actor,
    m: &message::Model,
) -> Result<SendDetail> {
    let mut d = detail_of(db, m).await?;
    let school_name = subject_line::school_name(db, actor.school_id()).await?;
    let s = &mut d.summary;
    s.subject = subject_line::subject_line(&s.subject, &school_name, &s.account_label);
    Ok(d)
}

/// "Renvoyer les échecs": the failed recipients of the actor's send are queued again
/// (attempts start over), except those whose address the server refused for good
/// ([`DeliveryProblem::needs_new_address`]: a 550 "user unknown" answers the same to the
/// same address, so they wait for [`correct::correct_recipient`]); the others are left
/// alone. Returns how many were queued.
///
/// A send purged after the retention period ([`retention`]) has nothing left to send:
/// refused as [`Invalid::MessagePurged`]. The check holds the send's row until the rows
/// are queued, as the purge does, so the two cannot cross.
pub async fn retry_failed(
    db: &DatabaseConnection,
    actor: &Actor,
    message_id: i64,
    now: Now,
) -> Result<u64> {
    let m = own_send(db, actor, message_id).await?;
    // The account must still be usable by the actor: revoking takes effect at once.
    crate::accounts::authorisations::find_usable(db, actor, m.account_id).await?;
    let txn = db.begin().await?;
    if !retention::hold_unpurged(&txn, m.id).await? {
        return Err(Invalid::MessagePurged.into());
    }
    let queued = requeue_failed(&txn, m.id, now).await?;
    txn.commit().await?;
    Ok(queued)
}

pub(crate) async fn requeue_failed(
    db: &impl ConnectionTrait,
    message_id: i64,
    now: Now,
) -> Result<u64> {
    Ok(outbox::Entity::update_many()
        .col_expr(
            outbox::Column::State,
            Expr::value(DeliveryState::Queued.as_str()),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now.timestamp()))
        .col_expr(outbox::Column::UpdatedAt, Expr::value(now.timestamp()))
        .filter(outbox::Column::MessageId.eq(message_id))
        .filter(outbox::Column::State.eq(DeliveryState::Failed.as_str()))
        .filter(
            Condition::any()
                .add(outbox::Column::FailureKind.is_null())
                .add(outbox::Column::FailureKind.is_not_in(correct::needing_new_address())),
        )
        .exec(db)
        .await?
        .rows_affected)
}

/// How many rows wait (queued or retrying), for the metrics and the operator.
pub async fn backlog(db: &impl ConnectionTrait) -> Result<u64> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::State.is_in([
            DeliveryState::Queued.as_str(),
            DeliveryState::Retrying.as_str(),
            DeliveryState::Sending.as_str(),
        ]))
        .count(db)
        .await?)
}
