use sea_orm::entity::prelude::*;

/// A composed message: who sent it from which account, and its text while it is being
/// delivered (purged once every recipient has it; the archive keeps a sealed copy).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: i64,
    pub account_id: i64,
    pub author_person_id: i64,
    pub api_token_id: Option<i64>,
    pub state: String,
    pub subject: String,
    pub body: Option<String>,
    pub draft_recipients: Option<String>,
    pub recipient_count: i64,
    pub created_at: i64,
    pub queued_at: Option<i64>,
    pub purged_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
