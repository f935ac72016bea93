//! What the logs say about sign-in and invitations: the events, without the secrets.

mod support;

use support::logs::capture_logs;
use support::{PASSWORD, TestApp};

#[tokio::test]
async fn authentication_events_are_logged_without_secrets_or_addresses() {
    let (capture, _guard) = capture_logs();

    let t = testkit::sqlite().await;
    let drop_dir = std::env::temp_dir().join(format!("ecole-log-test-{}", std::process::id()));
    let app = TestApp::with_parts(
        t.db.clone(),
        t,
        domain::mail::Mailer::FileDrop(drop_dir.clone()),
    )
    .await;

    let created = domain::schools::create_with_admin(
        app.db(),
        "École A",
        "anne.martin@ecole.fr",
        "Anne",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let invitation = created.invitation.unwrap().token;
    let page = app
        .get(&format!("/invitation/{}", invitation.expose()), None)
        .await;
    assert!(page.body.contains("Anne"));
    app.accept(&invitation, PASSWORD).await;
    let refused = app
        .call(
            "sign_in",
            &[
                ("email", "anne.martin@ecole.fr"),
                ("password", "mauvais mot de passe"),
            ],
            None,
        )
        .await;
    assert_eq!(
        refused.app_error(),
        app::error::AppError::InvalidCredentials
    );
    let cookie = app.sign_in("anne.martin@ecole.fr", PASSWORD).await;
    app.call(
        "add_staff",
        &[
            ("display_name", "Bruno"),
            ("email", "bruno.durand@ecole.fr"),
            ("category", "enseignant"),
        ],
        Some(&cookie),
    )
    .await;
    app.call("sign_out", &[], Some(&cookie)).await;

    let logs = capture.text();
    for event in [
        "event=\"invitation_accepted\"",
        "event=\"sign_in\" outcome=\"failure\"",
        "event=\"sign_in\" outcome=\"success\"",
        "event=\"staff_added\"",
        "event=\"sign_out\"",
        "mail dropped",
    ] {
        assert!(logs.contains(event), "missing {event} in:\n{logs}");
    }
    let session = cookie.split_once('=').unwrap().1;
    for secret in [
        PASSWORD,
        "mauvais mot de passe",
        invitation.expose(),
        session,
        "anne.martin@ecole.fr",
        "bruno.durand@ecole.fr",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret:?} appears in the logs:\n{logs}"
        );
    }
    assert!(logs.contains("b…@ecole.fr"), "addresses appear masked");
    std::fs::remove_dir_all(drop_dir).ok();
    app.drop_database().await;
}

#[tokio::test]
async fn smtp_passwords_never_reach_the_logs() {
    let (capture, _guard) = capture_logs();

    let secret = "smtp-secret-for-log-test";
    let peer = testkit::smtp::SmtpPeer::start(testkit::smtp::PeerOptions {
        tls: testkit::smtp::PeerTls::StartTls,
        auth: Some(format!("ecole:{secret}")),
        ..Default::default()
    });
    let mut config = support::test_config();
    config.allow_private_smtp_hosts = true;
    config.smtp_extra_roots = vec![peer.cert_der()];
    let t = testkit::sqlite().await;
    let app = TestApp::with_config(config, t.db.clone(), t, domain::mail::Mailer::memory());
    app.school("École A", "a@ecole.fr").await;
    let cookie = app.sign_in("a@ecole.fr", PASSWORD).await;
    let port = peer.port.to_string();
    for (intent, password) in [
        ("save", secret),
        ("test", ""),
        ("test", "wrong-password-also-secret"),
    ] {
        let form = [
            ("intent", intent),
            ("sender_name", "École A"),
            ("relay", "school"),
            ("host", "localhost"),
            ("port", port.as_str()),
            ("security", "starttls"),
            ("from_address", "a@ecole.fr"),
            ("username", "ecole"),
            ("password", password),
            ("test_to", "b@ecole.fr"),
        ];
        let resp = app
            .call("submit_sending_settings", &form, Some(&cookie))
            .await;
        assert!(resp.status.is_success(), "{}", resp.body);
    }
    let logs = capture.text();
    assert!(
        logs.contains("event=\"sending_settings_saved\"") && logs.contains("event=\"test_send\""),
        "{logs}"
    );
    for leaked in [secret, "wrong-password-also-secret"] {
        assert!(!logs.contains(leaked), "{leaked} in the logs:\n{logs}");
    }
    app.drop_database().await;
}

