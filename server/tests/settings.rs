//! Step 1 through the HTTP surface, against a real SMTP server on loopback: saving, the
//! test send and its diagnosis, the password's secrecy, key rotation, access.

mod support;

use app::api::types::{SendingSettingsView, SettingsOutcome};
use app::error::{AppError, Problem};
use domain::mail::Mailer;
use std::time::Duration;
use support::step1::*;
use support::{KEY, PASSWORD, TestApp};
use testkit::smtp::{PeerOptions, PeerTls, SmtpPeer};

#[tokio::test]
async fn a_test_through_the_school_relay_arrives_over_starttls_with_auth_and_right_headers() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        auth: Some(format!("ecole:{SMTP_PASSWORD}")),
        ..Default::default()
    });
    let app = app_with(config_trusting(Some(&peer)), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let port = peer.port.to_string();
    let resp = app
        .call(
            "submit_sending_settings",
            &form("test", "school", &port, "starttls", SMTP_PASSWORD),
            Some(&cookie),
        )
        .await;
    let report = tested(&resp);
    assert_eq!(report.problem, None, "{report:?}");
    assert!(report.detail.starts_with("250"));
    let received = peer.wait_for(1, Duration::from_secs(5));
    let mail = &received[0];
    assert!(
        mail.tls && mail.user.as_deref() == Some("ecole"),
        "STARTTLS and AUTH: {mail:?}"
    );
    assert_eq!(mail.mail_from, "secretariat@college-moulin.fr");
    assert_eq!(mail.rcpt_tos, ["parent@example.fr"]);
    let headers = mail.data.split("\r\n\r\n").next().unwrap_or_default();
    assert!(
        headers.contains("<secretariat@college-moulin.fr>"),
        "From is the school's address: {headers}"
    );
    assert!(
        headers.contains("Subject: Test d'envoi") || headers.contains("Subject: =?utf-8?"),
        "{headers}"
    );
    assert!(
        headers.contains("Message-ID: <") && headers.contains("\r\nDate: "),
        "{headers}"
    );
    assert!(
        !headers.contains("Reply-To"),
        "own relay: From is the real address"
    );
    // Tested before saving: nothing of the form was stored but the report.
    let view: SendingSettingsView = serde_json::from_str(
        &app.call("get_sending_settings", &[], Some(&cookie))
            .await
            .body,
    )
    .unwrap();
    assert!(!view.saved && view.relay == "hosting" && !view.password_set);
    assert_eq!(view.last_test.map(|t| t.problem), Some(None));
    app.drop_database().await;
}

#[tokio::test]
async fn through_the_hosting_relay_from_is_the_operators_address_and_replies_go_to_the_school() {
    let peer = SmtpPeer::start(PeerOptions::default());
    let hosting = hosting_relay(&peer);
    let mut config = config_trusting(None);
    config.sender_address = "envoi@hebergeur.fr".into();
    let app = app_with(config, hosting).await;
    let cookie = admin(&app).await;
    let resp = app
        .call(
            "submit_sending_settings",
            &form("test", "hosting", "", "starttls", ""),
            Some(&cookie),
        )
        .await;
    assert_eq!(tested(&resp).problem, None, "{}", resp.body);
    let mail = &peer.wait_for(1, Duration::from_secs(5))[0];
    assert_eq!(mail.mail_from, "envoi@hebergeur.fr");
    let headers = mail.data.split("\r\n\r\n").next().unwrap_or_default();
    assert!(
        headers.contains("<envoi@hebergeur.fr>") && !headers.contains("From: <secretariat"),
        "{headers}"
    );
    assert!(
        headers.contains("Reply-To: direction@college-moulin.fr"),
        "{headers}"
    );
    app.drop_database().await;
}

#[tokio::test]
async fn the_smtp_password_is_sealed_never_returned_and_survives_key_rotation() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        auth: Some(format!("ecole:{SMTP_PASSWORD}")),
        ..Default::default()
    });
    let t = testkit::sqlite().await;
    let db_path = t.sqlite_path().unwrap().to_owned();
    let db = t.db.clone();
    let app = TestApp::with_config(
        config_trusting(Some(&peer)),
        db.clone(),
        t,
        Mailer::memory(),
    );
    let cookie = admin(&app).await;
    let port = peer.port.to_string();
    let saved = app
        .call(
            "submit_sending_settings",
            &form("save", "school", &port, "starttls", SMTP_PASSWORD),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        serde_json::from_str::<SettingsOutcome>(&saved.body).unwrap(),
        SettingsOutcome::Saved
    );
    let view = app
        .call("get_sending_settings", &[], Some(&cookie))
        .await
        .body;
    assert!(
        view.contains("\"password_set\":true") && !view.contains(SMTP_PASSWORD),
        "{view}"
    );
    let page = app.get("/parametres-envoi", Some(&cookie)).await.body;
    assert!(!page.contains(SMTP_PASSWORD));
    use sea_orm::ConnectionTrait;
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .unwrap();
    let raw = String::from_utf8_lossy(&std::fs::read(&db_path).unwrap()).into_owned();
    assert!(
        raw.contains("localhost") && raw.contains("v1."),
        "the dump sees the row"
    );
    assert!(
        !raw.contains(SMTP_PASSWORD),
        "clear password in the database file"
    );

    // The stored password is used when the field is left empty.
    let reuse = app
        .call(
            "submit_sending_settings",
            &form("test", "school", &port, "starttls", ""),
            Some(&cookie),
        )
        .await;
    assert_eq!(tested(&reuse).problem, None);
    // ...but never sent to another server.
    let mut elsewhere = form("test", "school", &port, "starttls", "");
    elsewhere[4] = ("host", "127.0.0.1");
    let refused = app
        .call("submit_sending_settings", &elsewhere, Some(&cookie))
        .await;
    assert_eq!(
        refused.app_error(),
        AppError::Invalid(Problem::PasswordRequiredForNewServer)
    );

    // A new master key, the old one kept as previous: the stored password still opens.
    let mut rotated = config_trusting(Some(&peer));
    rotated.master_key = domain::secret::Secret::new(OTHER_KEY);
    rotated.previous_master_keys = vec![domain::secret::Secret::new(KEY)];
    let keys = rotated.master_keys().unwrap();
    let after = TestApp::with_config(
        rotated.clone(),
        db.clone(),
        testkit::sqlite().await,
        Mailer::memory(),
    );
    assert_eq!(stored_password_test(&after, &port).await, None);
    assert_eq!(
        domain::sending_settings::rewrap_all(&db, &keys)
            .await
            .unwrap(),
        (1, 1)
    );
    // Re-sealed: the new key alone opens it now.
    let mut only_new = rotated;
    only_new.previous_master_keys.clear();
    let last = TestApp::with_config(
        only_new,
        db.clone(),
        testkit::sqlite().await,
        Mailer::memory(),
    );
    assert_eq!(stored_password_test(&last, &port).await, None);
    assert_eq!(peer.wait_for(3, Duration::from_secs(5)).len(), 3);
    app.drop_database().await;
}

