//! Multipart form posts as a browser sends them (the compose form, the recovery-file
//! uploads), and reading the 303 that answers them.

use app::error::AppError;
use app::notice::Outcome;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use super::{Resp, TestApp};

pub const BOUNDARY: &str = "----ecole-test-boundary";

/// One part of a multipart form: a field, or a file with its name.
pub enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a str, Vec<u8>),
    /// A file with the Content-Type the client claims for it.
    Typed(&'a str, &'a str, &'a str, Vec<u8>),
}

pub fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                        .as_bytes(),
                );
            }
            Part::File(name, file_name, bytes) => {
                file_part(
                    &mut body,
                    name,
                    file_name,
                    "application/octet-stream",
                    bytes,
                );
            }
            Part::Typed(name, file_name, content_type, bytes) => {
                file_part(&mut body, name, file_name, content_type, bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn file_part(body: &mut Vec<u8>, name: &str, file_name: &str, content_type: &str, bytes: &[u8]) {
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
}

pub async fn post_form(
    app: &TestApp,
    path: &str,
    parts: &[Part<'_>],
    cookie: &str,
    site: &str,
) -> Resp {
    let request = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("sec-fetch-site", site)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::COOKIE, cookie)
        .body(Body::from(multipart(parts)))
        .expect("request");
    app.send(request).await
}

/// Where a 303 leads, and the refusal it leaves for that page (its one-time notice), if any.
pub fn redirect(resp: &Resp) -> (String, Option<AppError>) {
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let location = resp.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let error = match super::notice::notice_in(resp).map(|notice| notice.outcome) {
        Some(Outcome::Refused(error)) => Some(error),
        _ => None,
    };
    (location, error)
}
