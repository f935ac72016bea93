//! The secret question and answer that guard an account (SECURITY.md). The answer is
//! normalised (NFKC, lower case, accents removed, spaces trimmed and collapsed) so that
//! "Médor " matches "medor", then stored only as an Argon2id hash with the pepper,
//! computed on the blocking pool. Wrong answers count per account: five, then a lockout
//! of 15 minutes that doubles with each further lockout.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{AccountState, AccountView, advance, find_for, owner, stored_keys, view};
use crate::access::Actor;
use crate::archive;
use crate::entity::account as row;
use crate::password::PasswordHasher;
use crate::secret::Secret;
use crate::{Error, Invalid, Now, Result};

/// Stored beside each hash, so a future change of the rules can tell old hashes apart.
pub const NORMALISATION_VERSION: i32 = 1;
pub const MAX_FAILURES: i32 = 5;
pub const FIRST_LOCKOUT_SECS: i64 = 15 * 60;
/// Doubling stops here (15 min × 2⁶ = 16 h).
const MAX_DOUBLINGS: i32 = 6;
pub const ANSWER_MIN_CHARS: usize = vocabulary::limits::ANSWER_MIN_CHARS;
pub const ANSWER_MAX_CHARS: usize = vocabulary::limits::ANSWER_MAX_CHARS;
pub const QUESTION_MAX_CHARS: usize = vocabulary::limits::QUESTION_MAX_CHARS;

/// Questions offered in the wizard; anyone may write their own instead.
pub const SUGGESTED_QUESTIONS: &[&str] = &[
    "Quel était le nom de votre premier animal de compagnie ?",
    "Dans quelle ville votre mère est-elle née ?",
    "Quel est le prénom de votre meilleur ami d'enfance ?",
    "Quel était le nom de votre école primaire ?",
    "Quel est le titre de votre livre préféré ?",
    "Quelle est la marque de votre première voiture ?",
];

