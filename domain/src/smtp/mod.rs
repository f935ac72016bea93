//! Talking SMTP: the client used by test sends and by every relay, the transcript shown
//! under a failed test, and the diagnosis of failures.

mod address;
pub mod client;
pub mod diagnosis;
mod security;
pub mod transcript;

pub use client::{Connection, Endpoint, Policy, Security, connect};
pub use diagnosis::{Failure, FailureKind};
pub use transcript::Transcript;
