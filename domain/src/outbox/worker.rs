//! Delivering the outbox. Each round a worker claims a batch of due rows in one statement
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several server instances share the work
//! without taking the same row; SQLite has a single writer), sends them over one reused
//! connection per account, and records each reply as soon as it has it. A row left
//! `sending` by a worker that died is taken again once its lease has run out.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Instant;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement,
};

use super::compose::personalise;
use super::recipients::Recipient;
use super::{DeliveryProblem, DeliveryState, progress_of};
use crate::accounts::{AccountKind, AccountState};
use crate::entity::{
    account, account_authorisation as grant, api_token, message, message_attachment, outbox, school,
};
use crate::mail::route::RouteSession;
use crate::mail::{Attachment, OutgoingMail, mask, templates::escape_html};
use crate::sending_settings::SendingEnvironment;
use crate::smtp::{Failure, FailureKind};
use crate::{Error, Now, Result};

/// How workers behave; the defaults suit production, tests shorten the waits.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Rows claimed per round.
    pub batch: u64,
    /// How long a claim holds before another worker may take the row again.
    pub lease_secs: i64,
    /// Attempts before a temporary failure becomes final.
    pub max_attempts: i64,
    /// Wait after the first temporary failure; doubles each time, up to `max_retry_secs`.
    pub first_retry_secs: i64,
    pub max_retry_secs: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            batch: 50,
            lease_secs: 300,
            max_attempts: 10,
            first_retry_secs: 60,
            max_retry_secs: 3600,
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

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

async fn claim(db: &DatabaseConnection, worker: &Worker, now: Now) -> Result<Vec<outbox::Model>> {
    let backend = db.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    let mut n = 0;
    let mut p = || {
        n += 1;
        if postgres {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    };
    let (me, until, now1, now2, now3, limit) = (p(), p(), p(), p(), p(), p());
    let lock = if postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE outbox SET state = 'sending', claimed_by = {me}, claimed_until = {until}, \
         attempts = attempts + 1, updated_at = {now1} \
         WHERE id IN (SELECT id FROM outbox \
           WHERE (state IN ('queued', 'retrying') AND next_attempt_at <= {now2}) \
              OR (state = 'sending' AND claimed_until < {now3}) \
           ORDER BY next_attempt_at, id LIMIT {limit}{lock}) \
         RETURNING *"
    );
    let at = now.timestamp();
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [
            worker.name.clone().into(),
            (at + worker.config.lease_secs).into(),
            at.into(),
            at.into(),
            at.into(),
            i64::try_from(worker.config.batch).unwrap_or(50).into(),
        ],
    );
    let mut rows = outbox::Entity::find()
        .from_raw_sql(statement)
        .all(db)
        .await?;
    rows.sort_by_key(|r| (r.message_id, r.position));
    Ok(rows)
}

/// The outcome of one attempt, as it is recorded.
enum Outcome {
    Sent(String),
    Retry(Failure, i64),
    Failed(DeliveryProblem, String),
}

async fn record(
    db: &impl ConnectionTrait,
    worker: &Worker,
    row: &outbox::Model,
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
        Outcome::Sent(reply) => update
            .col_expr(
                outbox::Column::State,
                Expr::value(DeliveryState::Sent.as_str()),
            )
            .col_expr(outbox::Column::LastReply, Expr::value(reply.clone()))
            .col_expr(
                outbox::Column::FailureKind,
                Expr::value(Option::<String>::None),
            )
            .col_expr(outbox::Column::SentAt, Expr::value(at)),
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
                Expr::value(DeliveryProblem::Smtp(failure.kind).as_stored()),
            )
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(*next)),
        Outcome::Failed(problem, detail) => update
            .col_expr(
                outbox::Column::State,
                Expr::value(DeliveryState::Failed.as_str()),
            )
            .col_expr(outbox::Column::LastReply, Expr::value(detail.clone()))
            .col_expr(
                outbox::Column::FailureKind,
                Expr::value(problem.as_stored()),
            ),
    };
    update
        .filter(outbox::Column::Id.eq(row.id))
        .filter(outbox::Column::ClaimedBy.eq(worker.name.clone()))
        .exec(db)
        .await?;
    Ok(())
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

/// Everything one message needs to be sent, loaded once per round.
struct Prepared {
    message: message::Model,
    account: account::Model,
    school_name: String,
    attachments: Vec<Attachment>,
    /// Why the message may not leave any more, if so.
    unavailable: bool,
}

async fn may_still_send(
    db: &impl ConnectionTrait,
    m: &message::Model,
    a: &account::Model,
) -> Result<bool> {
    if a.state != AccountState::Active.as_str() || a.school_id != m.school_id {
        return Ok(false);
    }
    if let Some(token_id) = m.api_token_id {
        let token = api_token::Entity::find_by_id(token_id).one(db).await?;
        return Ok(
            token.is_some_and(|t| t.revoked_at.is_none() && t.school_id == m.school_id)
                && a.kind == AccountKind::Establishment.as_str(),
        );
    }
    if a.kind == AccountKind::Personal.as_str() {
        return Ok(a.owner_person_id == Some(m.author_person_id));
    }
    Ok(grant::Entity::find()
        .filter(grant::Column::AccountId.eq(a.id))
        .filter(grant::Column::PersonId.eq(m.author_person_id))
        .one(db)
        .await?
        .is_some())
}

