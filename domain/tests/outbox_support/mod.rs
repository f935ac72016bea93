//! What the outbox tests share: a worker, the clock, queueing a message from the
//! Secrétariat account, and readers of what was sent.

#![allow(dead_code)] // each test binary uses a different part of this module
#![expect(clippy::unwrap_used, reason = "test helpers should fail loudly")]

use domain::access::Actor;
use domain::outbox::compose::{self, DraftInput};
use domain::outbox::worker::{Worker, WorkerConfig};
use domain::{DatabaseConnection, Now};

use crate::accounts_support::t0;

pub fn worker(name: &str) -> Worker {
    Worker {
        name: name.into(),
        config: WorkerConfig {
            per_account: 500,
            hosting_pace: domain::outbox::pace::Pace::UNLIMITED,
            ..WorkerConfig::default()
        },
    }
}

pub fn at(seconds: i64) -> Now {
    t0() + chrono::Duration::seconds(seconds)
}

pub async fn queue(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    recipients: &str,
) -> i64 {
    let text = (
        "Absence de {eleve}",
        "Bonjour {nom},\n\n{eleve} était absent.",
    );
    queue_message(db, actor, account_id, text, recipients, t0()).await
}

/// Queues (subject, body) from `account_id` to `recipients` at `now`.
pub async fn queue_message(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    (subject, body): (&str, &str),
    recipients: &str,
    now: Now,
) -> i64 {
    let draft = compose::save_draft(
        db,
        actor,
        None,
        DraftInput {
            account_id,
            subject: subject.into(),
            body: body.into(),
            recipients: recipients.into(),
            ..DraftInput::default()
        },
        now,
    )
    .await
    .unwrap();
    compose::queue_draft(db, actor, draft, now)
        .await
        .unwrap()
        .message_id
}

pub const TWO: &str = "email;nom;eleve\nparent.a@b.fr;Mme Petit;Léa\nparent.b@b.fr;M. Roy;Tom\n";

pub fn message_id_of(data: &str) -> String {
    data.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap()
        .trim()
        .to_owned()
}

/// What the compose form would send for `account`.
pub fn draft_input(account_id: i64, subject: &str, body: &str, recipients: &str) -> DraftInput {
    DraftInput {
        account_id,
        subject: subject.into(),
        body: body.into(),
        recipients: recipients.into(),
        ..DraftInput::default()
    }
}

/// Queues "Réunion" (`Bonjour {nom}, …`) from `account_id` to `recipients` at `now`.
pub async fn queue_text(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    recipients: &str,
    now: Now,
) -> i64 {
    let text = ("Réunion", "Bonjour {nom},\n\nLa réunion a lieu jeudi.");
    queue_message(db, actor, account_id, text, recipients, now).await
}
