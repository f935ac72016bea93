use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::staff::{RemoveStaff, UpdateStaff, get_staff_member};
use crate::api::types::{Me, StaffRow};
use crate::components::form_error::{FormError, action_error};
use crate::components::session::SignedIn;
use crate::error::AppError;
use crate::i18n::{Lang, use_lang};

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
        <section class="card danger" aria-labelledby="remove-title">
            <h2 id="remove-title">{lang.t("Retirer de l'établissement", "Remove from the school")}</h2>
            <p>{lang.t("La personne ne pourra plus travailler dans cet établissement ; ses autres établissements ne sont pas touchés.",
                       "The person will no longer work in this school; their other schools are not affected.")}</p>
            <ActionForm action=remove>
                <input type="hidden" name="id" value=row.id.to_string()/>
                <FormError error=remove_error id="remove-error"/>
                <button type="submit" class="danger">{lang.t("Retirer", "Remove")}</button>
            </ActionForm>
        </section>
    }
}
