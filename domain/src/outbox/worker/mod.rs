//! Delivering the outbox, fairly and at each relay's pace. A round claims due rows by
//! account ([`claim`]: each school's longest-waiting account first, a share of rows each),
//! then delivers the accounts' batches concurrently, each over one reused SMTP connection,
//! within a time budget, at its route's pace ([`crate::outbox::pace`]), re-checking for
//! every message that its author may still send with the account, and records each reply
//! as soon as it has it. A row left `sending` by a worker that died is taken again once its
//! lease has run out — at most [`claim::MAX_STALLS`] times, then failed with a reason.

pub mod claim;
mod record;
mod ways;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub use claim::{Batch, claim};

use super::pace::{self, Pace, Slot};
use super::permission::{Gate, gate};
use super::{DeliveryProblem, DeliveryState, progress_of};
use crate::entity::{message, message_attachment, outbox};
use crate::mail::mask;
use crate::sending_settings::SendingEnvironment;
use crate::smtp::Failure;
use crate::{Now, Result};
use record::{Outcome, Recorder};
use ways::{Prepared, Way, mail_for, prepare, relay_down, throttled};

/// How workers behave; the defaults suit production, tests shorten the waits.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Accounts served per round (their batches are delivered concurrently).
    pub accounts_per_round: u64,
    /// Rows claimed per account and round.
    pub per_account: u64,
    /// How long one account's batch may take before its remaining rows are handed back,
    /// so that a slow relay holds its own account's mail only.
    pub account_budget: Duration,
    /// How long a claim holds before another worker may take the row again.
    pub lease_secs: i64,
    /// Attempts before a temporary failure becomes final.
    pub max_attempts: i64,
    /// Wait after the first temporary failure; doubles each time, up to `max_retry_secs`.
    pub first_retry_secs: i64,
    pub max_retry_secs: i64,
    /// The pace of each account sending through the hosting relay (the operator's).
    pub hosting_pace: Pace,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            accounts_per_round: 8,
            per_account: 50,
            account_budget: Duration::from_secs(5),
            lease_secs: 300,
            max_attempts: 10,
            first_retry_secs: 60,
            max_retry_secs: 3600,
            hosting_pace: Pace {
                per_minute: 120,
                per_day: 20_000,
            },
        }
    }
}

impl WorkerConfig {
    /// The wait before attempt `attempts + 1`, after `attempts` failed ones.
    pub fn backoff_secs(&self, attempts: i64) -> i64 {
        let doublings = u32::try_from((attempts - 1).clamp(0, 20)).unwrap_or(20);
        self.first_retry_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_retry_secs)
    }
}

/// One worker: its name (unique per process and instance) and its settings.
#[derive(Clone, Debug)]
pub struct Worker {
    pub name: String,
    pub config: WorkerConfig,
}

/// What one round (or one batch) did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Claimed but handed back untried (time budget or pace spent).
    pub released: usize,
}

impl Round {
    fn add(&mut self, other: Round) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.released += other.released;
    }
}

/// Extends the claim on `row`; false when another worker has taken it meanwhile.
async fn still_mine(
    db: &impl ConnectionTrait,
    worker: &Worker,
    row: &outbox::Model,
    now: Now,
) -> Result<bool> {
    Ok(outbox::Entity::update_many()
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(now.timestamp() + worker.config.lease_secs),
        )
        .filter(outbox::Column::Id.eq(row.id))
        .filter(outbox::Column::ClaimedBy.eq(worker.name.clone()))
        .filter(outbox::Column::State.eq(DeliveryState::Sending.as_str()))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

fn judge(worker: &Worker, row: &outbox::Model, failure: Failure, now: Now) -> Outcome {
    if failure.kind.is_transient() && row.attempts < worker.config.max_attempts {
        let next = now.timestamp() + worker.config.backoff_secs(row.attempts);
        Outcome::Retry(failure, next)
    } else if failure.kind.is_transient() {
        Outcome::Failed(DeliveryProblem::GaveUp, failure.detail)
    } else {
        Outcome::Failed(DeliveryProblem::Smtp(failure.kind), failure.detail)
    }
}

/// One round: claims due rows fairly and delivers every account's batch concurrently;
/// returns what happened. `now` is the time the round starts at; the time spent sending
/// is added to it for leases and records.
pub async fn run_once(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    worker: &Worker,
    now: Now,
) -> Result<Round> {
    let batches = claim(db, worker, now, &HashSet::new()).await?;
    let mut round = Round::default();
    let mut tasks = tokio::task::JoinSet::new();
    for batch in batches {
        let (db, env, worker) = (db.clone(), env.clone(), worker.clone());
        tasks.spawn(async move { deliver(&db, &env, &worker, batch, now).await });
    }
    let mut first_error = None;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(batch)) => round.add(batch),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(crate::Error::Internal(format!("delivery task: {e}")));
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if round.claimed > 0 {
        tracing::info!(
            worker = %worker.name,
            claimed = round.claimed,
            sent = round.sent,
            retrying = round.retrying,
            failed = round.failed,
            released = round.released,
            "outbox round"
        );
    }
    Ok(round)
}

