//! Step 2's secret answers, validation and access (SECURITY.md tests 5, 6 and 13) against
//! real databases, SQLite and PostgreSQL when `TEST_DATABASE_URL` is set.

mod accounts_support;

use accounts_support::*;
use chrono::Duration;
use domain::accounts::answer::SecretInput;
use domain::accounts::sending::{RawSending, SendingInput};
use domain::accounts::{self, AccountState, answer, code};
use domain::mail::Mailer;
use domain::secret::Secret;
use domain::{Error, Invalid, Now};

#[tokio::test]
async fn the_database_holds_neither_the_code_nor_the_answer() {
    let t = testkit::sqlite().await;
    let (db, mailer) = (&t.db, Mailer::memory());
    let env = env(&mailer);
    let s = school(db, "École A", "a.fr").await;
    let account =
        accounts::create_personal(db, &env, &s.teacher, "Bruno", "bruno.perso@a.fr", t0())
            .await
            .unwrap();
    let code = last_code(&mailer, "bruno.perso@a.fr");
    let dump_with_pending_code = raw_bytes(&t).await;
    assert!(
        dump_with_pending_code.contains("bruno.perso@a.fr"),
        "the dump sees row values"
    );
    assert!(!dump_with_pending_code.contains(&code), "code in clear");
    code::submit(db, &env, &s.teacher, account.id, &code, t0())
        .await
        .unwrap();
    let input = SecretInput::parse(
        "Animal ?",
        &Secret::new("Médor le chien"),
        &Secret::new("medor le chien"),
    )
    .unwrap();
    answer::set(db, &s.teacher, account.id, input, proof(&none()), t0())
        .await
        .unwrap();
    let dump = raw_bytes(&t).await;
    assert!(dump.contains("$argon2id$"));
    for secret in ["medor le chien", "Médor le chien", "m\u{e9}dor"] {
        assert!(!dump.contains(secret), "answer in clear");
    }
    t.drop_database().await;
}

#[tokio::test]
async fn medor_with_accent_and_space_unlocks_medor_and_wrong_answers_lock_with_doubling() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let id = with_secret(db, &env, &mailer, &s.teacher, "bruno.perso@a.fr").await;
        tested(db, &env, &s.teacher, id).await;
        accounts::sending::validate(
            db,
            &env,
            &s.teacher,
            id,
            &server_settings(),
            proof(&none()),
            t0(),
        )
        .await
        .unwrap();

        let change = |answer: &str, at: Now| {
            let (db, teacher) = (db, &s.teacher);
            let answer = Secret::new(answer);
            async move {
                let input =
                    SecretInput::parse("Ville ?", &Secret::new("Paris"), &Secret::new("paris"))
                        .unwrap();
                answer::set(db, teacher, id, input, proof(&answer), at).await
            }
        };
        let secured = accounts::get(db, &s.teacher, id, t0()).await.unwrap();
        let fingerprint = secured
            .key_fingerprint
            .clone()
            .expect("securing creates the archive keys");
        let view = change("Médor ", t0()).await.unwrap();
        assert_eq!(
            view.key_fingerprint.as_ref(),
            Some(&fingerprint),
            "{}: a new answer keeps the archive key pair",
            t.backend
        );
        assert_eq!(
            view.secret_question.as_deref(),
            Some("Ville ?"),
            "{}",
            t.backend
        );
        // The answer is now "paris". Four wrong answers say how many tries are left, and
        // how long the lockout they lead to lasts...
        for remaining in (1..=4).rev() {
            assert!(
                matches!(
                    change("lyon", t0()).await,
                    Err(Error::AnswerWrong { remaining: r, lockout_secs: 900 }) if r == remaining
                ),
                "{}",
                t.backend
            );
        }
        // ...the fifth locks for 15 minutes, during which even the right answer is refused.
        assert!(matches!(
            change("lyon", t0()).await,
            Err(Error::TooManyAttempts {
                retry_after_secs: 900
            })
        ));
        let during = t0() + Duration::minutes(14);
        assert!(
            matches!(
                change("PARIS", during).await,
                Err(Error::TooManyAttempts { .. })
            ),
            "{}",
            t.backend
        );
        // After it, five more wrong answers lock for twice as long, and say so.
        let after = t0() + Duration::minutes(15);
        for _ in 0..4 {
            assert!(
                matches!(
                    change("lyon", after).await,
                    Err(Error::AnswerWrong {
                        lockout_secs: 1800,
                        ..
                    })
                ),
                "{}",
                t.backend
            );
        }
        assert!(
            matches!(
                change("lyon", after).await,
                Err(Error::TooManyAttempts {
                    retry_after_secs: 1800
                })
            ),
            "{}",
            t.backend
        );
        let later = after + Duration::minutes(30);
        change(" Pâris ", later)
            .await
            .expect("accents, case and spaces do not count");
        t.drop_database().await;
    }
}

