//! SMTP smuggling (the 2023 attacks) and goodbyes that never end, against a lax SMTP server
//! on loopback (`testkit/lax_smtp_peer.py`) that ends the data at `<CR>.<CR><LF>` and runs
//! what follows as commands, as vulnerable relays did. A message holding commands after a
//! bare CR must reach it as one message per recipient, with no forged envelope; the SMTP
//! client refuses data with a bare CR or LF before saying anything; and a relay that never
//! answers QUIT holds a connection's end for a few seconds at most. Outbox tests run on
//! SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use domain::api_tokens::{self, ApiCaller};
use domain::mail::route::{Carrier, Route, RouteSession};
use domain::mail::{OutgoingMail, Relay, Sender};
use domain::outbox::DeliveryState;
use domain::outbox::compose::Composition;
use domain::outbox::recipients::{self, LineProblem};
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::smtp::{Endpoint, FailureKind, Policy, Security, Transcript, connect};
use domain::{DatabaseConnection, Error, Now};
use sea_orm::{ConnectionTrait, Statement};
use testkit::fixtures::{env, relay_on, secretariat};
use testkit::lax_smtp::{LaxOptions, LaxSmtpPeer, OnQuit};
use testkit::smtp::Received;

/// What follows a bare CR in the attack: the end of the data for a lax relay, then a whole
/// second transaction with a forged envelope and `From:`.
const SMUGGLED: &str = "\r.\r\nMAIL FROM:<x@evil.example>\r\nRCPT TO:<victim@evil.example>\r\nDATA\r\nFrom: x@evil.example\r\n\r\nforged\r\n.\r\n";

/// ASCII only, so that lettre would pick 7bit (quoted-printable would hide the CR as `=0D`).
const BODY: &str = "Bonjour,\n\nVoici les horaires de {classe}.";

const RECIPIENTS: [&str; 2] = ["parent.a@b.fr", "parent.b@b.fr"];

/// The two deadlines of a goodbye are 5 s; this bound leaves room for a slow machine.
const GOODBYE_BOUND: Duration = Duration::from_secs(8);

fn t0() -> Now {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0)
        .single()
        .expect("a date")
}

fn worker() -> Worker {
    Worker {
        name: "w1".into(),
        config: WorkerConfig::default(),
    }
}

/// The message for both recipients, `after` following each one's class.
fn composition(body: &str, after: &str) -> Composition {
    let (recipients, refused) = recipients::checked(RECIPIENTS.iter().map(|address| {
        let fields = BTreeMap::from([("classe".to_owned(), format!("4e B{after}"))]);
        (address.to_string(), String::new(), fields)
    }));
    Composition {
        subject: "Horaires".into(),
        body: body.into(),
        recipients,
        refused,
        attachments: Vec::new(),
    }
}

/// A token of the school's administrator, as the school's software would use it.
async fn api_caller(db: &DatabaseConnection, admin: &domain::access::Actor) -> ApiCaller {
    let (_, token) = api_tokens::create(db, admin, "Logiciel de vie scolaire", t0())
        .await
        .expect("token");
    api_tokens::authenticate(db, token.expose(), t0())
        .await
        .expect("a working token")
}

