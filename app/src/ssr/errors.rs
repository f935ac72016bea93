//! A domain error as the browser may see it: what the user can act on, with the internal
//! cause logged here and never sent.

use crate::error::AppError;

impl From<domain::Error> for AppError {
    fn from(error: domain::Error) -> Self {
        use domain::Error as E;
        match error {
            E::NotFound => AppError::NotFound,
            E::Forbidden => AppError::Forbidden,
            E::Invalid(invalid) => AppError::Invalid(invalid),
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::TooManyAttempts { retry_after_secs } => {
                AppError::TooManyAttempts { retry_after_secs }
            }
            E::InvitationInvalid => AppError::InvitationInvalid,
            E::Code(refusal) => AppError::Code(refusal),
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
