//! Running the HTTP server until SIGINT/SIGTERM, with background upkeep.

use metrics_exporter_prometheus::PrometheusBuilder;
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::Config;
use crate::state::{AppState, mailer_from};

pub async fn run(config: Config) -> crate::StartupResult<()> {
    let db = crate::open_database(&config.database_url)
        .await
        .map_err(|e| format!("database {}: {e}", redact(&config.database_url)))?;
    let mailer = mailer_from(&config);
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| format!("metrics recorder: {e}"))?;
    let listen = config.listen;
    match &mailer {
        domain::mail::Mailer::FileDrop(_) => tracing::warn!(
            mail = %mailer.describe(),
            "no relay configured (development only): outgoing mail is written there in clear, \
             including verification codes and establishment accounts' recovery key files; \
             set relay_host before real use"
        ),
        _ => tracing::info!(mail = %mailer.describe(), "outgoing mail"),
    }
    let state = AppState::new(config, db.clone(), mailer, Some(metrics))?;
    let public_url = state.config.public_url.clone();
    tokio::spawn(purge_sessions(db.clone()));
    let workers = crate::outbox::start(&state.config.outbox, db, state.server.sending.clone());

    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(%listen, %public_url, "serving");
    axum::serve(
        listener,
        crate::router::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server: {e}"))?;
    workers.stop().await;
    tracing::info!("stopped");
    Ok(())
}

async fn purge_sessions(db: domain::DatabaseConnection) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        let now = chrono::Utc::now();
        if let Err(error) = domain::sessions::purge_expired(&db, now).await {
            tracing::warn!(%error, "session purge failed");
        }
        if let Err(error) = domain::archive::unlock::purge_expired(&db, now).await {
            tracing::warn!(%error, "archive unlock purge failed");
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = interrupt => {}, _ = terminate => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
