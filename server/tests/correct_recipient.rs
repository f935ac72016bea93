//! Correcting a refused recipient through the HTTP surface, as a browser without the wasm
//! does: the status page of a send whose second parent was refused (550 5.1.1 by a real
//! SMTP server on loopback) shows the subject line, why a retry would not help, and a
//! correction form in place; the plain form post comes back with a French refusal for a
//! bad address, then re-queues the corrected one, which the next round delivers.

mod support;

use app::error::AppError;
use domain::outbox::compose::{self, DraftInput};
use domain::outbox::worker::{self, Worker, WorkerConfig};
use domain::outbox::{self, DeliveryState};
use std::time::Duration;
use support::notice::Jar;
use support::plain_form::{back_to, plain_post};
use support::{PASSWORD, TestApp};
use testkit::fixtures::{self, relay_on};
use testkit::smtp::{PeerOptions, SmtpPeer};

#[tokio::test]
async fn a_refused_address_is_corrected_on_the_status_page_without_the_wasm() {
    let peer = SmtpPeer::start(PeerOptions {
        reject_recipient: Some("parent.b@b.fr".into()),
        ..PeerOptions::default()
    });
    for t in testkit::databases().await {
        let app = TestApp::on_fixtures(t);
        let db = app.db();
        let s = fixtures::secretariat(db, chrono::Utc::now()).await;
        let draft = compose::save_draft(
            db,
            &s.teacher,
            None,
            DraftInput {
                account_id: s.account_id,
                subject: "Bulletin scolaire de {eleve}".into(),
                body: "Bonjour {nom}, voici le bulletin de {eleve}.".into(),
                recipients:
                    "email;nom;eleve\nparent.a@b.fr;Mme Petit;Léa\nparent.b@b.fr;M. Roy;Tom\n"
                        .into(),
                ..DraftInput::default()
            },
            chrono::Utc::now(),
        )
        .await
        .expect("draft");
        let message = compose::queue_draft(db, &s.teacher, draft, chrono::Utc::now())
            .await
            .expect("queued")
            .message_id;
        let env = fixtures::env(&relay_on(peer.port));
        let w = Worker {
            name: "w1".into(),
            config: WorkerConfig::default(),
        };
        let before = peer.received().len();
        let round = worker::run_once(db, &env, &w, chrono::Utc::now())
            .await
            .expect("round");
        assert_eq!((round.sent, round.failed), (1, 1));
        let row = outbox::detail(db, &s.teacher, message)
            .await
            .expect("detail")
            .recipients[1]
            .id
            .to_string();
        let id = message.to_string();
        let cookie = app.sign_in("bruno@a.fr", PASSWORD).await;
        let path = format!("/envois/{id}");

        // The page, as the server renders it: the subject line, why a retry would not
        // help (and no retry button, since nothing else failed), the form in place.
        let page = app.get(&path, Some(&cookie)).await.body;
        assert!(page.contains("Bulletin scolaire de …"), "{page}");
        assert!(!page.contains("{eleve}"));
        assert!(page.contains("1 adresse(s) refusée(s) par le serveur"));
        assert!(!page.contains("Renvoyer les échecs"));
        assert!(page.contains("action=\"/api/correct_recipient\""), "{page}");
        assert!(page.contains(&format!("for=\"correct-{row}\"")));
        assert!(page.contains(&format!("id=\"correct-{row}\"")));
        assert!(page.contains("value=\"parent.b@b.fr\""));
        assert!(page.contains(&format!(
            "aria-describedby=\"correct-{row}-error correct-error\""
        )));
        assert!(page.contains("Corriger et renvoyer"));

        // Someone else (here the administrator, who is not the author) cannot.
        let admin = app.sign_in("admin@a.fr", PASSWORD).await;
        let resp = app
            .call(
                "correct_recipient",
                &[("id", &id), ("recipient", &row), ("address", "x@b.fr")],
                Some(&admin),
            )
            .await;
        assert_eq!(resp.app_error(), AppError::NotFound);

        // A malformed address: back to the page, which says why in French; nothing changed.
        let form = |address| {
            [
                ("id", id.as_str()),
                ("recipient", row.as_str()),
                ("address", address),
            ]
        };
        let refused = plain_post(
            &app,
            "correct_recipient",
            &form("parent.b@"),
            &cookie,
            &path,
        )
        .await;
        assert_eq!(back_to(&refused), path, "no error in the URL");
        let page = Jar::with(Some(&cookie)).follow(&app, &refused).await.body;
        let alert = page
            .find("id=\"correct-error\"")
            .map(|at| &page[at..page[at..].find("</p>").map_or(page.len(), |end| at + end)])
            .expect("the refusal's place");
        assert!(
            alert.contains("L'adresse e-mail n'est pas valide"),
            "{alert}"
        );
        let detail = outbox::detail(db, &s.teacher, message)
            .await
            .expect("detail");
        assert_eq!(detail.recipients[1].address, "parent.b@b.fr");
        assert_eq!(detail.recipients[1].state, DeliveryState::Failed);

        // Corrected: back to the page, the recipient queued with its new address.
        let back = back_to(
            &plain_post(
                &app,
                "correct_recipient",
                &form("Parent.B2@b.fr"),
                &cookie,
                &path,
            )
            .await,
        );
        assert_eq!(back.trim_end_matches('?'), path, "no error");
        let detail = outbox::detail(db, &s.teacher, message)
            .await
            .expect("detail");
        assert_eq!(detail.recipients[1].address, "parent.b2@b.fr");
        assert_eq!(detail.recipients[1].state, DeliveryState::Queued);
        let page = app.get(&path, Some(&cookie)).await.body;
        assert!(page.contains("parent.b2@b.fr"));
        assert!(!page.contains("Corriger et renvoyer"));

        // The next round delivers it.
        let round = worker::run_once(db, &env, &w, chrono::Utc::now())
            .await
            .expect("round");
        assert_eq!(round.sent, 1);
        let received = peer.wait_for(before + 2, Duration::from_secs(5));
        assert_eq!(received[before + 1].rcpt_tos, ["parent.b2@b.fr"]);
        app.drop_database().await;
    }
}
