//! Step 1's test send through the HTTP surface: each failure's diagnosis in French, the
//! stated time limit, and the per-school quota.

mod support;

use app::diagnosis::{Explain, FailureKind};
use app::error::AppError;
use app::i18n::Lang;
use domain::mail::Mailer;
use std::time::Duration;
use support::step1::*;
use support::{PASSWORD, TestApp};
use testkit::smtp::{PeerOptions, PeerTls, SmtpPeer};

#[tokio::test]
async fn each_failure_gets_its_diagnosis_in_french_on_the_page() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let tls_peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        auth: Some(format!("ecole:{SMTP_PASSWORD}")),
        ..Default::default()
    });
    let plain = SmtpPeer::start(PeerOptions::default());
    let sender = SmtpPeer::start(PeerOptions {
        reject_sender: true,
        ..Default::default()
    });
    let recipient = SmtpPeer::start(PeerOptions {
        reject_recipient: Some("parent@example.fr".into()),
        ..Default::default()
    });
    let relay = SmtpPeer::start(PeerOptions {
        relay_deny: true,
        ..Default::default()
    });
    // The TLS peer's certificate is trusted; an untrusted one is a separate app below.
    let app = app_with(config_trusting(Some(&tls_peer)), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let p = |peer: &SmtpPeer| peer.port.to_string();
    let cases: Vec<(&str, String, &str, &str, FailureKind)> = vec![
        (
            "serveur-inexistant.invalid",
            "587".into(),
            "starttls",
            SMTP_PASSWORD,
            FailureKind::NameNotResolved,
        ),
        (
            "localhost",
            closed.clone(),
            "none",
            "",
            FailureKind::ConnectionRefused,
        ),
        (
            "localhost",
            p(&plain),
            "starttls",
            SMTP_PASSWORD,
            FailureKind::StartTlsNotOffered,
        ),
        (
            "localhost",
            p(&tls_peer),
            "starttls",
            "faux",
            FailureKind::AuthRefused,
        ),
        (
            "localhost",
            p(&sender),
            "none",
            "",
            FailureKind::SenderRefused,
        ),
        (
            "localhost",
            p(&recipient),
            "none",
            "",
            FailureKind::RecipientRefused,
        ),
        ("localhost", p(&relay), "none", "", FailureKind::RelayDenied),
    ];
    for (host, port, security, password, expected) in cases {
        assert_diagnosed(&app, &cookie, (host, &port, security, password), expected).await;
    }
    assert!(
        plain.received().is_empty() && tls_peer.received().is_empty(),
        "nothing delivered by a failed test"
    );
    app.drop_database().await;

    // An untrusted certificate, and a private host without the operator's allowance.
    let strict = app_with(support::test_config(), Mailer::memory()).await;
    let cookie = admin(&strict).await;
    let port = tls_peer.port.to_string();
    let report = tested(
        &strict
            .call(
                "submit_sending_settings",
                &form("test", "school", &port, "starttls", SMTP_PASSWORD),
                Some(&cookie),
            )
            .await,
    );
    assert_eq!(
        report.problem,
        Some(FailureKind::PortNotAllowed),
        "only SMTP ports without allowance"
    );
    let on_587 = form("test", "school", "587", "starttls", SMTP_PASSWORD);
    let report = tested(
        &strict
            .call("submit_sending_settings", &on_587, Some(&cookie))
            .await,
    );
    assert_eq!(
        report.problem,
        Some(FailureKind::PrivateAddress),
        "loopback refused without allowance"
    );
    assert!(
        report.transcript.iter().all(|l| !l.contains("connecting")),
        "refused before connecting"
    );
    strict.drop_database().await;
    let mut no_roots = config_trusting(None);
    no_roots.allow_private_smtp_hosts = true;
    let untrusting = app_with(no_roots, Mailer::memory()).await;
    let cookie = admin(&untrusting).await;
    let report = tested(
        &untrusting
            .call(
                "submit_sending_settings",
                &form("test", "school", &port, "starttls", SMTP_PASSWORD),
                Some(&cookie),
            )
            .await,
    );
    assert_eq!(report.problem, Some(FailureKind::TlsCertificate));
    untrusting.drop_database().await;
}

