//! The project's commands, in plain Rust so nothing extra needs installing:
//!
//! - `cargo xtask serve`: installs what is missing, builds, and serves on 127.0.0.1:3000.
//! - `cargo xtask test`: formatting, lints, unit and integration tests (SQLite, and
//!   PostgreSQL when `TEST_DATABASE_URL` is set), then the end-to-end suite in Chromium.
//! - `cargo xtask bench`: benchmarks that print figures (not tests).
//! - `cargo xtask size`: the release bundle's sizes against the first-load budget (also
//!   part of `test`).
//!
//! Tools are installed only when the right version is missing, since cargo-leptos alone
//! takes about 18 minutes to compile here (see `shared/TOOLCHAIN.md`).

mod site;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("serve") => serve(),
        Some("test") => test(&args[1..]),
        Some("setup") => tools::ensure_all(&root()),
        // The bundle's sizes and budget, for a release build already made.
        Some("size") => site::check_budget(&root(), true),
        Some("bench") => tools::ensure_postfix_tools().and_then(|()| {
            let mut cmd = Command::new("cargo");
            cmd.current_dir(root())
                .args(["run", "--release", "--quiet", "-p", "bench", "--"])
                .args(&args[1..]);
            // The PostgreSQL rows use the machine's server when one answers.
            if std::env::var_os("TEST_DATABASE_URL").is_none() && tools::local_postgres() {
                cmd.env("TEST_DATABASE_URL", tools::LOCAL_POSTGRES);
            }
            run(&mut cmd)
        }),
        _ => Err(
            "usage: cargo xtask serve | test [--no-e2e] | bench [smtp|hashing|outbox|fairness|fill] | size | setup"
                .to_owned(),
        ),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Runs a command, failing with its description if it fails.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("+ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

fn serve() -> Result {
    let root = root();
    tools::ensure_build_tools(&root)?;
    let config = ensure_dev_config(&root)?;
    run(tools::leptos(&root).args(site::BUILD))?;
    site::check_budget(&root, false)?;
    let server = root.join("target/release/server");
    println!(
        "\nÉcole Courriel is starting on http://127.0.0.1:3000\n\
         Next, in another terminal, create a school and its administrator:\n  \
         ECOLE_CONFIG={config} {server} create-school --name \"Collège Jean Moulin\" --admin-email direction@example.fr --admin-name \"Anne Martin\"\n\
         then open the invitation link it prints (the mail itself is in data/mail/).\n",
        config = config.display(),
        server = server.display(),
    );
    run(Command::new(&server)
        .current_dir(&root)
        .env("ECOLE_CONFIG", &config)
        .env("LEPTOS_SITE_ROOT", root.join("target/site")))
}

/// Writes `data/ecole.toml` with fresh random keys the first time, so a newcomer needs to
/// configure nothing. Never overwritten: the keys protect what the database holds.
fn ensure_dev_config(root: &Path) -> Result<PathBuf> {
    let data = root.join("data");
    let path = data.join("ecole.toml");
    if !path.exists() {
        std::fs::create_dir_all(&data)
            .map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        let text = format!(
            "# Development configuration written by `cargo xtask serve`. See README.md.\n\
             data_dir = \"{data}\"\n\
             master_key = \"{}\"\n\
             pepper = \"{}\"\n",
            tools::random_key()?,
            tools::random_key()?,
            data = data.display(),
        );
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {} with fresh keys", path.display());
    }
    Ok(path)
}

fn test(args: &[String]) -> Result {
    let root = root();
    let e2e = !args.iter().any(|a| a == "--no-e2e");
    tools::ensure_all(&root)?;
    run(Command::new("cargo")
        .current_dir(&root)
        .args(["fmt", "--all", "--check"]))?;
    run(Command::new("cargo").current_dir(&root).args([
        "clippy",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    match std::env::var("TEST_DATABASE_URL") {
        Ok(_) => eprintln!("integration tests: SQLite and PostgreSQL (TEST_DATABASE_URL)"),
        Err(_) => {
            eprintln!("integration tests: SQLite only (set TEST_DATABASE_URL for PostgreSQL)")
        }
    }
    run(Command::new("cargo").current_dir(&root).args([
        "test",
        "--workspace",
        "--exclude",
        "frontend",
    ]))?;
    if e2e {
        run(tools::leptos(&root).args(site::BUILD))?;
        site::check_budget(&root, true)?;
        run(tools::npx(&root).args(["playwright", "test"]))?;
    }
    Ok(())
}