#[tokio::test]
async fn validation_activates_and_mails_the_confirmation_from_the_account() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let id = with_secret(db, &env, &mailer, &s.teacher, "bruno.perso@a.fr").await;
        let own = SendingInput::parse(RawSending {
            use_server_settings: false,
            host: "smtp.a.fr",
            port: "587",
            security: "starttls",
            username: "bruno",
            password: "motdepasse-smtp",
        })
        .unwrap();
        // Before step 1 is saved the school delivers everything through the server.
        assert!(matches!(
            accounts::sending::validate(db, &env, &s.teacher, id, &own, proof(&none()), t0()).await,
            Err(Error::Invalid(Invalid::OwnSmtpNotAllowed))
        ));
        // Validation needs a passing test of exactly the settings validated.
        assert!(matches!(
            accounts::sending::validate(
                db,
                &env,
                &s.teacher,
                id,
                &server_settings(),
                proof(&none()),
                t0()
            )
            .await,
            Err(Error::Invalid(Invalid::TestRequired))
        ));
        tested(db, &env, &s.teacher, id).await;
        let view = accounts::sending::validate(
            db,
            &env,
            &s.teacher,
            id,
            &server_settings(),
            proof(&none()),
            t0(),
        )
        .await
        .unwrap();
        assert_eq!(view.state, AccountState::Active, "{}", t.backend);
        assert!(view.use_server_settings && !view.own_smtp_allowed);
        let confirmation = mailer.sent().pop().unwrap();
        assert!(
            confirmation.contains("<bruno.perso@a.fr>"),
            "sent to the account"
        );
        assert!(
            confirmation.contains("From: Compte <ne-pas-repondre@hebergeur.fr>")
                && confirmation.contains("Reply-To: bruno.perso@a.fr"),
            "through the host's relay: the operator's From, replies to the account\n{confirmation}"
        );
        // Once active, changes ask for the answer.
        assert!(matches!(
            accounts::sending::update(
                db,
                &env,
                &s.teacher,
                id,
                &server_settings(),
                proof(&Secret::new("rex")),
                t0()
            )
            .await,
            Err(Error::AnswerWrong { .. })
        ));
        assert!(matches!(
            accounts::delete(db, &s.teacher, id, proof(&Secret::new("rex")), t0()).await,
            Err(Error::AnswerWrong { .. })
        ));
        accounts::delete(db, &s.teacher, id, proof(&Secret::new(" MEDOR")), t0())
            .await
            .unwrap();
        assert!(
            accounts::list(db, &s.teacher, t0())
                .await
                .unwrap()
                .is_empty()
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_changed_address_is_verified_again_and_the_account_comes_back_active() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let id = with_secret(db, &env, &mailer, &s.teacher, "bruno.perso@a.fr").await;
        tested(db, &env, &s.teacher, id).await;
        accounts::sending::validate(
            db,
            &env,
            &s.teacher,
            id,
            &server_settings(),
            proof(&none()),
            t0(),
        )
        .await
        .unwrap();
        let later = t0() + Duration::minutes(5);
        assert!(
            matches!(
                accounts::change_address(
                    db,
                    &env,
                    &s.teacher,
                    id,
                    "b2@a.fr",
                    proof(&none()),
                    later
                )
                .await,
                Err(Error::AnswerWrong { .. })
            ),
            "{}: the answer is asked",
            t.backend
        );
        let view = accounts::change_address(
            db,
            &env,
            &s.teacher,
            id,
            "b2@a.fr",
            proof(&Secret::new("medor")),
            later,
        )
        .await
        .unwrap();
        assert_eq!(view.state, AccountState::AwaitingCode);
        let code = last_code(&mailer, "b2@a.fr");
        let view = code::submit(db, &env, &s.teacher, id, &code, later)
            .await
            .unwrap();
        assert_eq!(
            (view.state, view.address.as_str()),
            (AccountState::Active, "b2@a.fr"),
            "{}",
            t.backend
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn nobody_but_the_owner_reaches_a_personal_account() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let a = school(db, "École A", "a.fr").await;
        let b = school(db, "École B", "b.fr").await;
        let id = with_secret(db, &env, &mailer, &a.teacher, "bruno.perso@a.fr").await;
        let answer = Secret::new("medor");
        // The school's administrator, and both people of another school.
        for (who, outsider) in [
            ("admin of A", &a.admin),
            ("admin of B", &b.admin),
            ("teacher of B", &b.teacher),
        ] {
            let not_found = |r: Result<(), Error>| matches!(r, Err(Error::NotFound));
            assert!(
                not_found(accounts::get(db, outsider, id, t0()).await.map(|_| ())),
                "{}: {who} reads",
                t.backend
            );
            assert!(
                accounts::list(db, outsider, t0())
                    .await
                    .unwrap()
                    .iter()
                    .all(|v| v.id != id),
                "{who} lists"
            );
            assert!(
                not_found(code::resend(db, &env, outsider, id, t0()).await.map(|_| ())),
                "{who} resends"
            );
            assert!(
                not_found(
                    code::submit(db, &env, outsider, id, "123456", t0())
                        .await
                        .map(|_| ())
                ),
                "{who} submits"
            );
            let input = SecretInput::parse("Q ?", &answer, &answer).unwrap();
            assert!(
                not_found(
                    answer::set(db, outsider, id, input, proof(&answer), t0())
                        .await
                        .map(|_| ())
                ),
                "{who} sets"
            );
            assert!(
                not_found(
                    accounts::sending::validate(
                        db,
                        &env,
                        outsider,
                        id,
                        &server_settings(),
                        proof(&none()),
                        t0()
                    )
                    .await
                    .map(|_| ())
                ),
                "{who} validates"
            );
            assert!(
                not_found(
                    accounts::sending::test_send(
                        db,
                        &env,
                        outsider,
                        id,
                        &server_settings(),
                        "x@y.fr",
                        t0()
                    )
                    .await
                    .map(|_| ())
                ),
                "{who} tests"
            );
            assert!(
                not_found(
                    accounts::change_address(
                        db,
                        &env,
                        outsider,
                        id,
                        "x@y.fr",
                        proof(&answer),
                        t0()
                    )
                    .await
                    .map(|_| ())
                ),
                "{who} changes"
            );
            assert!(
                not_found(accounts::delete(db, outsider, id, proof(&answer), t0()).await),
                "{who} deletes"
            );
        }
        assert_eq!(
            accounts::get(db, &a.teacher, id, t0()).await.unwrap().state,
            AccountState::AwaitingValidation
        );
        t.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_changed_while_the_secret_is_hashed_is_never_validated_unverified() {
    use domain::password::{HashCost, PasswordHasher};
    for t in testkit::databases().await {
        let (db, mailer) = (t.db.clone(), Mailer::memory());
        let env = env(&mailer);
        let s = school(&db, "École A", "a.fr").await;
        let account = accounts::create_personal(&db, &env, &s.teacher, "Bruno", "b@a.fr", t0())
            .await
            .unwrap();
        let code = last_code(&mailer, "b@a.fr");
        code::submit(&db, &env, &s.teacher, account.id, &code, t0())
            .await
            .unwrap();
        // A real-cost hash leaves a window of a few hundred milliseconds...
        let slow = PasswordHasher::new(HashCost::PRODUCTION, b"pepper");
        let setting = tokio::spawn({
            let (db, actor) = (db.clone(), s.teacher.clone());
            async move {
                let empty = Secret::new("");
                let proof = answer::Proof {
                    hasher: &slow,
                    answer: &empty,
                };
                let input = SecretInput::parse("Q ?", &Secret::new("medor"), &Secret::new("medor"))
                    .unwrap();
                answer::set(&db, &actor, account.id, input, proof, t0()).await
            }
        });
        // ...during which the address changes (no answer is needed yet).
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        let later = t0() + Duration::minutes(2);
        accounts::change_address(
            &db,
            &env,
            &s.teacher,
            account.id,
            "direction@a.fr",
            proof(&none()),
            later,
        )
        .await
        .unwrap();
        assert!(
            matches!(
                setting.await.unwrap(),
                Err(Error::Invalid(Invalid::WrongStep))
            ),
            "{}: the secret step must not apply to the new, unverified address",
            t.backend
        );
        let view = accounts::get(&db, &s.teacher, account.id, later)
            .await
            .unwrap();
        assert_eq!(
            (view.state, view.address.as_str()),
            (AccountState::AwaitingCode, "direction@a.fr"),
            "{}",
            t.backend
        );
        t.drop_database().await;
    }
}
