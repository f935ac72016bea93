//! `/api/v1` through the real router: a school token queues a message from an
//! establishment account and reads each recipient's status; no token, a revoked token,
//! another school's account and refused recipients get clear JSON errors; the OpenAPI
//! document is served (`openapi.rs` checks it against real answers). SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::outbox::worker::{self, Worker, WorkerConfig};
use support::TestApp;
use testkit::fixtures::{env, secretariat, signed_up};

fn json_request(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    match body {
        Some(json) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .expect("request"),
        None => builder.body(Body::empty()).expect("request"),
    }
}

fn json(resp: &support::Resp) -> serde_json::Value {
    serde_json::from_str(&resp.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", resp.body))
}

#[tokio::test]
async fn a_school_token_queues_from_an_establishment_account_and_reads_each_status() {
    for t in testkit::databases().await {
        let app = TestApp::new(t).await;
        let db = app.db().clone();
        let school = secretariat(&db, chrono::Utc::now()).await;
        let (admin, teacher, account) = (school.admin, school.teacher, school.account_id);
        let now = chrono::Utc::now();
        let (view, token) = domain::api_tokens::create(&db, &admin, "Vie scolaire", now)
            .await
            .expect("token");
        let token = token.expose().to_owned();
        assert!(token.starts_with("ecc_"));
        // A teacher may not create tokens.
        assert!(matches!(
            domain::api_tokens::create(&db, &teacher, "x", now).await,
            Err(domain::Error::Forbidden)
        ));

        let resp = app
            .send(json_request("GET", "/api/v1/accounts", Some(&token), None))
            .await;
        assert_eq!(resp.status, StatusCode::OK);
        assert_eq!(json(&resp)[0]["label"], "Secrétariat");

        let message = serde_json::json!({
            "account_id": account,
            "subject": "Absence de {eleve}",
            "body": "Bonjour {nom},\n\n{eleve} était absent ce matin.",
            "recipients": [
                {"email": "parent.a@b.fr", "name": "Mme Petit", "fields": {"eleve": "Léa"}},
                {"email": "parent.b@b.fr", "fields": {"eleve": "Tom"}}
            ]
        });
        // No token, a wrong one: 401, in French.
        let resp = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                None,
                Some(message.clone()),
            ))
            .await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
        assert!(
            json(&resp)["message"]
                .as_str()
                .expect("message")
                .contains("Jeton")
        );
        let resp = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                Some("ecc_nope"),
                Some(message.clone()),
            ))
            .await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);

        let resp = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                Some(&token),
                Some(message.clone()),
            ))
            .await;
        assert_eq!(resp.status, StatusCode::ACCEPTED, "{}", resp.body);
        let id = json(&resp)["id"].as_i64().expect("id");
        let status_url = json(&resp)["status_url"].as_str().expect("url").to_owned();

        let mailer = domain::mail::Mailer::memory();
        let env = env(&mailer);
        let w = Worker {
            name: "api-test".into(),
            config: WorkerConfig::default(),
        };
        worker::run_once(&db, &env, &w, chrono::Utc::now())
            .await
            .expect("round");
        let sent = mailer.sent();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().any(|m| m.contains("Bonjour Mme Petit")));

        let resp = app
            .send(json_request("GET", &status_url, Some(&token), None))
            .await;
        assert_eq!(resp.status, StatusCode::OK);
        let status = json(&resp);
        assert_eq!(status["id"], id);
        assert_eq!(status["progress"]["sent"], 2);
        assert_eq!(status["recipients"][1]["state"], "Sent");

        // Refused recipients are listed by position; nothing is queued.
        let mut bad = message.clone();
        bad["recipients"][1]["email"] = "pas-une-adresse".into();
        let resp = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                Some(&token),
                Some(bad),
            ))
            .await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(json(&resp)["lines"], serde_json::json!([2]));
        // A missing placeholder value: 422 naming it.
        let mut missing = message.clone();
        missing["recipients"][1]["fields"] = serde_json::json!({});
        let resp = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                Some(&token),
                Some(missing),
            ))
            .await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            json(&resp)["message"]
                .as_str()
                .expect("message")
                .contains("{eleve}")
        );

        // Another school's token sees neither the account nor the message.
        let other = domain::schools::create_with_admin(&db, "Lycée B", "admin@b.fr", "B", now)
            .await
            .expect("school");
        let other_admin = signed_up(
            &db,
            &other.invitation.expect("invitation").token,
            other.school.id,
            now,
        )
        .await;
        let (_, other_token) = domain::api_tokens::create(&db, &other_admin, "B", now)
            .await
            .expect("token");
        let resp = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                Some(other_token.expose()),
                Some(message.clone()),
            ))
            .await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND);
        let resp = app
            .send(json_request(
                "GET",
                &status_url,
                Some(other_token.expose()),
                None,
            ))
            .await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND);

        // Revoked: refused at once.
        domain::api_tokens::revoke(&db, &admin, view.id, now)
            .await
            .expect("revoked");
        let resp = app
            .send(json_request("GET", "/api/v1/accounts", Some(&token), None))
            .await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
        app.drop_database().await;
    }
}

