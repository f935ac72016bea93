//! Stopping a send and revoking the right to send reach mail that is already queued
//! (issue 13, finding 5), against real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set) and real SMTP servers on loopback: a stop cancels what is
//! pending, including rows a worker holds, and no round sends them until the send is
//! resumed; a stop in the middle of a round sends nothing more; only the author and the
//! school's administrators may stop; a removed member's mail, and a token's once its
//! creator is no longer an administrator, are not sent.

#![expect(clippy::unwrap_used, reason = "test helpers should fail loudly")]

mod accounts_support;

use std::time::Duration;

use accounts_support::*;
use domain::access::{Actor, actor_in};
use domain::accounts;
use domain::api_tokens;
use domain::mail::Mailer;
use domain::outbox::compose::{self, Composition, DraftInput};
use domain::outbox::recipients;
use domain::outbox::stop;
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::outbox::{self, DeliveryProblem, DeliveryState};
use domain::secret::Secret;
use domain::staff::{self, StaffInput, StaffUpdate};
use domain::{DatabaseConnection, Error, Now};
use sea_orm::{ConnectionTrait, Statement};
use testkit::fixtures::{relay_on, secretariat, signed_up};
use testkit::smtp::{PeerOptions, SmtpPeer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

fn at(seconds: i64) -> Now {
    t0() + chrono::Duration::seconds(seconds)
}

fn worker(name: &str) -> Worker {
    Worker {
        name: name.into(),
        config: WorkerConfig::default(),
    }
}

const THREE: &str =
    "email;nom\nparent.a@b.fr;Mme Petit\nparent.b@b.fr;M. Roy\nparent.c@b.fr;Mme Diallo\n";

async fn queue(db: &DatabaseConnection, author: &Actor, account_id: i64, list: &str) -> i64 {
    let draft = compose::save_draft(
        db,
        author,
        None,
        DraftInput {
            account_id,
            subject: "Réunion parents-professeurs".into(),
            body: "Bonjour {nom},\n\nLa réunion a lieu jeudi.".into(),
            recipients: list.into(),
            ..DraftInput::default()
        },
        t0(),
    )
    .await
    .unwrap();
    compose::queue_draft(db, author, draft, t0())
        .await
        .unwrap()
        .message_id
}

fn states(status: &stop::SendStatus) -> Vec<DeliveryState> {
    status.detail.recipients.iter().map(|r| r.state).collect()
}

/// `claimed_by` of each row of `message`, in order.
async fn claims(db: &DatabaseConnection, message: i64) -> Vec<Option<String>> {
    let sql =
        format!("SELECT claimed_by FROM outbox WHERE message_id = {message} ORDER BY position");
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<Option<String>>("", "claimed_by").unwrap())
        .collect()
}

/// Another teacher of the school, signed up.
async fn colleague(db: &DatabaseConnection, admin: &Actor, email: &str) -> Actor {
    let input = StaffInput::parse("Chloé Prof", email, "enseignant", false).unwrap();
    let added = staff::add(db, admin, &input, t0()).await.unwrap();
    signed_up(
        db,
        &added.invitation.unwrap().token,
        admin.school_id(),
        t0(),
    )
    .await
}

