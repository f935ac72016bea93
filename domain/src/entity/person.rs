use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Login address, trimmed and lower-cased; unique across the whole server.
    #[sea_orm(unique)]
    pub email: String,
    /// PHC string of an Argon2id hash; `None` until the invitation is accepted.
    pub password_hash: Option<String>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
