//! Slow, salted, peppered password hashing (Argon2id), run on the blocking pool so a burst
//! of sign-ins never stalls the async runtime.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::secret::{Secret, random_bytes};
use crate::{Error, Result};

/// Argon2id cost. [`HashCost::PRODUCTION`] follows SECURITY.md; tests may use a cheaper one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl HashCost {
    /// Whether a cost read back from storage is one this server will compute: a stored
    /// value is data, and an absurd memory cost would abort the process.
    pub fn is_sane(self) -> bool {
        (8..=1024 * 1024).contains(&self.memory_kib)
            && (1..=16).contains(&self.passes)
            && (1..=16).contains(&self.lanes)
    }

    /// 64 MiB, 3 passes, 4 lanes (RFC 9106's second recommended option).
    pub const PRODUCTION: HashCost = HashCost {
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 4,
    };
    /// For tests only: the cheapest cost Argon2 accepts, so suites stay fast.
    pub const TEST_ONLY: HashCost = HashCost {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };
}

const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// Hashes and verifies passwords with a server-wide pepper kept outside the database.
///
/// At most [`PasswordHasher::max_parallel`] hashes run at once (each takes 64 MiB): a flood
/// of sign-in attempts waits its turn, briefly, then gets "busy" instead of exhausting the
/// server's memory for every school.
#[derive(Clone)]
pub struct PasswordHasher {
    cost: HashCost,
    pepper: Arc<Zeroizing<Vec<u8>>>,
    permits: Arc<tokio::sync::Semaphore>,
}

/// How long a hash may wait for a free slot before the request is refused as busy.
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl PasswordHasher {
    pub fn new(cost: HashCost, pepper: &[u8]) -> Self {
        let cores = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2);
        Self::with_parallelism(cost, pepper, cores)
    }

    /// As [`PasswordHasher::new`], with at most `max_parallel` hashes at once.
    pub fn with_parallelism(cost: HashCost, pepper: &[u8], max_parallel: usize) -> Self {
        Self {
            cost,
            pepper: Arc::new(Zeroizing::new(pepper.to_vec())),
            permits: Arc::new(tokio::sync::Semaphore::new(max_parallel.max(1))),
        }
    }

    /// The cost new hashes and keys are computed with.
    pub fn cost(&self) -> HashCost {
        self.cost
    }

    async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(QUEUE_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Error::Busy)?
            .map_err(|_| Error::Busy)
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) for `password`.
    pub async fn hash(&self, password: &Secret) -> Result<String> {
        let permit = self.slot().await?;
        let this = self.clone();
        let password = password.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            this.hash_blocking(normalised(&password).as_bytes())
        })
        .await
        .map_err(|e| Error::Internal(format!("hash task: {e}")))?
    }

    /// Whether `password` matches `phc`. A malformed stored hash counts as no match.
    pub async fn verify(&self, password: &Secret, phc: &str) -> Result<bool> {
        let permit = self.slot().await?;
        let this = self.clone();
        let password = password.clone();
        let phc = phc.to_owned();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            this.verify_blocking(normalised(&password).as_bytes(), &phc)
        })
        .await
        .map_err(|e| Error::Internal(format!("verify task: {e}")))?
    }

    /// 32 bytes derived from `secret` and `salt` by the same Argon2id (cost and pepper) as
    /// the hashes, on the blocking pool: a key that only this server, given the secret, can
    /// compute again (a database dump alone cannot brute-force it without the pepper).
    /// `cost` is the one recorded when the key was first derived ([`PasswordHasher::cost`]).
    pub async fn derive_key(
        &self,
        secret: &Secret,
        salt: [u8; 16],
        cost: HashCost,
    ) -> Result<Zeroizing<[u8; 32]>> {
        let permit = self.slot().await?;
        let this = self.clone();
        let secret = secret.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut out = Zeroizing::new([0u8; 32]);
            this.argon(cost)?
                .hash_password_into(normalised(&secret).as_bytes(), &salt, out.as_mut())
                .map_err(|e| Error::Internal(format!("argon2: {e}")))?;
            Ok(out)
        })
        .await
        .map_err(|e| Error::Internal(format!("derive task: {e}")))?
    }

    /// Spends the same time as a real verification, so an unknown login e-mail cannot be
    /// told apart from a wrong password by timing.
    pub async fn waste_time(&self, password: &Secret) -> Result<()> {
        self.hash(password).await.map(|_| ())
    }

    fn argon(&self, cost: HashCost) -> Result<Argon2<'_>> {
        let params = Params::new(cost.memory_kib, cost.passes, cost.lanes, Some(HASH_LEN))
            .map_err(|e| Error::Internal(format!("argon2 params: {e}")))?;
        Argon2::new_with_secret(&self.pepper, Algorithm::Argon2id, Version::V0x13, params)
            .map_err(|e| Error::Internal(format!("argon2 pepper: {e}")))
    }

    fn hash_blocking(&self, password: &[u8]) -> Result<String> {
        let mut salt = [0u8; SALT_LEN];
        random_bytes(&mut salt)?;
        let mut out = Zeroizing::new([0u8; HASH_LEN]);
        self.argon(self.cost)?
            .hash_password_into(password, &salt, out.as_mut())
            .map_err(|e| Error::Internal(format!("argon2: {e}")))?;
        let HashCost {
            memory_kib,
            passes,
            lanes,
        } = self.cost;
        Ok(format!(
            "$argon2id$v=19$m={memory_kib},t={passes},p={lanes}${}${}",
            B64.encode(salt),
            B64.encode(out.as_ref())
        ))
    }

    fn verify_blocking(&self, password: &[u8], phc: &str) -> Result<bool> {
        let Some((cost, salt, expected)) = parse_phc(phc) else {
            return Ok(false);
        };
        let mut out = Zeroizing::new(vec![0u8; expected.len()]);
        self.argon(cost)?
            .hash_password_into(password, &salt, out.as_mut())
            .map_err(|e| Error::Internal(format!("argon2: {e}")))?;
        Ok(bool::from(out.as_slice().ct_eq(&expected)))
    }
}