#[tokio::test]
async fn verification_codes_and_secret_answers_never_reach_the_logs() {
    let (capture, _guard) = capture_logs();
    let t = testkit::sqlite().await;
    let app = TestApp::with_parts(t.db.clone(), t, domain::mail::Mailer::memory()).await;
    app.school("École A", "a@ecole.fr").await;
    let cookie = app.sign_in("a@ecole.fr", PASSWORD).await;
    let address = "anne.personnelle@ecole.fr";
    app.call(
        "create_account",
        &[("label", "Anne"), ("address", address)],
        Some(&cookie),
    )
    .await;
    let mail = app.mailer.sent().pop().expect("code mail");
    let at = mail.find("Code : ").expect("code") + "Code : ".len();
    let code = mail[at..at + 6].to_owned();
    let listed = app.call("list_accounts", &[], Some(&cookie)).await;
    let id = listed.body.split("\"id\":").nth(1).unwrap();
    let id: String = id.chars().take_while(char::is_ascii_digit).collect();
    let wrong = if code == "999999" { "000000" } else { "999999" };
    for typed in [wrong, code.as_str()] {
        app.call(
            "submit_code",
            &[("id", &id), ("code", typed)],
            Some(&cookie),
        )
        .await;
    }
    let answer = "Réponse-secrète-du-test";
    let resp = app
        .call(
            "set_secret",
            &[
                ("id", &id),
                ("question", "Q ?"),
                ("answer", answer),
                ("confirmation", answer),
            ],
            Some(&cookie),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.body);
    app.call(
        "delete_account",
        &[("id", &id), ("answer", "mauvaise-reponse-du-test")],
        Some(&cookie),
    )
    .await;

    let logs = capture.text();
    for event in [
        "event=\"verification_code_sent\"",
        "event=\"verification_code_wrong\"",
        "event=\"address_verified\"",
        "event=\"secret_answer_set\"",
        "event=\"secret_answer_wrong\"",
    ] {
        assert!(logs.contains(event), "missing {event} in:\n{logs}");
    }
    for secret in [
        code.as_str(),
        wrong,
        answer,
        "reponse-secrete-du-test",
        "mauvaise-reponse-du-test",
        address,
    ] {
        assert!(
            !logs.contains(secret),
            "{secret:?} appears in the logs:\n{logs}"
        );
    }
    app.drop_database().await;
}

/// Refusals are answers, not faults: a wrong password, a wrong code and an account that is
/// not there come back as 4xx with the error in the body, logged below ERROR, so an
/// operator's alert on 5xx or on ERROR lines does not fire on a typing mistake. Without
/// JavaScript the same refusal is still a redirect back to the page.
#[tokio::test]
async fn refusals_are_client_errors_and_log_no_error() {
    use app::error::{AppError, CodeRefusal};
    use axum::http::StatusCode;

    let (capture, _guard) = capture_logs();
    let t = testkit::sqlite().await;
    let app = TestApp::with_parts(t.db.clone(), t, domain::mail::Mailer::memory()).await;
    app.school("École A", "a@ecole.fr").await;

    let refused = app
        .call(
            "sign_in",
            &[
                ("email", "a@ecole.fr"),
                ("password", "pas le bon mot de passe"),
            ],
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(refused.app_error(), AppError::InvalidCredentials);

    let cookie = app.sign_in("a@ecole.fr", PASSWORD).await;
    app.call(
        "create_account",
        &[("label", "Anne"), ("address", "anne.personnelle@ecole.fr")],
        Some(&cookie),
    )
    .await;
    let mail = app.mailer.sent().pop().expect("code mail");
    let at = mail.find("Code : ").expect("code") + "Code : ".len();
    let wrong = if &mail[at..at + 6] == "999999" {
        "000000"
    } else {
        "999999"
    };
    let listed = app.call("list_accounts", &[], Some(&cookie)).await;
    let id = listed.body.split("\"id\":").nth(1).expect("an account");
    let id: String = id.chars().take_while(char::is_ascii_digit).collect();

    let wrong_code = app
        .call(
            "submit_code",
            &[("id", &id), ("code", wrong)],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        wrong_code.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong_code.body
    );
    assert_eq!(
        wrong_code.app_error(),
        AppError::Code(CodeRefusal::Wrong { remaining: 4 })
    );
    let missing = app
        .call(
            "submit_code",
            &[("id", "987654"), ("code", wrong)],
            Some(&cookie),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    assert_eq!(missing.app_error(), AppError::NotFound);

    let from = format!("/comptes/{id}");
    let plain = support::plain_form::plain_post(
        &app,
        "submit_code",
        &[("id", &id), ("code", wrong)],
        &cookie,
        &from,
    )
    .await;
    let back = support::plain_form::back_to(&plain);
    assert_eq!(back, from, "back to the page, no error in the URL");
    let notice = support::notice::notice_in(&plain).expect("a notice for the page");
    assert!(
        notice.page == from
            && matches!(&notice.outcome, app::notice::Outcome::Action { path, .. } if path == "/api/submit_code"),
        "{notice:?}"
    );

    let logs = capture.text();
    let errors: Vec<&str> = logs.lines().filter(|l| l.contains(" ERROR ")).collect();
    assert!(
        errors.is_empty(),
        "refusals logged at ERROR:\n{}",
        errors.join("\n")
    );
    assert!(logs.contains("request refused"), "{logs}");
    app.drop_database().await;
}
