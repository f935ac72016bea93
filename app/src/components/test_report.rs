//! The result of a test send: a confirmation, or what went wrong, what to try, and the SMTP
//! exchange (credentials already masked by the server).

use leptos::prelude::*;

use crate::api::types::TestReportView;
use crate::i18n::Lang;

/// `2026-11-21 09:42 UTC` from Unix seconds, without a date library in the wasm.
pub fn format_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

#[component]
pub fn TestReport(report: TestReportView, lang: Lang) -> impl IntoView {
    let when = format_utc(report.at);
    match report.problem {
        None => view! {
            <div class="report ok" role="status">
                <p class="report-title">{lang.t("Test réussi : le serveur a accepté le message.", "Test passed: the server accepted the message.")}</p>
                <p>{match lang {
                    Lang::Fr => format!("Message envoyé à {} le {when}. Vérifiez la boîte de réception (et le dossier des indésirables).", report.to),
                    Lang::En => format!("Message sent to {} on {when}. Check the inbox (and the spam folder).", report.to),
                }}</p>
                <p class="hint">{lang.t("Réponse du serveur : ", "Server reply: ")}<code>{report.detail}</code></p>
            </div>
        }
        .into_any(),
        Some(problem) => {
            let (what, try_this) = problem.explain(lang);
            view! {
                <div class="report failed" role="alert">
                    <p class="report-title">{lang.t("Le test a échoué. ", "The test failed. ")}{what}</p>
                    <p><strong>{lang.t("À essayer : ", "What to try: ")}</strong>{try_this}</p>
                    <p class="hint">{lang.t("Détail : ", "Detail: ")}<code>{report.detail}</code>" · "{when}</p>
                    <details>
                        <summary>{lang.t("Échange avec le serveur (mots de passe masqués)", "Exchange with the server (passwords masked)")}</summary>
                        {if report.transcript.is_empty() {
                            view! { <p class="hint">{lang.t("Aucun échange : la connexion au serveur n'a pas pu commencer.", "No exchange: the connection to the server could not start.")}</p> }.into_any()
                        } else {
                            view! { <pre class="transcript">{report.transcript.join("\n")}</pre> }.into_any()
                        }}
                    </details>
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_formatted_in_utc() {
        assert_eq!(super::format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::format_utc(1_795_238_520), "2026-11-21 05:22 UTC");
        assert_eq!(super::format_utc(951_782_400), "2000-02-29 00:00 UTC");
    }
}
