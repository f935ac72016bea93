//! The SMTP client against a real SMTP server (aiosmtpd) on loopback: each failure gets
//! its own diagnosis, and the transcript never shows a credential.

use domain::mail::Security;
use domain::secret::Secret;
use domain::smtp::{Endpoint, FailureKind, Policy, Transcript, connect};
use std::time::Duration;
use testkit::smtp::{PeerOptions, PeerTls, SmtpPeer};
use tokio_rustls::rustls::pki_types::CertificateDer;

const MESSAGE: &[u8] = b"From: a@ecole.fr\r\nTo: b@ecole.fr\r\nSubject: Test\r\n\r\nBonjour\r\n.ligne qui commence par un point\r\n";

fn endpoint(port: u16, security: Security) -> Endpoint {
    Endpoint {
        host: "localhost".into(),
        port,
        security,
        username: None,
        password: None,
        token: None,
    }
}

fn policy(peer: Option<&SmtpPeer>) -> Policy {
    Policy {
        allow_private_hosts: true,
        any_port: true,
        extra_roots: peer
            .filter(|p| p.cert_pem.is_some())
            .map(|p| vec![CertificateDer::from(p.cert_der())])
            .unwrap_or_default(),
        step_timeout: Duration::from_secs(5),
        hello_name: "tests.local".into(),
    }
}

/// Connects and sends one message; the failure kind if any step fails.
async fn attempt(
    endpoint: &Endpoint,
    policy: &Policy,
) -> (Result<String, FailureKind>, Transcript) {
    let mut transcript = Transcript::default();
    let result = match connect(endpoint, policy, &mut transcript).await {
        Ok(mut conn) => {
            let sent = conn
                .send(
                    "a@ecole.fr",
                    &["b@ecole.fr".to_owned()],
                    MESSAGE,
                    &mut transcript,
                )
                .await;
            conn.quit(&mut transcript).await;
            sent.map_err(|f| f.kind)
        }
        Err(f) => Err(f.kind),
    };
    (result, transcript)
}

#[tokio::test]
async fn starttls_with_auth_delivers_and_masks_the_credentials() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        auth: Some("ecole:s3cret-pass".into()),
        ..Default::default()
    });
    let mut e = endpoint(peer.port, Security::StartTls);
    e.username = Some("ecole".into());
    e.password = Some(Secret::new("s3cret-pass"));
    let (result, transcript) = attempt(&e, &policy(Some(&peer))).await;
    let reply = result.expect("delivered");
    assert!(reply.starts_with("250"), "{reply}");
    let received = peer.wait_for(1, Duration::from_secs(5));
    assert_eq!(received.len(), 1);
    assert!(received[0].tls, "over TLS");
    assert_eq!(received[0].user.as_deref(), Some("ecole"), "authenticated");
    assert_eq!(received[0].rcpt_tos, ["b@ecole.fr"]);
    assert!(
        received[0]
            .data
            .contains("\n.ligne qui commence par un point"),
        "dot-stuffing undone by the server"
    );
    let text = transcript.to_text();
    assert!(
        text.contains("STARTTLS")
            && text.contains("TLS established")
            && text.contains("AUTH PLAIN ********"),
        "{text}"
    );
    let encoded = "AGVjb2xlAHMzY3JldC1wYXNz"; // base64("\0ecole\0s3cret-pass")
    assert!(
        !text.contains("s3cret-pass") && !text.contains(encoded),
        "{text}"
    );
}

#[tokio::test]
async fn implicit_tls_delivers() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::Implicit,
        ..Default::default()
    });
    let (result, _) = attempt(
        &endpoint(peer.port, Security::ImplicitTls),
        &policy(Some(&peer)),
    )
    .await;
    result.expect("delivered");
    assert!(peer.wait_for(1, Duration::from_secs(5))[0].tls);
}

#[tokio::test]
async fn an_unknown_host_name_is_a_dns_failure() {
    let mut e = endpoint(25, Security::StartTls);
    e.host = "serveur-inexistant.invalid".into();
    assert_eq!(
        attempt(&e, &policy(None)).await.0,
        Err(FailureKind::NameNotResolved)
    );
}

