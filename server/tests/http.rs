//! The server as a browser meets it: sign-in, sessions, throttling, CSRF, the directory,
//! tenant isolation, errors. Every test runs on SQLite, and on PostgreSQL too when
//! `TEST_DATABASE_URL` is set.

mod support;

use app::error::{AppError, Problem};
use app::i18n::Lang;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{PASSWORD, TestApp};

async fn apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for t in testkit::databases().await {
        apps.push(TestApp::new(t).await);
    }
    apps
}

#[tokio::test]
async fn sign_in_gives_a_new_session_and_sign_out_ends_it_on_the_server() {
    for app in apps().await {
        app.school("École A", "a@ecole.fr").await;
        let first = app.sign_in("a@ecole.fr", PASSWORD).await;
        let me = app.call("get_me", &[], Some(&first)).await;
        assert!(
            me.body.contains("\"display_name\":\"Admin\""),
            "{}",
            me.body
        );

        // Signing in again, from the same browser, replaces the session id...
        let second = app
            .call(
                "sign_in",
                &[("email", "a@ecole.fr"), ("password", PASSWORD)],
                Some(&first),
            )
            .await;
        let second = second.session_cookie().expect("new cookie");
        assert_ne!(first, second);
        // ...and the old id is dead on the server.
        assert_eq!(app.call("get_me", &[], Some(&first)).await.body, "null");

        let out = app.call("sign_out", &[], Some(&second)).await;
        assert!(
            out.headers
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|c| c.to_str().unwrap_or("").contains("Max-Age=0"))
        );
        // Replaying the cookie after sign-out gets nobody.
        assert_eq!(app.call("get_me", &[], Some(&second)).await.body, "null");
        app.drop_database().await;
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::new(testkit::sqlite().await).await;
    app.school("École A", "a@ecole.fr").await;
    let resp = app
        .call(
            "sign_in",
            &[("email", "a@ecole.fr"), ("password", PASSWORD)],
            None,
        )
        .await;
    let cookie = resp
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    app.drop_database().await;
}

#[tokio::test]
async fn wrong_credentials_are_refused_alike_then_throttled() {
    for app in apps().await {
        app.school("École A", "a@ecole.fr").await;
        let unknown = app
            .call(
                "sign_in",
                &[("email", "x@ecole.fr"), ("password", "whatever12")],
                None,
            )
            .await;
        assert_eq!(unknown.app_error(), AppError::InvalidCredentials);
        for _ in 0..5 {
            let wrong = app
                .call(
                    "sign_in",
                    &[
                        ("email", "a@ecole.fr"),
                        ("password", "mauvais mot de passe"),
                    ],
                    None,
                )
                .await;
            assert_eq!(wrong.app_error(), AppError::InvalidCredentials);
        }
        let locked = app
            .call(
                "sign_in",
                &[("email", "a@ecole.fr"), ("password", PASSWORD)],
                None,
            )
            .await;
        let error = locked.app_error();
        assert!(
            matches!(error, AppError::TooManyAttempts { .. }),
            "{error:?}"
        );
        assert_eq!(
            error.message(Lang::Fr),
            "Trop de tentatives. Réessayez dans 15 min."
        );
        assert!(locked.session_cookie().is_none());
        app.drop_database().await;
    }
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_any_handler() {
    let app = TestApp::new(testkit::sqlite().await).await;
    app.school("École A", "a@ecole.fr").await;
    let cookie = app.sign_in("a@ecole.fr", PASSWORD).await;
    let attempts: [&[(&str, &str)]; 4] = [
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "https://evil.example")],
        &[],
    ];
    for headers in attempts {
        let mut request = Request::post("/api/add_staff")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::COOKIE, &cookie);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let body = support::encode(&[
            ("display_name", "Intrus"),
            ("email", "intrus@evil.example"),
            ("category", "personnel"),
        ]);
        let resp = app.send(request.body(Body::from(body)).unwrap()).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(resp.body.contains("Requête refusée"));
    }
    // An Origin matching the host is accepted (browsers without fetch metadata).
    let ok = Request::post("/api/list_staff")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let resp = app.send(ok).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(!resp.body.contains("intrus"), "nothing was added");
    app.drop_database().await;
}

