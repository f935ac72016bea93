//! What tests and benchmarks of sending share: a cheap hasher, a sending environment whose
//! mail stays in memory, the hosting relay pointed at a loopback peer, and a school with an
//! active "Secrétariat" account (answer "medor") that its teacher may send with.

use std::sync::Arc;

use domain::access::{Actor, actor_in};
use domain::accounts::{self, answer, authorisations, code, sending};
use domain::crypto::MasterKeys;
use domain::mail::{Mailer, Relay};
use domain::password::{HashCost, PasswordHasher};
use domain::secret::Secret;
use domain::sending_settings::SendingEnvironment;
use domain::smtp::{Endpoint, Policy, Security};
use domain::staff::{self, StaffInput};
use domain::{DatabaseConnection, Now, invitations, schools};

/// Every test person's password.
pub const PASSWORD: &str = "une phrase de passe";
/// The master key of [`env`], base64.
pub const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// The tests' pepper: 32 bytes, as the server's configuration requires, so an app built
/// on it (`ECOLE_PEPPER`, base64) checks the passwords and answers the fixtures set.
pub const PEPPER: &[u8; 32] = b"test pepper: thirty-two bytes!!!";

/// One hasher for every test: the cheapest Argon2id cost, a fixed pepper.
pub fn hasher() -> &'static PasswordHasher {
    static HASHER: std::sync::OnceLock<PasswordHasher> = std::sync::OnceLock::new();
    HASHER.get_or_init(|| PasswordHasher::new(HashCost::TEST_ONLY, PEPPER))
}

/// A sending environment whose hosting mail goes to `mailer`.
pub fn env(mailer: &Mailer) -> SendingEnvironment {
    SendingEnvironment {
        hosting: mailer.clone(),
        hosting_from: "ne-pas-repondre@hebergeur.fr".into(),
        school_policy: Policy::default(),
        keys: Arc::new(MasterKeys::from_base64(MASTER_KEY, &[]).expect("test master key")),
    }
}

/// The hosting relay as an operator would point it at a plain SMTP server on loopback.
pub fn relay_on(port: u16) -> Mailer {
    Mailer::Relay(Arc::new(Relay {
        endpoint: Endpoint {
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            username: None,
            password: None,
            token: None,
        },
        policy: Policy {
            allow_private_hosts: true,
            any_port: true,
            ..Policy::default()
        },
    }))
}

/// The person an invitation `token` was for, once they chose [`PASSWORD`].
pub async fn signed_up(db: &DatabaseConnection, token: &Secret, school_id: i64, now: Now) -> Actor {
    let p = Secret::new(PASSWORD);
    let accepted = invitations::accept(db, hasher(), token.expose(), &p, &p, now)
        .await
        .expect("invitation accepted");
    actor_in(db, accepted.person_id, school_id)
        .await
        .expect("actor")
        .expect("member")
}

/// The 6-digit code in a verification mail.
pub fn code_in(mail: &str) -> &str {
    let at = mail.find("Code : ").expect("a code line") + "Code : ".len();
    &mail[at..at + 6]
}

/// A school, its administrator, a teacher, and an active establishment account.
pub struct Secretariat {
    pub admin: Actor,
    pub teacher: Actor,
    pub account_id: i64,
    /// The confirmation mail as sent (it carries `cleRecuperation.crbee`).
    pub confirmation: String,
}

/// "Collège A" (admin@a.fr, teacher bruno@a.fr) with an active "Secrétariat"
/// (secretariat@a.fr, answer "medor", the server's settings) the teacher may send with.
pub async fn secretariat(db: &DatabaseConnection, now: Now) -> Secretariat {
    secretariat_of(db, "a", now).await
}

/// The same as [`secretariat`] for another school: "Collège {tag}", admin@{tag}.fr,
/// bruno@{tag}.fr, secretariat@{tag}.fr.
pub async fn secretariat_of(db: &DatabaseConnection, tag: &str, now: Now) -> Secretariat {
    let school_name = format!("Collège {}", tag.to_uppercase());
    let created =
        schools::create_with_admin(db, &school_name, &format!("admin@{tag}.fr"), "Admin", now)
            .await
            .expect("school");
    let school_id = created.school.id;
    let token = &created.invitation.expect("invitation").token;
    let admin = signed_up(db, token, school_id, now).await;
    let input = StaffInput::parse(
        "Bruno Prof",
        &format!("bruno@{tag}.fr"),
        "enseignant",
        false,
    )
    .expect("input");
    let added = staff::add(db, &admin, &input, now).await.expect("teacher");
    let teacher = signed_up(
        db,
        &added.invitation.expect("invitation").token,
        school_id,
        now,
    )
    .await;

    let mailer = Mailer::memory();
    let env = env(&mailer);
    let account = accounts::create_establishment(
        db,
        &env,
        &admin,
        "Secrétariat",
        &format!("secretariat@{tag}.fr"),
        now,
    )
    .await
    .expect("account");
    let code = code_in(mailer.sent().last().expect("code mail")).to_owned();
    code::submit(db, &env, &admin, account.id, &code, now)
        .await
        .expect("code");
    let medor = Secret::new("medor");
    let none = Secret::new("");
    let proof = |answer| answer::Proof {
        hasher: hasher(),
        answer,
    };
    let secret = answer::SecretInput::parse("Animal ?", &medor, &medor).expect("secret");
    answer::set(db, &admin, account.id, secret, proof(&none), now)
        .await
        .expect("answer");
    let server_settings = sending::SendingInput::parse(sending::RawSending {
        use_server_settings: true,
        host: "",
        port: "",
        security: "",
        username: "",
        password: "",
    })
    .expect("settings");
    // Validation asks for a passing test of the settings validated.
    let test = sending::test_send(
        db,
        &env,
        &admin,
        account.id,
        &server_settings,
        &format!("test@{tag}.fr"),
        now,
    )
    .await
    .expect("test send");
    assert!(test.failure.is_none(), "the test send passes");
    sending::validate(
        db,
        &env,
        &admin,
        account.id,
        &server_settings,
        proof(&medor),
        now,
    )
    .await
    .expect("active");
    authorisations::set(db, &admin, account.id, &[teacher.person_id()], now)
        .await
        .expect("authorised");
    Secretariat {
        admin,
        teacher,
        account_id: account.id,
        confirmation: mailer.sent().pop().expect("confirmation"),
    }
}

/// The bytes of the `cleRecuperation.crbee` attachment in a formatted message.
pub fn recovery_file_in(message: &str) -> Vec<u8> {
    let at = message
        .find("filename=\"cleRecuperation.crbee\"")
        .expect("the recovery file is attached");
    let part_start = message[..at].rfind("\r\n\r\n").map_or(0, |p| p + 4);
    let headers = &message[part_start..at];
    let body_start = at + message[at..].find("\r\n\r\n").expect("part body") + 4;
    let body_end = body_start + message[body_start..].find("\r\n--").expect("part end");
    let body = &message[body_start..body_end];
    assert!(
        headers.contains("base64") || message[at..body_start].contains("base64"),
        "expected a base64 part:\n{}",
        &message[part_start..body_start]
    );
    let compact: String = body.split_whitespace().collect();
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, compact)
        .expect("base64 attachment")
}
