//! Recording each delivery's reply, off the wire's path. The delivery loop hands each
//! outcome to a [`Recorder`], whose task writes what has arrived since its last write in one
//! transaction: one durable commit for several replies when the relay is faster than the
//! disk, one per reply when it is not. The loop waits once [`UNRECORDED`] replies are
//! waiting, so a crash can resend at most that many messages the relay had accepted (with
//! their own Message-IDs), plus the one on the wire.

use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::super::{DeliveryProblem, DeliveryState};
use crate::entity::outbox;
use crate::smtp::Failure;
use crate::{Error, Now, Result};

/// Replies a delivery loop may be ahead of the disk.
pub const UNRECORDED: usize = 16;

/// The outcome of one attempt, as it is recorded.
pub(super) enum Outcome {
    Sent(String),
    Retry(Failure, i64),
    Failed(DeliveryProblem, String),
}

/// One reply waiting to be written: the row, its outcome, and when it came.
type Pending = (i64, Outcome, Now);

pub(super) struct Recorder {
    queue: mpsc::Sender<Pending>,
    task: JoinHandle<Result<()>>,
}

impl Recorder {
    pub(super) fn start(db: &DatabaseConnection, worker: &str) -> Self {
        // Half wait in the queue while at most half are being written.
        let (queue, mut waiting) = mpsc::channel::<Pending>(UNRECORDED / 2);
        let (db, worker) = (db.clone(), worker.to_owned());
        let task = tokio::spawn(async move {
            while let Some(first) = waiting.recv().await {
                let mut group = vec![first];
                while group.len() < UNRECORDED / 2
                    && let Ok(next) = waiting.try_recv()
                {
                    group.push(next);
                }
                write(&db, &worker, &group).await?;
            }
            Ok(())
        });
        Recorder { queue, task }
    }

    /// Hands over one reply; waits while [`UNRECORDED`] are ahead of the disk.
    pub(super) async fn push(&self, row_id: i64, outcome: Outcome, now: Now) -> Result<()> {
        if self.queue.send((row_id, outcome, now)).await.is_err() {
            // The task stopped on an error, which `finish` returns.
            return Err(Error::Internal("the outbox recorder stopped".into()));
        }
        Ok(())
    }

    /// Waits until every reply handed over is on disk.
    pub(super) async fn finish(self) -> Result<()> {
        drop(self.queue);
        self.task
            .await
            .map_err(|e| Error::Internal(format!("outbox recorder: {e}")))?
    }
}

async fn write(db: &DatabaseConnection, worker: &str, group: &[Pending]) -> Result<()> {
    if let [(row_id, outcome, now)] = group {
        return record(db, worker, *row_id, outcome, *now).await;
    }
    let sent: Vec<(i64, &str)> = group
        .iter()
        .filter_map(|(row_id, outcome, _)| match outcome {
            Outcome::Sent(reply) => Some((*row_id, reply.as_str())),
            _ => None,
        })
        .collect();
    if let (true, Some((_, _, last))) = (sent.len() == group.len(), group.last()) {
        // One statement is atomic on its own: no BEGIN and COMMIT around it.
        return record_sent(db, worker, &sent, *last).await;
    }
    let txn = db.begin().await?;
    if let Some((_, _, last)) = group.last() {
        record_sent(&txn, worker, &sent, *last).await?;
    }
    for (row_id, outcome, now) in group {
        if !matches!(outcome, Outcome::Sent(_)) {
            record(&txn, worker, *row_id, outcome, *now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Writes delivered rows in one statement, each with its own reply. A delivered
/// recipient's values (a provisional password…) are not kept in clear: the sealed archive
/// copy has them. `claimed_by` stays: it tells which worker handled the row last.
async fn record_sent(
    db: &impl ConnectionTrait,
    worker: &str,
    sent: &[(i64, &str)],
    now: Now,
) -> Result<()> {
    if sent.is_empty() {
        return Ok(());
    }
    let at = now.timestamp();
    let replies = sent
        .iter()
        .fold(CaseStatement::new(), |case, (row_id, reply)| {
            case.case(outbox::Column::Id.eq(*row_id), Expr::value(*reply))
        });
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(outbox::Column::UpdatedAt, Expr::value(at))
        .col_expr(
            outbox::Column::State,
            Expr::value(DeliveryState::Sent.as_str()),
        )
        .col_expr(
            outbox::Column::Fields,
            Expr::value(super::super::retention::NO_VALUES),
        )
        .col_expr(outbox::Column::LastReply, replies.into())
        .col_expr(
            outbox::Column::FailureKind,
            Expr::value(Option::<String>::None),
        )
        .col_expr(outbox::Column::SentAt, Expr::value(at))
        .filter(outbox::Column::Id.is_in(sent.iter().map(|(row_id, _)| *row_id)))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes one row's outcome, if the row is still this worker's.
async fn record(
    db: &impl ConnectionTrait,
    worker: &str,
    row_id: i64,
    outcome: &Outcome,
    now: Now,
) -> Result<()> {
    let at = now.timestamp();
    // `claimed_by` stays: it tells which worker handled the row last.
    let update = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(outbox::Column::UpdatedAt, Expr::value(at));
    let update = match outcome {
        Outcome::Sent(reply) => {
            return record_sent(db, worker, &[(row_id, reply.as_str())], now).await;
        }
        Outcome::Retry(failure, next) => update
            .col_expr(
                outbox::Column::State,
                Expr::value(DeliveryState::Retrying.as_str()),
            )
            .col_expr(
                outbox::Column::LastReply,
                Expr::value(failure.detail.clone()),
            )
            .col_expr(
                outbox::Column::FailureKind,
                Expr::value(DeliveryProblem::Smtp(failure.kind).as_str()),
            )
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(*next)),
        Outcome::Failed(problem, detail) => update
            .col_expr(
                outbox::Column::State,
                Expr::value(DeliveryState::Failed.as_str()),
            )
            .col_expr(outbox::Column::LastReply, Expr::value(detail.clone()))
            .col_expr(outbox::Column::FailureKind, Expr::value(problem.as_str())),
    };
    update
        .filter(outbox::Column::Id.eq(row_id))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .exec(db)
        .await?;
    Ok(())
}
