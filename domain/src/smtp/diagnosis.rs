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

/// The category of a refused RCPT: relay denial (5.7.x, "relay") or a bad recipient,
/// unless the reply says more ([`classify`]).
pub(crate) fn recipient_refusal(code: u16, text: &str) -> FailureKind {
    let lower = text.to_ascii_lowercase();
    let otherwise = if lower.contains("5.7.") || lower.contains("relay") {
        FailureKind::RelayDenied
    } else {
        FailureKind::RecipientRefused
    };
    classify(code, text, otherwise)
}

/// The enhanced status code (RFC 3463) a reply's text starts with, e.g. `5.7.139`.
fn enhanced_code(text: &str) -> Option<&str> {
    let first = text.split_whitespace().next()?;
    let parts: Vec<&str> = first.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
    (parts.len() == 3 && parts.iter().all(numeric)).then_some(first)
}

/// What a refusal means, as the relays schools use word it (`shared/RELAYS.md`): SMTP AUTH
/// turned off for the mailbox or tenant ("SmtpClientAuthentication is disabled", whatever
/// the code), Exchange Online's basic authentication turned off (`5.7.139`, `5.7.30`), a
/// missing "Send As" right (`5.7.60`), a daily limit (`5.4.5`), throttling (`4.7.x`, or
/// a bare `421`/`454`). Exchange's plain `535 5.7.3 Authentication unsuccessful` is its wrong password
/// (or refused token), so it stays `otherwise`. Any other 4xx is temporary; any other 5xx
/// is `otherwise`, the step's own category.
pub(crate) fn classify(code: u16, text: &str, otherwise: FailureKind) -> FailureKind {
    let enhanced = enhanced_code(text);
    let is = |c: &str| enhanced == Some(c);
    let lower = text.to_ascii_lowercase();
    if is("5.4.5")
        || lower.contains("sending limit exceeded")
        || lower.contains("submissionquotaexceeded")
    {
        FailureKind::DailyLimitReached
    } else if (400..500).contains(&code) {
        // 4.7.x is the relays' "slow down"; a bare 421 or 454 is read the same way, but
        // "421 4.3.2 shutting down" is only a server going away.
        let slow_down = match enhanced {
            Some(e) => e.starts_with("4.7."),
            None => code == 421 || code == 454,
        };
        if slow_down {
            FailureKind::Throttled
        } else {
            FailureKind::TemporaryFailure
        }
    } else if lower.contains("smtpclientauthentication is disabled") {
        FailureKind::SmtpAuthDisabled
    } else if is("5.7.139") || is("5.7.30") {
        FailureKind::BasicAuthDisabled
    } else if is("5.7.60") {
        FailureKind::SendAsDenied
    } else {
        otherwise
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

    /// The replies RELAYS.md quotes, at the step where each is seen.
    #[test]
    fn the_replies_of_real_relays_get_their_own_category() {
        use FailureKind as K;
        let auth = |code, text| classify(code, text, K::AuthRefused);
        let sender = |code, text| classify(code, text, K::SenderRefused);
        let data = |code, text| classify(code, text, K::MessageRefused);
        assert_eq!(
            auth(
                535,
                "5.7.139 Authentication unsuccessful, basic authentication is disabled"
            ),
            K::BasicAuthDisabled
        );
        assert_eq!(
            auth(
                550,
                "5.7.30 Basic authentication is not supported for Client Submission"
            ),
            K::BasicAuthDisabled
        );
        assert_eq!(
            auth(
                535,
                "5.7.3 Authentication unsuccessful [SmtpClientAuthentication is disabled]"
            ),
            K::SmtpAuthDisabled
        );
        assert_eq!(
            auth(
                535,
                "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
            ),
            K::SmtpAuthDisabled
        );
        assert_eq!(
            auth(535, "5.7.8 Username and Password not accepted"),
            K::AuthRefused
        );
        // Exchange Online's wrong password, and its refused token.
        assert_eq!(
            auth(535, "5.7.3 Authentication unsuccessful"),
            K::AuthRefused
        );
        assert_eq!(
            classify(535, "5.7.3 Authentication unsuccessful", K::TokenRefused),
            K::TokenRefused
        );
        assert_eq!(
            sender(
                550,
                "5.7.60 SMTP; Client does not have permissions to send as this sender"
            ),
            K::SendAsDenied
        );
        assert_eq!(
            data(550, "5.4.5 Daily user sending limit exceeded."),
            K::DailyLimitReached
        );
        assert_eq!(
            data(
                554,
                "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"
            ),
            K::DailyLimitReached
        );
        assert_eq!(
            data(421, "4.7.0 Try again later, closing connection."),
            K::Throttled
        );
        assert_eq!(
            data(451, "4.7.28 Our system has detected an unusual rate"),
            K::Throttled
        );
        assert_eq!(
            data(454, "4.7.0 Temporary authentication failure"),
            K::Throttled
        );
        assert_eq!(
            data(451, "4.3.0 Temporary local problem"),
            K::TemporaryFailure
        );
        assert_eq!(
            data(421, "4.3.2 Service shutting down"),
            K::TemporaryFailure
        );
        assert_eq!(data(421, "Too many connections, slow down"), K::Throttled);
        // An enhanced code is the reply's first word: a text merely quoting one is not it.
        assert_eq!(auth(535, "Rejected: see 5.7.139 docs"), K::AuthRefused);
        assert_eq!(
            data(550, "5.7.1 Message rejected as spam"),
            K::MessageRefused
        );
    }
}
