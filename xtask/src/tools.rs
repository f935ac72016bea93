//! Installing the build tools, each only when the pinned version is missing.

use std::path::Path;
use std::process::Command;

use crate::{Result, run};

const CARGO_LEPTOS: &str = "0.3.11";
/// Must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
const WASM_BINDGEN: &str = "0.2.130";

/// What building and serving need (npm brings binaryen's wasm-opt).
pub fn ensure_build_tools(root: &Path) -> Result {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_cargo_leptos()?;
    ensure_npm_packages(root)
}

/// Everything, including what only the tests use: Chromium, the SMTP test server and the
/// API fuzzer.
pub fn ensure_all(root: &Path) -> Result {
    ensure_build_tools(root)?;
    ensure_chromium()?;
    ensure_smtp_peer()?;
    ensure_schemathesis()
}

/// aiosmtpd: the real SMTP server the tests talk to (`testkit/smtp_peer.py`).
fn ensure_smtp_peer() -> Result {
    let present = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    run(Command::new("python3").args(["-m", "pip", "install", "--quiet", "aiosmtpd==1.4.6"]))
}

/// schemathesis: fuzzes `/api/v1` from its OpenAPI document (`server/tests/api_fuzz.rs`).
fn ensure_schemathesis() -> Result {
    let present = Command::new("python3")
        .args([
            "-c",
            "import importlib.metadata as m; assert m.version('schemathesis') == '4.32.5'",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    run(Command::new("python3").args(["-m", "pip", "install", "--quiet", "schemathesis==4.32.5"]))
}

/// Postfix's `smtp-sink` and `smtp-source`: the benchmark's loopback peer and reference
/// sender. Only the benchmarks need them, so only `cargo xtask bench` installs them; the
/// debconf answer keeps Postfix from configuring (or starting) a mail system.
pub fn ensure_postfix_tools() -> Result {
    if Path::new("/usr/sbin/smtp-sink").is_file() && Path::new("/usr/sbin/smtp-source").is_file() {
        return Ok(());
    }
    run(Command::new("sh").args([
        "-c",
        "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix",
    ]))
}

/// The PostgreSQL this machine kind runs (trust authentication, database `test`).
pub const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Whether a PostgreSQL server answers on 127.0.0.1:5432.
pub fn local_postgres() -> bool {
    Command::new("pg_isready")
        .args(["-h", "127.0.0.1", "-q"])
        .status()
        .is_ok_and(|s| s.success())
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ensure_wasm_target() -> Result {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_wasm_bindgen() -> Result {
    if output(Command::new("wasm-bindgen").arg("--version"))
        .is_some_and(|v| v.contains(WASM_BINDGEN))
    {
        return Ok(());
    }
    // Not `--locked`: its lock file names a webpki-roots release the registry lacks.
    run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]))
}

fn ensure_cargo_leptos() -> Result {
    if output(Command::new("cargo").args(["leptos", "--version"]))
        .is_some_and(|v| v.contains(CARGO_LEPTOS))
    {
        return Ok(());
    }
    // Its lock file pins cargo-util-schemas 0.14.2, which needs a newer rustc than this
    // machine's: fetch the source, step that one crate back, and install from the path.
    let work = std::env::temp_dir().join("xtask-cargo-leptos");
    let fetch = work.join("fetch");
    std::fs::create_dir_all(fetch.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        fetch.join("Cargo.toml"),
        format!("[package]\nname = \"fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[dependencies]\ncargo-leptos = \"={CARGO_LEPTOS}\"\n"),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(fetch.join("src/main.rs"), "fn main() {}\n").map_err(|e| e.to_string())?;
    run(Command::new("cargo").current_dir(&fetch).arg("fetch"))?;
    let registry = Path::new(
        &std::env::var("CARGO_HOME")
            .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default())),
    )
    .join("registry/src");
    let source = std::fs::read_dir(&registry)
        .map_err(|e| format!("{}: {e}", registry.display()))?
        .filter_map(|d| d.ok())
        .map(|d| d.path().join(format!("cargo-leptos-{CARGO_LEPTOS}")))
        .find(|p| p.exists())
        .ok_or("cargo-leptos source not found after cargo fetch")?;
    let copy = work.join("src");
    let _ = std::fs::remove_dir_all(&copy);
    run(Command::new("cp").arg("-r").arg(&source).arg(&copy))?;
    run(Command::new("cargo").current_dir(&copy).args([
        "update",
        "-p",
        "cargo-util-schemas",
        "--precise",
        "0.14.1",
    ]))?;
    run(Command::new("cargo")
        .current_dir(&copy)
        .args(["install", "--path", ".", "--locked"]))
}

fn ensure_npm_packages(root: &Path) -> Result {
    let end2end = root.join("end2end");
    let lock = end2end.join("package-lock.json");
    let installed = end2end.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(a), Ok(b)) => a.modified().ok() <= b.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    run(Command::new("npm")
        .current_dir(&end2end)
        .args(["ci", "--no-audit", "--no-fund"]))
}

fn ensure_chromium() -> Result {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "chromium"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// `cargo leptos` with npm's wasm-opt (binaryen 132) first on PATH: Debian's older one
/// produces a release wasm that fails to hydrate, and cargo-leptos cannot download its own.
pub fn leptos(root: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root)
        .arg("leptos")
        .env("PATH", path_with_npm_bin(root));
    cmd
}

pub fn npx(root: &Path) -> Command {
    let mut cmd = Command::new("npx");
    cmd.current_dir(root.join("end2end"))
        .env("PATH", path_with_npm_bin(root));
    cmd
}

fn path_with_npm_bin(root: &Path) -> String {
    let bin = root.join("end2end/node_modules/.bin");
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// 32 random bytes from the OS, base64-encoded, for a development configuration.
pub fn random_key() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(base64(&bytes))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
