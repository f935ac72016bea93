//! A page shows only the outcome the server decided for this browser (issue 14): a link
//! carrying `erreur=`, Leptos's `__err=`/`__path=` or `cle=` renders none of its text,
//! signed out or in, whatever it holds (free text included); a genuine plain form post
//! that fails still shows its real error on the page it returns to, once.

mod support;

use app::api::sending::review::{RecipientProblem, RefusedLine};
use app::error::AppError;
use app::i18n::Lang;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use support::multipart::{Part, post_form};
use support::notice::{Jar, location, shows};
use support::plain_form::plain_post;
use support::{PASSWORD, TestApp};
use testkit::fixtures;

const PLANTED: &str = "ATTENTION : votre compte est suspendu, appelez le 08 99 00 00 00";

/// Errors a crafted link might carry: free text in every field that holds any, and
/// ordinary refusals the page would word itself.
fn crafted_errors() -> Vec<AppError> {
    let line = |problem| RefusedLine {
        line: 1,
        text: PLANTED.to_owned(),
        problem,
    };
    vec![
        AppError::Recipients {
            shown: vec![
                line(RecipientProblem::MissingValue {
                    placeholder: PLANTED.to_owned(),
                }),
                line(RecipientProblem::ValueRefused {
                    column: PLANTED.to_owned(),
                }),
            ],
            total: 2,
        },
        AppError::InvalidCredentials,
        AppError::AnswerWrong {
            remaining: 0,
            lockout_secs: 7 * 24 * 3600,
        },
        AppError::TooManyAttempts {
            retry_after_secs: 99_999,
        },
    ]
}

/// What each crafted error would read as on the page.
fn crafted_texts() -> Vec<String> {
    let mut texts: Vec<String> = crafted_errors()
        .iter()
        .map(|e| e.message(Lang::Fr))
        .collect();
    texts.push(PLANTED.to_owned());
    texts.extend(
        [
            "Ce fichier est bien la clé de récupération de ce compte",
            "Nouvelle question secrète enregistrée grâce à la clé de récupération",
            "Ce fichier n'est pas une clé de récupération valable",
            "Ce fichier est une clé de récupération, mais pas celle de ce compte",
        ]
        .map(str::to_owned),
    );
    texts
}

fn query_value(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Links to `page` with every kind of unearned outcome: `erreur=` (JSON), `__err=` with
/// `__path=` for each of `functions`, and each `cle=` code (alone and with an error).
fn crafted_links(page: &str, functions: &[&str]) -> Vec<String> {
    let mut links = Vec::new();
    for error in crafted_errors() {
        let json = serde_json::to_string(&error).expect("json");
        links.push(format!("{page}?erreur={}", query_value(&json)));
        let encoded = base64::engine::general_purpose::URL_SAFE.encode(&json);
        for function in functions {
            links.push(format!(
                "{page}?__path={}&__err={}",
                query_value(&format!("/api/{function}")),
                query_value(&encoded)
            ));
        }
        links.push(format!("{page}?cle=refus&erreur={}", query_value(&json)));
    }
    for code in ["valide", "reinitialisee", "endommagee", "autre-compte"] {
        links.push(format!("{page}?cle={code}"));
    }
    links
}

/// Loads every crafted link to `page` as `jar`'s browser would, and checks the page it
/// ends on rendered (it holds `landmark`) and shows none of the planted text.
async fn none_shown(app: &TestApp, jar: &Jar, page: &str, functions: &[&str], landmark: &str) {
    for link in crafted_links(page, functions) {
        let resp = jar.clone().get(app, &link).await;
        assert_eq!(resp.status, StatusCode::OK, "{link}");
        assert!(shows(&resp.body, landmark), "{link}: {}", resp.body);
        for text in crafted_texts() {
            assert!(!shows(&resp.body, &text), "{link} shows « {text} »");
        }
    }
}

#[tokio::test]
async fn crafted_links_show_nothing_signed_out_or_in() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let id = s.account_id;

        none_shown(
            &app,
            &Jar::default(),
            "/connexion",
            &["sign_in"],
            "password",
        )
        .await;

        let admin = Jar::with(Some(&app.sign_in("admin@a.fr", PASSWORD).await));
        let functions = ["set_secret", "delete_account", "submit_account_sending"];
        let page = format!("/comptes/{id}");
        none_shown(&app, &admin, &page, &functions, "Secrétariat").await;

        let teacher = Jar::with(Some(&app.sign_in("bruno@a.fr", PASSWORD).await));
        none_shown(&app, &teacher, "/envoyer", &["sign_out"], "Secrétariat").await;
        let page = format!("/comptes/{id}/archive");
        none_shown(&app, &teacher, &page, &["unlock_archive"], "archive_answer").await;

        // What the rest of a link says is kept.
        let resp = app
            .get(
                "/envoyer?modele=x&erreur=%7B%7D&cle=valide",
                Some(&teacher.header()),
            )
            .await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&resp), "/envoyer?modele=x");
        app.drop_database().await;
    }
}

