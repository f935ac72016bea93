use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: i64,
    /// `personal` or `establishment`.
    pub kind: String,
    /// The staff member a personal account belongs to; `None` for establishment accounts.
    pub owner_person_id: Option<i64>,
    pub label: String,
    pub address: String,
    /// `awaiting_code`, `awaiting_secret`, `awaiting_validation` or `active`.
    pub state: String,
    pub use_server_settings: bool,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i32>,
    pub smtp_security: Option<String>,
    pub smtp_username: Option<String>,
    /// Envelope-encrypted, bound to this school, account, server and user.
    pub smtp_password_sealed: Option<String>,
    pub secret_question: Option<String>,
    /// Argon2id (with pepper) of the normalised answer.
    pub answer_hash: Option<String>,
    pub answer_norm_version: Option<i32>,
    pub answer_failures: i32,
    pub answer_locked_until: Option<i64>,
    /// How many lockouts so far: each one lasts twice as long as the previous.
    pub answer_lockouts: i32,
    pub last_test_report: Option<String>,
    /// The archive's X25519 public key (base64url); the server seals to it.
    pub archive_public_key: Option<String>,
    pub key_fingerprint: Option<String>,
    /// The private key wrapped under a key derived from the secret answer.
    pub private_key_by_answer: Option<String>,
    /// The private key wrapped under a key derived from the recovery file's secret R.
    pub private_key_by_recovery: Option<String>,
    /// Proves a recovery file's R; R itself is never stored.
    pub recovery_verifier: Option<String>,
    pub created_at: i64,
    pub activated_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
