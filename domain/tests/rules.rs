//! The domain's rules against real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set), with the clock passed in: nothing here sleeps.

#![expect(clippy::unwrap_used, reason = "test helpers should fail loudly")]

use chrono::{Duration, TimeZone, Utc};
use domain::access::actor_in;
use domain::password::{HashCost, PasswordHasher};
use domain::secret::Secret;
use domain::staff::{self, StaffInput, StaffUpdate};
use domain::{Error, Invalid, Now, auth, invitations, schools, sessions};

fn t0() -> Now {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0)
        .single()
        .expect("valid date")
}

fn hasher() -> PasswordHasher {
    PasswordHasher::new(HashCost::TEST_ONLY, b"test pepper")
}

const PASSWORD: &str = "une phrase de passe";

/// A school whose administrator has accepted their invitation; returns (school id, person id).
async fn school_with_admin(db: &domain::DatabaseConnection, name: &str, email: &str) -> (i64, i64) {
    let created = schools::create_with_admin(db, name, email, "Admin", t0())
        .await
        .unwrap();
    let token = created.invitation.unwrap().token;
    let p = Secret::new(PASSWORD);
    let accepted = invitations::accept(db, &hasher(), token.expose(), &p, &p, t0())
        .await
        .unwrap();
    (created.school.id, accepted.person_id)
}

#[tokio::test]
async fn an_invitation_works_once_and_expires_after_seven_days() {
    for t in testkit::databases().await {
        let db = &t.db;
        let created = schools::create_with_admin(db, "École A", "a@ecole.fr", "Anne", t0())
            .await
            .unwrap();
        let token = created.invitation.unwrap().token;
        let p = Secret::new(PASSWORD);
        let late = t0() + Duration::days(7);
        assert!(
            matches!(
                invitations::peek(db, token.expose(), late).await,
                Err(Error::InvitationInvalid)
            ),
            "{}",
            t.backend
        );
        assert!(matches!(
            invitations::accept(db, &hasher(), token.expose(), &p, &p, late).await,
            Err(Error::InvitationInvalid)
        ));
        let just_in_time = t0() + Duration::days(7) - Duration::seconds(1);
        invitations::accept(db, &hasher(), token.expose(), &p, &p, just_in_time)
            .await
            .unwrap();
        assert!(
            matches!(
                invitations::accept(db, &hasher(), token.expose(), &p, &p, just_in_time).await,
                Err(Error::InvitationInvalid)
            ),
            "{}: second use",
            t.backend
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_bad_password_choice_keeps_the_invitation_usable() {
    for t in testkit::databases().await {
        let db = &t.db;
        let created = schools::create_with_admin(db, "École A", "a@ecole.fr", "Anne", t0())
            .await
            .unwrap();
        let token = created.invitation.unwrap().token;
        let short = Secret::new("court");
        let err = invitations::accept(db, &hasher(), token.expose(), &short, &short, t0())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid(Invalid::PasswordTooShort)));
        let (a, b) = (Secret::new(PASSWORD), Secret::new("autre phrase de passe"));
        let err = invitations::accept(db, &hasher(), token.expose(), &a, &b, t0())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid(Invalid::PasswordsDiffer)));
        invitations::accept(db, &hasher(), token.expose(), &a, &a, t0())
            .await
            .unwrap();
        t.drop_database().await;
    }
}

#[tokio::test]
async fn sign_in_fails_alike_for_unknown_and_wrong_and_locks_after_five() {
    for t in testkit::databases().await {
        let db = &t.db;
        school_with_admin(db, "École A", "a@ecole.fr").await;
        let h = hasher();
        let wrong = Secret::new("pas le bon mot de passe");
        let right = Secret::new(PASSWORD);
        assert!(matches!(
            auth::sign_in(db, &h, "nobody@ecole.fr", &wrong, "10.0.0.1", t0()).await,
            Err(Error::InvalidCredentials)
        ));
        for _ in 0..5 {
            assert!(matches!(
                auth::sign_in(db, &h, "A@Ecole.fr ", &wrong, "10.0.0.1", t0()).await,
                Err(Error::InvalidCredentials)
            ));
        }
        // Locked: even the right password is refused, with the time left.
        match auth::sign_in(
            db,
            &h,
            "a@ecole.fr",
            &right,
            "10.0.0.2",
            t0() + Duration::minutes(1),
        )
        .await
        {
            Err(Error::TooManyAttempts { retry_after_secs }) => {
                assert_eq!(retry_after_secs, 14 * 60, "{}", t.backend)
            }
            other => panic!("{}: expected a lockout, got {other:?}", t.backend),
        }
        // After 15 minutes the account opens again, and success clears the counter.
        let later = t0() + Duration::minutes(15);
        auth::sign_in(db, &h, "a@ecole.fr", &right, "10.0.0.2", later)
            .await
            .unwrap();
        for _ in 0..4 {
            let _ = auth::sign_in(db, &h, "a@ecole.fr", &wrong, "10.0.0.2", later).await;
        }
        auth::sign_in(db, &h, "a@ecole.fr", &right, "10.0.0.2", later)
            .await
            .unwrap();
        t.drop_database().await;
    }
}