/// How many times the page's HTML shows `text`.
fn times(body: &str, text: &str) -> usize {
    let escaped = text.replace('\'', "&#x27;");
    let plain = body.matches(text).count();
    if escaped == text {
        plain
    } else {
        plain + body.matches(&escaped).count()
    }
}

#[tokio::test]
async fn a_refused_plain_form_shows_its_error_once() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let id = s.account_id;

        // Signed out: a wrong password, posted by a browser without the wasm.
        let wrong = AppError::InvalidCredentials.message(Lang::Fr);
        let mut browser = Jar::default();
        let post = Request::post("/api/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, "http://127.0.0.1:3000/connexion")
            .header("sec-fetch-site", "same-origin")
            .header(header::HOST, "127.0.0.1:3000")
            .body(Body::from(support::encode(&[
                ("email", "admin@a.fr"),
                ("password", "pas le bon"),
            ])))
            .expect("request");
        let refused = app.send(post).await;
        let back = location(&refused);
        assert_eq!(back, "/connexion", "no error in the URL");
        let page = browser.follow(&app, &refused).await;
        assert_eq!(times(&page.body, &wrong), 1, "{}", page.body);
        let again = browser.get(&app, &back).await;
        assert_eq!(times(&again.body, &wrong), 0, "not again on reload");

        // Signed in: a server function's refusal (the archive's answer)…
        let mut teacher = Jar::with(Some(&app.sign_in("bruno@a.fr", PASSWORD).await));
        let archive = format!("/comptes/{id}/archive");
        let refused = plain_post(
            &app,
            "unlock_archive",
            &[("id", &id.to_string()), ("answer", "minou")],
            &teacher.header(),
            &archive,
        )
        .await;
        assert_eq!(location(&refused), archive);
        let page = teacher.follow(&app, &refused).await;
        let wrong = "Réponse secrète incorrecte.";
        assert_eq!(times(&page.body, wrong), 1, "{}", page.body);
        let again = teacher.get(&app, &archive).await;
        assert_eq!(times(&again.body, wrong), 0, "not again on reload");

        // …a multipart form's refusal (files beyond the stated limit)…
        let refused = post_form(
            &app,
            "/brouillons",
            &[
                Part::Field("compte", &id.to_string()),
                Part::Field("objet", "Bulletin"),
                Part::Field("texte", "Bonjour"),
                Part::Field("destinataires", "parent@x.fr"),
                Part::File("pieces", "gros.pdf", vec![0; 11 * 1024 * 1024]),
                Part::Field("intent", "enregistrer"),
            ],
            &teacher.header(),
            "same-origin",
        )
        .await;
        let back = location(&refused);
        assert!(back.starts_with("/envoyer?brouillon="), "{back}");
        let too_large =
            AppError::Invalid(app::error::Invalid::AttachmentsTooLarge).message(Lang::Fr);
        let page = teacher.follow(&app, &refused).await;
        assert_eq!(times(&page.body, &too_large), 1, "{}", page.body);
        let again = teacher.get(&app, &back).await;
        assert_eq!(times(&again.body, &too_large), 0, "not again on reload");

        // …and a file check's outcome.
        let mut admin = Jar::with(Some(&app.sign_in("admin@a.fr", PASSWORD).await));
        let file = fixtures::recovery_file_in(&s.confirmation);
        let checked = post_form(
            &app,
            &format!("/comptes/{id}/cle-de-recuperation"),
            &[
                Part::Field("intent", "check"),
                Part::File("file", "cleRecuperation.crbee", file),
            ],
            &admin.header(),
            "same-origin",
        )
        .await;
        assert_eq!(location(&checked), format!("/comptes/{id}#recovery-title"));
        let valid = "Ce fichier est bien la clé de récupération de ce compte";
        let page = admin.follow(&app, &checked).await;
        assert_eq!(times(&page.body, valid), 1, "{}", page.body);
        let again = admin.get(&app, &format!("/comptes/{id}")).await;
        assert_eq!(times(&again.body, valid), 0, "not again on reload");

        // A notice is for its page only, and for the browser it was given to.
        let refused = plain_post(
            &app,
            "unlock_archive",
            &[("id", &id.to_string()), ("answer", "minou")],
            &teacher.header(),
            &archive,
        )
        .await;
        let mut elsewhere = teacher.clone();
        elsewhere.keep(&refused);
        let page = elsewhere.get(&app, "/envoyer").await;
        assert_eq!(times(&page.body, wrong), 0, "{}", page.body);
        let page = admin.get(&app, &archive).await;
        assert_eq!(times(&page.body, wrong), 0, "{}", page.body);
        app.drop_database().await;
    }
}

