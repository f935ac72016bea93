//! The outbox's rules against real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set): accounts one may not use, refused recipient lines and
//! placeholders, and the sealed archive.

mod accounts_support;
mod outbox_support;

use accounts_support::*;
use domain::Error;
use domain::accounts::{self, authorisations};
use domain::archive::unlock;
use domain::mail::Mailer;
use domain::outbox::compose;
use domain::outbox::recipients::LineProblem;
use domain::outbox::worker;
use domain::outbox::{self, DeliveryProblem};
use domain::secret::Secret;
use outbox_support::*;
use sea_orm::ConnectionTrait;
use testkit::fixtures::secretariat;

#[tokio::test]
async fn the_sender_refuses_accounts_one_may_not_use_and_revoking_stops_queued_mail() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let account = school.account_id;
        let mailer = Mailer::memory();
        let env = env(&mailer);
        // The admin is not on the account's list: refused before anything is stored.
        let refused = compose::save_draft(
            db,
            &school.admin,
            None,
            draft_input(account, "x", "y", "a@b.fr"),
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
            draft_input(account, "x", "y", "a@b.fr"),
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
        let school = secretariat(db, t0()).await;
        let account = school.account_id;
        let typed = "parent.a@b.fr\nparent.b@\nM. Roy <roy@b.fr>\nrien";
        let draft = compose::save_draft(
            db,
            &school.teacher,
            None,
            draft_input(account, "Réunion", "Bonjour {nom}", typed),
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

        // A placeholder without a value is named for each recipient that lacks it.
        let draft = compose::save_draft(
            db,
            &school.teacher,
            Some(draft),
            draft_input(account, "Absence de {eleve}", "Bonjour", "a@b.fr\nc@b.fr"),
            t0(),
        )
        .await
        .unwrap();
        match compose::queue_draft(db, &school.teacher, draft, t0()).await {
            Err(Error::Recipients(bad)) => {
                let missing = LineProblem::MissingValue {
                    placeholder: "eleve".into(),
                };
                let found: Vec<_> = bad.iter().map(|b| (b.line, b.problem.clone())).collect();
                assert_eq!(found, [(1, missing.clone()), (2, missing)]);
            }
            other => panic!("expected a missing placeholder, got {other:?}"),
        }
        assert_eq!(outbox::backlog(db).await.unwrap(), 0);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn the_archive_opens_with_the_answer_or_the_file_and_a_moved_row_does_not() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (account, file) = (school.account_id, recovery_file_in(&school.confirmation));
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
        tested(db, &env(&mailer), teacher, own).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_sent_twice_at_once_is_queued_once() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let draft = compose::save_draft(
            db,
            &school.teacher,
            None,
            draft_input(
                school.account_id,
                "Sortie",
                "Bonjour {nom}",
                "a@b.fr\nc@d.fr\ne@f.fr",
            ),
            t0(),
        )
        .await
        .expect("draft");
        // A double click: two "Envoyer" for the same draft at the same moment.
        let (first, second) = tokio::join!(
            compose::queue_draft(db, &school.teacher, draft, t0()),
            compose::queue_draft(db, &school.teacher, draft, t0()),
        );
        let queued: Vec<_> = [&first, &second]
            .into_iter()
            .filter(|r| r.is_ok())
            .collect();
        assert_eq!(queued.len(), 1, "{first:?} / {second:?}");
        let refused = if first.is_ok() { &second } else { &first };
        // SQLite may refuse the loser as busy rather than "not found"; either way it queues nothing.
        assert!(
            matches!(refused, Err(Error::NotFound) | Err(Error::Database(_))),
            "{refused:?}"
        );
        let send = outbox::detail(db, &school.teacher, draft)
            .await
            .expect("send");
        assert_eq!(send.summary.progress.total, 3, "each recipient once");
        t.drop_database().await;
    }
}
