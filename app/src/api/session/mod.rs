mod get_me;
mod sign_in;
mod sign_out;
mod switch_school;

pub use get_me::*;
pub use sign_in::*;
pub use sign_out::*;
pub use switch_school::*;