#[tokio::test]
async fn failures_spread_over_more_than_the_window_do_not_lock() {
    for t in testkit::databases().await {
        let db = &t.db;
        school_with_admin(db, "École A", "a@ecole.fr").await;
        let wrong = Secret::new("pas le bon mot de passe");
        for i in 0..10 {
            let at = t0() + Duration::minutes(4 * i);
            let result = auth::sign_in(db, &hasher(), "a@ecole.fr", &wrong, "10.0.0.1", at).await;
            assert!(
                matches!(result, Err(Error::InvalidCredentials)),
                "{}: attempt {i}: {result:?}",
                t.backend
            );
        }
        t.drop_database().await;
    }
}

#[tokio::test]
async fn one_client_address_is_limited_across_accounts() {
    for t in testkit::databases().await {
        let db = &t.db;
        let wrong = Secret::new("pas le bon mot de passe");
        for i in 0..50 {
            let _ = auth::sign_in(
                db,
                &hasher(),
                &format!("u{i}@ecole.fr"),
                &wrong,
                "192.0.2.9",
                t0(),
            )
            .await;
        }
        let result =
            auth::sign_in(db, &hasher(), "other@ecole.fr", &wrong, "192.0.2.9", t0()).await;
        assert!(
            matches!(result, Err(Error::TooManyAttempts { .. })),
            "{}: {result:?}",
            t.backend
        );
        let elsewhere =
            auth::sign_in(db, &hasher(), "other@ecole.fr", &wrong, "192.0.2.10", t0()).await;
        assert!(matches!(elsewhere, Err(Error::InvalidCredentials)));
        t.drop_database().await;
    }
}

