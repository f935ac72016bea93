//! Stopping a send and revoking a token through the HTTP surface, as a browser without the
//! wasm does (issue 13, finding 5): the status page leads to a confirmation step, whose
//! plain form stops the send; the page then shows the cancelled recipients and resumes
//! them. The school's administrator can reach and stop anyone's send; another teacher and
//! another school's administrator get "not found". A token whose creator is no longer an
//! administrator is refused (401) and the token page says why; the API shows "Cancelled".
//! SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.

mod support;

use app::error::AppError;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::access::Actor;
use domain::mail::Mailer;
use domain::outbox::compose::{self, DraftInput};
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::outbox::{self, DeliveryState};
use domain::staff::{self, StaffInput, StaffUpdate};
use support::plain_form::{back_to, plain_post};
use support::{PASSWORD, TestApp};
use testkit::fixtures::{self, signed_up};

fn worker() -> Worker {
    Worker {
        name: "w1".into(),
        config: WorkerConfig::default(),
    }
}

async fn queue_three(db: &domain::DatabaseConnection, author: &Actor, account_id: i64) -> i64 {
    let now = chrono::Utc::now();
    let draft = compose::save_draft(
        db,
        author,
        None,
        DraftInput {
            account_id,
            subject: "Sortie au musée".into(),
            body: "Bonjour {nom}, la sortie a lieu mardi.".into(),
            recipients: "email;nom\nparent.a@b.fr;Mme Petit\nparent.b@b.fr;M. Roy\nparent.c@b.fr;Mme Diallo\n".into(),
            ..DraftInput::default()
        },
        now,
    )
    .await
    .expect("draft");
    compose::queue_draft(db, author, draft, now)
        .await
        .expect("queued")
        .message_id
}

fn states(db_detail: &outbox::SendDetail) -> Vec<DeliveryState> {
    db_detail.recipients.iter().map(|r| r.state).collect()
}

#[tokio::test]
async fn a_send_is_stopped_after_a_confirmation_and_resumed_without_the_wasm() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let db = app.db();
        let s = fixtures::secretariat(db, chrono::Utc::now()).await;
        let message = queue_three(db, &s.teacher, s.account_id).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let path = format!("/envois/{message}");
        let confirm = format!("{path}?arreter=1");

        // The page leads to a confirmation step, which says what stopping means.
        let page = app.get(&path, Some(&cookie)).await.body;
        assert!(page.contains("3 en attente"), "{page}");
        assert!(page.contains(&format!("href=\"{confirm}\"")), "{page}");
        assert!(page.contains("Arrêter l&#x27;envoi") || page.contains("Arrêter l'envoi"));
        assert!(!page.contains("action=\"/api/stop_send\""));
        let page = app.get(&confirm, Some(&cookie)).await.body;
        assert!(page.contains("Arrêter l&#x27;envoi ?") || page.contains("Arrêter l'envoi ?"));
        assert!(
            page.contains("Les 3 destinataire(s) en attente ne recevront rien."),
            "{page}"
        );
        assert!(page.contains("action=\"/api/stop_send\""), "{page}");
        assert!(page.contains("Oui, arrêter"));
        assert!(page.contains(&format!("href=\"{path}\"")), "a way back");

        // "Oui, arrêter": back to the page, without the confirmation.
        let id = message.to_string();
        let back = back_to(&plain_post(&app, "stop_send", &[("id", &id)], &cookie, &confirm).await);
        assert_eq!(back, path);
        let detail = outbox::detail(db, &s.teacher, message)
            .await
            .expect("detail");
        assert_eq!(states(&detail), [DeliveryState::Cancelled; 3]);
        let page = app.get(&path, Some(&cookie)).await.body;
        assert!(
            page.contains("0 en attente · 0 échec(s) · 3 annulé(s)"),
            "{page}"
        );
        assert!(page.contains("Envoi arrêté"));
        assert_eq!(page.matches(">annulé</span>").count(), 3, "{page}");
        assert!(page.contains("action=\"/api/resume_send\""));
        assert!(page.contains("Reprendre l&#x27;envoi") || page.contains("Reprendre l'envoi"));
        assert!(!page.contains(&confirm), "nothing left to stop");
        let mailer = Mailer::memory();
        let env = fixtures::env(&mailer);
        let round = worker::run_once(db, &env, &worker(), chrono::Utc::now())
            .await
            .expect("round");
        assert_eq!(round.claimed, 0);

        // "Reprendre l'envoi": back to the page, the three queued again and sent.
        let back = back_to(&plain_post(&app, "resume_send", &[("id", &id)], &cookie, &path).await);
        assert_eq!(back, path);
        let page = app.get(&path, Some(&cookie)).await.body;
        assert!(page.contains("3 en attente"), "{page}");
        assert!(page.contains(&confirm));
        let round = worker::run_once(db, &env, &worker(), chrono::Utc::now())
            .await
            .expect("round");
        assert_eq!(round.sent, 3);
        assert_eq!(mailer.sent().len(), 3);
        app.drop_database().await;
    }
}

