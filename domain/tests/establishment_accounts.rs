//! Step 3's rules against real databases (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is
//! set): establishment accounts, the recovery file mailed with the confirmation (and found
//! nowhere else), checking and using it, and who may send with the account.

#![expect(clippy::unwrap_used, reason = "test helpers should fail loudly")]

mod accounts_support;

use accounts_support::*;
use base64::Engine as _;
use domain::access::Actor;
use domain::accounts::answer::SecretInput;
use domain::accounts::{self, AccountState, authorisations, code, recovery};
use domain::archive::{FileRefusal, recovery_file};
use domain::mail::Mailer;
use domain::secret::Secret;
use domain::staff::Category;
use domain::{DatabaseConnection, Error};

async fn secretariat(db: &DatabaseConnection, mailer: &Mailer, admin: &Actor) -> (i64, Vec<u8>) {
    let env = env(mailer);
    let account =
        accounts::create_establishment(db, &env, admin, "Secrétariat", "secretariat@a.fr", t0())
            .await
            .unwrap();
    let code = last_code(mailer, "secretariat@a.fr");
    code::submit(db, &env, admin, account.id, &code, t0())
        .await
        .unwrap();
    let input =
        SecretInput::parse("Ville ?", &Secret::new("Médor"), &Secret::new("medor")).unwrap();
    accounts::answer::set(db, admin, account.id, input, proof(&none()), t0())
        .await
        .unwrap();
    tested(db, &env, admin, account.id).await;
    // Validation asks for the answer again: it opens the key the file will hold.
    assert!(matches!(
        accounts::sending::validate(
            db,
            &env,
            admin,
            account.id,
            &server_settings(),
            proof(&Secret::new("rex")),
            t0()
        )
        .await,
        Err(Error::AnswerWrong { .. })
    ));
    let view = accounts::sending::validate(
        db,
        &env,
        admin,
        account.id,
        &server_settings(),
        proof(&Secret::new("MEDOR")),
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(view.state, AccountState::Active);
    let confirmation = mailer.sent().pop().expect("confirmation");
    assert!(confirmation.contains("<secretariat@a.fr>"));
    (account.id, recovery_file_in(&confirmation))
}

#[tokio::test]
async fn the_confirmation_carries_the_recovery_file_and_its_secret_is_nowhere_else() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let s = school(db, "École A", "a.fr").await;
        let env = env(&mailer);
        assert!(matches!(
            accounts::create_establishment(db, &env, &s.teacher, "Direction", "d@a.fr", t0()).await,
            Err(Error::Forbidden)
        ));
        let (id, file) = secretariat(db, &mailer, &s.admin).await;
        let parsed = recovery_file::parse(&file).expect("a sound file");
        assert_eq!(
            (parsed.owner.account_id, parsed.address.as_str()),
            (id, "secretariat@a.fr")
        );
        let view = accounts::get(db, &s.admin, id, t0()).await.unwrap();
        assert_eq!(Some(parsed.fingerprint.clone()), view.key_fingerprint);

        assert_eq!(
            recovery::check_file(db, &s.admin, id, &file).await.unwrap(),
            Ok(())
        );
        let mut tampered = file.clone();
        tampered[40] ^= 1;
        assert_eq!(
            recovery::check_file(db, &s.admin, id, &tampered)
                .await
                .unwrap(),
            Err(FileRefusal::Damaged),
            "{}",
            t.backend
        );

        if t.sqlite_path().is_some() {
            let dump = raw_bytes(&t).await;
            assert!(
                dump.contains("secretariat@a.fr"),
                "the dump sees row values"
            );
            let r = &*parsed.secret;
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r);
            let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
            assert!(
                !dump.contains(&b64) && !dump.contains(&hex),
                "R found in the database"
            );
            assert!(!dump.contains("cleRecuperation"), "the file is not stored");
        }
        t.drop_database().await;
    }
}

#[tokio::test]
async fn the_file_resets_a_forgotten_answer_and_keeps_the_key_pair() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let s = school(db, "École A", "a.fr").await;
        let (id, file) = secretariat(db, &mailer, &s.admin).await;
        let before = accounts::get(db, &s.admin, id, t0())
            .await
            .unwrap()
            .key_fingerprint;
        let input =
            SecretInput::parse("Nouvelle ?", &Secret::new("Lune"), &Secret::new("lune")).unwrap();
        let reset = recovery::reset_answer(db, hasher(), &s.admin, id, &file, input, t0())
            .await
            .unwrap()
            .expect("the file authorises the reset");
        assert_eq!(
            reset.key_fingerprint, before,
            "{}: same key pair",
            t.backend
        );
        assert_eq!(reset.secret_question.as_deref(), Some("Nouvelle ?"));
        // The new answer now authorises changes; the old one does not.
        let env = env(&mailer);
        assert!(matches!(
            accounts::sending::update(
                db,
                &env,
                &s.admin,
                id,
                &server_settings(),
                proof(&Secret::new("medor")),
                t0()
            )
            .await,
            Err(Error::AnswerWrong { .. })
        ));
        accounts::sending::update(
            db,
            &env,
            &s.admin,
            id,
            &server_settings(),
            proof(&Secret::new("LUNE")),
            t0(),
        )
        .await
        .unwrap();
        // Another account's file does not reset this one.
        let mut other = file.clone();
        other[40] ^= 1;
        let input = SecretInput::parse("Q ?", &Secret::new("abc"), &Secret::new("abc")).unwrap();
        assert!(matches!(
            recovery::reset_answer(db, hasher(), &s.admin, id, &other, input, t0()).await,
            Ok(Err(FileRefusal::Damaged))
        ));
        t.drop_database().await;
    }
}

