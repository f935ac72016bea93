//! The bundle under `/pkg`: its precompressed forms are sent as they are, to browsers that
//! take them, and a file whose name carries a hash of the build is cached for a year,
//! any other revalidated (issue 17).

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::mail::Mailer;
use support::{TestApp, test_config};
use tower::ServiceExt;

const HASH: &str = "Ab12Cd34Ef56";

/// A site root holding a hashed wasm with its `.br` and `.gz` forms (marked so that which
/// one was sent shows), and an unhashed CSS.
fn site() -> std::path::PathBuf {
    let root =
        std::env::temp_dir().join(format!("bundle-{}-{}", std::process::id(), rand_suffix()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let wasm = format!("ecole-courriel.{HASH}.wasm");
    std::fs::write(pkg.join(&wasm), "RAW").expect("wasm");
    std::fs::write(pkg.join(format!("{wasm}.br")), "BROTLI").expect("br");
    std::fs::write(pkg.join(format!("{wasm}.gz")), "GZIP").expect("gz");
    std::fs::write(pkg.join("ecole-courriel.css"), "body{}").expect("css");
    root
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
}

async fn get(
    service: &axum::Router,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, header::HeaderMap, String) {
    let mut request = Request::get(path);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT_ENCODING, accept);
    }
    let response = service
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn a_hashed_file_is_sent_precompressed_and_cached_for_a_year() {
    let root = site();
    let service =
        server::handlers::bundle::service(root.to_str().expect("utf-8"), vec![HASH.into()]);
    let wasm = format!("/ecole-courriel.{HASH}.wasm");
    for (accept, body, encoding) in [
        (Some("gzip, deflate, br, zstd"), "BROTLI", Some("br")),
        (Some("gzip"), "GZIP", Some("gzip")),
        (None, "RAW", None),
    ] {
        let (status, headers, sent) = get(&service, &wasm, accept).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert_eq!(sent, body, "{accept:?}");
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
    }
    // Without a listed hash in its name, a file is revalidated at each use.
    let (status, headers, _) = get(&service, "/ecole-courriel.css", Some("br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    // The same file from a build whose hashes are not this one's: revalidated.
    let other = server::handlers::bundle::service(root.to_str().expect("utf-8"), vec![]);
    let (_, headers, _) = get(&other, &wasm, None).await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let (status, headers, _) = get(&service, "/absent.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(headers.get(header::CACHE_CONTROL).is_none());
    std::fs::remove_dir_all(root).ok();
}

/// Through the whole app: the precompressed form is not compressed again, and the bundle
/// is not marked `no-store` like the pages.
#[tokio::test]
async fn the_app_sends_the_bundle_as_built() {
    let root = site();
    let t = testkit::sqlite().await;
    let mut config = test_config();
    config.site_root = root.to_str().expect("utf-8").to_owned();
    let db = t.db.clone();
    let app = TestApp::with_config(config, db, t, Mailer::memory());
    let request = Request::get(format!("/pkg/ecole-courriel.{HASH}.wasm"))
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT_ENCODING, "br")
        .body(Body::empty())
        .expect("request");
    let resp = app.send(request).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.body, "BROTLI");
    assert_eq!(resp.headers[header::CONTENT_ENCODING], "br");
    assert_ne!(resp.headers[header::CACHE_CONTROL], "no-store");
    app.drop_database().await;
    std::fs::remove_dir_all(root).ok();
}