#[tokio::test]
async fn the_openapi_document_is_served_and_names_every_path() {
    let app = TestApp::new(testkit::sqlite().await).await;
    let resp = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(resp.status, StatusCode::OK);
    let doc = json(&resp);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/accounts",
        "/api/v1/messages",
        "/api/v1/messages/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    app.drop_database().await;
}

/// The `ecole_nouveau_jeton` cookie a response sets (`Some("")` when it clears it).
fn shown_once(resp: &support::Resp) -> Option<String> {
    resp.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("ecole_nouveau_jeton="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn the_token_page_shows_a_new_token_once_even_without_javascript_and_revokes_it() {
    use app::api::api_tokens::ApiTokensView;
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        secretariat(app.db(), chrono::Utc::now()).await;
        let admin = app.sign_in("admin@a.fr", support::PASSWORD).await;
        let teacher = app.sign_in("bruno@a.fr", support::PASSWORD).await;
        let refused = app
            .call(
                "create_api_token",
                &[("label", "Vie scolaire")],
                Some(&teacher),
            )
            .await;
        assert_eq!(refused.app_error(), app::error::AppError::Forbidden);

        // A plain form post ends in a redirect: the token rides a short-lived cookie to the
        // next page, which shows it once and clears it.
        let created = app
            .call(
                "create_api_token",
                &[("label", "Vie scolaire")],
                Some(&admin),
            )
            .await;
        assert!(
            created.status.is_success() || created.status.is_redirection(),
            "{}",
            created.body
        );
        let token = shown_once(&created).expect("the token is carried to the next page");
        assert!(token.starts_with("ecc_"), "{token}");
        let with_token = format!("{admin}; ecole_nouveau_jeton={token}");
        let listed = app.call("list_api_tokens", &[], Some(&with_token)).await;
        assert_eq!(
            shown_once(&listed).as_deref(),
            Some(""),
            "cleared once read"
        );
        let view: ApiTokensView = serde_json::from_str(&listed.body).expect("view");
        assert_eq!(view.fresh.as_deref(), Some(token.as_str()));
        assert_eq!(view.tokens.len(), 1);
        let prefix = &view.tokens[0].prefix;
        assert!(
            token.starts_with(prefix.as_str()) && prefix.len() < token.len(),
            "rows hold a prefix only"
        );
        // A cookie planted by someone else (another site, another person) shows nothing.
        let planted = format!("{admin}; ecole_nouveau_jeton=ecc_plante_par_un_autre");
        let view_planted: ApiTokensView =
            serde_json::from_str(&app.call("list_api_tokens", &[], Some(&planted)).await.body)
                .expect("view");
        assert_eq!(view_planted.fresh, None);
        let twice = format!("{with_token}; ecole_nouveau_jeton=ecc_plante_par_un_autre");
        let view_twice: ApiTokensView =
            serde_json::from_str(&app.call("list_api_tokens", &[], Some(&twice)).await.body)
                .expect("view");
        assert_eq!(
            view_twice.fresh, None,
            "two cookies of that name: neither is trusted"
        );
        let again: ApiTokensView =
            serde_json::from_str(&app.call("list_api_tokens", &[], Some(&admin)).await.body)
                .expect("view");
        assert_eq!(again.fresh, None, "shown once");

        let accounts = app
            .send(json_request("GET", "/api/v1/accounts", Some(&token), None))
            .await;
        assert_eq!(accounts.status, StatusCode::OK, "{}", accounts.body);
        let id = view.tokens[0].id.to_string();
        let revoked = app
            .call("revoke_api_token", &[("id", &id)], Some(&admin))
            .await;
        assert!(revoked.status.is_success() || revoked.status.is_redirection());
        let accounts = app
            .send(json_request("GET", "/api/v1/accounts", Some(&token), None))
            .await;
        assert_eq!(accounts.status, StatusCode::UNAUTHORIZED);
        app.drop_database().await;
    }
}

#[tokio::test]
async fn the_api_refuses_with_every_position_and_reason_and_queues_nothing() {
    for t in testkit::databases().await {
        let app = TestApp::new(t).await;
        let db = app.db().clone();
        let school = secretariat(&db, chrono::Utc::now()).await;
        let (_, token) =
            domain::api_tokens::create(&db, &school.admin, "Vie scolaire", chrono::Utc::now())
                .await
                .expect("token");
        let message = serde_json::json!({
            "account_id": school.account_id,
            "subject": "Absence de {eleve}",
            "body": "Bonjour {nom},\n\n{eleve} était absent.",
            "recipients": [
                {"email": "ok@ecole.fr", "fields": {"eleve": "Léa"}},
                {"email": "a@[10.0.0.5]", "fields": {"eleve": "Tom"}},
                {"email": "b@ecole.fr", "name": "B\r\nBcc: x@evil.example", "fields": {"eleve": "Zoé"}},
                {"email": "c@ecole.fr", "fields": {"eleve": "Léo\r\n.\r\nMAIL FROM:<x@evil.example>"}},
                {"email": "d@ecole.fr", "fields": {}},
                {"email": "e@ecole.fr", "name": "N".repeat(121), "fields": {"eleve": "Max"}},
                {"email": "root@localhost", "fields": {"eleve": "Al"}},
            ]
        });
        let resp = app
            .send(json_request(
                "POST",
                "/api/v1/messages",
                Some(token.expose()),
                Some(message),
            ))
            .await;
        assert_eq!(
            resp.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            resp.body
        );
        let body = json(&resp);
        assert_eq!(body["lines"], serde_json::json!([2, 3, 4, 5, 6, 7]));
        let problems: Vec<String> = body["refused"]
            .as_array()
            .expect("refused")
            .iter()
            .map(|r| format!("{} {}", r["position"], r["problem"]))
            .collect();
        assert_eq!(
            problems,
            [
                "2 \"AddressNotPublic\"",
                "3 \"NameRefused\"",
                "4 {\"ValueRefused\":{\"column\":\"eleve\"}}",
                "5 {\"MissingValue\":{\"placeholder\":\"eleve\"}}",
                "6 {\"NameTooLong\":{\"max\":120}}",
                "7 \"AddressNotPublic\"",
            ],
            "{body}"
        );
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .starts_with("Rien n'a été envoyé")
        );
        let backlog = domain::outbox::backlog(&db).await.expect("backlog");
        assert_eq!(backlog, 0, "nothing queued");
        app.drop_database().await;
    }
}
