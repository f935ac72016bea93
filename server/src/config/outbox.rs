//! The outbox settings: how many workers this instance runs, its name in their claims,
//! and how long leases and retries wait.

use std::time::Duration;

use domain::outbox::worker::WorkerConfig;

use super::{ConfigError, err};

/// The outbox workers of this instance.
#[derive(Clone, Debug)]
pub struct OutboxConfig {
    /// Workers in this process (0: this instance only serves pages and queues).
    pub workers: usize,
    /// Names this instance's claims; unique among instances sharing a database.
    pub instance_name: String,
    pub worker: WorkerConfig,
    /// Pause between rounds while nothing is due.
    pub idle_poll: Duration,
}

fn number(
    value: Option<String>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
    setting: &'static str,
    env: &'static str,
) -> Result<i64, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                err(
                    setting,
                    env,
                    format!(
                        "expected a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

pub(super) fn from_settings(
    workers: Option<String>,
    lease: Option<String>,
    first_retry: Option<String>,
    instance_name: Option<String>,
) -> Result<OutboxConfig, ConfigError> {
    let workers = number(workers, 2, 0..=64, "outbox_workers", "ECOLE_OUTBOX_WORKERS")?;
    let lease_secs = number(
        lease,
        300,
        2..=86_400,
        "outbox_lease_secs",
        "ECOLE_OUTBOX_LEASE_SECS",
    )?;
    let first_retry_secs = number(
        first_retry,
        60,
        1..=86_400,
        "outbox_first_retry_secs",
        "ECOLE_OUTBOX_FIRST_RETRY_SECS",
    )?;
    let instance_name = match instance_name {
        Some(name) if !name.trim().is_empty() && name.len() <= 100 => name.trim().to_owned(),
        Some(_) => {
            return Err(err(
                "instance_name",
                "ECOLE_INSTANCE_NAME",
                "expected a short non-empty name",
            ));
        }
        None => {
            let mut random = [0u8; 4];
            domain::secret::random_bytes(&mut random)
                .map_err(|e| err("instance_name", "ECOLE_INSTANCE_NAME", e.to_string()))?;
            format!(
                "pid{}-{}",
                std::process::id(),
                random
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            )
        }
    };
    Ok(OutboxConfig {
        workers: usize::try_from(workers).unwrap_or(2),
        instance_name,
        worker: WorkerConfig {
            lease_secs,
            first_retry_secs,
            ..WorkerConfig::default()
        },
        idle_poll: Duration::from_millis(500),
    })
}
