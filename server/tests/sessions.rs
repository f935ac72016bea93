//! Signing in and out, sessions, throttling, CSRF, pages and failures, as a browser meets
//! them. Tests run on SQLite, and on PostgreSQL too when `TEST_DATABASE_URL` is set.

mod support;

use app::error::AppError;
use app::i18n::Lang;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{PASSWORD, TestApp, apps};

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
    assert_eq!(
        back, "http://127.0.0.1:3000/connexion",
        "no error in the URL"
    );
    // The page it goes back to shows the error, rendered on the server.
    let page = support::notice::Jar::default().follow(&app, &refused).await;
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
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = TestApp::new(testkit::sqlite().await).await;
    let request = Request::get("/connexion")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .unwrap();
    let resp = app.send(request).await;
    assert_eq!(resp.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    app.drop_database().await;
}