#[tokio::test]
async fn a_planted_notice_cookie_is_not_read() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        // A value the server did not seal (a sibling site or a hand-made cookie).
        let notice = app::notice::Notice {
            page: "/connexion".to_owned(),
            outcome: app::notice::Outcome::Refused(AppError::InvalidCredentials),
        };
        let json = serde_json::to_string(&notice).expect("json");
        let cookie = format!("ecole_avis={}", query_value(&json));
        let page = app.get("/connexion", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        let wrong = AppError::InvalidCredentials.message(Lang::Fr);
        assert_eq!(times(&page.body, &wrong), 0, "{}", page.body);
        app.drop_database().await;
    }
}

/// A link saying a draft was saved (`enregistre=`) or how many duplicates a send lost
/// (`doublons=`) shows none of it: only saving the draft, or queuing a send that had
/// duplicates removed, does — once.
#[tokio::test]
async fn saved_and_duplicates_notes_come_only_from_the_form() {
    const SAVED: &str = "Brouillon enregistré.";
    const DUPLICATES: &str = "adresse(s) en double retirée(s)";
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let account = s.account_id.to_string();
        let mut teacher = Jar::with(Some(&app.sign_in("bruno@a.fr", PASSWORD).await));

        for link in ["/envoyer?enregistre=1", "/envoyer?enregistre=oui&modele=x"] {
            let page = teacher.clone().get(&app, link).await;
            assert_eq!(page.status, StatusCode::OK, "{link}");
            assert!(shows(&page.body, "Secrétariat"), "{link}: {}", page.body);
            assert_eq!(times(&page.body, SAVED), 0, "{link}: {}", page.body);
        }

        // Saved with the plain form: said once, on the draft's page.
        let form = |intent| {
            vec![
                Part::Field("compte", account.as_str()),
                Part::Field("objet", "Sortie"),
                Part::Field("texte", "Bonjour"),
                Part::Field("destinataires", "parent@x.fr\nPARENT@x.fr\nautre@x.fr"),
                Part::Field("intent", intent),
            ]
        };
        let saved = post_form(
            &app,
            "/brouillons",
            &form("enregistrer"),
            &teacher.header(),
            "same-origin",
        )
        .await;
        let back = location(&saved);
        assert!(back.starts_with("/envoyer?brouillon="), "{back}");
        assert!(!back.contains("enregistre"), "{back}");
        let page = teacher.follow(&app, &saved).await;
        assert_eq!(times(&page.body, SAVED), 1, "{}", page.body);
        let again = teacher.get(&app, &back).await;
        assert_eq!(times(&again.body, SAVED), 0, "not again on reload");
        let page = teacher.get(&app, &format!("{back}&enregistre=1")).await;
        assert_eq!(times(&page.body, SAVED), 0, "{}", page.body);

        // Queued with one duplicate removed: said once, on the send's page.
        let draft = back["/envoyer?brouillon=".len()..].to_owned();
        let mut parts = form("envoyer");
        parts.push(Part::Field("brouillon", draft.as_str()));
        let queued = post_form(
            &app,
            "/brouillons",
            &parts,
            &teacher.header(),
            "same-origin",
        )
        .await;
        let send = location(&queued);
        assert_eq!(send, format!("/envois/{draft}"), "no count in the URL");
        let page = teacher.follow(&app, &queued).await;
        assert_eq!(times(&page.body, DUPLICATES), 1, "{}", page.body);
        assert!(
            shows(&page.body, &format!("1 {DUPLICATES}")),
            "{}",
            page.body
        );
        let again = teacher.get(&app, &send).await;
        assert_eq!(times(&again.body, DUPLICATES), 0, "not again on reload");

        let crafted = [
            "1",
            "3",
            "0",
            "-1",
            "-99999",
            "18446744073709551615",
            "99999999999999999999999",
            "1e9",
            "%2B7",
            "7&doublons=8",
        ];
        for count in crafted {
            let link = format!("{send}?doublons={count}");
            let page = teacher.clone().get(&app, &link).await;
            assert_eq!(page.status, StatusCode::OK, "{link}");
            assert!(shows(&page.body, "Sortie"), "{link}: {}", page.body);
            assert_eq!(times(&page.body, DUPLICATES), 0, "{link}: {}", page.body);
        }
        app.drop_database().await;
    }
}

