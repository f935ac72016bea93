pub mod form_error;
pub mod layout;
pub mod session;
pub mod test_report;
