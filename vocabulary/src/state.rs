//! Where an account, a message and each of its deliveries stand. The database stores each
//! value by its stored name ([`AccountState::as_str`]); reading one back goes through
//! `from_stored`, so an unknown name is an error at the entity boundary, not a silent branch.

use serde::{Deserialize, Serialize};

use crate::FailureKind;

/// Declares each variant's stored name once: `as_str`, `from_stored` and `ALL` follow.
macro_rules! stored_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name stored in the database.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// The value a stored name stands for; `None` for a name this version does not
            /// know.
            pub fn from_stored(stored: &str) -> Option<$ty> {
                match stored {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use stored_names;

/// Personal (one staff member's) or establishment (shared) account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountKind {
    Personal,
    Establishment,
}

stored_names!(AccountKind {
    Personal => "personal",
    Establishment => "establishment",
});

/// Where an account is in its wizard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountState {
    AwaitingCode,
    AwaitingSecret,
    AwaitingValidation,
    Active,
}

stored_names!(AccountState {
    AwaitingCode => "awaiting_code",
    AwaitingSecret => "awaiting_secret",
    AwaitingValidation => "awaiting_validation",
    Active => "active",
});

impl AccountState {
    /// The wizard's step for this state (the address is step 1... the active account 5).
    pub const fn step(self) -> u8 {
        match self {
            AccountState::AwaitingCode => 2,
            AccountState::AwaitingSecret => 3,
            AccountState::AwaitingValidation => 4,
            AccountState::Active => 5,
        }
    }
}

/// Where a message stands as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageState {
    /// Saved, not sent; only its author sees it.
    Draft,
    /// Queued: its recipients are being delivered, or were.
    Queued,
    /// Stopped by its author or an administrator: nothing more leaves until it is resumed.
    Stopped,
}

stored_names!(MessageState {
    Draft => "draft",
    Queued => "queued",
    Stopped => "stopped",
});

/// Where one recipient's delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    Queued,
    Sending,
    Sent,
    Retrying,
    Failed,
    /// The send was stopped before this recipient got it; never claimed.
    Cancelled,
}

stored_names!(DeliveryState {
    Queued => "queued",
    Sending => "sending",
    Sent => "sent",
    Retrying => "retrying",
    Failed => "failed",
    Cancelled => "cancelled",
});

/// Why the last attempt failed, beyond the SMTP categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryProblem {
    Smtp(FailureKind),
    /// The account was deleted, is being changed, or the author may no longer use it.
    AccountUnavailable,
    /// Temporary failures went on for too long.
    GaveUp,
    /// Its delivery was started several times and never finished (the worker died each
    /// time): failed rather than taken again for ever.
    Unprocessable,
    /// Filled for this recipient, the message would exceed its limits (queueing checks
    /// this; a row that still does is failed without being built).
    TooLarge,
}

impl DeliveryProblem {
    /// Every value: each SMTP kind, then the problems of the outbox itself.
    pub fn every() -> impl Iterator<Item = DeliveryProblem> {
        FailureKind::ALL
            .iter()
            .map(|&kind| DeliveryProblem::Smtp(kind))
            .chain([
                DeliveryProblem::AccountUnavailable,
                DeliveryProblem::GaveUp,
                DeliveryProblem::Unprocessable,
                DeliveryProblem::TooLarge,
            ])
    }

    /// The failures a retry cannot fix but a corrected address can: the server refused the
    /// address itself (unknown mailbox, no such domain), permanently.
    pub const NEEDS_NEW_ADDRESS: [DeliveryProblem; 1] =
        [DeliveryProblem::Smtp(FailureKind::RecipientRefused)];

    /// Whether sending to the same address again would fail the same way, so that the
    /// address has to be corrected rather than retried.
    pub fn needs_new_address(self) -> bool {
        Self::NEEDS_NEW_ADDRESS.contains(&self)
    }

    /// The name stored in the database: an SMTP kind by its own name, the others by theirs.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryProblem::Smtp(kind) => kind.as_str(),
            DeliveryProblem::AccountUnavailable => "AccountUnavailable",
            DeliveryProblem::GaveUp => "GaveUp",
            DeliveryProblem::Unprocessable => "Unprocessable",
            DeliveryProblem::TooLarge => "TooLarge",
        }
    }

    pub fn from_stored(stored: &str) -> Option<DeliveryProblem> {
        match stored {
            "AccountUnavailable" => Some(DeliveryProblem::AccountUnavailable),
            "GaveUp" => Some(DeliveryProblem::GaveUp),
            "Unprocessable" => Some(DeliveryProblem::Unprocessable),
            "TooLarge" => Some(DeliveryProblem::TooLarge),
            other => FailureKind::from_stored(other).map(DeliveryProblem::Smtp),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored name reads back as the value that wrote it, for every value, and no two
    /// values share a name.
    #[test]
    fn every_stored_name_reads_back_as_its_value() {
        fn round_trip<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            name: fn(T) -> &'static str,
            read: fn(&str) -> Option<T>,
        ) {
            for &value in all {
                assert_eq!(read(name(value)), Some(value), "{value:?}");
            }
            let mut names: Vec<_> = all.iter().map(|&v| name(v)).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), all.len());
            assert_eq!(read("no such name"), None);
        }
        round_trip(
            AccountKind::ALL,
            AccountKind::as_str,
            AccountKind::from_stored,
        );
        round_trip(
            AccountState::ALL,
            AccountState::as_str,
            AccountState::from_stored,
        );
        round_trip(
            MessageState::ALL,
            MessageState::as_str,
            MessageState::from_stored,
        );
        round_trip(
            DeliveryState::ALL,
            DeliveryState::as_str,
            DeliveryState::from_stored,
        );
        round_trip(
            FailureKind::ALL,
            FailureKind::as_str,
            FailureKind::from_stored,
        );
        let problems: Vec<DeliveryProblem> = DeliveryProblem::every().collect();
        // Every variant is listed: a new one must be added to `every` as well.
        for p in &problems {
            match p {
                DeliveryProblem::Smtp(_)
                | DeliveryProblem::AccountUnavailable
                | DeliveryProblem::GaveUp
                | DeliveryProblem::Unprocessable
                | DeliveryProblem::TooLarge => {}
            }
        }
        assert_eq!(problems.len(), FailureKind::ALL.len() + 4);
        round_trip(
            &problems,
            DeliveryProblem::as_str,
            DeliveryProblem::from_stored,
        );
    }

    /// The stored name of an SMTP kind is the serde name the API has always used.
    #[test]
    fn smtp_kinds_are_stored_by_their_api_names() {
        assert_eq!(FailureKind::AuthRefused.as_str(), "AuthRefused");
        assert_eq!(
            FailureKind::from_stored("Timeout"),
            Some(FailureKind::Timeout)
        );
    }
}
