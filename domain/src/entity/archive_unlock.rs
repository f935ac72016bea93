use sea_orm::entity::prelude::*;

/// An archive opened for one session for a few minutes: the private key wrapped under a
/// key derived from the session's cookie, which the database does not hold.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "archive_unlocks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_hash: String,
    pub account_id: i64,
    pub wrapped_key: String,
    pub expires_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
