//! The outbox workers of this instance: each claims due accounts fairly
//! (`domain::outbox::worker::claim`) and delivers each account's batch in a task of its own,
//! claiming again as soon as a slot frees or every `idle_poll`, so that one slow relay never
//! holds another school's mail. On shutdown they finish the batches in hand and stop; rows
//! claimed but not reached go back to others once their lease runs out.

use std::collections::HashSet;
use std::time::Duration;

use domain::DatabaseConnection;
use domain::outbox::retention::{self, Retention};
use domain::outbox::worker::{self, Round, Worker};
use domain::sending_settings::SendingEnvironment;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::config::OutboxConfig;

pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Asks every worker to stop after its current round, and waits (at most 30 s).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let all = async {
            for task in self.tasks {
                let _ = task.await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(30), all)
            .await
            .is_err()
        {
            tracing::warn!("outbox workers did not stop within 30 s");
        }
    }
}

/// Starts `config.workers` workers and, when there is at least one, the retention sweep
/// ([`sweep`]).
pub fn start(config: &OutboxConfig, db: DatabaseConnection, env: SendingEnvironment) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let mut tasks: Vec<JoinHandle<()>> = (0..config.workers)
        .map(|i| {
            let worker = Worker {
                name: format!("{}/{i}", config.instance_name),
                config: config.worker.clone(),
            };
            tokio::spawn(run(
                worker,
                db.clone(),
                env.clone(),
                config.idle_poll,
                stopped.clone(),
            ))
        })
        .collect();
    if config.workers > 0 {
        tracing::info!(workers = config.workers, instance = %config.instance_name, "outbox workers started");
        tasks.push(tokio::spawn(sweep(
            db,
            config.retention.clone(),
            config.sweep_every,
            stopped,
        )));
    }
    Workers { stop, tasks }
}

/// The retention sweep of this instance (`domain::outbox::retention`): every `every`, the
/// first one `every` after start, and again a second later while a sweep stops at its
/// bound. Each call does a bounded amount of work, and several instances may sweep the
/// same database at once.
async fn sweep(
    db: DatabaseConnection,
    policy: Retention,
    every: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let mut pause = every;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            changed = stopped.changed() => if changed.is_err() { break },
        }
        if *stopped.borrow() {
            break;
        }
        pause = match retention::sweep(&db, chrono::Utc::now(), &policy).await {
            Ok(swept) => {
                metrics::counter!("outbox_purged_total").increment(swept.purged);
                metrics::counter!("outbox_values_cleared_total").increment(swept.values_cleared);
                metrics::counter!("drafts_expired_total").increment(swept.drafts_deleted);
                if swept.more {
                    Duration::from_secs(1).min(every)
                } else {
                    every
                }
            }
            Err(error) => {
                tracing::warn!(%error, "retention sweep failed");
                every
            }
        };
    }
}

async fn run(
    worker: Worker,
    db: DatabaseConnection,
    env: SendingEnvironment,
    idle_poll: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    // Each account's batch runs as its own task: a new school's message is claimed at the
    // next poll while a slow relay is still busy with another school's batch.
    let mut batches: JoinSet<(i64, Result<Round, domain::Error>)> = JoinSet::new();
    let mut busy = HashSet::new();
    let mut failures = 0u32;
    while !*stopped.borrow() {
        let mut pause = idle_poll;
        if (busy.len() as u64) < worker.config.accounts_per_round {
            match worker::claim(&db, &worker, chrono::Utc::now(), &busy).await {
                Ok(claimed) => {
                    failures = 0;
                    for batch in claimed {
                        let account = batch.account_id;
                        busy.insert(account);
                        let (db, env, worker) = (db.clone(), env.clone(), worker.clone());
                        let now = chrono::Utc::now();
                        batches.spawn(async move {
                            (
                                account,
                                worker::deliver(&db, &env, &worker, batch, now).await,
                            )
                        });
                        pause = Duration::ZERO;
                    }
                }
                Err(error) => {
                    // The database is unreachable or busy: back off, up to a minute.
                    failures = failures.saturating_add(1);
                    tracing::warn!(worker = %worker.name, %error, "outbox claim failed");
                    pause = idle_poll * 2u32.saturating_pow(failures.min(7));
                }
            }
        }
        tokio::select! {
            Some(done) = batches.join_next(), if !batches.is_empty() => finished(&mut busy, done),
            _ = tokio::time::sleep(pause.min(Duration::from_secs(60))) => {}
            _ = stopped.changed() => {}
        }
    }
    while let Some(done) = batches.join_next().await {
        finished(&mut busy, done);
    }
}

/// A batch is over: its account may be claimed again; its figures go to the metrics.
fn finished(
    busy: &mut HashSet<i64>,
    done: Result<(i64, Result<Round, domain::Error>), tokio::task::JoinError>,
) {
    match done {
        Ok((account, result)) => {
            busy.remove(&account);
            match result {
                Ok(round) => {
                    metrics::counter!("outbox_sent_total").increment(round.sent as u64);
                    metrics::counter!("outbox_failed_total").increment(round.failed as u64);
                    metrics::counter!("outbox_retrying_total").increment(round.retrying as u64);
                }
                Err(error) => tracing::warn!(account_id = account, %error, "outbox batch failed"),
            }
        }
        // A panicking batch loses its account id; its rows come back when the lease ends.
        Err(error) => tracing::error!(%error, "outbox batch task failed"),
    }
}
