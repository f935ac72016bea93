//! A form's outcome as the browser carries it to the next page: the sealed notice cookie
//! (`server/src/middleware/notice.rs`), a cookie jar that keeps what responses set, and
//! following a redirect the way a browser does.

use app::notice::Notice;
use axum::http::header;
use domain::crypto::MasterKeys;
use std::collections::BTreeMap;

use super::{Resp, TestApp};

const NOTICE_COOKIE: &str = "ecole_avis";

/// The notice a response leaves for the next page, opened with the tests' master keys
/// (`support::KEY` or the fixtures' key).
pub fn notice_in(resp: &Resp) -> Option<Notice> {
    let keys = MasterKeys::from_base64(super::KEY, &[testkit::fixtures::MASTER_KEY]).ok()?;
    let sealed = set_cookies(resp)
        .into_iter()
        .find(|(name, value, _)| name == NOTICE_COOKIE && !value.is_empty())?
        .1;
    let json = domain::crypto::open(&keys, &sealed, "form-notice").ok()?;
    serde_json::from_str(json.expose()).ok()
}

/// `(name, value, max_age)` of each cookie a response sets.
fn set_cookies(resp: &Resp) -> Vec<(String, String, Option<i64>)> {
    resp.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let mut attributes = v.split(';');
            let (name, value) = attributes.next()?.trim().split_once('=')?;
            let max_age = attributes
                .filter_map(|a| a.trim().strip_prefix("Max-Age="))
                .find_map(|a| a.parse().ok());
            Some((name.to_owned(), value.to_owned(), max_age))
        })
        .collect()
}

/// The cookies a browser holds for the site.
#[derive(Clone, Debug, Default)]
pub struct Jar(BTreeMap<String, String>);

impl Jar {
    /// A jar holding `cookie` (`name=value`, e.g. a session cookie), if any.
    pub fn with(cookie: Option<&str>) -> Self {
        let mut jar = Self::default();
        if let Some((name, value)) = cookie.and_then(|c| c.split_once('=')) {
            jar.0.insert(name.to_owned(), value.to_owned());
        }
        jar
    }

    /// Keeps what `resp` sets, and forgets what it clears.
    pub fn keep(&mut self, resp: &Resp) {
        for (name, value, max_age) in set_cookies(resp) {
            if max_age == Some(0) || value.is_empty() {
                self.0.remove(&name);
            } else {
                self.0.insert(name, value);
            }
        }
    }

    /// The `Cookie` header value.
    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A page loaded by the browser, following redirects (as far as three).
    pub async fn get(&mut self, app: &TestApp, path: &str) -> Resp {
        let mut path = path.to_owned();
        for _ in 0..4 {
            let resp = app.get(&path, Some(&self.header())).await;
            self.keep(&resp);
            if !resp.status.is_redirection() {
                return resp;
            }
            path = location(&resp);
        }
        panic!("too many redirects from {path}");
    }

    /// Where a form post's answer sends the browser, loaded.
    pub async fn follow(&mut self, app: &TestApp, resp: &Resp) -> Resp {
        assert!(
            resp.status.is_redirection(),
            "{} {}",
            resp.status,
            resp.body
        );
        self.keep(resp);
        // As a browser does: the fragment stays on its side.
        let target = location(resp);
        let path = target.split('#').next().unwrap_or_default();
        self.get(app, path).await
    }
}

/// A redirect's `Location`, as a path on this site.
pub fn location(resp: &Resp) -> String {
    resp.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .trim_start_matches("http://127.0.0.1:3000")
        .to_owned()
}

/// Whether the page's HTML shows `text` (as written, or with HTML's escapes).
pub fn shows(body: &str, text: &str) -> bool {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;");
    body.contains(text) || body.contains(&escaped)
}
