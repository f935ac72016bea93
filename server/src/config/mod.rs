//! The server's configuration: read once, from an optional TOML file and `ECOLE_*`
//! environment variables (which win), into one [`Config`] passed to whoever needs it.
//! A missing or invalid setting stops the server with a message naming the setting.

use base64::Engine as _;
use domain::mail::{Relay, Security};
use domain::password::HashCost;
use domain::secret::Secret;
use domain::smtp::{Endpoint, Policy};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod outbox;
pub use outbox::OutboxConfig;

/// Where the app's mail goes.
#[derive(Clone)]
pub enum MailConfig {
    /// No relay configured: messages are written as `.eml` files into this folder.
    FileDrop(PathBuf),
    /// The hosting operator's relay.
    Relay(Relay),
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// Base URL of the app as users reach it (mailed links), without trailing slash.
    pub public_url: String,
    pub data_dir: PathBuf,
    /// The operator's sending address, used as `From` for the app's own notifications.
    pub sender_address: String,
    pub mail: MailConfig,
    /// Key material for encrypting secrets at rest (SMTP passwords): the current key seals.
    pub master_key: Secret,
    /// Earlier master keys, still able to open what they sealed until `rotate-master-key`.
    pub previous_master_keys: Vec<Secret>,
    /// Let schools point at SMTP hosts on loopback or private networks (off in production;
    /// the tests' loopback SMTP server needs it).
    pub allow_private_smtp_hosts: bool,
    /// PEM certificates trusted for SMTP besides the public roots (an internal CA).
    pub smtp_extra_roots: Vec<Vec<u8>>,
    /// Mixed into every Argon2id hash; kept outside the database.
    pub pepper: Secret,
    pub hash_cost: HashCost,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Folder of the compiled site (wasm, JS, CSS), as cargo-leptos lays it out.
    pub site_root: String,
    /// How the outbox is delivered from this instance.
    pub outbox: OutboxConfig,
}

/// A setting that is missing or wrong, named as the operator would write it.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting} ({env}): {problem}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub env: &'static str,
    pub problem: String,
}

/// What a setting is when it is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initial {
    /// This value, read as if it had been given.
    Value(&'static str),
    /// None: the server does not start without it.
    Required,
    /// Unset unless given.
    Unset,
    /// Worked out from other settings or at start, as this says.
    Derived(&'static str),
}

/// One setting, declared once: its key in the file, its environment variable (and the
/// one cargo-leptos sets, read when that is not), what it is when not given, and what it
/// is for. Its check is in [`Config::from_raw`], which names it through [`refuse`].
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub name: &'static str,
    pub env: &'static str,
    pub also: Option<&'static str>,
    pub initial: Initial,
    pub about: &'static str,
}

/// Declares the settings: the file's keys ([`Raw`], every one a string until checked),
/// the environment variables that override them, and [`SETTINGS`], which the README's
/// table is checked against (`tests::the_readme_lists_every_setting`).
macro_rules! settings {
    ($($name:ident: $env:literal $(or $also:literal)?, $initial:expr, $about:literal;)*) => {
        #[derive(Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            $($name: Option<String>,)*
        }

        impl Raw {
            /// The environment wins over the file.
            fn override_from(&mut self, env: &impl Fn(&str) -> Option<String>) {
                $(
                    if let Some(v) = env($env) $(.or_else(|| self.$name.is_none().then(|| env($also)).flatten()))? {
                        self.$name = Some(v);
                    }
                )*
            }
        }

        /// Every setting, in the README's order.
        pub const SETTINGS: &[Setting] = &[
            $(Setting {
                name: stringify!($name),
                env: $env,
                also: settings!(@also $($also)?),
                initial: $initial,
                about: $about,
            },)*
        ];
    };
    (@also $also:literal) => { Some($also) };
    (@also) => { None };
}

use Initial::{Derived, Required, Unset, Value};