#[tokio::test]
async fn nothing_changes_state_over_get() {
    let app = TestApp::new(testkit::sqlite().await).await;
    app.school("École A", "a@ecole.fr").await;
    let cookie = app.sign_in("a@ecole.fr", PASSWORD).await;
    for path in [
        "/api/add_staff?display_name=X&email=x%40ecole.fr&category=personnel",
        "/api/sign_out",
        "/api/sign_in?email=a%40ecole.fr&password=une+phrase+de+passe",
        "/langue?lang=en",
    ] {
        let resp = app.get(path, Some(&cookie)).await;
        assert!(
            resp.status == StatusCode::METHOD_NOT_ALLOWED || resp.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            resp.status
        );
        assert!(
            resp.session_cookie().is_none() && resp.headers.get(header::SET_COOKIE).is_none(),
            "{path}"
        );
    }
    let list = app.call("list_staff", &[], Some(&cookie)).await;
    assert!(!list.body.contains("x@ecole.fr"));
    assert!(
        app.call("get_me", &[], Some(&cookie))
            .await
            .body
            .contains("Admin"),
        "still signed in"
    );
    app.drop_database().await;
}

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
        let delete = app.call("remove_staff", &[("id", &id)], Some(&a)).await;
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
    let link = invitation_link(&app, "bruno@ecole.fr");
    let token = link.rsplit('/').next().unwrap().to_owned();
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

/// The invitation link in the last mail sent to `to`.
fn invitation_link(app: &TestApp, to: &str) -> String {
    let mail = app
        .mailer
        .sent()
        .into_iter()
        .rev()
        .find(|m| m.contains(to))
        .expect("a mail to the new member");
    let start = mail.find("/invitation/").expect("an invitation link");
    let token: String = mail[start + "/invitation/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("http://127.0.0.1:3000/invitation/{token}")
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
        let link = invitation_link(&app, "claire@ecole.fr");
        let token = link.rsplit('/').next().unwrap();
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
        assert!(
            app.get(&format!("/invitation/{token}"), None)
                .await
                .body
                .contains("plus valable")
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
            Problem::EmailAlreadyInSchool,
            "Cette adresse figure déjà dans l'annuaire",
        ),
        (
            add("   ", "c@ecole.fr").await,
            Problem::NameEmpty,
            "Le nom est obligatoire.",
        ),
        (
            add("Claire", "claire@").await,
            Problem::EmailMalformed,
            "L'adresse e-mail n'est pas valide",
        ),
        (
            add("Eve\r\nBcc: x@y.fr", "eve@ecole.fr").await,
            Problem::NameControlCharacters,
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
        AppError::Invalid(Problem::UnknownCategory)
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
async fn a_plain_form_post_without_javascript_redirects_with_its_error_or_result() {
    let app = TestApp::new(testkit::sqlite().await).await;
    app.school("École A", "a@ecole.fr").await;
    let form = |password: &str| {
        Request::post("/api/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, "http://127.0.0.1:3000/connexion")
            .header("sec-fetch-site", "same-origin")
            .header(header::HOST, "127.0.0.1:3000")
            .body(Body::from(support::encode(&[
                ("email", "a@ecole.fr"),
                ("password", password),
            ])))
            .unwrap()
    };
    let refused = app.send(form("mauvais mot de passe")).await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    let back = refused
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        back.starts_with("http://127.0.0.1:3000/connexion?") && back.contains("__err="),
        "{back}"
    );
    // The page it goes back to shows the error, rendered on the server.
    let path = back.trim_start_matches("http://127.0.0.1:3000");
    let page = app.get(path, None).await;
    assert!(
        page.body
            .contains("Adresse e-mail ou mot de passe incorrect."),
        "{}",
        page.body
    );

    let accepted = app.send(form(PASSWORD)).await;
    assert!(accepted.status.is_redirection());
    assert_eq!(
        accepted
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/")
    );
    assert!(accepted.session_cookie().is_some());
    app.drop_database().await;
}

#[tokio::test]
async fn pages_unknown_routes_and_the_language_switch() {
    let app = TestApp::new(testkit::sqlite().await).await;
    let missing = app.get("/nulle-part", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Page introuvable") && missing.body.contains("lang=\"fr\""));

    let home = app.get("/", None).await;
    assert_eq!(
        home.status,
        StatusCode::FOUND,
        "visitors are sent to sign in"
    );
    assert_eq!(home.headers.get(header::LOCATION).unwrap(), "/connexion");

    let english = Request::get("/connexion")
        .header(header::HOST, "h")
        .header(header::COOKIE, "lang=en")
        .body(Body::empty())
        .unwrap();
    let page = app.send(english).await;
    assert!(page.body.contains("lang=\"en\"") && page.body.contains("Sign in"));
    let browser = Request::get("/connexion")
        .header(header::HOST, "h")
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .body(Body::empty())
        .unwrap();
    assert!(app.send(browser).await.body.contains("lang=\"en\""));

    let switch = Request::post("/langue")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, "http://127.0.0.1:3000/personnels?x=1")
        .body(Body::from("lang=en"))
        .unwrap();
    let resp = app.send(switch).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers.get(header::LOCATION).unwrap(),
        "/personnels?x=1"
    );
    assert!(
        resp.headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("lang=en")
    );
    let offsite = Request::post("/langue")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, "https://evil.example//evil")
        .body(Body::from("lang=fr"))
        .unwrap();
    assert_eq!(
        app.send(offsite)
            .await
            .headers
            .get(header::LOCATION)
            .unwrap(),
        "/",
        "no open redirect"
    );
    app.drop_database().await;
}

