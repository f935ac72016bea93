//! What a failed test send means, in the user's language: what happened, then what to
//! try, for each [`FailureKind`] of the shared vocabulary.

use crate::i18n::Lang;
pub use vocabulary::FailureKind;

/// A failure kind worded as what happened, then what to try.
pub trait Explain {
    /// (what happened, what to try)
    fn explain(self, lang: Lang) -> (&'static str, &'static str);
}

impl Explain for FailureKind {
    fn explain(self, lang: Lang) -> (&'static str, &'static str) {
        use FailureKind::*;
        let (fr, en) = match self {
            NameNotResolved => (
                (
                    "Le nom du serveur SMTP est introuvable.",
                    "Vérifiez l'orthographe du nom du serveur (par exemple smtp.ac-academie.fr) ; s'il est juste, le serveur DNS est peut-être momentanément indisponible.",
                ),
                (
                    "The SMTP server's name cannot be found.",
                    "Check the server name's spelling; if it is right, DNS may be briefly unavailable.",
                ),
            ),
            PrivateAddress => (
                (
                    "Ce serveur se trouve sur un réseau privé, que l'hébergement n'est pas autorisé à joindre.",
                    "Indiquez le nom public du serveur SMTP de l'établissement, ou demandez à l'hébergeur d'autoriser ce réseau.",
                ),
                (
                    "This server is on a private network the host may not reach.",
                    "Give the school SMTP server's public name, or ask the host to allow that network.",
                ),
            ),
            PortNotAllowed => (
                (
                    "Ce port n'est pas autorisé pour un serveur d'e-mail.",
                    "Utilisez 587 (STARTTLS), 465 (TLS) ou 25, ou demandez à l'hébergeur d'autoriser ce port.",
                ),
                (
                    "This port is not allowed for a mail server.",
                    "Use 587 (STARTTLS), 465 (TLS) or 25, or ask the host to allow that port.",
                ),
            ),
            PlaintextNotAllowed => (
                (
                    "Une connexion sans chiffrement n'est permise que vers un serveur installé sur la même machine.",
                    "Choisissez STARTTLS (port 587) ou TLS (port 465).",
                ),
                (
                    "An unencrypted connection is only allowed to a server on the same machine.",
                    "Choose STARTTLS (port 587) or TLS (port 465).",
                ),
            ),
            ConnectionRefused => (
                (
                    "Le serveur a refusé la connexion : rien n'écoute sur ce port, ou un pare-feu bloque l'accès.",
                    "Vérifiez le port (587 pour STARTTLS, 465 pour TLS) et que le serveur accepte les connexions venant de l'hébergement.",
                ),
                (
                    "The server refused the connection: nothing listens on that port, or a firewall blocks it.",
                    "Check the port (587 for STARTTLS, 465 for TLS) and that the server accepts connections from the host.",
                ),
            ),
            Timeout => (
                (
                    "Le serveur n'a pas répondu à temps.",
                    "Vérifiez le nom et le port ; un pare-feu ignore peut-être la connexion. Réessayez dans quelques minutes.",
                ),
                (
                    "The server did not answer in time.",
                    "Check the name and port; a firewall may be dropping the connection. Try again in a few minutes.",
                ),
            ),
            TlsCertificate => (
                (
                    "Le certificat du serveur n'est pas valide pour ce nom (expiré, auto-signé ou émis pour un autre nom).",
                    "Utilisez exactement le nom figurant sur le certificat du serveur, ou demandez à son administrateur de le renouveler.",
                ),
                (
                    "The server's certificate is not valid for this name (expired, self-signed or issued for another name).",
                    "Use exactly the name on the server's certificate, or ask its administrator to renew it.",
                ),
            ),
            TlsHandshake => (
                (
                    "La connexion chiffrée n'a pas pu s'établir.",
                    "Vérifiez la sécurité choisie : TLS va avec le port 465, STARTTLS avec le port 587.",
                ),
                (
                    "The encrypted connection could not be set up.",
                    "Check the security setting: TLS goes with port 465, STARTTLS with port 587.",
                ),
            ),
            StartTlsNotOffered => (
                (
                    "Le serveur ne propose pas STARTTLS : l'envoi a été arrêté plutôt que de transmettre le mot de passe en clair.",
                    "Choisissez TLS (port 465) si le serveur le permet, ou demandez à son administrateur d'activer STARTTLS.",
                ),
                (
                    "The server does not offer STARTTLS: sending stopped rather than send the password in clear.",
                    "Choose TLS (port 465) if the server allows it, or ask its administrator to enable STARTTLS.",
                ),
            ),
            AuthNotOffered => (
                (
                    "Le serveur ne propose pas d'authentification sur cette connexion.",
                    "Vérifiez la sécurité (certains serveurs n'acceptent l'identifiant qu'après STARTTLS), ou laissez l'identifiant vide si le serveur vous reconnaît par votre adresse.",
                ),
                (
                    "The server offers no authentication on this connection.",
                    "Check the security (some servers accept a login only after STARTTLS), or leave the user empty if the server accepts you by address.",
                ),
            ),
            AuthRefused => (
                (
                    "Le serveur a refusé l'identifiant ou le mot de passe.",
                    "Saisissez de nouveau le mot de passe ; vérifiez l'identifiant (souvent l'adresse e-mail complète).",
                ),
                (
                    "The server refused the user name or password.",
                    "Type the password again; check the user name (often the full e-mail address).",
                ),
            ),
            BasicAuthDisabled => (
                (
                    "Microsoft 365 refuse désormais les mots de passe pour l'envoi (« authentification de base » désactivée sur cet établissement) : un mot de passe juste ne suffit plus.",
                    "Demandez à l'administrateur Microsoft 365 de l'établissement de réactiver l'authentification SMTP de base pour cette boîte, ou faites passer l'envoi par le serveur de l'hébergement. (La connexion à Microsoft sans mot de passe, par OAuth, n'est pas encore proposée ici.)",
                ),
                (
                    "Microsoft 365 no longer accepts passwords for sending (basic authentication is turned off for this organisation): a right password is not enough.",
                    "Ask the school's Microsoft 365 administrator to turn SMTP basic authentication back on for this mailbox, or send through the host's relay. (Signing in to Microsoft without a password, by OAuth, is not offered here yet.)",
                ),
            ),
            SmtpAuthDisabled => (
                (
                    "L'envoi par SMTP authentifié est désactivé pour cette boîte aux lettres (ou pour tout l'établissement, par exemple par les « paramètres de sécurité par défaut » de Microsoft 365).",
                    "L'administrateur Microsoft 365 de l'établissement doit activer « SMTP authentifié » pour cette boîte (Centre d'administration › Utilisateurs › Courrier › Gérer les applications de messagerie) ; sinon, faites passer l'envoi par le serveur de l'hébergement.",
                ),
                (
                    "Authenticated SMTP sending is turned off for this mailbox (or for the whole organisation, e.g. by Microsoft 365's security defaults).",
                    "The school's Microsoft 365 administrator must turn on “Authenticated SMTP” for this mailbox (Admin center › Users › Mail › Manage email apps); otherwise, send through the host's relay.",
                ),
            ),
            TokenRefused => (
                (
                    "Le fournisseur (Microsoft ou Google) a refusé l'autorisation de connexion du compte : elle a expiré, a été révoquée, ou le consentement a été retiré.",
                    "Reconnectez le compte auprès de son fournisseur ; si cela recommence, demandez à l'administrateur du compte Microsoft 365 ou Google si l'application est toujours autorisée.",
                ),
                (
                    "The provider (Microsoft or Google) refused the account's sign-in grant: it expired, was revoked, or consent was withdrawn.",
                    "Connect the account to its provider again; if it happens again, ask the Microsoft 365 or Google administrator whether the app is still allowed.",
                ),
            ),
            SenderRefused => (
                (
                    "Le serveur refuse l'adresse d'expédition.",
                    "Utilisez une adresse que ce serveur vous autorise à utiliser, en général celle du compte SMTP.",
                ),
                (
                    "The server refuses the sender address.",
                    "Use an address this server lets you send as, usually the SMTP account's own.",
                ),
            ),
            SendAsDenied => (
                (
                    "Cette boîte aux lettres n'a pas le droit d'envoyer au nom de l'adresse d'expédition (droit « Envoyer en tant que » manquant).",
                    "Demandez à l'administrateur Microsoft 365 de donner à ce compte le droit « Envoyer en tant que » sur la boîte partagée, ou choisissez comme adresse d'expédition celle du compte lui-même.",
                ),
                (
                    "This mailbox may not send as the sender address (the “Send As” right is missing).",
                    "Ask the Microsoft 365 administrator to give this account “Send As” on the shared mailbox, or use the account's own address as the sender.",
                ),
            ),
            RecipientRefused => (
                (
                    "Le serveur refuse l'adresse du destinataire.",
                    "Vérifiez l'adresse de test (faute de frappe, boîte inexistante).",
                ),
                (
                    "The server refuses the recipient address.",
                    "Check the test address (typo, mailbox does not exist).",
                ),
            ),
            RelayDenied => (
                (
                    "Le serveur refuse de relayer ce message vers l'extérieur.",
                    "Renseignez l'identifiant et le mot de passe SMTP : sans authentification, la plupart des serveurs ne relaient que vers leurs propres adresses.",
                ),
                (
                    "The server refuses to relay this message outside.",
                    "Fill in the SMTP user and password: without authentication most servers only deliver to their own addresses.",
                ),
            ),
            MessageRefused => (
                (
                    "Le serveur a refusé le message lui-même.",
                    "Le serveur applique peut-être un filtre ou une limite de taille ; contactez son administrateur avec l'échange ci-dessous.",
                ),
                (
                    "The server refused the message itself.",
                    "The server may apply a filter or size limit; contact its administrator with the exchange below.",
                ),
            ),
            TemporaryFailure => (
                (
                    "Le serveur demande de réessayer plus tard.",
                    "Attendez quelques minutes puis relancez le test.",
                ),
                (
                    "The server asks to try again later.",
                    "Wait a few minutes, then run the test again.",
                ),
            ),
            Throttled => (
                (
                    "Le serveur demande de ralentir : trop de messages en peu de temps pour cette boîte.",
                    "Rien n'est perdu : les envois reprennent d'eux-mêmes un peu plus tard. Si cela revient souvent, baissez le rythme d'envoi (Microsoft 365 : 30 messages par minute au plus).",
                ),
                (
                    "The server asks to slow down: too many messages in a short time for this mailbox.",
                    "Nothing is lost: sending resumes by itself a little later. If it happens often, lower the sending pace (Microsoft 365: 30 messages a minute at most).",
                ),
            ),
            DailyLimitReached => (
                (
                    "Cette boîte a atteint sa limite d'envoi pour la journée (par exemple 2 000 messages par jour chez Google Workspace, 10 000 destinataires chez Microsoft 365).",
                    "Rien n'est perdu : les messages en attente partiront quand la limite se libère. Pour de gros envois, étalez-les sur plusieurs jours ou baissez le rythme par jour de ce compte.",
                ),
                (
                    "This mailbox has reached its sending limit for the day (e.g. 2,000 messages a day on Google Workspace, 10,000 recipients on Microsoft 365).",
                    "Nothing is lost: waiting messages leave when the limit frees up. Spread large sends over several days, or lower this account's daily pace.",
                ),
            ),
            ConnectionLost => (
                (
                    "La connexion a été interrompue ou le serveur ne parle pas SMTP.",
                    "Vérifiez le port : ce n'est peut-être pas celui d'un serveur d'e-mail.",
                ),
                (
                    "The connection dropped or the server does not speak SMTP.",
                    "Check the port: it may not be a mail server's.",
                ),
            ),
            BareLineBreak => (
                (
                    "Le message n'a pas été envoyé : il contient un retour à la ligne isolé (CR ou LF seul), que certains serveurs prendraient pour la fin du message en exécutant la suite comme un second envoi.",
                    "Si le texte vient d'un logiciel (API), faites-lui écrire des fins de ligne CRLF ou LF ; sinon, signalez-le à l'hébergeur avec l'heure de l'envoi.",
                ),
                (
                    "The message was not sent: it holds a lone line break (CR or LF alone), which some servers would take for the end of the message, running what follows as a second send.",
                    "If the text comes from software (API), have it write CRLF or LF line ends; otherwise report it to the host with the time of the send.",
                ),
            ),
        };
        match lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}
