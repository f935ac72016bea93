//! Composing as a secretary does, through the HTTP surface without the wasm: lists copied
//! from Outlook or Gmail become one message per family, each seeing only its own address;
//! every problem of a list is named at once and nothing is queued; templates, attachment
//! names and types, and a post over the size limit. Delivered to a real SMTP server.

mod support;

use app::error::{AppError, Invalid};
use axum::http::StatusCode;
use domain::outbox::compose;
use domain::outbox::worker::{self, Worker, WorkerConfig};
use support::multipart::{Part, post_form, redirect};
use support::{PASSWORD, TestApp};
use testkit::fixtures::{self, Secretariat};
use testkit::smtp::{PeerOptions, SmtpPeer};

const OUTLOOK: &str =
    "lea.parent@example.fr; nina.roux@example.fr; Hugo Parent <hugo.parent@example.fr>";

/// The compose form with the Outlook list.
fn outlook_form<'a>(
    account: &'a str,
    subject: &'a str,
    intent: &'a str,
    draft: Option<&'a str>,
) -> Vec<Part<'a>> {
    let mut parts = vec![
        Part::Field("compte", account),
        Part::Field("objet", subject),
        Part::Field("texte", "Bonjour {nom},\r\nla réunion a lieu jeudi."),
        Part::Field("destinataires", OUTLOOK),
        Part::Field("intent", intent),
    ];
    parts.extend(draft.map(|id| Part::Field("brouillon", id)));
    parts
}

fn draft_id_in(location: &str) -> i64 {
    location["/envoyer?brouillon=".len()..]
        .split(['&', '#'])
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no draft id in {location}"))
}

/// The page as the browser shows it, with HTML's escaped apostrophes read back.
async fn page(app: &TestApp, location: &str, cookie: &str) -> String {
    let resp = app.get(location, Some(cookie)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.body.replace("&#x27;", "'").replace("&quot;", "\"")
}

/// The text a `<textarea id=…>` holds as served.
fn textarea<'a>(page: &'a str, id: &str) -> &'a str {
    let open = format!("<textarea id=\"{id}\"");
    let start = page
        .find(&open)
        .unwrap_or_else(|| panic!("no {id} in {page}"));
    let content = &page[start..];
    let content = &content[content.find('>').map_or(0, |i| i + 1)..];
    &content[..content.find("</textarea>").unwrap_or(content.len())]
}

fn header<'a>(data: &'a str, name: &str) -> &'a str {
    data.lines()
        .find_map(|l| l.strip_prefix(name))
        .unwrap_or_else(|| panic!("no {name} in {data}"))
}

