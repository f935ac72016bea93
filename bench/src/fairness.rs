//! Fairness between schools: school A sends 5,000 recipients through a relay that takes a
//! second per message (Postfix's `smtp-sink -w 1`); how long does school B's single message,
//! through its own relay, wait to be accepted? Measured with the server's real workers
//! (`server::outbox::start`, the same loop as in production) on SQLite, beside the same
//! message with A idle, in one run. Goal: under 2 s.

use std::time::{Duration, Instant};

use domain::outbox::compose::{self, DraftInput};
use domain::outbox::pace::Pace;
use domain::outbox::worker::WorkerConfig;
use domain::sending_settings::{self, RawSettings, SettingsInput};
use domain::smtp::Policy;
use domain::{DatabaseConnection, access::Actor};
use server::config::OutboxConfig;
use testkit::fixtures::{env, relay_on, secretariat_of};

use crate::outbox::{INSTALL, postfix_tool, start_sink, start_sink_with};

async fn queue(db: &DatabaseConnection, who: &Actor, account: i64, recipients: String) -> i64 {
    let now = chrono::Utc::now();
    let draft = compose::save_draft(
        db,
        who,
        None,
        DraftInput {
            account_id: account,
            subject: "Bulletins".into(),
            body: "Bonjour {nom},\n\nLe bulletin est disponible.".into(),
            recipients,
            ..DraftInput::default()
        },
        now,
    )
    .await
    .expect("draft");
    compose::queue_draft(db, who, draft, now)
        .await
        .expect("queued")
        .message_id
}

/// Waits until `message` of `who` is all sent; returns how long from `since`.
async fn accepted(db: &DatabaseConnection, who: &Actor, message: i64, since: Instant) -> Duration {
    loop {
        let detail = domain::outbox::detail(db, who, message)
            .await
            .expect("detail");
        if detail.summary.progress.sent == detail.summary.progress.total {
            return since.elapsed();
        }
        assert!(since.elapsed() < Duration::from_secs(120), "B never sent");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// B's wait, with A sending 5,000 through the slow relay (`busy`) or idle.
async fn wait_of_b(slow_port: u16, fast_port: u16, busy: bool) -> Duration {
    let t = testkit::sqlite().await;
    let db = t.db.clone();
    let now = chrono::Utc::now();
    let a = secretariat_of(&db, "a", now).await;
    let b = secretariat_of(&db, "b", now).await;
    // B sends through its own relay; A through the host's, which is slow.
    let b_relay = SettingsInput::parse(RawSettings {
        deliver_all_through_server: true,
        sender_name: "Collège B",
        relay: "school",
        host: "127.0.0.1",
        port: &fast_port.to_string(),
        security: "none",
        from_address: "secretariat@b.fr",
        username: "",
        password: "",
        pace_per_minute: "",
        pace_per_day: "",
    })
    .expect("settings");
    let mut sending = env(&relay_on(slow_port));
    sending.school_policy = Policy {
        allow_private_hosts: true,
        any_port: true,
        ..Policy::default()
    };
    sending_settings::save(&db, &sending, &b.admin, &b_relay, now)
        .await
        .expect("B's relay");
    if busy {
        let families = (0..5_000).map(|i| format!("famille{i}@a.fr\n")).collect();
        queue(&db, &a.teacher, a.account_id, families).await;
    }
    let config = OutboxConfig {
        workers: 2,
        instance_name: "bench".into(),
        worker: WorkerConfig {
            hosting_pace: Pace::UNLIMITED,
            ..WorkerConfig::default()
        },
        idle_poll: Duration::from_millis(500),
        retention: domain::outbox::retention::Retention::default(),
        sweep_every: Duration::from_secs(600),
    };
    let workers = server::outbox::start(&config, db.clone(), sending);
    // A is well under way (its batches hold the slow relay) when B's message comes.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let since = Instant::now();
    let message = queue(&db, &b.teacher, b.account_id, "parent@b.fr".into()).await;
    let waited = accepted(&db, &b.teacher, message, since).await;
    workers.stop().await;
    t.drop_database().await;
    waited
}

pub async fn run() {
    let Some(sink) = postfix_tool("smtp-sink") else {
        eprintln!("fairness bench: Postfix's smtp-sink is missing; install it with\n  {INSTALL}");
        std::process::exit(1);
    };
    let slow = start_sink_with(&sink, &["-w", "1"]);
    let fast = start_sink(&sink);
    let idle = wait_of_b(slow.port, fast.port, false).await;
    let busy = wait_of_b(slow.port, fast.port, true).await;
    println!(
        "Fairness: school B's one message while school A sends 5,000 through a relay taking 1 s each (same run, SQLite, 2 workers, poll 0.5 s):"
    );
    println!("| school A | B's message accepted after (s) | goal |");
    println!("| --- | ---: | --- |");
    println!("| idle | {:.3} | < 2 |", idle.as_secs_f64());
    println!(
        "| sending 5,000 at 1 s each | {:.3} | < 2 |",
        busy.as_secs_f64()
    );
    println!();
}
