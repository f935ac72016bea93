//! Request middleware, outermost first: security headers, CSRF refusal, session lookup,
//! metrics.

pub mod csrf;
pub mod headers;
pub mod metrics;
pub mod session;
