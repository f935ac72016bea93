//! The outbox across real processes: the server binary killed with SIGKILL in the middle
//! of a send to 2,000 recipients and started again, and two server processes sharing one
//! PostgreSQL outbox. The peer is a real SMTP server (aiosmtpd) on loopback; Message-IDs
//! are read from what it received.

mod support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use support::outbox::{queue, spawn_server};
use testkit::fixtures::secretariat;
use testkit::smtp::{PeerOptions, SmtpPeer};

const RECIPIENTS: usize = 2_000;

fn message_ids(peer: &SmtpPeer) -> Vec<String> {
    peer.received()
        .iter()
        .filter_map(|r| {
            r.data
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .map(|id| id.trim().to_owned())
        })
        .collect()
}

async fn strings(db: &domain::DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("query")
    .iter()
    .map(|row| row.try_get_by_index::<String>(0).expect("text column"))
    .collect()
}

async fn count_sent(db: &domain::DatabaseConnection) -> usize {
    strings(
        db,
        "SELECT message_id_header FROM outbox WHERE state = 'sent'",
    )
    .await
    .len()
}

async fn wait_all_sent(db: &domain::DatabaseConnection, limit: Duration) {
    let start = Instant::now();
    while count_sent(db).await < RECIPIENTS {
        assert!(
            start.elapsed() < limit,
            "only {} of {RECIPIENTS} sent after {limit:?}",
            count_sent(db).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_send_loses_nothing_and_resends_only_what_was_in_flight() {
    let t = testkit::sqlite().await;
    let db = &t.db;
    let school = secretariat(db, chrono::Utc::now()).await;
    let (teacher, account) = (school.teacher, school.account_id);
    queue(db, &teacher, account, RECIPIENTS).await;
    let queued: HashSet<String> = strings(db, "SELECT message_id_header FROM outbox")
        .await
        .into_iter()
        .collect();
    assert_eq!(queued.len(), RECIPIENTS);

    let peer = SmtpPeer::start(PeerOptions::default());
    let dir = tempdir();
    let mut server = spawn_server(&t.url(), peer.port, "crash-test", &dir);
    let start = Instant::now();
    while peer.received().len() < RECIPIENTS / 4 {
        if start.elapsed() > Duration::from_secs(120) {
            let failures = strings(db, "SELECT failure_kind || ' ' || COALESCE(last_reply, '') FROM outbox WHERE state = 'failed' LIMIT 3").await;
            panic!("the server sent nothing; failures: {failures:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    server.wait().expect("reaped");
    tokio::time::sleep(Duration::from_millis(300)).await; // the peer finishes writing
    let at_kill = message_ids(&peer);
    let in_flight: HashSet<String> = strings(
        db,
        "SELECT message_id_header FROM outbox WHERE state = 'sending'",
    )
    .await
    .into_iter()
    .collect();
    let accepted_unrecorded = at_kill.iter().filter(|id| in_flight.contains(*id)).count();
    let sent_at_kill = count_sent(db).await;
    assert!(
        sent_at_kill < RECIPIENTS,
        "the kill came too late to test anything"
    );

    let mut restarted = spawn_server(&t.url(), peer.port, "crash-test", &dir);
    wait_all_sent(db, Duration::from_secs(180)).await;
    restarted.kill().ok();
    restarted.wait().ok();
    let received = peer.wait_for(RECIPIENTS + accepted_unrecorded, Duration::from_secs(10));
    let mut copies: HashMap<String, usize> = HashMap::new();
    for id in message_ids(&peer) {
        *copies.entry(id).or_default() += 1;
    }
    let distinct: HashSet<&String> = copies.keys().collect();
    assert_eq!(
        distinct.len(),
        RECIPIENTS,
        "every recipient got the message"
    );
    assert!(
        copies.keys().all(|id| queued.contains(id)),
        "only queued Message-IDs arrived"
    );
    let duplicated: Vec<&String> = copies
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    assert!(
        copies.values().all(|n| *n <= 2),
        "no message arrived three times"
    );
    assert!(
        duplicated.iter().all(|id| in_flight.contains(*id)),
        "a second copy only of a message in flight at the kill"
    );
    assert!(duplicated.len() <= in_flight.len());
    println!(
        "crash test: killed after {} received / {sent_at_kill} recorded sent; in flight at the kill: {} claimed, {accepted_unrecorded} accepted by the relay but not recorded; second copies: {} (same Message-ID); total received {}",
        at_kill.len(),
        in_flight.len(),
        duplicated.len(),
        received.len().max(copies.values().sum()),
    );
    t.drop_database().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_server_processes_share_one_postgresql_outbox_without_duplicates() {
    let Some(t) = testkit::postgres().await else {
        eprintln!("TEST_DATABASE_URL not set: the two-instance test needs PostgreSQL");
        return;
    };
    let db = &t.db;
    let school = secretariat(db, chrono::Utc::now()).await;
    let (teacher, account) = (school.teacher, school.account_id);
    queue(db, &teacher, account, RECIPIENTS).await;
    let peer = SmtpPeer::start(PeerOptions::default());
    let dir = tempdir();
    let mut one = spawn_server(&t.url(), peer.port, "instance-one", &dir);
    let mut two = spawn_server(&t.url(), peer.port, "instance-two", &dir);
    wait_all_sent(db, Duration::from_secs(180)).await;
    one.kill().ok();
    two.kill().ok();
    one.wait().ok();
    two.wait().ok();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ids = message_ids(&peer);
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        (ids.len(), distinct.len()),
        (RECIPIENTS, RECIPIENTS),
        "none missing, none twice"
    );
    let by_one = strings(
        db,
        "SELECT claimed_by FROM outbox WHERE claimed_by LIKE 'instance-one/%'",
    )
    .await
    .len();
    let by_two = strings(
        db,
        "SELECT claimed_by FROM outbox WHERE claimed_by LIKE 'instance-two/%'",
    )
    .await
    .len();
    println!("two instances: {by_one} sent by one, {by_two} by two");
    assert_eq!(by_one + by_two, RECIPIENTS);
    assert!(by_one > 0 && by_two > 0, "both instances took part");
    t.drop_database().await;
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ecole-outbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
