//! The secret question and answer that guard an account (SECURITY.md). The answer is
//! normalised (NFKC, lower case, accents removed, spaces trimmed and collapsed) so that
//! "Médor " matches "medor", then stored only as an Argon2id hash with the pepper,
//! computed on the blocking pool. Wrong answers count per account: five, then a lockout
//! of 15 minutes that doubles with each further lockout.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{AccountState, AccountView, find_for, view};
use crate::access::Actor;
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
pub const ANSWER_MIN_CHARS: usize = 3;
pub const ANSWER_MAX_CHARS: usize = 200;
pub const QUESTION_MAX_CHARS: usize = 200;

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
    let first_time = a.state == AccountState::AwaitingSecret.as_str();
    let mut active = a.clone().into_active_model();
    active.secret_question = Set(Some(input.question));
    active.answer_hash = Set(Some(hash));
    active.answer_norm_version = Set(Some(NORMALISATION_VERSION));
    active.answer_failures = Set(0);
    if first_time {
        active.state = Set(AccountState::AwaitingValidation.as_str().to_owned());
    }
    let a = active.update(db).await?;
    tracing::info!(
        event = "secret_answer_set",
        school_id = a.school_id,
        account_id = a.id,
        first_time,
        "secret question and answer set"
    );
    view(db, &a, now).await
}

/// Passes when the account has no answer yet, or when `given` is its answer. Each wrong
/// answer counts towards the account's lockout; the count is taken *before* the slow
/// comparison, so parallel guesses cannot slip past the limit.
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
    let unlocked = row::Column::AnswerLockedUntil
        .is_null()
        .or(row::Column::AnswerLockedUntil.lte(at));
    let counted = row::Entity::update_many()
        .col_expr(
            row::Column::AnswerFailures,
            Expr::col(row::Column::AnswerFailures).add(1),
        )
        .filter(row::Column::Id.eq(a.id))
        .filter(row::Column::AnswerFailures.lt(MAX_FAILURES))
        .filter(unlocked)
        .exec(db)
        .await?;
    let fresh = row::Entity::find_by_id(a.id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    if counted.rows_affected == 0 {
        let until = fresh.answer_locked_until.unwrap_or(at);
        return Err(Error::TooManyAttempts {
            retry_after_secs: std::cmp::max(until - at, 1),
        });
    }
    let normalised = Secret::new(normalise(proof.answer.expose()));
    if proof.hasher.verify(&normalised, hash).await? {
        row::Entity::update_many()
            .col_expr(row::Column::AnswerFailures, Expr::value(0))
            .col_expr(row::Column::AnswerLockouts, Expr::value(0))
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
    if fresh.answer_failures >= MAX_FAILURES {
        let lockout = FIRST_LOCKOUT_SECS << fresh.answer_lockouts.clamp(0, MAX_DOUBLINGS);
        row::Entity::update_many()
            .col_expr(row::Column::AnswerFailures, Expr::value(0))
            .col_expr(row::Column::AnswerLockedUntil, Expr::value(at + lockout))
            .col_expr(
                row::Column::AnswerLockouts,
                Expr::col(row::Column::AnswerLockouts).add(1),
            )
            .filter(row::Column::Id.eq(a.id))
            .exec(db)
            .await?;
        tracing::warn!(
            event = "secret_answer_locked",
            school_id = a.school_id,
            account_id = a.id,
            lockout_secs = lockout,
            "account locked after wrong answers"
        );
        return Err(Error::TooManyAttempts {
            retry_after_secs: lockout,
        });
    }
    Err(Error::AnswerWrong {
        remaining: MAX_FAILURES - fresh.answer_failures,
    })
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
        assert_eq!(FIRST_LOCKOUT_SECS, 900);
        assert_eq!(FIRST_LOCKOUT_SECS << 1, 1800);
        assert_eq!(FIRST_LOCKOUT_SECS << 9_i32.clamp(0, MAX_DOUBLINGS), 57_600);
    }
}
