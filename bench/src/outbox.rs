//! Outbox throughput: one message queued to 5,000 recipients and delivered by the real
//! worker (`domain::outbox::worker::run_once`, SQLite, one reused connection per account)
//! into Postfix's `smtp-sink`, beside Postfix's own `smtp-source` sending as many messages
//! into the same sink over one reused connection: the reference for what the loopback and
//! the sink allow, so the ratio shows what claiming, personalising and recording cost.

use std::net::TcpStream;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use domain::outbox::compose::{self, DraftInput};
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::sending_settings::SendingEnvironment;
use domain::{DatabaseConnection, Now};
use testkit::fixtures::{env, relay_on, secretariat};

const RECIPIENTS: usize = 5_000;
/// smtp-source's body size: with its ~115 bytes of headers, about one personalised outbox
/// message here (~900 bytes, text and HTML parts), so both senders push similar bytes.
const PAYLOAD: &str = "800";
const BODY: &str =
    "Bonjour,\n\nLa réunion parents-professeurs a lieu jeudi à 18 h.\n\nLe secrétariat";
pub(crate) const INSTALL: &str = "echo \"postfix postfix/main_mailer_type select No configuration\" | debconf-set-selections && DEBIAN_FRONTEND=noninteractive apt-get install -y postfix";

/// A Postfix test tool: Debian puts them in /usr/sbin, which is often not on PATH.
pub(crate) fn postfix_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::iter::once(PathBuf::from("/usr/sbin"))
        .chain(std::env::split_paths(&path))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `smtp-sink`, killed when dropped (also when the bench panics).
pub(crate) struct Sink {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_sink(program: &Path) -> Sink {
    start_sink_with(program, &[])
}

/// `smtp-sink` with extra options (`-w 1`: one second before answering each DATA).
pub(crate) fn start_sink_with(program: &Path, options: &[&str]) -> Sink {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let mut cmd = Command::new(program);
    // smtp-sink refuses to run as root unless told which user to become.
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        cmd.args(["-u", "nobody"]);
    }
    let child = cmd
        .args(options)
        .args([&format!("127.0.0.1:{port}"), "1000"])
        .stdout(Stdio::null())
        .spawn()
        .expect("start smtp-sink");
    let mut sink = Sink { child, port };
    // It listens a moment after starting; wait for it rather than race the first sender.
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return sink;
        }
        if let Ok(Some(status)) = sink.child.try_wait() {
            panic!("smtp-sink exited at start: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("smtp-sink not listening on port {port}");
}

pub(crate) fn t0() -> Now {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0)
        .single()
        .expect("a valid date")
}

// --- The measurement. ---

/// Rounds of `run_once` until one claims nothing; the clock passed on follows real time.
async fn drain(db: DatabaseConnection, env: SendingEnvironment, name: &str, started: Instant) {
    let worker = Worker {
        name: name.into(),
        config: WorkerConfig {
            per_account: 200,
            hosting_pace: domain::outbox::pace::Pace::UNLIMITED,
            ..WorkerConfig::default()
        },
    };
    loop {
        let now = t0() + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
        let round = worker::run_once(&db, &env, &worker, now)
            .await
            .expect("outbox round");
        if round.claimed == 0 {
            return;
        }
    }
}

