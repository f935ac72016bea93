//! An account's archive key pair and the two ways to its private key (SECURITY.md,
//! "Recovery file and archive"). The server keeps the public key (to seal what is sent)
//! and two wrapped copies of the private key: one under a key derived from the secret
//! answer (Argon2id with the pepper, then HKDF), one under a key derived from a 256-bit
//! random secret R that only the recovery file `cleRecuperation.crbee` holds; of R the
//! server keeps only a verifier. Without the answer or the file, the server cannot read
//! the archive.

pub mod recovery_file;
pub mod sealed;
pub mod unlock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::password::{HashCost, PasswordHasher};
use crate::secret::{Secret, random_bytes};
use crate::{Error, Result};

/// Which account a key belongs to: bound into every derivation and associated data, so a
/// wrapped key or a file moved to another account opens nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner {
    pub school_id: i64,
    pub account_id: i64,
}

impl Owner {
    fn label(self, what: &str) -> String {
        format!(
            "ecole-courriel archive v1|{what}|school:{}|account:{}",
            self.school_id, self.account_id
        )
    }
}

/// What the database keeps for an account's archive. No private key in clear, no R.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKeys {
    /// The X25519 public key, base64url.
    pub public_key: String,
    /// SHA-256 of the public key, first 16 bytes, hex: shown to people and in the file.
    pub fingerprint: String,
    /// The private key wrapped under the answer-derived key (with its salt and cost).
    pub by_answer: String,
    /// The private key wrapped under the R-derived key, when a recovery file exists.
    pub by_recovery: Option<String>,
    /// Proves a file's R without keeping R.
    pub recovery_verifier: Option<String>,
}

/// A private key in memory, wiped on drop.
pub struct PrivateKey(StaticSecret);

impl PrivateKey {
    pub fn public_key(&self) -> [u8; 32] {
        PublicKey::from(&self.0).to_bytes()
    }
    pub fn as_static_secret(&self) -> &StaticSecret {
        &self.0
    }
}

pub fn fingerprint(public_key: &[u8; 32]) -> String {
    Sha256::digest(public_key)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hkdf_key(ikm: &[u8], info: &str) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA-256's 8160-byte limit: expand cannot fail.
    let _ = Hkdf::<Sha256>::new(None, ikm).expand(info.as_bytes(), out.as_mut());
    out
}

fn seal(key: &[u8; 32], plaintext: &[u8], aad: &str) -> Result<Vec<u8>> {
    let mut nonce = [0u8; 24];
    random_bytes(&mut nonce)?;
    let sealed = XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| Error::Internal("archive key sealing failed".into()))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

fn open(key: &[u8; 32], sealed: &[u8], aad: &str) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 24 {
        return None;
    }
    let (nonce, body) = sealed.split_at(24);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: aad.as_bytes(),
            },
        )
        .ok()
        .map(Zeroizing::new)
}

fn private_from(bytes: &[u8]) -> Option<PrivateKey> {
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    Some(PrivateKey(StaticSecret::from(bytes)))
}

/// The wrapped key's associated data: owner, route and the public key it belongs to.
fn aad(owner: Owner, by: &str, public_key: &[u8; 32]) -> String {
    format!("{}|public:{}", owner.label(by), B64.encode(public_key))
}

/// Wraps `private` under a key derived from the normalised answer.
async fn wrap_by_answer(
    hasher: &PasswordHasher,
    owner: Owner,
    private: &PrivateKey,
    answer: &Secret,
) -> Result<String> {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt)?;
    let cost = hasher.cost();
    let stretched = hasher.derive_key(answer, salt, cost).await?;
    let key = hkdf_key(stretched.as_ref(), &owner.label("by-answer"));
    let sealed = seal(
        &key,
        private.0.as_bytes(),
        &aad(owner, "by-answer", &private.public_key()),
    )?;
    Ok(format!(
        "v1.{}.{}.{}.{}.{}",
        cost.memory_kib,
        cost.passes,
        cost.lanes,
        B64.encode(salt),
        B64.encode(sealed)
    ))
}

/// Creates the key pair when an account is secured, wrapped under `answer` (already
/// normalised). The private key is returned so a recovery file can be made at once.
pub async fn create(
    hasher: &PasswordHasher,
    owner: Owner,
    answer: &Secret,
) -> Result<(StoredKeys, PrivateKey)> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random_bytes(bytes.as_mut())?;
    let private = PrivateKey(StaticSecret::from(*bytes));
    let public = private.public_key();
    let stored = StoredKeys {
        public_key: B64.encode(public),
        fingerprint: fingerprint(&public),
        by_answer: wrap_by_answer(hasher, owner, &private, answer).await?,
        by_recovery: None,
        recovery_verifier: None,
    };
    Ok((stored, private))
}

