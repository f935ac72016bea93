//! A send's subject as its author's pages show it (the list of sends, a send's status):
//! one line for many recipients, so the placeholders that are the same for everyone are
//! filled and each per-recipient one shows as "…" ("Bulletin scolaire de …"), rather than
//! the raw `{eleve}` the author typed.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, EntityTrait};

use super::message_text::{fill, placeholders};
use crate::Result;
use crate::entity::school;

/// What stands for a value that differs from one recipient to the next.
pub const PER_RECIPIENT: &str = "…";

/// `subject` with `{etablissement}` and `{compte}` filled and every other placeholder
/// (`{nom}`, `{email}`, the list's own columns) shown as [`PER_RECIPIENT`].
pub fn subject_line(subject: &str, school_name: &str, account_label: &str) -> String {
    let values: BTreeMap<String, String> = placeholders(subject)
        .into_iter()
        .map(|name| {
            let value = match name.as_str() {
                "etablissement" => school_name,
                "compte" => account_label,
                _ => PER_RECIPIENT,
            };
            (name, value.to_owned())
        })
        .collect();
    fill(subject, &values)
}

/// The school's name, which `{etablissement}` stands for.
pub(super) async fn school_name(db: &impl ConnectionTrait, school_id: i64) -> Result<String> {
    Ok(school::Entity::find_by_id(school_id)
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_default())
}
