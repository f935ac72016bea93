//! One mail layer for the whole app: a file drop for development, an in-memory mailbox for
//! tests, or an SMTP relay (the hosting operator's). Callers build an [`OutgoingMail`]; the
//! layer checks every header value before lettre sees it (lettre panics on CR/LF in a
//! display name) and never logs a full address.
//!
//! A built message has CRLF line ends only: header values with a control character are
//! refused, text and HTML parts have every CR, LF or CRLF turned into one line end before
//! lettre encodes them (lettre turns LF into CRLF but leaves a lone CR in a 7bit part),
//! and attachments travel in base64. So the SMTP client's refusal of a bare CR or LF
//! (SMTP smuggling) never stops a message built here.

pub mod route;
pub mod templates;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment as LettreAttachment, Body, Mailbox, MultiPart};
use lettre::{AsyncTransport, Message};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use crate::smtp::client::Security;

use crate::smtp::{self, Endpoint, Failure, FailureKind, Policy, Transcript};
use crate::{Error, Result, validate};

/// The longest a notification may take to hand over, whatever the relay does.
const SEND_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// An SMTP relay and how to reach it.
#[derive(Clone)]
pub struct Relay {
    pub endpoint: Endpoint,
    pub policy: Policy,
}

/// A file attached to a message. Its bytes may be a secret (the recovery file): they are
/// wiped on drop and never printed.
#[derive(Clone)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: zeroize::Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Attachment({}, {} bytes)",
            self.file_name,
            self.bytes.len()
        )
    }
}

/// A message ready to send, French text and HTML parts.
#[derive(Clone, Debug, Default)]
pub struct OutgoingMail {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Where replies go, when `From` cannot be the real author's address (DMARC).
    pub reply_to: Option<String>,
    pub attachments: Vec<Attachment>,
    /// A Message-ID fixed in advance (the outbox sets it at queueing, so a re-send after a
    /// crash is the same message to mail clients); a fresh one when `None`.
    pub message_id: Option<String>,
}

/// The `From` the app's own notifications use: the operator's sending address, with the
/// school's name as display name (DMARC-safe: the domain is the operator's).
#[derive(Clone, Debug)]
pub struct Sender {
    pub address: String,
    pub name: String,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// Writes each message as `<id>.eml` into a folder (the development default).
    FileDrop(PathBuf),
    /// Keeps messages in memory (unit and integration tests).
    Memory(Arc<Mutex<Vec<Message>>>),
    /// Sends through the hosting operator's SMTP relay.
    Relay(Arc<Relay>),
}

impl Mailer {
    pub fn memory() -> Self {
        Mailer::Memory(Arc::new(Mutex::new(Vec::new())))
    }

