//! Step 3 through the HTTP surface, with a real SMTP server on loopback: the confirmation
//! of an establishment account carries `cleRecuperation.crbee`, whose secret R is then
//! found neither in the database file nor in the logs; who may use the account.

mod support;

use app::api::types::{AccountsOverview, CandidateRow};
use app::error::AppError;
use app::notice::{FileCheck, Outcome};
use base64::Engine as _;
use domain::archive::recovery_file;
use std::time::Duration;
use support::logs::capture_logs;
use support::notice::{Jar, location, notice_in};
use support::step1::*;
use support::{PASSWORD, TestApp};
use testkit::smtp::{PeerOptions, Received, SmtpPeer};

/// The attachment's bytes, from the raw message the relay received.
fn attached_file(mail: &Received) -> Vec<u8> {
    let data = &mail.data;
    let at = data
        .find("filename=\"cleRecuperation.crbee\"")
        .expect("cleRecuperation.crbee attached");
    let body_start = at + data[at..].find("\r\n\r\n").expect("part body") + 4;
    let body_end = body_start + data[body_start..].find("\r\n--").expect("part end");
    let compact: String = data[body_start..body_end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("base64 attachment")
}

async fn call_ok(app: &TestApp, endpoint: &str, form: &[(&str, &str)], cookie: &str) {
    let resp = app.call(endpoint, form, Some(cookie)).await;
    assert!(
        resp.status.is_success() || resp.status.is_redirection(),
        "{endpoint}: {} {}",
        resp.status,
        resp.body
    );
}

/// The invitation token in the newest mail the relay received for `to`.
fn invitation_token(peer: &SmtpPeer, to: &str) -> String {
    let received = peer.received();
    let mail = received
        .iter()
        .rev()
        .find(|m| m.rcpt_tos.iter().any(|r| r == to))
        .expect("an invitation");
    let text = mail.data.replace("=\r\n", "");
    let start = text.find("/invitation/").expect("a link") + "/invitation/".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn the_recovery_file_arrives_through_the_relay_and_its_secret_is_in_no_dump_or_log() {
    let (capture, _guard) = capture_logs();

    let peer = SmtpPeer::start(PeerOptions::default());
    let app = app_with(config_trusting(None), hosting_relay(&peer)).await;
    let admin = admin(&app).await;
    call_ok(
        &app,
        "create_establishment_account",
        &[
            ("label", "Secrétariat"),
            ("address", "secretariat@college-moulin.fr"),
        ],
        &admin,
    )
    .await;
    let overview: AccountsOverview =
        serde_json::from_str(&app.call("list_accounts", &[], Some(&admin)).await.body).unwrap();
    let account = overview
        .accounts
        .iter()
        .find(|a| a.kind == app::api::types::AccountKind::Establishment)
        .expect("listed");
    let id = account.id.to_string();
    let code = code_in(&peer.wait_for(1, Duration::from_secs(5))[0]);
    call_ok(&app, "submit_code", &[("id", &id), ("code", &code)], &admin).await;
    call_ok(
        &app,
        "set_secret",
        &[
            ("id", &id),
            ("question", "Q ?"),
            ("answer", "medor"),
            ("confirmation", "medor"),
        ],
        &admin,
    )
    .await;
    // Validation asks for a passing test of the settings validated.
    call_ok(
        &app,
        "submit_account_sending",
        &[
            ("id", &id),
            ("intent", "test"),
            ("use_server_settings", "on"),
            ("test_to", "test@example.fr"),
        ],
        &admin,
    )
    .await;
    let resp = app
        .call(
            "submit_account_sending",
            &[
                ("id", &id),
                ("intent", "validate"),
                ("use_server_settings", "on"),
            ],
            Some(&admin),
        )
        .await;
    assert!(
        matches!(resp.app_error(), AppError::AnswerWrong { .. }),
        "validation asks for the answer"
    );
    call_ok(
        &app,
        "submit_account_sending",
        &[
            ("id", &id),
            ("intent", "validate"),
            ("use_server_settings", "on"),
            ("answer", "Médor"),
        ],
        &admin,
    )
    .await;

    let mails = peer.wait_for(3, Duration::from_secs(5));
    let confirmation = &mails[2];
    assert_eq!(confirmation.rcpt_tos, ["secretariat@college-moulin.fr"]);
    assert!(confirmation.data.contains("multipart/mixed"));
    let file = attached_file(confirmation);
    let parsed = recovery_file::parse(&file).expect("a sound recovery file");
    assert_eq!(parsed.owner.account_id, account.id);
    let r = &*parsed.secret;
    let needles = [
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r),
        base64::engine::general_purpose::STANDARD.encode(r),
        r.iter().map(|b| format!("{b:02x}")).collect::<String>(),
    ];

    use sea_orm::ConnectionTrait;
    app.db()
        .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .ok();
    let path = app.t.sqlite_path().expect("SQLite").to_owned();
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("sqlite-wal")) {
        bytes.extend(wal);
    }
    let dump = String::from_utf8_lossy(&bytes);
    assert!(
        dump.contains("secretariat@college-moulin.fr"),
        "the dump sees row values"
    );
    let logs = capture.text();
    assert!(logs.contains("event=\"account_activated\""), "{logs}");
    for needle in &needles {
        assert!(!dump.contains(needle.as_str()), "R in the database dump");
        assert!(!logs.contains(needle.as_str()), "R in the logs");
    }

    // The administrator checks the file, a damaged copy, then resets the answer with it.
    let upload = |fields: Vec<(&'static str, Vec<u8>)>| {
        let (app, admin, id) = (&app, admin.clone(), id.clone());
        async move {
            let boundary = "----ecole-test-boundary";
            let mut body = Vec::new();
            for (name, value) in fields {
                body.extend(
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"")
                        .bytes(),
                );
                if name == "file" {
                    body.extend(b"; filename=\"cleRecuperation.crbee\"\r\nContent-Type: application/octet-stream");
                }
                body.extend(b"\r\n\r\n");
                body.extend(value);
                body.extend(b"\r\n");
            }
            body.extend(format!("--{boundary}--\r\n").bytes());
            let request = axum::http::Request::post(format!("/comptes/{id}/cle-de-recuperation"))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("sec-fetch-site", "same-origin")
                .header("host", "127.0.0.1:3000")
                .header("cookie", admin)
                .body(axum::body::Body::from(body))
                .unwrap();
            app.send(request).await
        }
    };
    // Where the upload leads, and what it leaves for that page (a one-time notice).
    let page = format!("/comptes/{id}");
    // The browser lands on the recovery section, where the result is (issue 16).
    let landed = format!("{page}#recovery-title");
    let outcome = |resp: &support::Resp| {
        (
            location(resp),
            notice_in(resp)
                .filter(|n| n.page == page)
                .map(|n| n.outcome),
        )
    };
    let check = |file: Vec<u8>| vec![("intent", b"check".to_vec()), ("file", file)];
    assert_eq!(
        outcome(&upload(check(file.clone())).await),
        (landed.clone(), Some(Outcome::File(FileCheck::Valid)))
    );
    let mut damaged = file.clone();
    damaged[30] ^= 1;
    assert_eq!(
        outcome(&upload(check(damaged)).await),
        (landed.clone(), Some(Outcome::File(FileCheck::Damaged)))
    );
    let reset = |answer: &'static str, confirmation: &'static str| {
        vec![
            ("intent", b"reset".to_vec()),
            ("file", file.clone()),
            ("question", b"Nouvelle ?".to_vec()),
            ("answer", answer.as_bytes().to_vec()),
            ("confirmation", confirmation.as_bytes().to_vec()),
        ]
    };
    let refused = outcome(&upload(reset("lune", "soleil")).await);
    assert!(
        refused.0 == landed && matches!(refused.1, Some(Outcome::Refused(_))),
        "{refused:?}"
    );
    let reset = upload(reset("Lune", "lune")).await;
    assert_eq!(
        outcome(&reset),
        (landed.clone(), Some(Outcome::File(FileCheck::Reset)))
    );
    let shown = Jar::with(Some(&admin)).follow(&app, &reset).await;
    assert!(
        shown.body.contains("Nouvelle question secrète enregistrée"),
        "the page says so"
    );
    let resp = app
        .call(
            "delete_account",
            &[("id", &id), ("answer", "LUNE")],
            Some(&admin),
        )
        .await;
    assert!(
        resp.status.is_success() || resp.status.is_redirection(),
        "the new answer works: {}",
        resp.body
    );
    app.drop_database().await;
}