#[tokio::test]
async fn stopping_cancels_every_pending_recipient_and_no_round_sends_them_until_resumed() {
    for t in testkit::databases().await {
        let db = &t.db;
        let peer = SmtpPeer::start(PeerOptions {
            temp_fail_first: 1,
            ..PeerOptions::default()
        });
        let school = secretariat(db, t0()).await;
        let teacher = &school.teacher;
        let message = queue(db, teacher, school.account_id, THREE).await;
        let env = env(&relay_on(peer.port));
        // Another worker is in the middle of sending to the third parent.
        db.execute_unprepared(&format!(
            "UPDATE outbox SET state = 'sending', claimed_by = 'other', attempts = 1, claimed_until = {} WHERE recipient_address = 'parent.c@b.fr'",
            at(300).timestamp()
        ))
        .await
        .unwrap();
        // The first parent's server answers 451 (retrying), the second gets it.
        worker::run_once(db, &env, &worker("w1"), t0())
            .await
            .unwrap();
        let before = stop::status(db, teacher, message).await.unwrap();
        use DeliveryState::*;
        assert_eq!(states(&before), [Retrying, Sent, Sending], "{}", t.backend);
        assert!(!before.stopped && before.authored);

        assert_eq!(stop::stop(db, teacher, message, at(10)).await.unwrap(), 2);
        let stopped = stop::status(db, teacher, message).await.unwrap();
        assert!(stopped.stopped);
        assert_eq!(states(&stopped), [Cancelled, Sent, Cancelled]);
        let progress = stopped.detail.summary.progress;
        assert_eq!(
            (
                progress.total,
                progress.sent,
                progress.pending,
                progress.failed
            ),
            (3, 1, 0, 0)
        );
        assert_eq!(progress.cancelled(), 2);
        // The other worker's claim is gone: what it records goes nowhere.
        assert_eq!(claims(db, message).await[2], None);
        // Nothing is claimed again: not when the retry is due, not when the lease is over.
        for now in [at(61), at(400), at(4000)] {
            let round = worker::run_once(db, &env, &worker("w2"), now)
                .await
                .unwrap();
            assert_eq!(round.claimed, 0, "{}", t.backend);
        }
        assert_eq!(peer.received().len(), 1);
        // A stopped send takes no new work: "Renvoyer les échecs" waits for the resume.
        assert!(matches!(
            outbox::retry_failed(db, teacher, message, at(4000)).await,
            Err(Error::NotFound)
        ));
        // Stopping again finds nothing to stop.
        assert_eq!(stop::stop(db, teacher, message, at(4000)).await.unwrap(), 0);

        // "Reprendre l'envoi": both go.
        assert_eq!(
            stop::resume(db, teacher, message, at(4000)).await.unwrap(),
            2
        );
        assert_eq!(
            stop::resume(db, teacher, message, at(4000)).await.unwrap(),
            0
        );
        let resumed = stop::status(db, teacher, message).await.unwrap();
        assert!(!resumed.stopped);
        assert_eq!(states(&resumed), [Queued, Sent, Queued]);
        assert_eq!(resumed.detail.recipients[0].attempts, 0);
        let round = worker::run_once(db, &env, &worker("w2"), at(4001))
            .await
            .unwrap();
        assert_eq!(round.sent, 2, "{}", t.backend);
        let received = peer.wait_for(3, Duration::from_secs(5));
        assert_eq!(received.len(), 3);
        let done = outbox::detail(db, teacher, message).await.unwrap();
        assert_eq!(done.summary.progress.sent, 3);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn the_author_and_the_schools_administrators_may_stop_a_send_and_no_one_else() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (admin, teacher) = (&school.admin, &school.teacher);
        let message = queue(db, teacher, school.account_id, THREE).await;
        let chloe = colleague(db, admin, "chloe@a.fr").await;
        let elsewhere = accounts_support::school(db, "Lycée B", "b.fr").await;

        // Another teacher, another school's administrator: not found, nothing changes.
        for stranger in [&chloe, &elsewhere.admin] {
            assert!(matches!(
                stop::status(db, stranger, message).await,
                Err(Error::NotFound)
            ));
            assert!(matches!(
                stop::stop(db, stranger, message, t0()).await,
                Err(Error::NotFound)
            ));
            assert!(matches!(
                stop::resume(db, stranger, message, t0()).await,
                Err(Error::NotFound)
            ));
        }
        assert!(matches!(
            stop::others_in_progress(db, &chloe, 10).await,
            Err(Error::Forbidden)
        ));
        assert!(
            stop::others_in_progress(db, &elsewhere.admin, 10)
                .await
                .unwrap()
                .is_empty()
        );

        // The school's administrator finds it among the sends going on, and stops it.
        let going = stop::others_in_progress(db, admin, 10).await.unwrap();
        assert_eq!(going.len(), 1);
        assert_eq!(going[0].summary.message_id, message);
        assert_eq!(going[0].author, "Bruno Prof");
        assert!(!going[0].stopped && !going[0].by_api);
        let seen = stop::status(db, admin, message).await.unwrap();
        assert!(!seen.authored, "an administrator may stop, not retry");
        assert_eq!(seen.detail.summary.progress.pending, 3);
        assert_eq!(stop::stop(db, admin, message, t0()).await.unwrap(), 3);
        assert!(stop::others_in_progress(db, admin, 10).await.unwrap()[0].stopped);
        // The author's own views say so.
        let mine = outbox::list(db, teacher, 10).await.unwrap();
        assert_eq!(mine[0].progress.cancelled(), 3);
        let detail = outbox::detail(db, teacher, message).await.unwrap();
        assert!(
            detail
                .recipients
                .iter()
                .all(|r| r.state == DeliveryState::Cancelled)
        );
        // Still not the administrator's to read as the author's.
        assert!(matches!(
            outbox::detail(db, admin, message).await,
            Err(Error::NotFound)
        ));

        // The author resumes; once their right to the account is withdrawn, they cannot.
        assert_eq!(stop::resume(db, teacher, message, t0()).await.unwrap(), 3);
        assert_eq!(stop::stop(db, teacher, message, t0()).await.unwrap(), 3);
        accounts::authorisations::set(db, admin, school.account_id, &[], t0())
            .await
            .unwrap();
        assert!(matches!(
            stop::resume(db, teacher, message, t0()).await,
            Err(Error::NotFound)
        ));
        t.drop_database().await;
    }
}

