//! The outbox workers of this instance: each loops over `domain::outbox::worker::run_once`,
//! pausing while nothing is due. On shutdown they finish the message in hand and stop;
//! rows they had claimed but not reached go back to others once their lease runs out.

use std::time::Duration;

use domain::DatabaseConnection;
use domain::outbox::worker::{self, Worker};
use domain::sending_settings::SendingEnvironment;
use tokio::sync::watch;
use tokio::task::JoinHandle;

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

/// Starts `config.workers` workers.
pub fn start(config: &OutboxConfig, db: DatabaseConnection, env: SendingEnvironment) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let tasks = (0..config.workers)
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
    }
    Workers { stop, tasks }
}

async fn run(
    worker: Worker,
    db: DatabaseConnection,
    env: SendingEnvironment,
    idle_poll: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let mut failures = 0u32;
    while !*stopped.borrow() {
        let pause = match worker::run_once(&db, &env, &worker, chrono::Utc::now()).await {
            Ok(round) if round.claimed > 0 => {
                failures = 0;
                metrics::counter!("outbox_sent_total").increment(round.sent as u64);
                metrics::counter!("outbox_failed_total").increment(round.failed as u64);
                metrics::counter!("outbox_retrying_total").increment(round.retrying as u64);
                continue;
            }
            Ok(_) => idle_poll,
            Err(error) => {
                // The database is unreachable or busy: back off, up to a minute.
                failures = failures.saturating_add(1);
                tracing::warn!(worker = %worker.name, %error, "outbox round failed");
                idle_poll * 2u32.saturating_pow(failures.min(7))
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause.min(Duration::from_secs(60))) => {}
            _ = stopped.changed() => {}
        }
    }
}