#[tokio::test]
async fn a_teacher_sees_the_shared_account_once_authorised_and_not_after_revocation() {
    let (_capture, _guard) = capture_logs();
    let peer = SmtpPeer::start(PeerOptions::default());
    let app = app_with(config_trusting(None), hosting_relay(&peer)).await;
    let admin = admin(&app).await;
    call_ok(
        &app,
        "create_establishment_account",
        &[
            ("label", "Secrétariat"),
            ("address", "secretariat@college-moulin.fr"),
        ],
        &admin,
    )
    .await;
    let overview: AccountsOverview =
        serde_json::from_str(&app.call("list_accounts", &[], Some(&admin)).await.body).unwrap();
    let id = overview.accounts[0].id.to_string();
    let code = code_in(&peer.wait_for(1, Duration::from_secs(5))[0]);
    call_ok(&app, "submit_code", &[("id", &id), ("code", &code)], &admin).await;
    call_ok(
        &app,
        "set_secret",
        &[
            ("id", &id),
            ("question", "Q ?"),
            ("answer", "medor"),
            ("confirmation", "medor"),
        ],
        &admin,
    )
    .await;
    // Validation asks for a passing test of the settings validated.
    call_ok(
        &app,
        "submit_account_sending",
        &[
            ("id", &id),
            ("intent", "test"),
            ("use_server_settings", "on"),
            ("test_to", "test@example.fr"),
        ],
        &admin,
    )
    .await;
    call_ok(
        &app,
        "submit_account_sending",
        &[
            ("id", &id),
            ("intent", "validate"),
            ("use_server_settings", "on"),
            ("answer", "medor"),
        ],
        &admin,
    )
    .await;

    call_ok(
        &app,
        "add_staff",
        &[
            ("display_name", "Bruno"),
            ("email", "bruno@college-moulin.fr"),
            ("category", "enseignant"),
        ],
        &admin,
    )
    .await;
    call_ok(
        &app,
        "add_staff",
        &[
            ("display_name", "Chloé"),
            ("email", "chloe@college-moulin.fr"),
            ("category", "enseignant"),
        ],
        &admin,
    )
    .await;
    let mut teachers = Vec::new();
    for email in ["bruno@college-moulin.fr", "chloe@college-moulin.fr"] {
        let token = invitation_token(&peer, email);
        app.accept(&domain::secret::Secret::new(token), PASSWORD)
            .await;
        teachers.push(app.sign_in(email, PASSWORD).await);
    }
    let candidates: Vec<CandidateRow> = serde_json::from_str(
        &app.call(
            "list_candidates",
            &[("id", &id), ("category", "enseignant"), ("search", "bru")],
            Some(&admin),
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(candidates.len(), 1);
    let bruno = candidates[0].person_id.to_string();
    let shown = format!("shown[{bruno}]");
    let allowed = format!("allowed[{bruno}]");
    call_ok(
        &app,
        "set_account_authorisations",
        &[("id", &id), (&shown, "1"), (&allowed, "on")],
        &admin,
    )
    .await;

    let sees = |cookie: String| {
        let app = &app;
        async move {
            let overview: AccountsOverview =
                serde_json::from_str(&app.call("list_accounts", &[], Some(&cookie)).await.body)
                    .unwrap();
            overview
                .usable_establishment
                .iter()
                .any(|a| a.label == "Secrétariat")
        }
    };
    assert!(
        sees(teachers[0].clone()).await,
        "the authorised teacher sees it"
    );
    assert!(
        !sees(teachers[1].clone()).await,
        "the other teacher does not"
    );
    // A teacher cannot change who may use it.
    let resp = app
        .call(
            "set_account_authorisations",
            &[("id", &id), (&shown, "1"), (&allowed, "on")],
            Some(&teachers[1]),
        )
        .await;
    assert!(matches!(
        resp.app_error(),
        AppError::Forbidden | AppError::NotFound
    ));
    // Revoking (unticked while shown) takes effect at once.
    call_ok(
        &app,
        "set_account_authorisations",
        &[("id", &id), (&shown, "1")],
        &admin,
    )
    .await;
    assert!(!sees(teachers[0].clone()).await, "revoked at once");
    app.drop_database().await;
}
