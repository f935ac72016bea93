//! The error that crosses the server-function boundary. It carries what the user can act
//! on, never a database or SMTP message: internal causes are logged on the server and
//! reach the browser as [`AppError::Internal`].

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::api::sending::review::RefusedLine;
use crate::i18n::Lang;
pub use crate::words::Sentence;
pub use vocabulary::{CodeRefusal, Invalid};

/// How many refused recipient lines a message quotes (the rest are counted).
pub const SHOWN_LINES: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    SignInRequired,
    #[error("no school selected")]
    NoSchool,
    #[error("invalid: {0:?}")]
    Invalid(Invalid),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("invitation invalid")]
    InvitationInvalid,
    #[error("verification code refused")]
    Code(CodeRefusal),
    /// `remaining` more tries before a lockout of `lockout_secs`.
    #[error("wrong secret answer")]
    AnswerWrong { remaining: i32, lockout_secs: i64 },
    #[error("mail not sent")]
    MailNotSent,
    /// Problems with the recipients (addresses, names, values, missing placeholder
    /// values): the first few and how many in all.
    #[error("recipients refused")]
    Recipients {
        shown: Vec<RefusedLine>,
        total: usize,
    },
    #[error("archive locked")]
    ArchiveLocked,
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
    /// The request itself could not be carried (network down, bad arguments).
    #[error("request failed")]
    Request,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Request,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::Request,
            _ => AppError::Internal,
        }
    }
}

impl AppError {
    /// Refused recipient lines, the first [`SHOWN_LINES`] of them.
    pub fn refused_lines(lines: impl ExactSizeIterator<Item = RefusedLine>) -> Self {
        let total = lines.len();
        let shown = lines.take(SHOWN_LINES).collect();
        AppError::Recipients { shown, total }
    }

