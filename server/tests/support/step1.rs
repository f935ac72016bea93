//! Helpers for step 1's tests: the settings form as a browser submits it, and the app as
//! an operator who allows loopback relays (the test SMTP peer) would run it.

use app::api::types::{SettingsOutcome, TestReportView};
use domain::mail::Mailer;
use testkit::smtp::SmtpPeer;

use super::{PASSWORD, Resp, TestApp};

pub const SMTP_PASSWORD: &str = "mot-de-passe-smtp-tres-secret";
pub const OTHER_KEY: &str = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";

/// The app as an operator who allows loopback relays (the test peer) would run it.
pub fn config_trusting(peer: Option<&SmtpPeer>) -> server::config::Config {
    let mut config = super::test_config();
    config.allow_private_smtp_hosts = true;
    config.smtp_extra_roots = peer
        .filter(|p| p.cert_pem.is_some())
        .map(|p| vec![p.cert_der()])
        .unwrap_or_default();
    config
}

pub async fn app_with(config: server::config::Config, hosting: Mailer) -> TestApp {
    let t = testkit::sqlite().await;
    TestApp::with_config(config, t.db.clone(), t, hosting)
}

/// The form as the browser submits it.
pub fn form<'a>(
    intent: &'a str,
    relay: &'a str,
    port: &'a str,
    security: &'a str,
    password: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("intent", intent),
        ("deliver_all_through_server", "on"),
        ("sender_name", "Collège Jean Moulin"),
        ("relay", relay),
        ("host", "localhost"),
        ("port", port),
        ("security", security),
        ("from_address", "secretariat@college-moulin.fr"),
        ("username", "ecole"),
        ("password", password),
        ("test_to", "parent@example.fr"),
    ]
}

pub fn tested(resp: &Resp) -> TestReportView {
    match serde_json::from_str::<SettingsOutcome>(&resp.body) {
        Ok(SettingsOutcome::Tested(report)) => report,
        other => panic!("expected a test report, got {other:?} from {}", resp.body),
    }
}

pub async fn admin(app: &TestApp) -> String {
    app.school("Collège Jean Moulin", "direction@college-moulin.fr")
        .await;
    app.sign_in("direction@college-moulin.fr", PASSWORD).await
}

/// The host's relay pointing at a plain loopback peer (as an operator's relay would be).
pub fn hosting_relay(peer: &SmtpPeer) -> Mailer {
    testkit::fixtures::relay_on(peer.port)
}

/// The 6-digit code in a verification mail the relay received.
pub fn code_in(mail: &testkit::smtp::Received) -> String {
    let at = mail.data.find("Code : ").expect("a code line") + "Code : ".len();
    mail.data[at..at + 6].to_owned()
}

/// The name and value of the first submit button of the form posting to `/api/{endpoint}`
/// in a rendered page: what Enter in any of its fields submits (HTML's default button).
pub fn default_button(page: &str, endpoint: &str) -> (String, String) {
    let form = &page[page
        .find(&format!("action=\"/api/{endpoint}\""))
        .unwrap_or_else(|| panic!("no form for {endpoint}"))..];
    let form = &form[..form.find("</form>").expect("form end")];
    let button = form
        .match_indices("<button")
        .map(|(at, _)| &form[at..at + form[at..].find('>').expect("tag end")])
        .find(|tag| !tag.contains("type=\"button\""))
        .expect("a submit button");
    let attr = |name: &str| {
        let key = format!(" {name}=\"");
        button.find(&key).map_or(String::new(), |at| {
            let rest = &button[at + key.len()..];
            rest[..rest.find('"').expect("quote")].to_owned()
        })
    };
    (attr("name"), attr("value"))
}