settings! {
    listen: "ECOLE_LISTEN" or "LEPTOS_SITE_ADDR", Value("127.0.0.1:3000"), "address to serve on";
    database_url: "ECOLE_DATABASE_URL", Derived("`sqlite://<data_dir>/ecole.sqlite?mode=rwc`"), "SQLite file, or postgres://… for several instances";
    public_url: "ECOLE_PUBLIC_URL", Derived("`http://<listen>`"), "the URL users reach (mailed links)";
    data_dir: "ECOLE_DATA_DIR", Value("data"), "where the SQLite file and the mail drop live";
    sender_address: "ECOLE_SENDER_ADDRESS", Value("ne-pas-repondre@ecole-courriel.invalid"), "the operator's sending address";
    master_key: "ECOLE_MASTER_KEY", Required, "32 bytes, base64: encrypts secrets at rest";
    pepper: "ECOLE_PEPPER", Required, "32 bytes, base64: mixed into every password hash";
    relay_host: "ECOLE_RELAY_HOST", Unset, "the hosting relay (unset: mail goes to <data_dir>/mail)";
    relay_port: "ECOLE_RELAY_PORT", Derived("587 / 465 / 25 by security"), "the relay's port";
    relay_security: "ECOLE_RELAY_SECURITY", Value("starttls"), "starttls, tls (implicit) or none";
    relay_username: "ECOLE_RELAY_USERNAME", Unset, "relay user name (with relay_password)";
    relay_password: "ECOLE_RELAY_PASSWORD", Unset, "relay password (with relay_username)";
    previous_master_keys: "ECOLE_PREVIOUS_MASTER_KEYS", Unset, "comma-separated earlier master keys";
    allow_private_smtp_hosts: "ECOLE_ALLOW_PRIVATE_SMTP_HOSTS", Value("false"), "let schools use SMTP hosts on private networks";
    smtp_extra_ca_file: "ECOLE_SMTP_EXTRA_CA_FILE", Unset, "PEM certificates trusted for SMTP besides the public roots";
    trust_forwarded_for: "ECOLE_TRUST_FORWARDED_FOR", Value("false"), "take the client address from X-Forwarded-For";
    site_root: "ECOLE_SITE_ROOT" or "LEPTOS_SITE_ROOT", Value("target/site"), "compiled wasm, JS and CSS";
    outbox_workers: "ECOLE_OUTBOX_WORKERS", Value("2"), "outbox workers in this instance (0 to 64)";
    outbox_lease_secs: "ECOLE_OUTBOX_LEASE_SECS", Value("300"), "how long a worker's claim holds (2 to 86400)";
    outbox_first_retry_secs: "ECOLE_OUTBOX_FIRST_RETRY_SECS", Value("60"), "wait after a first temporary failure (1 to 86400)";
    instance_name: "ECOLE_INSTANCE_NAME", Derived("`pid<pid>-<random>`"), "names this instance's claims";
    outbox_retention_days: "ECOLE_OUTBOX_RETENTION_DAYS", Value("30"), "days a send with failures keeps what a retry needs (1 to 3650)";
    draft_lifetime_days: "ECOLE_DRAFT_LIFETIME_DAYS", Value("30"), "days an untouched draft is kept (1 to 3650)";
    relay_pace_per_minute: "ECOLE_RELAY_PACE_PER_MINUTE", Value("120"), "messages per account per minute through the host's relay (0: no limit)";
    relay_pace_per_day: "ECOLE_RELAY_PACE_PER_DAY", Value("20000"), "the same per 24 hours (0: no limit)";
}

/// The setting called `name`.
fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The value `name` takes when not given, if it is a plain value.
fn initial(name: &str) -> Option<&'static str> {
    match setting(name)?.initial {
        Value(value) => Some(value),
        Required | Unset | Derived(_) => None,
    }
}

/// `value`, or the setting's declared value when not given.
fn given_or_initial(value: Option<String>, name: &str) -> Option<String> {
    value.or_else(|| initial(name).map(str::to_owned))
}

/// The setting `name` is refused for `problem`, named with its environment variable.
fn refuse(name: &'static str, problem: impl Into<String>) -> ConfigError {
    err(name, setting(name).map_or("", |s| s.env), problem)
}

fn err(setting: &'static str, env: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        env,
        problem: problem.into(),
    }
}

