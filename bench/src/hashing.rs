//! Does verifying secret answers (Argon2id, 64 MiB, 3 passes, 4 lanes) hold up other
//! requests? The real server (router, middleware, SQLite) answers `GET /healthz` — a cheap
//! request with one database round trip — one after another, and its latency is measured
//! in three conditions in the same run:
//!
//! 1. idle;
//! 2. while answers are verified the way the app does it (`PasswordHasher::verify`: on the
//!    blocking pool, at most one hash per core);
//! 3. for contrast, while the same hashes run directly on the async runtime's workers —
//!    what the app would do without the blocking pool.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use domain::password::{HashCost, PasswordHasher};
use domain::secret::Secret;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// Each condition sends requests for this long, one every [`SPACING`].
const WINDOW: Duration = Duration::from_secs(4);
const SPACING: Duration = Duration::from_millis(10);
/// Verifications in flight at once: several staff members typing answers together.
const VERIFIERS: usize = 8;

async fn start_server() -> (SocketAddr, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("ecole-bench-{}.sqlite", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let vars: std::collections::HashMap<&str, String> = [
        ("ECOLE_MASTER_KEY", KEY.to_owned()),
        ("ECOLE_PEPPER", KEY.to_owned()),
        ("ECOLE_DATABASE_URL", url.clone()),
    ]
    .into();
    let config = server::config::Config::load(None, |k| vars.get(k).cloned()).expect("config");
    let db = server::open_database(&url).await.expect("database");
    let state = server::state::AppState::new(config, db, domain::mail::Mailer::memory(), None)
        .expect("state");
    let router = server::router::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    (address, path)
}

/// One `GET /healthz` over a fresh connection; its latency.
async fn one_request(address: SocketAddr) -> Duration {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    assert!(response.starts_with(b"HTTP/1.1 200"), "healthz failed");
    started.elapsed()
}

/// Requests one after another for [`WINDOW`], spaced so that the load runs in between.
async fn latencies(address: SocketAddr) -> Vec<Duration> {
    let started = Instant::now();
    let mut all = Vec::new();
    while started.elapsed() < WINDOW {
        all.push(one_request(address).await);
        tokio::time::sleep(SPACING).await;
    }
    all.sort();
    all
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(label: &str, sorted: &[Duration], hashes: usize, elapsed: Duration) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {label:<44} {:>4} requests  p50 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms   ({hashes} hashes in {:.1} s)",
        sorted.len(),
        ms(percentile(sorted, 0.5)),
        ms(percentile(sorted, 0.99)),
        ms(sorted[sorted.len() - 1]),
        elapsed.as_secs_f64(),
    );
}

/// Keeps `VERIFIERS` verifications going until `stop`; counts them.
fn verify_the_apps_way(
    hasher: &PasswordHasher,
    phc: &str,
    stop: &Arc<AtomicBool>,
    done: &Arc<AtomicUsize>,
) {
    for _ in 0..VERIFIERS {
        let (hasher, phc, stop, done) =
            (hasher.clone(), phc.to_owned(), stop.clone(), done.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let _ = hasher.verify(&Secret::new("medor"), &phc).await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

/// The same work, but computed inside async tasks (blocking the runtime's workers).
fn verify_on_the_runtime(stop: &Arc<AtomicBool>, done: &Arc<AtomicUsize>) {
    use argon2::{Algorithm, Argon2, Params, Version};
    for _ in 0..VERIFIERS {
        let (stop, done) = (stop.clone(), done.clone());
        tokio::spawn(async move {
            let params = Params::new(64 * 1024, 3, 4, Some(32)).expect("params");
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
            while !stop.load(Ordering::Relaxed) {
                let mut out = [0u8; 32];
                argon
                    .hash_password_into(b"medor", b"0123456789abcdef", &mut out)
                    .expect("hash");
                done.fetch_add(1, Ordering::Relaxed);
                tokio::task::yield_now().await;
            }
        });
    }
}

/// Prints the three conditions' latencies.
pub async fn run() {
    let (address, path) = start_server().await;
    let hasher = PasswordHasher::new(HashCost::PRODUCTION, b"bench pepper");
    let phc = hasher.hash(&Secret::new("medor")).await.expect("hash");
    let warm = latencies(address).await;
    drop(warm);

    println!(
        "\nLatency of GET /healthz (real router, SQLite), one request every {} ms for {} s, \
         while {VERIFIERS} secret answers are verified at a time (Argon2id 64 MiB, t=3, p=4), same run:",
        SPACING.as_millis(),
        WINDOW.as_secs()
    );
    let started = Instant::now();
    let idle = latencies(address).await;
    report("idle", &idle, 0, started.elapsed());

    let (stop, done) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    verify_the_apps_way(&hasher, &phc, &stop, &done);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let pooled = latencies(address).await;
    stop.store(true, Ordering::Relaxed);
    report(
        "verifying on the blocking pool (the app)",
        &pooled,
        done.load(Ordering::Relaxed),
        started.elapsed(),
    );
    tokio::time::sleep(Duration::from_secs(2)).await; // let the last hashes finish

    let (stop, done) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    verify_on_the_runtime(&stop, &done);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let blocking = latencies(address).await;
    stop.store(true, Ordering::Relaxed);
    report(
        "verifying on the async workers (contrast)",
        &blocking,
        done.load(Ordering::Relaxed),
        started.elapsed(),
    );

    let p50 = |v: &[Duration]| percentile(v, 0.5).as_secs_f64();
    let p99 = |v: &[Duration]| percentile(v, 0.99).as_secs_f64();
    println!(
        "  ratios: blocking pool / idle p50 {:.1}x, p99 {:.1}x; async workers / blocking pool p50 {:.0}x, p99 {:.0}x",
        p50(&pooled) / p50(&idle),
        p99(&pooled) / p99(&idle),
        p50(&blocking) / p50(&pooled),
        p99(&blocking) / p99(&pooled)
    );
    std::fs::remove_file(path).ok();
}
