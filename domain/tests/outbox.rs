//! The outbox against real databases (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is
//! set) and a real SMTP server on loopback (aiosmtpd): temporary failure then success, a
//! permanent failure with its reason, a relay that is down for a while, accounts one may
//! not use, refused recipient lines, leases, and the sealed archive.

#![expect(clippy::unwrap_used, reason = "test helpers should fail loudly")]

mod accounts_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use accounts_support::*;
use domain::access::Actor;
use domain::accounts::{self, authorisations, code};
use domain::archive::unlock;
use domain::mail::{Mailer, Relay};
use domain::outbox::compose::{self, DraftInput};
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::outbox::{self, DeliveryProblem, DeliveryState};
use domain::secret::Secret;
use domain::smtp::{Endpoint, FailureKind, Policy, Security};
use domain::{DatabaseConnection, Error, Now};
use sea_orm::ConnectionTrait;
use testkit::smtp::{PeerOptions, SmtpPeer};

fn relay_on(port: u16) -> Mailer {
    Mailer::Relay(Arc::new(Relay {
        endpoint: Endpoint {
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            username: None,
            password: None,
        },
        policy: Policy {
            allow_private_hosts: true,
            any_port: true,
            step_timeout: Duration::from_secs(5),
            ..Policy::default()
        },
    }))
}

fn worker(name: &str) -> Worker {
    Worker {
        name: name.into(),
        config: WorkerConfig {
            batch: 500,
            ..WorkerConfig::default()
        },
    }
}

fn at(seconds: i64) -> Now {
    t0() + chrono::Duration::seconds(seconds)
}

/// An active "Secrétariat" account (answer "medor") the teacher may send with.
async fn secretariat(db: &DatabaseConnection, school: &School) -> (i64, Vec<u8>) {
    let mailer = Mailer::memory();
    let env = env(&mailer);
    let admin = &school.admin;
    let account =
        accounts::create_establishment(db, &env, admin, "Secrétariat", "secretariat@a.fr", t0())
            .await
            .unwrap();
    let code = last_code(&mailer, "secretariat@a.fr");
    code::submit(db, &env, admin, account.id, &code, t0())
        .await
        .unwrap();
    let input = accounts::answer::SecretInput::parse(
        "Animal ?",
        &Secret::new("medor"),
        &Secret::new("medor"),
    )
    .unwrap();
    accounts::answer::set(db, admin, account.id, input, proof(&none()), t0())
        .await
        .unwrap();
    accounts::sending::validate(
        db,
        &env,
        admin,
        account.id,
        &server_settings(),
        proof(&Secret::new("medor")),
        t0(),
    )
    .await
    .unwrap();
    let confirmation = mailer.sent().pop().unwrap();
    authorisations::set(db, admin, account.id, &[school.teacher.person_id()], t0())
        .await
        .unwrap();
    (account.id, recovery_file_in(&confirmation))
}

fn recovery_file_in(message: &str) -> Vec<u8> {
    let at = message.find("filename=\"cleRecuperation.crbee\"").unwrap();
    let body_start = at + message[at..].find("\r\n\r\n").unwrap() + 4;
    let body_end = body_start + message[body_start..].find("\r\n--").unwrap();
    let compact: String = message[body_start..body_end].split_whitespace().collect();
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, compact).unwrap()
}

async fn queue(db: &DatabaseConnection, actor: &Actor, account_id: i64, recipients: &str) -> i64 {
    let draft = compose::save_draft(
        db,
        actor,
        None,
        DraftInput {
            account_id,
            subject: "Absence de {eleve}".into(),
            body: "Bonjour {nom},\n\n{eleve} était absent.".into(),
            recipients: recipients.into(),
            ..DraftInput::default()
        },
        t0(),
    )
    .await
    .unwrap();
    compose::queue_draft(db, actor, draft, t0())
        .await
        .unwrap()
        .message_id
}

const TWO: &str = "email;nom;eleve\nparent.a@b.fr;Mme Petit;Léa\nparent.b@b.fr;M. Roy;Tom\n";

