//! What stays in clear, and for how long, against real databases (SQLite, and PostgreSQL
//! when `TEST_DATABASE_URL` is set) with the clock passed in: a send with a failed
//! recipient keeps its text, attachments and values for the retention period (so
//! "Renvoyer les échecs" still works) and none of them after; delivered recipients keep no
//! values; drafts are size-checked, counted per person and expire; one sweep does a
//! bounded amount of work. The rows are read directly, as a database dump would show them.

mod accounts_support;
mod outbox_support;

use accounts_support::*;
use domain::mail::{Attachment, Mailer};
use domain::outbox::compose::{
    self, DraftInput, MAX_DRAFT_RECIPIENTS_BYTES, MAX_DRAFT_TEXT_BYTES, MAX_DRAFTS_PER_PERSON,
};
use domain::outbox::retention::{self, Retention, Swept};
use domain::outbox::worker;
use domain::outbox::{self};
use domain::{DatabaseConnection, Error, Invalid, Now};
use outbox_support::*;
use sea_orm::{ConnectionTrait, Statement};
use testkit::fixtures::{Secretariat, relay_on, secretariat};
use testkit::smtp::{PeerOptions, SmtpPeer};

fn day(n: i64) -> Now {
    t0() + chrono::Duration::days(n)
}

/// The first column of every row `sql` selects, as text (NULL as `None`).
async fn texts(db: &DatabaseConnection, sql: &str) -> Vec<Option<String>> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .iter()
        .map(|row| {
            row.try_get_by_index::<Option<String>>(0)
                .expect("text column")
        })
        .collect()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a count")
}

/// Each recipient's stored placeholder values, in list order.
async fn values_of(db: &DatabaseConnection, message: i64) -> Vec<String> {
    texts(
        db,
        &format!("SELECT fields FROM outbox WHERE message_id = {message} ORDER BY position"),
    )
    .await
    .into_iter()
    .map(|values| values.expect("fields is never NULL"))
    .collect()
}

async fn body_of(db: &DatabaseConnection, message: i64) -> Option<String> {
    texts(
        db,
        &format!("SELECT body FROM messages WHERE id = {message}"),
    )
    .await
    .pop()
    .expect("the message")
}

async fn attachments_of(db: &DatabaseConnection, message: i64) -> i64 {
    count(
        db,
        &format!("SELECT COUNT(*) FROM message_attachments WHERE message_id = {message}"),
    )
    .await
}

fn report_card() -> Attachment {
    Attachment {
        file_name: "bulletin.pdf".into(),
        content_type: String::new(),
        bytes: b"%PDF-1.4 moyenne 14,5".to_vec().into(),
    }
}

/// A send of [`TWO`] with an attachment, queued at `t0`: the first recipient (Léa's
/// parent) is answered 451 and, one attempt being allowed, fails for good as "gave up"
/// (which "Renvoyer les échecs" may retry); the second is delivered.
async fn half_failed(db: &DatabaseConnection, school: &Secretariat, relay_port: u16) -> i64 {
    let draft = compose::save_draft(
        db,
        &school.teacher,
        None,
        DraftInput {
            new_attachments: vec![report_card()],
            ..draft_input(
                school.account_id,
                "Absence de {eleve}",
                "Bonjour {nom},\n\n{eleve} était absent.",
                TWO,
            )
        },
        t0(),
    )
    .await
    .expect("draft");
    let message = compose::queue_draft(db, &school.teacher, draft, t0())
        .await
        .expect("queued")
        .message_id;
    let mut once = worker("w1");
    once.config.max_attempts = 1;
    let round = worker::run_once(db, &env(&relay_on(relay_port)), &once, t0())
        .await
        .expect("round");
    assert_eq!((round.sent, round.failed), (1, 1));
    message
}

