//! `cargo xtask bench`: figures, measured side by side in one run, on this machine.
//!
//! - `smtp`: per-message cost of lettre's transport against the project's SMTP client.
//! - `hashing`: the latency of a cheap request while secret answers are being verified.
//! - `outbox`: the outbox worker's delivery rate into Postfix's smtp-sink against Postfix's
//!   smtp-source (needs the `postfix` package).
//!
//! `cargo xtask bench smtp`, `hashing` or `outbox` runs one of them.

mod hashing;
mod outbox;
mod smtp;

#[tokio::main]
async fn main() {
    let which = std::env::args().nth(1);
    if which.as_deref().is_none_or(|w| w == "smtp") {
        smtp::run().await;
    }
    if which.as_deref().is_none_or(|w| w == "hashing") {
        hashing::run().await;
    }
    if which.as_deref().is_none_or(|w| w == "outbox") {
        outbox::run().await;
    }
}
