//! What a form post's outcome looks like on the page it sends the browser back to: a
//! one-time [`Notice`], never text in the URL.
//!
//! A form that works without the wasm ends in a redirect, and the page it leads to must say
//! how the post went. Putting that in the URL (`?erreur=…`, Leptos's `?__err=…&__path=…`,
//! `?cle=valide`) let any crafted link put words in the school's own error box. Instead
//! the server carries the outcome to the next page in a sealed, short-lived cookie
//! (`server/src/middleware/notice.rs`), bound to that page's path and cleared when the page
//! is rendered; the page finds it here. It reaches the wasm through [`SharedValue`], so the
//! hydrated page shows exactly what the server rendered.
//!
//! Invariant: **a page shows an outcome only when the server put one in its notice**; the
//! URL carries none.

use leptos::prelude::*;
use leptos::server::ServerActionError;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The outcome of a form post, for the page at `page` (a path, without query string).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub page: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// A server function refused a plain `ActionForm` post: its path (`/api/…`) and the
    /// error as Leptos encodes it for `__err`, which the page's `ServerAction` reads back.
    Action { path: String, error: String },
    /// A multipart form (compose, recovery-file uploads) was refused.
    Refused(AppError),
    /// What the recovery-file check found.
    File(FileCheck),
    /// The compose form saved the draft (« Brouillon enregistré. »).
    DraftSaved,
    /// The compose form queued the send, with this many duplicate addresses removed.
    Queued { duplicates: u64 },
    /// A server function did what the form asked (see [`Done`]).
    Done(Done),
}

/// What a server function reports done to a page posted without the wasm: with the wasm,
/// the page reads the function's return value instead. The function sets it with
/// `ssr::leave_outcome`, as a response header ([`OUTCOME_HEADER`]) that the server's notice
/// layer always takes out, and turns into the notice when the answer is a redirect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Done {
    /// « Paramètres enregistrés. »
    SettingsSaved,
    /// This member was added (and mailed an invitation, or a note if they already had a
    /// password from another school).
    StaffAdded { name: String },
    /// A new invitation went to this address.
    InvitationResent { email: String },
    /// This member was removed from the school.
    StaffRemoved { name: String },
    /// « Autorisations enregistrées. » (who may send with an establishment account)
    AuthorisationsSaved,
    /// « Question secrète changée. » (a later change, not the wizard's first choice)
    SecretChanged,
    /// « Paramètres du compte enregistrés. » (an active account's own server)
    AccountSettingsSaved,
}

/// The response header a server function's [`Outcome`] travels in, server side only.
pub const OUTCOME_HEADER: &str = "x-ecole-outcome";

/// What an uploaded `cleRecuperation.crbee` turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileCheck {
    /// This account's recovery key, intact.
    Valid,
    /// It was, and a new secret question was saved with it.
    Reset,
    /// Not a recovery key, or altered.
    Damaged,
    /// Another account's key, or an old one.
    OtherAccount,
}

/// The notice this page was rendered with, provided by [`provide_notice`].
#[derive(Clone, Debug, Default)]
struct PageNotice(Option<Notice>);

/// A notice the wasm leaves for the page it is about to show ([`leave_for`]): with the wasm
/// a post does not reload, so the server's notice never reaches the next page.
#[derive(Clone, Copy)]
struct Flash(RwSignal<Option<Notice>>);

/// Leaves `outcome` for the page at `page`, which the wasm navigates to next.
pub fn leave_for(page: &str, outcome: Outcome) {
    if let Some(Flash(flash)) = use_context() {
        flash.set(Some(Notice {
            page: page.to_owned(),
            outcome,
        }));
    }
}

/// Forgets a notice left by the wasm once another page is shown, so that it is said once.
/// Called inside the router (the layout).
pub fn forget_flash_elsewhere() {
    let Some(Flash(flash)) = use_context() else {
        return;
    };
    let pathname = use_location().pathname;
    Effect::new(move |_| {
        let path = pathname.get();
        if flash.with_untracked(|f| f.as_ref().is_some_and(|n| n.page != path)) {
            flash.set(None);
        }
    });
}

/// Takes the notice the server rendered this document with (the server's page handler put
/// it in context) and hands it to the wasm as it was, so hydration sees the same outcome.
/// A server function's refusal is provided as Leptos's own [`ServerActionError`], which
/// the page's `ServerAction` of that function takes as its first value.
pub fn provide_notice() {
    let notice = SharedValue::new(use_context::<Notice>).into_inner();
    if let Some(Notice {
        outcome: Outcome::Action { path, error },
        ..
    }) = &notice
    {
        provide_context(ServerActionError::new(path, error));
    }
    provide_context(PageNotice(notice));
    provide_context(Flash(RwSignal::new(None)));
}

/// The outcome left for the page now shown, if any (none after navigating elsewhere): by
/// the server for the page it rendered, or by the wasm for the page it went to.
pub fn use_outcome() -> Option<Outcome> {
    let PageNotice(notice) = use_context().unwrap_or_default();
    let flash = use_context::<Flash>().and_then(|Flash(flash)| flash.get_untracked());
    let path = use_location().pathname.get_untracked();
    notice
        .filter(|notice| notice.page == path)
        .or(flash.filter(|notice| notice.page == path))
        .map(|notice| notice.outcome)
}

/// What a server function reported done for this page (posted without the wasm).
pub fn use_done() -> Option<Done> {
    match use_outcome() {
        Some(Outcome::Done(done)) => Some(done),
        _ => None,
    }
}

/// The refusal of this page's multipart form, if that is what the notice holds.
pub fn use_refusal() -> Option<AppError> {
    match use_outcome() {
        Some(Outcome::Refused(error)) => Some(error),
        _ => None,
    }
}
