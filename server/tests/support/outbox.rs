//! The outbox across processes: a message queued through the domain on a database that a
//! server process (started here) then delivers. The school and its "Secrétariat" account
//! come from `testkit::fixtures::secretariat`.

use std::process::{Child, Command, Stdio};

use domain::DatabaseConnection;
use domain::access::Actor;
use domain::outbox::compose::{self, DraftInput};

use super::KEY;

/// Queues one message from `account` to `count` recipients; returns its id.
pub async fn queue(db: &DatabaseConnection, teacher: &Actor, account: i64, count: usize) -> i64 {
    let recipients: String = (0..count).map(|i| format!("parent{i}@b.fr\n")).collect();
    let now = chrono::Utc::now();
    let draft = compose::save_draft(
        db,
        teacher,
        None,
        DraftInput {
            account_id: account,
            subject: "Réunion parents-professeurs".into(),
            body: "Bonjour {nom},\n\nLa réunion a lieu jeudi à 18 h.".into(),
            recipients,
            ..DraftInput::default()
        },
        now,
    )
    .await
    .expect("draft");
    compose::queue_draft(db, teacher, draft, now)
        .await
        .expect("queued")
        .message_id
}

/// The server binary, serving on a free port, delivering to the relay on `relay_port`.
pub fn spawn_server(
    database_url: &str,
    relay_port: u16,
    instance: &str,
    data_dir: &std::path::Path,
) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env("ECOLE_DATABASE_URL", database_url)
        .env("ECOLE_MASTER_KEY", KEY)
        .env("ECOLE_PEPPER", KEY)
        .env(
            "ECOLE_LISTEN",
            format!("127.0.0.1:{}", testkit::smtp::free_port()),
        )
        .env("ECOLE_DATA_DIR", data_dir)
        .env("ECOLE_RELAY_HOST", "127.0.0.1")
        .env("ECOLE_RELAY_PORT", relay_port.to_string())
        .env("ECOLE_RELAY_SECURITY", "none")
        .env("ECOLE_OUTBOX_LEASE_SECS", "3")
        // The throughput under test is the outbox's, not a relay's pace.
        .env("ECOLE_RELAY_PACE_PER_MINUTE", "0")
        .env("ECOLE_RELAY_PACE_PER_DAY", "0")
        .env("ECOLE_INSTANCE_NAME", instance)
        .env("RUST_LOG", "info")
        .stderr(Stdio::null())
        .stdout(
            std::fs::File::create(data_dir.join(format!("{instance}.log")))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
        .spawn()
        .expect("server binary")
}
