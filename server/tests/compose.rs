//! The sending pages through the HTTP surface, as a browser without the wasm uses them:
//! the compose form (multipart, to `/brouillons`) saves the draft first, lists refused
//! lines by number and keeps everything typed; attachments above axum's default 2 MB get
//! through, above the stated 10 MB are refused with the text kept; the status page renders;
//! the archive opens for one session with the answer or the recovery file.

mod support;

use app::api::sending::types::ArchiveState;
use app::error::{AppError, Invalid};
use app::notice::{FileCheck, Outcome};
use axum::http::StatusCode;
use domain::outbox::compose;
use support::multipart::{Part, post_form, redirect};
use support::notice::notice_in;
use support::{PASSWORD, Resp, TestApp};
use testkit::fixtures::{self, Secretariat};

/// How many outbox rows the send has (none while it is a draft).
async fn outbox_rows(app: &TestApp, author: &domain::access::Actor, message: i64) -> u64 {
    match domain::outbox::detail(app.db(), author, message).await {
        Ok(send) => send.summary.progress.total,
        Err(domain::Error::NotFound) => 0,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn the_compose_form_keeps_everything_typed_through_refusals_then_queues() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s: Secretariat = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let account = s.account_id.to_string();

        // A CSV saved by a French spreadsheet (Windows-1252, CRLF) with one bad line, and a
        // 3 MB report card (above axum's default body limit): refused by line number,
        // nothing queued, the draft keeps the list, decoded, and the file.
        let csv = b"email;nom;eleve\r\nparent@x.fr;Mme H\xe9l\xe8ne Roy;L\xe9o\r\npas-une-adresse;X;Y\r\n";
        let resp = post_form(
            &app,
            "/brouillons",
            &[
                Part::Field("compte", &account),
                Part::Field("objet", "Bulletin de {eleve}"),
                Part::Field(
                    "texte",
                    "Bonjour {nom},\r\nci-joint le bulletin de {eleve}.",
                ),
                Part::Field("destinataires", ""),
                Part::File("destinataires_csv", "classe.csv", csv.to_vec()),
                Part::File("pieces", "bulletin.pdf", vec![b'%'; 3 * 1024 * 1024]),
                Part::File("pieces", "", Vec::new()),
                Part::Field("intent", "envoyer"),
            ],
            &cookie,
            "same-origin",
        )
        .await;
        let (location, error) = redirect(&resp);
        assert!(location.starts_with("/envoyer?brouillon="), "{location}");
        assert!(location.ends_with("&refuse=1#verification"), "{location}");
        assert_eq!(error, None, "the page checks the draft itself");
        let draft_id: i64 = location["/envoyer?brouillon=".len()..]
            .split('&')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("draft id");
        let page = app.get(&location, Some(&cookie)).await;
        assert!(page.body.contains("Rien n'a été envoyé."), "{}", page.body);
        assert!(
            page.body.contains("1 destinataire reconnu"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(
                "Ligne 3 « pas-une-adresse;X;Y » : aucune adresse e-mail n&#x27;y est reconnue."
            ) || page.body.contains(
                "Ligne 3 « pas-une-adresse;X;Y » : aucune adresse e-mail n'y est reconnue."
            ),
            "{}",
            page.body
        );
        let draft = compose::draft(app.db(), &s.teacher, draft_id)
            .await
            .expect("draft");
        assert!(
            draft.recipients.contains("Mme Hélène Roy;Léo"),
            "{}",
            draft.recipients
        );
        assert_eq!(
            draft.body,
            "Bonjour {nom},\nci-joint le bulletin de {eleve}."
        );
        assert_eq!(
            draft.attachments.len(),
            1,
            "the empty file input adds nothing"
        );
        assert_eq!(draft.attachments[0].size, 3 * 1024 * 1024);
        assert_eq!(outbox_rows(&app, &s.teacher, draft_id).await, 0);

        // A file that is no list at all (3,000 bad lines) is refused with a short redirect:
        // ten lines quoted, the rest counted.
        let junk: String = (0..3000)
            .map(|n| format!("ligne illisible numéro {n} {}\n", "é".repeat(80)))
            .collect();
        let resp = post_form(
            &app,
            "/brouillons",
            &[
                Part::Field("brouillon", &draft_id.to_string()),
                Part::Field("compte", &account),
                Part::Field("objet", "Bulletin de {eleve}"),
                Part::Field("texte", "Bonjour"),
                Part::Field("destinataires", &junk),
                Part::Field("intent", "envoyer"),
            ],
            &cookie,
            "same-origin",
        )
        .await;
        let (location, error) = redirect(&resp);
        assert_eq!(error, None);
        let page = app.get(&location, Some(&cookie)).await;
        assert!(
            page.body.contains("3000 problème(s) à corriger"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Et 2800 autre(s)"), "{}", page.body);

        // Files beyond the stated 10 MB are refused; the text typed with them is saved.
        let id = draft_id.to_string();
        let resp = post_form(
            &app,
            "/brouillons",
            &[
                Part::Field("brouillon", &id),
                Part::Field("compte", &account),
                Part::Field("objet", "Bulletin du 1er trimestre de {eleve}"),
                Part::Field("texte", "Bonjour {nom}."),
                Part::Field("destinataires", "parent@x.fr;Mme Roy"),
                Part::File("pieces", "gros.pdf", vec![0; 8 * 1024 * 1024]),
                Part::Field("intent", "enregistrer"),
            ],
            &cookie,
            "same-origin",
        )
        .await;
        let (location, error) = redirect(&resp);
        assert_eq!(
            location.split('&').next(),
            Some(format!("/envoyer?brouillon={id}").as_str())
        );
        assert_eq!(error, Some(AppError::Invalid(Invalid::AttachmentsTooLarge)));
        let draft = compose::draft(app.db(), &s.teacher, draft_id)
            .await
            .expect("draft");
        assert_eq!(draft.subject, "Bulletin du 1er trimestre de {eleve}");
        assert_eq!(
            draft.attachments.len(),
            1,
            "the 3 MB file is still there, alone"
        );

        // Another site cannot post the form in the teacher's name.
        let resp = post_form(
            &app,
            "/brouillons",
            &[Part::Field("intent", "envoyer")],
            &cookie,
            "cross-site",
        )
        .await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN);

        // Fixed, taking the file off: queued, and the status page renders without the wasm.
        let file_id = draft.attachments[0].id.to_string();
        let resp = post_form(
            &app,
            "/brouillons",
            &[
                Part::Field("brouillon", &id),
                Part::Field("compte", &account),
                Part::Field("objet", "Bulletin de {eleve}"),
                Part::Field("texte", "Bonjour {nom}, voici le bulletin de {eleve}."),
                Part::Field(
                    "destinataires",
                    "email;nom;eleve\nparent@x.fr;Mme Roy;Léo\nPARENT@x.fr;Mme Roy;Léo\nautre@x.fr;M. Roy;Léo",
                ),
                Part::Field("retirer", &file_id),
                Part::Field("intent", "envoyer"),
            ],
            &cookie,
            "same-origin",
        )
        .await;
        let (location, error) = redirect(&resp);
        assert_eq!(error, None);
        assert_eq!(location, format!("/envois/{draft_id}"));
        assert_eq!(
            notice_in(&resp).map(|notice| notice.outcome),
            Some(Outcome::Queued { duplicates: 1 })
        );
        assert_eq!(outbox_rows(&app, &s.teacher, draft_id).await, 2);
        let page = support::notice::Jar::with(Some(&cookie))
            .follow(&app, &resp)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Bulletin de …"), "{}", page.body);
        assert!(page.body.contains("0 envoyé(s) sur 2"), "{}", page.body);
        assert!(page.body.contains("1 adresse(s) en double retirée(s)"));

        // The admin, who is not its author, sees the send (to stop it if need be) but not
        // as its author: no retry or correction is theirs.
        let admin = app.sign_in("admin@a.fr", PASSWORD).await;
        let resp = app.call("get_send", &[("id", &id)], Some(&admin)).await;
        let view: app::api::sending::types::SendView =
            serde_json::from_str(&resp.body).expect(&resp.body);
        assert!(!view.authored);
        app.drop_database().await;
    }
}

fn archive_state(resp: &Resp) -> ArchiveState {
    assert!(resp.status.is_success(), "{} {}", resp.status, resp.body);
    serde_json::from_str(&resp.body).expect("an ArchiveState")
}

#[tokio::test]
async fn the_archive_opens_for_one_session_with_the_answer_or_the_recovery_file() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let s = fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let id = s.account_id.to_string();
        let file = fixtures::recovery_file_in(&s.confirmation);

        let locked = archive_state(&app.call("get_archive", &[("id", &id)], Some(&cookie)).await);
        assert_eq!(
            locked,
            ArchiveState::Locked {
                account_label: "Secrétariat".into(),
                question: Some("Animal ?".into()),
            }
        );
        let wrong = app
            .call(
                "unlock_archive",
                &[("id", &id), ("answer", "minou")],
                Some(&cookie),
            )
            .await;
        assert!(matches!(wrong.app_error(), AppError::AnswerWrong { .. }));
        let right = app
            .call(
                "unlock_archive",
                &[("id", &id), ("answer", " Médor ")],
                Some(&cookie),
            )
            .await;
        assert!(right.status.is_success(), "{}", right.body);
        let open = archive_state(&app.call("get_archive", &[("id", &id)], Some(&cookie)).await);
        assert!(matches!(open, ArchiveState::Open(_)), "{open:?}");

        // Another session of the same person is still locked, until it gives the file.
        let other = app.sign_in("bruno@a.fr", PASSWORD).await;
        let state = archive_state(&app.call("get_archive", &[("id", &id)], Some(&other)).await);
        assert!(matches!(state, ArchiveState::Locked { .. }));
        let path = format!("/comptes/{id}/archive/cle");
        let resp = post_form(
            &app,
            &path,
            &[Part::File("file", "autre.crbee", b"pas une cle".to_vec())],
            &other,
            "same-origin",
        )
        .await;
        assert_eq!(redirect(&resp).0, format!("/comptes/{id}/archive"));
        assert_eq!(
            notice_in(&resp).map(|n| n.outcome),
            Some(Outcome::File(FileCheck::Damaged))
        );
        let resp = post_form(
            &app,
            &path,
            &[Part::File("file", "cleRecuperation.crbee", file)],
            &other,
            "same-origin",
        )
        .await;
        assert_eq!(redirect(&resp), (format!("/comptes/{id}/archive"), None));
        let state = archive_state(&app.call("get_archive", &[("id", &id)], Some(&other)).await);
        assert!(matches!(state, ArchiveState::Open(_)));

        // Locking again takes effect at once.
        app.call("close_archive", &[("id", &id)], Some(&other))
            .await;
        let state = archive_state(&app.call("get_archive", &[("id", &id)], Some(&other)).await);
        assert!(matches!(state, ArchiveState::Locked { .. }));
        app.drop_database().await;
    }
}

