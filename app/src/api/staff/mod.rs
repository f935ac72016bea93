mod add_staff;
mod get_staff_member;
mod list_staff;
mod remove_staff;
mod update_staff;

pub use add_staff::*;
pub use get_staff_member::*;
pub use list_staff::*;
pub use remove_staff::*;
pub use update_staff::*;
