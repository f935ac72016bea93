//! The error that crosses the server-function boundary. It carries what the user can act
//! on, never a database or SMTP message: internal causes are logged on the server and
//! reach the browser as [`AppError::Internal`].

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::api::sending::review::RefusedLine;
use crate::i18n::Lang;

/// How many refused recipient lines a message quotes (the rest are counted).
pub const SHOWN_LINES: usize = 10;

/// What was wrong with a form field, mirrored from the domain's `Invalid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    EmailMalformed,
    EmailDomainNotPublic,
    EmailLocalPartNotAscii,
    NameEmpty,
    NameTooLong,
    NameControlCharacters,
    PasswordTooShort,
    PasswordTooLong,
    PasswordsDiffer,
    EmailAlreadyInSchool,
    AlreadyRecipient,
    LastAdministrator,
    CannotRemoveSelf,
    RemovalNotConfirmed,
    AlreadyJoined,
    UnknownCategory,
    HostMalformed,
    PortInvalid,
    SecurityUnknown,
    RelayUnknown,
    UsernameMalformed,
    PasswordRequiredForNewServer,
    QuestionEmpty,
    QuestionMalformed,
    AnswerTooShort,
    AnswerTooLong,
    AnswersDiffer,
    CodeMalformed,
    PersonalAccountExists,
    OwnSmtpNotAllowed,
    WrongStep,
    TestRequired,
    SubjectEmpty,
    SubjectMalformed,
    BodyEmpty,
    BodyTooLong,
    BodyControlCharacters,
    PaceInvalid,
    NoRecipients,
    TooManyRecipients,
    AttachmentsTooLarge,
    TooManyAttachments,
    AttachmentNameMalformed,
    UploadUnreadable,
    TooManyDrafts,
    MessagePurged,
}

/// Why a verification code was refused, mirrored from the domain's `CodeRefusal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeProblem {
    Wrong { remaining: i32 },
    Expired,
    Voided,
    NonePending,
    ResendTooSoon { retry_after_secs: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    SignInRequired,
    #[error("no school selected")]
    NoSchool,
    #[error("invalid: {0:?}")]
    Invalid(Problem),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("invitation invalid")]
    InvitationInvalid,
    #[error("verification code refused")]
    Code(CodeProblem),
    /// `remaining` more tries before a lockout of `lockout_secs`.
    #[error("wrong secret answer")]
    AnswerWrong { remaining: i32, lockout_secs: i64 },
    #[error("mail not sent")]
    MailNotSent,
    /// Problems with the recipients (addresses, names, values, missing placeholder
    /// values): the first few and how many in all.
    #[error("recipients refused")]
    Recipients {
        shown: Vec<RefusedLine>,
        total: usize,
    },
    #[error("archive locked")]
    ArchiveLocked,
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
    /// The request itself could not be carried (network down, bad arguments).
    #[error("request failed")]
    Request,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Request,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::Request,
            _ => AppError::Internal,
        }
    }
}

impl AppError {
    /// Refused recipient lines, the first [`SHOWN_LINES`] of them.
    pub fn refused_lines(lines: impl ExactSizeIterator<Item = RefusedLine>) -> Self {
        let total = lines.len();
        let shown = lines.take(SHOWN_LINES).collect();
        AppError::Recipients { shown, total }
    }

