//! The vocabulary the server and the browser share.
//!
//! Every value that crosses from the domain to a page is declared here once: what a user
//! typed wrong ([`Invalid`]), why a code was refused ([`CodeRefusal`]), what went wrong with
//! an SMTP server ([`FailureKind`]), where an account, a message or a delivery stands
//! ([`state`]), and the limits a page tells the user about ([`limits`]).
//!
//! Invariant: **nothing here knows about the database or HTTP.** The crate depends on serde
//! and thiserror only, so it compiles into the wasm bundle; the domain stores these values
//! through their stored names ([`state`]'s `as_str`/`from_stored`) and the app words each one
//! in French and English in one place (`app::words`), matching every variant by name.
//!
//! Adding a refusal or a state: add the variant here. The compiler then lists every place that
//! must say something about it: its wording (`app::words`), its HTTP status (`app::error`),
//! and for a delivery state or problem the `/api/v1` schema (`server::handlers::api_v1::openapi`).

pub mod intent;
pub mod limits;
mod refusal;
mod smtp;
pub mod state;

pub use intent::{ComposeIntent, RecoveryIntent, SendingIntent};
pub use refusal::{CodeRefusal, Invalid};
pub use smtp::FailureKind;
pub use state::{AccountKind, AccountState, DeliveryProblem, DeliveryState, MessageState};