    /// One sentence the user can act on, in their language.
    pub fn message(&self, lang: Lang) -> String {
        let t = |fr: &str, en: &str| lang.t_owned(fr, en);
        match self {
            AppError::NotFound => t("Introuvable.", "Not found."),
            AppError::Forbidden => t(
                "Cette page est réservée aux administrateurs de l'établissement.",
                "This page is for the school's administrators.",
            ),
            AppError::SignInRequired => t(
                "Votre session a expiré : reconnectez-vous.",
                "Your session has ended: please sign in again.",
            ),
            AppError::NoSchool => t(
                "Vous ne faites partie d'aucun établissement pour l'instant.",
                "You do not belong to any school yet.",
            ),
            AppError::Invalid(p) => p.message(lang),
            AppError::InvalidCredentials => t(
                "Adresse e-mail ou mot de passe incorrect.",
                "Wrong e-mail address or password.",
            ),
            AppError::TooManyAttempts { retry_after_secs } => {
                let minutes = (retry_after_secs + 59) / 60;
                match lang {
                    Lang::Fr => format!("Trop de tentatives. Réessayez dans {minutes} min."),
                    Lang::En => format!("Too many attempts. Try again in {minutes} min."),
                }
            }
            AppError::Code(problem) => problem.message(lang),
            AppError::AnswerWrong {
                remaining,
                lockout_secs,
            } => {
                let lock = lockout_words(*lockout_secs, lang);
                match lang {
                    Lang::Fr => format!(
                        "Réponse secrète incorrecte. Encore {remaining} essai(s) avant un blocage {lock}."
                    ),
                    Lang::En => {
                        format!(
                            "Wrong secret answer. {remaining} more tr(ies) before a {lock} lock."
                        )
                    }
                }
            }
            AppError::InvitationInvalid => t(
                "Ce lien d'invitation n'est plus valable : il a déjà servi, ou il a expiré, ou une invitation plus récente l'a remplacé. Si vous avez déjà choisi votre mot de passe, connectez-vous. Sinon, demandez à l'administrateur de votre établissement de vous renvoyer l'invitation : il a un bouton « Renvoyer l'invitation » sur votre fiche de l'annuaire.",
                "This invitation link is no longer valid: it was used, expired, or a newer invitation replaced it. If you have already chosen your password, sign in. Otherwise, ask your school's administrator to send the invitation again: there is a “Send the invitation again” button on your entry in the directory.",
            ),
            AppError::Recipients { shown, total } => {
                let listed: Vec<String> = shown.iter().map(|l| l.message(lang)).collect();
                let more = match (total.saturating_sub(shown.len()), lang) {
                    (0, _) => String::new(),
                    (n, Lang::Fr) => format!(" Et {n} autre(s)."),
                    (n, Lang::En) => format!(" And {n} more."),
                };
                match lang {
                    Lang::Fr => format!(
                        "Rien n'a été envoyé : {total} problème(s) dans les destinataires. {}{more}",
                        listed.join(" ")
                    ),
                    Lang::En => format!(
                        "Nothing was sent: {total} problem(s) with the recipients. {}{more}",
                        listed.join(" ")
                    ),
                }
            }
            AppError::ArchiveLocked => t(
                "L'archive est verrouillée : donnez la réponse secrète du compte ou son fichier de récupération pour l'ouvrir (10 minutes).",
                "The archive is locked: give the account's secret answer or its recovery file to open it (10 minutes).",
            ),
            AppError::MailNotSent => t(
                "L'enregistrement est fait, mais l'e-mail n'a pas pu partir. Réessayez plus tard ou contactez l'hébergeur.",
                "Saved, but the e-mail could not be sent. Try again later or contact the host.",
            ),
            AppError::Unavailable => t(
                "Le service est momentanément indisponible. Réessayez dans quelques minutes ; rien n'a été perdu.",
                "The service is briefly unavailable. Try again in a few minutes; nothing was lost.",
            ),
            AppError::Internal => t(
                "Une erreur inattendue s'est produite. Réessayez ; si elle persiste, contactez l'hébergeur.",
                "An unexpected error occurred. Try again; if it persists, contact the host.",
            ),
            AppError::Request => t(
                "La demande n'a pas pu aboutir. Vérifiez votre connexion et réessayez.",
                "The request could not be completed. Check your connection and try again.",
            ),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status this answer is sent with. A refusal of what was asked (not found,
    /// not allowed, mistyped, wrong code, too many tries) is a 4xx, so that an operator's
    /// alert on 5xx fires only on real faults: the database, our own code, the mail relay.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::NotFound => S::NOT_FOUND,
            AppError::Forbidden | AppError::NoSchool | AppError::ArchiveLocked => S::FORBIDDEN,
            AppError::SignInRequired | AppError::InvalidCredentials => S::UNAUTHORIZED,
            AppError::Invalid(problem) => invalid_status(*problem),
            AppError::TooManyAttempts { .. } => S::TOO_MANY_REQUESTS,
            AppError::InvitationInvalid => S::GONE,
            AppError::Code(CodeRefusal::ResendTooSoon { .. }) => S::TOO_MANY_REQUESTS,
            AppError::Code(
                CodeRefusal::Wrong { .. }
                | CodeRefusal::Expired { .. }
                | CodeRefusal::Voided { .. }
                | CodeRefusal::NonePending,
            ) => S::UNPROCESSABLE_ENTITY,
            AppError::AnswerWrong { .. } | AppError::Recipients { .. } => S::UNPROCESSABLE_ENTITY,
            AppError::Request => S::BAD_REQUEST,
            AppError::MailNotSent => S::BAD_GATEWAY,
            AppError::Unavailable => S::SERVICE_UNAVAILABLE,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }
}

#[cfg(feature = "ssr")]
/// 409 when the request clashes with what is already there (a duplicate, the last
/// administrator, a step that has moved on); 422 when what was typed is refused.
fn invalid_status(problem: Invalid) -> http::StatusCode {
    use http::StatusCode as S;
    match problem {
        Invalid::EmailAlreadyInSchool
        | Invalid::AlreadyRecipient
        | Invalid::LastAdministrator
        | Invalid::CannotRemoveSelf
        | Invalid::AlreadyJoined
        | Invalid::PersonalAccountExists
        | Invalid::WrongStep
        | Invalid::TestRequired
        | Invalid::TooManyDrafts => S::CONFLICT,
        Invalid::MessagePurged => S::GONE,
        Invalid::EmailMalformed
        | Invalid::EmailDomainNotPublic
        | Invalid::EmailLocalPartNotAscii
        | Invalid::NameEmpty
        | Invalid::NameTooLong
        | Invalid::NameControlCharacters
        | Invalid::PasswordTooShort
        | Invalid::PasswordTooLong
        | Invalid::PasswordsDiffer
        | Invalid::UnknownCategory
        | Invalid::RemovalNotConfirmed
        | Invalid::HostMalformed
        | Invalid::PortInvalid
        | Invalid::SecurityUnknown
        | Invalid::RelayUnknown
        | Invalid::UsernameMalformed
        | Invalid::PasswordRequiredForNewServer
        | Invalid::QuestionEmpty
        | Invalid::QuestionMalformed
        | Invalid::AnswerTooShort
        | Invalid::AnswerTooLong
        | Invalid::AnswersDiffer
        | Invalid::CodeMalformed
        | Invalid::OwnSmtpNotAllowed
        | Invalid::SubjectEmpty
        | Invalid::SubjectMalformed
        | Invalid::BodyEmpty
        | Invalid::BodyTooLong
        | Invalid::BodyControlCharacters
        | Invalid::PaceInvalid
        | Invalid::NoRecipients
        | Invalid::TooManyRecipients
        | Invalid::AttachmentsTooLarge
        | Invalid::TooManyAttachments
        | Invalid::AttachmentNameMalformed
        | Invalid::UploadUnreadable => S::UNPROCESSABLE_ENTITY,
    }
}

/// A lockout's length as the sentence around it needs it: "de 30 minutes" / "30-minute",
/// "d'une heure" / "1-hour", "de 16 heures" / "16-hour" (lockouts are whole quarter hours,
/// and whole hours from the first hour on).
fn lockout_words(secs: i64, lang: Lang) -> String {
    let minutes = (secs.max(0) + 59) / 60;
    match (minutes, lang) {
        (m, Lang::Fr) if m < 60 || m % 60 != 0 => format!("de {m} minutes"),
        (m, Lang::En) if m < 60 || m % 60 != 0 => format!("{m}-minute"),
        (60, Lang::Fr) => "d'une heure".to_owned(),
        (m, Lang::Fr) => format!("de {} heures", m / 60),
        (m, Lang::En) => format!("{}-hour", m / 60),
    }
}

impl Lang {
    pub(crate) fn t_owned(self, fr: &str, en: &str) -> String {
        match self {
            Lang::Fr => fr.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_wrong(lockout_secs: i64, lang: Lang) -> String {
        AppError::AnswerWrong {
            remaining: 4,
            lockout_secs,
        }
        .message(lang)
    }

    #[test]
    fn a_wrong_answer_states_the_length_of_the_lockout_it_leads_to() {
        assert_eq!(
            answer_wrong(900, Lang::Fr),
            "Réponse secrète incorrecte. Encore 4 essai(s) avant un blocage de 15 minutes."
        );
        // The second lockout lasts twice as long as the first.
        assert_eq!(
            answer_wrong(1800, Lang::Fr),
            "Réponse secrète incorrecte. Encore 4 essai(s) avant un blocage de 30 minutes."
        );
        assert_eq!(
            answer_wrong(1800, Lang::En),
            "Wrong secret answer. 4 more tr(ies) before a 30-minute lock."
        );
        assert!(answer_wrong(3600, Lang::Fr).ends_with("blocage d'une heure."));
        assert!(answer_wrong(57_600, Lang::Fr).ends_with("blocage de 16 heures."));
        assert!(answer_wrong(57_600, Lang::En).ends_with("a 16-hour lock."));
    }
}
