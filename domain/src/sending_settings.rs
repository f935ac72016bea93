//! Step 1 of the brief: a school's sending settings ("Paramètres d'envoi des e-mails") and
//! the test send that explains failures. Administrators only; every read and write is
//! scoped by the actor's school. The SMTP password is sealed (see [`crate::crypto`]) and
//! never leaves this module in clear except towards the relay itself.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::access::Actor;
use crate::crypto::{self, MasterKeys};
use crate::entity::{person, sending_settings as row};
use crate::mail::{self, Mailer, OutgoingMail, Relay, Sender};
use crate::outbox::pace::Pace;
use crate::secret::Secret;
use crate::smtp::{Endpoint, Failure, FailureKind, Policy, Security, Transcript};
use crate::{Error, Invalid, Now, Result, schools, throttle, validate};

/// A test send never takes longer than this, whatever the relay does.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Which relay the school's mail goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelayKind {
    /// The service provided by the host ("dans le cadre de l'hébergement").
    Hosting,
    /// The school's own SMTP server.
    School,
}

impl RelayKind {
    fn as_str(self) -> &'static str {
        match self {
            RelayKind::Hosting => "hosting",
            RelayKind::School => "school",
        }
    }
}

/// The school's own SMTP server, as typed (the password travels separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolRelay {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The address the school's server lets it send as (`From` of test messages).
    pub from_address: String,
    pub username: Option<String>,
}

/// An SMTP server as typed: host, port, security and user (the password travels apart).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
}

impl SmtpServer {
    /// Checks the typed fields; an empty port means the security's usual one.
    pub fn parse(host: &str, port: &str, security: &str, username: &str) -> Result<Self> {
        let security = Security::parse(security).ok_or(Invalid::SecurityUnknown)?;
        let port = match port.trim() {
            "" => security.default_port(),
            p => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or(Invalid::PortInvalid)?,
        };
        let username = username.trim();
        if username.len() > 256 || username.chars().any(char::is_control) {
            return Err(Invalid::UsernameMalformed.into());
        }
        Ok(Self {
            host: host_name(host)?,
            port,
            security,
            username: (!username.is_empty()).then(|| username.to_owned()),
        })
    }
}

/// What the settings page shows. No password, only whether one is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsView {
    pub deliver_all_through_server: bool,
    pub sender_name: String,
    pub relay: RelayKind,
    pub school_relay: Option<SchoolRelay>,
    pub password_set: bool,
    /// The latest test, of the saved settings or of values tried on screen (see
    /// [`TestReport::of_saved`]).
    pub last_test: Option<TestReport>,
    /// The latest test of the settings as saved: step 1's state comes from this one only.
    pub saved_test: Option<TestReport>,
    /// False until an administrator saves the settings once.
    pub saved: bool,
    /// The pace of the school's own relay (each account's).
    pub pace: Pace,
}

/// The settings as submitted, validated.
/// What a school may set as its relay's pace (stated on the page).
pub const PACE_PER_MINUTE: std::ops::RangeInclusive<u32> = vocabulary::limits::PACE_PER_MINUTE;
pub const PACE_PER_DAY: std::ops::RangeInclusive<u32> = vocabulary::limits::PACE_PER_DAY;

pub struct SettingsInput {
    pub deliver_all_through_server: bool,
    pub sender_name: String,
    pub relay: RelayKind,
    pub school_relay: Option<SchoolRelay>,
    /// `None`: keep the stored password (allowed only for the same server and user).
    pub password: Option<Secret>,
    /// The school relay's pace; the default when left empty.
    pub pace: Pace,
}

/// The raw form values.
pub struct RawSettings<'a> {
    pub deliver_all_through_server: bool,
    pub sender_name: &'a str,
    pub relay: &'a str,
    pub host: &'a str,
    pub port: &'a str,
    pub security: &'a str,
    pub from_address: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    /// Empty: the default pace ([`Pace::SCHOOL_DEFAULT`]).
    pub pace_per_minute: &'a str,
    pub pace_per_day: &'a str,
}

/// A pace field: empty for the default, else a whole number in `range`.
fn pace_field(raw: &str, default: u32, range: std::ops::RangeInclusive<u32>) -> Result<u32> {
    let raw: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if raw.is_empty() {
        return Ok(default);
    }
    raw.parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| Invalid::PaceInvalid.into())
}

fn host_name(raw: &str) -> Result<String, Invalid> {
    let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let plausible = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        && !host.starts_with('-');
    if plausible {
        Ok(host)
    } else {
        Err(Invalid::HostMalformed)
    }
}