#[tokio::test]
async fn an_outlook_list_is_checked_then_sent_as_one_message_per_family() {
    for t in testkit::databases().await {
        let peer = SmtpPeer::start(PeerOptions::default());
        let app = TestApp::on_fixtures(t);
        let s: Secretariat = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let account = s.account_id.to_string();
        // "Vérifier": three recipients recognised, and a value missing for each.
        let mut parts = outlook_form(&account, "Réunion du {date}", "verifier", None);
        parts.push(Part::Typed(
            "pieces",
            "convocation.jpg",
            "multipart/mixed; boundary=evil",
            b"\xFF\xD8\xFFjpeg".to_vec(),
        ));
        let (location, error) =
            redirect(&post_form(&app, "/brouillons", &parts, &cookie, "same-origin").await);
        assert_eq!(error, None);
        assert!(location.ends_with("#verification"), "{location}");
        let id = draft_id_in(&location);
        let body = page(&app, &location, &cookie).await;
        assert!(body.contains("3 destinataires reconnus"), "{body}");
        assert!(body.contains("3 problème(s) à corriger"), "{body}");
        assert!(
            body.contains("Ligne 1 « lea.parent@example.fr » : pas de valeur pour {date}"),
            "{body}"
        );
        assert!(
            !body.contains("Rien n'a été envoyé"),
            "nothing was attempted yet"
        );

        // Without {date} the check is clean and previews the first family's message.
        let id_text = id.to_string();
        let subject = "Réunion de jeudi – {etablissement}";
        let parts = outlook_form(&account, subject, "verifier", Some(&id_text));
        let (location, _) =
            redirect(&post_form(&app, "/brouillons", &parts, &cookie, "same-origin").await);
        let body = page(&app, &location, &cookie).await;
        assert!(body.contains("3 destinataires reconnus"), "{body}");
        assert!(!body.contains("problème(s)"), "{body}");
        assert!(
            body.contains("Aperçu pour le premier destinataire"),
            "{body}"
        );
        assert!(
            body.contains("Bonjour Madame, Monsieur,\nla réunion a lieu jeudi."),
            "{body}"
        );

        // Sent: three outbox rows, three messages, each with only its own address.
        let parts = outlook_form(&account, subject, "envoyer", Some(&id_text));
        let (location, error) =
            redirect(&post_form(&app, "/brouillons", &parts, &cookie, "same-origin").await);
        assert_eq!(
            (location.as_str(), error),
            (format!("/envois/{id}").as_str(), None)
        );
        let env = fixtures::env(&fixtures::relay_on(peer.port));
        let w = Worker {
            name: "w".into(),
            config: WorkerConfig::default(),
        };
        let round = worker::run_once(app.db(), &env, &w, chrono::Utc::now())
            .await
            .expect("round");
        assert_eq!(round.sent, 3);
        let mut received = peer.wait_for(3, std::time::Duration::from_secs(10));
        received.sort_by(|a, b| a.rcpt_tos.cmp(&b.rcpt_tos));
        let expected = [
            (
                "hugo.parent@example.fr",
                "\"Hugo Parent\" <hugo.parent@example.fr>",
                "Bonjour Hugo Parent,",
            ),
            (
                "lea.parent@example.fr",
                "lea.parent@example.fr",
                "Bonjour Madame, Monsieur,",
            ),
            (
                "nina.roux@example.fr",
                "nina.roux@example.fr",
                "Bonjour Madame, Monsieur,",
            ),
        ];
        for (message, (address, to, greeting)) in received.iter().zip(expected) {
            assert_eq!(message.rcpt_tos, [address]);
            assert_eq!(header(&message.data, "To: ").trim(), to);
            for other in expected.iter().map(|e| e.0).filter(|a| *a != address) {
                assert!(!message.data.contains(other), "{address} sees {other}");
            }
            assert!(message.data.contains(greeting), "{}", message.data);
            // The type comes from the file's name, not from what the browser claimed.
            assert!(
                message.data.contains("Content-Type: image/jpeg"),
                "{}",
                message.data
            );
            assert!(!message.data.contains("boundary=evil"), "{}", message.data);
        }
        app.drop_database().await;
    }
}

#[tokio::test]
async fn every_problem_of_a_list_is_named_at_once_and_nothing_is_queued() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let account = s.account_id.to_string();
        let list = "email;nom;eleve\nok@ecole.fr;Mme Roy;Léo\na@[10.0.0.5];X;Y\na..b@x.fr;M. A;Z\nsans-eleve@ecole.fr;M. B;\njean@example;J;K\nroot@localhost;R;S\nx@ecole.fr;Secr\u{202E}tariat;T\ny@ecole.fr;Y;L\u{200B}éo\n";
        let parts = [
            Part::Field("compte", &account),
            Part::Field("objet", "Absence de {eleve}"),
            Part::Field("texte", "Bonjour {nom}, {eleve} était absent."),
            Part::Field("destinataires", list),
            Part::Field("intent", "envoyer"),
        ];
        let (location, error) =
            redirect(&post_form(&app, "/brouillons", &parts, &cookie, "same-origin").await);
        assert_eq!(error, None);
        assert!(location.contains("&refuse=1"), "{location}");
        let id = draft_id_in(&location);
        assert!(
            domain::outbox::detail(app.db(), &s.teacher, id)
                .await
                .is_err(),
            "nothing queued"
        );
        let body = page(&app, &location, &cookie).await;
        assert!(body.contains("Rien n'a été envoyé."), "{body}");
        assert!(body.contains("7 problème(s) à corriger"), "{body}");
        assert!(body.contains("2 destinataires reconnus"), "{body}");
        for expected in [
            "Ligne 3 « a@[10.0.0.5];X;Y » : après le @ il faut un vrai nom de domaine",
            "Ligne 4 « a..b@x.fr;M. A;Z » : l'adresse est mal formée",
            "Ligne 5 « sans-eleve@ecole.fr » : pas de valeur pour {eleve}",
            "Ligne 6 « jean@example;J;K » : après le @",
            "Ligne 7 « root@localhost;R;S » : après le @",
            // The hidden characters are shown, not obeyed: a U+202E quoted as is would
            // turn the rest of the line around on the screen.
            "Ligne 8 « x@ecole.fr;Secr\u{FFFD}tariat;T » : le nom contient des caractères de contrôle ou invisibles",
            "Ligne 9 « y@ecole.fr;Y;L\u{FFFD}éo » : la valeur de la colonne « eleve » contient",
        ] {
            assert!(body.contains(expected), "{expected}\n{body}");
        }
        // The draft keeps everything typed.
        let draft = compose::draft(app.db(), &s.teacher, id)
            .await
            .expect("draft");
        assert_eq!(draft.recipients, list);
        app.drop_database().await;
    }
}

