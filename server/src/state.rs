//! The application state built once at start-up from the [`Config`].

use axum::extract::FromRef;
use base64::Engine as _;
use domain::mail::Mailer;
use domain::password::PasswordHasher;
use domain::sending_settings::SendingEnvironment;
use domain::smtp::Policy;
use leptos::config::LeptosOptions;
use leptos_axum::AxumRouteListing;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::Duration;

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
    ) -> crate::StartupResult<Self> {
        let pepper = base64::engine::general_purpose::STANDARD
            .decode(config.pepper.expose())
            .map_err(|_| "configuration: pepper is not base64".to_owned())?;
        let keys = config.master_keys().map_err(|e| e.to_string())?;
        let sending = SendingEnvironment {
            hosting: mailer,
            hosting_from: config.sender_address.clone(),
            school_policy: school_policy(&config),
            keys: Arc::new(keys),
        };
        let server = ServerState {
            db,
            sending,
            hasher: PasswordHasher::new(config.hash_cost, &pepper),
            public_url: config.public_url.clone(),
            secure_cookies: config.secure_cookies(),
            hosting_pace: config.outbox.worker.hosting_pace,
        };
        let leptos_options = LeptosOptions::builder()
            .output_name("ecole-courriel")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(config.listen)
            // A release build by cargo-leptos with `hash-files` names the bundle after its
            // content and lists the names in this file (see `handlers::bundle`).
            .hash_files(crate::handlers::bundle::hash_file().is_some_and(|f| f.exists()))
            .build();
        let routes = leptos_axum::generate_route_list(app::App);
        Ok(Self {
            leptos_options,
            routes,
            server,
            config: Arc::new(config),
            metrics,
        })
    }
}

/// The mailer the configuration asks for.
pub fn mailer_from(config: &Config) -> Mailer {
    match &config.mail {
        MailConfig::FileDrop(dir) => Mailer::FileDrop(dir.clone()),
        MailConfig::Relay(relay) => Mailer::Relay(Arc::new(relay.clone())),
    }
}

/// What a school's own SMTP server may be: public unless the operator allows private
/// networks, trusted by the public roots plus the operator's extra ones.
pub fn school_policy(config: &Config) -> Policy {
    Policy {
        allow_private_hosts: config.allow_private_smtp_hosts,
        // An operator who lets schools reach private networks (or tests) allows any port.
        any_port: config.allow_private_smtp_hosts,
        extra_roots: config
            .smtp_extra_roots
            .iter()
            .cloned()
            .map(Into::into)
            .collect(),
        step_timeout: Duration::from_secs(10),
        hello_name: url::Url::parse(&config.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".into()),
    }
}