#[tokio::test]
async fn only_authorised_staff_may_use_an_establishment_account_and_revoking_is_immediate() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let a = school(db, "École A", "a.fr").await;
        let b = school(db, "École B", "b.fr").await;
        let (id, file) = secretariat(db, &mailer, &a.admin).await;

        let teachers =
            authorisations::candidates(db, &a.admin, id, Some(Category::Enseignant), "brun")
                .await
                .unwrap();
        assert_eq!(
            teachers.len(),
            1,
            "{}: filtered by category and searched by name",
            t.backend
        );
        assert!(!teachers[0].authorised);
        let teacher_id = teachers[0].person_id;
        assert!(matches!(
            authorisations::usable_account(db, &a.teacher, id, t0()).await,
            Err(Error::NotFound)
        ));

        authorisations::set(db, &a.admin, id, &[teacher_id], t0())
            .await
            .unwrap();
        let usable = authorisations::usable(db, &a.teacher, t0()).await.unwrap();
        assert!(
            usable
                .iter()
                .any(|v| v.id == id && v.label == "Secrétariat"),
            "{}",
            t.backend
        );
        authorisations::usable_account(db, &a.teacher, id, t0())
            .await
            .unwrap();
        // Using is not managing: the teacher cannot open its settings.
        assert!(matches!(
            accounts::get(db, &a.teacher, id, t0()).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            authorisations::set(db, &a.teacher, id, &[teacher_id], t0()).await,
            Err(Error::Forbidden)
        ));

        authorisations::set(db, &a.admin, id, &[], t0())
            .await
            .unwrap();
        assert!(
            matches!(
                authorisations::usable_account(db, &a.teacher, id, t0()).await,
                Err(Error::NotFound)
            ),
            "{}: revoked at once",
            t.backend
        );
        assert!(
            authorisations::usable(db, &a.teacher, t0())
                .await
                .unwrap()
                .is_empty()
        );

        // School B: nothing of A's account, and A cannot authorise B's staff.
        assert!(matches!(
            accounts::get(db, &b.admin, id, t0()).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            authorisations::candidates(db, &b.admin, id, None, "").await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            recovery::check_file(db, &b.admin, id, &file).await,
            Err(Error::NotFound)
        ));
        assert!(accounts::list(db, &b.admin, t0()).await.unwrap().is_empty());
        assert!(matches!(
            authorisations::set(db, &a.admin, id, &[b.teacher.person_id()], t0()).await,
            Err(Error::NotFound)
        ));
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_filtered_form_changes_only_the_staff_it_showed() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let a = school(db, "École A", "a.fr").await;
        let (id, _) = secretariat(db, &mailer, &a.admin).await;
        let all = authorisations::candidates(db, &a.admin, id, None, "")
            .await
            .unwrap();
        let (admin, teacher) = (a.admin.person_id(), a.teacher.person_id());
        assert_eq!(all.len(), 2);
        authorisations::set(db, &a.admin, id, &[admin], t0())
            .await
            .unwrap();
        // A form filtered on teachers showed only the teacher, and ticked them.
        authorisations::update(db, &a.admin, id, &[teacher], &[teacher], t0())
            .await
            .unwrap();
        let now: Vec<_> = authorisations::candidates(db, &a.admin, id, None, "")
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.authorised)
            .map(|c| c.person_id)
            .collect();
        assert_eq!(
            now.len(),
            2,
            "{}: the hidden administrator kept their right",
            t.backend
        );
        // A person not shown cannot be ticked in through the form.
        authorisations::update(db, &a.admin, id, &[teacher], &[], t0())
            .await
            .unwrap();
        authorisations::update(db, &a.admin, id, &[], &[teacher], t0())
            .await
            .unwrap();
        assert!(
            matches!(
                authorisations::usable_account(db, &a.teacher, id, t0()).await,
                Err(Error::NotFound)
            ),
            "{}",
            t.backend
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn removing_a_member_removes_their_grants_and_the_form_still_works() {
    for t in testkit::databases().await {
        let (db, mailer) = (&t.db, Mailer::memory());
        let a = school(db, "École A", "a.fr").await;
        let (id, _) = secretariat(db, &mailer, &a.admin).await;
        let teacher = a.teacher.person_id();
        authorisations::set(db, &a.admin, id, &[teacher], t0())
            .await
            .unwrap();
        let member = domain::staff::list(db, &a.admin)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.email == "bruno@a.fr")
            .unwrap();
        domain::staff::remove(db, &a.admin, member.id, true)
            .await
            .unwrap();
        // The form (which no longer shows them) can still change the others.
        let admin = a.admin.person_id();
        authorisations::update(db, &a.admin, id, &[admin], &[admin], t0())
            .await
            .unwrap();
        let authorised: Vec<_> = authorisations::candidates(db, &a.admin, id, None, "")
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.authorised)
            .map(|c| c.person_id)
            .collect();
        assert_eq!(authorised, [admin], "{}", t.backend);
        t.drop_database().await;
    }
}
