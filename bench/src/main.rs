//! `cargo xtask bench`: figures, measured side by side in one run, on this machine.
//!
//! - `smtp`: per-message cost of lettre's transport against the project's SMTP client.
//! - `hashing`: the latency of a cheap request while secret answers are being verified.
//! - `outbox`: the outbox worker's delivery rate into Postfix's smtp-sink against Postfix's
//!   smtp-source, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL with two instances
//!   (needs the `postfix` package).
//! - `fairness`: how long one school's message waits while another school's 5,000-recipient
//!   send goes through a relay that takes a second per message.
//! - `fill`: filling placeholders in a 100 KB body for 1 and 5,000 recipients.
//!
//! `cargo xtask bench smtp`, `hashing`, `outbox`, `fairness` or `fill` runs one of them.

mod fairness;
mod fill;
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
    if which.as_deref().is_none_or(|w| w == "fairness") {
        fairness::run().await;
    }
    if which.as_deref().is_none_or(|w| w == "fill") {
        fill::run();
    }
}