#[tokio::test]
async fn sessions_end_when_idle_at_their_absolute_limit_and_on_sign_out() {
    for t in testkit::databases().await {
        let db = &t.db;
        let (school, person) = school_with_admin(db, "École A", "a@ecole.fr").await;
        let token = sessions::start(db, person, Some(school), t0())
            .await
            .unwrap();
        let at = |m: i64| t0() + Duration::minutes(m);
        assert!(
            sessions::resolve(db, token.expose(), at(29))
                .await
                .unwrap()
                .is_some()
        );
        // Activity at 29 min keeps it alive until 59 min...
        assert!(
            sessions::resolve(db, token.expose(), at(58))
                .await
                .unwrap()
                .is_some(),
            "{}",
            t.backend
        );
        // ...but not beyond 30 idle minutes.
        assert!(
            sessions::resolve(db, token.expose(), at(89))
                .await
                .unwrap()
                .is_none()
        );

        let token = sessions::start(db, person, Some(school), t0())
            .await
            .unwrap();
        for m in (20..12 * 60).step_by(20) {
            assert!(
                sessions::resolve(db, token.expose(), at(m))
                    .await
                    .unwrap()
                    .is_some(),
                "minute {m}"
            );
        }
        assert!(
            sessions::resolve(db, token.expose(), at(12 * 60))
                .await
                .unwrap()
                .is_none(),
            "absolute limit"
        );

        let token = sessions::start(db, person, Some(school), t0())
            .await
            .unwrap();
        sessions::end(db, token.expose()).await.unwrap();
        assert!(
            sessions::resolve(db, token.expose(), t0())
                .await
                .unwrap()
                .is_none()
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_school_never_reaches_another_schools_members() {
    for t in testkit::databases().await {
        let db = &t.db;
        let (a, admin_a) = school_with_admin(db, "École A", "a@ecole.fr").await;
        let (b, admin_b) = school_with_admin(db, "École B", "b@ecole.fr").await;
        let actor_a = actor_in(db, admin_a, a).await.unwrap().unwrap();
        let actor_b = actor_in(db, admin_b, b).await.unwrap().unwrap();
        let input = StaffInput::parse("Bruno Prof", "bruno@ecole.fr", "enseignant", false).unwrap();
        let in_b = staff::add(db, &actor_b, &input, t0()).await.unwrap().member;

        assert!(
            actor_in(db, admin_a, b).await.unwrap().is_none(),
            "not a member of B"
        );
        assert!(
            matches!(
                staff::get(db, &actor_a, in_b.id).await,
                Err(Error::NotFound)
            ),
            "{}: read",
            t.backend
        );
        let update = StaffUpdate::parse("Renamed", "personnel", true).unwrap();
        assert!(
            matches!(
                staff::update(db, &actor_a, in_b.id, &update).await,
                Err(Error::NotFound)
            ),
            "write"
        );
        assert!(
            matches!(
                staff::remove(db, &actor_a, in_b.id, true).await,
                Err(Error::NotFound)
            ),
            "delete"
        );
        let listed = staff::list(db, &actor_a).await.unwrap();
        assert!(listed.iter().all(|m| m.email != "bruno@ecole.fr"), "list");
        assert_eq!(
            staff::get(db, &actor_b, in_b.id)
                .await
                .unwrap()
                .display_name,
            "Bruno Prof"
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn a_teacher_in_two_schools_keeps_one_password_and_two_names() {
    for t in testkit::databases().await {
        let db = &t.db;
        let (a, admin_a) = school_with_admin(db, "École A", "a@ecole.fr").await;
        let (b, admin_b) = school_with_admin(db, "École B", "b@ecole.fr").await;
        let actor_a = actor_in(db, admin_a, a).await.unwrap().unwrap();
        let actor_b = actor_in(db, admin_b, b).await.unwrap().unwrap();
        let in_a = staff::add(
            db,
            &actor_a,
            &StaffInput::parse("Claire Dupont", "claire@ecole.fr", "enseignant", false).unwrap(),
            t0(),
        )
        .await
        .unwrap();
        let token = in_a
            .invitation
            .expect("new person gets an invitation")
            .token;
        let p = Secret::new(PASSWORD);
        invitations::accept(db, &hasher(), token.expose(), &p, &p, t0())
            .await
            .unwrap();
        let in_b = staff::add(
            db,
            &actor_b,
            &StaffInput::parse("Mme Dupont", "Claire@ecole.fr", "personnel", false).unwrap(),
            t0(),
        )
        .await
        .unwrap();
        assert!(
            in_b.invitation.is_none(),
            "{}: a known person keeps their password",
            t.backend
        );
        let signed_in = auth::sign_in(db, &hasher(), "claire@ecole.fr", &p, "10.0.0.1", t0())
            .await
            .unwrap();
        let schools = domain::access::schools_of(db, signed_in.person_id)
            .await
            .unwrap();
        assert_eq!(
            schools
                .iter()
                .map(|s| s.school_name.as_str())
                .collect::<Vec<_>>(),
            ["École A", "École B"]
        );
        assert_eq!(
            staff::get(db, &actor_a, in_a.member.id)
                .await
                .unwrap()
                .display_name,
            "Claire Dupont"
        );
        assert_eq!(
            staff::get(db, &actor_b, in_b.member.id)
                .await
                .unwrap()
                .display_name,
            "Mme Dupont"
        );
        t.drop_database().await;
    }
}

#[tokio::test]
async fn the_directory_refuses_duplicates_and_keeps_an_administrator() {
    for t in testkit::databases().await {
        let db = &t.db;
        let (a, admin) = school_with_admin(db, "École A", "a@ecole.fr").await;
        let actor = actor_in(db, admin, a).await.unwrap().unwrap();
        let input = StaffInput::parse("Bruno", "bruno@ecole.fr", "enseignant", false).unwrap();
        let bruno = staff::add(db, &actor, &input, t0()).await.unwrap().member;
        let again = StaffInput::parse("Bruno bis", " BRUNO@ecole.fr", "personnel", false).unwrap();
        assert!(matches!(
            staff::add(db, &actor, &again, t0()).await,
            Err(Error::Invalid(Invalid::EmailAlreadyInSchool))
        ));
        assert!(matches!(
            staff::remove(db, &actor, actor.membership_id(), true).await,
            Err(Error::Invalid(Invalid::CannotRemoveSelf))
        ));
        let demote = StaffUpdate::parse("Admin", "personnel", false).unwrap();
        assert!(matches!(
            staff::update(db, &actor, actor.membership_id(), &demote).await,
            Err(Error::Invalid(Invalid::LastAdministrator))
        ));
        // A plain teacher is not an administrator: the directory is closed to them.
        let bruno_actor = actor_in(db, person_id_of(db, "bruno@ecole.fr").await, a)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            staff::list(db, &bruno_actor).await,
            Err(Error::Forbidden)
        ));
        staff::remove(db, &actor, bruno.id, true).await.unwrap();
        assert!(
            staff::list(db, &actor)
                .await
                .unwrap()
                .iter()
                .all(|m| m.id != bruno.id),
            "{}",
            t.backend
        );
        t.drop_database().await;
    }
}

/// The person behind a login address (membership ids and person ids differ).
async fn person_id_of(db: &domain::DatabaseConnection, email: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT id FROM people WHERE email = $1",
            [email.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "id").unwrap()
}

#[tokio::test]
async fn the_database_file_holds_no_token_or_password_in_clear() {
    let t = testkit::sqlite().await;
    let db = &t.db;
    let created = schools::create_with_admin(db, "École A", "a@ecole.fr", "Anne", t0())
        .await
        .unwrap();
    let invitation = created.invitation.unwrap().token;
    let p = Secret::new(PASSWORD);
    let accepted = invitations::accept(db, &hasher(), invitation.expose(), &p, &p, t0())
        .await
        .unwrap();
    let session = sessions::start(db, accepted.person_id, Some(created.school.id), t0())
        .await
        .unwrap();
    let dump = raw_bytes(&t).await;
    // The dump must really show row values, or the check below would prove nothing.
    assert!(
        dump.contains("a@ecole.fr") && dump.contains("$argon2id$"),
        "the dump sees no data"
    );
    for secret in [invitation.expose(), session.expose(), PASSWORD] {
        assert!(
            !dump.contains(secret),
            "found a secret in clear in the database"
        );
    }
    t.drop_database().await;
}

/// The database file and its write-ahead log, as bytes read leniently as text.
async fn raw_bytes(t: &testkit::TestDb) -> String {
    use sea_orm::ConnectionTrait;
    t.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .ok();
    let path = t.sqlite_path().expect("a SQLite test database");
    let mut bytes = std::fs::read(path).expect("database file");
    if let Ok(wal) = std::fs::read(path.with_extension("sqlite-wal")) {
        bytes.extend(wal);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_get_no_more_than_five_tries() {
    for t in testkit::databases().await {
        let db = t.db.clone();
        school_with_admin(&db, "École A", "a@ecole.fr").await;
        let mut guesses = tokio::task::JoinSet::new();
        for i in 0..20 {
            let db = db.clone();
            guesses.spawn(async move {
                let guess = Secret::new(format!("mauvais essai {i}"));
                auth::sign_in(
                    &db,
                    &hasher(),
                    "a@ecole.fr",
                    &guess,
                    &format!("10.0.0.{i}"),
                    t0(),
                )
                .await
            });
        }
        let mut checked = 0;
        while let Some(result) = guesses.join_next().await {
            match result.unwrap() {
                Err(Error::InvalidCredentials) => checked += 1,
                Err(Error::TooManyAttempts { .. }) => {}
                other => panic!("{}: unexpected {other:?}", t.backend),
            }
        }
        assert!(
            checked <= 5,
            "{}: {checked} guesses were checked",
            t.backend
        );
        let right = Secret::new(PASSWORD);
        let after = auth::sign_in(&db, &hasher(), "a@ecole.fr", &right, "10.0.1.1", t0()).await;
        assert!(
            matches!(after, Err(Error::TooManyAttempts { .. })),
            "{}: still locked",
            t.backend
        );
        t.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_administrators_demoting_each_other_at_once_leave_one() {
    use sea_orm::{ConnectionTrait, Statement};
    for t in testkit::databases().await {
        let db = t.db.clone();
        let (school, first) = school_with_admin(&db, "École A", "a@ecole.fr").await;
        let actor = actor_in(&db, first, school).await.unwrap().unwrap();
        let input = StaffInput::parse("Bea", "bea@ecole.fr", "personnel", true).unwrap();
        staff::add(&db, &actor, &input, t0()).await.unwrap();
        let second = person_id_of(&db, "bea@ecole.fr").await;
        let count_admins = || async {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT COUNT(*) AS n FROM memberships WHERE school_id = {school} AND is_admin"),
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        };
        for round in 0..5 {
            let a = actor_in(&db, first, school).await.unwrap().unwrap();
            let b = actor_in(&db, second, school).await.unwrap().unwrap();
            let demote = StaffUpdate::parse("X", "personnel", false).unwrap();
            let (ra, rb) = tokio::join!(
                staff::update(&db, &a, b.membership_id(), &demote),
                staff::update(&db, &b, a.membership_id(), &demote),
            );
            assert!(
                count_admins().await >= 1,
                "{}: round {round}: no administrator left ({ra:?}, {rb:?})",
                t.backend
            );
            db.execute_unprepared(&format!(
                "UPDATE memberships SET is_admin = TRUE WHERE school_id = {school}"
            ))
            .await
            .unwrap();
        }
        t.drop_database().await;
    }
}
