//! Server-function forms posted as a browser without the wasm posts them (form-encoded,
//! asking for HTML), and the page the 303 sends it back to.

use axum::body::Body;
use axum::http::{Request, header};

use super::{Resp, TestApp};

const ORIGIN: &str = "http://127.0.0.1:3000";

/// A form posted by a browser without the wasm, from the page `from`.
pub async fn plain_post(
    app: &TestApp,
    endpoint: &str,
    form: &[(&str, &str)],
    cookie: &str,
    from: &str,
) -> Resp {
    let request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, format!("{ORIGIN}{from}"))
        .header("sec-fetch-site", "same-origin")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::COOKIE, cookie)
        .body(Body::from(super::encode(form)))
        .expect("request");
    app.send(request).await
}

/// The page a plain form post sends the browser back to.
pub fn back_to(resp: &Resp) -> String {
    assert!(
        resp.status.is_redirection(),
        "{} {}",
        resp.status,
        resp.body
    );
    resp.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .trim_start_matches(ORIGIN)
        .to_owned()
}