impl Config {
    /// Reads the file at `file` (if given) then the environment.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut raw = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    err(
                        "config file",
                        "ECOLE_CONFIG",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                toml::from_str::<Raw>(&text).map_err(|e| {
                    // Only the message and position: the offending line may hold a key.
                    let at = e
                        .span()
                        .map(|s| format!(" (byte {})", s.start))
                        .unwrap_or_default();
                    err(
                        "config file",
                        "ECOLE_CONFIG",
                        format!("{}: {}{at}", path.display(), e.message()),
                    )
                })?
            }
            None => Raw::default(),
        };
        raw.override_from(&env);
        Self::from_raw(raw)
    }

    fn from_raw(raw: Raw) -> Result<Config, ConfigError> {
        let listen: SocketAddr = raw
            .listen
            .or_else(|| initial("listen").map(str::to_owned))
            .unwrap_or_default()
            .parse()
            .map_err(|_| refuse("listen", "expected an address such as 127.0.0.1:3000"))?;
        let data_dir =
            PathBuf::from(given_or_initial(raw.data_dir, "data_dir").unwrap_or_default());
        let database_url = raw.database_url.unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("ecole.sqlite").display()
            )
        });
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(refuse(
                "database_url",
                "expected sqlite://… or postgres://…",
            ));
        }
        let public_url = raw.public_url.unwrap_or_else(|| format!("http://{listen}"));
        let parsed = url::Url::parse(&public_url).map_err(|_| {
            refuse(
                "public_url",
                "expected a URL such as https://ecoles.example.fr",
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(refuse("public_url", "expected an http:// or https:// URL"));
        }
        let sender_address = domain::validate::email(
            &given_or_initial(raw.sender_address, "sender_address").unwrap_or_default(),
        )
        .map_err(|_| refuse("sender_address", "not a valid e-mail address"))?;
        let master_key = key_setting(raw.master_key, "master_key")?;
        let pepper = key_setting(raw.pepper, "pepper")?;
        let trust_forwarded_for = flag(raw.trust_forwarded_for, "trust_forwarded_for")?;
        let allow_private_smtp_hosts =
            flag(raw.allow_private_smtp_hosts, "allow_private_smtp_hosts")?;
        let previous_master_keys = raw
            .previous_master_keys
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| key_setting(Some(k.to_owned()), "previous_master_keys"))
            .collect::<Result<Vec<_>, _>>()?;
        let smtp_extra_roots = match raw.smtp_extra_ca_file {
            None => Vec::new(),
            Some(path) => pem_certificates(&path)?,
        };
        let mail = match raw.relay_host {
            None => MailConfig::FileDrop(data_dir.join("mail")),
            Some(host) => MailConfig::Relay(relay(
                host,
                raw.relay_port,
                raw.relay_security,
                raw.relay_username,
                raw.relay_password,
                &smtp_extra_roots,
            )?),
        };
        let outbox = outbox::from_settings(
            raw.outbox_workers,
            raw.outbox_lease_secs,
            raw.outbox_first_retry_secs,
            raw.instance_name,
        )?
        .with_hosting_pace(raw.relay_pace_per_minute, raw.relay_pace_per_day)?
        .with_retention(raw.outbox_retention_days, raw.draft_lifetime_days)?;
        Ok(Config {
            outbox,
            listen,
            database_url,
            public_url: public_url.trim_end_matches('/').to_owned(),
            data_dir,
            sender_address,
            mail,
            master_key,
            previous_master_keys,
            allow_private_smtp_hosts,
            smtp_extra_roots,
            pepper,
            hash_cost: HashCost::PRODUCTION,
            trust_forwarded_for,
            site_root: given_or_initial(raw.site_root, "site_root").unwrap_or_default(),
        })
    }

    /// The master keys as the crypto layer uses them.
    pub fn master_keys(&self) -> Result<domain::crypto::MasterKeys, ConfigError> {
        let previous: Vec<&str> = self
            .previous_master_keys
            .iter()
            .map(|k| k.expose())
            .collect();
        domain::crypto::MasterKeys::from_base64(self.master_key.expose(), &previous)
            .map_err(|e| refuse("master_key", e.to_string()))
    }

    /// Cookies are `Secure` (and `__Host-` prefixed) exactly when users come over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// A 32-byte key given in base64.
fn key_setting(value: Option<String>, setting: &'static str) -> Result<Secret, ConfigError> {
    let value = value.ok_or_else(|| {
        refuse(
            setting,
            "missing; generate one with `openssl rand -base64 32`",
        )
    })?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| {
            refuse(
                setting,
                "not valid base64; generate one with `openssl rand -base64 32`",
            )
        })?;
    if bytes.len() != 32 {
        return Err(refuse(
            setting,
            format!("must be 32 bytes once decoded, got {}", bytes.len()),
        ));
    }
    Ok(Secret::new(value.trim().to_owned()))
}