/// Queues one message to [`RECIPIENTS`] on the fresh database `t`, then times `workers`
/// (each as a separate instance would: its own name and claims) delivering it, from
/// queued to every row recorded sent.
async fn outbox(t: testkit::TestDb, port: u16, workers: &[&'static str]) -> Duration {
    let db = t.db.clone();
    let school = secretariat(&db, t0()).await;
    let (teacher, account_id) = (school.teacher, school.account_id);
    let recipients: String = (1..=RECIPIENTS)
        .map(|n| format!("parent{n}@b.fr\n"))
        .collect();
    let draft = compose::save_draft(
        &db,
        &teacher,
        None,
        DraftInput {
            account_id,
            subject: "Réunion parents-professeurs".into(),
            body: BODY.into(),
            recipients,
            ..DraftInput::default()
        },
        t0(),
    )
    .await
    .expect("draft");
    let queued = compose::queue_draft(&db, &teacher, draft, t0())
        .await
        .expect("queue");
    assert_eq!(queued.recipients, RECIPIENTS);

    let env = env(&relay_on(port));
    let started = Instant::now();
    let tasks: Vec<_> = workers
        .iter()
        .map(|name| tokio::spawn(drain(db.clone(), env.clone(), name, started)))
        .collect();
    for task in tasks {
        task.await.expect("worker task");
    }
    let elapsed = started.elapsed();

    let detail = domain::outbox::detail(&db, &teacher, queued.message_id)
        .await
        .expect("detail");
    let p = &detail.summary.progress;
    let first = detail
        .recipients
        .first()
        .map(|r| (&r.state, &r.problem, &r.reply));
    assert_eq!(
        (p.sent, p.failed, p.pending),
        (RECIPIENTS as u64, 0, 0),
        "every recipient recorded sent; the first: {first:?}"
    );
    t.drop_database().await;
    elapsed
}

fn smtp_source(program: &Path, port: u16) -> Duration {
    let (count, to) = (RECIPIENTS.to_string(), format!("127.0.0.1:{port}"));
    let started = Instant::now();
    let status = Command::new(program)
        // One session (-s 1) that is not closed between messages (-d), like the worker's.
        .args(["-s", "1", "-d", "-m", &count, "-l", PAYLOAD])
        .args(["-f", "a@b.fr", "-t", "c@d.fr", &to])
        .stdout(Stdio::null())
        .status()
        .expect("start smtp-source");
    let elapsed = started.elapsed();
    assert!(status.success(), "smtp-source failed: {status}");
    elapsed
}

/// How many times each sender runs; each figure is the median. Both senders are bound by
/// loopback round trips, which a busy or virtualised machine stretches by up to 3× from
/// one second to the next, so the runs alternate and the medians are compared.
const RUNS: usize = 3;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// Prints the outbox-versus-smtp-source table; exits non-zero without Postfix's tools.
pub async fn run() {
    let (Some(sink_program), Some(source_program)) =
        (postfix_tool("smtp-sink"), postfix_tool("smtp-source"))
    else {
        eprintln!(
            "outbox bench: Postfix's smtp-sink and smtp-source are missing; install them with\n  {INSTALL}"
        );
        std::process::exit(1);
    };
    let sink = start_sink(&sink_program);
    let (mut reference, mut one, mut two, mut postgres) = (vec![], vec![], vec![], vec![]);
    for _ in 0..RUNS {
        reference.push(smtp_source(&source_program, sink.port));
        one.push(outbox(testkit::sqlite().await, sink.port, &["bench"]).await);
        two.push(outbox(testkit::sqlite().await, sink.port, &["a", "b"]).await);
        if let Some(t) = testkit::postgres().await {
            postgres.push(outbox(t, sink.port, &["instance-1", "instance-2"]).await);
        }
    }
    drop(sink);
    let reference = median(reference);

    let rate = |d: Duration| RECIPIENTS as f64 / d.as_secs_f64();
    println!(
        "Outbox into Postfix smtp-sink, loopback, one message to {RECIPIENTS} recipients; median of {RUNS} alternating runs (same run):"
    );
    println!("| sender | messages | seconds | msg/s | outbox/smtp-source |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut rows = vec![
        ("outbox, SQLite, 1 worker (200 a round)", median(one)),
        ("outbox, SQLite, 2 workers (200 a round)", median(two)),
    ];
    if postgres.is_empty() {
        println!("(PostgreSQL row skipped: set TEST_DATABASE_URL)");
    } else {
        rows.push((
            "outbox, PostgreSQL, 2 instances (200 a round)",
            median(postgres),
        ));
    }
    rows.push(("smtp-source, 1 connection (-d)", reference));
    for (sender, elapsed) in rows {
        println!(
            "| {sender} | {RECIPIENTS} | {:.3} | {:.0} | {:.2} |",
            elapsed.as_secs_f64(),
            rate(elapsed),
            rate(elapsed) / rate(reference)
        );
    }
}