/// NFKC, as NIST 800-63B asks: "é" typed as one character or as "e" plus an accent (as
/// keyboards and systems differ) is the same password.
fn normalised(password: &Secret) -> Zeroizing<String> {
    use unicode_normalization::UnicodeNormalization;
    Zeroizing::new(password.expose().nfkc().collect())
}

/// Reads the cost, salt and hash back from a PHC string written by `hash_blocking`; the cost
/// is read per hash so that raising [`HashCost`] later keeps old hashes verifiable.
fn parse_phc(phc: &str) -> Option<(HashCost, Vec<u8>, Vec<u8>)> {
    let mut parts = phc.split('$');
    let (_, alg, version, params, salt, hash) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if alg != "argon2id" || version != "v=19" || parts.next().is_some() {
        return None;
    }
    let mut cost = HashCost {
        memory_kib: 0,
        passes: 0,
        lanes: 0,
    };
    for pair in params.split(',') {
        let (key, value) = pair.split_once('=')?;
        let value: u32 = value.parse().ok()?;
        match key {
            "m" => cost.memory_kib = value,
            "t" => cost.passes = value,
            "p" => cost.lanes = value,
            _ => return None,
        }
    }
    if !cost.is_sane() {
        return None;
    }
    Some((cost, B64.decode(salt).ok()?, B64.decode(hash).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password_and_pepper() {
        let hasher = PasswordHasher::new(HashCost::TEST_ONLY, b"pepper-one");
        let phc = hasher.hash(&Secret::new("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(!phc.contains("correct horse"));
        assert!(
            hasher
                .verify(&Secret::new("correct horse"), &phc)
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(&Secret::new("correct horsE"), &phc)
                .await
                .unwrap()
        );
        let other_pepper = PasswordHasher::new(HashCost::TEST_ONLY, b"pepper-two");
        assert!(
            !other_pepper
                .verify(&Secret::new("correct horse"), &phc)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_password_matches_whatever_its_unicode_form() {
        let hasher = PasswordHasher::new(HashCost::TEST_ONLY, b"p");
        let composed = "Ch\u{e8}vre des Pyr\u{e9}n\u{e9}es";
        let decomposed = "Che\u{300}vre des Pyre\u{301}ne\u{301}es";
        let phc = hasher.hash(&Secret::new(composed)).await.unwrap();
        assert!(hasher.verify(&Secret::new(decomposed), &phc).await.unwrap());
    }

    #[tokio::test]
    async fn a_malformed_hash_is_no_match_not_a_panic() {
        let hasher = PasswordHasher::new(HashCost::TEST_ONLY, b"p");
        for bad in [
            "",
            "$argon2id$",
            "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA",
            "$argon2id$v=19$m=x$A$A",
        ] {
            assert!(!hasher.verify(&Secret::new("x"), bad).await.unwrap());
        }
    }

    #[tokio::test]
    async fn a_flood_waits_for_a_slot_and_never_runs_more_than_the_limit() {
        let hasher = PasswordHasher::with_parallelism(HashCost::TEST_ONLY, b"p", 1);
        // Hold the only slot: the next hash waits, then reports busy.
        let held = hasher.slot().await.unwrap();
        tokio::time::pause();
        let waiting = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.hash(&Secret::new("x")).await }
        });
        tokio::time::advance(QUEUE_WAIT + std::time::Duration::from_millis(10)).await;
        assert!(matches!(waiting.await.unwrap(), Err(Error::Busy)));
        let verifying = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .verify(&Secret::new("x"), "$argon2id$v=19$m=64,t=1,p=1$AAAA$AAAA")
                    .await
            }
        });
        tokio::time::advance(QUEUE_WAIT + std::time::Duration::from_millis(10)).await;
        assert!(
            matches!(verifying.await.unwrap(), Err(Error::Busy)),
            "verification waits its turn too"
        );
        drop(held);
        tokio::time::resume();
        assert!(hasher.hash(&Secret::new("x")).await.is_ok());
    }

    #[test]
    fn production_cost_is_the_documented_one() {
        assert_eq!(
            HashCost::PRODUCTION,
            HashCost {
                memory_kib: 65536,
                passes: 3,
                lanes: 4
            }
        );
    }
}