fn flag(value: Option<String>, setting: &'static str) -> Result<bool, ConfigError> {
    match given_or_initial(value, setting).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(refuse(setting, "expected true or false")),
    }
}

/// The DER certificates of a PEM file.
fn pem_certificates(path: &str) -> Result<Vec<Vec<u8>>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| refuse("smtp_extra_ca_file", format!("cannot read {path}: {e}")))?;
    let mut certificates = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (line.trim(), current.as_mut()) {
            ("-----BEGIN CERTIFICATE-----", _) => current = Some(String::new()),
            ("-----END CERTIFICATE-----", Some(body)) => {
                let der = base64::engine::general_purpose::STANDARD
                    .decode(body.as_bytes())
                    .map_err(|_| refuse("smtp_extra_ca_file", "malformed PEM"))?;
                certificates.push(der);
                current = None;
            }
            (line, Some(body)) => body.push_str(line),
            _ => {}
        }
    }
    if certificates.is_empty() {
        return Err(refuse("smtp_extra_ca_file", "no certificate in the file"));
    }
    Ok(certificates)
}

fn relay(
    host: String,
    port: Option<String>,
    security: Option<String>,
    username: Option<String>,
    password: Option<String>,
    extra_roots: &[Vec<u8>],
) -> Result<Relay, ConfigError> {
    let security =
        Security::parse(&given_or_initial(security, "relay_security").unwrap_or_default())
            .ok_or_else(|| refuse("relay_security", "expected starttls, tls or none"))?;
    let port = match port {
        None => security.default_port(),
        Some(p) => p
            .parse()
            .map_err(|_| refuse("relay_port", "expected a port number"))?,
    };
    if username.is_some() != password.is_some() {
        return Err(refuse(
            "relay_username",
            "give both relay_username and relay_password, or neither",
        ));
    }
    Ok(Relay {
        endpoint: Endpoint {
            host,
            port,
            security,
            username,
            password: password.map(Secret::new),
            token: None,
        },
        // The operator chose this relay: it may sit on their own private network.
        policy: Policy {
            allow_private_hosts: true,
            any_port: true,
            extra_roots: extra_roots.iter().cloned().map(Into::into).collect(),
            step_timeout: Duration::from_secs(20),
            hello_name: "localhost".into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(None, |k| vars.get(k).cloned())
    }

    /// The message for a configuration that must be refused.
    fn refused(vars: &[(&str, &str)]) -> String {
        match load(vars) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted {vars:?}"),
        }
    }

    #[test]
    fn defaults_give_a_runnable_development_setup() -> Result<(), ConfigError> {
        let config = load(&[("ECOLE_MASTER_KEY", KEY), ("ECOLE_PEPPER", KEY)])?;
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database_url, "sqlite://data/ecole.sqlite?mode=rwc");
        assert!(matches!(config.mail, MailConfig::FileDrop(ref p) if p.ends_with("mail")));
        assert!(!config.secure_cookies());
        Ok(())
    }

    #[test]
    fn missing_or_bad_settings_are_named() {
        let e = refused(&[("ECOLE_PEPPER", KEY)]);
        assert!(e.contains("ECOLE_MASTER_KEY"), "{e}");
        let e = refused(&[("ECOLE_MASTER_KEY", "short"), ("ECOLE_PEPPER", KEY)]);
        assert!(e.contains("master_key"), "{e}");
        let e = refused(&[
            ("ECOLE_MASTER_KEY", KEY),
            ("ECOLE_PEPPER", KEY),
            ("ECOLE_LISTEN", "nope"),
        ]);
        assert!(e.contains("ECOLE_LISTEN"), "{e}");
        let e = refused(&[
            ("ECOLE_MASTER_KEY", KEY),
            ("ECOLE_PEPPER", KEY),
            ("ECOLE_RELAY_HOST", "smtp.x"),
            ("ECOLE_RELAY_SECURITY", "ssl"),
        ]);
        assert!(e.contains("relay_security"), "{e}");
    }

    /// The README's configuration table, as `(file key, environment variables, default)`
    /// per setting (a row naming two settings gives one each).
    fn readme_rows() -> Vec<(String, Vec<String>, String)> {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));
        let ticked = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect()
        };
        let mut rows = Vec::new();
        let table = readme
            .lines()
            .skip_while(|l| !l.starts_with("| file key | environment | default |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'));
        for line in table {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let (names, envs, default) = (ticked(cells[0]), ticked(cells[1]), cells[2]);
            if names.len() == 1 {
                rows.push((names[0].clone(), envs, default.to_owned()));
            } else {
                assert_eq!(names.len(), envs.len(), "{line}");
                for (name, env) in names.into_iter().zip(envs) {
                    rows.push((name, vec![env], default.to_owned()));
                }
            }
        }
        rows
    }

    #[test]
    fn the_readme_lists_every_setting() {
        let rows = readme_rows();
        let listed: Vec<&str> = rows.iter().map(|(name, _, _)| name.as_str()).collect();
        let declared: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        assert_eq!(listed, declared, "the README's table, in the same order");
        for (setting, (_, envs, default)) in SETTINGS.iter().zip(&rows) {
            let expected: Vec<&str> = std::iter::once(setting.env).chain(setting.also).collect();
            assert_eq!(envs, &expected, "{}", setting.name);
            let same = match setting.initial {
                Value(value) => *default == format!("`{value}`"),
                Required => default == "**required**",
                Unset => default.starts_with("none"),
                Derived(text) => default == text,
            };
            assert!(
                same,
                "{}: README says {default}, declared {:?}",
                setting.name, setting.initial
            );
        }
    }

    #[test]
    fn declared_values_are_the_ones_in_use() -> Result<(), ConfigError> {
        let config = load(&[("ECOLE_MASTER_KEY", KEY), ("ECOLE_PEPPER", KEY)])?;
        let worker = domain::outbox::worker::WorkerConfig::default();
        let retention = domain::outbox::retention::Retention::default();
        let number = |name| initial(name).and_then(|v| v.parse::<i64>().ok());
        assert_eq!(
            number("relay_pace_per_minute"),
            Some(i64::from(worker.hosting_pace.per_minute))
        );
        assert_eq!(
            number("relay_pace_per_day"),
            Some(i64::from(worker.hosting_pace.per_day))
        );
        assert_eq!(
            number("outbox_retention_days"),
            Some(retention.failed_kept_for.num_days())
        );
        assert_eq!(
            number("draft_lifetime_days"),
            Some(retention.draft_lifetime.num_days())
        );
        assert_eq!(config.outbox.workers, 2);
        assert_eq!(config.outbox.worker.lease_secs, 300);
        assert_eq!(config.outbox.worker.first_retry_secs, 60);
        assert_eq!(config.outbox.worker.hosting_pace, worker.hosting_pace);
        assert_eq!(config.site_root, "target/site");
        assert_eq!(
            config.sender_address,
            "ne-pas-repondre@ecole-courriel.invalid"
        );
        assert!(!config.trust_forwarded_for && !config.allow_private_smtp_hosts);
        // cargo-leptos's variables count only when ECOLE_'s are not set.
        let config = load(&[
            ("ECOLE_MASTER_KEY", KEY),
            ("ECOLE_PEPPER", KEY),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3100"),
            ("LEPTOS_SITE_ROOT", "site"),
            ("ECOLE_SITE_ROOT", "ecole-site"),
        ])?;
        assert_eq!(config.listen.to_string(), "127.0.0.1:3100");
        assert_eq!(config.site_root, "ecole-site");
        // A relay with no security given uses STARTTLS on 587.
        let config = load(&[
            ("ECOLE_MASTER_KEY", KEY),
            ("ECOLE_PEPPER", KEY),
            ("ECOLE_RELAY_HOST", "smtp.x"),
        ])?;
        match config.mail {
            MailConfig::Relay(relay) => {
                assert_eq!(relay.endpoint.security, Security::StartTls);
                assert_eq!(relay.endpoint.port, 587);
            }
            MailConfig::FileDrop(_) => panic!("no relay"),
        }
        Ok(())
    }

    #[test]
    fn https_public_url_means_secure_cookies() -> Result<(), ConfigError> {
        let config = load(&[
            ("ECOLE_MASTER_KEY", KEY),
            ("ECOLE_PEPPER", KEY),
            ("ECOLE_PUBLIC_URL", "https://ecoles.example.fr/"),
        ])?;
        assert!(config.secure_cookies());
        assert_eq!(config.public_url, "https://ecoles.example.fr");
        Ok(())
    }
}
