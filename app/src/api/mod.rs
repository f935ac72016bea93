//! Server functions, one per file, grouped by area and named `verb_noun`. Each has a fixed
//! endpoint under `/api/` (stable for tests and logs), takes form-encoded input so that
//! `ActionForm` works as a plain HTML form before the wasm has loaded, and makes one call
//! into the domain with the school taken from the session.

pub mod accounts;
pub mod api_tokens;
pub mod invitation;
pub mod sending;
pub mod session;
pub mod settings;
pub mod staff;
pub mod types;
