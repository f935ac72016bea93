use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::staff::{ReinviteStaff, RemoveStaff, UpdateStaff, get_staff_member};
use crate::api::types::{Me, StaffRow};
use crate::components::form_error::{FormError, action_error};
use crate::components::session::SignedIn;
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};
use crate::notice::{Done, Outcome, use_done};

/// Editing or removing one member of the directory.
#[component]
pub fn StaffMemberPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Modifier un membre du personnel", "Edit a staff member")/>
        <SignedIn children=move |_me: Me| view! { <MemberEditor lang/> }/>
    }
}

#[component]
fn MemberEditor(lang: Lang) -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let member = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_staff_member(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <p><a href="/personnels">{lang.t("← Retour à l'annuaire", "← Back to the directory")}</a></p>
        <Suspense fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match member.await {
                    Ok(row) => view! { <MemberForms row lang/> }.into_any(),
                    Err(e) => view! {
                        <h1>{lang.t("Membre introuvable", "Member not found")}</h1>
                        <p class="form-error" role="alert">{e.message(lang)}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MemberForms(row: StaffRow, lang: Lang) -> impl IntoView {
    let update = ServerAction::<UpdateStaff>::new();
    let remove = ServerAction::<RemoveStaff>::new();
    let update_error = action_error(update);
    let remove_error = action_error(remove);
    // Removed with the wasm: on to the directory, which says who was removed (a plain form
    // post gets there by the server's redirect and notice).
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(name)) = remove.value().get() {
            crate::notice::leave_for("/personnels", Outcome::Done(Done::StaffRemoved { name }));
            navigate("/personnels", Default::default());
        }
    });
    let name = row.display_name.clone();
    let (id, invitation_pending) = (row.id, row.invitation_pending);
    view! {
        <h1>{row.display_name.clone()}</h1>
        <section class="card">
            <ActionForm action=update>
                <input type="hidden" name="id" value=row.id.to_string()/>
                <div class="field">
                    <label for="display_name">{lang.t("Nom et prénom", "Full name")}</label>
                    <input id="display_name" name="display_name" type="text" required maxlength="120"
                        value=row.display_name.clone() aria-describedby="update-error"/>
                </div>
                <div class="field">
                    <label for="email">{lang.t("Adresse e-mail (identifiant)", "E-mail address (login)")}</label>
                    <input id="email" type="email" value=row.email.clone() readonly aria-describedby="email-hint"/>
                    <p id="email-hint" class="hint">
                        {lang.t("L'adresse de connexion appartient à la personne et ne se modifie pas ici. En cas d'erreur, retirez-la puis ajoutez-la de nouveau.",
                                "The login address belongs to the person and cannot be changed here. If it is wrong, remove and add them again.")}
                    </p>
                </div>
                <div class="field">
                    <label for="category">{lang.t("Catégorie", "Category")}</label>
                    <select id="category" name="category">
                        <option value="enseignant" selected=row.category == "enseignant">{lang.t("Enseignant", "Teacher")}</option>
                        <option value="personnel" selected=row.category == "personnel">{lang.t("Personnel", "Staff")}</option>
                    </select>
                </div>
                <div class="field checkbox">
                    <input id="is_admin" name="is_admin" type="checkbox" value="on" checked=row.is_admin/>
                    <label for="is_admin">{lang.t("Administrateur de l'établissement", "School administrator")}</label>
                </div>
                <FormError error=update_error id="update-error"/>
                <button type="submit">{lang.t("Enregistrer", "Save")}</button>
            </ActionForm>
        </section>
        {invitation_pending.then(|| view! { <Reinvite id name=name.clone() lang/> })}
        <section class="card danger" aria-labelledby="remove-title">
            <h2 id="remove-title">{lang.t("Retirer de l'établissement", "Remove from the school")}</h2>
            <p>{match lang {
                Lang::Fr => format!("Si vous retirez {name} :"),
                Lang::En => format!("If you remove {name}:"),
            }}</p>
            <ul>
                <li>{lang.t("cette personne ne peut plus se connecter à cet établissement ni y envoyer d'e-mails ;",
                            "they can no longer sign in to this school or send e-mail from it;")}</li>
                <li>{lang.t("ses envois encore en attente s'arrêtent : leurs destinataires restants ne reçoivent rien ;",
                            "their sends still waiting stop: their remaining recipients get nothing;")}</li>
                <li>{lang.t("ses autorisations sur les comptes établissement et son invitation en cours sont supprimées : si elle revient, il faudra les lui redonner ;",
                            "their permissions on the school's shared accounts and any pending invitation are deleted: if they come back, give them again;")}</li>
                <li>{lang.t("ses autres établissements ne sont pas touchés.", "their other schools are not affected.")}</li>
            </ul>
            <ActionForm action=remove>
                <input type="hidden" name="id" value=row.id.to_string()/>
                <div class="field checkbox">
                    <input id="confirm-remove" name="confirm" type="checkbox" value="on" required
                        aria-describedby="remove-error"/>
                    <label for="confirm-remove">{match lang {
                        Lang::Fr => format!("Je confirme retirer {name} de l'établissement"),
                        Lang::En => format!("I confirm removing {name} from the school"),
                    }}</label>
                </div>
                <FormError error=remove_error id="remove-error"/>
                <button type="submit" class="danger">{match lang {
                    Lang::Fr => format!("Retirer {name}"),
                    Lang::En => format!("Remove {name}"),
                }}</button>
            </ActionForm>
        </section>
    }
}

/// For someone who has not chosen a password yet: a new invitation (the old link stops).
#[component]
fn Reinvite(id: i64, name: String, lang: Lang) -> impl IntoView {
    let reinvite = ServerAction::<ReinviteStaff>::new();
    let error = action_error(reinvite);
    // Sent by this page's wasm, or by its plain form post (the notice) until the next post.
    let sent_by_post = match use_done() {
        Some(Done::InvitationResent { email }) => Some(email),
        _ => None,
    };
    let sent_to = move || match reinvite.value().get() {
        Some(result) => result.ok(),
        None => sent_by_post.clone(),
    };
    let lifetime = lang.duration(vocabulary::limits::INVITATION_LIFETIME_SECS);
    view! {
        <section class="card" aria-labelledby="invitation-title">
            <h2 id="invitation-title">{lang.t("Invitation", "Invitation")}</h2>
            <p>{match lang {
                Lang::Fr => format!("{name} n'a pas encore choisi son mot de passe. Le lien de l'invitation ne sert qu'une fois et reste valable {lifetime}. S'il a expiré ou s'est perdu, envoyez une nouvelle invitation : l'ancien lien ne fonctionnera plus."),
                Lang::En => format!("{name} has not chosen a password yet. The invitation link works once, for {lifetime}. If it expired or got lost, send a new invitation: the old link will stop working."),
            }}</p>
            <ActionForm action=reinvite>
                <input type="hidden" name="id" value=id.to_string()/>
                <p class="form-success" role="status">{move || sent_to().map(|email| match lang {
                    Lang::Fr => format!("Nouvelle invitation envoyée à {email}."),
                    Lang::En => format!("New invitation sent to {email}."),
                })}</p>
                <FormError error id="reinvite-error"/>
                <button type="submit" disabled=move || reinvite.pending().get()>
                    {lang.t("Renvoyer l'invitation", "Send the invitation again")}
                </button>
            </ActionForm>
        </section>
    }
}
