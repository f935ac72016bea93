use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sending_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub school_id: i64,
    pub deliver_all_through_server: bool,
    pub sender_name: String,
    /// `hosting` or `school`.
    pub relay_kind: String,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i32>,
    /// `starttls`, `tls` or `none`.
    pub smtp_security: Option<String>,
    pub smtp_from_address: Option<String>,
    pub smtp_username: Option<String>,
    /// Envelope-encrypted (see `crypto`), bound to this school.
    pub smtp_password_sealed: Option<String>,
    pub last_test_at: Option<i64>,
    /// JSON of the last test's report (transcript already masked).
    pub last_test_report: Option<String>,
    /// When an administrator last saved; `None` while only a test report is kept.
    pub saved_at: Option<i64>,
    /// The school relay's pace (messages per minute, per day); `None`: the default.
    pub pace_per_minute: Option<i64>,
    pub pace_per_day: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
