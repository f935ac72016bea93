//! The hosting operator's SMTP relay, as configured by the operator.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

use crate::secret::Secret;
use crate::{Error, Result};

/// How the connection to a relay is secured. There is no silent fallback from TLS to
/// plaintext: `StartTls` fails when the server does not offer STARTTLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    StartTls,
    ImplicitTls,
    /// Plaintext; only sensible towards a relay on the same machine.
    None,
}

/// Connection settings of an SMTP relay. The password is a [`Secret`]: no `Debug`.
#[derive(Clone)]
pub struct RelayConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub timeout: Duration,
}

impl RelayConfig {
    pub(crate) async fn send(&self, message: Message) -> Result<()> {
        let tls =
            || TlsParameters::new(self.host.clone()).map_err(|e| Error::Mail(format!("TLS: {e}")));
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .timeout(Some(self.timeout));
        builder = match self.security {
            Security::StartTls => builder.tls(Tls::Required(tls()?)),
            Security::ImplicitTls => builder.tls(Tls::Wrapper(tls()?)),
            Security::None => builder.tls(Tls::None),
        };
        if let (Some(user), Some(password)) = (&self.username, &self.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        builder
            .build()
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| Error::Mail(e.to_string()))
    }
}
