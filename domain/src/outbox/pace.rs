//! Sending at the pace a relay accepts. An Exchange Online mailbox takes 30 messages a
//! minute and 10,000 recipients a day; Google Workspace about 2,000 a day; academies ask
//! for no mass mailing. Each account's recent sends are counted in the database (one row
//! in `account_paces`, changed under optimistic locking), so several instances together
//! never exceed the pace; a throttling reply pauses the whole account with a doubling
//! backoff.
//!
//! The counts are kept in buckets — seconds for the minute, hours for the day — and a
//! message may leave only while the buckets that could share any 60-second (24-hour)
//! window with it hold fewer than the limit: 61 + [`MARGIN_SECS`] one-second buckets and
//! 25 one-hour buckets. So no sliding minute or day ever holds more than the pace, not
//! only calendar minutes and days.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::entity::account_pace;
use crate::{Now, Result};

/// Seconds between the decision to send and the relay's acceptance that the minute's count
/// allows for (a reused connection takes milliseconds; a slow relay up to about this).
pub const MARGIN_SECS: i64 = 2;
/// The first pause after a throttling reply; each next one doubles, up to [`MAX_PAUSE_SECS`].
pub const FIRST_PAUSE_SECS: i64 = 60;
pub const MAX_PAUSE_SECS: i64 = 3600;

/// A route's pace: at most `per_minute` messages in any 60 s and `per_day` in any 24 h.
/// Zero means no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pace {
    pub per_minute: u32,
    pub per_day: u32,
}

impl Pace {
    /// What a school's own relay gets until its administrator says otherwise: Exchange
    /// Online's limits, the strictest common ones.
    pub const SCHOOL_DEFAULT: Pace = Pace {
        per_minute: vocabulary::limits::DEFAULT_PACE_PER_MINUTE,
        per_day: vocabulary::limits::DEFAULT_PACE_PER_DAY,
    };
    pub const UNLIMITED: Pace = Pace {
        per_minute: 0,
        per_day: 0,
    };

    pub fn is_unlimited(self) -> bool {
        self.per_minute == 0 && self.per_day == 0
    }

    /// Seconds `pending` messages take at this pace (whole minutes and days), from empty
    /// counters.
    pub fn duration_secs(self, pending: u64) -> u64 {
        let by_minute = match self.per_minute {
            0 => 0,
            n => pending.div_ceil(u64::from(n)).saturating_sub(1) * 60,
        };
        let by_day = match self.per_day {
            0 => 0,
            n => pending.div_ceil(u64::from(n)).saturating_sub(1) * 86_400,
        };
        Ord::max(by_minute, by_day)
    }
}

/// An account's recent sends: (second, count) and (hour, count), oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    seconds: Vec<(i64, u32)>,
    hours: Vec<(i64, u32)>,
}

fn first_second(now: i64) -> i64 {
    now - 60 - MARGIN_SECS
}

fn first_hour(now: i64) -> i64 {
    now.div_euclid(3600) - 24
}

fn sum(buckets: &[(i64, u32)], from: i64) -> u64 {
    buckets
        .iter()
        .filter(|(at, _)| *at >= from)
        .map(|(_, n)| u64::from(*n))
        .sum()
}

fn add(buckets: &mut Vec<(i64, u32)>, at: i64) {
    match buckets.last_mut() {
        Some((last, n)) if *last == at => *n = n.saturating_add(1),
        _ => buckets.push((at, 1)),
    }
}

impl Recent {
    fn prune(&mut self, now: i64) {
        self.seconds.retain(|(s, _)| *s >= first_second(now));
        self.hours.retain(|(h, _)| *h >= first_hour(now));
    }

    /// How many more may leave at `now` (`u64::MAX` without a limit).
    pub fn allowance(&self, pace: Pace, now: i64) -> u64 {
        let left = |limit: u32, used: u64| match limit {
            0 => u64::MAX,
            n => u64::from(n).saturating_sub(used),
        };
        Ord::min(
            left(pace.per_minute, sum(&self.seconds, first_second(now))),
            left(pace.per_day, sum(&self.hours, first_hour(now))),
        )
    }

