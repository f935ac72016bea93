//! Correcting a refused recipient, against real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set) and a real SMTP server on loopback (aiosmtpd): an address
//! refused for good (550 5.1.1) is corrected, queued again and delivered; a bad or
//! duplicate correction changes nothing; only the author may correct; "Renvoyer les échecs"
//! leaves refused addresses alone; the subject the author's pages show.

mod accounts_support;
mod outbox_support;

use std::time::Duration;

use accounts_support::*;
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::outbox::{self, DeliveryProblem, DeliveryState, correct, subject_line};
use domain::smtp::FailureKind;
use domain::staff::{self, StaffInput};
use domain::{DatabaseConnection, Error, Invalid};
use outbox_support::*;
use testkit::fixtures::{Secretariat, relay_on, secretariat, signed_up};
use testkit::smtp::{PeerOptions, SmtpPeer};

/// A peer that refuses `parent.b@b.fr` for good (550 5.1.1) and accepts everyone else.
fn refusing_b() -> SmtpPeer {
    SmtpPeer::start(PeerOptions {
        reject_recipient: Some("parent.b@b.fr".into()),
        ..PeerOptions::default()
    })
}

/// The teacher's send to [`TWO`], after one round: parent.a delivered, parent.b refused.
async fn one_refused(db: &DatabaseConnection, school: &Secretariat, peer: &SmtpPeer) -> i64 {
    let message = queue(db, &school.teacher, school.account_id, TWO).await;
    let round = worker::run_once(db, &env(&relay_on(peer.port)), &worker("w1"), t0())
        .await
        .expect("round");
    assert_eq!((round.sent, round.failed), (1, 1));
    message
}

/// The outbox row of the send's `position`-th recipient.
async fn row_id(db: &DatabaseConnection, school: &Secretariat, message: i64, n: usize) -> i64 {
    outbox::detail(db, &school.teacher, message)
        .await
        .expect("detail")
        .recipients[n]
        .id
}

#[tokio::test]
async fn a_refused_address_corrected_is_queued_again_and_delivered() {
    let peer = refusing_b();
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let before = peer.received().len();
        let message = one_refused(db, &school, &peer).await;
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        let refused = &detail.recipients[1];
        assert_eq!(
            refused.problem,
            Some(DeliveryProblem::Smtp(FailureKind::RecipientRefused))
        );
        assert!(refused.problem.unwrap().needs_new_address());
        assert!(!DeliveryProblem::GaveUp.needs_new_address());

        let stored = correct::correct_recipient(
            db,
            &school.teacher,
            message,
            refused.id,
            " Parent.B2@b.fr ",
            at(10),
        )
        .await
        .unwrap();
        assert_eq!(stored, "parent.b2@b.fr");
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        let corrected = &detail.recipients[1];
        assert_eq!(corrected.address, "parent.b2@b.fr");
        assert_eq!(corrected.name, "M. Roy", "the rest of the line is kept");
        assert_eq!(corrected.state, DeliveryState::Queued);
        assert_eq!(corrected.attempts, 0);
        assert_eq!(
            (corrected.problem, corrected.reply.as_deref()),
            (None, None)
        );
        assert_eq!(
            detail.summary.progress,
            outbox::Progress {
                total: 2,
                sent: 1,
                pending: 1,
                failed: 0
            }
        );
        // A double click: the second one finds it done.
        assert_eq!(
            correct::correct_recipient(
                db,
                &school.teacher,
                message,
                refused.id,
                "parent.b2@b.fr",
                at(10),
            )
            .await
            .unwrap(),
            "parent.b2@b.fr"
        );

        // Due at once: the next round delivers it, personalised, and only it.
        let round = worker::run_once(db, &env(&relay_on(peer.port)), &worker("w1"), at(10))
            .await
            .unwrap();
        assert_eq!((round.claimed, round.sent), (1, 1));
        let received = peer.wait_for(before + 2, Duration::from_secs(5));
        assert_eq!(received.len(), before + 2);
        let last = &received[before + 1];
        assert_eq!(last.rcpt_tos, ["parent.b2@b.fr"]);
        assert!(
            last.data.contains("Subject: Absence de Tom"),
            "{}",
            last.data
        );
        assert!(last.data.contains("Bonjour M. Roy"));
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.summary.progress.sent, 2);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_malformed_or_duplicate_correction_is_refused_and_changes_nothing() {
    let peer = refusing_b();
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = one_refused(db, &school, &peer).await;
        let before = outbox::detail(db, &school.teacher, message).await.unwrap();
        let (sent, refused) = (before.recipients[0].id, before.recipients[1].id);
        let correct = |row: i64, address: &'static str| {
            correct::correct_recipient(db, &school.teacher, message, row, address, at(10))
        };

        for bad in ["pas-une-adresse", "parent.b@", "", "a b@b.fr"] {
            assert!(
                matches!(
                    correct(refused, bad).await,
                    Err(Error::Invalid(Invalid::EmailMalformed))
                ),
                "{bad:?}"
            );
        }
        // Another recipient of the same message (any case): it would get it twice.
        assert!(matches!(
            correct(refused, "PARENT.A@b.fr").await,
            Err(Error::Invalid(Invalid::AlreadyRecipient))
        ));
        // Only a failed recipient can be corrected; other rows and sends do not exist here.
        assert!(matches!(
            correct(sent, "autre@b.fr").await,
            Err(Error::NotFound)
        ));
        let other = queue(
            db,
            &school.teacher,
            school.account_id,
            "email;eleve\nx@b.fr;Léo\n",
        )
        .await;
        let foreign_row = row_id(db, &school, other, 0).await;
        assert!(matches!(
            correct(foreign_row, "autre@b.fr").await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            correct(refused + 1000, "autre@b.fr").await,
            Err(Error::NotFound)
        ));

        let after = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(after, before, "nothing changed");
        t.drop_database().await;
    }
}

