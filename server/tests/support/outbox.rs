//! A school with an active "Secrétariat" account a teacher may send with, set up through
//! the domain on a database a server process will then use, and that process itself.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use domain::access::{Actor, actor_in};
use domain::accounts::{self, answer, authorisations, code, sending};
use domain::crypto::MasterKeys;
use domain::mail::Mailer;
use domain::outbox::compose::{self, DraftInput};
use domain::password::{HashCost, PasswordHasher};
use domain::secret::Secret;
use domain::sending_settings::SendingEnvironment;
use domain::staff::{self, StaffInput};
use domain::{DatabaseConnection, invitations, schools};

use super::{KEY, PASSWORD};

fn hasher() -> &'static PasswordHasher {
    static HASHER: std::sync::OnceLock<PasswordHasher> = std::sync::OnceLock::new();
    HASHER.get_or_init(|| PasswordHasher::new(HashCost::TEST_ONLY, KEY.as_bytes()))
}

async fn signed_up(db: &DatabaseConnection, token: &Secret, school_id: i64) -> Actor {
    let p = Secret::new(PASSWORD);
    let now = chrono::Utc::now();
    let accepted = invitations::accept(db, hasher(), token.expose(), &p, &p, now)
        .await
        .expect("invitation accepted");
    actor_in(db, accepted.person_id, school_id)
        .await
        .expect("actor")
        .expect("member")
}

/// The first administrator of a school just created, signed up.
pub async fn signed_up_admin(db: &DatabaseConnection, created: &schools::Created) -> Actor {
    signed_up(
        db,
        &created.invitation.as_ref().expect("invitation").token,
        created.school.id,
    )
    .await
}

/// The administrator, the teacher who may send, and the establishment account's id.
pub async fn secretariat(db: &DatabaseConnection) -> (Actor, Actor, i64) {
    let now = chrono::Utc::now();
    let created = schools::create_with_admin(db, "Collège A", "admin@a.fr", "Admin", now)
        .await
        .expect("school");
    let school_id = created.school.id;
    let admin = signed_up(
        db,
        &created.invitation.expect("invitation").token,
        school_id,
    )
    .await;
    let input = StaffInput::parse("Bruno Prof", "bruno@a.fr", "enseignant", false).expect("input");
    let added = staff::add(db, &admin, &input, now).await.expect("teacher");
    let teacher = signed_up(db, &added.invitation.expect("invitation").token, school_id).await;

    let mailer = Mailer::memory();
    let env = SendingEnvironment {
        hosting: mailer.clone(),
        hosting_from: "ne-pas-repondre@hebergeur.fr".into(),
        school_policy: domain::smtp::Policy::default(),
        keys: Arc::new(MasterKeys::from_base64(KEY, &[]).expect("key")),
    };
    let account =
        accounts::create_establishment(db, &env, &admin, "Secrétariat", "secretariat@a.fr", now)
            .await
            .expect("account");
    let sent = mailer.sent();
    let mail = sent.last().expect("code mail");
    let at = mail.find("Code : ").expect("code line") + "Code : ".len();
    code::submit(db, &env, &admin, account.id, &mail[at..at + 6], now)
        .await
        .expect("code");
    let medor = Secret::new("medor");
    let proof = || answer::Proof {
        hasher: hasher(),
        answer: &medor,
    };
    let secret = answer::SecretInput::parse("Animal ?", &medor, &medor).expect("secret");
    let none = Secret::new("");
    answer::set(
        db,
        &admin,
        account.id,
        secret,
        answer::Proof {
            hasher: hasher(),
            answer: &none,
        },
        now,
    )
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
    sending::validate(db, &env, &admin, account.id, &server_settings, proof(), now)
        .await
        .expect("active");
    authorisations::set(db, &admin, account.id, &[teacher.person_id()], now)
        .await
        .expect("authorised");
    (admin, teacher, account.id)
}

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
