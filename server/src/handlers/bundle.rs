//! The compiled bundle under `/pkg` (wasm, JavaScript, CSS): sent as it was built, in its
//! brotli or gzip form when the browser takes one (written beside each file at build time
//! by `cargo leptos build --release --precompress`: nothing is compressed per request), and cached by browsers for a year when
//! its name carries its content's hash (a release build with cargo-leptos's `hash-files`,
//! which lists the hashes in `hash.txt` beside the server binary): a new release has new
//! names, so a phone downloads the bundle once per release, not once per visit. A name
//! without a listed hash is revalidated at each use (`no-cache`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::ServeDir;

const FOR_A_YEAR: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The hashes in `hash.txt` beside the running binary (`js: …`, `wasm: …`, `css: …`);
/// none when the bundle was built without hashing.
pub fn bundle_hashes() -> Vec<String> {
    let Some(file) = hash_file() else {
        return Vec::new();
    };
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(_, hash)| hash.trim().to_owned())
        // cargo-leptos's hashes are base64url (22 characters of an MD5).
        .filter(|hash| {
            hash.len() >= 8
                && hash
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .collect()
}

/// Where cargo-leptos writes the hashes, and Leptos reads them: beside the binary.
pub fn hash_file() -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join("hash.txt"))
}

/// The service for `/pkg`, from `<site_root>/pkg`.
pub fn service(site_root: &str, hashes: Vec<String>) -> Router {
    let files = ServeDir::new(Path::new(site_root).join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn_with_state(
            Arc::<[String]>::from(hashes),
            cache_policy,
        ))
}

async fn cache_policy(
    State(hashes): State<Arc<[String]>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let lasting = is_hashed(request.uri().path(), &hashes);
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let policy = if lasting { FOR_A_YEAR } else { REVALIDATE };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether the file `path` names carries one of `hashes` as a part of its name
/// (`ecole-courriel.<hash>.wasm`).
fn is_hashed(path: &str, hashes: &[String]) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split('.')
        .any(|part| hashes.iter().any(|hash| hash == part))
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_a_listed_hash_makes_a_file_last() {
        let hashes = vec!["Ab12Cd34Ef56".to_owned()];
        assert!(is_hashed("/ecole-courriel.Ab12Cd34Ef56.wasm", &hashes));
        assert!(is_hashed("/pkg/ecole-courriel.Ab12Cd34Ef56.js", &hashes));
        assert!(!is_hashed("/ecole-courriel.wasm", &hashes));
        assert!(!is_hashed("/ecole-courriel.Ab12Cd34Ef5.wasm", &hashes));
        assert!(!is_hashed("/Ab12Cd34Ef56/ecole-courriel.wasm", &hashes));
        assert!(!is_hashed("/ecole-courriel.wasm", &[]));
    }
}
