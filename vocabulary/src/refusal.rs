//! What a user can be told was refused, and why. Each value is worded once, in the app.

use serde::{Deserialize, Serialize};

/// A problem with what the user typed. Each maps to one French (and English) sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Invalid {
    #[error("the e-mail address is malformed")]
    EmailMalformed,
    /// An address literal (`a@[10.0.0.5]`), `localhost`, or a domain without a dot.
    #[error("the e-mail address's domain is not a public domain name")]
    EmailDomainNotPublic,
    /// `hélène@…`: the SMTP client does not speak SMTPUTF8, so such mail cannot leave.
    #[error("the part before @ has non-ASCII characters")]
    EmailLocalPartNotAscii,
    #[error("the name is empty")]
    NameEmpty,
    #[error("the name is too long")]
    NameTooLong,
    #[error("the name contains line breaks or control characters")]
    NameControlCharacters,
    #[error("the password is too short")]
    PasswordTooShort,
    #[error("the password is too long")]
    PasswordTooLong,
    #[error("the two passwords differ")]
    PasswordsDiffer,
    #[error("this address is already in the school's directory")]
    EmailAlreadyInSchool,
    /// A corrected address that another recipient of the same message already has.
    #[error("this address already receives this message")]
    AlreadyRecipient,
    #[error("the school must keep at least one administrator")]
    LastAdministrator,
    #[error("an administrator cannot remove themselves")]
    CannotRemoveSelf,
    /// Removing someone takes an explicit confirmation.
    #[error("the removal was not confirmed")]
    RemovalNotConfirmed,
    /// An invitation for someone who already chose a password (they sign in instead).
    #[error("this person has already chosen a password")]
    AlreadyJoined,
    #[error("unknown staff category")]
    UnknownCategory,
    #[error("the SMTP server name is missing or malformed")]
    HostMalformed,
    #[error("the port must be a number from 1 to 65535")]
    PortInvalid,
    #[error("unknown connection security")]
    SecurityUnknown,
    #[error("unknown relay choice")]
    RelayUnknown,
    #[error("the SMTP user name is too long or contains control characters")]
    UsernameMalformed,
    #[error("the server or user changed: type the password again")]
    PasswordRequiredForNewServer,
    #[error("the secret question is empty")]
    QuestionEmpty,
    #[error("the secret question is too long or contains control characters")]
    QuestionMalformed,
    #[error("the secret answer is too short")]
    AnswerTooShort,
    #[error("the secret answer is too long")]
    AnswerTooLong,
    #[error("the two answers differ")]
    AnswersDiffer,
    #[error("the code is six digits")]
    CodeMalformed,
    #[error("you already have a personal account in this school")]
    PersonalAccountExists,
    #[error("the school delivers all mail through the server: no own SMTP settings")]
    OwnSmtpNotAllowed,
    #[error("the account is not at this step")]
    WrongStep,
    /// Validation asked for settings without a passing test of exactly those settings.
    #[error("no passing test of these sending settings")]
    TestRequired,
    #[error("the subject is empty")]
    SubjectEmpty,
    #[error("the subject is too long or holds control characters")]
    SubjectMalformed,
    #[error("the message is empty")]
    BodyEmpty,
    #[error("the message is too long")]
    BodyTooLong,
    /// A NUL or another control character other than tab and line breaks.
    #[error("the message holds control characters")]
    BodyControlCharacters,
    /// A relay's pace that is not a whole number in its range.
    #[error("the pace is not a whole number in its range")]
    PaceInvalid,
    #[error("no recipient")]
    NoRecipients,
    #[error("too many recipients")]
    TooManyRecipients,
    #[error("the attachments are too large")]
    AttachmentsTooLarge,
    #[error("too many attachments")]
    TooManyAttachments,
    #[error("an attachment's name is malformed")]
    AttachmentNameMalformed,
    /// The multipart form could not be read to its end (not a size problem).
    #[error("the uploaded form could not be read")]
    UploadUnreadable,
    /// A new draft for a person who already has [`crate::limits::MAX_DRAFTS_PER_PERSON`]
    /// in the school.
    #[error("too many drafts")]
    TooManyDrafts,
    /// The send's text, attachments and values were purged after the retention period:
    /// nothing is left to send again.
    #[error("the message was purged after its retention period")]
    MessagePurged,
}

/// Why a verification code was not accepted (or not sent), each with a next step for the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeRefusal {
    /// Not this code; `remaining` more tries for it.
    Wrong { remaining: i32 },
    /// Older than its lifetime (`lifetime_secs`): ask for a new one.
    Expired { lifetime_secs: i64 },
    /// `after_tries` wrong tries voided it: ask for a new one.
    Voided { after_tries: i32 },
    /// No code is waiting (already used, or never sent).
    NonePending,
    /// A new code was sent less than the cooldown ago.
    ResendTooSoon { retry_after_secs: i64 },
}