/// What to do with one claimed row.
enum Step {
    Record(Outcome),
    /// The row is no longer this worker's: nothing to record.
    Skip,
    /// The relay asked to slow down: record this row, hand the rest back.
    Throttled(Outcome),
    /// Hand this row and the rest back untried.
    Stop,
}

/// Delivers one account's batch: over one connection, within the account's time budget
/// and pace; rows not reached are handed back. Replies are written by a [`Recorder`] while
/// the next messages go, and each message's right to send is read while the previous one
/// is on the wire ([`FRESH_CHECK`]): on a fast relay neither a commit nor a query stands
/// between two messages.
pub async fn deliver(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    worker: &Worker,
    batch: Batch,
    now: Now,
) -> Result<Round> {
    let recorder = Recorder::start(db, &worker.name);
    let delivered = deliver_rows(db, env, worker, &batch, now, &recorder).await;
    // Every reply reaches the disk, also when the loop stopped on an error.
    let recorded = recorder.finish().await;
    // The recorder's own error first: the loop only saw that it had stopped.
    recorded?;
    let (round, clock) = delivered?;
    for message_id in batch
        .rows
        .iter()
        .map(|r| r.message_id)
        .collect::<HashSet<_>>()
    {
        purge_if_delivered(db, message_id, clock).await?;
    }
    Ok(round)
}

async fn deliver_rows(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    worker: &Worker,
    batch: &Batch,
    now: Now,
    recorder: &Recorder,
) -> Result<(Round, Now)> {
    let started = Instant::now();
    let clock = || now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    let mut round = Round {
        claimed: batch.rows.len(),
        ..Round::default()
    };
    let mut prepared: HashMap<i64, Option<Prepared>> = HashMap::new();
    let mut way: Option<Way> = None;
    let renew_after = Duration::from_secs(
        u64::try_from(worker.config.lease_secs / 3)
            .unwrap_or(1)
            .max(1),
    );
    let mut hand_back_from = None;
    let mut ahead: Option<Ahead> = None;
    for (index, row) in batch.rows.iter().enumerate() {
        if started.elapsed() > worker.config.account_budget {
            hand_back_from = Some(index);
            break;
        }
        if started.elapsed() > renew_after && !still_mine(db, worker, row, clock()).await? {
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = prepared.entry(row.message_id) {
            slot.insert(prepare(db, row.message_id).await?);
        }
        let next = batch.rows.get(index + 1).and_then(|next| {
            let p = prepared.get(&next.message_id)?.as_ref()?;
            Some((next, p))
        });
        let step = match prepared.get(&row.message_id).and_then(Option::as_ref) {
            Some(p) => {
                let rows = Rows { row, next };
                attempt(db, env, worker, &mut way, &mut ahead, p, rows, clock).await?
            }
            None => Step::Record(unavailable()),
        };
        let (outcome, stop_after) = match step {
            Step::Record(outcome) => (outcome, false),
            Step::Throttled(outcome) => (outcome, true),
            Step::Skip => continue,
            Step::Stop => {
                hand_back_from = Some(index);
                break;
            }
        };
        match &outcome {
            // The relay takes mail again: its next throttling pause starts short.
            Outcome::Sent(_) if round.sent == 0 => {
                pace::clear_backoff(db, batch.account_id).await?;
                round.sent += 1;
            }
            Outcome::Sent(_) => round.sent += 1,
            Outcome::Retry(..) => round.retrying += 1,
            Outcome::Failed(..) => round.failed += 1,
        }
        tracing::debug!(to = %mask(&row.recipient_address), outbox_id = row.id, "delivery attempt");
        recorder.push(row.id, outcome, clock()).await?;
        if stop_after {
            hand_back_from = Some(index + 1);
            break;
        }
    }
    if let Some(from) = hand_back_from {
        claim::release(db, worker, &batch.rows[from..], clock()).await?;
        round.released += batch.rows.len() - from;
    }
    if let Some(way) = way {
        way.close().await;
    }
    Ok((round, clock()))
}

fn unavailable() -> Outcome {
    Outcome::Failed(DeliveryProblem::AccountUnavailable, String::new())
}

/// How old the check of a message's right to send, made during the previous message's
/// exchange, may be when that message is handed over; older, it is made again. A stop or a
/// revocation thus reaches every message that leaves more than this after it.
pub const FRESH_CHECK: Duration = Duration::from_millis(5);

/// The check already made for the next row, and when it was started.
struct Ahead {
    row_id: i64,
    gate: Gate,
    at: Instant,
}

/// The row to send now, and the next one (with its message) to check meanwhile.
#[derive(Clone, Copy)]
struct Rows<'a> {
    row: &'a outbox::Model,
    next: Option<(&'a outbox::Model, &'a Prepared)>,
}