#[tokio::test]
async fn a_closed_port_is_a_refused_connection() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    assert_eq!(
        attempt(&endpoint(port, Security::None), &policy(None))
            .await
            .0,
        Err(FailureKind::ConnectionRefused)
    );
}

#[tokio::test]
async fn a_silent_server_times_out_within_the_stated_limit() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let (_socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let mut p = policy(None);
    p.step_timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    assert_eq!(
        attempt(&endpoint(port, Security::None), &p).await.0,
        Err(FailureKind::Timeout)
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    hold.abort();
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_certificate_failure() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        ..Default::default()
    });
    assert_eq!(
        attempt(&endpoint(peer.port, Security::StartTls), &policy(None))
            .await
            .0,
        Err(FailureKind::TlsCertificate)
    );
    assert!(peer.received().is_empty());
}

#[tokio::test]
async fn starttls_missing_is_refused_never_downgraded() {
    let peer = SmtpPeer::start(PeerOptions::default());
    let (result, transcript) =
        attempt(&endpoint(peer.port, Security::StartTls), &policy(None)).await;
    assert_eq!(result, Err(FailureKind::StartTlsNotOffered));
    assert!(
        !transcript.to_text().contains("MAIL FROM"),
        "nothing sent in clear"
    );
    assert!(peer.received().is_empty());
}

