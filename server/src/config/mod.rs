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

/// The file's keys; every one may also come from `ECOLE_<KEY>` in upper case.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    listen: Option<String>,
    database_url: Option<String>,
    public_url: Option<String>,
    data_dir: Option<String>,
    sender_address: Option<String>,
    master_key: Option<String>,
    pepper: Option<String>,
    trust_forwarded_for: Option<String>,
    relay_host: Option<String>,
    relay_port: Option<String>,
    relay_security: Option<String>,
    relay_username: Option<String>,
    relay_password: Option<String>,
    site_root: Option<String>,
    previous_master_keys: Option<String>,
    allow_private_smtp_hosts: Option<String>,
    smtp_extra_ca_file: Option<String>,
    outbox_workers: Option<String>,
    outbox_lease_secs: Option<String>,
    outbox_first_retry_secs: Option<String>,
    instance_name: Option<String>,
    relay_pace_per_minute: Option<String>,
    relay_pace_per_day: Option<String>,
    outbox_retention_days: Option<String>,
    draft_lifetime_days: Option<String>,
}

macro_rules! env_override {
    ($raw:ident, $lookup:ident, $($field:ident),*) => {
        $( if let Some(v) = $lookup(&format!("ECOLE_{}", stringify!($field).to_uppercase())) { $raw.$field = Some(v); } )*
    };
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
        env_override!(
            raw,
            env,
            listen,
            database_url,
            public_url,
            data_dir,
            sender_address,
            master_key,
            previous_master_keys,
            allow_private_smtp_hosts,
            smtp_extra_ca_file,
            pepper,
            trust_forwarded_for,
            relay_host,
            relay_port,
            relay_security,
            relay_username,
            relay_password,
            site_root,
            outbox_workers,
            outbox_lease_secs,
            outbox_first_retry_secs,
            instance_name,
            relay_pace_per_minute,
            relay_pace_per_day,
            outbox_retention_days,
            draft_lifetime_days
        );
        // cargo-leptos passes the address and site folder it built for.
        if raw.listen.is_none() {
            raw.listen = env("LEPTOS_SITE_ADDR");
        }
        if raw.site_root.is_none() {
            raw.site_root = env("LEPTOS_SITE_ROOT");
        }
        Self::from_raw(raw)
    }

    fn from_raw(raw: Raw) -> Result<Config, ConfigError> {
        let listen: SocketAddr = raw
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:3000")
            .parse()
            .map_err(|_| {
                err(
                    "listen",
                    "ECOLE_LISTEN",
                    "expected an address such as 127.0.0.1:3000",
                )
            })?;
        let data_dir = PathBuf::from(raw.data_dir.unwrap_or_else(|| "data".into()));
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
            return Err(err(
                "database_url",
                "ECOLE_DATABASE_URL",
                "expected sqlite://… or postgres://…",
            ));
        }
        let public_url = raw.public_url.unwrap_or_else(|| format!("http://{listen}"));
        let parsed = url::Url::parse(&public_url).map_err(|_| {
            err(
                "public_url",
                "ECOLE_PUBLIC_URL",
                "expected a URL such as https://ecoles.example.fr",
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(err(
                "public_url",
                "ECOLE_PUBLIC_URL",
                "expected an http:// or https:// URL",
            ));
        }
        let sender_address = domain::validate::email(
            raw.sender_address
                .as_deref()
                .unwrap_or("ne-pas-repondre@ecole-courriel.invalid"),
        )
        .map_err(|_| {
            err(
                "sender_address",
                "ECOLE_SENDER_ADDRESS",
                "not a valid e-mail address",
            )
        })?;
        let master_key = key_setting(raw.master_key, "master_key", "ECOLE_MASTER_KEY")?;
        let pepper = key_setting(raw.pepper, "pepper", "ECOLE_PEPPER")?;
        let trust_forwarded_for = flag(
            raw.trust_forwarded_for,
            "trust_forwarded_for",
            "ECOLE_TRUST_FORWARDED_FOR",
        )?;
        let allow_private_smtp_hosts = flag(
            raw.allow_private_smtp_hosts,
            "allow_private_smtp_hosts",
            "ECOLE_ALLOW_PRIVATE_SMTP_HOSTS",
        )?;
        let previous_master_keys = raw
            .previous_master_keys
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                key_setting(
                    Some(k.to_owned()),
                    "previous_master_keys",
                    "ECOLE_PREVIOUS_MASTER_KEYS",
                )
            })
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
            site_root: raw.site_root.unwrap_or_else(|| "target/site".into()),
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
            .map_err(|e| err("master_key", "ECOLE_MASTER_KEY", e.to_string()))
    }

    /// Cookies are `Secure` (and `__Host-` prefixed) exactly when users come over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// A 32-byte key given in base64.
fn key_setting(
    value: Option<String>,
    setting: &'static str,
    env: &'static str,
) -> Result<Secret, ConfigError> {
    let value = value.ok_or_else(|| {
        err(
            setting,
            env,
            "missing; generate one with `openssl rand -base64 32`",
        )
    })?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| {
            err(
                setting,
                env,
                "not valid base64; generate one with `openssl rand -base64 32`",
            )
        })?;
    if bytes.len() != 32 {
        return Err(err(
            setting,
            env,
            format!("must be 32 bytes once decoded, got {}", bytes.len()),
        ));
    }
    Ok(Secret::new(value.trim().to_owned()))
}

fn flag(
    value: Option<String>,
    setting: &'static str,
    env: &'static str,
) -> Result<bool, ConfigError> {
    match value.as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(err(setting, env, "expected true or false")),
    }
}

/// The DER certificates of a PEM file.
fn pem_certificates(path: &str) -> Result<Vec<Vec<u8>>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        err(
            "smtp_extra_ca_file",
            "ECOLE_SMTP_EXTRA_CA_FILE",
            format!("cannot read {path}: {e}"),
        )
    })?;
    let mut certificates = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (line.trim(), current.as_mut()) {
            ("-----BEGIN CERTIFICATE-----", _) => current = Some(String::new()),
            ("-----END CERTIFICATE-----", Some(body)) => {
                let der = base64::engine::general_purpose::STANDARD
                    .decode(body.as_bytes())
                    .map_err(|_| {
                        err(
                            "smtp_extra_ca_file",
                            "ECOLE_SMTP_EXTRA_CA_FILE",
                            "malformed PEM",
                        )
                    })?;
                certificates.push(der);
                current = None;
            }
            (line, Some(body)) => body.push_str(line),
            _ => {}
        }
    }
    if certificates.is_empty() {
        return Err(err(
            "smtp_extra_ca_file",
            "ECOLE_SMTP_EXTRA_CA_FILE",
            "no certificate in the file",
        ));
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
    let security = Security::parse(security.as_deref().unwrap_or("starttls")).ok_or_else(|| {
        err(
            "relay_security",
            "ECOLE_RELAY_SECURITY",
            "expected starttls, tls or none",
        )
    })?;
    let port = match port {
        None => security.default_port(),
        Some(p) => p
            .parse()
            .map_err(|_| err("relay_port", "ECOLE_RELAY_PORT", "expected a port number"))?,
    };
    if username.is_some() != password.is_some() {
        return Err(err(
            "relay_username",
            "ECOLE_RELAY_USERNAME",
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