/// A template opens in the language of the request (the `lang` cookie, else the browser's),
/// whether the page renders it or the hydrated app fetches it: the caller does not choose.
#[tokio::test]
async fn a_template_opens_in_the_language_of_the_request() {
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        fixtures::secretariat(app.db(), chrono::Utc::now()).await;
        let session = app.sign_in("bruno@a.fr", PASSWORD).await;
        for (cookie, subject, other) in [
            (
                format!("{session}; lang=en"),
                "Your login details",
                "Vos identifiants",
            ),
            (
                format!("{session}; lang=fr"),
                "Vos identifiants",
                "Your login details",
            ),
            (session.clone(), "Vos identifiants", "Your login details"),
        ] {
            let page = app.get("/envoyer?modele=identifiants", Some(&cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            assert!(page.body.contains(subject), "page, {cookie}");
            if let Some(at) = page.body.find(other) {
                panic!(
                    "page, {cookie}: …{}…",
                    &page.body[at.saturating_sub(300)..at + 100]
                );
            }
            let fetched = app
                .call("get_compose", &[("modele", "identifiants")], Some(&cookie))
                .await;
            assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.body);
            assert!(
                fetched.body.contains(subject),
                "fetch, {cookie}: {}",
                fetched.body
            );
            assert!(!fetched.body.contains(other), "fetch, {cookie}");
        }
        app.drop_database().await;
    }
}
