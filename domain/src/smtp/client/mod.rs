//! A small SMTP client that records what it says and hears, tells failures apart, and never
//! stalls: the socket has `TCP_NODELAY` and each message goes out in one write, so a
//! message costs a round trip, not lettre's 40 ms delayed-ACK wait (see TOOLCHAIN.md).
//!
//! It resolves the host itself and connects only to addresses the policy allows, so a
//! school-supplied host name cannot reach this machine's private network (SSRF), and it
//! never falls back from TLS to plaintext.
//!
//! Its data never holds a CR or an LF outside a CRLF pair: a relay that ends the data at
//! `<CR>.<CR><LF>` or `<LF>.<LF>` would otherwise read the rest of a message as commands
//! and run a second, forged transaction on the school's authenticated session (the 2023
//! SMTP-smuggling attacks). Such a message is refused before its transaction starts.
//! Saying goodbye is bounded too ([`QUIT_DEADLINE`]), so a relay that never answers QUIT
//! or never closes cannot hold a worker.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::CertificateDer;

mod auth;
mod data;
mod tls;

use data::dot_stuff;
pub use data::{bare_line_break, check_line_ends};
use tls::start_tls;

use super::address::is_private;
use super::diagnosis::{self, Failure, FailureKind, recipient_refusal};
pub use super::security::Security;
use super::transcript::Transcript;
use crate::secret::Secret;

/// Where and how to connect.
#[derive(Clone)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// An OAuth 2.0 access token for `username` (Microsoft 365, Google): `AUTH XOAUTH2`
    /// instead of the password.
    pub token: Option<Secret>,
}

/// What the operator allows and trusts.
#[derive(Clone)]
pub struct Policy {
    /// Allow hosts resolving to loopback, private or link-local ranges (tests, or a relay
    /// on the operator's own network).
    pub allow_private_hosts: bool,
    /// Certificates trusted besides the public web roots (an internal CA, a test peer).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Allow any port; otherwise only SMTP's own (25, 465, 587, 2525), so a school-supplied
    /// host cannot be used to probe other services from the operator's network.
    pub any_port: bool,
    /// Limit for each step (connect, each reply).
    pub step_timeout: Duration,
    /// The name given in EHLO.
    pub hello_name: String,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            allow_private_hosts: false,
            any_port: false,
            extra_roots: Vec::new(),
            step_timeout: Duration::from_secs(15),
            hello_name: "localhost".to_owned(),
        }
    }
}

trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

/// An open, greeted and (if configured) secured and authenticated SMTP session.
pub struct Connection {
    io: BufReader<Box<dyn Duplex>>,
    step_timeout: Duration,
    /// The server's last EHLO listed PIPELINING (RFC 2920): a message's MAIL, RCPT and
    /// DATA may leave in one write.
    pipelining: bool,
    /// Left in the middle of a transaction (data announced, never ended): unusable.
    abandoned: bool,
    /// The envelope of the next message, said together with the previous message's data
    /// ([`Self::send_then`]), whose replies are not read yet.
    said_ahead: Option<Vec<String>>,
}

struct Reply {
    code: u16,
    text: String,
}

/// The longest QUIT and closing the connection may take together, whatever the step
/// timeout: by then the message is delivered, and only a worker's time is at stake.
pub const QUIT_DEADLINE: Duration = Duration::from_secs(5);

const MAX_LINE: u64 = 4096;
/// A reply longer than this (lines or bytes) is not an SMTP server talking to us.
const MAX_REPLY_LINES: usize = 100;
const MAX_REPLY_BYTES: usize = 16 * 1024;

async fn within<T>(limit: Duration, what: &str, f: impl Future<Output = T>) -> Result<T, Failure> {
    tokio::time::timeout(limit, f).await.map_err(|_| {
        Failure::new(
            FailureKind::Timeout,
            format!("no answer within {} s ({what})", limit.as_secs()),
        )
    })
}

