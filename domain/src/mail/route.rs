//! A route: the way one kind of message leaves (which relay, which `From`), decided once
//! from settings and then used to deliver. Keeps the DMARC rule in one place: `From` is
//! only ever an address of a domain the relay may send for.

use std::sync::Arc;
use std::time::Duration;

use super::{Mailer, OutgoingMail, Relay, Sender, build, deliver_once};
use crate::smtp::client::{QUIT_DEADLINE, check_line_ends};
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
    /// The message as it leaves: `mail` with the route's `reply_to` unless it has its own,
    /// built from the route's sender.
    fn message(&self, mail: &OutgoingMail) -> Result<lettre::Message, Failure> {
        let mut mail = mail.clone();
        if mail.reply_to.is_none() {
            mail.reply_to.clone_from(&self.reply_to);
        }
        build(&self.sender, &mail)
            .map_err(|e| Failure::new(FailureKind::MessageRefused, e.to_string()))
    }

    /// Delivers `mail` over a connection of its own, recording the exchange.
    pub async fn deliver(
        &self,
        mail: &OutgoingMail,
        transcript: &mut Transcript,
    ) -> Result<String, Failure> {
        let message = self.message(mail)?;
        let from = &self.sender.address;
        within_deadline(async {
            match &self.carrier {
                Carrier::Hosting(mailer) => {
                    mailer
                        .deliver(from, &mail.to_address, message, transcript)
                        .await
                }
                Carrier::Smtp(relay) => {
                    let formatted = message.formatted();
                    deliver_once(relay, from, &mail.to_address, &formatted, transcript).await
                }
            }
        })
        .await
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

/// A message built for its route, ready to leave ([`Builder::ready`]).
pub struct Ready {
    to: String,
    form: Form,
}

enum Form {
    /// For a relay: the bytes as they go on the wire, line ends checked.
    Bytes(Vec<u8>),
    /// For the host's other carriers (file drop, memory): the built message.
    Message(lettre::Message),
}

/// Builds messages for one route, apart from the session that sends them: the outbox builds
/// the next message while the relay takes the current one.
#[derive(Clone)]
pub struct Builder {
    route: Arc<Route>,
    over_smtp: bool,
}

impl Builder {
    /// `mail` as it will leave; a message that cannot be built, or whose bytes hold a CR or
    /// LF outside a CRLF pair (`build` never makes one), is refused here, before it costs a
    /// connection or an RSET.
    pub fn ready(&self, mail: &OutgoingMail) -> Result<Ready, Failure> {
        let message = self.route.message(mail)?;
        let form = if self.over_smtp {
            let bytes = message.formatted();
            check_line_ends(&bytes)?;
            Form::Bytes(bytes)
        } else {
            Form::Message(message)
        };
        Ok(Ready {
            to: mail.to_address.clone(),
            form,
        })
    }
}

/// Delivers many messages along one route over one SMTP connection, opened at the first
/// message and kept between them: a connection per message would cost a handshake (and
/// TLS and AUTH) each time. A refused message resets the transaction; a broken connection
/// is dropped and the next message opens a new one.
pub struct RouteSession {
    route: Arc<Route>,
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
            route: Arc::new(route),
            relay,
            connection: None,
        }
    }

    pub fn sender(&self) -> &Sender {
        &self.route.sender
    }

    /// What builds messages for this session.
    pub fn builder(&self) -> Builder {
        Builder {
            route: Arc::clone(&self.route),
            over_smtp: self.relay.is_some(),
        }
    }

    /// Delivers `mail`; the relay's reply on success.
    pub async fn deliver(&mut self, mail: &OutgoingMail) -> Result<String, Failure> {
        let ready = self.builder().ready(mail)?;
        self.deliver_ready(ready, None).await
    }

    /// Delivers `ready` and, where the relay allows it, says the envelope of the next
    /// message (to `next`) in the same write, saving a round trip for it
    /// ([`Connection::send_then`]). Should the next message not follow (refused, stopped,
    /// handed back), the connection is dropped and a new one opened when one is needed.
    pub async fn deliver_ready(
        &mut self,
        ready: Ready,
        next: Option<&str>,
    ) -> Result<String, Failure> {
        let mut transcript = Transcript::default();
        let from = &self.route.sender.address;
        let (relay, bytes) = match (&self.relay, ready.form) {
            (Some(relay), Form::Bytes(bytes)) => (relay, bytes),
            (_, Form::Message(message)) => {
                let Carrier::Hosting(mailer) = &self.route.carrier else {
                    return Err(Failure::new(FailureKind::ConnectionLost, "no relay"));
                };
                return within_deadline(mailer.deliver(from, &ready.to, message, &mut transcript))
                    .await;
            }
            (None, Form::Bytes(_)) => {
                return Err(Failure::new(FailureKind::ConnectionLost, "no relay"));
            }
        };
        let attempt = over_smtp(
            relay,
            &mut self.connection,
            Envelope {
                from,
                to: &ready.to,
                next,
            },
            &bytes,
            &mut transcript,
        );
        let outcome = within_deadline(attempt).await;
        if outcome
            .as_ref()
            .is_err_and(|f| f.kind == FailureKind::Timeout)
        {
            self.connection = None;
        }
        outcome
    }

    /// Says goodbye to the relay, if a connection is open, within [`QUIT_DEADLINE`]: a
    /// relay that never answers QUIT or never closes does not hold the worker. The
    /// connection is dropped (closed) in any case.
    pub async fn close(mut self) {
        if let Some(connection) = self.connection.take() {
            let mut transcript = Transcript::default();
            // `quit` has the same deadline; repeated here so a session's end stays bounded
            // whatever `quit` comes to do.
            let _ = tokio::time::timeout(QUIT_DEADLINE, connection.quit(&mut transcript)).await;
        }
    }
}

/// Who a message is from and to, and who the next one is to, if known.
struct Envelope<'a> {
    from: &'a str,
    to: &'a str,
    next: Option<&'a str>,
}

/// One message over `connection` (opened first if need be, or again if it was readied for
/// another message); a connection that broke is dropped, one that refused the message is
/// reset for the next.
async fn over_smtp(
    relay: &Relay,
    connection: &mut Option<Connection>,
    Envelope { from, to, next }: Envelope<'_>,
    bytes: &[u8],
    transcript: &mut Transcript,
) -> Result<String, Failure> {
    let to = [to.to_owned()];
    let reusable = connection.take().filter(|open| open.ready_for(from, &to));
    let mut open = match reusable {
        Some(open) => open,
        None => crate::smtp::connect(&relay.endpoint, &relay.policy, transcript).await?,
    };
    let next = next.map(|next| [next.to_owned()]);
    match open
        .send_then(from, &to, bytes, next.as_ref().map(|n| &n[..]), transcript)
        .await
    {
        Ok(reply) => {
            *connection = Some(open);
            Ok(reply)
        }
        Err(failure) => {
            let broken = matches!(
                failure.kind,
                FailureKind::ConnectionLost | FailureKind::Timeout
            );
            if !broken && open.reset(transcript).await.is_ok() {
                *connection = Some(open);
            }
            Err(failure)
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
