//! A route: the way one kind of message leaves (which relay, which `From`), decided once
//! from settings and then used to deliver. Keeps the DMARC rule in one place: `From` is
//! only ever an address of a domain the relay may send for.

use std::time::Duration;

use super::{Mailer, OutgoingMail, Relay, Sender, build, deliver_once};
use crate::smtp::{Connection, Failure, FailureKind, Transcript};
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

/// Delivers many messages along one route over one SMTP connection, opened at the first
/// message and kept between them: a connection per message would cost a handshake (and
/// TLS and AUTH) each time. A refused message resets the transaction; a broken connection
/// is dropped and the next message opens a new one.
pub struct RouteSession {
    route: Route,
    relay: Option<Relay>,
    connection: Option<Connection>,
}

impl RouteSession {
    pub fn new(route: Route) -> Self {
        let relay = match &route.carrier {
            Carrier::Smtp(relay) => Some(relay.clone()),
            Carrier::Hosting(Mailer::Relay(relay)) => Some(relay.as_ref().clone()),
            Carrier::Hosting(_) => None,
        };
        Self {
            route,
            relay,
            connection: None,
        }
    }

    pub fn sender(&self) -> &Sender {
        &self.route.sender
    }

    /// Delivers `mail`; the relay's reply on success.
    pub async fn deliver(&mut self, mail: &OutgoingMail) -> Result<String, Failure> {
        let mut mail = mail.clone();
        if mail.reply_to.is_none() {
            mail.reply_to.clone_from(&self.route.reply_to);
        }
        let message = build(&self.route.sender, &mail)
            .map_err(|e| Failure::new(FailureKind::MessageRefused, e.to_string()))?;
        let mut transcript = Transcript::default();
        let Some(relay) = self.relay.clone() else {
            let Carrier::Hosting(mailer) = &self.route.carrier else {
                return Err(Failure::new(FailureKind::ConnectionLost, "no relay"));
            };
            let from = self.route.sender.address.clone();
            return within_deadline(mailer.deliver(
                &from,
                &mail.to_address,
                message,
                &mut transcript,
            ))
            .await;
        };
        let bytes = message.formatted();
        let from = self.route.sender.address.clone();
        let outcome = within_deadline(self.over_smtp(
            &relay,
            &from,
            &mail.to_address,
            &bytes,
            &mut transcript,
        ))
        .await;
        if outcome
            .as_ref()
            .is_err_and(|f| f.kind == FailureKind::Timeout)
        {
            self.connection = None;
        }
        outcome
    }

    async fn over_smtp(
        &mut self,
        relay: &Relay,
        from: &str,
        to: &str,
        bytes: &[u8],
        transcript: &mut Transcript,
    ) -> Result<String, Failure> {
        let mut connection = match self.connection.take() {
            Some(open) => open,
            None => crate::smtp::connect(&relay.endpoint, &relay.policy, transcript).await?,
        };
        match connection
            .send(from, &[to.to_owned()], bytes, transcript)
            .await
        {
            Ok(reply) => {
                self.connection = Some(connection);
                Ok(reply)
            }
            Err(failure) => {
                let broken = matches!(
                    failure.kind,
                    FailureKind::ConnectionLost | FailureKind::Timeout
                );
                if !broken && connection.reset(transcript).await.is_ok() {
                    self.connection = Some(connection);
                }
                Err(failure)
            }
        }
    }

    /// Says goodbye to the relay, if a connection is open.
    pub async fn close(mut self) {
        if let Some(connection) = self.connection.take() {
            let mut transcript = Transcript::default();
            connection.quit(&mut transcript).await;
        }
    }
}

async fn within_deadline(
    attempt: impl Future<Output = Result<String, Failure>>,
) -> Result<String, Failure> {
    tokio::time::timeout(DELIVERY_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| {
            Err(Failure::new(
                FailureKind::Timeout,
                format!("no result within {} s", DELIVERY_TIMEOUT.as_secs()),
            ))
        })
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