#[tokio::test]
async fn the_schools_administrator_stops_anyones_send_and_no_one_else_can() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let db = app.db();
        let now = chrono::Utc::now();
        let s = fixtures::secretariat(db, now).await;
        let message = queue_three(db, &s.teacher, s.account_id).await;
        let id = message.to_string();
        let path = format!("/envois/{message}");
        let input =
            StaffInput::parse("Chloé Prof", "chloe@a.fr", "enseignant", false).expect("input");
        let added = staff::add(db, &s.admin, &input, now).await.expect("added");
        signed_up(
            db,
            &added.invitation.expect("invitation").token,
            s.admin.school_id(),
            now,
        )
        .await;
        app.school("Lycée B", "admin@b.fr").await;

        // Another teacher, another school's administrator: not found, in the page and the
        // server function alike; nothing changes.
        for email in ["chloe@a.fr", "admin@b.fr"] {
            let other = app.sign_in(email, PASSWORD).await;
            let page = app.get(&path, Some(&other)).await.body;
            assert!(page.contains("Envoi introuvable"), "{email}: {page}");
            assert!(!page.contains("Sortie au musée"), "{email}");
            for endpoint in ["stop_send", "resume_send"] {
                let resp = app.call(endpoint, &[("id", &id)], Some(&other)).await;
                assert_eq!(resp.app_error(), AppError::NotFound, "{email} {endpoint}");
            }
        }
        let detail = outbox::detail(db, &s.teacher, message)
            .await
            .expect("detail");
        assert_eq!(states(&detail), [DeliveryState::Queued; 3]);

        // The administrator finds it in "Mes envois" and stops it from its page.
        let admin = app.sign_in("admin@a.fr", PASSWORD).await;
        let list = app.get("/envois", Some(&admin)).await.body;
        assert!(list.contains("En cours dans l"), "{list}");
        assert!(list.contains(&format!("href=\"{path}\"")), "{list}");
        assert!(list.contains("Bruno Prof"));
        let page = app.get(&path, Some(&admin)).await.body;
        assert!(page.contains("Sortie au musée"), "{page}");
        let confirm = format!("{path}?arreter=1");
        assert!(page.contains(&format!("href=\"{confirm}\"")));
        let back = back_to(&plain_post(&app, "stop_send", &[("id", &id)], &admin, &confirm).await);
        assert_eq!(back, path);
        let detail = outbox::detail(db, &s.teacher, message)
            .await
            .expect("detail");
        assert_eq!(states(&detail), [DeliveryState::Cancelled; 3]);
        // Its author sees it stopped.
        let teacher = app.sign_in("bruno@a.fr", PASSWORD).await;
        let page = app.get(&path, Some(&teacher)).await.body;
        assert!(page.contains("Envoi arrêté"), "{page}");
        app.drop_database().await;
    }
}

