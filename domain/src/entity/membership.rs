use sea_orm::entity::prelude::*;

/// A person's place in one school. The display name lives here, not on the person, so
/// that one school's directory edits never show in another school.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: i64,
    pub person_id: i64,
    pub display_name: String,
    pub category: String,
    pub is_admin: bool,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
