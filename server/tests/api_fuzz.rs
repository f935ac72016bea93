//! schemathesis (PyPI, installed by `cargo xtask test`) against the real server binary
//! with a valid school token: a bounded number of generated requests per operation of the
//! generated `/api/v1` document, checking that none gets a 5xx and every answer has a
//! declared status, content type and a body its schema accepts. Skipped only when python3
//! is missing; schemathesis missing is a failure.

mod support;

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testkit::fixtures::secretariat;

/// The generated cases per operation and phase; a fixed seed makes a failure repeatable.
const MAX_EXAMPLES: &str = "50";
const SEED: &str = "20261201";

fn python_scripts_dir() -> Option<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_document() {
    let Some(scripts) = python_scripts_dir() else {
        eprintln!("SKIPPED: python3 is missing, so schemathesis cannot run");
        return;
    };
    let t = testkit::sqlite().await;
    let school = secretariat(&t.db, chrono::Utc::now()).await;
    let (_, token) = domain::api_tokens::create(&t.db, &school.admin, "Fuzz", chrono::Utc::now())
        .await
        .expect("token");
    let port = testkit::smtp::free_port();
    let dir = std::env::temp_dir().join(format!("api-fuzz-{port}"));
    std::fs::create_dir_all(&dir).expect("data dir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env("ECOLE_DATABASE_URL", t.url())
        .env("ECOLE_MASTER_KEY", support::KEY)
        .env("ECOLE_PEPPER", support::KEY)
        .env("ECOLE_LISTEN", format!("127.0.0.1:{port}"))
        .env("ECOLE_DATA_DIR", &dir)
        // Nothing queued here is delivered: no relay answers.
        .env("ECOLE_RELAY_HOST", "127.0.0.1")
        .env("ECOLE_RELAY_PORT", "9")
        .env("ECOLE_RELAY_SECURITY", "none")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(dir.join("server.log"))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
        .spawn()
        .expect("server binary");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the server did not listen"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let schemathesis = format!("{scripts}/schemathesis");
    let out = Command::new(&schemathesis)
        .args([
            "run",
            &format!("http://127.0.0.1:{port}/api/v1/openapi.json"),
            "--header",
            &format!("Authorization: Bearer {}", token.expose()),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--workers",
            "1",
            "--request-timeout",
            "20",
            "--no-color",
        ])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .current_dir(&dir)
        .output();
    server.kill().ok();
    server.wait().ok();
    let out = out.unwrap_or_else(|e| {
        panic!("{schemathesis} did not start ({e}); `cargo xtask test` installs it")
    });
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{report}\nserver log:\n{log}"
    );
    eprintln!("{report}");
    std::fs::remove_dir_all(&dir).ok();
    t.drop_database().await;
}
