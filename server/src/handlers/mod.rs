//! Plain axum handlers beside the Leptos pages: operations endpoints and the language switch.

pub mod api_v1;
pub mod archive_file;
pub mod bundle;
pub mod compose;
pub mod form_post;
pub mod health;
pub mod language;
pub mod leptos;
pub mod metrics;
pub mod recovery_file;
