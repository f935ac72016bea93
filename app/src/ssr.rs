//! Server-only glue between server functions and the domain: the shared state, the
//! request's session, the clock, cookies, and the mapping of domain errors to [`AppError`].
//! Compiled only with the `ssr` feature, so none of it reaches the wasm bundle.

use axum::Extension;
use domain::secret::Secret;
use domain::sessions::SessionInfo;
use domain::{DatabaseConnection, Invalid, Now, access::Actor, password::PasswordHasher};
use http::{HeaderValue, header::SET_COOKIE};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::{AppError, Problem};

/// What every server function may use; built once by the server from its configuration.
#[derive(Clone)]
pub struct ServerState {
    pub db: DatabaseConnection,
    pub hasher: PasswordHasher,
    /// Base URL used in mailed links, without a trailing slash.
    pub public_url: String,
    /// True when served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// The app's mailer (`hosting`) and its sending address, the rules for schools' relays
    /// and the master keys: for step 1 and everything that sends.
    pub sending: domain::sending_settings::SendingEnvironment,
    /// The pace of each account through the hosting relay (the operator's setting), for
    /// the send's page.
    pub hosting_pace: domain::outbox::pace::Pace,
}

impl ServerState {
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-ecole_session"
        } else {
            "ecole_session"
        }
    }
}

/// The session found by the server's middleware for this request (if any).
#[derive(Clone)]
pub struct CurrentSession {
    pub token: Option<Secret>,
    pub info: Option<SessionInfo>,
    /// The database could not be asked: say "unavailable", not "signed out".
    pub lookup_failed: bool,
}

/// The client's address as the server's middleware determined it (for throttling).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

pub fn state() -> Result<ServerState, AppError> {
    use_context::<ServerState>().ok_or_else(|| {
        tracing::error!("ServerState missing from context");
        AppError::Internal
    })
}

/// A secret form value, empty when the field was not sent.
pub fn secret(value: Option<crate::sensitive::Sensitive>) -> Secret {
    Secret::new(
        value
            .map(crate::sensitive::Sensitive::into_inner)
            .unwrap_or_default(),
    )
}

/// The secret answer typed to authorise a change, checked by the server's hasher.
pub fn proof<'a>(
    state: &'a ServerState,
    answer: &'a Secret,
) -> domain::accounts::answer::Proof<'a> {
    domain::accounts::answer::Proof {
        hasher: &state.hasher,
        answer,
    }
}

/// The one place where server functions read the clock; the domain gets it passed in.
pub fn now() -> Now {
    chrono::Utc::now()
}

pub async fn current_session() -> Result<CurrentSession, AppError> {
    let Extension(session) = leptos_axum::extract::<Extension<CurrentSession>>()
        .await
        .map_err(|_| AppError::Internal)?;
    if session.lookup_failed {
        return Err(AppError::Unavailable);
    }
    Ok(session)
}

pub async fn client_ip() -> String {
    leptos_axum::extract::<Extension<ClientIp>>()
        .await
        .map(|Extension(ip)| ip.0)
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The session cookie's value: it keys what this session alone may read (an opened archive).
pub async fn session_token() -> Result<Secret, AppError> {
    current_session()
        .await?
        .token
        .ok_or(AppError::SignInRequired)
}

/// A moment as a French school reads it: Paris time from the time-zone database (CET or
/// CEST, with the rules of the year in question); [`Lang::moment`](crate::i18n::Lang) words
/// it. An instant past chrono's range (never stored by this app) reads as its bound.
pub fn paris_time(timestamp: i64) -> crate::time::ParisTime {
    use chrono::{Datelike, Timelike};
    let utc = chrono::DateTime::from_timestamp(timestamp, 0).unwrap_or(if timestamp < 0 {
        chrono::DateTime::<chrono::Utc>::MIN_UTC
    } else {
        chrono::DateTime::<chrono::Utc>::MAX_UTC
    });
    let paris = utc.with_timezone(&chrono_tz::Europe::Paris);
    // Month, day, hour and minute always fit a byte.
    let byte = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
    crate::time::ParisTime {
        year: paris.year(),
        month: byte(paris.month()),
        day: byte(paris.day()),
        hour: byte(paris.hour()),
        minute: byte(paris.minute()),
    }
}

/// The signed-in person acting in their session's school, or the reason they cannot.
pub async fn actor() -> Result<Actor, AppError> {
    let state = state()?;
    let session = current_session().await?;
    let info = session.info.ok_or(AppError::SignInRequired)?;
    let school_id = info.school_id.ok_or(AppError::NoSchool)?;
    domain::access::actor_in(&state.db, info.person_id, school_id)
        .await?
        .ok_or(AppError::NoSchool)
}

/// A `Set-Cookie` value: HttpOnly, whole-site, `Secure` over HTTPS.
fn cookie(state: &ServerState, name: &str, value: &str, max_age: i64, same_site: &str) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}")
}

/// The cookie `name`, if sent exactly once: a second one of the same name may have been
/// planted by a sibling site (without the `__Host-` prefix), so neither is trusted.
pub fn cookie_once(headers: &http::HeaderMap, name: &str) -> Option<String> {
    let mut values = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned());
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    Some(first).filter(|value| !value.is_empty())
}