    /// Counts one message leaving at `now`.
    pub fn record(&mut self, now: i64) {
        self.prune(now);
        add(&mut self.seconds, now);
        add(&mut self.hours, now.div_euclid(3600));
    }

    /// The first second after `now` at which one more may leave.
    pub fn next_free(&self, pace: Pace, now: i64) -> i64 {
        (now..)
            .take(60 + MARGIN_SECS as usize + 2)
            .find(|&t| self.allowance(pace, t) > 0)
            .unwrap_or_else(|| {
                // The day is spent: the next hour in which a bucket leaves the window.
                let hour = (first_hour(now)..=now.div_euclid(3600))
                    .find(|&h| self.hours.iter().any(|(at, n)| *at == h && *n > 0))
                    .unwrap_or(now.div_euclid(3600));
                (hour + 25) * 3600
            })
    }
}

/// The pace `account_id`'s mail goes at, as its saved settings route it (the same choice
/// as `accounts::sending::saved_route`, without opening any password): its own server or
/// the school's relay at the school's pace, the hosting relay at `hosting`. Reads no secret;
/// for the send's page.
pub async fn for_account(
    db: &impl ConnectionTrait,
    school_id: i64,
    account_id: i64,
    hosting: Pace,
) -> Result<Pace> {
    let Some(account) = crate::entity::account::Entity::find_by_id(account_id)
        .filter(crate::entity::account::Column::SchoolId.eq(school_id))
        .one(db)
        .await?
    else {
        return Ok(hosting);
    };
    let deliver_all = crate::routes::delivers_all_through_server(db, school_id).await?;
    let own_server = !deliver_all && !account.use_server_settings && account.smtp_host.is_some();
    let school_relay = crate::entity::sending_settings::Entity::find_by_id(school_id)
        .one(db)
        .await?
        .is_some_and(|s| s.saved_at.is_some() && s.relay_kind == "school");
    if own_server || school_relay {
        crate::sending_settings::school_pace(db, school_id).await
    } else {
        Ok(hosting)
    }
}

/// What the pace allows for one more message now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Granted,
    /// Not before this time (Unix seconds): the pace is spent or the account is paused.
    Wait(i64),
}

