//! SMTP PIPELINING (RFC 2920): towards a server that offers it, a message's MAIL, RCPT and
//! DATA leave together and their replies are read in order; a refusal anywhere in the
//! group is diagnosed as it would be one command at a time, and never lets a message go.
//! Towards a server that does not offer it, each command waits for its reply.
//!
//! The peer here is scripted on a raw socket: it answers nothing before it has read the
//! whole group, so a client that waits for each reply never gets one.

use domain::mail::Security;
use domain::smtp::{Endpoint, FailureKind, Policy, Transcript, connect};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const MESSAGE: &[u8] = b"From: a@ecole.fr\r\nTo: b@ecole.fr\r\nSubject: Test\r\n\r\nBonjour\r\n";

/// What the scripted peer saw of one session.
#[derive(Debug, Default)]
struct Seen {
    commands: Vec<String>,
    /// The end-of-data line arrived: a message was handed over.
    data_ended: bool,
}

/// A peer offering `capabilities` that reads commands up to DATA before it answers, then
/// answers them all with `replies` (one per command, in order) in one write.
async fn group_peer(
    capabilities: &'static str,
    replies: Vec<&'static str>,
) -> (u16, tokio::task::JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("peer socket");
    let port = listener.local_addr().expect("peer socket").port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("peer socket");
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut seen = Seen::default();
        write
            .write_all(b"220 scripted ESMTP\r\n")
            .await
            .expect("peer socket");
        let _ehlo = lines.next_line().await.expect("peer socket");
        let ehlo = format!("250-scripted\r\n{capabilities}");
        write.write_all(ehlo.as_bytes()).await.expect("peer socket");
        while let Ok(Some(line)) = lines.next_line().await {
            let is_data = line == "DATA";
            seen.commands.push(line);
            if is_data {
                break;
            }
        }
        let answers: String = replies.iter().map(|r| format!("{r}\r\n")).collect();
        write
            .write_all(answers.as_bytes())
            .await
            .expect("peer socket");
        if replies.last().is_some_and(|r| r.starts_with("354")) {
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    seen.data_ended = true;
                    let _ = write.write_all(b"250 2.0.0 queued as 1\r\n").await;
                    break;
                }
            }
        }
        // Whatever follows (RSET, QUIT): answered, so a client that says goodbye is not held.
        while let Ok(Some(line)) = lines.next_line().await {
            let answer = if line == "QUIT" {
                "221 bye\r\n"
            } else {
                "250 ok\r\n"
            };
            seen.commands.push(line);
            if write.write_all(answer.as_bytes()).await.is_err() {
                break;
            }
        }
        seen
    });
    (port, task)
}

fn endpoint(port: u16) -> Endpoint {
    Endpoint {
        host: "localhost".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        token: None,
    }
}

fn policy() -> Policy {
    Policy {
        allow_private_hosts: true,
        any_port: true,
        extra_roots: Vec::new(),
        step_timeout: Duration::from_secs(2),
        hello_name: "tests.local".into(),
    }
}

/// Sends [`MESSAGE`] to `recipients`, then resets and says goodbye as the outbox does after
/// a refusal; what the peer saw.
async fn send_through(
    peer: (u16, tokio::task::JoinHandle<Seen>),
    recipients: &[&str],
) -> (Result<String, FailureKind>, Seen) {
    let (port, task) = peer;
    let mut transcript = Transcript::default();
    let mut conn = connect(&endpoint(port), &policy(), &mut transcript)
        .await
        .expect("connected");
    let recipients: Vec<String> = recipients.iter().map(|r| (*r).to_owned()).collect();
    let sent = conn
        .send("a@ecole.fr", &recipients, MESSAGE, &mut transcript)
        .await
        .map_err(|f| f.kind);
    if sent.is_ok() || conn.reset(&mut transcript).await.is_ok() {
        conn.quit(&mut transcript).await;
    } else {
        drop(conn); // an abandoned transaction: closed without a word
    }
    let seen = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("peer done")
        .expect("peer socket");
    (sent, seen)
}

const PIPELINING: &str = "250-8BITMIME\r\n250 PIPELINING\r\n";

#[tokio::test]
async fn a_message_leaves_as_one_group_when_the_server_offers_pipelining() {
    for recipients in [
        &["b@ecole.fr"][..],
        &["b@ecole.fr", "c@ecole.fr", "d@ecole.fr"],
    ] {
        let mut replies = vec!["250 2.1.0 ok"];
        replies.extend(recipients.iter().map(|_| "250 2.1.5 ok"));
        replies.push("354 go ahead");
        let peer = group_peer(PIPELINING, replies).await;
        let (sent, seen) = send_through(peer, recipients).await;
        assert_eq!(sent.as_deref(), Ok("250 2.0.0 queued as 1"), "{seen:?}");
        assert!(seen.data_ended, "{seen:?}");
        assert_eq!(seen.commands.len(), recipients.len() + 2 + 1, "{seen:?}");
        assert_eq!(seen.commands[0], "MAIL FROM:<a@ecole.fr>");
        assert_eq!(seen.commands.last().unwrap(), "QUIT");
    }
}