pub fn set_session_cookie(state: &ServerState, token: &Secret) {
    append_set_cookie(cookie(
        state,
        state.session_cookie_name(),
        token.expose(),
        domain::sessions::ABSOLUTE_TIMEOUT_SECS,
        "Lax",
    ));
}

/// A token the administrator must see once, carried to the next page by an HttpOnly
/// cookie that lives two minutes and is cleared when read: a plain form post (no wasm)
/// ends in a redirect, which would otherwise lose it. The page shows it only to the
/// administrator who created it, while it is fresh (`api_tokens::just_created_by`).
fn shown_once_cookie(state: &ServerState) -> &'static str {
    if state.secure_cookies {
        "__Host-ecole_nouveau_jeton"
    } else {
        "ecole_nouveau_jeton"
    }
}

pub fn show_once(state: &ServerState, token: &Secret) {
    append_set_cookie(cookie(
        state,
        shown_once_cookie(state),
        token.expose(),
        domain::api_tokens::SHOWN_FOR_SECS,
        "Strict",
    ));
}

/// The token [`show_once`] carried, if the cookie is there once; clears it.
pub async fn take_shown_once(state: &ServerState) -> Option<Secret> {
    let headers = leptos_axum::extract::<http::HeaderMap>().await.ok()?;
    let name = shown_once_cookie(state);
    append_set_cookie(cookie(state, name, "", 0, "Strict"));
    cookie_once(&headers, name).map(Secret::new)
}