/// An SMTP server on loopback that holds its answer to the first message's data until the
/// test says so, and tells the test when it has it: a stop can then land while a worker is
/// in the middle of its round. With `pipelining`, it offers PIPELINING (RFC 2920).
async fn holding_relay(
    pipelining: bool,
) -> (
    u16,
    oneshot::Receiver<()>,
    oneshot::Sender<()>,
    mpsc::UnboundedReceiver<String>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (got_first, first_arrived) = oneshot::channel();
    let (release, released) = oneshot::channel::<()>();
    let (delivered, deliveries) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let (mut got_first, mut released) = (Some(got_first), Some(released));
        let mut data: Option<String> = None;
        write.write_all(b"220 relay ready\r\n").await.unwrap();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(text) = data.as_mut() {
                if line != "." {
                    text.push_str(&line);
                    text.push('\n');
                    continue;
                }
                delivered.send(data.take().unwrap_or_default()).ok();
                if let (Some(tell), Some(wait)) = (got_first.take(), released.take()) {
                    tell.send(()).ok();
                    wait.await.ok();
                }
                write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
                continue;
            }
            let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" if pipelining => b"250-relay\r\n250 PIPELINING\r\n",
                "EHLO" | "HELO" => b"250 relay\r\n",
                "DATA" => {
                    data = Some(String::new());
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.ok();
                    break;
                }
                _ => b"250 OK\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
    });
    (port, first_arrived, release, deliveries)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_stopped_in_the_middle_of_a_round_sends_nothing_more() {
    // With PIPELINING, the next parent's envelope goes with the first message's data: the
    // relay is then waiting for that parent's data, which must never be ended.
    for pipelining in [false, true] {
        for t in testkit::databases().await {
            let db = &t.db;
            let school = secretariat(db, t0()).await;
            let message = queue(db, &school.teacher, school.account_id, THREE).await;
            let (port, first_arrived, release, mut deliveries) = holding_relay(pipelining).await;
            let env = env(&relay_on(port));
            let round = {
                let (db, env) = (db.clone(), env.clone());
                tokio::spawn(async move { worker::run_once(&db, &env, &worker("w1"), t0()).await })
            };
            // The first parent's message is on the wire: the administrator stops the send.
            tokio::time::timeout(Duration::from_secs(20), first_arrived)
                .await
                .expect("the worker reached the relay")
                .unwrap();
            assert_eq!(
                stop::stop(db, &school.admin, message, t0()).await.unwrap(),
                3
            );
            // The next parent's right to send was read while the first message was on the
            // wire; a check is trusted for `FRESH_CHECK` only, so a stop that long before the
            // next message leaves always reaches it.
            tokio::time::sleep(worker::FRESH_CHECK * 2).await;
            release.send(()).unwrap();
            tokio::time::timeout(Duration::from_secs(20), round)
                .await
                .expect("the round ended")
                .unwrap()
                .unwrap();
            let mut received = Vec::new();
            while let Ok(data) = deliveries.try_recv() {
                received.push(data);
            }
            assert_eq!(
                received.len(),
                1,
                "{} (pipelining: {pipelining}): nothing more after the stop",
                t.backend
            );
            // The one on the wire at the stop may have arrived; nothing recorded over the stop.
            let status = stop::status(db, &school.admin, message).await.unwrap();
            assert!(
                status
                    .detail
                    .recipients
                    .iter()
                    .all(|r| r.state == DeliveryState::Cancelled),
                "{}",
                t.backend
            );
            t.drop_database().await;
        }
    }
}

