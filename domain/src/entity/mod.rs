//! sea-orm entities. Crate-private on purpose: rows carry hashes and are `Debug` (sea-orm
//! requires it), so only the domain's own view types leave this crate.

pub(crate) mod account;
pub(crate) mod account_authorisation;
pub(crate) mod invitation;
pub(crate) mod membership;
pub(crate) mod person;
pub(crate) mod school;
pub(crate) mod sending_settings;
pub(crate) mod session;
pub(crate) mod throttle;
pub(crate) mod verification_code;