/// Version 1: NFKC, lower case, accents stripped, outer spaces trimmed, inner runs of
/// whitespace collapsed to one space.
pub fn normalise(answer: &str) -> String {
    let folded: String = answer
        .nfkc()
        .collect::<String>()
        .to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .nfc()
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A question (one of the suggestions or the person's own) and its answer, typed twice.
pub struct SecretInput {
    question: String,
    answer: Secret,
}

impl SecretInput {
    pub fn parse(question: &str, answer: &Secret, confirmation: &Secret) -> Result<Self> {
        if question.chars().any(char::is_control) {
            return Err(Invalid::QuestionMalformed.into());
        }
        let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
        if question.is_empty() {
            return Err(Invalid::QuestionEmpty.into());
        }
        if question.chars().count() > QUESTION_MAX_CHARS {
            return Err(Invalid::QuestionMalformed.into());
        }
        let normalised = normalise(answer.expose());
        match normalised.chars().count() {
            n if n < ANSWER_MIN_CHARS => return Err(Invalid::AnswerTooShort.into()),
            n if n > ANSWER_MAX_CHARS => return Err(Invalid::AnswerTooLong.into()),
            _ => {}
        }
        if normalised != normalise(confirmation.expose()) {
            return Err(Invalid::AnswersDiffer.into());
        }
        Ok(Self {
            question,
            answer: Secret::new(normalised),
        })
    }
}

/// The secret answer given to authorise a change, and the hasher that checks it.
#[derive(Clone, Copy)]
pub struct Proof<'a> {
    pub hasher: &'a PasswordHasher,
    pub answer: &'a Secret,
}

impl SecretInput {
    /// The question and the normalised answer.
    pub(crate) fn into_parts(self) -> (String, Secret) {
        (self.question, self.answer)
    }
}

/// Step 3, or a later change of question: stores the question and the answer's hash.
/// Once an answer exists, `current` must be it.
pub async fn set(
    db: &impl ConnectionTrait,
    actor: &Actor,
    account_id: i64,
    input: SecretInput,
    current: Proof<'_>,
    now: Now,
) -> Result<AccountView> {
    let a = find_for(db, actor, account_id).await?;
    if a.state == AccountState::AwaitingCode.as_str() && a.answer_hash.is_none() {
        return Err(Invalid::WrongStep.into());
    }
    require(db, &a, current, now).await?;
    let hash = current.hasher.hash(&input.answer).await?;
    // Securing creates the archive key pair; a new answer re-wraps the same pair, so
    // nothing archived is lost.
    let keys = match stored_keys(&a) {
        None => {
            archive::create(current.hasher, owner(&a), &input.answer)
                .await?
                .0
        }
        Some(stored) => {
            let given = Secret::new(normalise(current.answer.expose()));
            let private = archive::open_with_answer(current.hasher, owner(&a), &stored, &given)
                .await?
                .ok_or_else(|| Error::Internal("the answer did not open the archive key".into()))?;
            archive::rewrap_by_answer(current.hasher, owner(&a), &stored, &private, &input.answer)
                .await?
        }
    };
    let first_time = a.state == AccountState::AwaitingSecret.as_str();
    let next = if first_time {
        AccountState::AwaitingValidation
    } else {
        crate::entity::stored(AccountState::from_stored, "account state", &a.state)?
    };
    let a = advance(db, &a, next, |u| {
        u.col_expr(row::Column::SecretQuestion, Expr::value(input.question))
            .col_expr(row::Column::AnswerHash, Expr::value(hash))
            .col_expr(
                row::Column::AnswerNormVersion,
                Expr::value(NORMALISATION_VERSION),
            )
            .col_expr(row::Column::ArchivePublicKey, Expr::value(keys.public_key))
            .col_expr(row::Column::KeyFingerprint, Expr::value(keys.fingerprint))
            .col_expr(row::Column::PrivateKeyByAnswer, Expr::value(keys.by_answer))
    })
    .await?;
    tracing::info!(
        event = "secret_answer_set",
        school_id = a.school_id,
        account_id = a.id,
        first_time,
        "secret question and answer set"
    );
    view(db, &a, now).await
}

/// How long the lockout after `lockouts` earlier ones lasts: 15 minutes, doubling each
/// time, up to 16 hours.
pub fn lockout_secs(lockouts: i32) -> i64 {
    FIRST_LOCKOUT_SECS << lockouts.clamp(0, MAX_DOUBLINGS)
}

/// Passes when the account has no answer yet, or when `proof` holds its answer. Every try
/// is counted in the database *before* the slow comparison, in one conditional `UPDATE`,
/// so parallel guesses cannot slip past the limit; the fifth try sets the lockout in the
/// statement that counts it (lifted if the answer is right), so nothing — a busy hasher, a
/// dropped connection — can leave an account at the limit without a lock.
pub(crate) async fn require(
    db: &impl ConnectionTrait,
    a: &row::Model,
    proof: Proof<'_>,
    now: Now,
) -> Result<()> {
    let Some(hash) = &a.answer_hash else {
        return Ok(());
    };
    let at = now.timestamp();
    let unlocked = || {
        row::Column::AnswerLockedUntil
            .is_null()
            .or(row::Column::AnswerLockedUntil.lte(at))
    };
    let counted = row::Entity::update_many()
        .col_expr(
            row::Column::AnswerFailures,
            Expr::col(row::Column::AnswerFailures).add(1),
        )
        .filter(row::Column::Id.eq(a.id))
        .filter(unlocked())
        .filter(row::Column::AnswerFailures.lt(MAX_FAILURES - 1))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    let fresh = row::Entity::find_by_id(a.id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let next_lockout_secs = lockout_secs(fresh.answer_lockouts);
    let mut lockout = None;
    if !counted {
        let secs = next_lockout_secs;
        let last_try = row::Entity::update_many()
            .col_expr(row::Column::AnswerFailures, Expr::value(0))
            .col_expr(row::Column::AnswerLockedUntil, Expr::value(at + secs))
            .col_expr(
                row::Column::AnswerLockouts,
                Expr::value(fresh.answer_lockouts + 1),
            )
            .filter(row::Column::Id.eq(a.id))
            .filter(unlocked())
            .filter(row::Column::AnswerFailures.gte(MAX_FAILURES - 1))
            .filter(row::Column::AnswerLockouts.eq(fresh.answer_lockouts))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if !last_try {
            let until = fresh.answer_locked_until.unwrap_or(at);
            return Err(Error::TooManyAttempts {
                retry_after_secs: std::cmp::max(until - at, 1),
            });
        }
        lockout = Some(secs);
    }
    let normalised = Secret::new(normalise(proof.answer.expose()));
    if proof.hasher.verify(&normalised, hash).await? {
        row::Entity::update_many()
            .col_expr(row::Column::AnswerFailures, Expr::value(0))
            .col_expr(row::Column::AnswerLockouts, Expr::value(0))
            .col_expr(
                row::Column::AnswerLockedUntil,
                Expr::value(Option::<i64>::None),
            )
            .filter(row::Column::Id.eq(a.id))
            .exec(db)
            .await?;
        return Ok(());
    }
    tracing::info!(
        event = "secret_answer_wrong",
        school_id = a.school_id,
        account_id = a.id,
        failures = fresh.answer_failures,
        "wrong secret answer"
    );
    match lockout {
        Some(secs) => {
            tracing::warn!(
                event = "secret_answer_locked",
                school_id = a.school_id,
                account_id = a.id,
                lockout_secs = secs,
                "account locked after wrong answers"
            );
            Err(Error::TooManyAttempts {
                retry_after_secs: secs,
            })
        }
        None => Err(Error::AnswerWrong {
            remaining: MAX_FAILURES - fresh.answer_failures,
            lockout_secs: next_lockout_secs,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_match_whatever_case_accents_and_spaces() {
        assert_eq!(normalise("Médor "), "medor");
        assert_eq!(normalise("  MÉDOR"), "medor");
        assert_eq!(normalise("Me\u{301}dor"), "medor", "decomposed accent");
        assert_eq!(
            normalise("Saint   Étienne\tdu  Rouvray"),
            "saint etienne du rouvray"
        );
        assert_eq!(
            normalise("ｍｅｄｏｒ"),
            "medor",
            "full-width letters (NFKC)"
        );
        assert_eq!(
            normalise("Œuvre ﬁnale"),
            "œuvre finale",
            "ligature fi folded, œ kept"
        );
        assert_ne!(normalise("medor"), normalise("medors"));
    }

    #[test]
    fn a_secret_needs_a_question_and_two_equal_answers() {
        let s = |v: &str| Secret::new(v);
        assert!(SecretInput::parse("Ville ?", &s("Médor"), &s("medor ")).is_ok());
        let err = |q: &str, a: &str, c: &str| match SecretInput::parse(q, &s(a), &s(c)) {
            Err(Error::Invalid(i)) => i,
            _ => panic!("expected a refusal for {q:?} {a:?} {c:?}"),
        };
        assert_eq!(err("  ", "medor", "medor"), Invalid::QuestionEmpty);
        assert_eq!(
            err("Q\r\nBcc", "medor", "medor"),
            Invalid::QuestionMalformed
        );
        assert_eq!(err("Q ?", "ab", "ab"), Invalid::AnswerTooShort);
        assert_eq!(
            err("Q ?", &"x".repeat(201), &"x".repeat(201)),
            Invalid::AnswerTooLong
        );
        assert_eq!(err("Q ?", "medor", "rex"), Invalid::AnswersDiffer);
    }

    #[test]
    fn lockouts_double_then_stop_growing() {
        assert_eq!(lockout_secs(0), 900);
        assert_eq!(lockout_secs(1), 1800);
        assert_eq!(lockout_secs(9), 57_600);
    }
}
