//! Step 4 ("Validation") and later changes: whether the account sends through the
//! school's settings or its own SMTP server, the test send, and the confirmation mail
//! that makes the account active. Own settings are allowed only while the school does not
//! deliver all mail through the server; their password is sealed like step 1's, bound to
//! the school, the account, the server and the user.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};

use super::answer::Proof;
use super::{
    AccountKind, AccountState, AccountView, OwnRelay, advance, find_for, owner, stored_keys,
    stored_own_relay, view,
};
use crate::access::Actor;
use crate::archive::{self, recovery_file};
use crate::crypto;
use crate::entity::account as row;
use crate::mail::route::{Carrier, Route};
use crate::mail::{self, Attachment, Relay, Sender, templates};
use crate::secret::Secret;
use crate::sending_settings::{self, RelayKind, SendingEnvironment, SmtpServer, TestReport};
use crate::smtp::{Endpoint, Transcript};
use crate::{Error, Invalid, Now, Result, routes, schools, throttle, validate};

/// The sending choice as submitted.
pub struct SendingInput {
    pub use_server_settings: bool,
    pub own_relay: Option<OwnRelay>,
    /// `None`: keep the stored password (only for the same server and user).
    pub password: Option<Secret>,
}

/// The raw form values.
pub struct RawSending<'a> {
    pub use_server_settings: bool,
    pub host: &'a str,
    pub port: &'a str,
    pub security: &'a str,
    pub username: &'a str,
    pub password: &'a str,
}

impl SendingInput {
    pub fn parse(raw: RawSending<'_>) -> Result<Self> {
        if raw.use_server_settings {
            return Ok(Self {
                use_server_settings: true,
                own_relay: None,
                password: None,
            });
        }
        Ok(Self {
            use_server_settings: false,
            own_relay: Some(SmtpServer::parse(
                raw.host,
                raw.port,
                raw.security,
                raw.username,
            )?),
            password: (!raw.password.is_empty()).then(|| Secret::new(raw.password)),
        })
    }
}

/// Binds a sealed password to its school, account, server and user.
fn password_context(a: &row::Model, relay: &OwnRelay) -> String {
    format!(
        "smtp-password|school:{}|account:{}|{}|{}|{}|{}",
        a.school_id,
        a.id,
        relay.host,
        relay.port,
        relay.security.as_str(),
        relay.username.as_deref().unwrap_or("")
    )
}

/// The password for `relay`: the one typed, or the stored one when nothing that it is
/// bound to changed.
fn password_for(
    env: &SendingEnvironment,
    a: &row::Model,
    input: &SendingInput,
    relay: &OwnRelay,
) -> Result<Option<Secret>> {
    if relay.username.is_none() {
        return Ok(None);
    }
    if let Some(typed) = &input.password {
        return Ok(Some(typed.clone()));
    }
    let Some(sealed) = &a.smtp_password_sealed else {
        return Ok(None);
    };
    if stored_own_relay(a).as_ref() != Some(relay) {
        return Err(Invalid::PasswordRequiredForNewServer.into());
    }
    crypto::open(&env.keys, sealed, &password_context(a, relay)).map(Some)
}

/// How mail written from the account leaves, per `input` (or its saved settings).
async fn route(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    a: &row::Model,
    input: &SendingInput,
) -> Result<Route> {
    let carrier = routes::school_carrier(db, env, a.school_id).await?;
    match (&input.own_relay, carrier.deliver_all_through_server) {
        (Some(_), true) => Err(Invalid::OwnSmtpNotAllowed.into()),
        (None, _) => Ok(carrier.route_for_author(&a.address, &a.label)),
        (Some(relay), false) => Ok(Route {
            carrier: Carrier::Smtp(Relay {
                endpoint: Endpoint {
                    host: relay.host.clone(),
                    port: relay.port,
                    security: relay.security,
                    username: relay.username.clone(),
                    password: password_for(env, a, input, relay)?,
                    token: None,
                },
                policy: env.school_policy.clone(),
            }),
            sender: Sender {
                address: a.address.clone(),
                name: a.label.clone(),
            },
            reply_to: None,
        }),
    }
}

/// A keyed fingerprint of a route: its carrier (the host's relay, or the SMTP server, user
/// and password) and its sender. A test counts for validation only with the same one.
fn route_fingerprint(env: &SendingEnvironment, route: &Route) -> String {
    let sender = [route.sender.address.as_str(), route.sender.name.as_str()];
    match &route.carrier {
        Carrier::Hosting(_) => {
            sending_settings::fingerprint(&env.keys, &["account:hosting", sender[0], sender[1]])
        }
        Carrier::Smtp(relay) => {
            let e = &relay.endpoint;
            let port = e.port.to_string();
            let password = e.password.as_ref();
            sending_settings::fingerprint(
                &env.keys,
                &[
                    "account:smtp",
                    &e.host,
                    &port,
                    e.security.as_str(),
                    e.username.as_deref().unwrap_or(""),
                    password.map_or("", |p| p.expose()),
                    if password.is_some() {
                        "password"
                    } else {
                        "none"
                    },
                    sender[0],
                    sender[1],
                ],
            )
        }
    }
}

