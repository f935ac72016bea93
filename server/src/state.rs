//! The application state built once at start-up from the [`Config`].

use axum::extract::FromRef;
use base64::Engine as _;
use domain::mail::Mailer;
use domain::password::PasswordHasher;
use leptos::config::LeptosOptions;
use leptos_axum::AxumRouteListing;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

use app::ssr::ServerState;

use crate::config::{Config, MailConfig};

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub routes: Vec<AxumRouteListing>,
    pub server: ServerState,
    pub config: Arc<Config>,
    pub metrics: Option<PrometheusHandle>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// Builds the state around an open database and the given mailer.
    pub fn new(
        config: Config,
        db: domain::DatabaseConnection,
        mailer: Mailer,
        metrics: Option<PrometheusHandle>,
    ) -> Self {
        let pepper = base64::engine::general_purpose::STANDARD
            .decode(config.pepper.expose())
            .unwrap_or_default();
        let server = ServerState {
            db,
            mailer,
            hasher: PasswordHasher::new(config.hash_cost, &pepper),
            sender_address: config.sender_address.clone(),
            public_url: config.public_url.clone(),
            secure_cookies: config.secure_cookies(),
        };
        let leptos_options = LeptosOptions::builder()
            .output_name("ecole-courriel")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(config.listen)
            .build();
        let routes = leptos_axum::generate_route_list(app::App);
        Self {
            leptos_options,
            routes,
            server,
            config: Arc::new(config),
            metrics,
        }
    }
}

/// The mailer the configuration asks for.
pub fn mailer_from(config: &Config) -> Mailer {
    match &config.mail {
        MailConfig::FileDrop(dir) => Mailer::FileDrop(dir.clone()),
        MailConfig::Relay(relay) => Mailer::Relay(Arc::new(relay.clone())),
    }
}
