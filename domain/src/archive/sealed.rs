//! A sent message sealed to its account's archive public key (an X25519 sealed box): a
//! fresh ephemeral key pair per message, the shared secret through HKDF, XChaCha20-Poly1305
//! with school, account and message id as associated data. The server can add to an
//! archive; only the private key (the answer or the recovery file) opens it, and a sealed
//! row moved to another account or message does not open.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::{Owner, PrivateKey, hkdf_key, open, seal};
use crate::outbox::recipients::Recipient;
use crate::secret::random_bytes;
use crate::{Error, Result};

/// What the archive keeps of a message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArchivedMessage {
    pub subject: String,
    pub body: String,
    pub author: String,
    pub recipients: Vec<Recipient>,
    pub attachments: Vec<ArchivedAttachment>,
    pub queued_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArchivedAttachment {
    pub file_name: String,
    pub content_type: String,
    /// The file's bytes, base64url.
    pub bytes: String,
}

fn label(owner: Owner, message_id: i64) -> String {
    format!("{}|message:{message_id}", owner.label("message"))
}

fn message_key(
    shared: &[u8; 32],
    ephemeral: &[u8; 32],
    recipient: &[u8; 32],
    info: &str,
) -> Zeroizing<[u8; 32]> {
    let mut ikm = Zeroizing::new(Vec::with_capacity(96));
    ikm.extend_from_slice(shared);
    ikm.extend_from_slice(ephemeral);
    ikm.extend_from_slice(recipient);
    hkdf_key(&ikm, info)
}

/// Seals `message` (message `message_id` of `owner`) to the account's public key (base64url).
pub fn seal_message(
    public_key: &str,
    owner: Owner,
    message_id: i64,
    message: &ArchivedMessage,
) -> Result<String> {
    let recipient: [u8; 32] = B64
        .decode(public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::Internal("archive public key malformed".into()))?;
    let mut ephemeral_bytes = Zeroizing::new([0u8; 32]);
    random_bytes(ephemeral_bytes.as_mut())?;
    let ephemeral = StaticSecret::from(*ephemeral_bytes);
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(recipient));
    if !shared.was_contributory() {
        return Err(Error::Internal("archive public key is degenerate".into()));
    }
    let info = label(owner, message_id);
    let key = message_key(shared.as_bytes(), &ephemeral_public, &recipient, &info);
    let plaintext = Zeroizing::new(
        serde_json::to_vec(message).map_err(|e| Error::Internal(format!("archive: {e}")))?,
    );
    let sealed = seal(&key, &plaintext, &info)?;
    Ok(format!(
        "v1.{}.{}",
        B64.encode(ephemeral_public),
        B64.encode(sealed)
    ))
}

/// Opens a sealed message with the account's private key; `None` when it is not this
/// account's message `message_id`, or was changed.
pub fn open_message(
    private: &PrivateKey,
    owner: Owner,
    message_id: i64,
    sealed: &str,
) -> Option<ArchivedMessage> {
    let mut parts = sealed.split('.');
    let (Some("v1"), Some(ephemeral), Some(body), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let ephemeral: [u8; 32] = B64.decode(ephemeral).ok()?.try_into().ok()?;
    let body = B64.decode(body).ok()?;
    let shared = private
        .as_static_secret()
        .diffie_hellman(&PublicKey::from(ephemeral));
    let info = label(owner, message_id);
    let key = message_key(shared.as_bytes(), &ephemeral, &private.public_key(), &info);
    let plaintext = open(&key, &body, &info)?;
    serde_json::from_slice(&plaintext).ok()
}