fn message_id_of(data: &str) -> String {
    data.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_temporary_failure_is_retried_after_the_backoff_and_then_delivered() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions {
            temp_fail_first: 1,
            ..PeerOptions::default()
        });
        let db = &t.db;
        let school = school(db, "Collège A", "a.fr").await;
        let (account, _) = secretariat(db, &school).await;
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
async fn a_permanent_refusal_fails_with_its_reason_and_only_the_failed_are_sent_again() {
    let peer = SmtpPeer::start(PeerOptions {
        reject_recipient: Some("parent.b@b.fr".into()),
        ..PeerOptions::default()
    });
    for t in testkit::databases().await {
        let db = &t.db;
        let school = school(db, "Collège A", "a.fr").await;
        let (account, _) = secretariat(db, &school).await;
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

        // "Renvoyer les échecs": only the failed one is queued again.
        assert_eq!(
            outbox::retry_failed(db, &school.teacher, message, at(10))
                .await
                .unwrap(),
            1
        );
        let round = worker::run_once(db, &env, &w, at(10)).await.unwrap();
        assert_eq!((round.claimed, round.failed), (1, 1));
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
        let school = school(db, "Collège A", "a.fr").await;
        let (account, _) = secretariat(db, &school).await;
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
async fn the_sender_refuses_accounts_one_may_not_use_and_revoking_stops_queued_mail() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = school(db, "Collège A", "a.fr").await;
        let (account, _) = secretariat(db, &school).await;
        let mailer = Mailer::memory();
        let env = env(&mailer);
        // The admin is not on the account's list: refused before anything is stored.
        let refused = compose::save_draft(
            db,
            &school.admin,
            None,
            DraftInput {
                account_id: account,
                subject: "x".into(),
                body: "y".into(),
                recipients: "a@b.fr".into(),
                ..DraftInput::default()
            },
            t0(),
        )
        .await;
        assert!(matches!(refused, Err(Error::NotFound)));
        // Another school's staff: not found either.
        let other = accounts_support::school(db, "Lycée B", "b.fr").await;
        let refused = compose::save_draft(
            db,
            &other.teacher,
            None,
            DraftInput {
                account_id: account,
                subject: "x".into(),
                body: "y".into(),
                recipients: "a@b.fr".into(),
                ..DraftInput::default()
            },
            t0(),
        )
        .await;
        assert!(matches!(refused, Err(Error::NotFound)));

        // Queued, then the teacher's authorisation is withdrawn: nothing leaves.
        let message = queue(db, &school.teacher, account, TWO).await;
        authorisations::set(db, &school.admin, account, &[], t0())
            .await
            .unwrap();
        let round = worker::run_once(db, &env, &worker("w1"), t0())
            .await
            .unwrap();
        assert_eq!(round.failed, 2);
        assert!(mailer.sent().is_empty());
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert!(
            detail
                .recipients
                .iter()
                .all(|r| r.problem == Some(DeliveryProblem::AccountUnavailable))
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn refused_lines_are_listed_nothing_is_queued_and_the_draft_keeps_everything() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = school(db, "Collège A", "a.fr").await;
        let (account, _) = secretariat(db, &school).await;
        let typed = "parent.a@b.fr\nparent.b@\nM. Roy <roy@b.fr>\nrien";
        let draft = compose::save_draft(
            db,
            &school.teacher,
            None,
            DraftInput {
                account_id: account,
                subject: "Réunion".into(),
                body: "Bonjour {nom}".into(),
                recipients: typed.into(),
                ..DraftInput::default()
            },
            t0(),
        )
        .await
        .unwrap();
        match compose::queue_draft(db, &school.teacher, draft, t0()).await {
            Err(Error::Recipients(bad)) => {
                assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [2, 4]);
                assert_eq!(bad[0].text, "parent.b@");
            }
            other => panic!("expected refused lines, got {other:?}"),
        }
        let kept = compose::draft(db, &school.teacher, draft).await.unwrap();
        assert_eq!(kept.recipients, typed);
        assert_eq!(kept.subject, "Réunion");
        assert_eq!(outbox::backlog(db).await.unwrap(), 0);

        // A placeholder without a value is named, with how many recipients lack it.
        let draft = compose::save_draft(
            db,
            &school.teacher,
            Some(draft),
            DraftInput {
                account_id: account,
                subject: "Absence de {eleve}".into(),
                body: "Bonjour".into(),
                recipients: "a@b.fr\nc@b.fr".into(),
                ..DraftInput::default()
            },
            t0(),
        )
        .await
        .unwrap();
        match compose::queue_draft(db, &school.teacher, draft, t0()).await {
            Err(Error::Placeholder { name, count, .. }) => {
                assert_eq!((name.as_str(), count), ("eleve", 2))
            }
            other => panic!("expected a missing placeholder, got {other:?}"),
        }
        assert_eq!(outbox::backlog(db).await.unwrap(), 0);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_claim_whose_lease_ran_out_is_taken_again_and_a_live_one_is_not() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = school(db, "Collège A", "a.fr").await;
        let (account, _) = secretariat(db, &school).await;
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
        let school = school(db, "Collège A", "a.fr").await;
        let (account, _) = secretariat(db, &school).await;
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
                batch: 20,
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

#[tokio::test]
async fn the_archive_opens_with_the_answer_or_the_file_and_a_moved_row_does_not() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = school(db, "Collège A", "a.fr").await;
        let (account, file) = secretariat(db, &school).await;
        let message = queue(db, &school.teacher, account, TWO).await;
        let teacher = &school.teacher;
        let session = Secret::new("session-cookie-of-the-teacher");

        assert!(matches!(
            unlock::read(db, teacher, &session, account, t0()).await,
            Err(Error::ArchiveLocked)
        ));
        let wrong = unlock::with_answer(
            db,
            teacher,
            &session,
            account,
            proof(&Secret::new("rex")),
            t0(),
        )
        .await;
        assert!(matches!(wrong, Err(Error::AnswerWrong { .. })));
        unlock::with_answer(
            db,
            teacher,
            &session,
            account,
            proof(&Secret::new("Médor ")),
            t0(),
        )
        .await
        .unwrap();
        let opened = unlock::read(db, teacher, &session, account, t0())
            .await
            .unwrap();
        assert_eq!(opened.items.len(), 1);
        assert_eq!(opened.items[0].message_id, message);
        assert_eq!(opened.items[0].message.subject, "Absence de {eleve}");
        assert_eq!(opened.items[0].message.recipients.len(), 2);
        // Another session, or the same one ten minutes later, is locked out.
        let other = Secret::new("another-session");
        assert!(matches!(
            unlock::read(db, teacher, &other, account, t0()).await,
            Err(Error::ArchiveLocked)
        ));
        assert!(matches!(
            unlock::read(db, teacher, &session, account, at(601)).await,
            Err(Error::ArchiveLocked)
        ));
        // The recovery file opens it too.
        unlock::with_file(db, &school.admin, &other, account, &file, t0())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            unlock::read(db, &school.admin, &other, account, t0())
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        // Staff of another school: not found.
        let b = accounts_support::school(db, "Lycée B", "b.fr").await;
        assert!(matches!(
            unlock::with_file(db, &b.admin, &other, account, &file, t0()).await,
            Err(Error::NotFound)
        ));

        // A sealed row moved to another account does not open there.
        let mailer = Mailer::memory();
        let own = with_secret(db, &env(&mailer), &mailer, teacher, "bruno@a.fr").await;
        accounts::sending::validate(
            db,
            &env(&mailer),
            teacher,
            own,
            &server_settings(),
            proof(&Secret::new("medor")),
            t0(),
        )
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "UPDATE archive SET account_id = {own} WHERE message_id = {message}"
        ))
        .await
        .unwrap();
        unlock::with_answer(
            db,
            teacher,
            &session,
            own,
            proof(&Secret::new("medor")),
            t0(),
        )
        .await
        .unwrap();
        let moved = unlock::read(db, teacher, &session, own, t0())
            .await
            .unwrap();
        assert_eq!((moved.items.len(), moved.unreadable), (0, 1));
        t.drop_database().await;
    }
}
