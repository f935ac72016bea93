//! The right to send, checked for every message a worker hands to the relay (not once per
//! round): removing a member, withdrawing an authorisation, revoking a token or demoting its
//! creator, or stopping the send, reaches mail that is already queued.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryTrait};

use super::DeliveryState;
use super::stop::GOING;
use crate::Result;
use crate::accounts::{AccountKind, AccountState};
use crate::entity::{
    account, account_authorisation as grant, api_token, membership, message, outbox,
};

/// What a worker may do with a row it claimed, read just before the relay gets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Still this worker's, and its author may still send it: hand it to the relay.
    Go,
    /// No longer this worker's (a stop dropped the claim, a resume queued it again):
    /// nothing to send and nothing to record.
    NotMine,
    /// Still this worker's, but it may no longer leave: record it as `AccountUnavailable`.
    Refused,
}

/// What may be done with `row`: whether it is still `worker`'s and its message may still
/// leave from `account` ([`allowed`]), in one statement.
#[cfg(test)]
pub(crate) async fn gate(
    db: &impl ConnectionTrait,
    message: &message::Model,
    account: &account::Model,
    row: &outbox::Model,
    worker: &str,
) -> Result<Gate> {
    let gates = gates(db, message, account, &[row.id], worker).await?;
    Ok(gates.get(&row.id).copied().unwrap_or(Gate::NotMine))
}

/// [`gate`] for each of `rows` (all of `message`), in one statement: every row asked about
/// has its answer.
pub(crate) async fn gates(
    db: &impl ConnectionTrait,
    message: &message::Model,
    account: &account::Model,
    rows: &[i64],
    worker: &str,
) -> Result<HashMap<i64, Gate>> {
    let allowed = match allowed(message, account) {
        Some(allowed) => Expr::exists(allowed),
        None => Expr::val(false),
    };
    let query = Query::select()
        .column(outbox::Column::Id)
        .expr_as(allowed, "allowed")
        .from(outbox::Entity)
        .and_where(outbox::Column::Id.is_in(rows.iter().copied()))
        .and_where(outbox::Column::MessageId.eq(message.id))
        .and_where(outbox::Column::ClaimedBy.eq(worker))
        .and_where(outbox::Column::State.eq(DeliveryState::Sending.as_str()))
        .to_owned();
    let mut gates: HashMap<i64, Gate> = rows.iter().map(|&id| (id, Gate::NotMine)).collect();
    for found in db.query_all(&query).await? {
        let verdict = if found.try_get::<bool>("", "allowed")? {
            Gate::Go
        } else {
            Gate::Refused
        };
        gates.insert(found.try_get::<i64>("", "id")?, verdict);
    }
    Ok(gates)
}

