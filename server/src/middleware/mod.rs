//! Request middleware, outermost first: security headers, CSRF refusal, session lookup,
//! form notices, metrics.

pub mod csrf;
pub mod headers;
pub mod metrics;
pub mod notice;
pub mod session;
