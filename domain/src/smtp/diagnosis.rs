//! What went wrong in an SMTP exchange, in categories a person can act on. The UI turns
//! each into a French sentence saying what happened and what to try.

use serde::Serialize;

pub use vocabulary::FailureKind;

/// A failed step: its category and what the server (or the system) said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: String,
}

impl Failure {
    /// The detail is cut to 500 characters without control characters (bar line breaks):
    /// it is stored and shown, whatever a server sent.
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> Self {
        let detail = detail
            .into()
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .take(500)
            .collect();
        Self { kind, detail }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.detail)
    }
}

/// The category of a refused RCPT: relay denial (5.7.x, "relay") or a bad recipient.
pub(crate) fn recipient_refusal(code: u16, text: &str) -> FailureKind {
    let lower = text.to_ascii_lowercase();
    if (400..500).contains(&code) {
        FailureKind::TemporaryFailure
    } else if lower.contains("5.7.") || lower.contains("relay") {
        FailureKind::RelayDenied
    } else {
        FailureKind::RecipientRefused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_detail_is_bounded_and_printable() {
        let failure = Failure::new(
            FailureKind::MessageRefused,
            format!("554 \u{1b}[31m{}", "x".repeat(10_000)),
        );
        assert_eq!(failure.detail.chars().count(), 500);
        assert!(!failure.detail.contains('\u{1b}'));
    }

    #[test]
    fn relay_denials_are_told_apart_from_unknown_recipients() {
        assert_eq!(
            recipient_refusal(554, "5.7.1 <x@y.fr>: Relay access denied"),
            FailureKind::RelayDenied
        );
        assert_eq!(
            recipient_refusal(550, "Relaying denied"),
            FailureKind::RelayDenied
        );
        assert_eq!(
            recipient_refusal(
                550,
                "5.1.1 <x@y.fr>: Recipient address rejected: User unknown"
            ),
            FailureKind::RecipientRefused
        );
        assert_eq!(
            recipient_refusal(450, "4.2.0 greylisted"),
            FailureKind::TemporaryFailure
        );
    }
}
