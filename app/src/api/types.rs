//! What server functions send to the browser: plain data, no hashes, no secrets.

use serde::{Deserialize, Serialize};

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