async fn prepare(db: &impl ConnectionTrait, message_id: i64) -> Result<Option<Prepared>> {
    let Some(message) = message::Entity::find_by_id(message_id).one(db).await? else {
        return Ok(None);
    };
    let Some(account) = account::Entity::find_by_id(message.account_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let school_name = school::Entity::find_by_id(message.school_id)
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let attachments = message_attachment::Entity::find()
        .filter(message_attachment::Column::MessageId.eq(message.id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| Attachment {
            file_name: a.file_name,
            content_type: a.content_type,
            bytes: zeroize::Zeroizing::new(a.bytes),
        })
        .collect();
    let unavailable = !may_still_send(db, &message, &account).await?;
    Ok(Some(Prepared {
        message,
        account,
        school_name,
        attachments,
        unavailable,
    }))
}

fn mail_for(prepared: &Prepared, row: &outbox::Model) -> OutgoingMail {
    let recipient = Recipient {
        address: row.recipient_address.clone(),
        name: row.recipient_name.clone(),
        fields: serde_json::from_str(&row.fields).unwrap_or_default(),
        line: 0,
    };
    let (subject, text) = personalise(
        &prepared.message.subject,
        prepared.message.body.as_deref().unwrap_or_default(),
        &recipient,
        &prepared.school_name,
        &prepared.account.label,
    );
    let html = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>")))
        .collect::<String>();
    OutgoingMail {
        to_name: row.recipient_name.clone(),
        to_address: row.recipient_address.clone(),
        subject,
        text,
        html,
        reply_to: None,
        attachments: prepared.attachments.clone(),
        message_id: Some(row.message_id_header.clone()),
    }
}

/// A relay that cannot be reached now is not tried again for the rest of the round.
fn relay_down(kind: FailureKind) -> bool {
    matches!(
        kind,
        FailureKind::ConnectionRefused | FailureKind::Timeout | FailureKind::NameNotResolved
    )
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

/// How one account's mail leaves during a round.
enum Way {
    Open(Box<RouteSession>),
    /// The account's route cannot be built (e.g. its SMTP password no longer opens).
    NoRoute,
    /// The relay could not be reached: not tried again this round.
    Down(Failure),
}

enum Attempt {
    Sent(String),
    Failed(Failure),
    NoRoute,
}

/// The round's ways out, one per account, opened at its first message.
#[derive(Default)]
struct Ways(HashMap<i64, Way>);

impl Ways {
    async fn attempt(
        &mut self,
        db: &DatabaseConnection,
        env: &SendingEnvironment,
        p: &Prepared,
        row: &outbox::Model,
    ) -> Result<Attempt> {
        if let Entry::Vacant(slot) = self.0.entry(p.account.id) {
            slot.insert(
                match crate::accounts::sending::saved_route(db, env, &p.account).await {
                    Ok(route) => Way::Open(Box::new(RouteSession::new(route))),
                    Err(Error::Database(e)) => return Err(Error::Database(e)),
                    Err(e) => {
                        tracing::warn!(account_id = p.account.id, error = %e, "no route for the account");
                        Way::NoRoute
                    }
                },
            );
        }
        let Some(way) = self.0.get_mut(&p.account.id) else {
            return Ok(Attempt::NoRoute);
        };
        let session = match way {
            Way::Open(session) => session,
            Way::Down(failure) => return Ok(Attempt::Failed(failure.clone())),
            Way::NoRoute => return Ok(Attempt::NoRoute),
        };
        match session.deliver(&mail_for(p, row)).await {
            Ok(reply) => Ok(Attempt::Sent(reply)),
            Err(failure) => {
                if relay_down(failure.kind) {
                    *way = Way::Down(failure.clone());
                }
                Ok(Attempt::Failed(failure))
            }
        }
    }

    async fn close(self) {
        for way in self.0.into_values() {
            if let Way::Open(session) = way {
                session.close().await;
            }
        }
    }
}

/// One round: claims due rows and delivers them; returns what happened. `now` is the time
/// the round starts at; the time spent sending is added to it for leases and records.
pub async fn run_once(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    worker: &Worker,
    now: Now,
) -> Result<Round> {
    let rows = claim(db, worker, now).await?;
    let mut round = Round {
        claimed: rows.len(),
        ..Round::default()
    };
    if rows.is_empty() {
        return Ok(round);
    }
    let started = Instant::now();
    let clock = || now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    let mut prepared: HashMap<i64, Option<Prepared>> = HashMap::new();
    let mut ways = Ways::default();
    let renew_after = std::time::Duration::from_secs(
        u64::try_from(worker.config.lease_secs / 3)
            .unwrap_or(1)
            .max(1),
    );
    for row in &rows {
        if started.elapsed() > renew_after && !still_mine(db, worker, row, clock()).await? {
            continue;
        }
        if let Entry::Vacant(slot) = prepared.entry(row.message_id) {
            slot.insert(prepare(db, row.message_id).await?);
        }
        let unavailable = || Outcome::Failed(DeliveryProblem::AccountUnavailable, String::new());
        let outcome = match prepared.get(&row.message_id).and_then(Option::as_ref) {
            Some(p) if !p.unavailable => match ways.attempt(db, env, p, row).await? {
                Attempt::Sent(reply) => Outcome::Sent(reply),
                Attempt::Failed(failure) => judge(worker, row, failure, clock()),
                Attempt::NoRoute => unavailable(),
            },
            _ => unavailable(),
        };
        match &outcome {
            Outcome::Sent(_) => round.sent += 1,
            Outcome::Retry(..) => round.retrying += 1,
            Outcome::Failed(..) => round.failed += 1,
        }
        tracing::debug!(to = %mask(&row.recipient_address), outbox_id = row.id, "delivery attempt recorded");
        record(db, worker, row, &outcome, clock()).await?;
    }
    ways.close().await;
    for message_id in prepared.keys() {
        purge_if_delivered(db, *message_id, clock()).await?;
    }
    tracing::info!(
        worker = %worker.name,
        claimed = round.claimed,
        sent = round.sent,
        retrying = round.retrying,
        failed = round.failed,
        "outbox round"
    );
    Ok(round)
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
