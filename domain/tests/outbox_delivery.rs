//! Delivering the outbox against real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set) and a real SMTP server on loopback (aiosmtpd): temporary
//! failure then success, a permanent failure with its reason, a relay that is down for a
//! while, leases, and two workers sharing one send.

mod accounts_support;
mod outbox_support;

use std::collections::HashSet;
use std::time::Duration;

use accounts_support::*;
use domain::Error;
use domain::mail::Mailer;
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::outbox::{self, DeliveryProblem, DeliveryState};
use domain::smtp::FailureKind;
use outbox_support::*;
use sea_orm::ConnectionTrait;
use testkit::fixtures::{relay_on, secretariat};
use testkit::smtp::{PeerOptions, SmtpPeer};

#[tokio::test]
async fn a_temporary_failure_is_retried_after_the_backoff_and_then_delivered() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions {
            temp_fail_first: 1,
            ..PeerOptions::default()
        });
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let account = school.account_id;
        let message = queue(db, &school.teacher, account, TWO).await;
        let env = env(&relay_on(peer.port));
        let w = worker("w1");

        let round = worker::run_once(db, &env, &w, t0()).await.unwrap();
        assert_eq!((round.sent, round.retrying), (1, 1));
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        let first = &detail.recipients[0];
        assert_eq!(first.state, DeliveryState::Retrying);
        assert_eq!(
            first.problem,
            Some(DeliveryProblem::Smtp(FailureKind::TemporaryFailure))
        );
        assert!(first.reply.as_deref().unwrap().starts_with("451"));
        assert_eq!(first.next_attempt_at, Some(at(60).timestamp()));
        assert_eq!(detail.recipients[1].state, DeliveryState::Sent);
        assert!(
            detail.recipients[1]
                .reply
                .as_deref()
                .unwrap()
                .starts_with("250")
        );

        // Not due yet: nothing is claimed.
        assert_eq!(
            worker::run_once(db, &env, &w, at(30))
                .await
                .unwrap()
                .claimed,
            0
        );
        let round = worker::run_once(db, &env, &w, at(61)).await.unwrap();
        assert_eq!(round.sent, 1);
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.summary.progress.sent, 2);
        assert_eq!(detail.recipients[0].attempts, 2);

        let received = peer.wait_for(2, Duration::from_secs(5));
        assert_eq!(received.len(), 2);
        // The second recipient went first (the first was refused for now), personalised.
        let first = &received[0].data;
        assert!(first.contains("Subject: Absence de Tom"), "{first}");
        assert!(first.contains("Bonjour M. Roy"));
        let ids: HashSet<String> = received.iter().map(|r| message_id_of(&r.data)).collect();
        assert_eq!(ids.len(), 2, "one Message-ID per recipient");
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_permanent_refusal_fails_with_its_reason_and_is_not_retried_as_it_is() {
    let peer = SmtpPeer::start(PeerOptions {
        reject_recipient: Some("parent.b@b.fr".into()),
        ..PeerOptions::default()
    });
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let account = school.account_id;
        let message = queue(db, &school.teacher, account, TWO).await;
        let env = env(&relay_on(peer.port));
        let w = worker("w1");
        let before = peer.received().len();
        let round = worker::run_once(db, &env, &w, t0()).await.unwrap();
        assert_eq!((round.sent, round.failed), (1, 1));
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        let refused = &detail.recipients[1];
        assert_eq!(refused.state, DeliveryState::Failed);
        assert_eq!(
            refused.problem,
            Some(DeliveryProblem::Smtp(FailureKind::RecipientRefused))
        );
        assert!(refused.reply.as_deref().unwrap().contains("550 5.1.1"));
        assert_eq!(
            detail.summary.progress,
            outbox::Progress {
                total: 2,
                sent: 1,
                pending: 0,
                failed: 1
            }
        );
        assert_eq!(peer.received().len(), before + 1);

        // "Renvoyer les échecs": an address refused for good would fail the same way, so it
        // is left to be corrected (outbox_correct.rs); nothing is sent again.
        assert_eq!(
            outbox::retry_failed(db, &school.teacher, message, at(10))
                .await
                .unwrap(),
            0
        );
        let round = worker::run_once(db, &env, &w, at(10)).await.unwrap();
        assert_eq!(round.claimed, 0);
        assert_eq!(
            peer.received().len(),
            before + 1,
            "the delivered one was not sent again"
        );
        // Another person cannot see or retry this send.
        assert!(matches!(
            outbox::detail(db, &school.admin, message).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            outbox::retry_failed(db, &school.admin, message, at(10)).await,
            Err(Error::NotFound)
        ));
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_relay_that_is_down_for_a_while_gets_every_message_once_it_is_back() {
    let port = testkit::smtp::free_port();
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let account = school.account_id;
        let message = queue(db, &school.teacher, account, TWO).await;
        let env = env(&relay_on(port));
        let w = worker("w1");
        let round = worker::run_once(db, &env, &w, t0()).await.unwrap();
        assert_eq!(round.retrying, 2);
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert!(
            detail
                .recipients
                .iter()
                .all(|r| r.problem == Some(DeliveryProblem::Smtp(FailureKind::ConnectionRefused)))
        );

        let peer = SmtpPeer::start_on(port, PeerOptions::default());
        let round = worker::run_once(db, &env, &w, at(61)).await.unwrap();
        assert_eq!(round.sent, 2);
        assert_eq!(peer.wait_for(2, Duration::from_secs(5)).len(), 2);
        drop(peer);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_claim_whose_lease_ran_out_is_taken_again_and_a_live_one_is_not() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let account = school.account_id;
        queue(db, &school.teacher, account, TWO).await;
        // A worker that died mid-send: one row with a lease in the past, one still held.
        db.execute_unprepared(&format!(
            "UPDATE outbox SET state = 'sending', claimed_by = 'dead', attempts = 1, claimed_until = {} WHERE recipient_address = 'parent.a@b.fr'",
            at(-1).timestamp()
        ))
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "UPDATE outbox SET state = 'sending', claimed_by = 'alive', attempts = 1, claimed_until = {} WHERE recipient_address = 'parent.b@b.fr'",
            at(300).timestamp()
        ))
        .await
        .unwrap();
        let mailer = Mailer::memory();
        let round = worker::run_once(db, &env(&mailer), &worker("w2"), t0())
            .await
            .unwrap();
        assert_eq!((round.claimed, round.sent), (1, 1));
        assert!(mailer.sent()[0].contains("parent.a@b.fr"));
        t.drop_database().await;
    }
}