#[tokio::test]
async fn only_the_author_may_correct_and_another_school_sees_nothing() {
    let peer = refusing_b();
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = one_refused(db, &school, &peer).await;
        let before = outbox::detail(db, &school.teacher, message).await.unwrap();
        let refused = before.recipients[1].id;

        // A colleague who is no administrator, the administrator (as for "Renvoyer les
        // échecs", a send is its author's), and another school's teacher.
        let input = StaffInput::parse("Chloé Prof", "chloe@a.fr", "enseignant", false).unwrap();
        let added = staff::add(db, &school.admin, &input, t0()).await.unwrap();
        let colleague = signed_up(
            db,
            &added.invitation.unwrap().token,
            school.admin.school_id(),
            t0(),
        )
        .await;
        let elsewhere = accounts_support::school(db, "Lycée B", "b.fr").await;
        for someone in [
            &colleague,
            &school.admin,
            &elsewhere.teacher,
            &elsewhere.admin,
        ] {
            assert!(matches!(
                correct::correct_recipient(db, someone, message, refused, "c@b.fr", at(10)).await,
                Err(Error::NotFound)
            ));
        }
        let after = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(after, before, "nothing changed");
        t.drop_database().await;
    }
}

#[tokio::test]
async fn retrying_the_failed_leaves_refused_addresses_alone_and_queues_the_others() {
    for t in testkit::databases().await {
        // parent.a: "try later" once, which this worker gives up on at once; parent.b:
        // refused for good.
        let peer = SmtpPeer::start(PeerOptions {
            reject_recipient: Some("parent.b@b.fr".into()),
            temp_fail_first: 1,
            ..PeerOptions::default()
        });
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = queue(db, &school.teacher, school.account_id, TWO).await;
        let impatient = Worker {
            name: "w1".into(),
            config: WorkerConfig {
                max_attempts: 1,
                ..WorkerConfig::default()
            },
        };
        let env = env(&relay_on(peer.port));
        let round = worker::run_once(db, &env, &impatient, t0()).await.unwrap();
        assert_eq!(round.failed, 2);
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        let problems: Vec<_> = detail.recipients.iter().map(|r| r.problem).collect();
        assert_eq!(
            problems,
            [
                Some(DeliveryProblem::GaveUp),
                Some(DeliveryProblem::Smtp(FailureKind::RecipientRefused))
            ]
        );

        assert_eq!(
            outbox::retry_failed(db, &school.teacher, message, at(10))
                .await
                .unwrap(),
            1,
            "only the one a retry can fix"
        );
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.recipients[0].state, DeliveryState::Queued);
        assert_eq!(detail.recipients[1].state, DeliveryState::Failed);
        assert_eq!(
            detail.recipients[1].problem,
            Some(DeliveryProblem::Smtp(FailureKind::RecipientRefused))
        );
        let round = worker::run_once(db, &env, &impatient, at(10))
            .await
            .unwrap();
        assert_eq!((round.claimed, round.sent), (1, 1));
        let received = peer.wait_for(1, Duration::from_secs(5));
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].rcpt_tos, ["parent.a@b.fr"]);
        t.drop_database().await;
    }
}

#[test]
fn the_subject_line_fills_what_is_the_same_for_everyone() {
    assert_eq!(
        subject_line::subject_line("Bulletin scolaire de {eleve}", "Collège A", "Secrétariat"),
        "Bulletin scolaire de …"
    );
    assert_eq!(
        subject_line::subject_line(
            "{Etablissement} : identifiants de {nom} ({email}) – {compte} {pas une} {}",
            "Collège A",
            "Secrétariat"
        ),
        "Collège A : identifiants de … (…) – Secrétariat {pas une} {}"
    );
    assert_eq!(
        subject_line::subject_line("Réunion", "Collège A", "Secrétariat"),
        "Réunion"
    );
}

#[tokio::test]
async fn the_sends_list_and_status_show_the_subject_with_placeholders_filled() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let draft = domain::outbox::compose::save_draft(
            db,
            &school.teacher,
            None,
            draft_input(
                school.account_id,
                "Bulletin de {eleve} – {etablissement} ({compte})",
                "Bonjour {nom}",
                TWO,
            ),
            t0(),
        )
        .await
        .unwrap();
        let message = domain::outbox::compose::queue_draft(db, &school.teacher, draft, t0())
            .await
            .unwrap()
            .message_id;
        let shown = "Bulletin de … – Collège A (Secrétariat)";
        let list = outbox::list(db, &school.teacher, 10).await.unwrap();
        assert_eq!(list[0].subject, shown);
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.summary.subject, shown);
        t.drop_database().await;
    }
}