#[tokio::test]
async fn a_refusal_in_a_group_is_diagnosed_as_one_command_at_a_time_and_sends_nothing() {
    // (replies to MAIL, RCPT…, DATA; recipients; the diagnosis)
    let cases: Vec<(Vec<&'static str>, &[&str], FailureKind)> = vec![
        (
            vec![
                "550 5.1.8 sender rejected",
                "503 5.5.1 no sender",
                "503 5.5.1 no recipients",
            ],
            &["b@ecole.fr"],
            FailureKind::SenderRefused,
        ),
        (
            // Answers MAIL and then says nothing more: the refusal is the diagnosis, not
            // the silence that follows.
            vec!["421 4.3.2 shutting down"],
            &["b@ecole.fr"],
            FailureKind::TemporaryFailure,
        ),
        (
            vec!["451 4.3.0 try later", "503 no sender", "503 no recipients"],
            &["b@ecole.fr"],
            FailureKind::TemporaryFailure,
        ),
        (
            vec![
                "250 ok",
                "550 5.1.1 no such user",
                "554 5.5.1 no valid recipients",
            ],
            &["b@ecole.fr"],
            FailureKind::RecipientRefused,
        ),
        (
            vec![
                "250 ok",
                "554 5.7.1 relay access denied",
                "554 no valid recipients",
            ],
            &["b@ecole.fr"],
            FailureKind::RelayDenied,
        ),
        (
            vec![
                "250 ok",
                "250 ok",
                "452 4.5.3 too many recipients",
                "354 go ahead",
            ],
            &["b@ecole.fr", "c@ecole.fr"],
            FailureKind::TemporaryFailure,
        ),
        (
            // A server that takes the data though a recipient was refused: the message
            // must not reach the others, so no end-of-data is ever sent.
            vec!["250 ok", "550 5.1.1 no such user", "250 ok", "354 go ahead"],
            &["b@ecole.fr", "c@ecole.fr"],
            FailureKind::RecipientRefused,
        ),
        (
            vec!["250 ok", "250 ok", "554 5.7.1 message refused"],
            &["b@ecole.fr"],
            FailureKind::MessageRefused,
        ),
    ];
    for (replies, recipients, kind) in cases {
        let label = format!("{replies:?}");
        let peer = group_peer(PIPELINING, replies).await;
        let (sent, seen) = send_through(peer, recipients).await;
        assert_eq!(sent, Err(kind), "{label}: {seen:?}");
        assert!(
            !seen.data_ended,
            "{label}: a message was handed over: {seen:?}"
        );
    }
}

#[tokio::test]
async fn without_pipelining_offered_each_command_waits_for_its_reply() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut read = BufReader::new(read);
        let mut early = Vec::new();
        write.write_all(b"220 strict ESMTP\r\n").await.unwrap();
        let mut line = String::new();
        read.read_line(&mut line).await.unwrap();
        write
            .write_all(b"250-strict\r\n250 8BITMIME\r\n")
            .await
            .unwrap();
        for answer in ["250 ok", "250 ok", "354 go ahead"] {
            line.clear();
            read.read_line(&mut line).await.unwrap();
            // Nothing more may come before this command is answered.
            let more = tokio::time::timeout(Duration::from_millis(150), read.fill_buf()).await;
            if let Ok(Ok(buffered)) = more {
                early.push((line.trim_end().to_owned(), buffered.len()));
            }
            write
                .write_all(format!("{answer}\r\n").as_bytes())
                .await
                .unwrap();
        }
        loop {
            line.clear();
            if read.read_line(&mut line).await.unwrap_or(0) == 0 || line == ".\r\n" {
                break;
            }
        }
        let _ = write.write_all(b"250 queued\r\n").await;
        early
    });
    let mut transcript = Transcript::default();
    let mut conn = connect(&endpoint(port), &policy(), &mut transcript)
        .await
        .expect("connected");
    let sent = conn
        .send(
            "a@ecole.fr",
            &["b@ecole.fr".to_owned()],
            MESSAGE,
            &mut transcript,
        )
        .await;
    assert_eq!(sent.map_err(|f| f.kind).as_deref(), Ok("250 queued"));
    drop(conn);
    let early = peer.await.unwrap();
    assert!(early.is_empty(), "sent before the reply: {early:?}");
}

