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
use super::permission::{Gate, gates};
use super::{DeliveryProblem, DeliveryState, progress_of};
use crate::entity::{message, message_attachment, outbox};
use crate::mail::mask;
use crate::mail::route::Ready;
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
    let mut ahead = Ahead::default();
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
        let after = &batch.rows[index + 1..];
        let next = after
            .first()
            .and_then(|next| prepared.get(&next.message_id)?.as_ref());
        let step = match prepared.get(&row.message_id).and_then(Option::as_ref) {
            Some(p) => {
                let rows = Rows { row, after, next };
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

/// How old the check of a message's right to send may be when that message is handed over;
/// older, it is made again. A stop or a revocation thus reaches every message that leaves
/// more than this after it.
pub const FRESH_CHECK: Duration = Duration::from_millis(5);

/// How many rows of one message one check reads: the row about to leave (or the next one)
/// and those after it, which a fast relay takes well within [`FRESH_CHECK`].
const CHECK_AHEAD: usize = 16;

/// What was done for the rows about to leave while an earlier one was on the wire.
#[derive(Default)]
struct Ahead {
    checks: Option<Checks>,
    built: Option<Built>,
}

/// The checks made for rows about to leave, and when they were started.
struct Checks {
    gates: HashMap<i64, Gate>,
    at: Instant,
}

impl Checks {
    /// The check of `row`, if it was read and is still fresh.
    fn fresh(&self, row: i64) -> Option<Gate> {
        if self.at.elapsed() > FRESH_CHECK {
            return None;
        }
        self.gates.get(&row).copied()
    }

    /// Whether the check of `row` will still be fresh after the exchange now starting: it
    /// was read and has half its freshness left.
    fn lasts_for(&self, row: i64) -> bool {
        self.gates.contains_key(&row) && self.at.elapsed() <= FRESH_CHECK / 2
    }
}

/// The next row's message, built for the route: `None` when, filled, it exceeds the limits.
struct Built {
    row_id: i64,
    ready: Option<std::result::Result<Ready, Failure>>,
}

/// `first` and the rows right after it of the same message, [`CHECK_AHEAD`] at most.
fn window(first: &outbox::Model, after: &[outbox::Model]) -> Vec<i64> {
    std::iter::once(first.id)
        .chain(
            after
                .iter()
                .take_while(|r| r.message_id == first.message_id)
                .map(|r| r.id),
        )
        .take(CHECK_AHEAD)
        .collect()
}

/// The row to send now, the rows after it, and the next one's message if prepared (its
/// rows' right to send can then be read, and its mail built, meanwhile).
#[derive(Clone, Copy)]
struct Rows<'a> {
    row: &'a outbox::Model,
    after: &'a [outbox::Model],
    next: Option<&'a Prepared>,
}

/// One row: its right to send (read with the rows after it, and trusted while fresh, else
/// read again while its mail is built), the size, the pace, then the relay — while the
/// relay takes it, the next row's mail is built and the following rows' right is read if
/// what is known will not last.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    worker: &Worker,
    way: &mut Option<Way>,
    ahead: &mut Ahead,
    p: &Prepared,
    Rows { row, after, next }: Rows<'_>,
    clock: impl Fn() -> Now,
) -> Result<Step> {
    let known = ahead.checks.as_ref().and_then(|c| c.fresh(row.id));
    let built = ahead
        .built
        .take()
        .filter(|b| b.row_id == row.id)
        .map(|b| b.ready);
    let mail_now = || built.is_none().then(|| mail_for(p, row));
    let (checked, mail) = match known {
        Some(known) => (Ok(known), mail_now()),
        None => {
            let at = Instant::now();
            let ids = window(row, after);
            let (read, mail) = tokio::join!(
                gates(db, &p.message, &p.account, &ids, &worker.name),
                async { mail_now() }
            );
            let checked = read.map(|gates| {
                let verdict = gates.get(&row.id).copied().unwrap_or(Gate::NotMine);
                ahead.checks = Some(Checks { gates, at });
                verdict
            });
            (checked, mail)
        }
    };
    match checked? {
        // A stop (then perhaps a resume) may have taken the row from this worker meanwhile.
        Gate::NotMine => return Ok(Step::Skip),
        Gate::Refused => return Ok(Step::Record(unavailable())),
        Gate::Go => {}
    }
    if matches!((&built, &mail), (Some(None), _) | (_, Some(None))) {
        return Ok(Step::Record(Outcome::Failed(
            DeliveryProblem::TooLarge,
            String::new(),
        )));
    }
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
    let builder = session.builder();
    let ready = match (built.flatten(), mail.flatten()) {
        (Some(ready), _) => ready,
        (None, Some(mail)) => builder.ready(&mail),
        (None, None) => return Ok(Step::Record(unavailable())),
    };
    let ready = match ready {
        Ok(ready) => ready,
        Err(failure) => return Ok(Step::Record(judge(worker, row, failure, clock()))),
    };
    let refresh = next.and_then(|next| {
        let first = after.first()?;
        let lasting = ahead.checks.as_ref().is_some_and(|c| c.lasts_for(first.id));
        (!lasting).then(|| (next, window(first, &after[1..])))
    });
    // Unpaced, the next row's envelope goes with this message's data (one round trip per
    // message) and its mail is built meanwhile; should that row not follow, the connection
    // is dropped and opened again.
    let following = next.zip(after.first()).filter(|_| pace.is_unlimited());
    let next_to = following.map(|(_, next)| next.recipient_address.as_str());
    let (delivered, (checked, built)) =
        tokio::join!(session.deliver_ready(ready, next_to), async {
            // The exchange is under way before the next row's work starts.
            tokio::task::yield_now().await;
            let at = Instant::now();
            let check = async {
                match refresh {
                    Some((p, ids)) => gates(db, &p.message, &p.account, &ids, &worker.name)
                        .await
                        .map(|gates| Some(Checks { gates, at })),
                    None => Ok(None),
                }
            };
            let build = async {
                following.map(|(p, next)| Built {
                    row_id: next.id,
                    ready: mail_for(p, next).map(|mail| builder.ready(&mail)),
                })
            };
            tokio::join!(check, build)
        });
    if let Some(read) = checked? {
        ahead.checks = Some(read);
    }
    ahead.built = built;
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
