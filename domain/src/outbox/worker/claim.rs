//! Taking due rows fairly. A round picks due *accounts* first — each school's longest
//! waiting account before any school's second one — then claims at most a share of each
//! account's rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances never take the same
//! row). One school's 5,000-recipient send therefore takes one slot of a round, never the
//! whole round, and a paused account (throttled, or its pace spent) is not picked at all.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement, Value};

use super::Worker;
use crate::entity::outbox;
use crate::{Now, Result};

/// Times a row may be taken back from a worker that never recorded its outcome before it
/// is failed as "could not be processed": a message that crashes the process cannot crash
/// it for ever, for every school.
pub const MAX_STALLS: i64 = 2;

/// One account's claimed rows, in the order they were queued.
#[derive(Clone, Debug)]
pub struct Batch {
    pub account_id: i64,
    pub(crate) rows: Vec<outbox::Model>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Numbered placeholders for PostgreSQL, `?` for SQLite.
struct Params {
    postgres: bool,
    values: Vec<Value>,
}

impl Params {
    fn new(db: &DatabaseConnection) -> Self {
        Params {
            postgres: db.get_database_backend() == DbBackend::Postgres,
            values: Vec::new(),
        }
    }

    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        if self.postgres {
            format!("${}", self.values.len())
        } else {
            "?".to_owned()
        }
    }

    fn statement(self, db: &DatabaseConnection, sql: String) -> Statement {
        Statement::from_sql_and_values(db.get_database_backend(), sql, self.values)
    }
}

/// A row is due when it waits and its time has come, or when the worker that took it has
/// let its lease run out.
fn due(p: &mut Params, at: i64, alias: &str) -> String {
    format!(
        "(({alias}state IN ('queued', 'retrying') AND {alias}next_attempt_at <= {}) \
         OR ({alias}state = 'sending' AND {alias}claimed_until < {}))",
        p.bind(at),
        p.bind(at)
    )
}

/// Fails, with a reason, the rows whose delivery was started more than [`MAX_STALLS`]
/// times and never finished.
async fn fail_stalled(db: &DatabaseConnection, at: i64) -> Result<u64> {
    let mut p = Params::new(db);
    let sql = format!(
        "UPDATE outbox SET state = 'failed', failure_kind = 'Unprocessable', \
         claimed_until = NULL, updated_at = {} \
         WHERE state = 'sending' AND claimed_until < {} AND stalls >= {}",
        p.bind(at),
        p.bind(at),
        p.bind(MAX_STALLS)
    );
    let done = db.execute_raw(p.statement(db, sql)).await?.rows_affected();
    if done > 0 {
        tracing::warn!(
            rows = done,
            "outbox rows failed after repeated unfinished attempts"
        );
    }
    Ok(done)
}

/// Due accounts, fairly ordered: each school's longest-waiting account first, then the
/// schools' second accounts, and so on; accounts in `busy` or paused are left out.
async fn due_accounts(
    db: &DatabaseConnection,
    at: i64,
    busy: &HashSet<i64>,
    limit: u64,
) -> Result<Vec<i64>> {
    let mut p = Params::new(db);
    let due = due(&mut p, at, "o.");
    let paused = p.bind(at);
    // Our own ids, from memory: integers formatted, never text.
    let not_busy = match busy.is_empty() {
        true => String::new(),
        false => format!(
            " AND m.account_id NOT IN ({})",
            busy.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    let sql = format!(
        "SELECT account_id FROM ( \
           SELECT account_id, due, ROW_NUMBER() OVER (PARTITION BY school_id ORDER BY due, account_id) AS turn \
           FROM (SELECT m.account_id AS account_id, m.school_id AS school_id, MIN(o.next_attempt_at) AS due \
                 FROM outbox o JOIN messages m ON m.id = o.message_id \
                 LEFT JOIN account_paces p ON p.account_id = m.account_id \
                 WHERE {due} AND (p.paused_until IS NULL OR p.paused_until <= {paused}){not_busy} \
                 GROUP BY m.account_id, m.school_id) d \
         ) ranked ORDER BY turn, due, account_id LIMIT {}",
        p.bind(i64::try_from(limit).unwrap_or(i64::MAX))
    );
    let rows = db.query_all_raw(p.statement(db, sql)).await?;
    rows.iter()
        .map(|r| r.try_get::<i64>("", "account_id").map_err(Into::into))
        .collect()
}

/// Claims up to `share` due rows of one account for `worker`.
async fn claim_account(
    db: &DatabaseConnection,
    worker: &Worker,
    account_id: i64,
    at: i64,
) -> Result<Vec<outbox::Model>> {
    let mut p = Params::new(db);
    let (me, until, updated) = (
        p.bind(worker.name.clone()),
        p.bind(at + worker.config.lease_secs),
        p.bind(at),
    );
    let account = p.bind(account_id);
    let due = due(&mut p, at, "");
    let share = p.bind(i64::try_from(worker.config.per_account).unwrap_or(50));
    let lock = if p.postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    // `stalls` counts a row taken back from an expired lease: its last attempt never ended.
    let sql = format!(
        "UPDATE outbox SET state = 'sending', claimed_by = {me}, claimed_until = {until}, \
         attempts = attempts + 1, \
         stalls = stalls + CASE WHEN state = 'sending' THEN 1 ELSE 0 END, \
         updated_at = {updated} \
         WHERE id IN (SELECT id FROM outbox \
           WHERE message_id IN (SELECT id FROM messages WHERE account_id = {account}) AND {due} \
           ORDER BY next_attempt_at, id LIMIT {share}{lock}) \
         RETURNING *"
    );
    let mut rows = outbox::Entity::find()
        .from_raw_sql(p.statement(db, sql))
        .all(db)
        .await?;
    rows.sort_by_key(|r| (r.message_id, r.position));
    Ok(rows)
}

/// Claims a round's work: accounts not in `busy` (those this worker is still serving), up
/// to `worker.config.accounts_per_round` with them, each with up to
/// `worker.config.per_account` rows.
pub async fn claim(
    db: &DatabaseConnection,
    worker: &Worker,
    now: Now,
    busy: &HashSet<i64>,
) -> Result<Vec<Batch>> {
    let at = now.timestamp();
    fail_stalled(db, at).await?;
    let mut batches = Vec::new();
    let free = worker
        .config
        .accounts_per_round
        .saturating_sub(busy.len() as u64);
    if free == 0 {
        return Ok(batches);
    }
    for account_id in due_accounts(db, at, busy, free).await? {
        let rows = claim_account(db, worker, account_id, at).await?;
        if !rows.is_empty() {
            batches.push(Batch { account_id, rows });
        }
    }
    Ok(batches)
}

/// Hands back claimed rows that were not attempted (the account's time budget or pace ran
/// out): they are due again as they were, the claim's attempt not counted.
pub(super) async fn release(
    db: &DatabaseConnection,
    worker: &Worker,
    rows: &[outbox::Model],
    now: Now,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut p = Params::new(db);
    let updated = p.bind(now.timestamp());
    let me = p.bind(worker.name.clone());
    let ids = rows
        .iter()
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "UPDATE outbox SET state = CASE WHEN attempts <= 1 THEN 'queued' ELSE 'retrying' END, \
         attempts = attempts - 1, claimed_until = NULL, updated_at = {updated} \
         WHERE id IN ({ids}) AND claimed_by = {me} AND state = 'sending'"
    );
    db.execute_raw(p.statement(db, sql)).await?;
    Ok(())
}
