//! Envelope encryption of secrets at rest (SMTP passwords). Each value gets its own random
//! data key; the value is sealed under it with XChaCha20-Poly1305, and the data key is
//! sealed under the operator's master key. The stored text names the master key by id, so
//! a new master key can be introduced while old records stay readable, then re-wrapped.
//! The associated data binds a value to where it belongs ("school 3's relay password"):
//! a sealed value copied into another row does not open.
//!
//! Stored form: `v1.<key id>.<wrapped data key>.<ciphertext>` (base64url, nonces prefixed).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::secret::{Secret, random_bytes};
use crate::{Error, Result};

struct MasterKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

/// The master keys from configuration: the current one seals, every one can open.
pub struct MasterKeys {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

fn key_id(key: &[u8; 32]) -> String {
    let digest = Sha256::digest([b"ecole-courriel master key id v1".as_slice(), key].concat());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn decode_key(base64_key: &str) -> Result<MasterKey> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_key.trim())
        .map_err(|_| Error::Internal("master key is not base64".into()))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::Internal("master key is not 32 bytes".into()))?;
    Ok(MasterKey {
        id: key_id(&key),
        key: Zeroizing::new(key),
    })
}

impl MasterKeys {
    /// The current key and any previous ones, base64-encoded as in the configuration.
    pub fn from_base64(current: &str, previous: &[&str]) -> Result<Self> {
        Ok(Self {
            current: decode_key(current)?,
            previous: previous
                .iter()
                .map(|k| decode_key(k))
                .collect::<Result<_>>()?,
        })
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// A 256-bit key for `purpose`, derived from the current master key (HMAC-SHA-256 as
    /// the PRF of HKDF's expand step, one block). For short-lived keyed hashes such as
    /// verification codes: a rotation of the master key voids them, which is acceptable for
    /// values that live ten minutes.
    pub fn derived_key(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.current.key.as_ref())
            .expect("HMAC takes keys of any length");
        mac.update(b"ecole-courriel derived key v1|");
        mac.update(purpose.as_bytes());
        mac.update(&[1]);
        Zeroizing::new(mac.finalize().into_bytes().into())
    }

    fn find(&self, id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
    }
}

fn seal_with(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; 24];
    random_bytes(&mut nonce)?;
    let cipher = XChaCha20Poly1305::new(key.into());
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::Internal("encryption failed".into()))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

fn open_with(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 24 {
        return None;
    }
    let (nonce, body) = sealed.split_at(24);
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
        .ok()
        .map(Zeroizing::new)
}

fn wrap_aad(key_id: &str, context: &str) -> Vec<u8> {
    format!("data-key|{key_id}|{context}").into_bytes()
}

/// Seals `plaintext` for the place named by `context` (e.g. `smtp-password|school:3`).
pub fn seal(keys: &MasterKeys, plaintext: &Secret, context: &str) -> Result<String> {
    let mut data_key = Zeroizing::new([0u8; 32]);
    random_bytes(data_key.as_mut())?;
    let ciphertext = seal_with(&data_key, plaintext.expose().as_bytes(), context.as_bytes())?;
    let wrapped = seal_with(
        &keys.current.key,
        data_key.as_ref(),
        &wrap_aad(&keys.current.id, context),
    )?;
    Ok(format!(
        "v1.{}.{}.{}",
        keys.current.id,
        B64.encode(wrapped),
        B64.encode(ciphertext)
    ))
}

/// Opens a value sealed by [`seal`] for the same `context`. Fails (without saying why, to
/// the caller's user) for an unknown key, another context, or any tampering.
pub fn open(keys: &MasterKeys, sealed: &str, context: &str) -> Result<Secret> {
    let fail = || {
        Error::Internal("a sealed secret could not be opened (wrong key, place or tampered)".into())
    };
    let mut parts = sealed.split('.');
    let (Some("v1"), Some(id), Some(wrapped), Some(ciphertext), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(fail());
    };
    let master = keys.find(id).ok_or_else(fail)?;
    let wrapped = B64.decode(wrapped).map_err(|_| fail())?;
    let ciphertext = B64.decode(ciphertext).map_err(|_| fail())?;
    let data_key = open_with(&master.key, &wrapped, &wrap_aad(id, context)).ok_or_else(fail)?;
    let data_key: [u8; 32] = data_key.as_slice().try_into().map_err(|_| fail())?;
    let plain = open_with(&data_key, &ciphertext, context.as_bytes()).ok_or_else(fail)?;
    String::from_utf8(plain.to_vec())
        .map(Secret::new)
        .map_err(|_| fail())
}

/// The id of the master key a sealed value is wrapped with.
pub fn sealed_key_id(sealed: &str) -> Option<&str> {
    sealed.split('.').nth(1)
}

/// Re-seals a value under the current master key (key rotation).
pub fn rewrap(keys: &MasterKeys, sealed: &str, context: &str) -> Result<String> {
    seal(keys, &open(keys, sealed, context)?, context)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const B: &str = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";

    #[test]
    fn a_sealed_value_opens_only_in_its_place_and_untouched() {
        let keys = MasterKeys::from_base64(A, &[]).unwrap();
        let sealed = seal(
            &keys,
            &Secret::new("mot de passe SMTP"),
            "smtp-password|school:1",
        )
        .unwrap();
        assert!(!sealed.contains("mot de passe"));
        assert_eq!(
            open(&keys, &sealed, "smtp-password|school:1")
                .unwrap()
                .expose(),
            "mot de passe SMTP"
        );
        assert!(
            open(&keys, &sealed, "smtp-password|school:2").is_err(),
            "moved to another school"
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            open(
                &keys,
                &String::from_utf8(tampered).unwrap(),
                "smtp-password|school:1"
            )
            .is_err()
        );
        assert!(open(&keys, "garbage", "smtp-password|school:1").is_err());
    }

    #[test]
    fn each_seal_uses_fresh_randomness() {
        let keys = MasterKeys::from_base64(A, &[]).unwrap();
        let s = Secret::new("x");
        assert_ne!(seal(&keys, &s, "c").unwrap(), seal(&keys, &s, "c").unwrap());
    }

    #[test]
    fn rotation_keeps_old_values_readable_then_rewraps_them() {
        let old = MasterKeys::from_base64(A, &[]).unwrap();
        let sealed = seal(&old, &Secret::new("secret"), "ctx").unwrap();
        let rotated = MasterKeys::from_base64(B, &[A]).unwrap();
        assert_eq!(open(&rotated, &sealed, "ctx").unwrap().expose(), "secret");
        assert_eq!(sealed_key_id(&sealed), Some(old.current_id()));
        let rewrapped = rewrap(&rotated, &sealed, "ctx").unwrap();
        assert_eq!(sealed_key_id(&rewrapped), Some(rotated.current_id()));
        let only_new = MasterKeys::from_base64(B, &[]).unwrap();
        assert_eq!(
            open(&only_new, &rewrapped, "ctx").unwrap().expose(),
            "secret"
        );
        assert!(
            open(&only_new, &sealed, "ctx").is_err(),
            "the old key is needed for old values"
        );
    }
}
