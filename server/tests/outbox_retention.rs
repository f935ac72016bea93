//! The retention sweep runs from the outbox loop of an instance that has workers (its
//! pause shortened here from 10 minutes): a draft left alone past its lifetime is deleted
//! soon after start; an instance without workers leaves it. The rules themselves are
//! checked in `domain/tests/outbox_retention.rs`.

mod support;

use std::time::{Duration, Instant};

use domain::mail::Mailer;
use domain::outbox::compose::{self, DraftInput};
use testkit::fixtures::{env, secretariat};

#[tokio::test]
async fn an_instance_with_workers_deletes_expired_drafts_and_one_without_does_not_sweep() {
    for t in testkit::databases().await {
        let db = &t.db;
        // The loop reads the real clock: the draft was last saved 60 days before it.
        let long_ago = chrono::Utc::now() - chrono::Duration::days(60);
        let school = secretariat(db, long_ago).await;
        let input = DraftInput {
            account_id: school.account_id,
            subject: "Sortie".into(),
            body: "Bonjour".into(),
            recipients: "parent@b.fr".into(),
            ..DraftInput::default()
        };
        let old = compose::save_draft(db, &school.teacher, None, input, long_ago)
            .await
            .expect("draft");
        let mut config = support::test_config().outbox;
        config.sweep_every = Duration::from_millis(50);

        config.workers = 0;
        let idle = server::outbox::start(&config, db.clone(), env(&Mailer::memory()));
        tokio::time::sleep(Duration::from_millis(400)).await;
        idle.stop().await;
        assert!(
            compose::draft(db, &school.teacher, old).await.is_ok(),
            "an instance without workers does not sweep"
        );

        config.workers = 1;
        let workers = server::outbox::start(&config, db.clone(), env(&Mailer::memory()));
        let start = Instant::now();
        while compose::draft(db, &school.teacher, old).await.is_ok() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the expired draft is still there"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        workers.stop().await;
        t.drop_database().await;
    }
}
