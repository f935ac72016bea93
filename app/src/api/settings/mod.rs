mod get_sending_settings;
mod submit_sending_settings;

pub use get_sending_settings::*;
pub use submit_sending_settings::*;
