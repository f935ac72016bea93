//! Step 2's verification codes (SECURITY.md tests 1–5) against real databases, SQLite and
//! PostgreSQL when `TEST_DATABASE_URL` is set, with the clock passed in: nothing sleeps.

mod accounts_support;

use accounts_support::*;
use chrono::Duration;
use domain::accounts::answer::SecretInput;
use domain::accounts::{self, AccountState, answer, code};
use domain::mail::Mailer;
use domain::secret::Secret;
use domain::{CodeRefusal, Error, Invalid};
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test]
async fn a_code_works_once_and_expires_after_ten_minutes() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let account =
            accounts::create_personal(db, &env, &s.teacher, "Bruno", "bruno.perso@a.fr", t0())
                .await
                .unwrap();
        assert_eq!(account.state, AccountState::AwaitingCode);
        let first = last_code(&mailer, "bruno.perso@a.fr");
        let late = t0() + Duration::minutes(10);
        assert_eq!(
            code_refusal(code::submit(db, &env, &s.teacher, account.id, &first, late).await),
            CodeRefusal::Expired { lifetime_secs: 600 },
            "{}",
            t.backend
        );

        code::resend(db, &env, &s.teacher, account.id, late)
            .await
            .unwrap();
        let second = last_code(&mailer, "bruno.perso@a.fr");
        let in_time = late + Duration::minutes(10) - Duration::seconds(1);
        let verified = code::submit(db, &env, &s.teacher, account.id, &second, in_time)
            .await
            .unwrap();
        assert_eq!(verified.state, AccountState::AwaitingSecret);
        assert_eq!(
            code_refusal(code::submit(db, &env, &s.teacher, account.id, &second, in_time).await),
            CodeRefusal::NonePending,
            "{}: a code works once",
            t.backend
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_code_is_bound_to_its_account_address_and_purpose() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let of_admin =
            accounts::create_personal(db, &env, &s.admin, "Admin", "direction@a.fr", t0())
                .await
                .unwrap();
        let admins_code = last_code(&mailer, "direction@a.fr");
        let of_teacher =
            accounts::create_personal(db, &env, &s.teacher, "Bruno", "bruno.perso@a.fr", t0())
                .await
                .unwrap();
        // Another account: the admin's code typed into the teacher's account.
        let refusal = code_refusal(
            code::submit(db, &env, &s.teacher, of_teacher.id, &admins_code, t0()).await,
        );
        assert!(
            matches!(refusal, CodeRefusal::Wrong { .. }),
            "{}: {refusal:?}",
            t.backend
        );

        // Another address: after a change of address, the old code is worthless.
        let old = last_code(&mailer, "bruno.perso@a.fr");
        let later = t0() + Duration::minutes(2);
        accounts::change_address(
            db,
            &env,
            &s.teacher,
            of_teacher.id,
            "bruno.autre@a.fr",
            proof(&none()),
            later,
        )
        .await
        .unwrap();
        let refusal =
            code_refusal(code::submit(db, &env, &s.teacher, of_teacher.id, &old, later).await);
        assert!(
            matches!(refusal, CodeRefusal::Wrong { .. }),
            "{}: {refusal:?}",
            t.backend
        );

        // Another purpose: the same stored code, relabelled, no longer counts for this one.
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "UPDATE verification_codes SET purpose = 'reset' WHERE account_id = {}",
                of_admin.id
            ),
        ))
        .await
        .unwrap();
        assert_eq!(
            code_refusal(code::submit(db, &env, &s.admin, of_admin.id, &admins_code, t0()).await),
            CodeRefusal::NonePending,
            "{}",
            t.backend
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn the_fifth_wrong_code_voids_it_and_the_sixth_try_fails_even_when_right() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let account =
            accounts::create_personal(db, &env, &s.teacher, "Bruno", "bruno.perso@a.fr", t0())
                .await
                .unwrap();
        let right = last_code(&mailer, "bruno.perso@a.fr");
        let wrong = wrong_code(&right);
        for remaining in (1..=4).rev() {
            assert_eq!(
                code_refusal(code::submit(db, &env, &s.teacher, account.id, &wrong, t0()).await),
                CodeRefusal::Wrong { remaining },
                "{}",
                t.backend
            );
        }
        assert_eq!(
            code_refusal(code::submit(db, &env, &s.teacher, account.id, &wrong, t0()).await),
            CodeRefusal::Voided { after_tries: 5 }
        );
        assert_eq!(
            code_refusal(code::submit(db, &env, &s.teacher, account.id, &right, t0()).await),
            CodeRefusal::Voided { after_tries: 5 },
            "{}: the sixth try, although right",
            t.backend
        );
        // A malformed entry is not a guess and says so.
        assert!(matches!(
            code::submit(db, &env, &s.teacher, account.id, "12a", t0()).await,
            Err(Error::Invalid(Invalid::CodeMalformed))
        ));
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_resend_waits_sixty_seconds_and_five_per_hour() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let account =
            accounts::create_personal(db, &env, &s.teacher, "Bruno", "bruno.perso@a.fr", t0())
                .await
                .unwrap();
        assert_eq!(account.resend_in_secs, 60);
        let soon = t0() + Duration::seconds(45);
        assert_eq!(
            code_refusal(code::resend(db, &env, &s.teacher, account.id, soon).await),
            CodeRefusal::ResendTooSoon {
                retry_after_secs: 15
            },
            "{}",
            t.backend
        );
        assert_eq!(
            accounts::get(db, &s.teacher, account.id, soon)
                .await
                .unwrap()
                .resend_in_secs,
            15,
            "the page can show the countdown"
        );
        // Four more within the hour (five in all), then the hourly cap.
        for minute in 1..=4 {
            let at = t0() + Duration::minutes(minute);
            code::resend(db, &env, &s.teacher, account.id, at)
                .await
                .unwrap();
        }
        let sixth = t0() + Duration::minutes(5);
        assert!(
            matches!(
                code::resend(db, &env, &s.teacher, account.id, sixth).await,
                Err(Error::TooManyAttempts { .. })
            ),
            "{}",
            t.backend
        );
        // Each new code replaces the previous one.
        let codes = mailer.sent().len();
        assert!(codes >= 5);
        t.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_codes_and_answers_get_no_more_than_five_tries() {
    for t in testkit::databases().await {
        let (db, mailer) = (t.db.clone(), Mailer::memory());
        let env = env(&mailer);
        let s = school(&db, "École A", "a.fr").await;
        let account = accounts::create_personal(&db, &env, &s.teacher, "Bruno", "b@a.fr", t0())
            .await
            .unwrap();
        let right = last_code(&mailer, "b@a.fr");
        let wrong = wrong_code(&right);
        let guesses = (0..12).map(|_| {
            let (db, env, actor, wrong) =
                (db.clone(), env.clone(), s.teacher.clone(), wrong.clone());
            tokio::spawn(
                async move { code::submit(&db, &env, &actor, account.id, &wrong, t0()).await },
            )
        });
        let mut wrongs = 0;
        for guess in guesses {
            if let Err(Error::Code(CodeRefusal::Wrong { .. } | CodeRefusal::Voided { .. })) =
                guess.await.unwrap()
            {
                wrongs += 1;
            }
        }
        assert_eq!(wrongs, 12, "{}", t.backend);
        assert_eq!(
            code_refusal(code::submit(&db, &env, &s.teacher, account.id, &right, t0()).await),
            CodeRefusal::Voided { after_tries: 5 },
            "{}: twelve parallel guesses must not leave the code usable",
            t.backend
        );
        let attempts = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT attempts FROM verification_codes WHERE account_id = {}",
                    account.id
                ),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i32>("", "attempts")
            .unwrap();
        assert_eq!(
            attempts, 5,
            "{}: only five guesses were compared",
            t.backend
        );

        // The same for secret answers: twelve wrong answers at once, five compared at most.
        let other = accounts::create_personal(&db, &env, &s.admin, "Admin", "d@a.fr", t0())
            .await
            .unwrap();
        let code = last_code(&mailer, "d@a.fr");
        code::submit(&db, &env, &s.admin, other.id, &code, t0())
            .await
            .unwrap();
        let input =
            SecretInput::parse("Q ?", &Secret::new("medor"), &Secret::new("medor")).unwrap();
        answer::set(&db, &s.admin, other.id, input, proof(&none()), t0())
            .await
            .unwrap();
        let tries = (0..12).map(|_| {
            let (db, actor) = (db.clone(), s.admin.clone());
            tokio::spawn(async move {
                let wrong = Secret::new("rex");
                accounts::delete(&db, &actor, other.id, proof(&wrong), t0()).await
            })
        });
        let mut compared = 0;
        for attempt in tries {
            if matches!(attempt.await.unwrap(), Err(Error::AnswerWrong { .. })) {
                compared += 1;
            }
        }
        assert!(
            compared <= 4,
            "{}: {compared} wrong answers compared before the lock",
            t.backend
        );
        assert!(
            matches!(
                accounts::delete(&db, &s.admin, other.id, proof(&Secret::new("medor")), t0()).await,
                Err(Error::TooManyAttempts { .. })
            ),
            "{}: locked, even for the right answer",
            t.backend
        );
        t.drop_database().await;
    }
}
