//! The app's own notification messages, in French first with an English summary below.

use super::OutgoingMail;

/// Escapes text for an HTML part.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Invites a new staff member to choose their password.
pub fn invitation(school_name: &str, to_name: &str, to_address: &str, link: &str) -> OutgoingMail {
    let text = format!(
        "Bonjour {to_name},\n\n\
         Vous avez été ajouté(e) à l'établissement « {school_name} » pour l'envoi des e-mails.\n\
         Pour choisir votre mot de passe, ouvrez ce lien (valable 7 jours, une seule fois) :\n\n\
         {link}\n\n\
         Si vous n'attendiez pas ce message, ignorez-le.\n\n\
         ---\n\
         You have been added to \"{school_name}\". Choose your password with the link above \
         (valid for 7 days, once).\n"
    );
    let (name, school, href) = (
        escape_html(to_name),
        escape_html(school_name),
        escape_html(link),
    );
    let html = format!(
        "<p>Bonjour {name},</p>\
         <p>Vous avez été ajouté(e) à l'établissement « {school} » pour l'envoi des e-mails.</p>\
         <p><a href=\"{href}\">Choisir mon mot de passe</a> (lien valable 7 jours, une seule fois).</p>\
         <p>Si vous n'attendiez pas ce message, ignorez-le.</p><hr>\
         <p lang=\"en\">You have been added to “{school}”. <a href=\"{href}\">Choose your password</a> \
         (valid for 7 days, once).</p>"
    );
    OutgoingMail {
        to_name: to_name.to_owned(),
        to_address: to_address.to_owned(),
        subject: format!("Invitation : {school_name}"),
        text,
        html,
        reply_to: None,
        message_id: None,
        attachments: Vec::new(),
    }
}

/// Tells someone who already has a password that another school added them.
pub fn added_to_school(
    school_name: &str,
    to_name: &str,
    to_address: &str,
    sign_in_link: &str,
) -> OutgoingMail {
    let text = format!(
        "Bonjour {to_name},\n\n\
         L'établissement « {school_name} » vous a ajouté(e) à son annuaire. \
         Connectez-vous avec votre mot de passe habituel : {sign_in_link}\n\n\
         ---\n\
         \"{school_name}\" added you to its directory. Sign in with your usual password.\n"
    );
    let (name, school, href) = (
        escape_html(to_name),
        escape_html(school_name),
        escape_html(sign_in_link),
    );
    let html = format!(
        "<p>Bonjour {name},</p><p>L'établissement « {school} » vous a ajouté(e) à son annuaire. \
         <a href=\"{href}\">Connectez-vous</a> avec votre mot de passe habituel.</p><hr>\
         <p lang=\"en\">“{school}” added you to its directory. Sign in with your usual password.</p>"
    );
    OutgoingMail {
        to_name: to_name.to_owned(),
        to_address: to_address.to_owned(),
        subject: format!("Nouvel établissement : {school_name}"),
        text,
        html,
        reply_to: None,
        message_id: None,
        attachments: Vec::new(),
    }
}

/// The message sent by "Tester l'envoi d'e-mails".
pub fn test_message(school_name: &str, to_address: &str) -> OutgoingMail {
    let text = format!(
        "Bonjour,\n\n\
         Ce message de test confirme que l'établissement « {school_name} » peut envoyer des \
         e-mails avec les paramètres choisis. Vous n'avez rien à faire.\n\n\
         ---\n\
         This test message confirms that \"{school_name}\" can send e-mail with the chosen settings.\n"
    );
    let school = escape_html(school_name);
    let html = format!(
        "<p>Bonjour,</p><p>Ce message de test confirme que l'établissement « {school} » peut envoyer des \
         e-mails avec les paramètres choisis. Vous n'avez rien à faire.</p><hr>\
         <p lang=\"en\">This test message confirms that “{school}” can send e-mail with the chosen settings.</p>"
    );
    OutgoingMail {
        to_name: to_address.to_owned(),
        to_address: to_address.to_owned(),
        subject: format!("Test d'envoi : {school_name}"),
        text,
        html,
        reply_to: None,
        message_id: None,
        attachments: Vec::new(),
    }
}

/// The verification code for a sending account's address. It names only the school: the
/// requester chooses the address, so nothing they typed is put in front of its owner.
pub fn verification_code(school_name: &str, to_address: &str, code: &str) -> OutgoingMail {
    let text = format!(
        "Bonjour,\n\n\
         Pour vérifier cette adresse comme adresse d'envoi de l'établissement « {school_name} », \
         saisissez ce code :\n\n\
         Code : {code}\n\n\
         Il est valable 10 minutes et ne sert qu'une fois. Si vous n'avez rien demandé, \
         ignorez ce message : sans ce code, l'adresse ne peut pas être utilisée.\n\n\
         ---\n\
         Your code to verify this address as a sending address of \"{school_name}\": {code} \
         (valid 10 minutes, once).\n"
    );
    let school = escape_html(school_name);
    let html = format!(
        "<p>Bonjour,</p><p>Pour vérifier cette adresse comme adresse d'envoi de l'établissement « {school} », saisissez ce code :</p>\
         <p style=\"font-size:1.5em;letter-spacing:.2em\"><strong>{code}</strong></p>\
         <p>Il est valable 10 minutes et ne sert qu'une fois. Si vous n'avez rien demandé, ignorez ce message : \
         sans ce code, l'adresse ne peut pas être utilisée.</p><hr>\
         <p lang=\"en\">Your code to verify this address as a sending address of “{school}”: {code} (valid 10 minutes, once).</p>"
    );
    OutgoingMail {
        to_name: to_address.to_owned(),
        to_address: to_address.to_owned(),
        subject: format!("Code de vérification : {school_name}"),
        text,
        html,
        reply_to: None,
        message_id: None,
        attachments: Vec::new(),
    }
}

