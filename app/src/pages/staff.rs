use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::{AddStaff, list_staff};
use crate::api::types::StaffRow;
use crate::components::form_error::{FormError, action_error};
use crate::components::session::AdminOnly;
use crate::i18n::{Lang, use_lang};
use crate::notice::{Done, use_done};

/// The staff directory of the current school, for its administrators.
#[component]
pub fn StaffPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Personnels", "Staff")/>
        <AdminOnly children=move || view! { <Directory lang/> }/>
    }
}

pub fn category_label(lang: Lang, category: &str) -> &'static str {
    match category {
        "enseignant" => lang.t("Enseignant", "Teacher"),
        _ => lang.t("Personnel", "Staff"),
    }
}

#[component]
fn Directory(lang: Lang) -> impl IntoView {
    let add = ServerAction::<AddStaff>::new();
    let error = action_error(add);
    let staff = Resource::new(move || add.version().get(), |_| list_staff());
    // What the last post did: from the wasm's action, or from the notice of a plain form
    // post (the page it reloads).
    let posted = use_done();
    let added_by_post = match &posted {
        Some(Done::StaffAdded { name }) => Some(name.clone()),
        _ => None,
    };
    let removed = match posted {
        Some(Done::StaffRemoved { name }) => Some(name),
        _ => None,
    };
    let added = move || match add.value().get() {
        Some(result) => result.ok().map(|row| row.display_name),
        None => added_by_post.clone(),
    };
    // After a successful addition the form empties, ready for the next colleague (a plain
    // form gets the same from the page reload).
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_)))
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    view! {
        <h1>{lang.t("Annuaire du personnel", "Staff directory")}</h1>
        {removed.map(|name| view! {
            <p class="form-success" role="status">{match lang {
                Lang::Fr => format!("{name} a été retiré(e) de l'établissement."),
                Lang::En => format!("{name} was removed from the school."),
            }}</p>
        })}
        <Transition fallback=move || view! { <p>{lang.t("Chargement…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match staff.await {
                    Ok(rows) => view! { <StaffTable rows lang/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="add-title">
            <h2 id="add-title">{lang.t("Ajouter un membre du personnel", "Add a staff member")}</h2>
            <ActionForm action=add node_ref=form>
                <div class="field">
                    <label for="display_name">{lang.t("Nom et prénom", "Full name")}</label>
                    <input id="display_name" name="display_name" type="text" required maxlength="120"
                        autocomplete="off" aria-describedby="add-error"/>
                </div>
                <div class="field">
                    <label for="email">{lang.t("Adresse e-mail", "E-mail address")}</label>
                    <input id="email" name="email" type="email" required autocomplete="off" aria-describedby="add-error"/>
                </div>
                <div class="field">
                    <label for="category">{lang.t("Catégorie", "Category")}</label>
                    <select id="category" name="category">
                        <option value="enseignant">{lang.t("Enseignant", "Teacher")}</option>
                        <option value="personnel">{lang.t("Personnel", "Staff")}</option>
                    </select>
                </div>
                <div class="field checkbox">
                    <input id="is_admin" name="is_admin" type="checkbox" value="on"/>
                    <label for="is_admin">{lang.t("Administrateur de l'établissement", "School administrator")}</label>
                </div>
                <FormError error id="add-error"/>
                <p class="form-success" role="status">
                    {move || added().map(|name| match lang {
                        Lang::Fr => format!("{name} a été ajouté(e) ; une invitation lui a été envoyée."),
                        Lang::En => format!("{name} was added and sent an invitation."),
                    })}
                </p>
                <button type="submit" disabled=move || add.pending().get()>
                    {lang.t("Ajouter et inviter", "Add and invite")}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn StaffTable(rows: Vec<StaffRow>, lang: Lang) -> impl IntoView {
    view! {
        <table class="staff-table">
            <caption class="visually-hidden">{lang.t("Membres du personnel", "Staff members")}</caption>
            <thead>
                <tr>
                    <th scope="col">{lang.t("Nom", "Name")}</th>
                    <th scope="col">{lang.t("Adresse e-mail", "E-mail")}</th>
                    <th scope="col">{lang.t("Catégorie", "Category")}</th>
                    <th scope="col">{lang.t("Rôle", "Role")}</th>
                    <th scope="col"><span class="visually-hidden">{lang.t("Actions", "Actions")}</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let edit_label = match lang {
                        Lang::Fr => format!("Modifier {}", row.display_name),
                        Lang::En => format!("Edit {}", row.display_name),
                    };
                    view! {
                        <tr>
                            <td data-label=lang.t("Nom", "Name")>{row.display_name.clone()}</td>
                            <td data-label=lang.t("Adresse e-mail", "E-mail")>{row.email.clone()}</td>
                            <td data-label=lang.t("Catégorie", "Category")>{category_label(lang, &row.category)}</td>
                            <td data-label=lang.t("Rôle", "Role")>
                                {if row.is_admin { lang.t("Administrateur", "Administrator") } else { "—" }}
                                {row.invitation_pending.then(|| view! {
                                    <span class="badge">{lang.t("invitation envoyée", "invitation sent")}</span>
                                })}
                            </td>
                            <td><a href=format!("/personnels/{}", row.id) aria-label=edit_label>{lang.t("Modifier", "Edit")}</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