/// One message per recipient, no forged envelope or `From:`, each sent row recorded so.
async fn assert_one_message_each(
    db: &DatabaseConnection,
    caller: &ApiCaller,
    message: i64,
    peer: &LaxSmtpPeer,
    backend: &str,
) {
    let round = worker::run_once(db, &env(&relay_on(peer.port)), &worker(), t0())
        .await
        .expect("a round");
    assert_eq!(round.sent, 2, "{backend}: {round:?}");
    // The round ends with QUIT: once the peer has read it, it has handled everything
    // before it, smuggled transactions included.
    let commands = peer.wait_for_commands("QUIT", 1, Duration::from_secs(5));
    let received: Vec<Received> = peer.received();
    let forged: Vec<&Received> = received
        .iter()
        .filter(|r| r.mail_from.contains("evil") || r.rcpt_tos.iter().any(|t| t.contains("evil")))
        .collect();
    assert!(forged.is_empty(), "{backend}: smuggled messages {forged:?}");
    assert_eq!(received.len(), 2, "{backend}: {received:?}");
    let to: BTreeSet<&str> = received
        .iter()
        .flat_map(|r| r.rcpt_tos.iter().map(String::as_str))
        .collect();
    assert_eq!(to, RECIPIENTS.into_iter().collect(), "{backend}");
    for r in &received {
        assert_eq!(r.mail_from, received[0].mail_from, "{backend}: one sender");
        let headers = r.data.split("\r\n\r\n").next().unwrap_or_default();
        let from: Vec<&str> = headers.lines().filter(|l| l.starts_with("From:")).collect();
        assert_eq!(from.len(), 1, "{backend}: one From header\n{headers}");
        assert!(
            !from[0].contains("evil") && from[0].contains(&format!("<{}>", r.mail_from)),
            "{backend}: {from:?}"
        );
        assert!(
            r.data.contains("Horaires") && r.data.contains("horaires de 4e B"),
            "{backend}: the whole message reached the relay\n{}",
            r.data
        );
        assert!(
            r.data.contains("\r\nMAIL FROM:<x@evil.example>\r\n"),
            "{backend}: the smuggled lines arrived as text of the message\n{}",
            r.data
        );
    }
    assert!(
        !commands.iter().any(|c| c.contains("evil")),
        "{backend}: the relay read smuggled commands {commands:?}"
    );
    let detail = api_tokens::status(db, caller, message)
        .await
        .expect("status");
    for r in &detail.recipients {
        assert_eq!(r.state, DeliveryState::Sent, "{backend}: {r:?}");
    }
}

/// The second wall on its own: rows that hold the attack however they got there (queued
/// before the compose checks existed, or by a path that forgets them) still leave as one
/// message per recipient, the bare CRs turned into line ends when the message is built.
#[tokio::test]
async fn commands_after_a_bare_cr_in_queued_rows_reach_a_lax_relay_as_one_message_each() {
    for t in testkit::databases().await {
        let peer = LaxSmtpPeer::start(LaxOptions::default());
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let caller = api_caller(db, &school.admin).await;
        let queued = api_tokens::queue(db, &caller, school.account_id, composition(BODY, ""), t0())
            .await
            .unwrap();
        let message = queued.message_id;

        // The attack in the body and in each recipient's value, past the compose checks.
        let backend = db.get_database_backend();
        let (p1, p2) = if t.backend == "postgres" {
            ("$1", "$2")
        } else {
            ("?", "?")
        };
        let body = format!("Bonjour,{SMUGGLED}Voici les horaires de {{classe}}.");
        let fields = serde_json::json!({ "classe": format!("4e B{SMUGGLED}") }).to_string();
        for (sql, value) in [
            (
                format!("UPDATE messages SET body = {p1} WHERE id = {p2}"),
                body,
            ),
            (
                format!("UPDATE outbox SET fields = {p1} WHERE message_id = {p2}"),
                fields,
            ),
        ] {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [value.into(), message.into()],
            ))
            .await
            .unwrap();
        }

        assert_one_message_each(db, &caller, message, &peer, t.backend).await;
        t.drop_database().await;
    }
}