/// The account's latest test, if any.
fn last_test(a: &row::Model) -> Option<TestReport> {
    serde_json::from_str(a.last_test_report.as_deref()?).ok()
}

/// The account's saved sending choice, as an input (to build its route).
pub(crate) fn saved_input(a: &row::Model) -> SendingInput {
    SendingInput {
        use_server_settings: a.use_server_settings,
        own_relay: (!a.use_server_settings)
            .then(|| stored_own_relay(a))
            .flatten(),
        password: None,
    }
}

/// How mail from account `a` leaves today (used by sending, later).
pub(crate) async fn saved_route(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    a: &row::Model,
) -> Result<Route> {
    route(db, env, a, &saved_input(a)).await
}

async fn store(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    a: &row::Model,
    input: &SendingInput,
) -> Result<row::Model> {
    // Checks the combination (and that a kept password still fits) before writing.
    route(db, env, a, input).await?;
    let mut active = a.clone().into_active_model();
    active.use_server_settings = Set(input.use_server_settings);
    if let Some(relay) = &input.own_relay {
        let sealed = match password_for(env, a, input, relay)? {
            Some(p) => Some(crypto::seal(&env.keys, &p, &password_context(a, relay))?),
            None => None,
        };
        active.smtp_host = Set(Some(relay.host.clone()));
        active.smtp_port = Set(Some(i32::from(relay.port)));
        active.smtp_security = Set(Some(relay.security.as_str().to_owned()));
        active.smtp_username = Set(relay.username.clone());
        active.smtp_password_sealed = Set(sealed);
    }
    Ok(active.update(db).await?)
}

/// Step 4: saves the sending choice, mails the confirmation through the account's own
/// route (so its arrival proves the route) and then makes the account active. For an
/// establishment account, the secret answer is asked again: it opens the archive key, a
/// new recovery secret R wraps it too, and the confirmation carries R in
/// `cleRecuperation.crbee` — R exists nowhere else.
pub async fn validate(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    account_id: i64,
    input: &SendingInput,
    proof: Proof<'_>,
    now: Now,
) -> Result<AccountView> {
    let a = find_for(db, actor, account_id).await?;
    if a.state != AccountState::AwaitingValidation.as_str() {
        return Err(Invalid::WrongStep.into());
    }
    // An account becomes active only with settings whose test just passed: the latest
    // test must have gone through exactly this route (school settings included). Checked
    // before the answer, so that a refused validation costs no answer attempt.
    let activated = route_fingerprint(env, &route(db, env, &a, input).await?);
    if !last_test(&a).is_some_and(|t| t.passed_with(&activated)) {
        return Err(Invalid::TestRequired.into());
    }
    let recovery = if a.kind == AccountKind::Establishment.as_str() {
        Some(new_recovery(db, &a, proof, now).await?)
    } else {
        None
    };
    let a = store(db, env, &a, input).await?;
    let school = schools::get(db, a.school_id).await?;
    let mail = match &recovery {
        None => templates::account_confirmation(&school.name, &a.label, &a.address),
        Some((keys, r)) => {
            let mut mail =
                templates::establishment_confirmation(&school.name, &a.label, &a.address);
            mail.attachments.push(Attachment {
                file_name: recovery_file::FILE_NAME.to_owned(),
                content_type: recovery_file::CONTENT_TYPE.to_owned(),
                bytes: recovery_file::build(owner(&a), &a.address, &keys.fingerprint, r),
            });
            mail
        }
    };
    saved_route(db, env, &a).await?.send(&mail).await?;
    let a = advance(db, &a, AccountState::Active, |u| {
        let u = u.col_expr(row::Column::ActivatedAt, Expr::value(now.timestamp()));
        match &recovery {
            Some((keys, _)) => u
                .col_expr(
                    row::Column::PrivateKeyByRecovery,
                    Expr::value(keys.by_recovery.clone()),
                )
                .col_expr(
                    row::Column::RecoveryVerifier,
                    Expr::value(keys.recovery_verifier.clone()),
                ),
            None => u,
        }
    })
    .await?;
    tracing::info!(
        event = "account_activated",
        school_id = a.school_id,
        account_id = a.id,
        own_smtp = !a.use_server_settings,
        recovery_file = recovery.is_some(),
        "sending account active"
    );
    view(db, &a, now).await
}