/// Connects, reads the greeting, says EHLO, secures the connection and authenticates as
/// the endpoint asks.
pub async fn connect(
    endpoint: &Endpoint,
    policy: &Policy,
    transcript: &mut Transcript,
) -> Result<Connection, Failure> {
    let limit = policy.step_timeout;
    if !policy.any_port && ![25, 465, 587, 2525].contains(&endpoint.port) {
        return Err(Failure::new(
            FailureKind::PortNotAllowed,
            endpoint.port.to_string(),
        ));
    }
    transcript.note(format!("looking up {}", endpoint.host));
    let resolved: Vec<SocketAddr> = within(
        limit,
        "DNS",
        tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port)),
    )
    .await?
    .map_err(|e| {
        Failure::new(
            FailureKind::NameNotResolved,
            format!("{}: {e}", endpoint.host),
        )
    })?
    .collect();
    if resolved.is_empty() {
        return Err(Failure::new(
            FailureKind::NameNotResolved,
            endpoint.host.clone(),
        ));
    }
    let allowed: Vec<SocketAddr> = resolved
        .iter()
        .copied()
        .filter(|a| policy.allow_private_hosts || !is_private(a.ip()))
        .collect();
    let Some(addr) = allowed.first().copied() else {
        // The resolved address is not shown: it would map the operator's network for the user.
        return Err(Failure::new(
            FailureKind::PrivateAddress,
            format!("{}: private or local address", endpoint.host),
        ));
    };
    if endpoint.security == Security::None && !addr.ip().is_loopback() {
        return Err(Failure::new(
            FailureKind::PlaintextNotAllowed,
            addr.to_string(),
        ));
    }
    transcript.note(format!("connecting to {addr}"));
    let tcp = within(limit, "connect", TcpStream::connect(addr))
        .await?
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                Failure::new(FailureKind::ConnectionRefused, format!("{addr}: {e}"))
            }
            _ => Failure::new(FailureKind::ConnectionRefused, format!("{addr}: {e}")),
        })?;
    tcp.set_nodelay(true)
        .map_err(|e| Failure::new(FailureKind::ConnectionLost, e.to_string()))?;
    let mut io: Box<dyn Duplex> = Box::new(tcp);
    if endpoint.security == Security::ImplicitTls {
        io = start_tls(io, &endpoint.host, policy, transcript).await?;
    }
    let mut conn = Connection {
        io: BufReader::new(io),
        step_timeout: limit,
        pipelining: false,
        abandoned: false,
        said_ahead: None,
    };

    let greeting = conn.reply(transcript).await?;
    if greeting.code != 220 {
        return Err(conn.refusal(greeting, FailureKind::ConnectionLost));
    }
    let mut capabilities = conn.ehlo(&policy.hello_name, transcript).await?;
    if endpoint.security == Security::StartTls {
        if !capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case("STARTTLS"))
        {
            return Err(Failure::new(
                FailureKind::StartTlsNotOffered,
                "EHLO did not list STARTTLS",
            ));
        }
        conn.command("STARTTLS", transcript).await?;
        let ready = conn.reply(transcript).await?;
        if ready.code != 220 {
            return Err(conn.refusal(ready, FailureKind::StartTlsNotOffered));
        }
        if !conn.io.buffer().is_empty() {
            return Err(Failure::new(
                FailureKind::ConnectionLost,
                "data sent before the TLS handshake",
            ));
        }
        let secured = start_tls(conn.io.into_inner(), &endpoint.host, policy, transcript).await?;
        conn = Connection {
            io: BufReader::new(secured),
            step_timeout: limit,
            pipelining: false,
            abandoned: false,
            said_ahead: None,
        };
        capabilities = conn.ehlo(&policy.hello_name, transcript).await?;
    }
    conn.pipelining = capabilities
        .iter()
        .any(|c| c.eq_ignore_ascii_case("PIPELINING"));
    match (&endpoint.username, &endpoint.token, &endpoint.password) {
        (Some(user), Some(token), _) => {
            conn.authenticate_xoauth2(&capabilities, user, token, transcript)
                .await?
        }
        (Some(user), None, Some(password)) => {
            conn.authenticate(&capabilities, user, password, transcript)
                .await?
        }
        _ => {}
    }
    Ok(conn)
}

