//! sea-orm entities. Crate-private on purpose: rows carry hashes and are `Debug` (sea-orm
//! requires it), so only the domain's own view types leave this crate.

pub(crate) mod account;
pub(crate) mod account_authorisation;
pub(crate) mod account_pace;
pub(crate) mod api_token;
pub(crate) mod archive_entry;
pub(crate) mod archive_unlock;
pub(crate) mod invitation;
pub(crate) mod membership;
pub(crate) mod message;
pub(crate) mod message_attachment;
pub(crate) mod outbox;
pub(crate) mod person;
pub(crate) mod school;
pub(crate) mod sending_settings;
pub(crate) mod session;
pub(crate) mod throttle;
pub(crate) mod verification_code;

/// A state column read back as its [`vocabulary`] value. A name this version does not know
/// is an internal error here, at the row, rather than a silent fallback in a `match`.
pub(crate) fn stored<T>(read: fn(&str) -> Option<T>, column: &str, name: &str) -> crate::Result<T> {
    read(name).ok_or_else(|| crate::Error::Internal(format!("unknown {column} {name:?}")))
}