#[tokio::test]
async fn a_removed_members_queued_mail_is_not_sent_even_from_their_own_account() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (admin, teacher) = (&school.admin, &school.teacher);
        let mailer = Mailer::memory();
        let env = env(&mailer);
        let own = with_secret(db, &env, &mailer, teacher, "bruno@a.fr").await;
        tested(db, &env, teacher, own).await;
        accounts::sending::validate(
            db,
            &env,
            teacher,
            own,
            &server_settings(),
            proof(&Secret::new("medor")),
            t0(),
        )
        .await
        .unwrap();
        let from_own = queue(db, teacher, own, THREE).await;
        let from_shared = queue(db, teacher, school.account_id, THREE).await;
        let sent_before = mailer.sent().len();

        staff::remove(db, admin, teacher.membership_id(), true)
            .await
            .unwrap();
        let round = worker::run_once(db, &env, &worker("w1"), t0())
            .await
            .unwrap();
        assert_eq!(round.sent, 0, "{}", t.backend);
        assert_eq!(mailer.sent().len(), sent_before);
        for message in [from_own, from_shared] {
            let status = stop::status(db, admin, message).await.unwrap();
            assert!(
                status
                    .detail
                    .recipients
                    .iter()
                    .all(|r| r.problem == Some(DeliveryProblem::AccountUnavailable)),
                "{}: {:?}",
                t.backend,
                status.detail.recipients
            );
        }
        t.drop_database().await;
    }
}

fn composition() -> Composition {
    let given = [("parent.a@b.fr", "Mme Petit"), ("parent.b@b.fr", "M. Roy")]
        .map(|(address, name)| (address.to_owned(), name.to_owned(), Default::default()));
    let (recipients, refused) = recipients::checked(given);
    Composition {
        subject: "Cantine fermée".into(),
        body: "Bonjour {nom}, la cantine est fermée vendredi.".into(),
        recipients,
        refused,
        attachments: Vec::new(),
    }
}

