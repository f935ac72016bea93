//! The domain's error type: what went wrong in words the UI can translate, and internal
//! causes that are logged but never shown.

pub use vocabulary::{CodeRefusal, Invalid};

/// Everything a domain call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist *for this caller* (another school's data looks the same).
    #[error("not found")]
    NotFound,
    /// The caller is known but lacks the role (e.g. not an administrator).
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    /// Wrong e-mail or password; deliberately does not say which.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts, retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: i64 },
    /// A verification code was refused; says what to do next.
    #[error("verification code refused: {0:?}")]
    Code(CodeRefusal),
    /// The secret answer did not match; `remaining` more tries before a lockout of
    /// `lockout_secs` (each lockout lasts twice as long as the one before).
    #[error("wrong secret answer")]
    AnswerWrong { remaining: i32, lockout_secs: i64 },
    /// Unknown, expired or already used invitation link.
    #[error("invitation invalid or expired")]
    InvitationInvalid,
    /// Too much work in flight (e.g. password hashing); try again shortly.
    #[error("busy")]
    Busy,
    #[error("mail could not be sent: {0}")]
    Mail(String),
    /// Every problem with the recipients (addresses, names, values, missing placeholder
    /// values, filled sizes), each with its line or position; nothing was queued.
    #[error("{} recipient problem(s)", .0.len())]
    Recipients(Vec<crate::outbox::recipients::BadLine>),
    /// The archive is not open for this session (or no longer).
    #[error("archive locked")]
    ArchiveLocked,
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
