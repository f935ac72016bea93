//! The staff directory through the HTTP surface: invitations, validation, several schools,
//! removal, and tenant isolation. SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.

mod support;

use app::error::{AppError, Invalid};
use app::i18n::Lang;
use support::notice::{Jar, shows};
use support::plain_form::plain_post;
use support::{PASSWORD, TestApp, apps, invitation_token};

#[tokio::test]
async fn an_administrator_of_a_gets_not_found_for_school_b() {
    for app in apps().await {
        app.school("École A", "a@ecole.fr").await;
        app.school("École B", "b@ecole.fr").await;
        let a = app.sign_in("a@ecole.fr", PASSWORD).await;
        let b = app.sign_in("b@ecole.fr", PASSWORD).await;
        let added = app
            .call(
                "add_staff",
                &[
                    ("display_name", "Bruno Prof"),
                    ("email", "bruno@ecole.fr"),
                    ("category", "enseignant"),
                ],
                Some(&b),
            )
            .await;
        let bruno: app::api::types::StaffRow =
            serde_json::from_str(&added.body).expect(&added.body);

        let id = bruno.id.to_string();
        let read = app.call("get_staff_member", &[("id", &id)], Some(&a)).await;
        assert_eq!(read.app_error(), AppError::NotFound, "read");
        let edit = app
            .call(
                "update_staff",
                &[
                    ("id", &id),
                    ("display_name", "Piraté"),
                    ("category", "personnel"),
                    ("is_admin", "on"),
                ],
                Some(&a),
            )
            .await;
        assert_eq!(edit.app_error(), AppError::NotFound, "edit");
        let delete = app
            .call("remove_staff", &[("id", &id), ("confirm", "on")], Some(&a))
            .await;
        assert_eq!(delete.app_error(), AppError::NotFound, "delete");
        let list = app.call("list_staff", &[], Some(&a)).await;
        assert!(
            list.status.is_success() && !list.body.contains("bruno@ecole.fr"),
            "list: {}",
            list.body
        );
        let switch = app
            .call("switch_school", &[("school_id", "2")], Some(&a))
            .await;
        assert_eq!(switch.app_error(), AppError::NotFound, "switch into B");

        // B's member is untouched.
        let still = app.call("get_staff_member", &[("id", &id)], Some(&b)).await;
        assert!(still.body.contains("Bruno Prof"), "{}", still.body);
        app.drop_database().await;
    }
}

#[tokio::test]
async fn a_teacher_cannot_use_the_directory() {
    let app = TestApp::new(testkit::sqlite().await).await;
    app.school("École A", "a@ecole.fr").await;
    let admin = app.sign_in("a@ecole.fr", PASSWORD).await;
    app.call(
        "add_staff",
        &[
            ("display_name", "Bruno"),
            ("email", "bruno@ecole.fr"),
            ("category", "enseignant"),
        ],
        Some(&admin),
    )
    .await;
    let token = invitation_token(&app, "bruno@ecole.fr");
    app.accept(&domain::secret::Secret::new(token), PASSWORD)
        .await;
    let bruno = app.sign_in("bruno@ecole.fr", PASSWORD).await;
    let list = app.call("list_staff", &[], Some(&bruno)).await;
    assert_eq!(list.app_error(), AppError::Forbidden);
    let add = app
        .call(
            "add_staff",
            &[
                ("display_name", "X"),
                ("email", "x@ecole.fr"),
                ("category", "personnel"),
            ],
            Some(&bruno),
        )
        .await;
    assert_eq!(add.app_error(), AppError::Forbidden);
    let page = app.get("/personnels", Some(&bruno)).await;
    assert!(
        page.body.contains("réservée aux administrateurs"),
        "{}",
        page.body
    );
    app.drop_database().await;
}

#[tokio::test]
async fn adding_staff_mails_an_invitation_that_works_once() {
    for app in apps().await {
        app.school("École A", "a@ecole.fr").await;
        let admin = app.sign_in("a@ecole.fr", PASSWORD).await;
        let resp = app
            .call(
                "add_staff",
                &[
                    ("display_name", "  Claire   Dupont "),
                    ("email", "Claire@Ecole.fr"),
                    ("category", "enseignant"),
                ],
                Some(&admin),
            )
            .await;
        assert!(
            resp.body.contains("\"display_name\":\"Claire Dupont\"")
                && resp.body.contains("claire@ecole.fr"),
            "{}",
            resp.body
        );
        let token = invitation_token(&app, "claire@ecole.fr");
        let token = token.as_str();
        let page = app.get(&format!("/invitation/{token}"), None).await;
        assert!(
            page.body.contains("Claire Dupont") && page.body.contains("École A"),
            "{}",
            page.body
        );

        let form = [
            ("token", token),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
        ];
        let accepted = app.call("accept_invitation", &form, None).await;
        assert!(accepted.session_cookie().is_some(), "{}", accepted.body);
        let again = app.call("accept_invitation", &form, None).await;
        assert_eq!(again.app_error(), AppError::InvitationInvalid);
        let used = app.get(&format!("/invitation/{token}"), None).await;
        assert!(
            used.body.contains("plus valable"),
            "{} {}",
            used.status,
            used.body
        );
        app.drop_database().await;
    }
}

