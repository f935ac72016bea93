//! `/metrics` renders what the middleware records. A binary of its own: the Prometheus
//! recorder is global to the process.

mod support;

use axum::http::StatusCode;
use metrics_exporter_prometheus::PrometheusBuilder;
use server::state::AppState;

#[tokio::test]
async fn requests_are_counted_by_method_and_status_not_by_path() {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("first recorder in this process");
    let t = testkit::sqlite().await;
    let state = AppState::new(
        support::test_config(),
        t.db.clone(),
        domain::mail::Mailer::memory(),
        Some(handle),
    )
    .expect("state");
    let app = support::TestApp {
        router: server::router::router(state),
        mailer: domain::mail::Mailer::memory(),
        t,
    };
    app.get("/nulle-part-secrete", None).await;
    app.get("/healthz", None).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics
            .body
            .contains("http_requests_total{method=\"GET\",status=\"404\"} 1"),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .contains("http_requests_total{method=\"GET\",status=\"200\"}"),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("http_request_duration_seconds"));
    assert!(
        !metrics.body.contains("nulle-part-secrete"),
        "paths are not labels"
    );
    app.drop_database().await;
}