#[tokio::test]
async fn implicit_tls_towards_a_plaintext_port_is_a_handshake_failure() {
    let peer = SmtpPeer::start(PeerOptions::default());
    let mut p = policy(None);
    p.step_timeout = Duration::from_secs(2);
    let result = attempt(&endpoint(peer.port, Security::ImplicitTls), &p)
        .await
        .0;
    assert!(
        matches!(
            result,
            Err(FailureKind::TlsHandshake) | Err(FailureKind::Timeout)
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_an_authentication_refusal() {
    let peer = SmtpPeer::start(PeerOptions {
        tls: PeerTls::StartTls,
        auth: Some("ecole:right".into()),
        ..Default::default()
    });
    let mut e = endpoint(peer.port, Security::StartTls);
    e.username = Some("ecole".into());
    e.password = Some(Secret::new("wrong"));
    let (result, transcript) = attempt(&e, &policy(Some(&peer))).await;
    assert_eq!(result, Err(FailureKind::AuthRefused));
    assert!(
        transcript.to_text().contains("535"),
        "{}",
        transcript.to_text()
    );
}

#[tokio::test]
async fn credentials_towards_a_server_without_auth_are_reported() {
    let peer = SmtpPeer::start(PeerOptions::default());
    let mut e = endpoint(peer.port, Security::None);
    e.username = Some("ecole".into());
    e.password = Some(Secret::new("x"));
    assert_eq!(
        attempt(&e, &policy(None)).await.0,
        Err(FailureKind::AuthNotOffered)
    );
}

#[tokio::test]
async fn refusals_of_sender_recipient_and_relay_are_told_apart() {
    let cases = [
        (
            PeerOptions {
                reject_sender: true,
                ..Default::default()
            },
            FailureKind::SenderRefused,
        ),
        (
            PeerOptions {
                reject_recipient: Some("b@ecole.fr".into()),
                ..Default::default()
            },
            FailureKind::RecipientRefused,
        ),
        (
            PeerOptions {
                relay_deny: true,
                ..Default::default()
            },
            FailureKind::RelayDenied,
        ),
        (
            PeerOptions {
                temp_fail: true,
                ..Default::default()
            },
            FailureKind::TemporaryFailure,
        ),
    ];
    for (options, expected) in cases {
        let peer = SmtpPeer::start(options);
        assert_eq!(
            attempt(&endpoint(peer.port, Security::None), &policy(None))
                .await
                .0,
            Err(expected)
        );
        assert!(peer.received().is_empty());
    }
}

#[tokio::test]
async fn private_addresses_are_refused_unless_the_operator_allows_them() {
    let peer = SmtpPeer::start(PeerOptions::default());
    let mut p = policy(None);
    p.allow_private_hosts = false;
    let mut e = endpoint(peer.port, Security::None);
    for host in ["localhost", "127.0.0.1"] {
        e.host = host.into();
        assert_eq!(
            attempt(&e, &p).await.0,
            Err(FailureKind::PrivateAddress),
            "{host}"
        );
    }
    assert!(peer.received().is_empty());
}

#[tokio::test]
async fn an_endless_reply_is_cut_off_not_buffered() {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let _ = socket.write_all(b"220 hostile ESMTP\r\n").await;
        // Never ends its multi-line reply.
        for _ in 0..100_000 {
            if socket
                .write_all(b"250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n")
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let (result, transcript) = attempt(&endpoint(port, Security::None), &policy(None)).await;
    assert_eq!(result, Err(FailureKind::ConnectionLost));
    assert!(transcript.lines.len() <= 200, "bounded transcript");
    server.abort();
}

#[tokio::test]
async fn a_refused_private_host_does_not_reveal_what_it_resolved_to() {
    let mut p = policy(None);
    p.allow_private_hosts = false;
    let mut transcript = Transcript::default();
    let failure = match connect(&endpoint(587, Security::StartTls), &p, &mut transcript).await {
        Err(failure) => failure,
        Ok(_) => panic!("localhost must be refused"),
    };
    assert_eq!(failure.kind, FailureKind::PrivateAddress);
    assert!(
        !failure.detail.contains("127.0.0.1") && !failure.detail.contains("::1"),
        "{}",
        failure.detail
    );
}

/// `AUTH XOAUTH2` against a server that takes only OAuth (as a Microsoft 365 tenant created
/// after basic authentication ended): the right token sends, under the user's name; a
/// refused one goes through the `334` error challenge to the final refusal, diagnosed as a
/// refused token, not a wrong password; the token never reaches the transcript.
#[tokio::test]
async fn xoauth2_sends_with_a_valid_token_and_names_a_refused_one() {
    const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJub25jZSI6InRlc3QifQ.jeton-valide";
    let peer = SmtpPeer::start(PeerOptions {
        xoauth2_token: Some(TOKEN.into()),
        ..Default::default()
    });
    let with_token = |token: &str| Endpoint {
        username: Some("secretariat@college.example.fr".into()),
        token: Some(Secret::new(token.to_owned())),
        ..endpoint(peer.port, Security::None)
    };

    let (sent, transcript) = attempt(&with_token(TOKEN), &policy(None)).await;
    assert!(sent.is_ok(), "{sent:?}\n{}", transcript.to_text());
    let received = peer.wait_for(1, Duration::from_secs(5));
    assert_eq!(
        received[0].user.as_deref(),
        Some("secretariat@college.example.fr")
    );
    assert!(
        !transcript.to_text().contains(TOKEN),
        "token in the transcript"
    );

    let (refused, transcript) = attempt(&with_token("jeton-expire"), &policy(None)).await;
    assert_eq!(
        refused,
        Err(FailureKind::TokenRefused),
        "{}",
        transcript.to_text()
    );
    let text = transcript.to_text();
    assert!(text.contains("334 "), "the error challenge is read: {text}");
    assert!(text.contains("535 5.7.3"), "then the final refusal: {text}");
    assert!(!text.contains("jeton-expire"), "token in the transcript");

    // A password alone, towards this OAuth-only server: nothing to authenticate with.
    let password_only = Endpoint {
        username: Some("secretariat@college.example.fr".into()),
        password: Some(Secret::new("mot de passe".to_owned())),
        ..endpoint(peer.port, Security::None)
    };
    let (refused, _) = attempt(&password_only, &policy(None)).await;
    assert_eq!(refused, Err(FailureKind::AuthNotOffered));
    assert_eq!(peer.received().len(), 1, "nothing more delivered");
}
