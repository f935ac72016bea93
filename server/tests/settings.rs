//! Step 1 through the HTTP surface, against a real SMTP server on loopback: saving, the
//! test send and its diagnosis, the password's secrecy, key rotation, access.

mod support;

use app::api::types::{SendingSettingsView, SettingsOutcome};
use app::error::{AppError, Invalid};
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
        AppError::Invalid(Invalid::PasswordRequiredForNewServer)
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
    let cases: [(&str, &str, Invalid); 5] = [
        (
            "sender_name",
            "Collège\r\nBcc: x@y.fr",
            Invalid::NameControlCharacters,
        ),
        ("host", "smtp exemple!", Invalid::HostMalformed),
        ("port", "99999", Invalid::PortInvalid),
        ("security", "ssl", Invalid::SecurityUnknown),
        ("from_address", "pas-une-adresse", Invalid::EmailMalformed),
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
        AppError::Invalid(Invalid::EmailMalformed)
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
        let refused = app.get("/parametres-envoi", Some(&teacher)).await.body;
        assert!(
            refused.contains("réservée aux administrateurs"),
            "{refused}"
        );
        // Still a page with a heading for a screen reader (issue 16).
        assert!(
            refused.contains("<h1>Réservé aux administrateurs</h1>"),
            "{refused}"
        );
        app.drop_database().await;
    }
}

/// Signs the administrator in and runs a test send with the password left empty (so the
/// stored one is used); returns the diagnosis, `None` when delivered.
async fn stored_password_test(app: &TestApp, port: &str) -> Option<app::diagnosis::FailureKind> {
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

/// Enter in the test-address field submits the form with its first submit button: that must
/// be the test, so nothing is saved; a post without a known intent is refused and changes
/// nothing.
#[tokio::test]
async fn enter_in_the_test_address_tests_and_a_missing_or_unknown_intent_changes_nothing() {
    let app = app_with(config_trusting(None), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let page = app.get("/parametres-envoi", Some(&cookie)).await;
    let (name, value) = default_button(&page.body, "submit_sending_settings");
    assert_eq!((name.as_str(), value.as_str()), ("intent", "test"));
    let hosting = |intent: Option<&'static str>| {
        let mut form = vec![
            ("sender_name", "Nouveau nom"),
            ("relay", "hosting"),
            ("test_to", "parent@example.fr"),
        ];
        form.extend(intent.map(|i| ("intent", i)));
        form
    };
    let settings = || async {
        let resp = app.call("get_sending_settings", &[], Some(&cookie)).await;
        serde_json::from_str::<SendingSettingsView>(&resp.body).unwrap()
    };
    for intent in [None, Some(""), Some("enregistrer"), Some("validate")] {
        let resp = app
            .call("submit_sending_settings", &hosting(intent), Some(&cookie))
            .await;
        assert_eq!(resp.status.as_u16(), 400, "{intent:?}: {}", resp.body);
        let view = settings().await;
        assert!(!view.saved && view.last_test.is_none(), "{intent:?}");
    }
    // As the browser posts it on Enter, with the first submit button.
    let mut form = hosting(None);
    form.push(("intent", "test"));
    let resp = support::plain_form::plain_post(
        &app,
        "submit_sending_settings",
        &form,
        &cookie,
        "/parametres-envoi",
    )
    .await;
    assert!(support::plain_form::back_to(&resp).starts_with("/parametres-envoi"));
    let view = settings().await;
    assert!(!view.saved, "Enter saved the settings");
    assert_eq!(view.sender_name, "Collège Jean Moulin");
    assert_eq!(view.last_test.map(|t| t.problem), Some(None), "a test ran");
    app.drop_database().await;
}

/// Step 1's state on the home page.
async fn step_one(app: &TestApp, cookie: &str) -> &'static str {
    let page = app.get("/", Some(cookie)).await.body;
    let states = [
        "Fait — dernier test réussi",
        "À corriger — dernier test en échec",
        "Enregistré — à tester",
    ];
    let found: Vec<_> = states.into_iter().filter(|s| page.contains(s)).collect();
    assert_eq!(found.len(), 1, "{found:?}\n{page}");
    found[0]
}

