//! What went wrong in an SMTP exchange, in categories a person can act on.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// The host name does not resolve (typo, or the DNS is down).
    NameNotResolved,
    /// The host resolves only to loopback, private or link-local addresses, which the
    /// operator has not allowed.
    PrivateAddress,
    /// A port other than SMTP's own, which the operator has not allowed.
    PortNotAllowed,
    /// Plaintext SMTP ("none") towards a host that is not on this machine.
    PlaintextNotAllowed,
    /// Nothing listens on that port (or a firewall rejects the connection).
    ConnectionRefused,
    /// No answer within the time limit.
    Timeout,
    /// The server's certificate is not valid for that name, expired or untrusted.
    TlsCertificate,
    /// The TLS handshake failed otherwise (e.g. implicit TLS towards a STARTTLS port).
    TlsHandshake,
    /// STARTTLS was required but the server does not offer it.
    StartTlsNotOffered,
    /// A user name is set but the server offers no authentication (over this connection).
    AuthNotOffered,
    /// The server refused the user name or password.
    AuthRefused,
    /// Exchange Online refused a password because the tenant turned basic authentication
    /// off (`535 5.7.139`, `550 5.7.30`): the account must sign in with Microsoft (OAuth).
    BasicAuthDisabled,
    /// SMTP authentication is off for this mailbox or the whole tenant (Exchange Online's
    /// "SmtpClientAuthentication is disabled", Security Defaults): an administrator of the
    /// tenant must turn it on.
    SmtpAuthDisabled,
    /// The provider refused the OAuth 2.0 access token given with `AUTH XOAUTH2` (expired,
    /// revoked, or consent withdrawn): the account must be connected again.
    TokenRefused,
    /// The server refused the sender address.
    SenderRefused,
    /// The mailbox may not send as this address (Exchange Online's `550 5.7.60`: no
    /// "Send As" right on the shared mailbox).
    SendAsDenied,
    /// The server refused the recipient address.
    RecipientRefused,
    /// The server refuses to relay to that recipient (not authenticated or not allowed).
    RelayDenied,
    /// The server refused the message itself (size, content, policy).
    MessageRefused,
    /// The server answered "try again later" (4xx).
    TemporaryFailure,
    /// The server asks to slow down (an enhanced `4.7.x`, or a `421`/`454` without one):
    /// the account's sending waits, then goes on.
    Throttled,
    /// The mailbox reached its sending limit for the day (Google's `550 5.4.5 Daily user
    /// sending limit exceeded`, Exchange Online's submission quota): it waits for the next
    /// day rather than failing its recipients.
    DailyLimitReached,
    /// The connection dropped, or the server spoke something other than SMTP.
    ConnectionLost,
    /// The message holds a CR or an LF outside a CRLF pair, which a lax relay could read
    /// as the end of the data and the rest as a second, forged transaction (SMTP
    /// smuggling). Refused by this client before sending; permanent, since retrying would
    /// send the same bytes.
    BareLineBreak,
}

impl FailureKind {
    /// Worth retrying later without changing anything (network and 4xx trouble).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FailureKind::ConnectionRefused
                | FailureKind::Timeout
                | FailureKind::TemporaryFailure
                | FailureKind::ConnectionLost
                | FailureKind::Throttled
                | FailureKind::DailyLimitReached
        )
    }
}

crate::state::stored_names!(FailureKind {
    NameNotResolved => "NameNotResolved",
    PrivateAddress => "PrivateAddress",
    PortNotAllowed => "PortNotAllowed",
    PlaintextNotAllowed => "PlaintextNotAllowed",
    ConnectionRefused => "ConnectionRefused",
    Timeout => "Timeout",
    TlsCertificate => "TlsCertificate",
    TlsHandshake => "TlsHandshake",
    StartTlsNotOffered => "StartTlsNotOffered",
    AuthNotOffered => "AuthNotOffered",
    AuthRefused => "AuthRefused",
    BasicAuthDisabled => "BasicAuthDisabled",
    SmtpAuthDisabled => "SmtpAuthDisabled",
    TokenRefused => "TokenRefused",
    SenderRefused => "SenderRefused",
    SendAsDenied => "SendAsDenied",
    RecipientRefused => "RecipientRefused",
    RelayDenied => "RelayDenied",
    MessageRefused => "MessageRefused",
    TemporaryFailure => "TemporaryFailure",
    Throttled => "Throttled",
    DailyLimitReached => "DailyLimitReached",
    ConnectionLost => "ConnectionLost",
    BareLineBreak => "BareLineBreak",
});