/// Sent from a sending account once it is active: its arrival proves the account's route.
pub fn account_confirmation(school_name: &str, label: &str, to_address: &str) -> OutgoingMail {
    let text = format!(
        "Bonjour,\n\n\
         Le compte d'envoi « {label} » ({school_name}) est activé : vous pouvez envoyer des \
         e-mails avec lui. Gardez bien la réponse à votre question secrète : elle vous sera \
         demandée pour modifier ou supprimer ce compte, et c'est la seule clé de l'archive des \
         messages envoyés avec lui. Si elle est oubliée, personne (ni l'établissement, ni \
         l'hébergeur) ne pourra relire cette archive.\n\n\
         ---\n\
         The sending account \"{label}\" is active. Keep your secret answer safe: it is asked \
         for to change or delete the account, and it is the only key to the archive of the mail \
         sent with it. If it is forgotten, no one (not the school, not the host) can read that \
         archive again.\n"
    );
    let (label_html, school) = (escape_html(label), escape_html(school_name));
    let html = format!(
        "<p>Bonjour,</p><p>Le compte d'envoi « {label_html} » ({school}) est activé : vous pouvez envoyer des \
         e-mails avec lui. Gardez bien la réponse à votre question secrète : elle vous sera demandée pour \
         modifier ou supprimer ce compte, et <strong>c'est la seule clé de l'archive des messages envoyés avec \
         lui</strong>. Si elle est oubliée, personne (ni l'établissement, ni l'hébergeur) ne pourra relire cette \
         archive.</p><hr>\
         <p lang=\"en\">The sending account “{label_html}” is active. Keep your secret answer safe: it is asked \
         for to change or delete the account, and it is the only key to the archive of the mail sent with it. If \
         it is forgotten, no one (not the school, not the host) can read that archive again.</p>"
    );
    OutgoingMail {
        to_name: label.to_owned(),
        to_address: to_address.to_owned(),
        subject: format!("Compte d'envoi activé : {label}"),
        text,
        html,
        reply_to: None,
        message_id: None,
        attachments: Vec::new(),
    }
}

/// An establishment account's confirmation; `cleRecuperation.crbee` is attached to it.
pub fn establishment_confirmation(
    school_name: &str,
    label: &str,
    to_address: &str,
) -> OutgoingMail {
    let text = format!(
        "Bonjour,\n\n\
         Le compte d'envoi de l'établissement « {label} » ({school_name}) est activé.\n\n\
         Le fichier joint, cleRecuperation.crbee, est la clé de secours de ce compte :\n\
         - il permet de relire les messages envoyés avec ce compte (l'archive) si la réponse \
         à la question secrète est perdue ;\n\
         - il permet aussi de choisir une nouvelle question secrète.\n\n\
         Enregistrez-le dans un endroit sûr (par exemple le coffre numérique de \
         l'établissement ou une clé USB rangée) et ne le transmettez à personne : qui le \
         détient peut lire l'archive du compte. Le serveur n'en garde aucune copie : ce \
         message est le seul endroit où il existe.\n\n\
         ---\n\
         The establishment account \"{label}\" is active. The attached cleRecuperation.crbee is \
         its recovery key: it opens the archive of sent mail and resets the secret question. \
         Keep it somewhere safe and share it with no one; the server keeps no copy.\n"
    );
    let (label_html, school) = (escape_html(label), escape_html(school_name));
    let html = format!(
        "<p>Bonjour,</p><p>Le compte d'envoi de l'établissement « {label_html} » ({school}) est activé.</p>\
         <p>Le fichier joint, <strong>cleRecuperation.crbee</strong>, est la clé de secours de ce compte :</p>\
         <ul><li>il permet de relire les messages envoyés avec ce compte (l'archive) si la réponse à la question \
         secrète est perdue ;</li><li>il permet aussi de choisir une nouvelle question secrète.</li></ul>\
         <p>Enregistrez-le dans un endroit sûr (par exemple le coffre numérique de l'établissement ou une clé USB \
         rangée) et ne le transmettez à personne : qui le détient peut lire l'archive du compte. Le serveur n'en \
         garde aucune copie : ce message est le seul endroit où il existe.</p><hr>\
         <p lang=\"en\">The establishment account “{label_html}” is active. The attached cleRecuperation.crbee is its \
         recovery key: it opens the archive of sent mail and resets the secret question. Keep it somewhere safe and \
         share it with no one; the server keeps no copy.</p>"
    );
    OutgoingMail {
        to_name: label.to_owned(),
        to_address: to_address.to_owned(),
        subject: format!("Compte d'envoi activé : {label} (clé de récupération jointe)"),
        text,
        html,
        reply_to: None,
        message_id: None,
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    /// A personal account has no recovery file: its confirmation says the answer is the
    /// archive's only key, in both languages and both parts (issue 16).
    #[test]
    fn a_personal_confirmation_says_the_answer_is_the_archive_only_key() {
        let mail = super::account_confirmation("Collège A", "Bruno Lefèvre", "b@a.fr");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("seule clé de l'archive"), "{part}");
            assert!(part.contains("only key to the archive"), "{part}");
        }
    }
}
