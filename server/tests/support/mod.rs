//! Drives the real router (middleware included) in-process, as a browser would: form
//! posts with fetch metadata, cookies carried by hand.

#![allow(dead_code)] // each test binary uses a different part of this module

pub mod logs;
pub mod multipart;
pub mod notice;
pub mod outbox;
pub mod plain_form;
pub mod step1;

use app::error::AppError;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use domain::mail::Mailer;
use domain::password::HashCost;
use domain::secret::Secret;
use server::config::Config;
use server::state::AppState;
use std::collections::HashMap;
use std::net::SocketAddr;
use tower::ServiceExt as _;

pub const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
pub use testkit::fixtures::PASSWORD;

pub fn test_config() -> Config {
    let vars: HashMap<&str, &str> = [("ECOLE_MASTER_KEY", KEY), ("ECOLE_PEPPER", KEY)].into();
    let mut config =
        Config::load(None, |k| vars.get(k).map(|v| v.to_string())).expect("test config");
    config.hash_cost = HashCost::TEST_ONLY;
    config
}

pub struct TestApp {
    pub router: Router,
    pub mailer: Mailer,
    pub t: testkit::TestDb,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    /// The typed error a server function answered with.
    pub fn app_error(&self) -> AppError {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not an AppError ({e}): {} {}", self.status, self.body))
    }

    /// `name=value` of the session cookie this response sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("ecole_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    }
}

impl TestApp {
    pub async fn new(t: testkit::TestDb) -> Self {
        Self::with_db(t.db.clone(), t).await
    }

    /// An app whose requests go to `db` (e.g. a broken connection) while `t` is cleaned up.
    pub async fn with_db(db: domain::DatabaseConnection, t: testkit::TestDb) -> Self {
        Self::with_parts(db, t, Mailer::memory()).await
    }

    pub async fn with_parts(
        db: domain::DatabaseConnection,
        t: testkit::TestDb,
        mailer: Mailer,
    ) -> Self {
        Self::with_config(test_config(), db, t, mailer)
    }

    pub fn with_config(
        config: Config,
        db: domain::DatabaseConnection,
        t: testkit::TestDb,
        mailer: Mailer,
    ) -> Self {
        let state = AppState::new(config, db, mailer.clone(), None).expect("state");
        Self {
            router: server::router::router(state),
            mailer,
            t,
        }
    }

    /// An app whose pepper and master key are the fixtures' (`testkit::fixtures`), so the
    /// passwords and secret answers they set work through HTTP.
    pub fn on_fixtures(t: testkit::TestDb) -> Self {
        use base64::Engine as _;
        let pepper = base64::engine::general_purpose::STANDARD.encode(testkit::fixtures::PEPPER);
        let vars: HashMap<&str, String> = [
            ("ECOLE_MASTER_KEY", testkit::fixtures::MASTER_KEY.to_owned()),
            ("ECOLE_PEPPER", pepper),
        ]
        .into();
        let mut config = Config::load(None, |k| vars.get(k).cloned()).expect("config");
        config.hash_cost = HashCost::TEST_ONLY;
        let db = t.db.clone();
        Self::with_config(config, db, t, Mailer::memory())
    }

    pub fn db(&self) -> &domain::DatabaseConnection {
        &self.t.db
    }

    pub async fn send(&self, mut request: Request<Body>) -> Resp {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 50000))));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A same-origin form post to a server function, as the hydrated app makes it.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Resp {
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header(header::HOST, "127.0.0.1:3000");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(encode(form))).expect("request"))
            .await
    }

    /// A page request, with the `Accept` header every browser sends.
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut request = Request::get(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ACCEPT, "text/html,application/xhtml+xml");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// Signs in through the HTTP endpoint and returns the session cookie.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let resp = self
            .call("sign_in", &[("email", email), ("password", password)], None)
            .await;
        resp.session_cookie()
            .unwrap_or_else(|| panic!("sign-in failed: {} {}", resp.status, resp.body))
    }

    /// A school whose administrator chose `PASSWORD`; returns the school id.
    pub async fn school(&self, name: &str, admin_email: &str) -> i64 {
        let created = domain::schools::create_with_admin(
            self.db(),
            name,
            admin_email,
            "Admin",
            chrono::Utc::now(),
        )
        .await
        .expect("create school");
        let token = created.invitation.expect("invitation").token;
        self.accept(&token, PASSWORD).await;
        created.school.id
    }

    pub async fn accept(&self, token: &Secret, password: &str) {
        let resp = self
            .call(
                "accept_invitation",
                &[
                    ("token", token.expose()),
                    ("password", password),
                    ("confirmation", password),
                ],
                None,
            )
            .await;
        assert!(
            resp.session_cookie().is_some(),
            "invitation not accepted: {} {}",
            resp.status,
            resp.body
        );
    }

    pub async fn drop_database(self) {
        self.t.drop_database().await;
    }
}

/// The token of the invitation link in the last mail sent to `to`.
pub fn invitation_token(app: &TestApp, to: &str) -> String {
    let mail = app
        .mailer
        .sent()
        .into_iter()
        .rev()
        .find(|m| m.contains(to))
        .expect("a mail to the new member");
    let start = mail.find("/invitation/").expect("an invitation link") + "/invitation/".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// One app per test database: SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.
pub async fn apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for t in testkit::databases().await {
        apps.push(TestApp::new(t).await);
    }
    apps
}

pub fn encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
