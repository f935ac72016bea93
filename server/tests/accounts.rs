//! Step 2 through the HTTP surface: a staff member's personal account from the first form
//! to the confirmation mail, with the codes and mails carried by a real SMTP server on
//! loopback; pages rendered by the server at each step (the no-JavaScript path); access.

mod support;

use app::api::types::AccountState;
use app::api::types::{AccountDetail, AccountsOverview};
use app::error::{AppError, CodeRefusal, Invalid};
use domain::mail::Mailer;
use std::time::Duration;
use support::step1::*;
use support::{PASSWORD, TestApp};
use testkit::smtp::{PeerOptions, PeerTls, SmtpPeer};

async fn overview(app: &TestApp, cookie: &str) -> AccountsOverview {
    let resp = app.call("list_accounts", &[], Some(cookie)).await;
    serde_json::from_str(&resp.body).unwrap_or_else(|e| panic!("{e}: {}", resp.body))
}

async fn detail(app: &TestApp, cookie: &str, id: i64) -> Result<AccountDetail, AppError> {
    let resp = app
        .call("get_account", &[("id", &id.to_string())], Some(cookie))
        .await;
    if resp.status.is_success() {
        Ok(serde_json::from_str(&resp.body).expect("account"))
    } else {
        Err(resp.app_error())
    }
}

/// Creates the signed-in member's personal account; returns its id.
async fn create(app: &TestApp, cookie: &str, address: &str) -> i64 {
    let resp = app
        .call(
            "create_account",
            &[("label", "Mon compte"), ("address", address)],
            Some(cookie),
        )
        .await;
    assert!(
        resp.status.is_success() || resp.status.is_redirection(),
        "{} {}",
        resp.status,
        resp.body
    );
    overview(app, cookie).await.accounts[0].id
}