/// Whether this server-function call is a plain form post (the page without its wasm): the
/// browser then accepts HTML, where the wasm asks for JSON. Leptos decides the same way
/// whether to send a plain post back to its page.
pub async fn plain_form_post() -> bool {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| {
            let accept = headers.get(http::header::ACCEPT)?.to_str().ok()?;
            Some(accept.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Reports `done` to the page a plain form post goes back to (see [`crate::notice::Done`]).
pub fn leave_outcome(done: crate::notice::Done) {
    let json = serde_json::to_string(&crate::notice::Outcome::Done(done)).ok();
    if let (Some(response), Some(value)) = (
        use_context::<ResponseOptions>(),
        json.and_then(|json| HeaderValue::from_str(&json).ok()),
    ) {
        response.insert_header(
            http::HeaderName::from_static(crate::notice::OUTCOME_HEADER),
            value,
        );
    }
}

pub fn clear_session_cookie(state: &ServerState) {
    append_set_cookie(cookie(state, state.session_cookie_name(), "", 0, "Lax"));
}

fn append_set_cookie(value: String) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// Ends the request's current session, if any (before a new one, and at sign-out).
pub async fn end_current_session(state: &ServerState) -> Result<(), AppError> {
    if let Some(token) = current_session().await?.token {
        domain::sessions::end(&state.db, token.expose()).await?;
    }
    Ok(())
}

impl From<domain::Error> for AppError {
    fn from(error: domain::Error) -> Self {
        use domain::Error as E;
        match error {
            E::NotFound => AppError::NotFound,
            E::Forbidden => AppError::Forbidden,
            E::Invalid(invalid) => AppError::Invalid(invalid.into()),
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::TooManyAttempts { retry_after_secs } => {
                AppError::TooManyAttempts { retry_after_secs }
            }
            E::InvitationInvalid => AppError::InvitationInvalid,
            E::Code(refusal) => AppError::Code(refusal.into()),
            E::AnswerWrong {
                remaining,
                lockout_secs,
            } => AppError::AnswerWrong {
                remaining,
                lockout_secs,
            },
            E::Recipients(bad) => AppError::refused_lines(bad.into_iter().map(Into::into)),
            E::ArchiveLocked => AppError::ArchiveLocked,
            E::Busy => {
                tracing::warn!("refused: password hashing at capacity");
                AppError::Unavailable
            }
            E::Mail(cause) => {
                tracing::warn!(%cause, "mail not sent");
                AppError::MailNotSent
            }
            E::Database(cause) => {
                tracing::error!(%cause, "database error");
                AppError::Unavailable
            }
            E::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                AppError::Internal
            }
        }
    }
}

impl From<Invalid> for Problem {
    fn from(invalid: Invalid) -> Self {
        match invalid {
            Invalid::EmailMalformed => Problem::EmailMalformed,
            Invalid::EmailDomainNotPublic => Problem::EmailDomainNotPublic,
            Invalid::EmailLocalPartNotAscii => Problem::EmailLocalPartNotAscii,
            Invalid::NameEmpty => Problem::NameEmpty,
            Invalid::NameTooLong => Problem::NameTooLong,
            Invalid::NameControlCharacters => Problem::NameControlCharacters,
            Invalid::PasswordTooShort => Problem::PasswordTooShort,
            Invalid::PasswordTooLong => Problem::PasswordTooLong,
            Invalid::PasswordsDiffer => Problem::PasswordsDiffer,
            Invalid::EmailAlreadyInSchool => Problem::EmailAlreadyInSchool,
            Invalid::AlreadyRecipient => Problem::AlreadyRecipient,
            Invalid::LastAdministrator => Problem::LastAdministrator,
            Invalid::CannotRemoveSelf => Problem::CannotRemoveSelf,
            Invalid::RemovalNotConfirmed => Problem::RemovalNotConfirmed,
            Invalid::AlreadyJoined => Problem::AlreadyJoined,
            Invalid::UnknownCategory => Problem::UnknownCategory,
            Invalid::HostMalformed => Problem::HostMalformed,
            Invalid::PortInvalid => Problem::PortInvalid,
            Invalid::SecurityUnknown => Problem::SecurityUnknown,
            Invalid::RelayUnknown => Problem::RelayUnknown,
            Invalid::UsernameMalformed => Problem::UsernameMalformed,
            Invalid::PasswordRequiredForNewServer => Problem::PasswordRequiredForNewServer,
            Invalid::QuestionEmpty => Problem::QuestionEmpty,
            Invalid::QuestionMalformed => Problem::QuestionMalformed,
            Invalid::AnswerTooShort => Problem::AnswerTooShort,
            Invalid::AnswerTooLong => Problem::AnswerTooLong,
            Invalid::AnswersDiffer => Problem::AnswersDiffer,
            Invalid::CodeMalformed => Problem::CodeMalformed,
            Invalid::PersonalAccountExists => Problem::PersonalAccountExists,
            Invalid::OwnSmtpNotAllowed => Problem::OwnSmtpNotAllowed,
            Invalid::WrongStep => Problem::WrongStep,
            Invalid::TestRequired => Problem::TestRequired,
            Invalid::SubjectEmpty => Problem::SubjectEmpty,
            Invalid::SubjectMalformed => Problem::SubjectMalformed,
            Invalid::BodyEmpty => Problem::BodyEmpty,
            Invalid::BodyTooLong => Problem::BodyTooLong,
            Invalid::BodyControlCharacters => Problem::BodyControlCharacters,
            Invalid::PaceInvalid => Problem::PaceInvalid,
            Invalid::NoRecipients => Problem::NoRecipients,
            Invalid::TooManyRecipients => Problem::TooManyRecipients,
            Invalid::AttachmentsTooLarge => Problem::AttachmentsTooLarge,
            Invalid::TooManyAttachments => Problem::TooManyAttachments,
            Invalid::AttachmentNameMalformed => Problem::AttachmentNameMalformed,
            Invalid::UploadUnreadable => Problem::UploadUnreadable,
            Invalid::TooManyDrafts => Problem::TooManyDrafts,
            Invalid::MessagePurged => Problem::MessagePurged,
        }
    }
}

impl From<domain::CodeRefusal> for crate::error::CodeProblem {
    fn from(refusal: domain::CodeRefusal) -> Self {
        use crate::error::CodeProblem as P;
        use domain::CodeRefusal as R;
        match refusal {
            R::Wrong { remaining } => P::Wrong { remaining },
            R::Expired => P::Expired,
            R::Voided => P::Voided,
            R::NonePending => P::NonePending,
            R::ResendTooSoon { retry_after_secs } => P::ResendTooSoon { retry_after_secs },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;

    fn paris_time(timestamp: i64) -> String {
        Lang::Fr.moment(super::paris_time(timestamp))
    }

    #[test]
    fn times_read_in_paris_summer_and_winter() {
        // 2026-11-21 13:05 UTC is 14:05 in Paris (CET).
        assert_eq!(paris_time(1_795_266_300), "21 novembre 2026 à 14 h 05");
        // 2026-07-01 10:00 UTC is 12:00 (CEST).
        assert_eq!(paris_time(1_782_900_000), "1er juillet 2026 à 12 h 00");
        assert_eq!(
            Lang::En.moment(super::paris_time(1_782_900_000)),
            "1 July 2026 at 12:00"
        );
    }

    #[test]
    fn the_clock_changes_at_one_in_the_morning_utc() {
        // Spring: 2026-03-29 00:59 UTC is still winter, 01:00 UTC is summer.
        assert_eq!(paris_time(1_774_745_940), "29 mars 2026 à 01 h 59");
        assert_eq!(paris_time(1_774_746_000), "29 mars 2026 à 03 h 00");
        // Autumn: 2026-10-25 00:59 UTC is still summer, 01:00 UTC is winter again.
        assert_eq!(paris_time(1_792_889_940), "25 octobre 2026 à 02 h 59");
        assert_eq!(paris_time(1_792_890_000), "25 octobre 2026 à 02 h 00");
    }

    #[test]
    fn past_years_follow_their_own_rules() {
        // Until 1995 summer time ended on the last Sunday of September: 1990-10-15
        // 12:00 UTC was 13:00 in Paris, not 14:00.
        assert_eq!(paris_time(655_992_000), "15 octobre 1990 à 13 h 00");
    }

    #[test]
    fn an_instant_out_of_range_reads_as_its_bound_without_panicking() {
        for instant in [i64::MAX, i64::MIN] {
            let read = paris_time(instant);
            assert!(read.contains(" à ") && read.contains(" h "), "{read}");
        }
    }
}
