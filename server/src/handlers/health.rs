use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// `/healthz`: 200 when the database answers, 503 otherwise (for load balancers).
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.server.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}