#[tokio::test]
async fn a_token_stops_working_and_its_mail_stays_once_its_creator_is_demoted_or_removed() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (admin, teacher) = (&school.admin, &school.teacher);
        let mailer = Mailer::memory();
        let env = env(&mailer);
        let role = |is_admin| StaffUpdate::parse("Bruno Prof", "enseignant", is_admin).unwrap();
        staff::update(db, admin, teacher.membership_id(), &role(true))
            .await
            .unwrap();
        let creator = actor_in(db, teacher.person_id(), teacher.school_id())
            .await
            .unwrap()
            .unwrap();
        let (view, token) = api_tokens::create(db, &creator, "Vie scolaire", t0())
            .await
            .unwrap();
        let caller = api_tokens::authenticate(db, token.expose(), t0())
            .await
            .unwrap();
        let queued = api_tokens::queue(db, &caller, school.account_id, composition(), t0())
            .await
            .unwrap()
            .message_id;
        let sent_before = mailer.sent().len();

        // No longer an administrator: the token is refused, the page says why, and what it
        // queued does not leave.
        staff::update(db, admin, teacher.membership_id(), &role(false))
            .await
            .unwrap();
        assert!(matches!(
            api_tokens::authenticate(db, token.expose(), t0()).await,
            Err(Error::InvalidCredentials)
        ));
        let listed = api_tokens::list(db, admin).await.unwrap();
        let listed = listed.iter().find(|v| v.id == view.id).unwrap();
        assert!(listed.creator_gone && listed.revoked_at.is_none());
        let round = worker::run_once(db, &env, &worker("w1"), t0())
            .await
            .unwrap();
        assert_eq!(round.sent, 0, "{}", t.backend);
        assert_eq!(mailer.sent().len(), sent_before);
        let status = api_tokens::status(db, &caller, queued).await.unwrap();
        assert!(
            status
                .recipients
                .iter()
                .all(|r| r.problem == Some(DeliveryProblem::AccountUnavailable))
        );

        // An administrator again: the token works again; removed from the school: refused.
        staff::update(db, admin, teacher.membership_id(), &role(true))
            .await
            .unwrap();
        api_tokens::authenticate(db, token.expose(), t0())
            .await
            .unwrap();
        assert!(!api_tokens::list(db, admin).await.unwrap()[0].creator_gone);
        staff::remove(db, admin, teacher.membership_id(), true)
            .await
            .unwrap();
        assert!(matches!(
            api_tokens::authenticate(db, token.expose(), t0()).await,
            Err(Error::InvalidCredentials)
        ));
        assert!(api_tokens::list(db, admin).await.unwrap()[0].creator_gone);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_purged_send_is_not_resumed() {
    use domain::Invalid;
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let teacher = &school.teacher;
        let message = queue(db, teacher, school.account_id, THREE).await;
        assert_eq!(stop::stop(db, teacher, message, t0()).await.unwrap(), 3);
        // What the retention sweep does to a send nobody resumed in time.
        db.execute_unprepared(&format!(
            "UPDATE messages SET body = NULL, purged_at = {} WHERE id = {message}",
            at(60).timestamp()
        ))
        .await
        .unwrap();
        assert!(matches!(
            stop::resume(db, teacher, message, at(60)).await,
            Err(Error::Invalid(Invalid::MessagePurged))
        ));
        let status = stop::status(db, teacher, message).await.unwrap();
        assert!(status.stopped, "{}", t.backend);
        assert_eq!(status.detail.summary.progress.cancelled(), 3);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_send_stopped_for_longer_than_the_retention_period_is_purged() {
    use domain::outbox::retention::{self, Retention};
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let teacher = &school.teacher;
        let message = queue(db, teacher, school.account_id, THREE).await;
        assert_eq!(stop::stop(db, teacher, message, t0()).await.unwrap(), 3);
        // Kept while it may be resumed, then its text goes.
        let policy = Retention::default();
        let soon = t0() + policy.failed_kept_for - chrono::Duration::days(1);
        assert_eq!(retention::sweep(db, soon, &policy).await.unwrap().purged, 0);
        let later = t0() + policy.failed_kept_for + chrono::Duration::days(1);
        assert_eq!(
            retention::sweep(db, later, &policy).await.unwrap().purged,
            1,
            "{}",
            t.backend
        );
        t.drop_database().await;
    }
}