#[tokio::test]
async fn bad_settings_get_clear_errors_and_header_injection_is_refused() {
    let app = app_with(config_trusting(None), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let cases: [(&str, &str, Problem); 5] = [
        (
            "sender_name",
            "Collège\r\nBcc: x@y.fr",
            Problem::NameControlCharacters,
        ),
        ("host", "smtp exemple!", Problem::HostMalformed),
        ("port", "99999", Problem::PortInvalid),
        ("security", "ssl", Problem::SecurityUnknown),
        ("from_address", "pas-une-adresse", Problem::EmailMalformed),
    ];
    for (field, value, problem) in cases {
        let mut fields = form("save", "school", "587", "starttls", "x");
        for f in fields.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
        }
        let resp = app
            .call("submit_sending_settings", &fields, Some(&cookie))
            .await;
        assert_eq!(resp.app_error(), AppError::Invalid(problem), "{field}");
    }
    let mut bad_to = form("test", "hosting", "", "starttls", "");
    bad_to[10] = ("test_to", "parent@");
    assert_eq!(
        app.call("submit_sending_settings", &bad_to, Some(&cookie))
            .await
            .app_error(),
        AppError::Invalid(Problem::EmailMalformed)
    );
    app.drop_database().await;
}

#[tokio::test]
async fn only_the_schools_administrators_reach_its_settings() {
    for t in testkit::databases().await {
        let app = TestApp::with_config(config_trusting(None), t.db.clone(), t, Mailer::memory());
        let a = admin(&app).await;
        app.school("École B", "b@ecole-b.fr").await;
        let b = app.sign_in("b@ecole-b.fr", PASSWORD).await;
        let saved = app
            .call(
                "submit_sending_settings",
                &form("save", "school", "2525", "starttls", SMTP_PASSWORD),
                Some(&a),
            )
            .await;
        assert!(saved.status.is_success(), "{}", saved.body);
        let seen_by_b = app.call("get_sending_settings", &[], Some(&b)).await.body;
        assert!(
            !seen_by_b.contains("college-moulin") && seen_by_b.contains("\"saved\":false"),
            "{seen_by_b}"
        );
        app.call(
            "submit_sending_settings",
            &form("save", "hosting", "", "starttls", ""),
            Some(&b),
        )
        .await;
        let still_a = app.call("get_sending_settings", &[], Some(&a)).await.body;
        assert!(
            still_a.contains("\"relay\":\"school\"") && still_a.contains("college-moulin"),
            "{still_a}"
        );

        app.call(
            "add_staff",
            &[
                ("display_name", "Bruno"),
                ("email", "bruno@college-moulin.fr"),
                ("category", "enseignant"),
            ],
            Some(&a),
        )
        .await;
        let token = support::invitation_token(&app, "bruno@college-moulin.fr");
        app.accept(&domain::secret::Secret::new(token), PASSWORD)
            .await;
        let teacher = app.sign_in("bruno@college-moulin.fr", PASSWORD).await;
        assert_eq!(
            app.call("get_sending_settings", &[], Some(&teacher))
                .await
                .app_error(),
            AppError::Forbidden
        );
        let attempt = app
            .call(
                "submit_sending_settings",
                &form("save", "hosting", "", "starttls", ""),
                Some(&teacher),
            )
            .await;
        assert_eq!(attempt.app_error(), AppError::Forbidden);
        assert!(
            app.get("/parametres-envoi", Some(&teacher))
                .await
                .body
                .contains("réservée aux administrateurs")
        );
        app.drop_database().await;
    }
}

/// Signs the administrator in and runs a test send with the password left empty (so the
/// stored one is used); returns the diagnosis, `None` when delivered.
async fn stored_password_test(app: &TestApp, port: &str) -> Option<app::diagnosis::SmtpProblem> {
    let cookie = app.sign_in("direction@college-moulin.fr", PASSWORD).await;
    let resp = app
        .call(
            "submit_sending_settings",
            &form("test", "school", port, "starttls", ""),
            Some(&cookie),
        )
        .await;
    tested(&resp).problem
}
