//! What server functions send to the browser: plain data, no hashes, no secrets.

use serde::{Deserialize, Serialize};
pub use vocabulary::{AccountKind, AccountState};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolRef {
    pub id: i64,
    pub name: String,
}

/// The signed-in person as the shell shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    /// The school the session works in (None: the person belongs to none).
    pub school: Option<SchoolRef>,
    pub is_admin: bool,
    pub schools: Vec<SchoolRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    /// `personnel` or `enseignant`.
    pub category: String,
    pub is_admin: bool,
    pub invitation_pending: bool,
}

#[cfg(feature = "ssr")]
impl From<domain::staff::StaffMember> for StaffRow {
    fn from(m: domain::staff::StaffMember) -> Self {
        Self {
            id: m.id,
            display_name: m.display_name,
            email: m.email,
            category: m.category.as_str().to_owned(),
            is_admin: m.is_admin,
            invitation_pending: m.invitation_pending,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub school_name: String,
    pub display_name: String,
}

/// The sending settings page's data. The SMTP password is never sent: only whether one is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendingSettingsView {
    pub deliver_all_through_server: bool,
    pub sender_name: String,
    /// `hosting` or `school`.
    pub relay: String,
    pub host: String,
    pub port: String,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    pub from_address: String,
    pub username: String,
    pub password_set: bool,
    pub saved: bool,
    /// The host's relay: its name, or `None` when the operator configured none (mail is
    /// then written to files on the server, a development setup).
    pub hosting_relay_host: Option<String>,
    /// The latest test, of the saved settings or of values tried on screen.
    pub last_test: Option<TestReportView>,
    /// The latest test of the settings as saved: step 1's state.
    pub saved_test: Option<TestReportView>,
    /// The school relay's pace: messages per minute and per day.
    pub pace_per_minute: u32,
    pub pace_per_day: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestReportView {
    pub at: crate::time::ParisTime,
    pub to: String,
    pub problem: Option<vocabulary::FailureKind>,
    pub detail: String,
    pub transcript: Vec<String>,
    /// False when the test used values typed on screen but not saved (it then does not
    /// change step 1's state).
    pub of_saved: bool,
}

#[cfg(feature = "ssr")]
impl From<domain::sending_settings::TestReport> for TestReportView {
    fn from(r: domain::sending_settings::TestReport) -> Self {
        Self {
            at: crate::ssr::paris_time(r.at),
            to: r.to,
            problem: r.failure,
            detail: r.detail,
            transcript: r.transcript,
            of_saved: r.of_saved,
        }
    }
}

/// What submitting the settings form did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettingsOutcome {
    Saved,
    Tested(TestReportView),
}

/// One sending account as its pages show it: no hash, no password (only whether one is set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetail {
    pub id: i64,
    pub kind: AccountKind,
    pub label: String,
    pub address: String,
    pub state: AccountState,
    pub use_server_settings: bool,
    pub own_smtp_allowed: bool,
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    pub password_set: bool,
    pub secret_question: Option<String>,
    /// The archive key's fingerprint (also written in the recovery file).
    pub key_fingerprint: Option<String>,
    /// Seconds before "Renvoyer le code" works again.
    pub resend_in_secs: i64,
    pub last_test: Option<TestReportView>,
    /// The questions the wizard suggests.
    pub suggested_questions: Vec<String>,
}

#[cfg(feature = "ssr")]
impl From<domain::accounts::AccountView> for AccountDetail {
    fn from(v: domain::accounts::AccountView) -> Self {
        let relay = v.own_relay.clone();
        Self {
            id: v.id,
            kind: v.kind,
            label: v.label,
            address: v.address,
            state: v.state,
            use_server_settings: v.use_server_settings,
            own_smtp_allowed: v.own_smtp_allowed,
            host: relay.as_ref().map(|r| r.host.clone()).unwrap_or_default(),
            port: relay
                .as_ref()
                .map(|r| r.port.to_string())
                .unwrap_or_default(),
            security: relay
                .as_ref()
                .map_or("starttls", |r| r.security.as_str())
                .to_owned(),
            username: relay
                .as_ref()
                .and_then(|r| r.username.clone())
                .unwrap_or_default(),
            password_set: v.password_set,
            secret_question: v.secret_question,
            key_fingerprint: v.key_fingerprint,
            resend_in_secs: v.resend_in_secs,
            last_test: v.last_test.map(Into::into),
            suggested_questions: domain::accounts::answer::SUGGESTED_QUESTIONS
                .iter()
                .map(|q| (*q).to_owned())
                .collect(),
        }
    }
}

/// What submitting an account's sending form did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountSendingOutcome {
    Validated,
    Saved,
    Tested(TestReportView),
}

/// A staff member in an establishment account's authorisation list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateRow {
    pub person_id: i64,
    pub display_name: String,
    /// `personnel` or `enseignant`.
    pub category: String,
    pub authorised: bool,
}

#[cfg(feature = "ssr")]
impl From<domain::accounts::authorisations::Candidate> for CandidateRow {
    fn from(c: domain::accounts::authorisations::Candidate) -> Self {
        Self {
            person_id: c.person_id,
            display_name: c.display_name,
            category: c.category.as_str().to_owned(),
            authorised: c.authorised,
        }
    }
}

/// The "my sending accounts" page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsOverview {
    /// The accounts the member manages (their own; for an administrator, the shared ones).
    pub accounts: Vec<AccountDetail>,
    /// The shared accounts the member may send with.
    pub usable_establishment: Vec<AccountDetail>,
    pub is_admin: bool,
    /// What the label field starts with: the member's name.
    pub default_label: String,
}