    /// One sentence the user can act on, in their language.
    pub fn message(&self, lang: Lang) -> String {
        let t = |fr: &str, en: &str| lang.t_owned(fr, en);
        match self {
            AppError::NotFound => t("Introuvable.", "Not found."),
            AppError::Forbidden => t(
                "Cette page est réservée aux administrateurs de l'établissement.",
                "This page is for the school's administrators.",
            ),
            AppError::SignInRequired => t(
                "Votre session a expiré : reconnectez-vous.",
                "Your session has ended: please sign in again.",
            ),
            AppError::NoSchool => t(
                "Vous ne faites partie d'aucun établissement pour l'instant.",
                "You do not belong to any school yet.",
            ),
            AppError::Invalid(p) => p.message(lang),
            AppError::InvalidCredentials => t(
                "Adresse e-mail ou mot de passe incorrect.",
                "Wrong e-mail address or password.",
            ),
            AppError::TooManyAttempts { retry_after_secs } => {
                let minutes = (retry_after_secs + 59) / 60;
                match lang {
                    Lang::Fr => format!("Trop de tentatives. Réessayez dans {minutes} min."),
                    Lang::En => format!("Too many attempts. Try again in {minutes} min."),
                }
            }
            AppError::Code(problem) => problem.message(lang),
            AppError::AnswerWrong {
                remaining,
                lockout_secs,
            } => {
                let lock = lockout_words(*lockout_secs, lang);
                match lang {
                    Lang::Fr => format!(
                        "Réponse secrète incorrecte. Encore {remaining} essai(s) avant un blocage {lock}."
                    ),
                    Lang::En => {
                        format!(
                            "Wrong secret answer. {remaining} more tr(ies) before a {lock} lock."
                        )
                    }
                }
            }
            AppError::InvitationInvalid => t(
                "Ce lien d'invitation n'est plus valable : il a déjà servi, ou il a plus de 7 jours, ou une invitation plus récente l'a remplacé. Si vous avez déjà choisi votre mot de passe, connectez-vous. Sinon, demandez à l'administrateur de votre établissement de vous renvoyer l'invitation : il a un bouton « Renvoyer l'invitation » sur votre fiche de l'annuaire.",
                "This invitation link is no longer valid: it was used, is more than 7 days old, or a newer invitation replaced it. If you have already chosen your password, sign in. Otherwise, ask your school's administrator to send the invitation again: there is a “Send the invitation again” button on your entry in the directory.",
            ),
            AppError::Recipients { shown, total } => {
                let listed: Vec<String> = shown.iter().map(|l| l.message(lang)).collect();
                let more = match (total.saturating_sub(shown.len()), lang) {
                    (0, _) => String::new(),
                    (n, Lang::Fr) => format!(" Et {n} autre(s)."),
                    (n, Lang::En) => format!(" And {n} more."),
                };
                match lang {
                    Lang::Fr => format!(
                        "Rien n'a été envoyé : {total} problème(s) dans les destinataires. {}{more}",
                        listed.join(" ")
                    ),
                    Lang::En => format!(
                        "Nothing was sent: {total} problem(s) with the recipients. {}{more}",
                        listed.join(" ")
                    ),
                }
            }
            AppError::ArchiveLocked => t(
                "L'archive est verrouillée : donnez la réponse secrète du compte ou son fichier de récupération pour l'ouvrir (10 minutes).",
                "The archive is locked: give the account's secret answer or its recovery file to open it (10 minutes).",
            ),
            AppError::MailNotSent => t(
                "L'enregistrement est fait, mais l'e-mail n'a pas pu partir. Réessayez plus tard ou contactez l'hébergeur.",
                "Saved, but the e-mail could not be sent. Try again later or contact the host.",
            ),
            AppError::Unavailable => t(
                "Le service est momentanément indisponible. Réessayez dans quelques minutes ; rien n'a été perdu.",
                "The service is briefly unavailable. Try again in a few minutes; nothing was lost.",
            ),
            AppError::Internal => t(
                "Une erreur inattendue s'est produite. Réessayez ; si elle persiste, contactez l'hébergeur.",
                "An unexpected error occurred. Try again; if it persists, contact the host.",
            ),
            AppError::Request => t(
                "La demande n'a pas pu aboutir. Vérifiez votre connexion et réessayez.",
                "The request could not be completed. Check your connection and try again.",
            ),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status this answer is sent with. A refusal of what was asked (not found,
    /// not allowed, mistyped, wrong code, too many tries) is a 4xx, so that an operator's
    /// alert on 5xx fires only on real faults: the database, our own code, the mail relay.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::NotFound => S::NOT_FOUND,
            AppError::Forbidden | AppError::NoSchool | AppError::ArchiveLocked => S::FORBIDDEN,
            AppError::SignInRequired | AppError::InvalidCredentials => S::UNAUTHORIZED,
            AppError::Invalid(problem) => problem.status(),
            AppError::TooManyAttempts { .. } => S::TOO_MANY_REQUESTS,
            AppError::InvitationInvalid => S::GONE,
            AppError::Code(CodeProblem::ResendTooSoon { .. }) => S::TOO_MANY_REQUESTS,
            AppError::Code(
                CodeProblem::Wrong { .. }
                | CodeProblem::Expired
                | CodeProblem::Voided
                | CodeProblem::NonePending,
            ) => S::UNPROCESSABLE_ENTITY,
            AppError::AnswerWrong { .. } | AppError::Recipients { .. } => S::UNPROCESSABLE_ENTITY,
            AppError::Request => S::BAD_REQUEST,
            AppError::MailNotSent => S::BAD_GATEWAY,
            AppError::Unavailable => S::SERVICE_UNAVAILABLE,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }
}

#[cfg(feature = "ssr")]
impl Problem {
    /// 409 when the request clashes with what is already there (a duplicate, the last
    /// administrator, a step that has moved on); 422 when what was typed is refused.
    fn status(self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Problem::EmailAlreadyInSchool
            | Problem::AlreadyRecipient
            | Problem::LastAdministrator
            | Problem::CannotRemoveSelf
            | Problem::AlreadyJoined
            | Problem::PersonalAccountExists
            | Problem::WrongStep
            | Problem::TestRequired
            | Problem::TooManyDrafts => S::CONFLICT,
            Problem::MessagePurged => S::GONE,
            Problem::EmailMalformed
            | Problem::EmailDomainNotPublic
            | Problem::EmailLocalPartNotAscii
            | Problem::NameEmpty
            | Problem::NameTooLong
            | Problem::NameControlCharacters
            | Problem::PasswordTooShort
            | Problem::PasswordTooLong
            | Problem::PasswordsDiffer
            | Problem::UnknownCategory
            | Problem::RemovalNotConfirmed
            | Problem::HostMalformed
            | Problem::PortInvalid
            | Problem::SecurityUnknown
            | Problem::RelayUnknown
            | Problem::UsernameMalformed
            | Problem::PasswordRequiredForNewServer
            | Problem::QuestionEmpty
            | Problem::QuestionMalformed
            | Problem::AnswerTooShort
            | Problem::AnswerTooLong
            | Problem::AnswersDiffer
            | Problem::CodeMalformed
            | Problem::OwnSmtpNotAllowed
            | Problem::SubjectEmpty
            | Problem::SubjectMalformed
            | Problem::BodyEmpty
            | Problem::BodyTooLong
            | Problem::BodyControlCharacters
            | Problem::PaceInvalid
            | Problem::NoRecipients
            | Problem::TooManyRecipients
            | Problem::AttachmentsTooLarge
            | Problem::TooManyAttachments
            | Problem::AttachmentNameMalformed
            | Problem::UploadUnreadable => S::UNPROCESSABLE_ENTITY,
        }
    }
}

/// A lockout's length as the sentence around it needs it: "de 30 minutes" / "30-minute",
/// "d'une heure" / "1-hour", "de 16 heures" / "16-hour" (lockouts are whole quarter hours,
/// and whole hours from the first hour on).
fn lockout_words(secs: i64, lang: Lang) -> String {
    let minutes = (secs.max(0) + 59) / 60;
    match (minutes, lang) {
        (m, Lang::Fr) if m < 60 || m % 60 != 0 => format!("de {m} minutes"),
        (m, Lang::En) if m < 60 || m % 60 != 0 => format!("{m}-minute"),
        (60, Lang::Fr) => "d'une heure".to_owned(),
        (m, Lang::Fr) => format!("de {} heures", m / 60),
        (m, Lang::En) => format!("{}-hour", m / 60),
    }
}

impl Problem {
    pub fn message(self, lang: Lang) -> String {
        let (fr, en) = match self {
            Problem::EmailMalformed => (
                "L'adresse e-mail n'est pas valide (exemple : prenom.nom@ac-academie.fr).",
                "The e-mail address is not valid (example: first.last@school.org).",
            ),
            Problem::EmailDomainNotPublic => (
                "Après le @, il faut un vrai nom de domaine avec un point (exemple : ac-lyon.fr) : ni adresse IP, ni localhost.",
                "After the @ there must be a real domain name with a dot (example: school.org): not an IP address or localhost.",
            ),
            Problem::EmailLocalPartNotAscii => (
                "Les accents et caractères spéciaux ne passent pas avant le @ : vérifiez l'adresse exacte.",
                "Accents and special characters cannot be sent before the @: check the exact address.",
            ),
            Problem::NameEmpty => ("Le nom est obligatoire.", "The name is required."),
            Problem::NameTooLong => (
                "Le nom est trop long (120 caractères au plus).",
                "The name is too long (120 characters at most).",
            ),
            Problem::NameControlCharacters => (
                "Le nom ne doit contenir ni retour à la ligne ni caractère de contrôle.",
                "The name must not contain line breaks or control characters.",
            ),
            Problem::PasswordTooShort => (
                "Le mot de passe doit compter au moins 10 caractères.",
                "The password must be at least 10 characters long.",
            ),
            Problem::PasswordTooLong => (
                "Le mot de passe est trop long.",
                "The password is too long.",
            ),
            Problem::PasswordsDiffer => (
                "Les deux mots de passe ne sont pas identiques.",
                "The two passwords differ.",
            ),
            Problem::EmailAlreadyInSchool => (
                "Cette adresse figure déjà dans l'annuaire de l'établissement.",
                "This address is already in the school's directory.",
            ),
            Problem::AlreadyRecipient => (
                "Cette adresse reçoit déjà ce message.",
                "This address already receives this message.",
            ),
            Problem::LastAdministrator => (
                "L'établissement doit garder au moins un administrateur.",
                "The school must keep at least one administrator.",
            ),
            Problem::CannotRemoveSelf => (
                "Vous ne pouvez pas vous retirer vous-même de l'annuaire.",
                "You cannot remove yourself from the directory.",
            ),
            Problem::RemovalNotConfirmed => (
                "Cochez la case pour confirmer le retrait : rien n'a été retiré.",
                "Tick the box to confirm the removal: nothing was removed.",
            ),
            Problem::AlreadyJoined => (
                "Cette personne a déjà choisi son mot de passe : elle se connecte avec son adresse e-mail et ce mot de passe. Aucune invitation n'a été envoyée.",
                "This person has already chosen a password: they sign in with their e-mail address. No invitation was sent.",
            ),
            Problem::UnknownCategory => (
                "Choisissez « Personnel » ou « Enseignant ».",
                "Choose “Staff” or “Teacher”.",
            ),
            Problem::HostMalformed => (
                "Indiquez le nom du serveur SMTP, par exemple smtp.ac-academie.fr.",
                "Give the SMTP server's name, for example smtp.school.org.",
            ),
            Problem::PortInvalid => (
                "Le port est un nombre de 1 à 65535 (souvent 587 ou 465).",
                "The port is a number from 1 to 65535 (often 587 or 465).",
            ),
            Problem::SecurityUnknown => (
                "Choisissez une sécurité de connexion dans la liste.",
                "Choose a connection security from the list.",
            ),
            Problem::RelayUnknown => (
                "Choisissez le service de l'hébergeur ou le serveur de l'établissement.",
                "Choose the host's service or the school's server.",
            ),
            Problem::UsernameMalformed => (
                "L'identifiant SMTP est trop long ou contient des caractères de contrôle.",
                "The SMTP user name is too long or contains control characters.",
            ),
            Problem::PasswordRequiredForNewServer => (
                "Le serveur ou l'identifiant a changé : saisissez de nouveau le mot de passe SMTP.",
                "The server or user name changed: type the SMTP password again.",
            ),
            Problem::QuestionEmpty => (
                "Choisissez une question dans la liste ou écrivez la vôtre.",
                "Choose a question from the list or write your own.",
            ),
            Problem::QuestionMalformed => (
                "La question est trop longue (200 caractères au plus) ou contient des retours à la ligne.",
                "The question is too long (200 characters at most) or contains line breaks.",
            ),
            Problem::AnswerTooShort => (
                "La réponse doit compter au moins 3 caractères.",
                "The answer must be at least 3 characters long.",
            ),
            Problem::AnswerTooLong => (
                "La réponse est trop longue (200 caractères au plus).",
                "The answer is too long (200 characters at most).",
            ),
            Problem::AnswersDiffer => (
                "Les deux réponses ne sont pas identiques : saisissez-les de nouveau.",
                "The two answers differ: type them again.",
            ),
            Problem::CodeMalformed => (
                "Le code est composé de 6 chiffres : recopiez-le depuis l'e-mail reçu.",
                "The code is 6 digits: copy it from the e-mail you received.",
            ),
            Problem::PersonalAccountExists => (
                "Vous avez déjà un compte personnel dans cet établissement : ouvrez-le dans la liste.",
                "You already have a personal account in this school: open it from the list.",
            ),
            Problem::OwnSmtpNotAllowed => (
                "L'établissement délègue l'envoi de tous les e-mails au serveur : laissez « Utiliser les paramètres du serveur » coché.",
                "The school delivers all e-mail through the server: keep “Use the server settings” ticked.",
            ),
            Problem::SubjectEmpty => (
                "L'objet du message est obligatoire.",
                "The subject is required.",
            ),
            Problem::SubjectMalformed => (
                "L'objet est trop long (250 caractères au plus) ou contient un retour à la ligne.",
                "The subject is too long (250 characters at most) or contains a line break.",
            ),
            Problem::BodyEmpty => (
                "Le texte du message est vide.",
                "The message text is empty.",
            ),
            Problem::BodyTooLong => (
                "Le texte du message est trop long (100 Ko au plus) : mettez le reste en pièce jointe.",
                "The message text is too long (100 KB at most): attach the rest as a file.",
            ),
            Problem::BodyControlCharacters => (
                "Le texte contient des caractères de contrôle invisibles (souvent après un copier-coller) : retapez le passage en cause.",
                "The text contains invisible control characters (often from copy and paste): retype the passage.",
            ),
            Problem::PaceInvalid => (
                "Le rythme d'envoi est un nombre entier : de 1 à 10 000 messages par minute, de 1 à 1 000 000 par jour (vide : 30 par minute et 10 000 par jour).",
                "The sending pace is a whole number: 1 to 10,000 messages a minute, 1 to 1,000,000 a day (empty: 30 a minute and 10,000 a day).",
            ),
            Problem::NoRecipients => (
                "Ajoutez au moins un destinataire.",
                "Add at least one recipient.",
            ),
            Problem::TooManyRecipients => (
                "5 000 destinataires au plus par envoi : partagez la liste en plusieurs envois.",
                "5,000 recipients at most per send: split the list into several sends.",
            ),
            Problem::AttachmentsTooLarge => (
                "Les pièces jointes dépassent 10 Mo au total : retirez-en ou compressez-les.",
                "The attachments exceed 10 MB in total: remove or compress some.",
            ),
            Problem::TooManyAttachments => (
                "10 pièces jointes au plus par message.",
                "10 attachments at most per message.",
            ),
            Problem::AttachmentNameMalformed => (
                "Le nom d'une pièce jointe est vide, trop long (200 caractères au plus) ou contient des caractères interdits (/, \\, caractères invisibles ou de contrôle) : renommez le fichier et ajoutez-le de nouveau.",
                "An attachment's name is empty, too long (200 characters at most) or contains forbidden characters (/, \\, invisible or control characters): rename the file and add it again.",
            ),
            Problem::UploadUnreadable => (
                "Le formulaire n'a pas pu être lu jusqu'au bout (souvent le nom d'un fichier) : le texte est gardé ; renommez les fichiers joints et ajoutez-les de nouveau.",
                "The form could not be read to its end (often a file's name): the text is kept; rename the attached files and add them again.",
            ),
            Problem::TooManyDrafts => (
                "Vous avez déjà 50 brouillons non envoyés dans cet établissement : celui-ci n'a pas été enregistré (revenir à la page précédente du navigateur retrouve souvent le texte). Un brouillon non modifié est effacé au bout de 30 jours (réglage de l'hébergeur).",
                "You already have 50 unsent drafts in this school: this one was not saved (going back to the browser's previous page often recovers the text). A draft left unchanged is deleted after 30 days (the host's setting).",
            ),
            Problem::MessagePurged => (
                "Cet envoi ne peut plus être renvoyé : passé le délai de conservation, son texte, ses pièces jointes et les valeurs propres à chaque destinataire ont été effacés. Écrivez un nouveau message ; l'archive du compte en garde une copie scellée.",
                "This send can no longer be retried: after the retention period its text, attachments and each recipient's values were deleted. Write a new message; the account's archive keeps a sealed copy.",
            ),
            Problem::WrongStep => (
                "Cette étape n'est pas (ou plus) celle du compte : la page a été mise à jour.",
                "This is not (or no longer) the account's current step: the page has been refreshed.",
            ),
            Problem::TestRequired => (
                "Le compte n'a pas été validé : testez d'abord l'envoi avec ces paramètres. Il ne peut être validé qu'après un test réussi des paramètres choisis, tels quels.",
                "The account was not validated: test sending with these settings first. It can be validated only after a passing test of the chosen settings, exactly as they are.",
            ),
        };
        lang.t_owned(fr, en)
    }
}

impl CodeProblem {
    pub fn message(self, lang: Lang) -> String {
        match (self, lang) {
            (CodeProblem::Wrong { remaining }, Lang::Fr) => format!(
                "Code incorrect. Vérifiez les 6 chiffres : encore {remaining} essai(s) avant que ce code soit annulé."
            ),
            (CodeProblem::Wrong { remaining }, Lang::En) => format!(
                "Wrong code. Check the 6 digits: {remaining} more tr(ies) before this code is voided."
            ),
            (CodeProblem::Expired, _) => lang.t_owned(
                "Code expiré (il est valable 10 minutes) : demandez-en un nouveau.",
                "Code expired (it lasts 10 minutes): ask for a new one.",
            ),
            (CodeProblem::Voided, _) => lang.t_owned(
                "Ce code est annulé après 5 essais incorrects : demandez-en un nouveau.",
                "This code was voided after 5 wrong tries: ask for a new one.",
            ),
            (CodeProblem::NonePending, _) => lang.t_owned(
                "Aucun code en attente pour ce compte : demandez un nouveau code.",
                "No code is waiting for this account: ask for a new one.",
            ),
            (CodeProblem::ResendTooSoon { retry_after_secs }, Lang::Fr) => format!(
                "Un code vient d'être envoyé. Vous pourrez en demander un nouveau dans {retry_after_secs} s ; pensez à regarder dans les courriers indésirables."
            ),
            (CodeProblem::ResendTooSoon { retry_after_secs }, Lang::En) => format!(
                "A code was just sent. You can ask for a new one in {retry_after_secs} s; check your spam folder too."
            ),
        }
    }
}

impl Lang {
    fn t_owned(self, fr: &str, en: &str) -> String {
        match self {
            Lang::Fr => fr.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_wrong(lockout_secs: i64, lang: Lang) -> String {
        AppError::AnswerWrong {
            remaining: 4,
            lockout_secs,
        }
        .message(lang)
    }

    #[test]
    fn a_wrong_answer_states_the_length_of_the_lockout_it_leads_to() {
        assert_eq!(
            answer_wrong(900, Lang::Fr),
            "Réponse secrète incorrecte. Encore 4 essai(s) avant un blocage de 15 minutes."
        );
        // The second lockout lasts twice as long as the first.
        assert_eq!(
            answer_wrong(1800, Lang::Fr),
            "Réponse secrète incorrecte. Encore 4 essai(s) avant un blocage de 30 minutes."
        );
        assert_eq!(
            answer_wrong(1800, Lang::En),
            "Wrong secret answer. 4 more tr(ies) before a 30-minute lock."
        );
        assert!(answer_wrong(3600, Lang::Fr).ends_with("blocage d'une heure."));
        assert!(answer_wrong(57_600, Lang::Fr).ends_with("blocage de 16 heures."));
        assert!(answer_wrong(57_600, Lang::En).ends_with("a 16-hour lock."));
    }
}