/// The whole path as the school's software would use it: the attack in the body and in a
/// recipient's value. The compose checks may refuse such a value at queueing (they do
/// today) — then the body alone goes through; either way the relay gets one message per
/// recipient.
#[tokio::test]
async fn commands_after_a_bare_cr_sent_through_the_api_reach_a_lax_relay_as_one_message_each() {
    for t in testkit::databases().await {
        let peer = LaxSmtpPeer::start(LaxOptions::default());
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let caller = api_caller(db, &school.admin).await;
        let body = format!("Bonjour,{SMUGGLED}Voici les horaires de {{classe}}.");
        let hostile = composition(&body, SMUGGLED);
        let queued = match api_tokens::queue(db, &caller, school.account_id, hostile, t0()).await {
            Ok(queued) => queued,
            Err(Error::Recipients(refused)) => {
                assert_eq!(refused.len(), 2, "{}: {refused:?}", t.backend);
                for line in &refused {
                    assert!(
                        matches!(&line.problem, LineProblem::ValueRefused { column } if column == "classe"),
                        "{}: {line:?}",
                        t.backend
                    );
                }
                api_tokens::queue(db, &caller, school.account_id, composition(&body, ""), t0())
                    .await
                    .unwrap()
            }
            Err(other) => panic!("{}: {other}", t.backend),
        };
        assert_one_message_each(db, &caller, queued.message_id, &peer, t.backend).await;
        t.drop_database().await;
    }
}

fn lax_endpoint(peer: &LaxSmtpPeer) -> (Endpoint, Policy) {
    let endpoint = Endpoint {
        host: "127.0.0.1".into(),
        port: peer.port,
        security: Security::None,
        username: None,
        password: None,
        token: None,
    };
    // The production step timeout (15 s): the goodbye must be bounded by its own deadline.
    let policy = Policy {
        allow_private_hosts: true,
        any_port: true,
        ..Policy::default()
    };
    (endpoint, policy)
}

const HEADERS: &str = "From: a@ecole.fr\r\nTo: b@ecole.fr\r\nSubject: Test\r\n\r\n";

#[tokio::test]
async fn the_client_refuses_data_with_a_bare_cr_or_lf_before_saying_anything() {
    let peer = LaxSmtpPeer::start(LaxOptions::default());
    let (endpoint, policy) = lax_endpoint(&peer);
    let mut transcript = Transcript::default();
    let mut connection = connect(&endpoint, &policy, &mut transcript).await.unwrap();
    let to = ["b@ecole.fr".to_owned()];
    for body in [
        format!("Bonjour{SMUGGLED}"),
        "Bonjour\n.\nMAIL FROM:<x@evil.example>\r\n".to_owned(),
        "Bonjour\r\n.\nMAIL FROM:<x@evil.example>\r\n".to_owned(),
        "Bonjour\r".to_owned(),
    ] {
        let message = format!("{HEADERS}{body}");
        let failure = connection
            .send("a@ecole.fr", &to, message.as_bytes(), &mut transcript)
            .await
            .unwrap_err();
        assert_eq!(failure.kind, FailureKind::BareLineBreak, "{body:?}");
        assert!(!failure.kind.is_transient());
    }
    let commands = peer.commands();
    assert_eq!(commands.len(), 1, "only EHLO: {commands:?}");
    assert!(commands[0].starts_with("EHLO"), "{commands:?}");
    assert!(peer.received().is_empty());

    // The connection is still in step: a clean message goes through, dots and all.
    let clean = format!("{HEADERS}Bonjour\r\n.\r\n..deux points\r\n.\r\nFin\r\n");
    connection
        .send("a@ecole.fr", &to, clean.as_bytes(), &mut transcript)
        .await
        .unwrap();
    connection.quit(&mut transcript).await;
    let commands = peer.wait_for_commands("QUIT", 1, Duration::from_secs(5));
    let received = peer.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(
        received[0]
            .data
            .ends_with("Bonjour\r\n.\r\n..deux points\r\n.\r\nFin\r\n"),
        "{:?}",
        received[0].data
    );
    assert_eq!(
        commands.iter().filter(|c| c.starts_with("MAIL")).count(),
        1,
        "{commands:?}"
    );
}