#[tokio::test]
async fn within_retention_a_failed_recipient_keeps_text_attachments_and_values_for_a_retry() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions {
            temp_fail_first: 1,
            ..PeerOptions::default()
        });
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = half_failed(db, &school, peer.port).await;

        let swept = retention::sweep(db, day(29), &Retention::default())
            .await
            .unwrap();
        assert_eq!(swept.purged, 0);
        assert!(body_of(db, message).await.unwrap().contains("était absent"));
        assert_eq!(attachments_of(db, message).await, 1);
        let values = values_of(db, message).await;
        assert!(values[0].contains("Léa"), "{values:?}");
        // The delivered recipient's values are gone already.
        assert!(!values[1].contains("Tom"), "{values:?}");

        assert_eq!(
            outbox::retry_failed(db, &school.teacher, message, day(29))
                .await
                .unwrap(),
            1
        );
        let round = worker::run_once(db, &env(&relay_on(peer.port)), &worker("w2"), day(29))
            .await
            .unwrap();
        assert_eq!(round.sent, 1);
        let received = peer.received();
        let resent = &received.last().unwrap().data;
        assert!(resent.contains("Bonjour Mme Petit"), "{resent}");
        assert!(resent.contains("bulletin.pdf"), "{resent}");
        t.drop_database().await;
    }
}

#[tokio::test]
async fn after_retention_a_failed_send_has_no_text_attachment_or_value_left_and_cannot_be_retried()
{
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions {
            temp_fail_first: 1,
            ..PeerOptions::default()
        });
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = half_failed(db, &school, peer.port).await;

        let swept = retention::sweep(db, day(31), &Retention::default())
            .await
            .unwrap();
        assert_eq!(swept.purged, 1);
        assert_eq!(body_of(db, message).await, None);
        assert_eq!(attachments_of(db, message).await, 0);
        assert_eq!(values_of(db, message).await, ["{}", "{}"]);
        let purged_at = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM messages WHERE id = {message} AND purged_at IS NOT NULL"
            ),
        )
        .await;
        assert_eq!(purged_at, 1);
        // The sealed archive copy stays; the status page still lists every recipient.
        let archived = count(
            db,
            &format!("SELECT COUNT(*) FROM archive WHERE message_id = {message}"),
        )
        .await;
        assert_eq!(archived, 1);
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.summary.progress.failed, 1);

        // Nothing is left to send again: refused in words, nothing queued.
        assert!(matches!(
            outbox::retry_failed(db, &school.teacher, message, day(31)).await,
            Err(Error::Invalid(Invalid::MessagePurged))
        ));
        let round = worker::run_once(db, &env(&relay_on(peer.port)), &worker("w2"), day(31))
            .await
            .unwrap();
        assert_eq!(round.claimed, 0);
        // A second sweep finds nothing more to do.
        let again = retention::sweep(db, day(32), &Retention::default())
            .await
            .unwrap();
        assert_eq!(again, Swept::default());
        t.drop_database().await;
    }
}