impl SettingsInput {
    pub fn parse(raw: RawSettings<'_>) -> Result<Self> {
        let relay = match raw.relay {
            "hosting" => RelayKind::Hosting,
            "school" => RelayKind::School,
            _ => return Err(Invalid::RelayUnknown.into()),
        };
        let school_relay = if relay == RelayKind::School {
            let server = SmtpServer::parse(raw.host, raw.port, raw.security, raw.username)?;
            Some(SchoolRelay {
                host: server.host,
                port: server.port,
                security: server.security,
                from_address: validate::email(raw.from_address)?,
                username: server.username,
            })
        } else {
            None
        };
        Ok(Self {
            deliver_all_through_server: raw.deliver_all_through_server,
            sender_name: validate::display_name(raw.sender_name)?,
            relay,
            school_relay,
            password: (!raw.password.is_empty()).then(|| Secret::new(raw.password)),
            pace: Pace {
                per_minute: pace_field(
                    raw.pace_per_minute,
                    Pace::SCHOOL_DEFAULT.per_minute,
                    PACE_PER_MINUTE,
                )?,
                per_day: pace_field(raw.pace_per_day, Pace::SCHOOL_DEFAULT.per_day, PACE_PER_DAY)?,
            },
        })
    }
}

/// The outcome of a test send, kept as the school's "last test".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestReport {
    pub at: i64,
    /// The recipient, masked.
    pub to: String,
    pub relay: RelayKind,
    /// `None` when the relay accepted the message.
    pub failure: Option<FailureKind>,
    /// The relay's final reply, or what failed.
    pub detail: String,
    /// The SMTP exchange, credentials masked.
    pub transcript: Vec<String>,
    /// A keyed fingerprint of what was tested (relay, server, user, password, sender), so
    /// that a test counts only for those exact settings. `None` in reports kept before it
    /// existed: they count for nothing.
    #[serde(default)]
    pub settings: Option<String>,
    /// Whether what was tested is what is saved (now: re-marked when settings are saved).
    /// A test of values typed but not saved does not change step 1's state, nor lets an
    /// account be validated with other values than those tested.
    #[serde(default)]
    pub of_saved: bool,
}

impl TestReport {
    /// Whether this test passed with exactly the settings of fingerprint `settings`.
    pub fn passed_with(&self, settings: &str) -> bool {
        self.failure.is_none() && self.settings.as_deref() == Some(settings)
    }
}

/// How many recent tests a school keeps (newest first), so that trying other values does
/// not forget the result of the saved ones.
const KEPT_TESTS: usize = 5;

/// The kept tests, newest first. Reads the older single-report form too.
fn kept_tests(json: Option<&str>) -> Vec<TestReport> {
    let Some(json) = json else {
        return Vec::new();
    };
    serde_json::from_str::<Vec<TestReport>>(json)
        .or_else(|_| serde_json::from_str::<TestReport>(json).map(|r| vec![r]))
        .unwrap_or_default()
}

