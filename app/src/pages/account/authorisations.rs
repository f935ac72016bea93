//! Who may send with an establishment account: the staff list with its filter.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::hidden_id;
use crate::api::accounts::SetAccountAuthorisations;
use crate::api::types::CandidateRow;
use crate::components::form_error::{FormError, action_error};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::notice::{Done, use_done};

/// Who may send with an establishment account: a filter (a plain GET form: category and
/// name), then the filtered staff as checkboxes. The form sends which members it showed,
/// so that those the filter hid keep their right.
#[component]
pub(super) fn Authorisations(
    id: i64,
    save: ServerAction<SetAccountAuthorisations>,
    candidates: Result<Vec<CandidateRow>, AppError>,
    lang: Lang,
) -> impl IntoView {
    let query = use_query_map();
    let category = move || query.read().get("categorie").unwrap_or_default();
    let search = move || query.read().get("nom").unwrap_or_default();
    let error = action_error(save);
    let saved_by_post = matches!(use_done(), Some(Done::AuthorisationsSaved));
    let saved = move || match save.value().get() {
        Some(result) => result.is_ok(),
        None => saved_by_post,
    };
    view! {
        <section class="card" aria-labelledby="authorisations-title">
            <h2 id="authorisations-title">{lang.t("Personnels autorisés à envoyer avec ce compte", "Staff allowed to send with this account")}</h2>
            // The seeds' « Ajouter des Personnels / Ajouter des Enseignants »: each shows
            // that category to tick. Links and the filter land back on this section.
            <p class="button-row">
                <a href=format!("/comptes/{id}?categorie=personnel#authorisations-title")>{lang.t("Ajouter des Personnels", "Add staff")}</a>
                <a href=format!("/comptes/{id}?categorie=enseignant#authorisations-title")>{lang.t("Ajouter des Enseignants", "Add teachers")}</a>
            </p>
            <form method="get" action=format!("/comptes/{id}#authorisations-title") class="filter-form" role="search" aria-label=lang.t("Filtrer les personnels", "Filter the staff")>
                <div class="field-row">
                    <div class="field">
                        <label for="categorie">{lang.t("Catégorie", "Category")}</label>
                        // `selected` for the server's page; the value property for a link or a
                        // filter followed in the browser (an option's attribute no longer moves
                        // the selection once the selection was set by script).
                        <select id="categorie" name="categorie" prop:value=category>
                            <option value="" selected=move || category().is_empty()>{lang.t("Tous", "All")}</option>
                            <option value="personnel" selected=move || category() == "personnel">{lang.t("Personnels", "Staff")}</option>
                            <option value="enseignant" selected=move || category() == "enseignant">{lang.t("Enseignants", "Teachers")}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="nom">{lang.t("Nom", "Name")}</label>
                        <input id="nom" name="nom" type="search" value=search/>
                    </div>
                </div>
                <button type="submit" class="alt">{lang.t("Filtrer", "Filter")}</button>
            </form>
            {match candidates {
                Ok(rows) if rows.is_empty() => view! {
                    <p>{lang.t("Aucun personnel ne correspond.", "No staff member matches.")}</p>
                }.into_any(),
                Ok(rows) => view! {
                    <ActionForm action=save>
                        {hidden_id(id)}
                        <fieldset>
                            <legend>{lang.t("Cochez les personnels autorisés", "Tick the staff allowed")}</legend>
                            {rows.into_iter().map(|row| {
                                let field = format!("allowed-{}", row.person_id);
                                view! {
                                    <input type="hidden" name=format!("shown[{}]", row.person_id) value="1"/>
                                    <div class="field checkbox">
                                        <input id=field.clone() type="checkbox" name=format!("allowed[{}]", row.person_id)
                                            value="on" checked=row.authorised/>
                                        <label for=field>{row.display_name.clone()}" "
                                            <span class="badge">{crate::pages::staff::category_label(lang, &row.category)}</span>
                                        </label>
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                        <FormError error id="authorisations-error"/>
                        <p class="form-success" role="status">{move || saved().then(|| lang.t("Autorisations enregistrées.", "Permissions saved."))}</p>
                        <button type="submit" disabled=move || save.pending().get()>{lang.t("Valider les autorisations", "Save the permissions")}</button>
                    </ActionForm>
                }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.message(lang)}</p> }.into_any(),
            }}
        </section>
    }
}
