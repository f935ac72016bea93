//! Sending: the compose form's data (the form itself posts to the server's `/envoyer`
//! handler, since attachments need a multipart body), the status of sends, and the archive.

mod close_archive;
mod correct_recipient;
mod get_archive;
mod get_compose;
mod get_send;
mod list_others_sends;
mod list_sends;
mod resume_send;
mod retry_failed;
pub mod review;
mod stop_send;
pub mod types;
mod unlock_archive;

pub use close_archive::*;
pub use correct_recipient::*;
pub use get_archive::*;
pub use get_compose::*;
pub use get_send::*;
pub use list_others_sends::*;
pub use list_sends::*;
pub use resume_send::*;
pub use retry_failed::*;
pub use stop_send::*;
pub use unlock_archive::*;
