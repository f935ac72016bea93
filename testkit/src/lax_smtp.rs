//! A lax SMTP server for tests: `testkit/lax_smtp_peer.py` (plain asyncio sockets) in a
//! child process. Like the relays hit by the 2023 SMTP-smuggling attacks it ends a line at
//! a lone CR or LF as well as at CRLF, so `<CR>.<CR><LF>` ends the data and what follows is
//! run as commands; a test that sees one message per recipient there has proved that no
//! bare CR or LF left the client. It can also hang on QUIT. Received messages are read back
//! as [`Received`], and every command line it read from [`LaxSmtpPeer::commands`].

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use crate::smtp::{Received, free_port, received_in, spawn_ready, wait_for};

/// How the peer answers QUIT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnQuit {
    /// 221, then it closes the connection.
    #[default]
    Answer,
    /// No answer, and the connection stays open until the client drops it.
    Silent,
    /// 221, but the connection stays open until the client drops it.
    Linger,
}

/// How the lax peer behaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct LaxOptions {
    pub on_quit: OnQuit,
}

pub struct LaxSmtpPeer {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

impl LaxSmtpPeer {
    pub fn start(options: LaxOptions) -> LaxSmtpPeer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("ecole-lax-smtp-{}", crate::unique_suffix()));
        std::fs::create_dir_all(dir.join("mail")).expect("peer dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("lax_smtp_peer.py");
        let on_quit = match options.on_quit {
            OnQuit::Answer => "answer",
            OnQuit::Silent => "silent",
            OnQuit::Linger => "linger",
        };
        let mut cmd = Command::new("python3");
        cmd.arg(script)
            .args(["--port", &port.to_string(), "--quit", on_quit, "--maildir"])
            .arg(dir.join("mail"))
            .arg("--commands")
            .arg(dir.join("commands.log"));
        let child = spawn_ready(&mut cmd, "(lax_smtp_peer.py)");
        LaxSmtpPeer { port, dir, child }
    }

    /// Messages the peer believes it received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        received_in(&self.dir.join("mail"))
    }

    /// Waits (bounded) until `count` messages have arrived.
    pub fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        wait_for(|| self.received(), count, limit)
    }

    /// Every command line the peer read, in order, across connections (data lines aside,
    /// as the peer understood them).
    pub fn commands(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("commands.log"))
            .map(|t| t.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Waits (bounded) until the peer has read `command` `count` times, and returns every
    /// command line. The peer handles a session in order, so after QUIT everything the
    /// client sent before it (smuggled transactions included) has been handled.
    pub fn wait_for_commands(&self, command: &str, count: usize, limit: Duration) -> Vec<String> {
        let start = std::time::Instant::now();
        loop {
            let commands = self.commands();
            if commands.iter().filter(|c| *c == command).count() >= count || start.elapsed() > limit
            {
                return commands;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LaxSmtpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
