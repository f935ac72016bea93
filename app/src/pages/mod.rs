pub mod home;
pub mod invitation;
pub mod not_found;
pub mod sending_settings;
pub mod sign_in;
pub mod staff;
pub mod staff_member;
