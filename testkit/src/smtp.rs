//! A real SMTP server for tests: `testkit/smtp_peer.py` (aiosmtpd) in a child process,
//! with a throw-away certificate for `localhost`/127.0.0.1 when TLS is asked for. Received
//! messages are read back from its mail folder as JSON.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerTls {
    None,
    StartTls,
    Implicit,
}

/// How the peer behaves.
#[derive(Clone, Debug)]
pub struct PeerOptions {
    pub tls: PeerTls,
    /// `user:password` required before MAIL.
    pub auth: Option<String>,
    pub reject_sender: bool,
    pub reject_recipient: Option<String>,
    pub relay_deny: bool,
    pub temp_fail: bool,
    /// 451 for the first this many recipients, then accept.
    pub temp_fail_first: u32,
    /// "421 4.7.0 … slow down" (throttling) for the first this many recipients.
    pub throttle_first: u32,
    /// Offer PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// Answer every AUTH with this reply (needs `auth`), e.g. Exchange Online's
    /// "535 5.7.139 Authentication unsuccessful, basic authentication is disabled".
    pub auth_reply: Option<String>,
    /// Answer MAIL FROM with this reply.
    pub sender_reply: Option<String>,
    /// Answer the end of DATA with this reply.
    pub data_reply: Option<String>,
    /// Offer `AUTH XOAUTH2` and accept this bearer token (another gets Exchange Online's
    /// error challenge, then `535 5.7.3`).
    pub xoauth2_token: Option<String>,
}

impl Default for PeerOptions {
    fn default() -> Self {
        Self {
            tls: PeerTls::None,
            auth: None,
            reject_sender: false,
            reject_recipient: None,
            relay_deny: false,
            temp_fail: false,
            temp_fail_first: 0,
            throttle_first: 0,
            pipelining: false,
            auth_reply: None,
            sender_reply: None,
            data_reply: None,
            xoauth2_token: None,
        }
    }
}

/// One message as the peer received it.
#[derive(Clone, Debug, Deserialize)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub tls: bool,
    pub user: Option<String>,
    pub data: String,
}

pub struct SmtpPeer {
    pub port: u16,
    /// The PEM certificate the peer presents (trust it in the client under test).
    pub cert_pem: Option<PathBuf>,
    dir: PathBuf,
    child: Child,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A self-signed certificate for localhost and 127.0.0.1 in `dir` (cert.pem, key.pem).
pub fn make_certificate(dir: &Path, common_name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg(format!("/CN={common_name}"))
        .args([
            "-addext",
            &format!("subjectAltName=DNS:{common_name},IP:127.0.0.1"),
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success(), "openssl req failed");
    (cert, key)
}

impl SmtpPeer {
    pub fn start(options: PeerOptions) -> SmtpPeer {
        Self::start_on(free_port(), options)
    }

    /// A peer on a given port (to bring a relay "back" where a client expects it).
    pub fn start_on(port: u16, options: PeerOptions) -> SmtpPeer {
        let dir = std::env::temp_dir().join(format!("ecole-smtp-peer-{}", crate::unique_suffix()));
        std::fs::create_dir_all(dir.join("mail")).expect("peer dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp_peer.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script)
            .args(["--port", &port.to_string(), "--maildir"])
            .arg(dir.join("mail"));
        let mut cert_pem = None;
        if options.tls != PeerTls::None {
            let (cert, key) = make_certificate(&dir, "localhost");
            cmd.args([
                "--tls",
                if options.tls == PeerTls::StartTls {
                    "starttls"
                } else {
                    "implicit"
                },
            ]);
            cmd.arg("--cert").arg(&cert).arg("--key").arg(&key);
            cert_pem = Some(cert);
        }
        if let Some(auth) = &options.auth {
            cmd.args(["--auth", auth]);
        }
        if options.reject_sender {
            cmd.arg("--reject-sender");
        }
        if let Some(address) = &options.reject_recipient {
            cmd.args(["--reject-recipient", address]);
        }
        if options.relay_deny {
            cmd.arg("--relay-deny");
        }
        if options.temp_fail {
            cmd.arg("--temp-fail");
        }
        if options.pipelining {
            cmd.arg("--pipelining");
        }
        if options.throttle_first > 0 {
            cmd.args(["--throttle-first", &options.throttle_first.to_string()]);
        }
        if options.temp_fail_first > 0 {
            cmd.args(["--temp-fail-first", &options.temp_fail_first.to_string()]);
        }
        for (flag, reply) in [
            ("--auth-reply", &options.auth_reply),
            ("--sender-reply", &options.sender_reply),
            ("--data-reply", &options.data_reply),
            ("--xoauth2-token", &options.xoauth2_token),
        ] {
            if let Some(reply) = reply {
                cmd.args([flag, reply]);
            }
        }
        let child = spawn_ready(&mut cmd, "(is aiosmtpd installed?)");
        SmtpPeer {
            port,
            cert_pem,
            dir,
            child,
        }
    }

    /// The peer's certificate as DER, to trust it in a client.
    pub fn cert_der(&self) -> Vec<u8> {
        let pem =
            std::fs::read_to_string(self.cert_pem.as_ref().expect("a TLS peer")).expect("cert");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).expect("PEM body")
    }

    /// Messages received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        received_in(&self.dir.join("mail"))
    }

    /// Waits (bounded) until `count` messages have arrived.
    pub fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        wait_for(|| self.received(), count, limit)
    }
}

/// Starts a peer script (`cmd`) and waits for its `READY` line.
pub(crate) fn spawn_ready(cmd: &mut Command, hint: &str) -> Child {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("python3: {e} {hint}"));
    let stdout = child.stdout.take().expect("peer stdout");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("peer output");
    assert_eq!(line.trim(), "READY", "the SMTP peer did not start {hint}");
    child
}

/// The messages a peer wrote into `maildir` (one JSON file each), oldest first.
pub(crate) fn received_in(maildir: &Path) -> Vec<Received> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(maildir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect()
}

/// Polls `received` (bounded) until it holds `count` messages.
pub(crate) fn wait_for(
    received: impl Fn() -> Vec<Received>,
    count: usize,
    limit: Duration,
) -> Vec<Received> {
    let start = std::time::Instant::now();
    loop {
        let now = received();
        if now.len() >= count || start.elapsed() > limit {
            return now;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for SmtpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