#[tokio::test]
async fn the_wizard_goes_from_label_to_active_with_codes_and_mails_through_a_real_relay() {
    let peer = SmtpPeer::start(PeerOptions::default());
    let mut config = config_trusting(None);
    config.sender_address = "envoi@hebergeur.fr".into();
    let app = app_with(config, hosting_relay(&peer)).await;
    let cookie = admin(&app).await;

    let before = overview(&app, &cookie).await;
    assert!(before.accounts.is_empty());
    assert_eq!(
        before.default_label, "Admin",
        "the label starts as the member's name"
    );
    let id = create(&app, &cookie, "anne.perso@example.fr").await;
    let mails = peer.wait_for(1, Duration::from_secs(5));
    assert_eq!(mails[0].rcpt_tos, ["anne.perso@example.fr"]);
    let code = code_in(&mails[0]);

    // The page rendered by the server shows step 2 (what a browser without wasm sees).
    let page = app.get(&format!("/comptes/{id}"), Some(&cookie)).await;
    assert!(
        page.body.contains("Étape 2") && page.body.contains("anne.perso@example.fr"),
        "{}",
        page.body
    );

    // One wrong code, then an early resend refused with the wait, as the user sees them.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let resp = app
        .call(
            "submit_code",
            &[("id", &id.to_string()), ("code", wrong)],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        resp.app_error(),
        AppError::Code(CodeRefusal::Wrong { remaining: 4 })
    );
    let resp = app
        .call("resend_code", &[("id", &id.to_string())], Some(&cookie))
        .await;
    assert!(matches!(
        resp.app_error(),
        AppError::Code(CodeRefusal::ResendTooSoon { .. })
    ));
    let resp = app
        .call(
            "submit_code",
            &[("id", &id.to_string()), ("code", &code)],
            Some(&cookie),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.body);
    assert_eq!(
        detail(&app, &cookie, id).await.unwrap().state,
        AccountState::AwaitingSecret
    );
    let page = app.get(&format!("/comptes/{id}"), Some(&cookie)).await;
    assert!(page.body.contains("Étape 3"), "step 3 rendered");

    let resp = app
        .call(
            "set_secret",
            &[
                ("id", &id.to_string()),
                ("question", "autre"),
                ("custom_question", "Mon chien ?"),
                ("answer", "Médor "),
                ("confirmation", "medor"),
            ],
            Some(&cookie),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.body);
    let page = app.get(&format!("/comptes/{id}"), Some(&cookie)).await;
    assert!(page.body.contains("Étape 4") && page.body.contains("Valider le compte"));

    // Validation asks for a passing test of the settings validated.
    let resp = app
        .call(
            "submit_account_sending",
            &[
                ("id", &id.to_string()),
                ("intent", "test"),
                ("use_server_settings", "on"),
                ("test_to", "anne.perso@example.fr"),
            ],
            Some(&cookie),
        )
        .await;
    assert!(resp.body.contains("\"problem\":null"), "{}", resp.body);
    let resp = app
        .call(
            "submit_account_sending",
            &[
                ("id", &id.to_string()),
                ("intent", "validate"),
                ("use_server_settings", "on"),
            ],
            Some(&cookie),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.body);
    let account = detail(&app, &cookie, id).await.unwrap();
    assert_eq!(
        (account.state.as_str(), account.secret_question.as_deref()),
        ("active", Some("Mon chien ?"))
    );
    let mails = peer.wait_for(3, Duration::from_secs(5));
    let confirmation = &mails[2];
    assert_eq!(confirmation.rcpt_tos, ["anne.perso@example.fr"]);
    assert_eq!(
        confirmation.mail_from, "envoi@hebergeur.fr",
        "the host's relay: the operator's address"
    );
    assert!(
        confirmation
            .data
            .contains("Reply-To: anne.perso@example.fr"),
        "{}",
        confirmation.data
    );

    // Deleting asks for the answer; "MEDOR" is it.
    let resp = app
        .call(
            "delete_account",
            &[("id", &id.to_string()), ("answer", "rex")],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        resp.app_error(),
        AppError::AnswerWrong {
            remaining: 4,
            lockout_secs: 900
        }
    );
    let resp = app
        .call(
            "delete_account",
            &[("id", &id.to_string()), ("answer", "MEDOR")],
            Some(&cookie),
        )
        .await;
    assert!(
        resp.status.is_success() || resp.status.is_redirection(),
        "{}",
        resp.body
    );
    assert!(overview(&app, &cookie).await.accounts.is_empty());
    app.drop_database().await;
}