/// One row: its right to send (made during the previous exchange if still fresh, else read
/// while its mail is built), the size, the pace, then the relay — while the relay takes
/// it, the next row's right is read.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    worker: &Worker,
    way: &mut Option<Way>,
    ahead: &mut Option<Ahead>,
    p: &Prepared,
    Rows { row, next }: Rows<'_>,
    clock: impl Fn() -> Now,
) -> Result<Step> {
    let known = ahead
        .take()
        .filter(|a| a.row_id == row.id && a.at.elapsed() <= FRESH_CHECK);
    let (checked, mail) = match known {
        Some(known) => (Ok(known.gate), mail_for(p, row)),
        None => {
            tokio::join!(gate(db, &p.message, &p.account, row, &worker.name), async {
                mail_for(p, row)
            })
        }
    };
    match checked? {
        // A stop (then perhaps a resume) may have taken the row from this worker meanwhile.
        Gate::NotMine => return Ok(Step::Skip),
        Gate::Refused => return Ok(Step::Record(unavailable())),
        Gate::Go => {}
    }
    let Some(mail) = mail else {
        return Ok(Step::Record(Outcome::Failed(
            DeliveryProblem::TooLarge,
            String::new(),
        )));
    };
    if way.is_none() {
        *way = Some(Way::open(db, env, worker.config.hosting_pace, &p.account).await?);
    }
    let (session, pace) = match way {
        Some(Way::Open(session, pace)) => (session, *pace),
        Some(Way::Down(failure)) => {
            return Ok(Step::Record(judge(worker, row, failure.clone(), clock())));
        }
        Some(Way::NoRoute) | None => return Ok(Step::Record(unavailable())),
    };
    if !pace.is_unlimited()
        && let Slot::Wait(_) = pace::reserve(db, p.account.id, pace, clock()).await?
    {
        return Ok(Step::Stop);
    }
    let (delivered, checked) = tokio::join!(session.deliver(&mail), async {
        let at = Instant::now();
        match next {
            Some((next, p)) => gate(db, &p.message, &p.account, next, &worker.name)
                .await
                .map(|gate| {
                    Some(Ahead {
                        row_id: next.id,
                        gate,
                        at,
                    })
                }),
            None => Ok(None),
        }
    });
    *ahead = checked?;
    match delivered {
        Ok(reply) => Ok(Step::Record(Outcome::Sent(reply))),
        Err(failure) if throttled(&failure) => {
            // The relay asks to slow down: the whole account waits, this row included.
            let until = pace::pause(db, p.account.id, clock()).await?;
            Ok(Step::Throttled(Outcome::Retry(failure, until)))
        }
        Err(failure) => {
            if relay_down(failure.kind) {
                *way = Some(Way::Down(failure.clone()));
            }
            Ok(Step::Record(judge(worker, row, failure, clock())))
        }
    }
}

/// Once every recipient has the message, its clear text and attachments go; the sealed
/// archive copy stays.
async fn purge_if_delivered(db: &impl ConnectionTrait, message_id: i64, now: Now) -> Result<()> {
    let progress = progress_of(db, message_id).await?;
    if progress.total == 0 || progress.sent != progress.total {
        return Ok(());
    }
    message_attachment::Entity::delete_many()
        .filter(message_attachment::Column::MessageId.eq(message_id))
        .exec(db)
        .await?;
    message::Entity::update_many()
        .col_expr(message::Column::Body, Expr::value(Option::<String>::None))
        .col_expr(message::Column::PurgedAt, Expr::value(now.timestamp()))
        .filter(message::Column::Id.eq(message_id))
        .filter(message::Column::PurgedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
