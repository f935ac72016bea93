//! Step 2's rules (SECURITY.md tests 1–6 and 13 for accounts) against real databases,
//! SQLite and PostgreSQL when `TEST_DATABASE_URL` is set, with the clock passed in.

#![expect(clippy::unwrap_used, reason = "test helpers should fail loudly")]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use domain::access::{Actor, actor_in};
use domain::accounts::answer::SecretInput;
use domain::accounts::sending::{RawSending, SendingInput};
use domain::accounts::{self, AccountState, answer, code};
use domain::crypto::MasterKeys;
use domain::mail::Mailer;
use domain::password::{HashCost, PasswordHasher};
use domain::secret::Secret;
use domain::sending_settings::SendingEnvironment;
use domain::staff::{self, StaffInput};
use domain::{CodeRefusal, DatabaseConnection, Error, Invalid, Now, invitations, schools};
use sea_orm::{ConnectionTrait, Statement};

fn t0() -> Now {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().unwrap()
}

fn hasher() -> PasswordHasher {
    PasswordHasher::new(HashCost::TEST_ONLY, b"test pepper")
}

fn env(mailer: &Mailer) -> SendingEnvironment {
    SendingEnvironment {
        hosting: mailer.clone(),
        hosting_from: "ne-pas-repondre@hebergeur.fr".into(),
        school_policy: domain::smtp::Policy::default(),
        keys: Arc::new(
            MasterKeys::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &[]).unwrap(),
        ),
    }
}

const PASSWORD: &str = "une phrase de passe";

/// A school with its administrator and one teacher, both signed up.
struct School {
    admin: Actor,
    teacher: Actor,
}

async fn school(db: &DatabaseConnection, name: &str, domain_name: &str) -> School {
    let admin_email = format!("admin@{domain_name}");
    let created = schools::create_with_admin(db, name, &admin_email, "Admin", t0())
        .await
        .unwrap();
    let p = Secret::new(PASSWORD);
    let token = created.invitation.unwrap().token;
    let accepted = invitations::accept(db, &hasher(), token.expose(), &p, &p, t0())
        .await
        .unwrap();
    let admin = actor_in(db, accepted.person_id, created.school.id)
        .await
        .unwrap()
        .unwrap();
    let input = StaffInput::parse(
        "Bruno Prof",
        &format!("bruno@{domain_name}"),
        "enseignant",
        false,
    )
    .unwrap();
    let added = staff::add(db, &admin, &input, t0()).await.unwrap();
    let token = added.invitation.unwrap().token;
    let accepted = invitations::accept(db, &hasher(), token.expose(), &p, &p, t0())
        .await
        .unwrap();
    let teacher = actor_in(db, accepted.person_id, created.school.id)
        .await
        .unwrap()
        .unwrap();
    School { admin, teacher }
}

/// The code in the last message the mailer received for `to`.
fn last_code(mailer: &Mailer, to: &str) -> String {
    let sent = mailer.sent();
    let mail = sent
        .iter()
        .rev()
        .find(|m| m.contains(&format!("<{to}>")))
        .unwrap_or_else(|| panic!("no mail to {to}"));
    let at = mail.find("Code : ").expect("a code line") + "Code : ".len();
    mail[at..at + 6].to_owned()
}

fn wrong_code(right: &str) -> String {
    let n: u32 = right.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

fn code_refusal(result: Result<accounts::AccountView, Error>) -> CodeRefusal {
    match result {
        Err(Error::Code(refusal)) => refusal,
        Err(other) => panic!("expected a code refusal, got {other}"),
        Ok(_) => panic!("expected a code refusal, got success"),
    }
}

/// The hasher is leaked so that a proof can borrow it for the whole test.
fn proof(answer: &Secret) -> answer::Proof<'_> {
    static HASHER: std::sync::OnceLock<PasswordHasher> = std::sync::OnceLock::new();
    answer::Proof {
        hasher: HASHER.get_or_init(hasher),
        answer,
    }
}

