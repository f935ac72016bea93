use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: i64,
    pub account_id: i64,
    pub address: String,
    /// What the code proves, e.g. `verify_address`.
    pub purpose: String,
    /// HMAC-SHA-256 of the code and everything it is bound to; never the code itself.
    pub code_hmac: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub attempts: i32,
    /// Set when the code was used, replaced or voided: it never works again.
    pub used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