/// A keyed fingerprint (HMAC-SHA-256 under a key derived from the master key) of the
/// settings a test used; it holds the password without revealing it.
pub(crate) fn fingerprint(keys: &MasterKeys, parts: &[&str]) -> String {
    use hmac::{Hmac, Mac};
    let key = keys.derived_key("test-send-settings-fingerprint");
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_ref())
        .expect("HMAC takes any key length");
    for part in parts {
        // Length-prefixed, so that no two lists of parts give the same bytes.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The fingerprint of step 1's delivery settings: relay, server, user, sending address and
/// the password in use (`None`: none).
fn settings_fingerprint(
    keys: &MasterKeys,
    relay: RelayKind,
    school_relay: Option<&SchoolRelay>,
    password: Option<&Secret>,
) -> String {
    match (relay, school_relay) {
        (RelayKind::School, Some(r)) => {
            let port = r.port.to_string();
            fingerprint(
                keys,
                &[
                    "school",
                    &r.host,
                    &port,
                    r.security.as_str(),
                    &r.from_address,
                    r.username.as_deref().unwrap_or(""),
                    password.map_or("", |p| p.expose()),
                    if password.is_some() {
                        "password"
                    } else {
                        "none"
                    },
                ],
            )
        }
        _ => fingerprint(keys, &["hosting"]),
    }
}

/// The fingerprint of the settings saved in `r`, if they can be read (a stored password
/// that no longer opens: `None`, so no test counts for them).
fn saved_fingerprint(keys: &MasterKeys, r: &row::Model) -> Option<String> {
    r.saved_at?;
    if r.relay_kind != "school" {
        return Some(settings_fingerprint(keys, RelayKind::Hosting, None, None));
    }
    let relay = stored_relay(r)?;
    let password = match &r.smtp_password_sealed {
        Some(sealed) => {
            Some(crypto::open(keys, sealed, &password_context(r.school_id, &relay)).ok()?)
        }
        None => None,
    };
    Some(settings_fingerprint(
        keys,
        RelayKind::School,
        Some(&relay),
        password.as_ref(),
    ))
}

/// Where the app's own relay is and what the school's relays may reach.
#[derive(Clone)]
pub struct SendingEnvironment {
    /// The hosting relay (or the file drop when the operator configured none).
    pub hosting: Mailer,
    /// The operator's sending address: `From` through the hosting relay.
    pub hosting_from: String,
    /// Rules for school-supplied relays (private addresses, extra trusted roots).
    pub school_policy: Policy,
    pub keys: std::sync::Arc<MasterKeys>,
}

/// What a sealed SMTP password is bound to: the school and the exact server and user it
/// was typed for. Moving it to another school's row, or pointing the row at another server,
/// makes it unopenable.
pub(crate) fn password_context(school_id: i64, relay: &SchoolRelay) -> String {
    format!(
        "smtp-password|school:{school_id}|{}|{}|{}|{}",
        relay.host,
        relay.port,
        relay.security.as_str(),
        relay.username.as_deref().unwrap_or("")
    )
}

pub(crate) fn stored_relay(r: &row::Model) -> Option<SchoolRelay> {
    Some(SchoolRelay {
        host: r.smtp_host.clone()?,
        port: u16::try_from(r.smtp_port?).ok()?,
        security: Security::parse(r.smtp_security.as_deref()?)?,
        from_address: r.smtp_from_address.clone()?,
        username: r.smtp_username.clone(),
    })
}

async fn load(db: &impl ConnectionTrait, school_id: i64) -> Result<Option<row::Model>> {
    Ok(row::Entity::find_by_id(school_id).one(db).await?)
}

/// The actor's school's settings (defaults before the first save).
pub async fn get(db: &impl ConnectionTrait, actor: &Actor) -> Result<SettingsView> {
    actor.require_admin()?;
    let school = schools::get(db, actor.school_id()).await?;
    Ok(match load(db, actor.school_id()).await? {
        None => SettingsView {
            deliver_all_through_server: true,
            sender_name: school.name,
            relay: RelayKind::Hosting,
            school_relay: None,
            password_set: false,
            last_test: None,
            saved_test: None,
            saved: false,
            pace: Pace::SCHOOL_DEFAULT,
        },
        Some(r) => SettingsView {
            deliver_all_through_server: r.deliver_all_through_server,
            sender_name: r.sender_name.clone(),
            relay: if r.relay_kind == "school" {
                RelayKind::School
            } else {
                RelayKind::Hosting
            },
            school_relay: stored_relay(&r),
            password_set: r.smtp_password_sealed.is_some(),
            last_test: kept_tests(r.last_test_report.as_deref()).into_iter().next(),
            saved_test: kept_tests(r.last_test_report.as_deref())
                .into_iter()
                .find(|t| t.of_saved && r.saved_at.is_some()),
            saved: r.saved_at.is_some(),
            pace: stored_pace(&r),
        },
    })
}

/// The school relay's pace as saved, or the default.
fn stored_pace(r: &row::Model) -> Pace {
    let stored =
        |v: Option<i64>, default: u32| v.and_then(|n| u32::try_from(n).ok()).unwrap_or(default);
    Pace {
        per_minute: stored(r.pace_per_minute, Pace::SCHOOL_DEFAULT.per_minute),
        per_day: stored(r.pace_per_day, Pace::SCHOOL_DEFAULT.per_day),
    }
}

/// The pace of `school_id`'s own relay (and of its accounts' own servers).
pub async fn school_pace(db: &impl ConnectionTrait, school_id: i64) -> Result<Pace> {
    Ok(load(db, school_id)
        .await?
        .map_or(Pace::SCHOOL_DEFAULT, |r| stored_pace(&r)))
}

/// The password to use with `relay`: the one typed, or the stored one if the server and
/// user are unchanged (a stored password is never sent to a server it was not set for).
fn password_for(
    input: &SettingsInput,
    relay: &SchoolRelay,
    stored: Option<&row::Model>,
    keys: &MasterKeys,
    school_id: i64,
) -> Result<Option<Secret>> {
    if let Some(typed) = &input.password {
        return Ok(Some(typed.clone()));
    }
    let Some(stored) = stored else {
        return Ok(None);
    };
    let Some(sealed) = &stored.smtp_password_sealed else {
        return Ok(None);
    };
    // Host, port, security and user all unchanged, or the password must be typed again.
    let same_server = stored_relay(stored).is_some_and(|s| {
        s.host == relay.host
            && s.port == relay.port
            && s.security == relay.security
            && s.username == relay.username
    });
    if !same_server {
        return Err(Invalid::PasswordRequiredForNewServer.into());
    }
    crypto::open(keys, sealed, &password_context(school_id, relay)).map(Some)
}

/// Saves the settings; a typed password is sealed, an empty one keeps the stored one.
pub async fn save(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    input: &SettingsInput,
    now: Now,
) -> Result<SettingsView> {
    actor.require_admin()?;
    let school_id = actor.school_id();
    let stored = load(db, school_id).await?;
    let mut active = match &stored {
        Some(r) => r.clone().into_active_model(),
        None => row::ActiveModel {
            school_id: Set(school_id),
            ..Default::default()
        },
    };
    active.deliver_all_through_server = Set(input.deliver_all_through_server);
    active.sender_name = Set(input.sender_name.clone());
    active.relay_kind = Set(input.relay.as_str().to_owned());
    active.saved_at = Set(Some(now.timestamp()));
    active.pace_per_minute = Set(Some(i64::from(input.pace.per_minute)));
    active.pace_per_day = Set(Some(i64::from(input.pace.per_day)));
    let mut saved_password = None;
    if let Some(relay) = &input.school_relay {
        // No user name means no authentication: any stored password is forgotten.
        let password = match relay.username {
            Some(_) => password_for(input, relay, stored.as_ref(), &env.keys, school_id)?,
            None => None,
        };
        saved_password = password.clone();
        active.smtp_host = Set(Some(relay.host.clone()));
        active.smtp_port = Set(Some(i32::from(relay.port)));
        active.smtp_security = Set(Some(relay.security.as_str().to_owned()));
        active.smtp_from_address = Set(Some(relay.from_address.clone()));
        active.smtp_username = Set(relay.username.clone());
        let sealed = match password {
            Some(p) => Some(crypto::seal(
                &env.keys,
                &p,
                &password_context(school_id, relay),
            )?),
            None => None,
        };
        active.smtp_password_sealed = Set(sealed);
    }
    // The kept tests count for step 1 only if they tested exactly what is now saved.
    let saved = settings_fingerprint(
        &env.keys,
        input.relay,
        input.school_relay.as_ref(),
        saved_password.as_ref(),
    );
    let mut tests = kept_tests(stored.as_ref().and_then(|r| r.last_test_report.as_deref()));
    for test in &mut tests {
        test.of_saved = test.settings.as_deref() == Some(saved.as_str());
    }
    if !tests.is_empty() {
        let json = serde_json::to_string(&tests).map_err(|e| Error::Internal(e.to_string()))?;
        active.last_test_report = Set(Some(json));
    }
    if stored.is_some() {
        active.update(db).await?;
    } else {
        active.insert(db).await?;
    }
    tracing::info!(
        event = "sending_settings_saved",
        school_id,
        by = actor.person_id(),
        relay = input.relay.as_str(),
        "sending settings saved"
    );
    get(db, actor).await
}

/// Sends a test message through the settings as submitted (saved or not), and keeps the
/// report as the school's last test.
pub async fn test_send(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    input: &SettingsInput,
    to: &str,
    now: Now,
) -> Result<TestReport> {
    actor.require_admin()?;
    let to = validate::email(to)?;
    let school_id = actor.school_id();
    let quota = throttle::key("test-send:school", &school_id.to_string());
    throttle::reserve(db, &quota, throttle::TEST_SENDS_PER_SCHOOL, now).await?;
    let school = schools::get(db, school_id).await?;
    let stored = load(db, school_id).await?;
    let admin_address = person::Entity::find_by_id(actor.person_id())
        .one(db)
        .await?
        .map(|p| p.email)
        .ok_or(Error::NotFound)?;

    let mut transcript = Transcript::default();
    let mut tested_password = None;
    let result = match &input.school_relay {
        None => {
            // Through the host's relay `From` is the operator's address (DMARC), with the
            // school's name shown, and replies go to the administrator who tested.
            let sender = Sender {
                address: env.hosting_from.clone(),
                name: input.sender_name.clone(),
            };
            let mail = test_message(&school.name, &to, Some(admin_address));
            let message = mail::build(&sender, &mail)?;
            tokio::time::timeout(
                TEST_TIMEOUT,
                env.hosting
                    .deliver(&sender.address, &to, message, &mut transcript),
            )
            .await
        }
        Some(relay) => {
            let password = password_for(input, relay, stored.as_ref(), &env.keys, school_id)?;
            tested_password = password.clone();
            let sender = Sender {
                address: relay.from_address.clone(),
                name: input.sender_name.clone(),
            };
            let mail = test_message(&school.name, &to, None);
            let message = mail::build(&sender, &mail)?;
            let target = Relay {
                endpoint: Endpoint {
                    host: relay.host.clone(),
                    port: relay.port,
                    security: relay.security,
                    username: relay.username.clone(),
                    password,
                    token: None,
                },
                policy: env.school_policy.clone(),
            };
            let formatted = message.formatted();
            tokio::time::timeout(
                TEST_TIMEOUT,
                mail::deliver_once(&target, &sender.address, &to, &formatted, &mut transcript),
            )
            .await
        }
    };
    let result = result.unwrap_or_else(|_| {
        Err(Failure::new(
            FailureKind::Timeout,
            format!("no result within {} s", TEST_TIMEOUT.as_secs()),
        ))
    });
    let tested = settings_fingerprint(
        &env.keys,
        input.relay,
        input.school_relay.as_ref(),
        tested_password.as_ref(),
    );
    let of_saved = stored
        .as_ref()
        .and_then(|r| saved_fingerprint(&env.keys, r))
        .is_some_and(|saved| saved == tested);
    let report = TestReport {
        at: now.timestamp(),
        to: mail::mask(&to),
        relay: input.relay,
        failure: result.as_ref().err().map(|f| f.kind),
        detail: match &result {
            Ok(reply) => reply.clone(),
            Err(f) => f.detail.clone(),
        },
        transcript: transcript.to_text().lines().map(str::to_owned).collect(),
        settings: Some(tested),
        of_saved,
    };
    keep_report(db, school_id, &school.name, &report).await?;
    tracing::info!(event = "test_send", school_id, ok = report.failure.is_none(), kind = ?report.failure, "test send");
    Ok(report)
}

async fn keep_report(
    db: &impl ConnectionTrait,
    school_id: i64,
    school_name: &str,
    report: &TestReport,
) -> Result<()> {
    let stored = load(db, school_id).await?;
    let mut tests = vec![report.clone()];
    tests.extend(
        kept_tests(stored.as_ref().and_then(|r| r.last_test_report.as_deref()))
            .into_iter()
            .take(KEPT_TESTS - 1),
    );
    let json = serde_json::to_string(&tests).map_err(|e| Error::Internal(e.to_string()))?;
    match stored {
        Some(r) => {
            let mut active = r.into_active_model();
            active.last_test_at = Set(Some(report.at));
            active.last_test_report = Set(Some(json));
            active.update(db).await?;
        }
        None => {
            // Tested before the first save: keep the report beside default settings.
            row::ActiveModel {
                school_id: Set(school_id),
                deliver_all_through_server: Set(true),
                sender_name: Set(school_name.to_owned()),
                relay_kind: Set(RelayKind::Hosting.as_str().to_owned()),
                last_test_at: Set(Some(report.at)),
                last_test_report: Set(Some(json)),
                saved_at: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

fn test_message(school_name: &str, to: &str, reply_to: Option<String>) -> OutgoingMail {
    let mut mail = mail::templates::test_message(school_name, to);
    mail.reply_to = reply_to;
    mail
}

/// Re-seals every stored SMTP password under the current master key; returns (re-sealed,
/// stored). Run after a new master key is configured and the old one moved to
/// `previous_master_keys`; afterwards the old key can be dropped.
pub async fn rewrap_all(db: &impl ConnectionTrait, keys: &MasterKeys) -> Result<(u64, u64)> {
    let rows = row::Entity::find().all(db).await?;
    let (mut rewrapped, mut stored) = (0, 0);
    for r in rows {
        let Some(sealed) = r.smtp_password_sealed.clone() else {
            continue;
        };
        stored += 1;
        if crypto::sealed_key_id(&sealed) == Some(keys.current_id()) {
            continue;
        }
        let Some(relay) = stored_relay(&r) else {
            continue;
        };
        let fresh = crypto::rewrap(keys, &sealed, &password_context(r.school_id, &relay))?;
        let mut active = r.into_active_model();
        active.smtp_password_sealed = Set(Some(fresh));
        active.update(db).await?;
        rewrapped += 1;
    }
    Ok((rewrapped, stored))
}