fn stored_public(stored: &StoredKeys) -> Result<[u8; 32]> {
    B64.decode(&stored.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::Internal("stored public key malformed".into()))
}

/// The private key, from the (normalised) answer; `None` when the answer does not open it.
pub async fn open_with_answer(
    hasher: &PasswordHasher,
    owner: Owner,
    stored: &StoredKeys,
    answer: &Secret,
) -> Result<Option<PrivateKey>> {
    let public = stored_public(stored)?;
    let parts: Vec<&str> = stored.by_answer.split('.').collect();
    let [version, m, t, p, salt, sealed] = parts.as_slice() else {
        return Ok(None);
    };
    let (Ok(memory_kib), Ok(passes), Ok(lanes)) = (m.parse(), t.parse(), p.parse()) else {
        return Ok(None);
    };
    let (Some(salt), Some(sealed)) = (
        B64.decode(salt)
            .ok()
            .and_then(|s| <[u8; 16]>::try_from(s).ok()),
        B64.decode(sealed).ok(),
    ) else {
        return Ok(None);
    };
    if *version != "v1" {
        return Ok(None);
    }
    let cost = HashCost {
        memory_kib,
        passes,
        lanes,
    };
    if !cost.is_sane() {
        return Ok(None);
    }
    let stretched = hasher.derive_key(answer, salt, cost).await?;
    let key = hkdf_key(stretched.as_ref(), &owner.label("by-answer"));
    Ok(open(&key, &sealed, &aad(owner, "by-answer", &public))
        .and_then(|bytes| private_from(&bytes))
        .filter(|private| private.public_key() == public))
}

/// A new recovery secret R for `private`: the stored wrap and verifier, and R for the file.
pub fn add_recovery(
    owner: Owner,
    stored: &StoredKeys,
    private: &PrivateKey,
) -> Result<(StoredKeys, Zeroizing<[u8; 32]>)> {
    let public = stored_public(stored)?;
    let mut r = Zeroizing::new([0u8; 32]);
    random_bytes(r.as_mut())?;
    let key = hkdf_key(r.as_ref(), &owner.label("by-recovery"));
    let sealed = seal(
        &key,
        private.0.as_bytes(),
        &aad(owner, "by-recovery", &public),
    )?;
    let mut updated = stored.clone();
    updated.by_recovery = Some(format!("v1.{}", B64.encode(sealed)));
    updated.recovery_verifier = Some(verifier(owner, &r));
    Ok((updated, r))
}

fn verifier(owner: Owner, r: &[u8; 32]) -> String {
    hkdf_key(r, &owner.label("verifier"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a recovery file was refused, for a message that says what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRefusal {
    /// Not a recovery file, or changed since it was made (checksum).
    Damaged,
    /// A sound file, but for another account or an older key.
    OtherAccount,
}

/// The private key, from a recovery file: its checksum, its owner, the stored verifier and
/// the public key its private key yields must all agree.
pub fn open_with_file(
    owner: Owner,
    stored: &StoredKeys,
    file: &[u8],
) -> std::result::Result<PrivateKey, FileRefusal> {
    let parsed = recovery_file::parse(file).ok_or(FileRefusal::Damaged)?;
    if parsed.owner != owner || parsed.fingerprint != stored.fingerprint {
        return Err(FileRefusal::OtherAccount);
    }
    let expected = stored.recovery_verifier.as_deref().unwrap_or("");
    let given = verifier(owner, &parsed.secret);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        given.as_bytes(),
        expected.as_bytes(),
    )) {
        return Err(FileRefusal::OtherAccount);
    }
    let public = stored_public(stored).map_err(|_| FileRefusal::OtherAccount)?;
    let sealed = stored
        .by_recovery
        .as_deref()
        .and_then(|s| s.strip_prefix("v1."))
        .and_then(|s| B64.decode(s).ok())
        .ok_or(FileRefusal::OtherAccount)?;
    let key = hkdf_key(parsed.secret.as_ref(), &owner.label("by-recovery"));
    open(&key, &sealed, &aad(owner, "by-recovery", &public))
        .and_then(|bytes| private_from(&bytes))
        .filter(|private| private.public_key() == public)
        .ok_or(FileRefusal::OtherAccount)
}

/// After a new answer (e.g. reset with the recovery file): the same key pair, wrapped under
/// the new answer; the recovery wrap and everything archived stay valid.
pub async fn rewrap_by_answer(
    hasher: &PasswordHasher,
    owner: Owner,
    stored: &StoredKeys,
    private: &PrivateKey,
    new_answer: &Secret,
) -> Result<StoredKeys> {
    if stored_public(stored)? != private.public_key() {
        return Err(Error::Internal(
            "private key does not match the account".into(),
        ));
    }
    let mut updated = stored.clone();
    updated.by_answer = wrap_by_answer(hasher, owner, private, new_answer).await?;
    Ok(updated)
}

#[cfg(test)]
mod tests;