impl Connection {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let limit = self.step_timeout;
        within(limit, "write", async {
            self.io.get_mut().write_all(bytes).await?;
            self.io.get_mut().flush().await
        })
        .await?
        .map_err(|e| Failure::new(FailureKind::ConnectionLost, e.to_string()))
    }

    async fn command(&mut self, line: &str, transcript: &mut Transcript) -> Result<(), Failure> {
        transcript.client(line);
        self.write(format!("{line}\r\n").as_bytes()).await
    }

    /// Sends a line whose content must not be recorded; the transcript shows `shown`.
    async fn secret_command(
        &mut self,
        line: &str,
        shown: &str,
        transcript: &mut Transcript,
    ) -> Result<(), Failure> {
        transcript.client(shown);
        self.write(format!("{line}\r\n").as_bytes()).await
    }

    async fn reply(&mut self, transcript: &mut Transcript) -> Result<Reply, Failure> {
        let limit = self.step_timeout;
        let mut text = String::new();
        let mut lines = 0;
        loop {
            let mut line = Vec::new();
            let read = within(
                limit,
                "reply",
                (&mut self.io).take(MAX_LINE).read_until(b'\n', &mut line),
            )
            .await?
            .map_err(|e| Failure::new(FailureKind::ConnectionLost, e.to_string()))?;
            if read == 0 {
                return Err(Failure::new(
                    FailureKind::ConnectionLost,
                    "the server closed the connection",
                ));
            }
            let line = String::from_utf8_lossy(&line).trim_end().to_owned();
            transcript.server(&line);
            let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
            let Some(code) = code else {
                return Err(Failure::new(
                    FailureKind::ConnectionLost,
                    format!("not an SMTP reply: {line}"),
                ));
            };
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(line.get(4..).unwrap_or(""));
            lines += 1;
            if lines > MAX_REPLY_LINES || text.len() > MAX_REPLY_BYTES {
                return Err(Failure::new(
                    FailureKind::ConnectionLost,
                    "the server's reply is far too long",
                ));
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(Reply { code, text });
            }
        }
    }

    /// The failure for an unexpected reply: 4xx is always temporary, and a reply real
    /// relays use for a known case gets its own category ([`diagnosis::classify`]).
    fn refusal(&self, reply: Reply, permanent: FailureKind) -> Failure {
        let kind = diagnosis::classify(reply.code, &reply.text, permanent);
        Failure::new(kind, format!("{} {}", reply.code, reply.text))
    }

    async fn ehlo(
        &mut self,
        name: &str,
        transcript: &mut Transcript,
    ) -> Result<Vec<String>, Failure> {
        self.command(&format!("EHLO {name}"), transcript).await?;
        let reply = self.reply(transcript).await?;
        if reply.code != 250 {
            return Err(self.refusal(reply, FailureKind::ConnectionLost));
        }
        Ok(reply
            .text
            .lines()
            .skip(1)
            .map(|l| l.trim().to_owned())
            .collect())
    }

    /// Sends one message (already formatted with CRLF line ends) to `recipients`, and
    /// returns the server's final reply ("250 2.0.0 Ok: queued as …"). A message with a CR
    /// or LF outside a CRLF pair is refused ([`FailureKind::BareLineBreak`]) before anything
    /// is said to the server.
    ///
    /// Towards a server that offers PIPELINING, MAIL, every RCPT and DATA leave in one
    /// write and their replies are then read in order: two round trips per message instead
    /// of three plus one per recipient. Each reply is judged as it would be one command at
    /// a time; a server that announces the data although a command of the group was
    /// refused gets no data at all, and the connection is abandoned ([`Self::reset`] then
    /// fails), so the message never reaches the recipients it did accept.
    pub async fn send(
        &mut self,
        from: &str,
        recipients: &[String],
        message: &[u8],
        transcript: &mut Transcript,
    ) -> Result<String, Failure> {
        self.send_then(from, recipients, message, None, transcript)
            .await
    }

    /// Whether the next message may be from `from` to `recipients`: no envelope was said
    /// ahead, or that one was. Otherwise the connection must be dropped (the server may
    /// be waiting for the data of a message that will not come).
    pub fn ready_for(&self, from: &str, recipients: &[String]) -> bool {
        self.said_ahead
            .as_ref()
            .is_none_or(|said| *said == envelope(from, recipients))
    }

    /// [`Self::send`], and, towards a server that offers PIPELINING, says the envelope of
    /// the next message (from `from` to `next`) in the same write as this one's data, as RFC
    /// 2920 allows: one round trip per message on a reused connection. That next message
    /// must be the next one sent ([`Self::ready_for`]); nothing of it is handed over before
    /// its own data.
    pub async fn send_then(
        &mut self,
        from: &str,
        recipients: &[String],
        message: &[u8],
        next: Option<&[String]>,
        transcript: &mut Transcript,
    ) -> Result<String, Failure> {
        // Checked and stuffed before MAIL FROM: a refused message starts no transaction.
        let mut data = dot_stuff(message)?;
        let commands = envelope(from, recipients);
        let verdict = match self.said_ahead.take() {
            Some(said) if said == commands => {
                transcript.note("envelope said with the previous message's data");
                self.judge_group(&commands, transcript).await?
            }
            Some(_) => {
                self.abandoned = true;
                return Err(Failure::new(
                    FailureKind::ConnectionLost,
                    "another envelope was said ahead: connection abandoned",
                ));
            }
            None if self.pipelining => self.envelope_pipelined(&commands, transcript).await?,
            None => self.envelope_in_turn(&commands, transcript).await?,
        };
        verdict?;
        transcript.note(format!("message: {} bytes", message.len()));
        let ahead = next
            .filter(|_| self.pipelining)
            .map(|next| envelope(from, next));
        for command in ahead.iter().flatten() {
            transcript.client(command);
            data.extend_from_slice(command.as_bytes());
            data.extend_from_slice(b"\r\n");
        }
        self.write(&data).await?;
        self.said_ahead = ahead;
        let reply = self.reply(transcript).await?;
        if reply.code != 250 {
            return Err(self.refusal(reply, FailureKind::MessageRefused));
        }
        Ok(format!("{} {}", reply.code, reply.text))
    }

    /// Says the envelope one command at a time, stopping at the first refusal. The outer
    /// error is a broken exchange; the inner one a refusal after which the connection can
    /// be reset.
    async fn envelope_in_turn(
        &mut self,
        commands: &[String],
        transcript: &mut Transcript,
    ) -> Result<Result<(), Failure>, Failure> {
        for (at, command) in commands.iter().enumerate() {
            self.command(command, transcript).await?;
            let reply = self.reply(transcript).await?;
            if let Err(refusal) = self.judge(at, commands.len(), reply) {
                return Ok(Err(refusal));
            }
        }
        Ok(Ok(()))
    }

    /// Says the whole envelope in one write, then judges its replies ([`Self::judge_group`]).
    async fn envelope_pipelined(
        &mut self,
        commands: &[String],
        transcript: &mut Transcript,
    ) -> Result<Result<(), Failure>, Failure> {
        let mut group = String::new();
        for command in commands {
            transcript.client(command);
            group.push_str(command);
            group.push_str("\r\n");
        }
        self.write(group.as_bytes()).await?;
        self.judge_group(commands, transcript).await
    }

    /// Reads the replies to an envelope said in one group (the server answers each command
    /// of a group, refused or not), and judges them in order.
    async fn judge_group(
        &mut self,
        commands: &[String],
        transcript: &mut Transcript,
    ) -> Result<Result<(), Failure>, Failure> {
        let mut replies = Vec::with_capacity(commands.len());
        let mut broken = None;
        for _ in commands {
            match self.reply(transcript).await {
                Ok(reply) => replies.push(reply),
                Err(failure) => {
                    broken = Some(failure);
                    break;
                }
            }
        }
        let data_announced = broken.is_none() && replies.last().is_some_and(|r| r.code == 354);
        for (at, reply) in replies.into_iter().enumerate() {
            if let Err(refusal) = self.judge(at, commands.len(), reply) {
                // A refusal says more than the silence or the closing that may follow it
                // (a 421 before hanging up). Ending announced data would deliver the
                // message to the recipients that were accepted: only closing withdraws it.
                if data_announced || broken.is_some() {
                    transcript.note("transaction left unfinished: connection abandoned");
                    self.abandoned = true;
                }
                return Ok(Err(refusal));
            }
        }
        match broken {
            Some(failure) => Err(failure),
            None => Ok(Ok(())),
        }
    }

    /// The verdict on the reply to command `at` of an envelope of `len` commands (MAIL,
    /// the RCPTs, DATA).
    fn judge(&self, at: usize, len: usize, reply: Reply) -> Result<(), Failure> {
        if at == 0 {
            if reply.code != 250 {
                return Err(self.refusal(reply, FailureKind::SenderRefused));
            }
        } else if at + 1 < len {
            if reply.code != 250 && reply.code != 251 {
                let kind = recipient_refusal(reply.code, &reply.text);
                return Err(Failure::new(kind, format!("{} {}", reply.code, reply.text)));
            }
        } else if reply.code != 354 {
            return Err(self.refusal(reply, FailureKind::MessageRefused));
        }
        Ok(())
    }

    /// Ends a transaction that failed half-way (a refused recipient) so the connection can
    /// carry the next message.
    pub async fn reset(&mut self, transcript: &mut Transcript) -> Result<(), Failure> {
        // With an envelope said ahead, RSET could land in the data of that message.
        if self.abandoned || self.said_ahead.is_some() {
            return Err(Failure::new(
                FailureKind::ConnectionLost,
                "transaction abandoned after its data was announced",
            ));
        }
        self.command("RSET", transcript).await?;
        let reply = self.reply(transcript).await?;
        if reply.code == 250 {
            Ok(())
        } else {
            Err(self.refusal(reply, FailureKind::ConnectionLost))
        }
    }

    /// Says goodbye and closes, within [`QUIT_DEADLINE`] in all; errors do not matter any
    /// more. The connection is dropped (closed) in any case.
    pub async fn quit(mut self, transcript: &mut Transcript) {
        let abandoned = self.abandoned || self.said_ahead.is_some();
        let goodbye = async {
            // On an abandoned transaction, QUIT would be read as data: the connection is
            // only closed.
            if !abandoned && self.command("QUIT", transcript).await.is_ok() {
                let _ = self.reply(transcript).await;
            }
            let _ = self.io.get_mut().shutdown().await;
        };
        if tokio::time::timeout(QUIT_DEADLINE, goodbye).await.is_err() {
            transcript.note(format!(
                "no goodbye within {} s: connection dropped",
                QUIT_DEADLINE.as_secs()
            ));
        }
    }
}

/// MAIL, one RCPT per recipient, DATA.
fn envelope(from: &str, recipients: &[String]) -> Vec<String> {
    let mut commands = vec![format!("MAIL FROM:<{from}>")];
    commands.extend(recipients.iter().map(|to| format!("RCPT TO:<{to}>")));
    commands.push("DATA".to_owned());
    commands
}
