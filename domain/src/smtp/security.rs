//! How a connection to an SMTP relay is secured.

/// How the connection to a relay is secured. There is no silent fallback from TLS to
/// plaintext: `StartTls` fails when the server does not offer STARTTLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    StartTls,
    ImplicitTls,
    /// Plaintext; allowed only towards a relay on this machine (loopback).
    None,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::ImplicitTls => "tls",
            Security::None => "none",
        }
    }

    pub fn parse(value: &str) -> Option<Security> {
        match value {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::ImplicitTls),
            "none" => Some(Security::None),
            _ => None,
        }
    }

    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::ImplicitTls => 465,
            Security::None => 25,
        }
    }
}