#[tokio::test]
async fn a_silent_server_ends_the_test_within_the_stated_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let hold = tokio::spawn(async move {
        let (_socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let app = app_with(config_trusting(None), Mailer::memory()).await;
    let cookie = admin(&app).await;
    let started = std::time::Instant::now();
    let report = tested(
        &app.call(
            "submit_sending_settings",
            &form("test", "school", &port, "none", ""),
            Some(&cookie),
        )
        .await,
    );
    assert_eq!(report.problem, Some(FailureKind::Timeout));
    assert!(started.elapsed() <= domain::sending_settings::TEST_TIMEOUT + Duration::from_secs(1));
    hold.abort();
    app.drop_database().await;
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

/// Tests `route` (host, port, security, password) on step 1 and checks the category found
/// and that the page explains it in French, with no password on it.
async fn assert_diagnosed(
    app: &TestApp,
    cookie: &str,
    (host, port, security, password): (&str, &str, &str, &str),
    expected: FailureKind,
) {
    let mut fields = form("test", "school", port, security, password);
    fields[4] = ("host", host);
    if password.is_empty() {
        fields[8] = ("username", "");
    }
    let report = tested(
        &app.call("submit_sending_settings", &fields, Some(cookie))
            .await,
    );
    assert_eq!(report.problem, Some(expected), "{host}:{port} {report:?}");
    // The page, rendered on the server, explains it in French with the exchange below.
    let page = app.get("/parametres-envoi", Some(cookie)).await.body;
    let (what, try_this) = expected.explain(Lang::Fr);
    let escaped = |s: &str| s.replace('\'', "&#x27;");
    assert!(
        page.contains(&escaped(what)) || page.contains(what),
        "{expected:?}: page lacks {what:?}"
    );
    assert!(
        page.contains(&escaped(try_this)) || page.contains(try_this),
        "{expected:?}: page lacks {try_this:?}"
    );
    assert!(!page.contains(SMTP_PASSWORD), "password on the page");
}

/// The refusals of Microsoft 365 and Google (`shared/RELAYS.md`), from a real SMTP server
/// answering as they do, each get their own diagnosis: a password that Microsoft no longer
/// takes is not "wrong password", and a daily limit is not a refused message.
#[tokio::test]
async fn microsoft_and_google_refusals_get_their_own_diagnosis() {
    let peer = |options: PeerOptions| SmtpPeer::start(options);
    let with_auth = |reply: &str| PeerOptions {
        auth: Some(format!("ecole:{SMTP_PASSWORD}")),
        auth_reply: Some(reply.into()),
        ..Default::default()
    };
    let peers = [
        (
            peer(with_auth(
                "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
            )),
            SMTP_PASSWORD,
            FailureKind::BasicAuthDisabled,
        ),
        (
            peer(with_auth(
                "550 5.7.30 Basic authentication is not supported for Client Submission.",
            )),
            SMTP_PASSWORD,
            FailureKind::BasicAuthDisabled,
        ),
        (
            peer(with_auth(
                "535 5.7.3 Authentication unsuccessful [SmtpClientAuthentication is disabled for the Tenant.]",
            )),
            SMTP_PASSWORD,
            FailureKind::SmtpAuthDisabled,
        ),
        (
            peer(PeerOptions {
                sender_reply: Some(
                    "550 5.7.60 SMTP; Client does not have permissions to send as this sender"
                        .into(),
                ),
                ..Default::default()
            }),
            "",
            FailureKind::SendAsDenied,
        ),
        (
            peer(PeerOptions {
                data_reply: Some("550 5.4.5 Daily user sending limit exceeded.".into()),
                ..Default::default()
            }),
            "",
            FailureKind::DailyLimitReached,
        ),
        (
            peer(PeerOptions {
                data_reply: Some("421 4.7.0 Try again later, closing connection.".into()),
                ..Default::default()
            }),
            "",
            FailureKind::Throttled,
        ),
    ];
    let app = app_with(config_trusting(None), Mailer::memory()).await;
    let cookie = admin(&app).await;
    for (peer, password, expected) in &peers {
        let port = peer.port.to_string();
        assert_diagnosed(
            &app,
            &cookie,
            ("localhost", &port, "none", password),
            *expected,
        )
        .await;
        assert!(
            peer.received().is_empty(),
            "{expected:?}: nothing delivered"
        );
    }
    app.drop_database().await;
}
