//! The school's API tokens (administrators only): list, create (shown once), revoke.

mod create_api_token;
mod list_api_tokens;
mod revoke_api_token;

pub use create_api_token::*;
pub use list_api_tokens::*;
pub use revoke_api_token::*;

use serde::{Deserialize, Serialize};

/// One token as the page lists it: never the token itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenRow {
    pub id: i64,
    pub label: String,
    pub prefix: String,
    pub created_at: crate::time::ParisTime,
    pub revoked_at: Option<crate::time::ParisTime>,
    pub last_used_at: Option<crate::time::ParisTime>,
    /// Its creator is no longer an administrator of the school: the token is refused.
    pub creator_gone: bool,
}

/// The page: the tokens, and the one just created, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokensView {
    pub tokens: Vec<ApiTokenRow>,
    pub fresh: Option<String>,
}