#[tokio::test]
async fn an_account_with_its_own_smtp_server_confirms_through_it_and_never_returns_the_password() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        auth: Some(format!("anne:{SMTP_PASSWORD}")),
        ..Default::default()
    });
    let app = app_with(config_trusting(Some(&peer)), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let port = peer.port.to_string();
    let id = create(&app, &cookie, "anne@college-moulin.fr").await;
    let code = {
        let sent = app.mailer.sent();
        let mail = sent.last().expect("code mail");
        let at = mail.find("Code : ").expect("code") + 7;
        mail[at..at + 6].to_owned()
    };
    app.call(
        "submit_code",
        &[("id", &id.to_string()), ("code", &code)],
        Some(&cookie),
    )
    .await;
    app.call(
        "set_secret",
        &[
            ("id", &id.to_string()),
            ("question", "Q ?"),
            ("answer", "medor"),
            ("confirmation", "medor"),
        ],
        Some(&cookie),
    )
    .await;
    let own = |intent: &'static str| {
        vec![
            ("id", id.to_string()),
            ("intent", intent.to_owned()),
            ("host", "localhost".to_owned()),
            ("port", port.clone()),
            ("security", "starttls".to_owned()),
            ("username", "anne".to_owned()),
            ("password", SMTP_PASSWORD.to_owned()),
            ("test_to", "parent@example.fr".to_owned()),
        ]
    };
    let as_form = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let call = |form: Vec<(&'static str, String)>| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call("submit_account_sending", &pairs, Some(&cookie))
                .await
        }
    };
    // While the school delivers everything through the server, own settings are refused.
    let resp = call(as_form(&own("validate"))).await;
    assert_eq!(
        resp.app_error(),
        AppError::Invalid(Invalid::OwnSmtpNotAllowed)
    );
    let resp = app
        .call(
            "submit_sending_settings",
            &[
                ("intent", "save"),
                ("sender_name", "Collège"),
                ("relay", "hosting"),
            ],
            Some(&cookie),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.body);

    let resp = call(as_form(&own("test"))).await;
    assert!(resp.body.contains("\"problem\":null"), "{}", resp.body);
    // Without the wasm the test reloads the page, which never shows a password: the
    // settings tested are kept for validation, so « Valider le compte » with the password
    // field left empty validates what was tested, without typing the password again.
    let tried = detail(&app, &cookie, id).await.unwrap();
    assert!(tried.password_set && tried.host == "localhost", "{tried:?}");
    let mut blank = as_form(&own("validate"));
    blank.retain(|(k, _)| *k != "password");
    blank.push(("password", String::new()));
    let resp = call(blank).await;
    assert!(resp.status.is_success(), "{}", resp.body);
    let mails = peer.wait_for(2, Duration::from_secs(5));
    let confirmation = &mails[1];
    assert!(
        confirmation.tls && confirmation.user.as_deref() == Some("anne"),
        "{confirmation:?}"
    );
    assert_eq!(
        confirmation.mail_from, "anne@college-moulin.fr",
        "its own server: From is the account"
    );
    let account = detail(&app, &cookie, id).await.unwrap();
    assert!(!account.use_server_settings && account.password_set);
    let json = serde_json::to_string(&account).unwrap();
    assert!(!json.contains(SMTP_PASSWORD), "password returned");
    let page = app.get(&format!("/comptes/{id}"), Some(&cookie)).await;
    assert!(!page.body.contains(SMTP_PASSWORD));

    // The test send reuses the stored password for the same server and user.
    let mut test = own("test");
    test.retain(|(k, _)| *k != "password");
    let resp = call(test).await;
    assert!(resp.body.contains("\"problem\":null"), "{}", resp.body);
    assert_eq!(peer.wait_for(3, Duration::from_secs(5)).len(), 3);
    app.drop_database().await;
}

#[tokio::test]
async fn another_member_or_school_gets_not_found_for_a_personal_account() {
    for app in support::apps().await {
        let school_a = app.school("École A", "admin@a.fr").await;
        let _ = school_a;
        let admin_a = app.sign_in("admin@a.fr", PASSWORD).await;
        let id = create(&app, &admin_a, "admin.perso@a.fr").await;
        app.school("École B", "admin@b.fr").await;
        let admin_b = app.sign_in("admin@b.fr", PASSWORD).await;
        // A teacher of school A.
        app.call(
            "add_staff",
            &[
                ("display_name", "Bruno"),
                ("email", "bruno@a.fr"),
                ("category", "enseignant"),
            ],
            Some(&admin_a),
        )
        .await;
        let token = support::invitation_token(&app, "bruno@a.fr");
        app.accept(&domain::secret::Secret::new(token), PASSWORD)
            .await;
        let teacher_a = app.sign_in("bruno@a.fr", PASSWORD).await;
        for (who, cookie) in [("school B", &admin_b), ("a colleague", &teacher_a)] {
            assert_eq!(
                detail(&app, cookie, id).await.unwrap_err(),
                AppError::NotFound,
                "{who}"
            );
            let resp = app
                .call(
                    "submit_code",
                    &[("id", &id.to_string()), ("code", "123456")],
                    Some(cookie),
                )
                .await;
            assert_eq!(resp.app_error(), AppError::NotFound, "{who}");
            let resp = app
                .call("delete_account", &[("id", &id.to_string())], Some(cookie))
                .await;
            assert_eq!(resp.app_error(), AppError::NotFound, "{who}");
            assert!(
                overview(&app, cookie).await.accounts.is_empty(),
                "{who} lists nothing"
            );
        }
        assert!(detail(&app, &admin_a, id).await.is_ok());
        app.drop_database().await;
    }
}