#[tokio::test]
async fn two_workers_share_a_send_without_sending_anything_twice() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let account = school.account_id;
        let list: String = (0..300)
            .map(|i| format!("parent{i}@b.fr;P{i};E{i}\n"))
            .collect();
        let message = queue(
            db,
            &school.teacher,
            account,
            &format!("email;nom;eleve\n{list}"),
        )
        .await;
        let mailer = Mailer::memory();
        let env = env(&mailer);
        let small = |name: &str| Worker {
            name: name.into(),
            config: WorkerConfig {
                per_account: 20,
                hosting_pace: domain::outbox::pace::Pace::UNLIMITED,
                ..WorkerConfig::default()
            },
        };
        let (a, b) = (small("a"), small("b"));
        let run = |w: Worker| {
            let (db, env) = (db.clone(), env.clone());
            tokio::spawn(async move {
                let mut n = 0;
                loop {
                    let round = worker::run_once(&db, &env, &w, t0()).await.unwrap();
                    if round.claimed == 0 {
                        return n;
                    }
                    n += round.sent;
                }
            })
        };
        let (ha, hb) = (run(a), run(b));
        let (na, nb) = (ha.await.unwrap(), hb.await.unwrap());
        assert_eq!(na + nb, 300);
        let sent = mailer.sent();
        let ids: HashSet<String> = sent.iter().map(|m| message_id_of(m)).collect();
        assert_eq!((sent.len(), ids.len()), (300, 300));
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.summary.progress.sent, 300);
        t.drop_database().await;
    }
}

/// Through a real server offering PIPELINING (aiosmtpd), each message's envelope leaves with
/// the previous one's data: every parent gets their own message once, with their own
/// values, and a refused parent in the middle fails alone.
#[tokio::test]
async fn with_pipelining_each_recipient_gets_their_own_message_once() {
    let peer = SmtpPeer::start(PeerOptions {
        pipelining: true,
        reject_recipient: Some("parent7@b.fr".into()),
        ..PeerOptions::default()
    });
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let list: String = (0..15)
            .map(|i| format!("parent{i}@b.fr;P{i};Eleve{i}\n"))
            .collect();
        let message = queue(
            db,
            &school.teacher,
            school.account_id,
            &format!("email;nom;eleve\n{list}"),
        )
        .await;
        let before = peer.received().len();
        let round = worker::run_once(db, &env(&relay_on(peer.port)), &worker("w1"), t0())
            .await
            .unwrap();
        assert_eq!((round.sent, round.failed), (14, 1), "{}", t.backend);
        let received = peer.wait_for(before + 14, Duration::from_secs(10));
        let mine = &received[before..];
        assert_eq!(mine.len(), 14, "{}", t.backend);
        let mut seen = HashSet::new();
        for m in mine {
            let [to] = &m.rcpt_tos[..] else {
                panic!("one recipient per message: {:?}", m.rcpt_tos)
            };
            let i: usize = to
                .strip_prefix("parent")
                .and_then(|r| r.strip_suffix("@b.fr"))
                .and_then(|n| n.parse().ok())
                .unwrap();
            let subject = format!("Subject: Absence de Eleve{i}");
            assert!(
                m.data.lines().any(|l| l == subject),
                "{to} got another parent's text"
            );
            assert!(seen.insert(i), "{to} received twice");
        }
        assert!(!seen.contains(&7));
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        let refused = detail
            .recipients
            .iter()
            .find(|r| r.address == "parent7@b.fr")
            .unwrap();
        assert_eq!(
            refused.problem,
            Some(DeliveryProblem::Smtp(FailureKind::RecipientRefused))
        );
        t.drop_database().await;
    }
}
