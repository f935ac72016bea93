//! The outbox shared by many schools, against real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set) and a real SMTP server on loopback, the clock passed in:
//! one school's big send does not hold another school's message, a route never goes
//! faster than its pace (across two workers too), a row that can never be processed is
//! failed rather than taken for ever, and an over-limit row is failed without being built.

mod accounts_support;
mod outbox_support;

use std::time::Duration;

use accounts_support::*;
use domain::outbox::pace::Pace;
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::outbox::{self, DeliveryProblem, DeliveryState};
use domain::smtp::FailureKind;
use outbox_support::*;
use sea_orm::{ConnectionTrait, Statement};
use testkit::fixtures::{relay_on, secretariat, secretariat_of};
use testkit::smtp::{PeerOptions, SmtpPeer};

fn list(n: usize, tag: &str) -> String {
    (0..n)
        .map(|i| format!("parent{i}@{tag}.example.fr\n"))
        .collect()
}

fn paced(name: &str, pace: Pace) -> Worker {
    Worker {
        name: name.into(),
        config: WorkerConfig {
            hosting_pace: pace,
            ..WorkerConfig::default()
        },
    }
}

async fn exec(db: &domain::DatabaseConnection, sql: &str) {
    if let Err(e) = db
        .execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
    {
        panic!("{sql}: {e}");
    }
}

#[tokio::test]
async fn a_big_send_of_one_school_does_not_hold_another_schools_message() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions::default());
        let db = &t.db;
        let a = secretariat(db, t0()).await;
        let b = secretariat_of(db, "b", t0()).await;
        // School A queues 300 families first; school B one message a minute later.
        let big = queue_text(db, &a.teacher, a.account_id, &list(300, "a"), t0()).await;
        let small = queue_text(db, &b.teacher, b.account_id, "parent@b.example.fr", at(60)).await;
        let env = env(&relay_on(peer.port));
        let w = paced("w1", Pace::UNLIMITED);

        let round = worker::run_once(db, &env, &w, at(61)).await.unwrap();
        // One share of A's send, and B's message, in the same round.
        assert_eq!(round.claimed, 50 + 1, "{round:?}");
        let b_detail = outbox::detail(db, &b.teacher, small).await.unwrap();
        assert_eq!(b_detail.summary.progress.sent, 1);
        let a_detail = outbox::detail(db, &a.teacher, big).await.unwrap();
        assert_eq!(a_detail.summary.progress.sent, 50);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_route_never_goes_faster_than_its_pace_and_says_when_it_may_again() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions::default());
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message =
            queue_text(db, &school.teacher, school.account_id, &list(45, "p"), t0()).await;
        let env = env(&relay_on(peer.port));
        let pace = Pace {
            per_minute: 30,
            per_day: 40,
        };
        let w = paced("w1", pace);

        let round = worker::run_once(db, &env, &w, t0()).await.unwrap();
        assert_eq!((round.sent, round.released), (30, 15), "{round:?}");
        // Within the minute: the account is paused, nothing is even claimed.
        let round = worker::run_once(db, &env, &w, at(30)).await.unwrap();
        assert_eq!(round.claimed, 0, "{round:?}");
        // A minute later (and the margin): the day's cap leaves 10.
        let round = worker::run_once(db, &env, &w, at(64)).await.unwrap();
        assert_eq!(round.sent, 10, "{round:?}");
        let round = worker::run_once(db, &env, &w, at(200)).await.unwrap();
        assert_eq!(round.sent, 0, "the day's 40 are spent: {round:?}");
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.summary.progress.sent, 40);
        assert_eq!(detail.summary.progress.pending, 5);
        // The next day, the rest.
        let round = worker::run_once(db, &env, &w, at(26 * 3600)).await.unwrap();
        assert_eq!(round.sent, 5, "{round:?}");
        t.drop_database().await;
    }
}

#[tokio::test]
async fn two_workers_together_keep_to_one_pace() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions::default());
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        queue_text(db, &school.teacher, school.account_id, &list(80, "q"), t0()).await;
        let env = env(&relay_on(peer.port));
        let pace = Pace {
            per_minute: 30,
            per_day: 0,
        };
        let mut w1 = paced("instance-1", pace);
        let mut w2 = paced("instance-2", pace);
        // Small shares, so that both instances hold rows of the same account at once.
        w1.config.per_account = 20;
        w2.config.per_account = 20;
        let (r1, r2) = tokio::join!(
            worker::run_once(db, &env, &w1, t0()),
            worker::run_once(db, &env, &w2, t0())
        );
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!(r1.sent + r2.sent, 30, "{r1:?} {r2:?}");
        let (r1, r2) = tokio::join!(
            worker::run_once(db, &env, &w1, at(20)),
            worker::run_once(db, &env, &w2, at(20))
        );
        assert_eq!(r1.unwrap().sent + r2.unwrap().sent, 0);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_row_whose_delivery_never_finishes_is_failed_not_taken_for_ever() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions::default());
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = queue_text(
            db,
            &school.teacher,
            school.account_id,
            "p@x.example.fr",
            t0(),
        )
        .await;
        let env = env(&relay_on(peer.port));
        let w = paced("w1", Pace::UNLIMITED);
        // Three workers take the row and die before recording anything (the claim alone).
        let none = std::collections::HashSet::new();
        for n in 0..3 {
            let claimed = worker::claim(db, &w, at(n * 400), &none).await.unwrap();
            assert_eq!(claimed.len(), 1, "claim {n}");
        }
        let round = worker::run_once(db, &env, &w, at(3 * 400)).await.unwrap();
        assert_eq!(round.claimed, 0);
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.recipients[0].state, DeliveryState::Failed);
        assert_eq!(
            detail.recipients[0].problem,
            Some(DeliveryProblem::Unprocessable)
        );
        assert!(peer.received().is_empty());
        t.drop_database().await;
    }
}