#[tokio::test]
async fn a_template_fills_subject_and_text_on_any_load_and_names_its_columns() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let _s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let body = page(&app, "/envoyer?modele=absence", &cookie).await;
        assert!(
            body.contains("value=\"Absence de {eleve} : justificatif demandé\""),
            "{body}"
        );
        assert!(
            textarea(&body, "texte").contains("{eleve} a été absent(e) le {date}."),
            "{body}"
        );
        assert!(
            body.contains("colonnes nécessaires : eleve, date"),
            "{body}"
        );
        assert!(
            body.contains("colonnes nécessaires : identifiant, mot_de_passe"),
            "{body}"
        );
        let body = page(&app, "/envoyer?modele=bulletin", &cookie).await;
        let text = textarea(&body, "texte");
        assert!(
            text.contains("Vous trouverez ci-joint le bulletin scolaire de {eleve}."),
            "{text}"
        );
        assert!(!text.contains("a été absent(e)"), "{text}");

        // In the English interface, the templates are in English, same columns (issue 16).
        let english = format!("{cookie}; lang=en");
        let body = page(&app, "/envoyer?modele=absence", &english).await;
        assert!(
            body.contains("value=\"Absence of {eleve}: justification requested\""),
            "{body}"
        );
        assert!(
            textarea(&body, "texte").contains("{eleve} was absent on {date}."),
            "{body}"
        );
        assert!(body.contains("columns needed: eleve, date"), "{body}");
        assert!(body.contains(">School report</a>"), "{body}");
        assert!(!textarea(&body, "texte").contains("Bonjour"), "{body}");
        app.drop_database().await;
    }
}

#[tokio::test]
async fn attachment_names_with_hidden_characters_are_refused_and_the_text_kept() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let account = s.account_id.to_string();
        for (name, problem) in [
            ("Photo\u{202E}gpj.exe", Invalid::AttachmentNameMalformed),
            ("bulle\u{200B}tin.pdf", Invalid::AttachmentNameMalformed),
            // The multipart reader itself stops at a control character in a header.
            ("a\u{7}.pdf", Invalid::UploadUnreadable),
        ] {
            let parts = [
                Part::Field("compte", &account),
                Part::Field("objet", "Photos de classe"),
                Part::Field("texte", "Bonjour, voici la photo."),
                Part::File("pieces", name, b"data".to_vec()),
                Part::Field("intent", "enregistrer"),
            ];
            let (location, error) =
                redirect(&post_form(&app, "/brouillons", &parts, &cookie, "same-origin").await);
            assert_eq!(error, Some(AppError::Invalid(problem)), "{name:?}");
            let draft = compose::draft(app.db(), &s.teacher, draft_id_in(&location))
                .await
                .expect("draft");
            assert_eq!(draft.body, "Bonjour, voici la photo.", "{name:?}");
            assert!(draft.attachments.is_empty(), "{name:?}");
        }
        app.drop_database().await;
    }
}

#[tokio::test]
async fn a_post_over_the_limit_comes_back_with_the_text_kept_and_a_french_message() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let account = s.account_id.to_string();
        let huge = vec![b'%'; server::handlers::compose::BODY_LIMIT_BYTES + 1024 * 1024];
        let parts = [
            Part::Field("compte", &account),
            Part::File("pieces", "scan.pdf", huge),
            // Fields after the file are still read.
            Part::Field("objet", "Bulletins du trimestre"),
            Part::Field("texte", "Bonjour, voici les bulletins."),
            Part::Field("intent", "envoyer"),
        ];
        let resp = post_form(&app, "/brouillons", &parts, &cookie, "same-origin").await;
        let (location, error) = redirect(&resp);
        assert_eq!(error, Some(AppError::Invalid(Invalid::AttachmentsTooLarge)));
        let draft = compose::draft(app.db(), &s.teacher, draft_id_in(&location))
            .await
            .expect("draft");
        assert_eq!(draft.subject, "Bulletins du trimestre");
        assert_eq!(draft.body, "Bonjour, voici les bulletins.");
        assert!(draft.attachments.is_empty());
        // The browser brings the refusal's one-time notice back to the page.
        let followed = support::notice::Jar::with(Some(&cookie))
            .follow(&app, &resp)
            .await;
        assert_eq!(followed.status, StatusCode::OK, "{}", followed.body);
        let body = followed.body.replace("&#x27;", "'");
        assert!(
            body.contains("Les pièces jointes dépassent 10 Mo au total"),
            "{body}"
        );
        app.drop_database().await;
    }
}