    /// The formatted messages kept by a [`Mailer::Memory`] (empty for other kinds).
    pub fn sent(&self) -> Vec<String> {
        match self {
            Mailer::Memory(kept) => kept
                .lock()
                .map(|m| {
                    m.iter()
                        .map(|m| String::from_utf8_lossy(&m.formatted()).into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// A human description for the startup log.
    pub fn describe(&self) -> String {
        match self {
            Mailer::FileDrop(dir) => format!("file drop in {}", dir.display()),
            Mailer::Memory(_) => "in-memory mailbox".to_owned(),
            Mailer::Relay(relay) => {
                format!("SMTP relay {}:{}", relay.endpoint.host, relay.endpoint.port)
            }
        }
    }

    /// Builds and sends `mail` from `sender`.
    pub async fn send(&self, sender: &Sender, mail: &OutgoingMail) -> Result<()> {
        let message = build(sender, mail)?;
        let mut transcript = Transcript::default();
        let delivery = self.deliver(&sender.address, &mail.to_address, message, &mut transcript);
        match tokio::time::timeout(SEND_DEADLINE, delivery).await {
            Ok(Ok(_)) => Ok(()),
            // Only the category: a relay's reply often quotes the full recipient address.
            Ok(Err(failure)) => Err(Error::Mail(format!("{:?}", failure.kind))),
            Err(_) => Err(Error::Mail("Timeout".into())),
        }
    }

    /// Delivers a built message, recording the exchange; returns the relay's reply (or a
    /// description of where the message was put).
    pub async fn deliver(
        &self,
        envelope_from: &str,
        to: &str,
        message: Message,
        transcript: &mut Transcript,
    ) -> Result<String, Failure> {
        match self {
            Mailer::FileDrop(dir) => {
                let io = |e: std::io::Error| {
                    Failure::new(
                        FailureKind::ConnectionLost,
                        format!("{}: {e}", dir.display()),
                    )
                };
                tokio::fs::create_dir_all(dir).await.map_err(io)?;
                let transport = lettre::AsyncFileTransport::<lettre::Tokio1Executor>::new(dir);
                let id = transport
                    .send(message)
                    .await
                    .map_err(|e| Failure::new(FailureKind::ConnectionLost, e.to_string()))?;
                let file = dir.join(format!("{id}.eml"));
                tracing::info!(to = %mask(to), file = %file.display(), "mail dropped");
                transcript.note(format!(
                    "no relay configured: message written to {}",
                    file.display()
                ));
                Ok(format!("file {}", file.display()))
            }
            Mailer::Memory(kept) => {
                kept.lock()
                    .map_err(|_| {
                        Failure::new(FailureKind::ConnectionLost, "mailbox lock poisoned")
                    })?
                    .push(message);
                Ok("250 kept in memory".to_owned())
            }
            Mailer::Relay(relay) => {
                let reply =
                    deliver_once(relay, envelope_from, to, &message.formatted(), transcript)
                        .await?;
                tracing::info!(to = %mask(to), relay = %relay.endpoint.host, "mail sent");
                Ok(reply)
            }
        }
    }
}

/// One message over one fresh connection.
pub async fn deliver_once(
    relay: &Relay,
    envelope_from: &str,
    to: &str,
    message: &[u8],
    transcript: &mut Transcript,
) -> Result<String, Failure> {
    let mut connection = smtp::connect(&relay.endpoint, &relay.policy, transcript).await?;
    let reply = connection
        .send(envelope_from, &[to.to_owned()], message, transcript)
        .await?;
    connection.quit(transcript).await;
    Ok(reply)
}

/// A mailbox; a recipient typed without a name gets the bare address.
fn mailbox(name: &str, address: &str) -> Result<Mailbox> {
    let name = if name.trim().is_empty() {
        None
    } else {
        Some(validate::display_name(name)?)
    };
    let address = validate::email(address)?
        .parse()
        .map_err(|_| Error::Invalid(crate::Invalid::EmailMalformed))?;
    Ok(Mailbox::new(name, address))
}

/// Builds the message, refusing control characters in any header value first.
pub fn build(sender: &Sender, mail: &OutgoingMail) -> Result<Message> {
    let header_values = [Some(&mail.subject), mail.message_id.as_ref()];
    if header_values
        .into_iter()
        .flatten()
        .any(|v| v.chars().any(char::is_control))
    {
        return Err(crate::Invalid::NameControlCharacters.into());
    }
    let mut builder = Message::builder()
        .from(mailbox(&sender.name, &sender.address)?)
        .to(mailbox(&mail.to_name, &mail.to_address)?);
    if let Some(reply_to) = &mail.reply_to {
        let address = validate::email(reply_to)?
            .parse()
            .map_err(|_| Error::Invalid(crate::Invalid::EmailMalformed))?;
        builder = builder.reply_to(Mailbox::new(None, address));
    }
    builder
        .subject(mail.subject.clone())
        .message_id(Some(match &mail.message_id {
            Some(id) => id.clone(),
            None => message_id(&sender.address)?,
        }))
        .multipart(body(mail)?)
        .map_err(|e| Error::Mail(format!("message: {e}")))
}

/// `text` with every CRLF, lone CR and lone LF as one `\n`, which lettre writes as CRLF:
/// a lone CR would otherwise reach the wire in a 7bit part.
fn one_line_end(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Text and HTML as alternatives, then any attachments (multipart/mixed).
fn body(mail: &OutgoingMail) -> Result<MultiPart> {
    let text =
        MultiPart::alternative_plain_html(one_line_end(&mail.text), one_line_end(&mail.html));
    if mail.attachments.is_empty() {
        return Ok(text);
    }
    let mut mixed = MultiPart::mixed().multipart(text);
    for attachment in &mail.attachments {
        if attachment.file_name.chars().any(char::is_control)
            || attachment.content_type.chars().any(char::is_control)
        {
            return Err(crate::Invalid::NameControlCharacters.into());
        }
        let content_type = ContentType::parse(&attachment.content_type)
            .map_err(|e| Error::Internal(format!("attachment type: {e}")))?;
        // Always base64: lettre would send an ASCII file as 7bit with its bytes untouched,
        // bare CRs and LFs included.
        let bytes =
            Body::new_with_encoding(attachment.bytes.to_vec(), ContentTransferEncoding::Base64)
                .map_err(|_| Error::Internal("attachment: base64 refused".into()))?;
        mixed = mixed.singlepart(
            LettreAttachment::new(attachment.file_name.clone()).body(bytes, content_type),
        );
    }
    Ok(mixed)
}

/// A fresh `<random@sender-domain>` Message-ID: unique, and naming the sending domain
/// rather than this server's internal host name.
pub fn message_id(sender_address: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    crate::secret::random_bytes(&mut bytes)?;
    let local: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let domain = sender_address
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d);
    Ok(format!("<{local}@{domain}>"))
}

/// `anne.martin@ecole.fr` → `a…@ecole.fr`: enough to tell messages apart in a log.
pub fn mask(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender {
        Sender {
            address: "ne-pas-repondre@hebergeur.fr".into(),
            name: "Collège Jean Moulin".into(),
        }
    }

    fn mail(to_name: &str, subject: &str) -> OutgoingMail {
        OutgoingMail {
            to_name: to_name.into(),
            to_address: "anne@ecole.fr".into(),
            subject: subject.into(),
            text: "Bonjour".into(),
            html: "<p>Bonjour</p>".into(),
            reply_to: None,
            attachments: Vec::new(),
            message_id: None,
        }
    }

    #[tokio::test]
    async fn header_injection_is_a_clear_error_not_a_panic() {
        let mailer = Mailer::memory();
        for (name, subject) in [
            ("Anne\r\nBcc: x@y.fr", "Objet"),
            ("Anne", "Objet\r\nBcc: x@y.fr"),
            ("Anne\u{0}", "Objet"),
        ] {
            let err = mailer
                .send(&sender(), &mail(name, subject))
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::Invalid(crate::Invalid::NameControlCharacters)),
                "{err}"
            );
        }
        assert!(mailer.sent().is_empty());
    }

    #[tokio::test]
    async fn a_message_has_from_date_message_id_and_both_parts() {
        let mailer = Mailer::memory();
        mailer
            .send(&sender(), &mail("Anne Martin", "Invitation"))
            .await
            .unwrap();
        let sent = mailer.sent().pop().unwrap();
        assert!(
            sent.contains("From: =?utf-8?b?") || sent.contains("From: \"Coll"),
            "{sent}"
        );
        assert!(sent.contains("<ne-pas-repondre@hebergeur.fr>"));
        assert!(
            sent.contains("Message-ID: <") && sent.contains("@hebergeur.fr>"),
            "{sent}"
        );
        assert!(sent.contains("Date: "));
        assert!(sent.contains("text/plain") && sent.contains("text/html"));
    }

    #[tokio::test]
    async fn an_attachment_travels_as_a_named_file_after_both_parts() {
        let mailer = Mailer::memory();
        let mut with_file = mail("Anne", "Clé");
        with_file.attachments.push(Attachment {
            file_name: "cleRecuperation.crbee".into(),
            content_type: "application/octet-stream".into(),
            bytes: zeroize::Zeroizing::new(b"version: 1".to_vec()),
        });
        mailer.send(&sender(), &with_file).await.unwrap();
        let sent = mailer.sent().pop().unwrap();
        assert!(sent.contains("multipart/mixed"), "{sent}");
        assert!(
            sent.contains("Content-Disposition: attachment; filename=\"cleRecuperation.crbee\""),
            "{sent}"
        );
        assert!(sent.contains("text/plain") && sent.contains("text/html"));
        assert!(
            !format!("{with_file:?}").contains("version: 1"),
            "bytes never printed"
        );
    }

    #[test]
    fn a_built_message_has_crlf_line_ends_only_whatever_the_text() {
        let smuggled = "\r.\r\nMAIL FROM:<x@evil.example>\r\nRCPT TO:<victim@evil.example>\r\nDATA\r\nFrom: x@evil.example\r\n\r\nforged\r\n.\r\n";
        let texts = [
            format!("Bonjour{smuggled}Cordialement"),
            format!("Élève{smuggled}"),
            format!("{}{smuggled}", "x".repeat(200)),
            "a\n.\nb\n".to_owned(),
            "a\r\r\n\n\rb\r".to_owned(),
            "\r".to_owned(),
        ];
        for text in texts {
            let mut hostile = mail("Anne", "Objet");
            hostile.html = format!("<p>{}</p>", text.replace('\n', "<br>"));
            hostile.text.clone_from(&text);
            hostile.attachments.push(Attachment {
                file_name: "notes.txt".into(),
                content_type: "text/plain".into(),
                bytes: zeroize::Zeroizing::new(text.clone().into_bytes()),
            });
            let formatted = build(&sender(), &hostile).unwrap().formatted();
            assert_eq!(
                crate::smtp::client::bare_line_break(&formatted),
                None,
                "{text:?} gave\n{}",
                String::from_utf8_lossy(&formatted)
            );
        }
    }

    #[test]
    fn a_message_id_or_attachment_type_with_a_line_break_is_refused() {
        let mut forged_id = mail("Anne", "Objet");
        forged_id.message_id = Some("<a@b.fr>\r\nBcc: x@evil.example".into());
        assert!(matches!(
            build(&sender(), &forged_id),
            Err(Error::Invalid(crate::Invalid::NameControlCharacters))
        ));
        let mut forged_type = mail("Anne", "Objet");
        forged_type.attachments.push(Attachment {
            file_name: "a.txt".into(),
            content_type: "text/plain\r\nBcc: x@evil.example".into(),
            bytes: zeroize::Zeroizing::new(Vec::new()),
        });
        assert!(matches!(
            build(&sender(), &forged_type),
            Err(Error::Invalid(crate::Invalid::NameControlCharacters))
        ));
    }

    #[test]
    fn masking_keeps_only_a_hint() {
        assert_eq!(mask("anne.martin@ecole.fr"), "a…@ecole.fr");
        assert_eq!(mask("nope"), "…");
    }
}
