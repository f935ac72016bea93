//! Secret-bearing values and the random tokens the app hands out.
//!
//! [`Secret`] implements neither `Debug`, `Display` nor `Serialize`, and wipes its memory on
//! drop, so a password or token cannot slip into a log line or a JSON response by accident.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A secret string (password, token). Read it with [`Secret::expose`], deliberately.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The clear value. Callers must not log or persist it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// Fills `buf` from the operating system's CSPRNG.
pub fn random_bytes(buf: &mut [u8]) -> crate::Result<()> {
    getrandom::fill(buf).map_err(|e| crate::Error::Internal(format!("OS random source: {e}")))
}

/// A new 256-bit random token, URL-safe.
pub fn new_token() -> crate::Result<Secret> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random_bytes(bytes.as_mut())?;
    Ok(Secret::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()),
    ))
}

/// The SHA-256 of a high-entropy token, hex-encoded: what the database stores instead of it.
/// (A fast hash is right here: the token has 256 bits of entropy, unlike a password.)
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
