//! `cleRecuperation.crbee`: the recovery file attached to an establishment account's
//! confirmation e-mail. Plain UTF-8 text, so that a secretary can see what it is; every
//! byte before the last line is covered by a SHA-256 checksum on that line, so a file
//! changed by even one byte (or cut short) is refused as damaged.
//!
//! ```text
//! cleRecuperation.crbee — École Courriel
//! Fichier de récupération : ne le modifiez pas, gardez-le en lieu sûr.
//! version: 1
//! school: 12
//! account: 34
//! address: secretariat@college.fr
//! fingerprint: 0f1e…
//! secret: <R, base64url>
//! checksum: <SHA-256 of everything above, hex>
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::Owner;

pub const FILE_NAME: &str = "cleRecuperation.crbee";
pub const CONTENT_TYPE: &str = "application/octet-stream";
/// A recovery file is a few hundred bytes; an upload much larger is not one.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024;
const VERSION: &str = "1";
const CHECKSUM: &str = "checksum: ";

/// What a sound file says.
pub struct Parsed {
    pub owner: Owner,
    pub address: String,
    pub fingerprint: String,
    pub secret: Zeroizing<[u8; 32]>,
}

fn checksum(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file's bytes. They hold R: send them, never store or log them.
pub fn build(
    owner: Owner,
    address: &str,
    fingerprint: &str,
    secret: &[u8; 32],
) -> Zeroizing<Vec<u8>> {
    let body = Zeroizing::new(format!(
        "cleRecuperation.crbee — École Courriel\n\
         Fichier de récupération : ne le modifiez pas, gardez-le en lieu sûr.\n\
         version: {VERSION}\n\
         school: {}\n\
         account: {}\n\
         address: {address}\n\
         fingerprint: {fingerprint}\n\
         secret: {}\n",
        owner.school_id,
        owner.account_id,
        B64.encode(secret)
    ));
    let sum = checksum(body.as_bytes());
    Zeroizing::new(format!("{}{CHECKSUM}{sum}\n", body.as_str()).into_bytes())
}

/// Reads a file back; `None` when it is not a recovery file or any byte changed.
pub fn parse(file: &[u8]) -> Option<Parsed> {
    let text = std::str::from_utf8(file).ok()?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let (body_end, sum) = match text.rfind(CHECKSUM) {
        Some(at) => (at, text[at + CHECKSUM.len()..].trim_end_matches('\r')),
        None => return None,
    };
    let body = &text[..body_end];
    let expected = checksum(body.as_bytes());
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        sum.as_bytes(),
        expected.as_bytes(),
    )) {
        return None;
    }
    let field = |name: &str| {
        body.lines().find_map(|l| {
            l.trim_end_matches('\r')
                .strip_prefix(name)?
                .strip_prefix(": ")
        })
    };
    if field("version")? != VERSION {
        return None;
    }
    let secret: [u8; 32] = B64.decode(field("secret")?).ok()?.try_into().ok()?;
    Some(Parsed {
        owner: Owner {
            school_id: field("school")?.parse().ok()?,
            account_id: field("account")?.parse().ok()?,
        },
        address: field("address")?.to_owned(),
        fingerprint: field("fingerprint")?.to_owned(),
        secret: Zeroizing::new(secret),
    })
}
