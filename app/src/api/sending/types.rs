//! What the compose, status and archive pages show. Plain data: the domain is not compiled
//! into the wasm, so its types are mirrored here and converted on the server.

use serde::{Deserialize, Serialize};

pub use vocabulary::{DeliveryProblem, DeliveryState};

/// A recipient as the pages write it: `Anne Martin <anne@x.fr>`, or the bare address.
pub fn recipient_label(name: &str, address: &str) -> String {
    if name.is_empty() {
        address.to_owned()
    } else {
        format!("{name} <{address}>")
    }
}

/// An account the member may send with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsableAccount {
    pub id: i64,
    pub label: String,
    pub address: String,
    pub personal: bool,
}

/// A starting template (French only: it is the text parents and pupils receive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarterView {
    pub key: String,
    pub title: String,
    pub subject: String,
    pub body: String,
    /// The columns the recipient list needs for it (`eleve`, `date`…).
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: i64,
    pub file_name: String,
    pub size: u64,
}

/// What the compose form holds: a saved draft, or empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftForm {
    pub id: Option<i64>,
    pub account_id: Option<i64>,
    pub subject: String,
    pub body: String,
    pub recipients: String,
    pub attachments: Vec<AttachmentView>,
}

/// The compose page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeView {
    pub accounts: Vec<UsableAccount>,
    pub starters: Vec<StarterView>,
    pub draft: DraftForm,
    pub max_attachment_bytes: u64,
    pub max_attachments: u32,
    pub max_recipients: u32,
    /// Placeholders every message may use (`nom`, `email`…).
    pub built_in_fields: Vec<String>,
    /// The saved draft checked as it would be sent (none for a new or template form).
    pub review: Option<super::review::ReviewView>,
}

/// Sent / pending / failed / cancelled of the total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressView {
    pub total: u64,
    pub sent: u64,
    pub pending: u64,
    pub failed: u64,
    /// Cancelled by "Arrêter l'envoi", until the send is resumed.
    pub cancelled: u64,
}

/// One recipient of a send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientView {
    /// The outbox row, which the correction form names.
    pub id: i64,
    pub address: String,
    pub name: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_in_secs: Option<i64>,
    pub reply: Option<String>,
    pub problem: Option<DeliveryProblem>,
    /// Failed because the server refused the address for good: a retry would fail the
    /// same way, the address has to be corrected.
    pub needs_new_address: bool,
    pub sent_at: Option<crate::time::ParisTime>,
}

/// One send in the member's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendSummaryView {
    pub id: i64,
    pub account_id: i64,
    pub account_label: String,
    pub subject: String,
    pub queued_at: crate::time::ParisTime,
    pub progress: ProgressView,
}

/// Someone else's send, going on or stopped, as an administrator's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OthersSendView {
    pub summary: SendSummaryView,
    /// The author's name in the directory, or the API token's label.
    pub author: String,
    pub by_api: bool,
    pub stopped: bool,
}

/// One send with every recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendView {
    pub summary: SendSummaryView,
    pub recipients: Vec<RecipientView>,
    /// The reader wrote it: "Renvoyer les échecs" and corrections are theirs. An
    /// administrator reading someone else's send may stop and resume it only.
    pub authored: bool,
    /// Stopped ("Arrêter l'envoi"), not resumed since.
    pub stopped: bool,
    /// The pace its account sends at, when it has one.
    pub pace: Option<PaceView>,
}

/// A route's pace, and how long the pending recipients take at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaceView {
    pub per_minute: u32,
    pub per_day: u32,
    /// At least this long for what is pending, in seconds.
    pub estimate_secs: u64,
}

/// One message of an opened archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedView {
    pub message_id: i64,
    pub subject: String,
    pub body: String,
    pub author: String,
    pub queued_at: crate::time::ParisTime,
    pub recipients: Vec<String>,
    pub attachments: Vec<String>,
}

/// An account's archive: locked (what opens it), or opened for this session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArchiveState {
    Locked {
        account_label: String,
        /// The account's secret question, as a reminder.
        question: Option<String>,
    },
    Open(ArchiveView),
}

/// An account's archive, opened for this session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveView {
    pub account_label: String,
    pub items: Vec<ArchivedView>,
    pub unreadable: u64,
    pub open_for_secs: i64,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use crate::ssr::paris_time;
    use domain::outbox::stop::{OthersSend, SendStatus};
    use domain::outbox::{Progress, RecipientStatus, SendSummary};

    impl From<Progress> for ProgressView {
        fn from(p: Progress) -> Self {
            Self {
                total: p.total,
                sent: p.sent,
                pending: p.pending,
                failed: p.failed,
                cancelled: p.cancelled(),
            }
        }
    }

    impl From<OthersSend> for OthersSendView {
        fn from(o: OthersSend) -> Self {
            Self {
                summary: o.summary.into(),
                author: o.author,
                by_api: o.by_api,
                stopped: o.stopped,
            }
        }
    }

    impl From<SendSummary> for SendSummaryView {
        fn from(s: SendSummary) -> Self {
            Self {
                id: s.message_id,
                account_id: s.account_id,
                account_label: s.account_label,
                subject: s.subject,
                queued_at: paris_time(s.queued_at),
                progress: s.progress.into(),
            }
        }
    }

    impl RecipientView {
        pub fn new(r: RecipientStatus, now: i64) -> Self {
            Self {
                id: r.id,
                address: r.address,
                name: r.name,
                state: r.state,
                attempts: r.attempts,
                next_attempt_in_secs: r.next_attempt_at.map(|at| (at - now).max(0)),
                reply: r.reply,
                problem: r.problem,
                needs_new_address: r.state == DeliveryState::Failed
                    && r.problem.is_some_and(DeliveryProblem::needs_new_address),
                sent_at: r.sent_at.map(paris_time),
            }
        }
    }

    impl SendView {
        pub fn new(s: SendStatus, now: i64) -> Self {
            let d = s.detail;
            Self {
                authored: s.authored,
                stopped: s.stopped,
                summary: d.summary.into(),
                recipients: d
                    .recipients
                    .into_iter()
                    .map(|r| RecipientView::new(r, now))
                    .collect(),
                pace: None,
            }
        }

        /// With the pace of the send's account (none shown when it has no limit).
        pub fn with_pace(mut self, pace: domain::outbox::pace::Pace) -> Self {
            self.pace = (!pace.is_unlimited()).then(|| PaceView {
                per_minute: pace.per_minute,
                per_day: pace.per_day,
                estimate_secs: pace.duration_secs(self.summary.progress.pending),
            });
            self
        }
    }
}