#[tokio::test]
async fn a_stopped_database_gives_clear_answers_not_a_panic() {
    let t = testkit::sqlite().await;
    let unreachable = sea_orm::Database::connect(
        sea_orm::ConnectOptions::new("postgres://postgres@127.0.0.1:1/stopped")
            .connect_lazy(true)
            .acquire_timeout(std::time::Duration::from_millis(500))
            .to_owned(),
    )
    .await
    .expect("lazy connection");
    let app = TestApp::with_db(unreachable, t).await;
    let health = app.get("/healthz", None).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);

    let sign_in = app
        .call(
            "sign_in",
            &[("email", "a@ecole.fr"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(sign_in.app_error(), AppError::Unavailable);
    assert!(
        AppError::Unavailable
            .message(Lang::Fr)
            .contains("momentanément indisponible")
    );

    let with_cookie = app.call("get_me", &[], Some("ecole_session=abc")).await;
    assert_eq!(
        with_cookie.app_error(),
        AppError::Unavailable,
        "not 'signed out'"
    );
    let page = app.get("/", Some("ecole_session=abc")).await;
    assert!(
        page.body.contains("momentanément indisponible"),
        "{}",
        page.body
    );
    app.drop_database().await;
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = TestApp::new(testkit::sqlite().await).await;
    let health = app.get("/healthz", None).await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok\n")
    );
    assert_eq!(
        health.headers.get("referrer-policy").unwrap(),
        "same-origin"
    );
    assert_eq!(health.headers.get("cache-control").unwrap(), "no-store");
    assert!(
        health.headers.get("strict-transport-security").is_none(),
        "plain http in tests"
    );
    app.drop_database().await;
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
        let token = invitation_link(&app, "claire@ecole.fr")
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
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
        let denis_token = invitation_link(&app, "denis@ecole.fr")
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();

        for member in [&claire, &denis] {
            let removed = app
                .call(
                    "remove_staff",
                    &[("id", &member.id.to_string())],
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

#[tokio::test]
async fn test_sends_are_limited_per_school_not_per_server() {
    let app = TestApp::new(testkit::sqlite().await).await;
    app.school("École A", "a@ecole.fr").await;
    app.school("École B", "b@ecole.fr").await;
    let a = app.sign_in("a@ecole.fr", PASSWORD).await;
    let b = app.sign_in("b@ecole.fr", PASSWORD).await;
    let form = [
        ("intent", "test"),
        ("sender_name", "École"),
        ("relay", "hosting"),
        ("test_to", "moi@ecole.fr"),
    ];
    for _ in 0..20 {
        let resp = app.call("submit_sending_settings", &form, Some(&a)).await;
        assert!(resp.status.is_success(), "{}", resp.body);
    }
    let refused = app.call("submit_sending_settings", &form, Some(&a)).await;
    assert!(
        matches!(refused.app_error(), AppError::TooManyAttempts { .. }),
        "{}",
        refused.body
    );
    assert_eq!(app.mailer.sent().len(), 20, "twenty tests, nothing more");
    let other_school = app.call("submit_sending_settings", &form, Some(&b)).await;
    assert!(
        other_school.status.is_success(),
        "school B keeps its own quota: {}",
        other_school.body
    );
    app.drop_database().await;
}