fn json_request(
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(json) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .expect("request"),
        None => builder.body(Body::empty()).expect("request"),
    }
}

#[tokio::test]
async fn a_token_is_refused_once_its_creator_is_not_an_administrator_and_the_api_shows_cancelled() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let db = app.db();
        let now = chrono::Utc::now();
        let s = fixtures::secretariat(db, now).await;
        let member = s.teacher.membership_id();
        let role =
            |is_admin| StaffUpdate::parse("Bruno Prof", "enseignant", is_admin).expect("role");
        staff::update(db, &s.admin, member, &role(true))
            .await
            .expect("promoted");
        let creator = domain::access::actor_in(db, s.teacher.person_id(), s.teacher.school_id())
            .await
            .expect("actor")
            .expect("member");
        let (_, token) = domain::api_tokens::create(db, &creator, "Vie scolaire", now)
            .await
            .expect("token");
        let token = token.expose().to_owned();
        let accounts = |token: String| json_request("GET", "/api/v1/accounts", &token, None);
        assert_eq!(
            app.send(accounts(token.clone())).await.status,
            StatusCode::OK
        );

        // Demoted: refused, and the token page says why.
        staff::update(db, &s.admin, member, &role(false))
            .await
            .expect("demoted");
        assert_eq!(
            app.send(accounts(token.clone())).await.status,
            StatusCode::UNAUTHORIZED
        );
        let admin = app.sign_in("admin@a.fr", PASSWORD).await;
        let page = app.get("/jetons-api", Some(&admin)).await.body;
        assert!(
            page.contains("Inactif : son créateur n&#x27;est plus administrateur")
                || page.contains("Inactif : son créateur n'est plus administrateur"),
            "{page}"
        );
        // Removed from the school: refused too.
        staff::update(db, &s.admin, member, &role(true))
            .await
            .expect("promoted");
        assert_eq!(
            app.send(accounts(token.clone())).await.status,
            StatusCode::OK
        );
        staff::remove(db, &s.admin, member, true)
            .await
            .expect("removed");
        assert_eq!(
            app.send(accounts(token.clone())).await.status,
            StatusCode::UNAUTHORIZED
        );

        // The administrator's own token queues; stopped from the page, the API says
        // "Cancelled" for each recipient.
        let (_, token) = domain::api_tokens::create(db, &s.admin, "ENT", now)
            .await
            .expect("token");
        let token = token.expose().to_owned();
        let queued = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                &token,
                Some(serde_json::json!({
                    "account_id": s.account_id,
                    "subject": "Cantine",
                    "body": "Bonjour, la cantine est fermée vendredi.",
                    "recipients": [{"email": "parent.a@b.fr"}, {"email": "parent.b@b.fr"}]
                })),
            ))
            .await;
        assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
        let body: serde_json::Value = serde_json::from_str(&queued.body).expect("json");
        let id = body["id"].as_i64().expect("id");
        let stopped = app
            .call("stop_send", &[("id", &id.to_string())], Some(&admin))
            .await;
        assert!(
            stopped.status.is_success(),
            "{} {}",
            stopped.status,
            stopped.body
        );
        let status = app
            .send(json_request(
                "GET",
                &format!("/api/v1/messages/{id}"),
                &token,
                None,
            ))
            .await;
        assert_eq!(status.status, StatusCode::OK, "{}", status.body);
        let status: serde_json::Value = serde_json::from_str(&status.body).expect("json");
        let recipients = status["recipients"].as_array().expect("recipients");
        assert_eq!(recipients.len(), 2);
        assert!(
            recipients.iter().all(|r| r["state"] == "Cancelled"),
            "{status}"
        );
        assert_eq!(status["progress"]["pending"], 0);
        assert_eq!(status["progress"]["total"], 2);
        app.drop_database().await;
    }
}
