//! The limits a user is told about. The domain enforces these values and the pages state
//! them, both from here, so a sentence cannot say "10 minutes" while the rule says 15.

/// A person's or an account's display name, in characters.
pub const NAME_MAX_CHARS: usize = 120;
/// A sign-in password, in characters.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;
/// An e-mail address, in bytes (RFC 5321's path limit less the brackets).
pub const EMAIL_MAX_BYTES: usize = 254;

/// A secret question and its answer, in characters.
pub const QUESTION_MAX_CHARS: usize = 200;
pub const ANSWER_MIN_CHARS: usize = 3;
pub const ANSWER_MAX_CHARS: usize = 200;

/// A verification code: its digits, how long it is valid, how many tries it allows.
pub const CODE_DIGITS: usize = 6;
pub const CODE_LIFETIME_SECS: i64 = 10 * 60;
pub const CODE_MAX_ATTEMPTS: i32 = 5;
/// How long an invitation link stays valid.
pub const INVITATION_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;
/// How long an unlocked archive stays open for the session.
pub const ARCHIVE_UNLOCK_SECS: i64 = 600;

/// A message: subject in characters, text in bytes, attachments in bytes and in number.
pub const MAX_SUBJECT_CHARS: usize = 250;
pub const MAX_BODY_BYTES: usize = 100 * 1024;
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ATTACHMENTS: usize = 10;
pub const MAX_FILE_NAME_CHARS: usize = 200;
/// Recipients of one send.
pub const MAX_RECIPIENTS: usize = 5_000;
/// Unsent drafts one person may keep in one school.
pub const MAX_DRAFTS_PER_PERSON: u64 = 50;

/// A relay's pace, as an administrator may set it.
pub const PACE_PER_MINUTE: std::ops::RangeInclusive<u32> = 1..=10_000;
pub const PACE_PER_DAY: std::ops::RangeInclusive<u32> = 1..=1_000_000;
/// The pace when an administrator leaves it empty: Exchange Online's published limits.
pub const DEFAULT_PACE_PER_MINUTE: u32 = 30;
pub const DEFAULT_PACE_PER_DAY: u32 = 10_000;