#[tokio::test]
async fn a_plain_form_that_succeeds_says_so_once_and_the_outcome_header_stays_inside() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("admin@a.fr", PASSWORD).await;
        let mut admin = Jar::with(Some(&cookie));
        let form = [
            ("intent", "save"),
            ("sender_name", "Collège A"),
            ("relay", "hosting"),
        ];
        let saved = plain_post(
            &app,
            "submit_sending_settings",
            &form,
            &admin.header(),
            "/parametres-envoi",
        )
        .await;
        assert!(
            !saved.headers.contains_key(app::notice::OUTCOME_HEADER),
            "the layer takes the outcome header out"
        );
        // Back to the form's page (server_fn may end the Referer with an empty `?`).
        assert_eq!(location(&saved).trim_end_matches('?'), "/parametres-envoi");
        let page = admin.follow(&app, &saved).await;
        assert_eq!(
            times(&page.body, "Paramètres enregistrés."),
            1,
            "{}",
            page.body
        );
        let again = admin.get(&app, "/parametres-envoi").await;
        assert_eq!(times(&again.body, "Paramètres enregistrés."), 0, "once");

        // With the wasm (the server-function call), the value says it; no header, no notice.
        let called = app
            .call("submit_sending_settings", &form, Some(&cookie))
            .await;
        assert!(called.status.is_success(), "{}", called.body);
        assert!(!called.headers.contains_key(app::notice::OUTCOME_HEADER));
        assert!(support::notice::notice_in(&called).is_none());
        app.drop_database().await;
    }
}

/// Without the wasm, the account page says what its plain forms did, once: the staff
/// allowed to send saved, and the secret question changed (issue 16, item 14).
#[tokio::test]
async fn the_account_page_says_what_a_plain_form_did_once() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("admin@a.fr", PASSWORD).await;
        let mut admin = Jar::with(Some(&cookie));
        let page = format!("/comptes/{}", s.account_id);
        let id = s.account_id.to_string();
        let bruno = format!("shown[{}]", s.teacher.person_id());
        let allowed = format!("allowed[{}]", s.teacher.person_id());
        let said = [
            (
                "set_account_authorisations",
                vec![
                    ("id", id.as_str()),
                    (bruno.as_str(), "1"),
                    (allowed.as_str(), "on"),
                ],
                "Autorisations enregistrées.",
            ),
            (
                "set_secret",
                vec![
                    ("id", id.as_str()),
                    ("question", "Ville ?"),
                    ("answer", "lyon"),
                    ("confirmation", "lyon"),
                    ("current_answer", "medor"),
                ],
                "Question secrète changée.",
            ),
        ];
        for (function, form, words) in said {
            let posted = plain_post(&app, function, &form, &admin.header(), &page).await;
            assert!(
                !posted.headers.contains_key(app::notice::OUTCOME_HEADER),
                "{function}"
            );
            let shown = admin.follow(&app, &posted).await;
            assert_eq!(times(&shown.body, words), 1, "{function}: {}", shown.body);
            let again = admin.get(&app, &page).await;
            assert_eq!(times(&again.body, words), 0, "{function}: once");
        }
        app.drop_database().await;
    }
}