/// Step 1's state comes from a test of what is saved: a test of values typed but not saved
/// says so and changes nothing there, whether it failed or passed.
#[tokio::test]
async fn only_a_test_of_the_saved_settings_sets_step_ones_state() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        auth: Some(format!("ecole:{SMTP_PASSWORD}")),
        ..Default::default()
    });
    let app = app_with(config_trusting(Some(&peer)), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let good_port = peer.port.to_string();
    let post = |intent: &'static str, password: &'static str, port: String| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let form = form(intent, "school", &port, "starttls", password);
            app.call("submit_sending_settings", &form, Some(&cookie))
                .await
        }
    };
    let settings = || async {
        let resp = app.call("get_sending_settings", &[], Some(&cookie)).await;
        serde_json::from_str::<SendingSettingsView>(&resp.body).unwrap()
    };

    // Unsaved bad values fail; then working settings are saved: nothing to fix.
    let report = tested(&post("test", "mauvais-mot-de-passe", good_port.clone()).await);
    assert!(report.problem.is_some() && !report.of_saved, "{report:?}");
    let page = app.get("/parametres-envoi", Some(&cookie)).await.body;
    assert!(
        page.contains("Test des valeurs saisies, non enregistrées"),
        "{page}"
    );
    assert!(
        post("save", SMTP_PASSWORD, good_port.clone())
            .await
            .status
            .is_success()
    );
    assert_eq!(step_one(&app, &cookie).await, "Enregistré — à tester");
    // A test of the saved settings (the stored password) passes: done.
    let report = tested(&post("test", "", good_port.clone()).await);
    assert!(report.problem.is_none() && report.of_saved, "{report:?}");
    assert_eq!(step_one(&app, &cookie).await, "Fait — dernier test réussi");
    // Trying other values that fail changes nothing there; the page says what was tested.
    let report = tested(&post("test", "mauvais-mot-de-passe", good_port.clone()).await);
    assert!(report.problem.is_some() && !report.of_saved);
    assert_eq!(step_one(&app, &cookie).await, "Fait — dernier test réussi");
    let view = settings().await;
    assert!(!view.last_test.unwrap().of_saved && view.saved_test.unwrap().of_saved);

    // The reverse: failing settings saved and tested, then a passing test of other values.
    assert!(
        post("save", "mauvais-mot-de-passe", good_port.clone())
            .await
            .status
            .is_success()
    );
    assert_eq!(
        step_one(&app, &cookie).await,
        "À corriger — dernier test en échec",
        "a kept test of exactly these values failed"
    );
    let report = tested(&post("test", "", good_port.clone()).await);
    assert!(report.problem.is_some() && report.of_saved);
    assert_eq!(
        step_one(&app, &cookie).await,
        "À corriger — dernier test en échec"
    );
    let report = tested(&post("test", SMTP_PASSWORD, good_port.clone()).await);
    assert!(report.problem.is_none() && !report.of_saved);
    assert_eq!(
        step_one(&app, &cookie).await,
        "À corriger — dernier test en échec",
        "a passing test of unsaved values does not mark the saved ones as fine"
    );
    // Saving exactly the values that passed makes that test the saved settings' one.
    assert!(
        post("save", SMTP_PASSWORD, good_port.clone())
            .await
            .status
            .is_success()
    );
    assert_eq!(step_one(&app, &cookie).await, "Fait — dernier test réussi");
    app.drop_database().await;
}

/// « Remplir pour : » works without the wasm: a preset link's page, rendered on the server,
/// holds the preset's server, port, security and pace (the saved settings stay as they are
/// until saved); an académie fills its own server and asks for the academic identifier; a
/// name no preset has is ignored.
#[tokio::test]
async fn a_preset_link_renders_the_form_filled_for_that_relay() {
    let app = app_with(config_trusting(None), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let page = |query: &'static str| {
        let (app, cookie) = (&app, &cookie);
        async move {
            let resp = app
                .get(&format!("/parametres-envoi{query}"), Some(cookie))
                .await;
            assert_eq!(resp.status, 200, "{query}");
            resp.body
        }
    };
    let microsoft = page("?modele=microsoft365").await;
    for expected in [
        r#"value="smtp.office365.com""#,
        r#"value="587""#,
        r#"id="pace_per_minute" name="pace_per_minute" type="number" inputmode="numeric" min="1" max="10000" value="30""#,
        r#"value="10000""#,
        "remplis pour Microsoft 365",
        "adresse e-mail complète de la boîte qui envoie.",
    ] {
        assert!(
            microsoft.contains(expected),
            "Microsoft 365 page lacks {expected}"
        );
    }
    assert!(
        microsoft.contains(r#"id="relay_school" name="relay" type="radio" value="school" checked"#)
    );

    let google = page("?modele=google").await;
    assert!(google.contains(r#"value="smtp.gmail.com""#) && google.contains(r#"value="2000""#));

    let nantes = page("?modele=academie&academie=nantes").await;
    assert!(nantes.contains(r#"value="smtp.ac-nantes.fr""#), "Nantes");
    assert!(
        nantes.contains(r#"value="465""#) && nantes.contains(r#"<option value="tls" selected"#)
    );
    assert!(
        nantes.contains("Votre identifiant académique (ex. : jdupont), pas votre adresse e-mail.")
    );
    assert!(
        nantes.contains(r#"<option value="nantes" selected"#),
        "the chosen académie stays chosen"
    );
    let lyon = page("?modele=academie&academie=lyon").await;
    assert!(
        lyon.contains(r#"value="smtps.ac-lyon.fr""#)
            && lyon.contains(r#"<option value="starttls" selected"#)
    );

    for unknown in [
        "?modele=yahoo",
        "?modele=academie&academie=atlantide",
        "?modele=academie",
    ] {
        let body = page(unknown).await;
        assert!(!body.contains("remplis pour"), "{unknown}");
        assert!(!body.contains("smtp.office365.com\""), "{unknown}");
    }
    // Nothing was saved by choosing: the settings keep their saved server.
    let saved: SendingSettingsView = serde_json::from_str(
        &app.call("get_sending_settings", &[], Some(&cookie))
            .await
            .body,
    )
    .unwrap();
    assert_ne!(saved.host, "smtp.office365.com");
    app.drop_database().await;
}