/// The query that finds `message` when it may still leave from `account`, now (`None`
/// when what cannot change already says no):
///
/// - the send is going (not stopped: [`super::stop`]) and the account is active, in the
///   message's school;
/// - its author is still a member of that school;
/// - queued through an API token: the token is not revoked, belongs to the school, and its
///   creator is still an administrator there; the account is an establishment one;
/// - otherwise: a personal account is its author's own; an establishment account still
///   lists its author among those allowed to send with it.
///
/// What may change while a message waits is read from the database at the moment of the
/// check; what cannot (which school, account and author a message has, an account's kind
/// and owner) is read from the models the worker holds.
fn allowed(message: &message::Model, account: &account::Model) -> Option<SelectStatement> {
    let (school, author) = (message.school_id, message.author_person_id);
    if account.id != message.account_id || account.school_id != school {
        return None;
    }
    let personal = account.kind == AccountKind::Personal.as_str();
    let account_active = Query::select()
        .expr(Expr::val(1))
        .from(account::Entity)
        .and_where(account::Column::Id.eq(account.id))
        .and_where(account::Column::SchoolId.eq(school))
        .and_where(account::Column::State.eq(AccountState::Active.as_str()))
        .to_owned();
    let author_member = Query::select()
        .expr(Expr::val(1))
        .from(membership::Entity)
        .and_where(membership::Column::SchoolId.eq(school))
        .and_where(membership::Column::PersonId.eq(author))
        .to_owned();
    let going = message::Entity::find_by_id(message.id)
        .filter(message::Column::State.eq(GOING))
        .filter(Expr::exists(account_active))
        .filter(Expr::exists(author_member));
    let allowed = match (message.api_token_id, personal) {
        (Some(_), true) => return None,
        (Some(token), false) => {
            let creator_is_admin = Query::select()
                .expr(Expr::val(1))
                .from(membership::Entity)
                .and_where(membership::Column::SchoolId.eq(school))
                .and_where(
                    Expr::col((membership::Entity, membership::Column::PersonId))
                        .equals((api_token::Entity, api_token::Column::CreatedBy)),
                )
                .and_where(membership::Column::IsAdmin.eq(true))
                .to_owned();
            let token_live = Query::select()
                .expr(Expr::val(1))
                .from(api_token::Entity)
                .and_where(api_token::Column::Id.eq(token))
                .and_where(api_token::Column::SchoolId.eq(school))
                .and_where(api_token::Column::RevokedAt.is_null())
                .and_where(Expr::exists(creator_is_admin))
                .to_owned();
            going.filter(Expr::exists(token_live))
        }
        (None, true) if account.owner_person_id == Some(author) => going,
        (None, true) => return None,
        (None, false) => {
            let granted = Query::select()
                .expr(Expr::val(1))
                .from(grant::Entity)
                .and_where(grant::Column::AccountId.eq(account.id))
                .and_where(grant::Column::PersonId.eq(author))
                .to_owned();
            going.filter(Expr::exists(granted))
        }
    };
    Some(allowed.into_query())
}

/// Whether `message` may still leave from `account`, now ([`allowed`]).
#[cfg(test)]
async fn may_still_send(
    db: &impl ConnectionTrait,
    message: &message::Model,
    account: &account::Model,
) -> Result<bool> {
    match allowed(message, account) {
        Some(query) => Ok(db.query_one(&query).await?.is_some()),
        None => Ok(false),
    }
}

/// Whether `row` is still `sending` under `worker`'s claim ([`gate`]).
#[cfg(test)]
async fn still_claimed(
    db: &impl ConnectionTrait,
    row: &outbox::Model,
    worker: &str,
) -> Result<bool> {
    let message = message::Entity::find_by_id(row.message_id).one(db).await?;
    let message = message.ok_or_else(|| crate::Error::Internal("no message".into()))?;
    let account = account::Entity::find_by_id(message.account_id)
        .one(db)
        .await?;
    let account = account.ok_or_else(|| crate::Error::Internal("no account".into()))?;
    Ok(gate(db, &message, &account, row, worker).await? != Gate::NotMine)
}

#[cfg(test)]
mod tests {
    //! Each rule on SQLite (and PostgreSQL when `TEST_DATABASE_URL` is set). The fixtures
    //! come from `testkit`, which links its own copy of this crate: people and schools are
    //! shared through the database and their ids.

    use chrono::{TimeZone, Utc};
    use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

    use super::{may_still_send, still_claimed};
    use crate::access::{Actor, actor_in};
    use crate::entity::{account, message, outbox};
    use crate::outbox::compose::{self, DraftInput};
    use crate::outbox::stop;
    use crate::{Now, api_tokens};

    fn t0() -> Now {
        Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().unwrap()
    }

    struct Fixture {
        admin: Actor,
        teacher: Actor,
        account_id: i64,
    }

    async fn fixture(db: &DatabaseConnection) -> Fixture {
        let s = testkit::fixtures::secretariat(db, t0()).await;
        let (admin, teacher, school) = (
            s.admin.person_id(),
            s.teacher.person_id(),
            s.admin.school_id(),
        );
        Fixture {
            admin: actor_in(db, admin, school).await.unwrap().unwrap(),
            teacher: actor_in(db, teacher, school).await.unwrap().unwrap(),
            account_id: s.account_id,
        }
    }

