//! What the account tests share: a clock, a cheap hasher, a school with an administrator
//! and a teacher, and readers of what the mailer received.

#![allow(dead_code, unused_imports)] // each test binary uses a different part of this module
#![expect(clippy::unwrap_used, reason = "test helpers should fail loudly")]

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use domain::access::Actor;
use domain::accounts::answer::SecretInput;
use domain::accounts::sending::{RawSending, SendingInput};
use domain::accounts::{self, AccountState, answer, code};
use domain::mail::Mailer;
use domain::secret::Secret;
use domain::sending_settings::SendingEnvironment;
use domain::staff::{self, StaffInput};
use domain::{CodeRefusal, DatabaseConnection, Error, Now, schools};
use sea_orm::ConnectionTrait;
use testkit::fixtures::signed_up;

pub fn t0() -> Now {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().unwrap()
}

pub use testkit::fixtures::{PASSWORD, env, hasher};

/// A school with its administrator and one teacher, both signed up.
pub struct School {
    pub admin: Actor,
    pub teacher: Actor,
}

pub async fn school(db: &DatabaseConnection, name: &str, domain_name: &str) -> School {
    let admin_email = format!("admin@{domain_name}");
    let created = schools::create_with_admin(db, name, &admin_email, "Admin", t0())
        .await
        .unwrap();
    let school_id = created.school.id;
    let admin = signed_up(db, &created.invitation.unwrap().token, school_id, t0()).await;
    let input = StaffInput::parse(
        "Bruno Prof",
        &format!("bruno@{domain_name}"),
        "enseignant",
        false,
    )
    .unwrap();
    let added = staff::add(db, &admin, &input, t0()).await.unwrap();
    let teacher = signed_up(db, &added.invitation.unwrap().token, school_id, t0()).await;
    School { admin, teacher }
}

/// The code in the last message the mailer received for `to`.
pub fn last_code(mailer: &Mailer, to: &str) -> String {
    let sent = mailer.sent();
    let mail = sent
        .iter()
        .rev()
        .find(|m| m.contains(&format!("<{to}>")))
        .unwrap_or_else(|| panic!("no mail to {to}"));
    let at = mail.find("Code : ").expect("a code line") + "Code : ".len();
    mail[at..at + 6].to_owned()
}

pub fn wrong_code(right: &str) -> String {
    let n: u32 = right.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

pub fn code_refusal(result: Result<accounts::AccountView, Error>) -> CodeRefusal {
    match result {
        Err(Error::Code(refusal)) => refusal,
        Err(other) => panic!("expected a code refusal, got {other}"),
        Ok(_) => panic!("expected a code refusal, got success"),
    }
}

/// The answer, as a proof checked by the shared test hasher.
pub fn proof(answer: &Secret) -> answer::Proof<'_> {
    answer::Proof {
        hasher: hasher(),
        answer,
    }
}

pub fn none() -> Secret {
    Secret::new("")
}

pub async fn raw_bytes(t: &testkit::TestDb) -> String {
    t.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .ok();
    let path = t.sqlite_path().unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("sqlite-wal")) {
        bytes.extend(wal);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Creates an account, verifies it and sets "medor" as its answer.
pub async fn with_secret(
    db: &DatabaseConnection,
    env: &SendingEnvironment,
    mailer: &Mailer,
    actor: &Actor,
    address: &str,
) -> i64 {
    let account = accounts::create_personal(db, env, actor, "Compte", address, t0())
        .await
        .unwrap();
    let code = last_code(mailer, address);
    code::submit(db, env, actor, account.id, &code, t0())
        .await
        .unwrap();
    let input =
        SecretInput::parse("Animal ?", &Secret::new("medor"), &Secret::new("medor")).unwrap();
    let view = answer::set(db, actor, account.id, input, proof(&none()), t0())
        .await
        .unwrap();
    assert_eq!(view.state, AccountState::AwaitingValidation);
    account.id
}

/// A passing test send of the server settings from the account (validation asks for one).
pub async fn tested(db: &DatabaseConnection, env: &SendingEnvironment, actor: &Actor, id: i64) {
    let report =
        accounts::sending::test_send(db, env, actor, id, &server_settings(), "test@a.fr", t0())
            .await
            .unwrap();
    assert!(report.failure.is_none(), "{report:?}");
}

pub fn server_settings() -> SendingInput {
    SendingInput::parse(RawSending {
        use_server_settings: true,
        host: "",
        port: "",
        security: "",
        username: "",
        password: "",
    })
    .unwrap()
}

pub use testkit::fixtures::recovery_file_in;
