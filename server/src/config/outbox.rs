//! The outbox settings: how many workers this instance runs, its name in their claims,
//! how long leases and retries wait, and how long what is in clear is kept.

use std::time::Duration;

use domain::outbox::retention::Retention;
use domain::outbox::worker::WorkerConfig;

use super::{ConfigError, given_or_initial, refuse};

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
    /// What the retention sweep keeps, and for how long (`outbox_retention_days`,
    /// `draft_lifetime_days`).
    pub retention: Retention,
    /// Pause between two retention sweeps of this instance (10 minutes; at once again
    /// while a sweep stops at its bound).
    pub sweep_every: Duration,
}

/// A whole number in `range`; when not given, the setting's declared value.
fn number(
    value: Option<String>,
    range: std::ops::RangeInclusive<i64>,
    setting: &'static str,
) -> Result<i64, ConfigError> {
    match given_or_initial(value, setting) {
        None => Err(refuse(setting, "missing")),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                refuse(
                    setting,
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
    let workers = number(workers, 0..=64, "outbox_workers")?;
    let lease_secs = number(lease, 2..=86_400, "outbox_lease_secs")?;
    let first_retry_secs = number(first_retry, 1..=86_400, "outbox_first_retry_secs")?;
    let instance_name = match instance_name {
        Some(name) if !name.trim().is_empty() && name.len() <= 100 => name.trim().to_owned(),
        Some(_) => {
            return Err(refuse("instance_name", "expected a short non-empty name"));
        }
        None => {
            let mut random = [0u8; 4];
            domain::secret::random_bytes(&mut random)
                .map_err(|e| refuse("instance_name", e.to_string()))?;
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
        retention: Retention::default(),
        sweep_every: Duration::from_secs(600),
    })
}

impl OutboxConfig {
    /// The pace of each account through the hosting relay (`relay_pace_per_minute`,
    /// `relay_pace_per_day`; 0 means no limit): what the operator's relay accepts.
    pub(super) fn with_hosting_pace(
        mut self,
        per_minute: Option<String>,
        per_day: Option<String>,
    ) -> Result<Self, ConfigError> {
        let default = WorkerConfig::default().hosting_pace;
        let per_minute = number(per_minute, 0..=100_000, "relay_pace_per_minute")?;
        let per_day = number(per_day, 0..=10_000_000, "relay_pace_per_day")?;
        self.worker.hosting_pace = domain::outbox::pace::Pace {
            per_minute: u32::try_from(per_minute).unwrap_or(default.per_minute),
            per_day: u32::try_from(per_day).unwrap_or(default.per_day),
        };
        Ok(self)
    }
}

impl OutboxConfig {
    /// How long a send with failed recipients keeps its text, attachments and values for
    /// "Renvoyer les échecs" (`outbox_retention_days`), and how long a draft nobody saves
    /// stays (`draft_lifetime_days`); 30 days each unless set.
    pub(super) fn with_retention(
        mut self,
        retention_days: Option<String>,
        draft_days: Option<String>,
    ) -> Result<Self, ConfigError> {
        let default = Retention::default();
        let retention_days = number(retention_days, 1..=3650, "outbox_retention_days")?;
        let draft_days = number(draft_days, 1..=3650, "draft_lifetime_days")?;
        self.retention = Retention {
            failed_kept_for: chrono::Duration::days(retention_days),
            draft_lifetime: chrono::Duration::days(draft_days),
            ..default
        };
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox() -> Result<OutboxConfig, ConfigError> {
        from_settings(None, None, None, Some("test".into()))
    }

    #[test]
    fn retention_is_thirty_days_unless_set() -> Result<(), ConfigError> {
        let config = outbox()?.with_retention(None, None)?;
        assert_eq!(config.retention.failed_kept_for, chrono::Duration::days(30));
        assert_eq!(config.retention.draft_lifetime, chrono::Duration::days(30));
        let config = outbox()?.with_retention(Some("90".into()), Some(" 7 ".into()))?;
        assert_eq!(config.retention.failed_kept_for, chrono::Duration::days(90));
        assert_eq!(config.retention.draft_lifetime, chrono::Duration::days(7));
        Ok(())
    }

    #[test]
    fn a_retention_out_of_range_is_named() -> Result<(), ConfigError> {
        for (retention, drafts, named) in [
            ("0", "30", "ECOLE_OUTBOX_RETENTION_DAYS"),
            ("30", "a month", "ECOLE_DRAFT_LIFETIME_DAYS"),
            ("30", "3651", "ECOLE_DRAFT_LIFETIME_DAYS"),
        ] {
            let refused = outbox()?.with_retention(Some(retention.into()), Some(drafts.into()));
            match refused {
                Err(e) => assert!(e.to_string().contains(named), "{e}"),
                Ok(_) => panic!("accepted {retention} / {drafts}"),
            }
        }
        Ok(())
    }
}
