//! A route: the way one kind of message leaves (which relay, which `From`), decided once
//! from settings and then used to deliver. Keeps the DMARC rule in one place: `From` is
//! only ever an address of a domain the relay may send for.

use std::time::Duration;

use super::{Mailer, OutgoingMail, Relay, Sender, build, deliver_once};
use crate::smtp::{Failure, FailureKind, Transcript};
use crate::{Error, Result};

/// The longest one delivery may take, whatever the relay does.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Which server carries the message.
#[derive(Clone)]
pub enum Carrier {
    /// The host's relay (or the file drop when the operator configured none).
    Hosting(Mailer),
    /// A school's or an account's own SMTP server, password already opened.
    Smtp(Relay),
}

/// How a message leaves: carrier, `From` and, when `From` cannot be the author's own
/// address, where replies go.
#[derive(Clone)]
pub struct Route {
    pub carrier: Carrier,
    pub sender: Sender,
    pub reply_to: Option<String>,
}

impl Route {
    /// Delivers `mail` (its `reply_to` is replaced by the route's), recording the exchange.
    pub async fn deliver(
        &self,
        mail: &OutgoingMail,
        transcript: &mut Transcript,
    ) -> Result<String, Failure> {
        let mut mail = mail.clone();
        if mail.reply_to.is_none() {
            mail.reply_to.clone_from(&self.reply_to);
        }
        let message = build(&self.sender, &mail)
            .map_err(|e| Failure::new(FailureKind::MessageRefused, e.to_string()))?;
        let attempt = async {
            match &self.carrier {
                Carrier::Hosting(mailer) => {
                    mailer
                        .deliver(&self.sender.address, &mail.to_address, message, transcript)
                        .await
                }
                Carrier::Smtp(relay) => {
                    let formatted = message.formatted();
                    deliver_once(
                        relay,
                        &self.sender.address,
                        &mail.to_address,
                        &formatted,
                        transcript,
                    )
                    .await
                }
            }
        };
        tokio::time::timeout(DELIVERY_TIMEOUT, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(Failure::new(
                    FailureKind::Timeout,
                    format!("no result within {} s", DELIVERY_TIMEOUT.as_secs()),
                ))
            })
    }

    /// Delivers `mail`, reporting only the failure's category (a relay's reply often
    /// quotes the full recipient address, which must not reach the logs).
    pub async fn send(&self, mail: &OutgoingMail) -> Result<()> {
        build(&self.sender, mail)?; // a bad header is the caller's error, not the relay's
        let mut transcript = Transcript::default();
        self.deliver(mail, &mut transcript)
            .await
            .map(|_| ())
            .map_err(|f| Error::Mail(format!("{:?}", f.kind)))
    }
}

/// The domain part of an address, lower-cased.
pub fn domain_of(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, domain)| domain.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn domains_are_compared_lower_case() {
        assert_eq!(
            super::domain_of("Anne@Ecole.FR").as_deref(),
            Some("ecole.fr")
        );
        assert_eq!(super::domain_of("nope"), None);
    }
}
