mod accept_invitation;
mod get_invitation;

pub use accept_invitation::*;
pub use get_invitation::*;