async fn row(db: &impl ConnectionTrait, account_id: i64, now: i64) -> Result<account_pace::Model> {
    account_pace::Entity::insert(account_pace::ActiveModel {
        account_id: Set(account_id),
        recent: Set("{}".into()),
        version: Set(0),
        paused_until: Set(None),
        pause_secs: Set(None),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    account_pace::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or_else(|| crate::Error::Internal("account pace row vanished".into()))
}

/// Takes one slot of `account_id`'s pace at `now`, or says until when to wait (and marks
/// the account paused until then, so that workers stop claiming its mail).
pub async fn reserve(
    db: &impl ConnectionTrait,
    account_id: i64,
    pace: Pace,
    now: Now,
) -> Result<Slot> {
    let at = now.timestamp();
    for _ in 0..5 {
        let current = row(db, account_id, at).await?;
        if let Some(until) = current.paused_until.filter(|u| *u > at) {
            return Ok(Slot::Wait(until));
        }
        let mut recent: Recent = serde_json::from_str(&current.recent).unwrap_or_default();
        let slot = if recent.allowance(pace, at) > 0 {
            recent.record(at);
            Slot::Granted
        } else {
            Slot::Wait(recent.next_free(pace, at))
        };
        let paused_until = match slot {
            Slot::Granted => None,
            Slot::Wait(until) => Some(until),
        };
        let written = account_pace::Entity::update_many()
            .col_expr(
                account_pace::Column::Recent,
                Expr::value(serde_json::to_string(&recent).unwrap_or_default()),
            )
            .col_expr(
                account_pace::Column::Version,
                Expr::value(current.version + 1),
            )
            .col_expr(account_pace::Column::PausedUntil, Expr::value(paused_until))
            .col_expr(account_pace::Column::UpdatedAt, Expr::value(at))
            .filter(account_pace::Column::AccountId.eq(account_id))
            .filter(account_pace::Column::Version.eq(current.version))
            .exec(db)
            .await?
            .rows_affected;
        if written == 1 {
            return Ok(slot);
        }
        // Another instance counted a send meanwhile: read again.
    }
    Ok(Slot::Wait(at + 1))
}

/// A throttling reply (421, 454, 4.7.x): the whole account waits, twice as long as after
/// the previous one (from [`FIRST_PAUSE_SECS`] to [`MAX_PAUSE_SECS`]). Returns the end.
pub async fn pause(db: &impl ConnectionTrait, account_id: i64, now: Now) -> Result<i64> {
    let at = now.timestamp();
    let current = row(db, account_id, at).await?;
    let secs = current
        .pause_secs
        .map_or(FIRST_PAUSE_SECS, |s| s.saturating_mul(2))
        .clamp(FIRST_PAUSE_SECS, MAX_PAUSE_SECS);
    let until = at + secs;
    account_pace::Entity::update_many()
        .col_expr(account_pace::Column::PausedUntil, Expr::value(Some(until)))
        .col_expr(account_pace::Column::PauseSecs, Expr::value(Some(secs)))
        .col_expr(
            account_pace::Column::Version,
            ExprTrait::add(Expr::col(account_pace::Column::Version), 1),
        )
        .col_expr(account_pace::Column::UpdatedAt, Expr::value(at))
        .filter(account_pace::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    tracing::warn!(
        account_id,
        pause_secs = secs,
        "relay throttling: account paused"
    );
    Ok(until)
}

/// A delivery went through: the next throttling pause starts again from the first length.
pub async fn clear_backoff(db: &impl ConnectionTrait, account_id: i64) -> Result<()> {
    account_pace::Entity::update_many()
        .col_expr(
            account_pace::Column::PauseSecs,
            Expr::value(Option::<i64>::None),
        )
        .filter(account_pace::Column::AccountId.eq(account_id))
        .filter(account_pace::Column::PauseSecs.is_not_null())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACE: Pace = Pace {
        per_minute: 30,
        per_day: 100,
    };

    /// Sends as fast as the pace allows over `secs`, one decision per second.
    fn greedy(recent: &mut Recent, pace: Pace, from: i64, secs: i64) -> Vec<i64> {
        let mut sent = Vec::new();
        for t in from..from + secs {
            while recent.allowance(pace, t) > 0 {
                recent.record(t);
                sent.push(t);
            }
        }
        sent
    }

    #[test]
    fn no_sliding_minute_or_day_holds_more_than_the_pace() {
        let mut recent = Recent::default();
        let sent = greedy(&mut recent, PACE, 1_000_000, 3 * 86_400);
        for (i, &t) in sent.iter().enumerate() {
            let in_minute = sent[i..].iter().take_while(|&&u| u < t + 60).count();
            assert!(in_minute <= 30, "{in_minute} in the minute from {t}");
            let in_day = sent[i..].iter().take_while(|&&u| u < t + 86_400).count();
            assert!(in_day <= 100, "{in_day} in the day from {t}");
        }
        // And the pace is used: 100 a day over three days, give or take the margins.
        assert!(sent.len() >= 250, "{}", sent.len());
    }

    #[test]
    fn the_next_free_second_is_when_the_minute_allows_again() {
        let mut recent = Recent::default();
        for _ in 0..30 {
            recent.record(500);
        }
        assert_eq!(recent.allowance(PACE, 500), 0);
        let next = recent.next_free(PACE, 500);
        assert_eq!(next, 500 + 61 + MARGIN_SECS);
        assert!(recent.allowance(PACE, next) > 0);
        assert_eq!(recent.allowance(Pace::UNLIMITED, 500), u64::MAX);
    }

    #[test]
    fn durations_are_stated_in_whole_minutes_and_days() {
        assert_eq!(Pace::SCHOOL_DEFAULT.duration_secs(600), 19 * 60);
        assert_eq!(Pace::SCHOOL_DEFAULT.duration_secs(30), 0);
        assert_eq!(Pace::UNLIMITED.duration_secs(5_000), 0);
        let daily = Pace {
            per_minute: 0,
            per_day: 2_000,
        };
        assert_eq!(daily.duration_secs(5_000), 2 * 86_400);
    }
}
