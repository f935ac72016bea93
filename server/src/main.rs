//! Entry point: logging, then the command line (see [`server::cli`]).

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(server::DEFAULT_LOG_FILTER));
    let json = std::env::var("ECOLE_LOG_FORMAT").is_ok_and(|f| f == "json");
    if json {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .json()
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    match server::cli::run(server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("erreur / error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
