mod change_account_address;
mod create_account;
mod delete_account;
mod get_account;
mod list_accounts;
mod resend_code;
mod set_secret;
mod submit_account_sending;
mod submit_code;

pub use change_account_address::*;
pub use create_account::*;
pub use delete_account::*;
pub use get_account::*;
pub use list_accounts::*;
pub use resend_code::*;
pub use set_secret::*;
pub use submit_account_sending::*;
pub use submit_code::*;