    /// Two parents, queued by the teacher from the Secrétariat.
    async fn queued(db: &DatabaseConnection, f: &Fixture) -> i64 {
        let draft = compose::save_draft(
            db,
            &f.teacher,
            None,
            DraftInput {
                account_id: f.account_id,
                subject: "Réunion".into(),
                body: "Bonjour {nom}".into(),
                recipients: "parent.a@b.fr\nparent.b@b.fr".into(),
                ..DraftInput::default()
            },
            t0(),
        )
        .await
        .unwrap();
        compose::queue_draft(db, &f.teacher, draft, t0())
            .await
            .unwrap()
            .message_id
    }

    async fn may(db: &DatabaseConnection, message_id: i64) -> bool {
        let m = message::Entity::find_by_id(message_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let a = account::Entity::find_by_id(m.account_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        may_still_send(db, &m, &a).await.unwrap()
    }

    async fn sql(db: &DatabaseConnection, statement: String) {
        db.execute_unprepared(&statement).await.unwrap();
    }

    #[tokio::test]
    async fn a_queued_message_may_leave_until_its_send_is_stopped_and_again_once_resumed() {
        for t in testkit::databases().await {
            let db = &t.db;
            let f = fixture(db).await;
            let m = queued(db, &f).await;
            assert!(may(db, m).await, "{}", t.backend);
            assert_eq!(stop::stop(db, &f.teacher, m, t0()).await.unwrap(), 2);
            assert!(!may(db, m).await, "{}: stopped", t.backend);
            assert_eq!(stop::resume(db, &f.admin, m, t0()).await.unwrap(), 2);
            assert!(may(db, m).await, "{}: resumed", t.backend);
            t.drop_database().await;
        }
    }

    #[tokio::test]
    async fn an_author_no_longer_in_the_school_sends_nothing_even_from_their_own_account() {
        for t in testkit::databases().await {
            let db = &t.db;
            let f = fixture(db).await;
            let m = queued(db, &f).await;
            // The membership alone goes (the authorisation is left, as it would be if the
            // removal missed it): the author is no longer a member.
            let (school, teacher) = (f.teacher.school_id(), f.teacher.person_id());
            let leave = format!(
                "DELETE FROM memberships WHERE school_id = {school} AND person_id = {teacher}"
            );
            sql(db, leave.clone()).await;
            assert!(!may(db, m).await, "{}: establishment account", t.backend);

            // Their own account: the old rule only asked whether they owned it.
            let m = {
                let back = format!(
                    "INSERT INTO memberships (school_id, person_id, display_name, category, is_admin, created_at) VALUES ({school}, {teacher}, 'Bruno', 'enseignant', false, 0)"
                );
                sql(db, back).await;
                queued(db, &f).await
            };
            sql(db, format!("UPDATE accounts SET kind = 'personal', owner_person_id = {teacher} WHERE id = {}", f.account_id)).await;
            assert!(may(db, m).await, "{}: own account", t.backend);
            sql(db, leave).await;
            assert!(!may(db, m).await, "{}: own account, removed", t.backend);
            t.drop_database().await;
        }
    }

    #[tokio::test]
    async fn a_withdrawn_authorisation_or_an_account_being_changed_stops_queued_mail() {
        for t in testkit::databases().await {
            let db = &t.db;
            let f = fixture(db).await;
            let m = queued(db, &f).await;
            sql(
                db,
                format!(
                    "UPDATE accounts SET state = 'awaiting_code' WHERE id = {}",
                    f.account_id
                ),
            )
            .await;
            assert!(!may(db, m).await, "{}: account being changed", t.backend);
            sql(
                db,
                format!(
                    "UPDATE accounts SET state = 'active' WHERE id = {}",
                    f.account_id
                ),
            )
            .await;
            assert!(may(db, m).await, "{}", t.backend);
            crate::accounts::authorisations::set(db, &f.admin, f.account_id, &[], t0())
                .await
                .unwrap();
            assert!(!may(db, m).await, "{}: authorisation withdrawn", t.backend);
            t.drop_database().await;
        }
    }

    #[tokio::test]
    async fn api_mail_stops_when_its_token_is_revoked_or_its_creator_is_demoted_or_removed() {
        for t in testkit::databases().await {
            let db = &t.db;
            let f = fixture(db).await;
            let (school, teacher) = (f.teacher.school_id(), f.teacher.person_id());
            // The teacher, made an administrator, creates a token; a message is queued
            // through it (as `api_tokens::queue` writes it: the creator as author).
            sql(db, format!("UPDATE memberships SET is_admin = true WHERE school_id = {school} AND person_id = {teacher}")).await;
            let creator = actor_in(db, teacher, school).await.unwrap().unwrap();
            let (token, _) = api_tokens::create(db, &creator, "Vie scolaire", t0())
                .await
                .unwrap();
            let through_token = |m: i64| {
                format!(
                    "UPDATE messages SET api_token_id = {}, author_person_id = {teacher} WHERE id = {m}",
                    token.id
                )
            };
            let m = queued(db, &f).await;
            let later = queued(db, &f).await;
            sql(db, through_token(m)).await;
            assert!(may(db, m).await, "{}: live token", t.backend);

            let demote = format!(
                "UPDATE memberships SET is_admin = false WHERE school_id = {school} AND person_id = {teacher}"
            );
            sql(db, demote).await;
            assert!(!may(db, m).await, "{}: creator demoted", t.backend);
            sql(db, format!("UPDATE memberships SET is_admin = true WHERE school_id = {school} AND person_id = {teacher}")).await;
            assert!(may(db, m).await, "{}: promoted again", t.backend);

            let remove = crate::staff::remove(db, &f.admin, creator.membership_id(), true).await;
            remove.unwrap();
            assert!(!may(db, m).await, "{}: creator removed", t.backend);

            // A token revoked, its creator still an administrator (the school's admin).
            let (token, _) = api_tokens::create(db, &f.admin, "ENT", t0()).await.unwrap();
            let m = later;
            sql(
                db,
                format!(
                    "UPDATE messages SET api_token_id = {}, author_person_id = {} WHERE id = {m}",
                    token.id,
                    f.admin.person_id()
                ),
            )
            .await;
            assert!(may(db, m).await, "{}: admin's token", t.backend);
            api_tokens::revoke(db, &f.admin, token.id, t0())
                .await
                .unwrap();
            assert!(!may(db, m).await, "{}: revoked", t.backend);
            t.drop_database().await;
        }
    }

    #[tokio::test]
    async fn a_row_is_still_claimed_only_while_it_is_sending_under_that_worker() {
        for t in testkit::databases().await {
            let db = &t.db;
            let f = fixture(db).await;
            let m = queued(db, &f).await;
            sql(db, format!("UPDATE outbox SET state = 'sending', claimed_by = 'w1', claimed_until = {} WHERE message_id = {m}", t0().timestamp() + 300)).await;
            let rows = outbox::Entity::find().all(db).await.unwrap();
            assert!(still_claimed(db, &rows[0], "w1").await.unwrap());
            assert!(!still_claimed(db, &rows[0], "w2").await.unwrap());
            stop::stop(db, &f.teacher, m, t0()).await.unwrap();
            assert!(
                !still_claimed(db, &rows[0], "w1").await.unwrap(),
                "{}",
                t.backend
            );
            stop::resume(db, &f.teacher, m, t0()).await.unwrap();
            assert!(
                !still_claimed(db, &rows[0], "w1").await.unwrap(),
                "{}",
                t.backend
            );
            t.drop_database().await;
        }
    }
}