fn none() -> Secret {
    Secret::new("")
}

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
            CodeRefusal::Expired,
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
            CodeRefusal::Voided
        );
        assert_eq!(
            code_refusal(code::submit(db, &env, &s.teacher, account.id, &right, t0()).await),
            CodeRefusal::Voided,
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
            accounts::get(db, &env, &s.teacher, account.id, soon)
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
    answer::set(
        db,
        &env,
        &s.teacher,
        account.id,
        input,
        proof(&none()),
        t0(),
    )
    .await
    .unwrap();
    let dump = raw_bytes(&t).await;
    assert!(dump.contains("$argon2id$"));
    for secret in ["medor le chien", "Médor le chien", "m\u{e9}dor"] {
        assert!(!dump.contains(secret), "answer in clear");
    }
    t.drop_database().await;
}

async fn raw_bytes(t: &testkit::TestDb) -> String {
    t.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .ok();
    let path = t.sqlite_path().unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("sqlite-wal")) {
        bytes.extend(wal);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Creates an account, verifies it and sets "medor" as its answer.
async fn with_secret(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    mailer: &Mailer,
    actor: &Actor,
    address: &str,
) -> i64 {
    let account = accounts::create_personal(db, env, actor, "Compte", address, t0())
        .await
        .unwrap();
    let code = last_code(mailer, address);
    code::submit(db, env, actor, account.id, &code, t0())
        .await
        .unwrap();
    let input =
        SecretInput::parse("Animal ?", &Secret::new("medor"), &Secret::new("medor")).unwrap();
    let view = answer::set(db, env, actor, account.id, input, proof(&none()), t0())
        .await
        .unwrap();
    assert_eq!(view.state, AccountState::AwaitingValidation);
    account.id
}

fn server_settings() -> SendingInput {
    SendingInput::parse(RawSending {
        use_server_settings: true,
        host: "",
        port: "",
        security: "",
        username: "",
        password: "",
    })
    .unwrap()
}

#[tokio::test]
async fn medor_with_accent_and_space_unlocks_medor_and_wrong_answers_lock_with_doubling() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let env = env(&mailer);
        let s = school(db, "École A", "a.fr").await;
        let id = with_secret(db, &env, &mailer, &s.teacher, "bruno.perso@a.fr").await;
        accounts::sending::validate(db, &env, &s.teacher, id, &server_settings(), t0())
            .await
            .unwrap();

        let change = |answer: &str, at: Now| {
            let (db, env, teacher) = (db, &env, &s.teacher);
            let answer = Secret::new(answer);
            async move {
                let input =
                    SecretInput::parse("Ville ?", &Secret::new("Paris"), &Secret::new("paris"))
                        .unwrap();
                answer::set(db, env, teacher, id, input, proof(&answer), at).await
            }
        };
        let view = change("Médor ", t0()).await.unwrap();
        assert_eq!(
            view.secret_question.as_deref(),
            Some("Ville ?"),
            "{}",
            t.backend
        );
        // The answer is now "paris". Four wrong answers say how many tries are left...
        for remaining in (1..=4).rev() {
            assert!(
                matches!(change("lyon", t0()).await, Err(Error::AnswerWrong { remaining: r }) if r == remaining),
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
        // After it, five more wrong answers lock for twice as long.
        let after = t0() + Duration::minutes(15);
        for _ in 0..4 {
            assert!(matches!(
                change("lyon", after).await,
                Err(Error::AnswerWrong { .. })
            ));
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
            accounts::sending::validate(db, &env, &s.teacher, id, &own, t0()).await,
            Err(Error::Invalid(Invalid::OwnSmtpNotAllowed))
        ));
        let view = accounts::sending::validate(db, &env, &s.teacher, id, &server_settings(), t0())
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
            accounts::list(db, &env, &s.teacher, t0())
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
        accounts::sending::validate(db, &env, &s.teacher, id, &server_settings(), t0())
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
                not_found(
                    accounts::get(db, &env, outsider, id, t0())
                        .await
                        .map(|_| ())
                ),
                "{}: {who} reads",
                t.backend
            );
            assert!(
                accounts::list(db, &env, outsider, t0())
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
                    answer::set(db, &env, outsider, id, input, proof(&answer), t0())
                        .await
                        .map(|_| ())
                ),
                "{who} sets"
            );
            assert!(
                not_found(
                    accounts::sending::validate(db, &env, outsider, id, &server_settings(), t0())
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
            accounts::get(db, &env, &a.teacher, id, t0())
                .await
                .unwrap()
                .state,
            AccountState::AwaitingValidation
        );
        t.drop_database().await;
    }
}