/// A bare CR or LF that slipped into an outbox row is turned into a line end by the message
/// builder, so the client's refusal never stops a message of the app's own.
#[tokio::test]
async fn a_route_session_sends_hostile_text_as_one_message() {
    let peer = LaxSmtpPeer::start(LaxOptions::default());
    let (endpoint, policy) = lax_endpoint(&peer);
    let mut session = RouteSession::new(route(endpoint, policy));
    let reply = session
        .deliver(&mail(&format!("Bonjour{SMUGGLED}\nFin\r")))
        .await
        .unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    session.close().await;
    let commands = peer.wait_for_commands("QUIT", 1, Duration::from_secs(5));
    let received = peer.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].rcpt_tos, ["parent.a@b.fr"]);
    assert!(
        received[0]
            .data
            .contains("\r\nMAIL FROM:<x@evil.example>\r\n")
    );
    assert!(
        !commands.iter().any(|c| c.contains("evil")),
        "the relay read smuggled commands {commands:?}"
    );
}

fn route(endpoint: Endpoint, policy: Policy) -> Route {
    Route {
        carrier: Carrier::Smtp(Relay { endpoint, policy }),
        sender: Sender {
            address: "secretariat@a.fr".into(),
            name: "Collège A".into(),
        },
        reply_to: None,
    }
}

fn mail(text: &str) -> OutgoingMail {
    OutgoingMail {
        to_address: "parent.a@b.fr".into(),
        subject: "Horaires".into(),
        text: text.into(),
        html: format!("<p>{text}</p>"),
        ..OutgoingMail::default()
    }
}

#[tokio::test]
async fn a_relay_that_never_answers_quit_or_never_closes_holds_a_goodbye_a_few_seconds_at_most() {
    for on_quit in [OnQuit::Silent, OnQuit::Linger] {
        let peer = LaxSmtpPeer::start(LaxOptions { on_quit });
        let (endpoint, policy) = lax_endpoint(&peer);

        // Over a kept connection (the outbox).
        let mut session = RouteSession::new(route(endpoint.clone(), policy.clone()));
        session.deliver(&mail("Bonjour")).await.unwrap();
        let start = Instant::now();
        session.close().await;
        let closing = start.elapsed();
        assert!(
            closing < GOODBYE_BOUND,
            "{on_quit:?}: close took {closing:?}"
        );

        // Over a connection of its own (test sends, notifications).
        let start = Instant::now();
        let mut transcript = Transcript::default();
        route(endpoint, policy)
            .deliver(&mail("Bonjour"), &mut transcript)
            .await
            .unwrap();
        let delivering = start.elapsed();
        assert!(
            delivering < GOODBYE_BOUND,
            "{on_quit:?}: delivery and goodbye took {delivering:?}"
        );
        let commands = peer.wait_for_commands("QUIT", 2, Duration::from_secs(5));
        assert_eq!(peer.received().len(), 2);
        let quits = commands.iter().filter(|c| *c == "QUIT").count();
        assert_eq!(quits, 2, "{on_quit:?}: QUIT was said each time");
        println!("{on_quit:?}: close {closing:?}, one-shot delivery {delivering:?}");
    }
}

/// A worker's round ends even when the relay never answers QUIT.
#[tokio::test]
async fn a_worker_round_is_not_held_by_a_relay_that_never_answers_quit() {
    for t in testkit::databases().await {
        let peer = LaxSmtpPeer::start(LaxOptions {
            on_quit: OnQuit::Silent,
        });
        let db = &t.db;
        let school = secretariat(db, t0()).await;
        let caller = api_caller(db, &school.admin).await;
        api_tokens::queue(db, &caller, school.account_id, composition(BODY, ""), t0())
            .await
            .unwrap();
        let start = Instant::now();
        let round = worker::run_once(db, &env(&relay_on(peer.port)), &worker(), t0())
            .await
            .unwrap();
        let took = start.elapsed();
        assert_eq!(round.sent, 2, "{}: {round:?}", t.backend);
        assert!(
            took < GOODBYE_BOUND,
            "{}: the round took {took:?}",
            t.backend
        );
        println!("{}: round with a silent QUIT {took:?}", t.backend);
        t.drop_database().await;
    }
}