/// Enter in the test-address field at step 4 posts the form with its first submit button:
/// it must test, never activate. Validation itself needs a passing test of exactly the
/// settings validated, and a post without a known intent is refused and changes nothing.
#[tokio::test]
async fn enter_at_step_4_tests_and_nothing_activates_without_a_passing_test() {
    let peer = SmtpPeer::start(PeerOptions::default());
    let app = app_with(config_trusting(None), hosting_relay(&peer)).await;
    let cookie = admin(&app).await;
    let id = create(&app, &cookie, "anne.perso@example.fr").await;
    let code = code_in(&peer.wait_for(1, Duration::from_secs(5))[0]);
    let id_text = id.to_string();
    assert!(
        app.call(
            "submit_code",
            &[("id", &id_text), ("code", &code)],
            Some(&cookie)
        )
        .await
        .status
        .is_success()
    );
    let secret = [
        ("id", id_text.as_str()),
        ("question", "autre"),
        ("custom_question", "Mon chien ?"),
        ("answer", "medor"),
        ("confirmation", "medor"),
    ];
    assert!(
        app.call("set_secret", &secret, Some(&cookie))
            .await
            .status
            .is_success()
    );
    let state = || async { detail(&app, &cookie, id).await.unwrap().state };
    let form = |intent: Option<&'static str>| {
        let mut form = vec![
            ("id", id_text.as_str()),
            ("use_server_settings", "on"),
            ("test_to", "parent@example.fr"),
        ];
        form.extend(intent.map(|i| ("intent", i)));
        form
    };

    // No test yet: "Valider le compte" is refused.
    let resp = app
        .call(
            "submit_account_sending",
            &form(Some("validate")),
            Some(&cookie),
        )
        .await;
    assert_eq!(resp.app_error(), AppError::Invalid(Invalid::TestRequired));
    assert_eq!(resp.status.as_u16(), 409);
    // No intent, or one the form does not have: 400, nothing happens.
    for intent in [None, Some(""), Some("valider"), Some("save ")] {
        let resp = app
            .call("submit_account_sending", &form(intent), Some(&cookie))
            .await;
        assert_eq!(resp.status.as_u16(), 400, "{intent:?}: {}", resp.body);
    }
    assert_eq!(state().await, AccountState::AwaitingValidation);
    assert_eq!(peer.received().len(), 1, "only the code was mailed");

    // Enter in the test address, without the wasm: the page's default button is posted.
    let page = app.get(&format!("/comptes/{id}"), Some(&cookie)).await;
    let (name, value) = default_button(&page.body, "submit_account_sending");
    let mut enter = form(None);
    enter.push((name.as_str(), value.as_str()));
    let resp = support::plain_form::plain_post(
        &app,
        "submit_account_sending",
        &enter,
        &cookie,
        &format!("/comptes/{id}"),
    )
    .await;
    assert!(
        resp.status.is_redirection(),
        "{} {}",
        resp.status,
        resp.body
    );
    assert_eq!(
        state().await,
        AccountState::AwaitingValidation,
        "Enter activated the account"
    );
    let mails = peer.wait_for(2, Duration::from_secs(5));
    assert_eq!(
        mails[1].rcpt_tos,
        ["parent@example.fr"],
        "Enter ran the test"
    );

    // After that passing test, validating the same settings works.
    let resp = app
        .call(
            "submit_account_sending",
            &form(Some("validate")),
            Some(&cookie),
        )
        .await;
    assert!(resp.status.is_success(), "{}", resp.body);
    assert_eq!(state().await, AccountState::Active);
    app.drop_database().await;
}