/// A peer that takes two messages and answers the first one's data only once the second
/// one's envelope has arrived behind it: a client that waits for each reply never gets one.
async fn peer_wanting_the_next_envelope_with_the_data() -> (u16, tokio::task::JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("peer socket");
    let port = listener.local_addr().expect("peer socket").port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("peer socket");
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut seen = Seen::default();
        let say = |text: &'static str| text.as_bytes();
        write
            .write_all(say("220 scripted ESMTP\r\n"))
            .await
            .expect("peer socket");
        let _ehlo = lines.next_line().await;
        write
            .write_all(PIPELINING_EHLO.as_bytes())
            .await
            .expect("peer socket");
        let mut ended = 0;
        while let Ok(Some(line)) = lines.next_line().await {
            let answer: &[u8] = match line.as_str() {
                // The first envelope, then the first data and the second envelope together.
                "DATA" if ended == 0 => say("250 ok\r\n250 ok\r\n354 go ahead\r\n"),
                "DATA" => say("250 2.0.0 queued as 1\r\n250 ok\r\n250 ok\r\n354 go ahead\r\n"),
                "." => {
                    ended += 1;
                    if ended == 2 {
                        say("250 2.0.0 queued as 2\r\n")
                    } else {
                        b""
                    }
                }
                "QUIT" => say("221 bye\r\n"),
                _ => b"",
            };
            if line.starts_with("MAIL") || line.starts_with("RCPT") || line == "DATA" {
                seen.commands.push(line.clone());
            }
            if line == "QUIT" {
                seen.commands.push(line);
            }
            if !answer.is_empty() && write.write_all(answer).await.is_err() {
                break;
            }
        }
        seen.data_ended = ended == 2;
        seen
    });
    (port, task)
}

const PIPELINING_EHLO: &str = "250-scripted\r\n250-8BITMIME\r\n250 PIPELINING\r\n";

#[tokio::test]
async fn the_next_envelope_leaves_with_the_data_and_is_answered_at_the_next_message() {
    let (port, peer) = peer_wanting_the_next_envelope_with_the_data().await;
    let mut transcript = Transcript::default();
    let mut conn = connect(&endpoint(port), &policy(), &mut transcript)
        .await
        .expect("connected");
    let (b, c) = (vec!["b@ecole.fr".to_owned()], vec!["c@ecole.fr".to_owned()]);
    let first = conn
        .send_then("a@ecole.fr", &b, MESSAGE, Some(&c), &mut transcript)
        .await
        .map_err(|f| f.kind);
    assert_eq!(first.as_deref(), Ok("250 2.0.0 queued as 1"));
    assert!(!conn.ready_for("a@ecole.fr", &b), "readied for c, not b");
    assert!(conn.ready_for("a@ecole.fr", &c));
    let second = conn
        .send("a@ecole.fr", &c, MESSAGE, &mut transcript)
        .await
        .map_err(|f| f.kind);
    assert_eq!(second.as_deref(), Ok("250 2.0.0 queued as 2"));
    conn.quit(&mut transcript).await;
    let seen = peer.await.expect("peer");
    assert!(seen.data_ended, "{seen:?}");
    assert_eq!(
        seen.commands,
        [
            "MAIL FROM:<a@ecole.fr>",
            "RCPT TO:<b@ecole.fr>",
            "DATA",
            "MAIL FROM:<a@ecole.fr>",
            "RCPT TO:<c@ecole.fr>",
            "DATA",
            "QUIT"
        ]
    );
}

#[tokio::test]
async fn an_envelope_said_ahead_for_a_message_that_does_not_follow_hands_nothing_over() {
    let (port, peer) = peer_wanting_the_next_envelope_with_the_data().await;
    let mut transcript = Transcript::default();
    let mut conn = connect(&endpoint(port), &policy(), &mut transcript)
        .await
        .expect("connected");
    let (b, c) = (vec!["b@ecole.fr".to_owned()], vec!["c@ecole.fr".to_owned()]);
    conn.send_then("a@ecole.fr", &b, MESSAGE, Some(&c), &mut transcript)
        .await
        .expect("first delivered");
    // The message to c is stopped: another one may not use this connection, a reset
    // (which the server would read as c's data) is refused, and goodbye is only a close.
    let other = conn
        .send("a@ecole.fr", &b, MESSAGE, &mut transcript)
        .await
        .map_err(|f| f.kind);
    assert_eq!(other, Err(FailureKind::ConnectionLost));
    assert!(conn.reset(&mut transcript).await.is_err());
    conn.quit(&mut transcript).await;
    let seen = peer.await.expect("peer");
    assert!(!seen.data_ended, "c's data was ended: {seen:?}");
    assert!(!seen.commands.contains(&"QUIT".to_owned()), "{seen:?}");
}
