//! The SMTP exchange as the user may see it under a failed test: every line in order, with
//! credentials replaced by a mask before they are recorded.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// What this app sent.
    Client,
    /// What the server answered.
    Server,
    /// A note from this app (connection, TLS), not a protocol line.
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub direction: Direction,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Transcript {
    pub lines: Vec<Line>,
}

/// At most this many lines are kept: a chatty or hostile server cannot grow it unbounded.
const MAX_LINES: usize = 200;

impl Transcript {
    pub(crate) fn push(&mut self, direction: Direction, text: impl Into<String>) {
        if self.lines.len() < MAX_LINES {
            let text: String = text
                .into()
                .chars()
                .filter(|c| !c.is_control())
                .take(500)
                .collect();
            self.lines.push(Line { direction, text });
        }
    }

    pub(crate) fn client(&mut self, text: &str) {
        self.push(Direction::Client, text);
    }

    pub(crate) fn server(&mut self, text: &str) {
        self.push(Direction::Server, text);
    }

    pub(crate) fn note(&mut self, text: impl Into<String>) {
        self.push(Direction::Note, text);
    }

    /// The transcript as plain text, one line each, `C:`/`S:`/`*` prefixed.
    pub fn to_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| {
                let prefix = match l.direction {
                    Direction::Client => "C:",
                    Direction::Server => "S:",
                    Direction::Note => "*",
                };
                format!("{prefix} {}", l.text)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