/// Opens the archive key with the answer and wraps it under a fresh recovery secret R.
async fn new_recovery(
    db: &impl ConnectionTrait,
    a: &row::Model,
    proof: Proof<'_>,
    now: Now,
) -> Result<(archive::StoredKeys, zeroize::Zeroizing<[u8; 32]>)> {
    super::answer::require(db, a, proof, now).await?;
    let stored =
        stored_keys(a).ok_or_else(|| Error::Internal("account has no archive key".into()))?;
    let given = Secret::new(super::answer::normalise(proof.answer.expose()));
    let private = archive::open_with_answer(proof.hasher, owner(a), &stored, &given)
        .await?
        .ok_or_else(|| Error::Internal("the answer did not open the archive key".into()))?;
    archive::add_recovery(owner(a), &stored, &private)
}

/// Changes the sending choice of an active account: asks for the secret answer.
pub async fn update(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    account_id: i64,
    input: &SendingInput,
    proof: Proof<'_>,
    now: Now,
) -> Result<AccountView> {
    let a = find_for(db, actor, account_id).await?;
    if a.state != AccountState::Active.as_str() {
        return Err(Invalid::WrongStep.into());
    }
    super::answer::require(db, &a, proof, now).await?;
    let a = store(db, env, &a, input).await?;
    tracing::info!(
        event = "account_sending_changed",
        school_id = a.school_id,
        account_id = a.id,
        own_smtp = !a.use_server_settings,
        "account sending settings changed"
    );
    view(db, &a, now).await
}

/// Sends a test message from the account, with the choice on screen (saved or not), to
/// `to`; keeps the report on the account. Shares the school's hourly test quota.
pub async fn test_send(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    actor: &Actor,
    account_id: i64,
    input: &SendingInput,
    to: &str,
    now: Now,
) -> Result<TestReport> {
    let a = find_for(db, actor, account_id).await?;
    if a.state == AccountState::AwaitingCode.as_str() {
        // Nothing is sent from an address before it is proven to be the person's.
        return Err(Invalid::WrongStep.into());
    }
    let to = validate::email(to)?;
    let quota = throttle::key("test-send:account", &a.id.to_string());
    throttle::reserve(db, &quota, throttle::TEST_SENDS_PER_ACCOUNT, now).await?;
    // Before validation, the settings tried are the account's settings: a page reloaded
    // without the wasm shows no password, and validating what was just tested must not
    // need it typed again. An active account's settings change only when saved.
    let a = if a.state == AccountState::AwaitingValidation.as_str() {
        store(db, env, &a, input).await?
    } else {
        a
    };
    let route = route(db, env, &a, input).await?;
    let tested = route_fingerprint(env, &route);
    let of_saved = match saved_route(db, env, &a).await {
        Ok(saved) => {
            a.state == AccountState::Active.as_str() && route_fingerprint(env, &saved) == tested
        }
        Err(_) => false,
    };
    let school = schools::get(db, a.school_id).await?;
    let mail = templates::test_message(&school.name, &to);
    let mut transcript = Transcript::default();
    let result = route.deliver(&mail, &mut transcript).await;
    let report = TestReport {
        at: now.timestamp(),
        to: mail::mask(&to),
        relay: match route.carrier {
            Carrier::Hosting(_) => RelayKind::Hosting,
            Carrier::Smtp(_) => RelayKind::School,
        },
        failure: result.as_ref().err().map(|f| f.kind),
        detail: match &result {
            Ok(reply) => reply.clone(),
            Err(f) => f.detail.clone(),
        },
        transcript: transcript.to_text().lines().map(str::to_owned).collect(),
        settings: Some(tested),
        of_saved,
    };
    let json = serde_json::to_string(&report).map_err(|e| Error::Internal(e.to_string()))?;
    let mut active = a.into_active_model();
    active.last_test_report = Set(Some(json));
    let a = active.update(db).await?;
    tracing::info!(event = "account_test_send", school_id = a.school_id, account_id = a.id, ok = report.failure.is_none(), kind = ?report.failure, "account test send");
    Ok(report)
}

/// Re-seals every account's SMTP password under the current master key; returns
/// (re-sealed, stored). Part of `rotate-master-key`.
pub async fn rewrap_all(
    db: &impl ConnectionTrait,
    keys: &crypto::MasterKeys,
) -> Result<(u64, u64)> {
    let (mut rewrapped, mut stored) = (0, 0);
    for a in row::Entity::find().all(db).await? {
        let (Some(sealed), Some(relay)) = (a.smtp_password_sealed.clone(), stored_own_relay(&a))
        else {
            continue;
        };
        stored += 1;
        if crypto::sealed_key_id(&sealed) == Some(keys.current_id()) {
            continue;
        }
        let fresh = crypto::rewrap(keys, &sealed, &password_context(&a, &relay))?;
        let mut active = a.into_active_model();
        active.smtp_password_sealed = Set(Some(fresh));
        active.update(db).await?;
        rewrapped += 1;
    }
    Ok((rewrapped, stored))
}