#[tokio::test]
async fn an_over_limit_row_is_failed_without_being_built() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions::default());
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = queue_text(
            db,
            &school.teacher,
            school.account_id,
            "email;x\nok@x.example.fr;1\nbig@x.example.fr;2\n",
            t0(),
        )
        .await;
        // Values written behind the queue's checks (an older row, a hand edit): 1,000
        // placeholders of 1 MB each would be a gigabyte.
        let huge = format!("{{\"x\":\"{}\"}}", "y".repeat(1024 * 1024));
        exec(
            db,
            &format!(
                "UPDATE outbox SET fields = '{huge}' WHERE recipient_address = 'big@x.example.fr'"
            ),
        )
        .await;
        exec(
            db,
            &format!(
                "UPDATE messages SET body = '{}' WHERE id = {message}",
                "{x}".repeat(1000)
            ),
        )
        .await;
        let env = env(&relay_on(peer.port));
        let round = worker::run_once(db, &env, &paced("w1", Pace::UNLIMITED), t0())
            .await
            .unwrap();
        assert_eq!((round.sent, round.failed), (1, 1), "{round:?}");
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        let big = detail
            .recipients
            .iter()
            .find(|r| r.address == "big@x.example.fr")
            .unwrap();
        assert_eq!(big.problem, Some(DeliveryProblem::TooLarge));
        assert_eq!(peer.wait_for(1, Duration::from_secs(5)).len(), 1);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_throttling_reply_pauses_the_whole_account_with_a_doubling_backoff() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions {
            throttle_first: 2,
            ..PeerOptions::default()
        });
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = queue_text(db, &school.teacher, school.account_id, &list(3, "t"), t0()).await;
        let env = env(&relay_on(peer.port));
        let w = paced("w1", Pace::UNLIMITED);

        // "421 4.7.0 … slow down": that row waits a minute, and so does the rest.
        let round = worker::run_once(db, &env, &w, t0()).await.unwrap();
        assert_eq!(
            (round.sent, round.retrying, round.released),
            (0, 1, 2),
            "{round:?}"
        );
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(
            detail.recipients[0].next_attempt_at,
            Some(at(60).timestamp())
        );
        assert_eq!(
            worker::run_once(db, &env, &w, at(59))
                .await
                .unwrap()
                .claimed,
            0
        );
        // Throttled again: two minutes this time.
        let round = worker::run_once(db, &env, &w, at(60)).await.unwrap();
        assert_eq!(round.retrying, 1, "{round:?}");
        assert_eq!(
            worker::run_once(db, &env, &w, at(179))
                .await
                .unwrap()
                .claimed,
            0
        );
        let round = worker::run_once(db, &env, &w, at(180)).await.unwrap();
        assert_eq!(round.sent, 3, "{round:?}");
        t.drop_database().await;
    }
}

/// Google's "550 5.4.5 Daily user sending limit exceeded" is a 5xx, but the message is not
/// at fault: the account waits, as after throttling, and no recipient fails.
#[tokio::test]
async fn a_daily_limit_reply_pauses_the_account_and_fails_nobody() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions {
            data_reply: Some("550 5.4.5 Daily user sending limit exceeded.".into()),
            ..PeerOptions::default()
        });
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = queue_text(db, &school.teacher, school.account_id, &list(3, "d"), t0()).await;
        let env = env(&relay_on(peer.port));
        let w = paced("w1", Pace::UNLIMITED);

        let round = worker::run_once(db, &env, &w, t0()).await.unwrap();
        assert_eq!(
            (round.sent, round.failed, round.retrying, round.released),
            (0, 0, 1, 2),
            "{round:?}"
        );
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(
            detail.recipients[0].problem,
            Some(DeliveryProblem::Smtp(FailureKind::DailyLimitReached)),
            "{}",
            t.backend
        );
        assert!(
            detail
                .recipients
                .iter()
                .all(|r| r.state != DeliveryState::Failed)
        );
        assert_eq!(
            worker::run_once(db, &env, &w, at(59))
                .await
                .unwrap()
                .claimed,
            0,
            "{}: the whole account waits",
            t.backend
        );
        t.drop_database().await;
    }
}