#[tokio::test]
async fn delivered_recipients_keep_no_values_after_the_sweep() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let message = queue(db, &school.teacher, school.account_id, TWO).await;
        let mailer = Mailer::memory();
        let round = worker::run_once(db, &env(&mailer), &worker("w1"), t0())
            .await
            .unwrap();
        assert_eq!(round.sent, 2);
        // Rows delivered before values were cleared on delivery still hold them.
        db.execute_unprepared(&format!(
            "UPDATE outbox SET fields = '{{\"eleve\":\"Léa\",\"mot_de_passe\":\"Provisoire-7\"}}' WHERE message_id = {message}"
        ))
        .await
        .unwrap();

        let swept = retention::sweep(db, at(60), &Retention::default())
            .await
            .unwrap();
        assert_eq!(swept.values_cleared, 2);
        assert_eq!(values_of(db, message).await, ["{}", "{}"]);
        let detail = outbox::detail(db, &school.teacher, message).await.unwrap();
        assert_eq!(detail.summary.progress.sent, 2);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_draft_left_alone_past_its_lifetime_is_deleted_with_its_attachments_and_others_stay() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (teacher, account) = (&school.teacher, school.account_id);
        let input = || draft_input(account, "Sortie", "Bonjour {nom},", "a@b.fr");
        let with_file = DraftInput {
            new_attachments: vec![report_card()],
            ..input()
        };
        let old = compose::save_draft(db, teacher, None, with_file, t0())
            .await
            .unwrap();
        let edited = compose::save_draft(db, teacher, None, input(), t0())
            .await
            .unwrap();
        compose::save_draft(db, teacher, Some(edited), input(), day(20))
            .await
            .unwrap();
        let recent = compose::save_draft(db, teacher, None, input(), day(20))
            .await
            .unwrap();
        let queued = queue(db, teacher, account, TWO).await;

        let swept = retention::sweep(db, day(31), &Retention::default())
            .await
            .unwrap();
        assert_eq!(swept.drafts_deleted, 1);
        assert!(matches!(
            compose::draft(db, teacher, old).await,
            Err(Error::NotFound)
        ));
        assert_eq!(attachments_of(db, old).await, 0);
        compose::draft(db, teacher, edited).await.unwrap();
        compose::draft(db, teacher, recent).await.unwrap();
        // A queued send is not a draft, however old.
        outbox::detail(db, teacher, queued).await.unwrap();

        let swept = retention::sweep(db, day(51), &Retention::default())
            .await
            .unwrap();
        assert_eq!(swept.drafts_deleted, 2);
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_person_keeps_at_most_fifty_drafts_and_may_still_save_the_ones_they_have() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (teacher, account) = (&school.teacher, school.account_id);
        let input = || draft_input(account, "Sortie", "Bonjour {nom},", "a@b.fr");
        let mut drafts = Vec::new();
        for _ in 0..MAX_DRAFTS_PER_PERSON {
            drafts.push(
                compose::save_draft(db, teacher, None, input(), t0())
                    .await
                    .unwrap(),
            );
        }
        let before = count(db, "SELECT COUNT(*) FROM messages").await;
        assert!(matches!(
            compose::save_draft(db, teacher, None, input(), t0()).await,
            Err(Error::Invalid(Invalid::TooManyDrafts))
        ));
        assert_eq!(count(db, "SELECT COUNT(*) FROM messages").await, before);
        let changed = draft_input(account, "Sortie au musée", "Bonjour {nom},", "a@b.fr");
        compose::save_draft(db, teacher, Some(drafts[0]), changed, t0())
            .await
            .unwrap();
        assert_eq!(
            compose::draft(db, teacher, drafts[0])
                .await
                .unwrap()
                .subject,
            "Sortie au musée"
        );

        // The limit is per person: the administrator, once allowed on the account, may.
        domain::accounts::authorisations::set(
            db,
            &school.admin,
            account,
            &[teacher.person_id(), school.admin.person_id()],
            t0(),
        )
        .await
        .unwrap();
        compose::save_draft(db, &school.admin, None, input(), t0())
            .await
            .unwrap();
        // Sending a draft frees its place.
        compose::queue_draft(db, teacher, drafts[1], t0())
            .await
            .unwrap();
        compose::save_draft(db, teacher, None, input(), t0())
            .await
            .unwrap();
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_draft_keeps_whatever_a_form_can_carry_and_refuses_only_beyond_the_hard_caps() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (teacher, account) = (&school.teacher, school.account_id);
        // Over the sending limits, under the caps: kept whole (queueing says what is wrong).
        let long_body = "Bonjour {nom}, ".repeat(20_000);
        let long_subject = "Sortie ".repeat(100);
        let draft = compose::save_draft(
            db,
            teacher,
            None,
            draft_input(account, &long_subject, &long_body, "a@b.fr"),
            t0(),
        )
        .await
        .unwrap();
        let kept = compose::draft(db, teacher, draft).await.unwrap();
        assert_eq!((kept.subject, kept.body), (long_subject, long_body.clone()));

        // Beyond what any form sends: refused, and nothing is stored or changed.
        let huge = "x".repeat(MAX_DRAFT_TEXT_BYTES + 1);
        let huge_list = "a@b.fr\n".repeat(MAX_DRAFT_RECIPIENTS_BYTES / 7 + 1);
        let before = count(db, "SELECT COUNT(*) FROM messages").await;
        let refusals = [
            (
                draft_input(account, "Sortie", &huge, "a@b.fr"),
                Invalid::BodyTooLong,
            ),
            (
                draft_input(account, &huge, "Bonjour", "a@b.fr"),
                Invalid::SubjectMalformed,
            ),
            (
                draft_input(account, "Sortie", "Bonjour", &huge_list),
                Invalid::TooManyRecipients,
            ),
        ];
        for (input, expected) in refusals {
            for id in [None, Some(draft)] {
                let refused = compose::save_draft(db, teacher, id, input.clone(), t0()).await;
                assert!(
                    matches!(&refused, Err(Error::Invalid(i)) if *i == expected),
                    "{expected:?}: {refused:?}"
                );
            }
        }
        assert_eq!(count(db, "SELECT COUNT(*) FROM messages").await, before);
        assert_eq!(
            compose::draft(db, teacher, draft).await.unwrap().body,
            long_body
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn one_sweep_does_a_bounded_amount_of_work_and_the_next_goes_on() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let (teacher, account) = (&school.teacher, school.account_id);
        for _ in 0..3 {
            compose::save_draft(
                db,
                teacher,
                None,
                draft_input(account, "Sortie", "Bonjour", "a@b.fr"),
                t0(),
            )
            .await
            .unwrap();
        }
        // Three sends whose every recipient failed at t0.
        let mut failed = Vec::new();
        for _ in 0..3 {
            let message = queue(db, teacher, account, TWO).await;
            db.execute_unprepared(&format!(
                "UPDATE outbox SET state = 'failed', failure_kind = 'GaveUp', updated_at = {} WHERE message_id = {message}",
                t0().timestamp()
            ))
            .await
            .unwrap();
            failed.push(message);
        }
        // A send still under way: one recipient waits for a retry, four were delivered
        // (with their values still stored, as before values were cleared on delivery).
        let five = "email;nom;eleve\nr1@b.fr;A;Léa\nr2@b.fr;B;Tom\nr3@b.fr;C;Zoé\nr4@b.fr;D;Noé\nr5@b.fr;E;Lou\n";
        let under_way = queue(db, teacher, account, five).await;
        db.execute_unprepared(&format!(
            "UPDATE outbox SET state = CASE WHEN position = 0 THEN 'retrying' ELSE 'sent' END, updated_at = {} WHERE message_id = {under_way}",
            t0().timestamp()
        ))
        .await
        .unwrap();

        let small = Retention {
            messages_per_call: 2,
            rows_per_call: 3,
            ..Retention::default()
        };
        let first = retention::sweep(db, day(31), &small).await.unwrap();
        assert_eq!(
            first,
            Swept {
                purged: 2,
                values_cleared: 3,
                drafts_deleted: 2,
                more: true
            }
        );
        let second = retention::sweep(db, day(31), &small).await.unwrap();
        assert_eq!(
            second,
            Swept {
                purged: 1,
                values_cleared: 1,
                drafts_deleted: 1,
                more: false
            }
        );
        assert_eq!(
            retention::sweep(db, day(31), &small).await.unwrap(),
            Swept::default()
        );
        for message in failed {
            assert_eq!(body_of(db, message).await, None);
        }
        // The send under way keeps its text and its waiting recipient's values.
        assert!(body_of(db, under_way).await.is_some());
        let values = values_of(db, under_way).await;
        assert!(values[0].contains("Léa"), "{values:?}");
        assert!(values[1..].iter().all(|v| v == "{}"), "{values:?}");
        t.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sweeps_on_two_instances_at_once_purge_each_send_once() {
    for t in testkit::databases().await {
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        for _ in 0..4 {
            let message = queue(db, &school.teacher, school.account_id, TWO).await;
            db.execute_unprepared(&format!(
                "UPDATE outbox SET state = 'failed', failure_kind = 'GaveUp', updated_at = {} WHERE message_id = {message}",
                t0().timestamp()
            ))
            .await
            .unwrap();
        }
        let policy = Retention::default();
        let (a, b) = tokio::join!(
            retention::sweep(db, day(31), &policy),
            retention::sweep(db, day(31), &policy)
        );
        assert_eq!(a.unwrap().purged + b.unwrap().purged, 4);
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM messages WHERE body IS NOT NULL").await,
            0
        );
        t.drop_database().await;
    }
}
