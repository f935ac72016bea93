pub mod form_error;
pub mod layout;
pub mod preset_chooser;
pub mod session;
pub mod smtp_fields;
pub mod test_report;