#[tokio::test]
async fn bad_directory_input_gets_a_clear_french_message() {
    let app = TestApp::new(testkit::sqlite().await).await;
    app.school("École A", "a@ecole.fr").await;
    let admin = app.sign_in("a@ecole.fr", PASSWORD).await;
    let add = |name: &'static str, email: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.call(
                "add_staff",
                &[
                    ("display_name", name),
                    ("email", email),
                    ("category", "enseignant"),
                ],
                Some(&admin),
            )
            .await
        }
    };
    add("Bruno", "bruno@ecole.fr").await;
    let cases = [
        (
            add("Bruno bis", "BRUNO@ecole.fr").await,
            Invalid::EmailAlreadyInSchool,
            "Cette adresse figure déjà dans l'annuaire",
        ),
        (
            add("   ", "c@ecole.fr").await,
            Invalid::NameEmpty,
            "Le nom est obligatoire.",
        ),
        (
            add("Claire", "claire@").await,
            Invalid::EmailMalformed,
            "L'adresse e-mail n'est pas valide",
        ),
        (
            add("Eve\r\nBcc: x@y.fr", "eve@ecole.fr").await,
            Invalid::NameControlCharacters,
            "retour à la ligne",
        ),
    ];
    for (resp, problem, french) in cases {
        let error = resp.app_error();
        assert_eq!(error, AppError::Invalid(problem));
        assert!(
            error.message(Lang::Fr).contains(french),
            "{}",
            error.message(Lang::Fr)
        );
    }
    let bad_category = app
        .call(
            "add_staff",
            &[
                ("display_name", "D"),
                ("email", "d@ecole.fr"),
                ("category", "directeur"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(
        bad_category.app_error(),
        AppError::Invalid(Invalid::UnknownCategory)
    );
    let not_a_number = app
        .call("get_staff_member", &[("id", "abc")], Some(&admin))
        .await;
    assert_eq!(
        not_a_number.app_error(),
        AppError::Request,
        "{}",
        not_a_number.body
    );
    let missing = app.call("add_staff", &[], Some(&admin)).await;
    assert_eq!(missing.app_error(), AppError::Request);
    let list = app.call("list_staff", &[], Some(&admin)).await;
    assert_eq!(
        list.body.matches("\"id\"").count(),
        2,
        "only the admin and Bruno: {}",
        list.body
    );
    app.drop_database().await;
}

#[tokio::test]
async fn a_person_of_two_schools_switches_between_them() {
    for app in apps().await {
        let a = app.school("École A", "a@ecole.fr").await;
        let b = app.school("École B", "b@ecole.fr").await;
        let admin_b = app.sign_in("b@ecole.fr", PASSWORD).await;
        // B adds A's administrator, who keeps their password.
        app.call(
            "add_staff",
            &[
                ("display_name", "Anne (B)"),
                ("email", "a@ecole.fr"),
                ("category", "personnel"),
            ],
            Some(&admin_b),
        )
        .await;
        assert!(
            app.mailer
                .sent()
                .last()
                .is_some_and(|m| m.contains("/connexion") && !m.contains("/invitation/"))
        );
        let anne = app.sign_in("a@ecole.fr", PASSWORD).await;
        let me = app.call("get_me", &[], Some(&anne)).await.body;
        assert!(
            me.contains("École A")
                && me.contains("École B")
                && me.contains(&format!("\"school\":{{\"id\":{a}")),
            "{me}"
        );
        let switched = app
            .call(
                "switch_school",
                &[("school_id", &b.to_string())],
                Some(&anne),
            )
            .await;
        // A switch may change the person's role: it renews the session like a sign-in.
        let renewed = switched.session_cookie().expect("a new session id");
        assert_ne!(renewed, anne);
        assert_eq!(
            app.call("get_me", &[], Some(&anne)).await.body,
            "null",
            "old id ended"
        );
        let me = app.call("get_me", &[], Some(&renewed)).await.body;
        assert!(
            me.contains(&format!("\"school\":{{\"id\":{b}"))
                && me.contains("Anne (B)")
                && me.contains("\"is_admin\":false"),
            "{me}"
        );
        app.drop_database().await;
    }
}

#[tokio::test]
async fn a_removed_member_loses_access_at_once_and_their_invitation_dies() {
    for app in apps().await {
        app.school("École A", "a@ecole.fr").await;
        let admin = app.sign_in("a@ecole.fr", PASSWORD).await;
        let add = |name: &'static str, email: &'static str| {
            let admin = admin.clone();
            let app = &app;
            async move {
                let resp = app
                    .call(
                        "add_staff",
                        &[
                            ("display_name", name),
                            ("email", email),
                            ("category", "personnel"),
                            ("is_admin", "on"),
                        ],
                        Some(&admin),
                    )
                    .await;
                serde_json::from_str::<app::api::types::StaffRow>(&resp.body).expect(&resp.body)
            }
        };
        let claire = add("Claire", "claire@ecole.fr").await;
        let token = invitation_token(&app, "claire@ecole.fr");
        app.accept(&domain::secret::Secret::new(token), PASSWORD)
            .await;
        let claire_session = app.sign_in("claire@ecole.fr", PASSWORD).await;
        assert!(
            app.call("list_staff", &[], Some(&claire_session))
                .await
                .status
                .is_success()
        );
        let denis = add("Denis", "denis@ecole.fr").await;
        let denis_token = invitation_token(&app, "denis@ecole.fr");

        for member in [&claire, &denis] {
            let removed = app
                .call(
                    "remove_staff",
                    &[("id", &member.id.to_string()), ("confirm", "on")],
                    Some(&admin),
                )
                .await;
            assert!(removed.status.is_success(), "{}", removed.body);
        }
        // Claire's live session no longer reaches the school, on her very next request.
        assert_eq!(
            app.call("list_staff", &[], Some(&claire_session))
                .await
                .app_error(),
            AppError::NoSchool
        );
        // Denis's unused invitation no longer works.
        let form = [
            ("token", denis_token.as_str()),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
        ];
        assert_eq!(
            app.call("accept_invitation", &form, None).await.app_error(),
            AppError::InvitationInvalid
        );
        app.drop_database().await;
    }
}

/// Adds `name` <`email`> as a teacher of the signed-in administrator's school.
async fn add_teacher(app: &TestApp, admin: &str, name: &str, email: &str) -> i64 {
    let resp = app
        .call(
            "add_staff",
            &[
                ("display_name", name),
                ("email", email),
                ("category", "enseignant"),
            ],
            Some(admin),
        )
        .await;
    serde_json::from_str::<app::api::types::StaffRow>(&resp.body)
        .expect(&resp.body)
        .id
}

fn accept_form(token: &str) -> [(&str, &str); 3] {
    [
        ("token", token),
        ("password", PASSWORD),
        ("confirmation", PASSWORD),
    ]
}

#[tokio::test]
async fn an_administrator_sends_the_invitation_again_and_only_the_newest_link_works() {
    for app in apps().await {
        app.school("École A", "a@ecole.fr").await;
        app.school("École B", "b@ecole.fr").await;
        let admin_cookie = app.sign_in("a@ecole.fr", PASSWORD).await;
        let mut admin = Jar::with(Some(&admin_cookie));
        let denis = add_teacher(&app, &admin_cookie, "Denis Roy", "denis@ecole.fr").await;
        let first = invitation_token(&app, "denis@ecole.fr");
        let page = format!("/personnels/{denis}");

        // The member's page offers it while no password is chosen; a plain form post sends
        // it and the page it returns to says where it went.
        let shown = admin.get(&app, &page).await;
        assert!(
            shows(&shown.body, "Renvoyer l'invitation"),
            "{}",
            shown.body
        );
        let id = denis.to_string();
        let sent = plain_post(
            &app,
            "reinvite_staff",
            &[("id", &id)],
            &admin.header(),
            &page,
        )
        .await;
        let back = admin.follow(&app, &sent).await;
        assert!(
            shows(&back.body, "Nouvelle invitation envoyée à denis@ecole.fr."),
            "{}",
            back.body
        );
        // Said once: reloaded, the page no longer says it.
        let again = admin.get(&app, &page).await;
        assert!(
            !shows(&again.body, "Nouvelle invitation envoyée"),
            "{}",
            again.body
        );
        let second = invitation_token(&app, "denis@ecole.fr");
        assert_ne!(first, second);

        // Only the newest link works; the old one says what to do.
        assert_eq!(
            app.call("accept_invitation", &accept_form(&first), None)
                .await
                .app_error(),
            AppError::InvitationInvalid
        );
        let old = app.get(&format!("/invitation/{first}"), None).await;
        assert!(
            shows(&old.body, "« Renvoyer l'invitation »"),
            "{}",
            old.body
        );
        let accepted = app
            .call("accept_invitation", &accept_form(&second), None)
            .await;
        assert!(accepted.session_cookie().is_some(), "{}", accepted.body);

        // Once a password is chosen there is nothing to re-send: refused, nothing mailed.
        let mails = app.mailer.sent().len();
        let joined = app
            .call("reinvite_staff", &[("id", &id)], Some(&admin_cookie))
            .await;
        assert_eq!(joined.status.as_u16(), 409, "{}", joined.body);
        assert_eq!(
            joined.app_error(),
            AppError::Invalid(Invalid::AlreadyJoined)
        );
        assert!(
            joined
                .app_error()
                .message(Lang::Fr)
                .contains("a déjà choisi son mot de passe")
        );
        assert!(!shows(
            &admin.get(&app, &page).await.body,
            "Renvoyer l'invitation"
        ));

        // Another school's administrator, a teacher, an unknown id: refused, nothing mailed.
        let claire = add_teacher(&app, &admin_cookie, "Claire", "claire@ecole.fr").await;
        let mails_before = app.mailer.sent().len();
        let b = app.sign_in("b@ecole.fr", PASSWORD).await;
        let denis_session = app.sign_in("denis@ecole.fr", PASSWORD).await;
        let claire_id = claire.to_string();
        for (who, id, expected) in [
            (&b, claire_id.as_str(), AppError::NotFound),
            (&denis_session, claire_id.as_str(), AppError::Forbidden),
            (&admin_cookie, "999999", AppError::NotFound),
            (&admin_cookie, "-1", AppError::NotFound),
        ] {
            let refused = app.call("reinvite_staff", &[("id", id)], Some(who)).await;
            assert_eq!(refused.app_error(), expected, "{id}: {}", refused.body);
        }
        assert_eq!(app.mailer.sent().len(), mails_before);
        assert!(mails < mails_before, "Claire's own invitation was mailed");
        app.drop_database().await;
    }
}

#[tokio::test]
async fn removing_someone_takes_the_confirmation_box_and_says_what_it_did() {
    for app in apps().await {
        app.school("École A", "a@ecole.fr").await;
        let admin_cookie = app.sign_in("a@ecole.fr", PASSWORD).await;
        let mut admin = Jar::with(Some(&admin_cookie));
        let denis = add_teacher(&app, &admin_cookie, "Denis Roy", "denis@ecole.fr").await;
        let id = denis.to_string();
        let page = format!("/personnels/{denis}");
        let shown = admin.get(&app, &page).await;
        assert!(
            shows(&shown.body, "ses envois encore en attente s'arrêtent")
                && shows(
                    &shown.body,
                    "Je confirme retirer Denis Roy de l'établissement"
                ),
            "{}",
            shown.body
        );

        // Without the box (a script, or a form whose `required` was bypassed): refused,
        // nothing removed, the reason in French on the page.
        for confirm in [None, Some(""), Some("off")] {
            let mut form = vec![("id", id.as_str())];
            if let Some(value) = confirm {
                form.push(("confirm", value));
            }
            let refused = app.call("remove_staff", &form, Some(&admin_cookie)).await;
            assert_eq!(
                refused.status.as_u16(),
                422,
                "{confirm:?}: {}",
                refused.body
            );
            assert_eq!(
                refused.app_error(),
                AppError::Invalid(Invalid::RemovalNotConfirmed)
            );
        }
        let refused =
            plain_post(&app, "remove_staff", &[("id", &id)], &admin.header(), &page).await;
        let back = admin.follow(&app, &refused).await;
        assert!(
            shows(&back.body, "Cochez la case pour confirmer le retrait"),
            "{}",
            back.body
        );
        let list = app.call("list_staff", &[], Some(&admin_cookie)).await;
        assert!(list.body.contains("denis@ecole.fr"), "{}", list.body);

        // Confirmed: gone, and the directory says so once.
        let removed = plain_post(
            &app,
            "remove_staff",
            &[("id", &id), ("confirm", "on")],
            &admin.header(),
            &page,
        )
        .await;
        let directory = admin.follow(&app, &removed).await;
        assert!(
            shows(
                &directory.body,
                "Denis Roy a été retiré(e) de l'établissement."
            ),
            "{}",
            directory.body
        );
        let list = app.call("list_staff", &[], Some(&admin_cookie)).await;
        assert!(!list.body.contains("denis@ecole.fr"), "{}", list.body);
        let reloaded = admin.get(&app, "/personnels").await;
        assert!(
            !shows(&reloaded.body, "a été retiré(e)"),
            "{}",
            reloaded.body
        );
        app.drop_database().await;
    }
}
