use sea_orm::entity::prelude::*;

/// One recipient of one message, and where its delivery stands.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: i64,
    pub message_id: i64,
    pub position: i64,
    pub recipient_address: String,
    pub recipient_name: String,
    pub fields: String,
    /// Fixed at queueing, so a re-send after a crash carries the same Message-ID.
    pub message_id_header: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<i64>,
    pub last_reply: Option<String>,
    pub failure_kind: Option<String>,
    pub sent_at: Option<i64>,
    pub updated_at: i64,
    /// How many times the row was taken back from a worker that never recorded an outcome
    /// (it died, or the process was killed, while sending it).
    pub stalls: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
