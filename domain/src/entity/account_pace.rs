use sea_orm::entity::prelude::*;

/// One account's recent sends (for its pace) and any pause, shared by every instance.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_paces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    /// JSON of `outbox::pace::Recent`.
    pub recent: String,
    /// Bumped at each change: a write names the version it read (optimistic locking).
    pub version: i64,
    /// No message of the account leaves before this (throttled, or its pace is spent).
    pub paused_until: Option<i64>,
    /// The last throttling pause, doubled by the next one.
    pub pause_secs: Option<i64>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
