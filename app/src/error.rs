//! The error that crosses the server-function boundary. It carries what the user can act
//! on, never a database or SMTP message: internal causes are logged on the server and
//! reach the browser as [`AppError::Internal`].

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::api::sending::review::RefusedLine;
use crate::i18n::Lang;
pub use vocabulary::{CodeRefusal, Invalid};

/// How many refused recipient lines a message quotes (the rest are counted).
pub const SHOWN_LINES: usize = 10;

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
    Invalid(Invalid),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("invitation invalid")]
    InvitationInvalid,
    #[error("verification code refused")]
    Code(CodeRefusal),
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

/// A value of the shared vocabulary, worded for the user in their language.
pub trait Sentence {
    fn message(self, lang: Lang) -> String;
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
                "Ce lien d'invitation n'est plus valable : il a déjà servi, ou il a expiré, ou une invitation plus récente l'a remplacé. Si vous avez déjà choisi votre mot de passe, connectez-vous. Sinon, demandez à l'administrateur de votre établissement de vous renvoyer l'invitation : il a un bouton « Renvoyer l'invitation » sur votre fiche de l'annuaire.",
                "This invitation link is no longer valid: it was used, expired, or a newer invitation replaced it. If you have already chosen your password, sign in. Otherwise, ask your school's administrator to send the invitation again: there is a “Send the invitation again” button on your entry in the directory.",
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
            AppError::Invalid(problem) => invalid_status(*problem),
            AppError::TooManyAttempts { .. } => S::TOO_MANY_REQUESTS,
            AppError::InvitationInvalid => S::GONE,
            AppError::Code(CodeRefusal::ResendTooSoon { .. }) => S::TOO_MANY_REQUESTS,
            AppError::Code(
                CodeRefusal::Wrong { .. }
                | CodeRefusal::Expired { .. }
                | CodeRefusal::Voided { .. }
                | CodeRefusal::NonePending,
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
/// 409 when the request clashes with what is already there (a duplicate, the last
/// administrator, a step that has moved on); 422 when what was typed is refused.
fn invalid_status(problem: Invalid) -> http::StatusCode {
    use http::StatusCode as S;
    match problem {
        Invalid::EmailAlreadyInSchool
        | Invalid::AlreadyRecipient
        | Invalid::LastAdministrator
        | Invalid::CannotRemoveSelf
        | Invalid::AlreadyJoined
        | Invalid::PersonalAccountExists
        | Invalid::WrongStep
        | Invalid::TestRequired
        | Invalid::TooManyDrafts => S::CONFLICT,
        Invalid::MessagePurged => S::GONE,
        Invalid::EmailMalformed
        | Invalid::EmailDomainNotPublic
        | Invalid::EmailLocalPartNotAscii
        | Invalid::NameEmpty
        | Invalid::NameTooLong
        | Invalid::NameControlCharacters
        | Invalid::PasswordTooShort
        | Invalid::PasswordTooLong
        | Invalid::PasswordsDiffer
        | Invalid::UnknownCategory
        | Invalid::RemovalNotConfirmed
        | Invalid::HostMalformed
        | Invalid::PortInvalid
        | Invalid::SecurityUnknown
        | Invalid::RelayUnknown
        | Invalid::UsernameMalformed
        | Invalid::PasswordRequiredForNewServer
        | Invalid::QuestionEmpty
        | Invalid::QuestionMalformed
        | Invalid::AnswerTooShort
        | Invalid::AnswerTooLong
        | Invalid::AnswersDiffer
        | Invalid::CodeMalformed
        | Invalid::OwnSmtpNotAllowed
        | Invalid::SubjectEmpty
        | Invalid::SubjectMalformed
        | Invalid::BodyEmpty
        | Invalid::BodyTooLong
        | Invalid::BodyControlCharacters
        | Invalid::PaceInvalid
        | Invalid::NoRecipients
        | Invalid::TooManyRecipients
        | Invalid::AttachmentsTooLarge
        | Invalid::TooManyAttachments
        | Invalid::AttachmentNameMalformed
        | Invalid::UploadUnreadable => S::UNPROCESSABLE_ENTITY,
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

impl Sentence for Invalid {
    fn message(self, lang: Lang) -> String {
        let (fr, en) = match self {
            Invalid::EmailMalformed => (
                "L'adresse e-mail n'est pas valide (exemple : prenom.nom@ac-academie.fr).",
                "The e-mail address is not valid (example: first.last@school.org).",
            ),
            Invalid::EmailDomainNotPublic => (
                "Après le @, il faut un vrai nom de domaine avec un point (exemple : ac-lyon.fr) : ni adresse IP, ni localhost.",
                "After the @ there must be a real domain name with a dot (example: school.org): not an IP address or localhost.",
            ),
            Invalid::EmailLocalPartNotAscii => (
                "Les accents et caractères spéciaux ne passent pas avant le @ : vérifiez l'adresse exacte.",
                "Accents and special characters cannot be sent before the @: check the exact address.",
            ),
            Invalid::NameEmpty => ("Le nom est obligatoire.", "The name is required."),
            Invalid::NameTooLong => (
                "Le nom est trop long ({n} caractères au plus).",
                "The name is too long ({n} characters at most).",
            ),
            Invalid::NameControlCharacters => (
                "Le nom ne doit contenir ni retour à la ligne ni caractère de contrôle.",
                "The name must not contain line breaks or control characters.",
            ),
            Invalid::PasswordTooShort => (
                "Le mot de passe doit compter au moins {n} caractères.",
                "The password must be at least {n} characters long.",
            ),
            Invalid::PasswordTooLong => (
                "Le mot de passe est trop long.",
                "The password is too long.",
            ),
            Invalid::PasswordsDiffer => (
                "Les deux mots de passe ne sont pas identiques.",
                "The two passwords differ.",
            ),
            Invalid::EmailAlreadyInSchool => (
                "Cette adresse figure déjà dans l'annuaire de l'établissement.",
                "This address is already in the school's directory.",
            ),
            Invalid::AlreadyRecipient => (
                "Cette adresse reçoit déjà ce message.",
                "This address already receives this message.",
            ),
            Invalid::LastAdministrator => (
                "L'établissement doit garder au moins un administrateur.",
                "The school must keep at least one administrator.",
            ),
            Invalid::CannotRemoveSelf => (
                "Vous ne pouvez pas vous retirer vous-même de l'annuaire.",
                "You cannot remove yourself from the directory.",
            ),
            Invalid::RemovalNotConfirmed => (
                "Cochez la case pour confirmer le retrait : rien n'a été retiré.",
                "Tick the box to confirm the removal: nothing was removed.",
            ),
            Invalid::AlreadyJoined => (
                "Cette personne a déjà choisi son mot de passe : elle se connecte avec son adresse e-mail et ce mot de passe. Aucune invitation n'a été envoyée.",
                "This person has already chosen a password: they sign in with their e-mail address. No invitation was sent.",
            ),
            Invalid::UnknownCategory => (
                "Choisissez « Personnel » ou « Enseignant ».",
                "Choose “Staff” or “Teacher”.",
            ),
            Invalid::HostMalformed => (
                "Indiquez le nom du serveur SMTP, par exemple smtp.ac-academie.fr.",
                "Give the SMTP server's name, for example smtp.school.org.",
            ),
            Invalid::PortInvalid => (
                "Le port est un nombre de 1 à 65535 (souvent 587 ou 465).",
                "The port is a number from 1 to 65535 (often 587 or 465).",
            ),
            Invalid::SecurityUnknown => (
                "Choisissez une sécurité de connexion dans la liste.",
                "Choose a connection security from the list.",
            ),
            Invalid::RelayUnknown => (
                "Choisissez le service de l'hébergeur ou le serveur de l'établissement.",
                "Choose the host's service or the school's server.",
            ),
            Invalid::UsernameMalformed => (
                "L'identifiant SMTP est trop long ou contient des caractères de contrôle.",
                "The SMTP user name is too long or contains control characters.",
            ),
            Invalid::PasswordRequiredForNewServer => (
                "Le serveur ou l'identifiant a changé : saisissez de nouveau le mot de passe SMTP.",
                "The server or user name changed: type the SMTP password again.",
            ),
            Invalid::QuestionEmpty => (
                "Choisissez une question dans la liste ou écrivez la vôtre.",
                "Choose a question from the list or write your own.",
            ),
            Invalid::QuestionMalformed => (
                "La question est trop longue ({n} caractères au plus) ou contient des retours à la ligne.",
                "The question is too long ({n} characters at most) or contains line breaks.",
            ),
            Invalid::AnswerTooShort => (
                "La réponse doit compter au moins {n} caractères.",
                "The answer must be at least {n} characters long.",
            ),
            Invalid::AnswerTooLong => (
                "La réponse est trop longue ({n} caractères au plus).",
                "The answer is too long ({n} characters at most).",
            ),
            Invalid::AnswersDiffer => (
                "Les deux réponses ne sont pas identiques : saisissez-les de nouveau.",
                "The two answers differ: type them again.",
            ),
            Invalid::CodeMalformed => (
                "Le code est composé de {n} chiffres : recopiez-le depuis l'e-mail reçu.",
                "The code is {n} digits: copy it from the e-mail you received.",
            ),
            Invalid::PersonalAccountExists => (
                "Vous avez déjà un compte personnel dans cet établissement : ouvrez-le dans la liste.",
                "You already have a personal account in this school: open it from the list.",
            ),
            Invalid::OwnSmtpNotAllowed => (
                "L'établissement délègue l'envoi de tous les e-mails au serveur : laissez « Utiliser les paramètres du serveur » coché.",
                "The school delivers all e-mail through the server: keep “Use the server settings” ticked.",
            ),
            Invalid::SubjectEmpty => (
                "L'objet du message est obligatoire.",
                "The subject is required.",
            ),
            Invalid::SubjectMalformed => (
                "L'objet est trop long ({n} caractères au plus) ou contient un retour à la ligne.",
                "The subject is too long ({n} characters at most) or contains a line break.",
            ),
            Invalid::BodyEmpty => (
                "Le texte du message est vide.",
                "The message text is empty.",
            ),
            Invalid::BodyTooLong => (
                "Le texte du message est trop long ({n} au plus) : mettez le reste en pièce jointe.",
                "The message text is too long ({n} at most): attach the rest as a file.",
            ),
            Invalid::BodyControlCharacters => (
                "Le texte contient des caractères de contrôle invisibles (souvent après un copier-coller) : retapez le passage en cause.",
                "The text contains invisible control characters (often from copy and paste): retype the passage.",
            ),
            Invalid::PaceInvalid => (
                "Le rythme d'envoi est un nombre entier : de {n} messages par minute, de {n2} par jour (vide : {n3} par minute et {n4} par jour).",
                "The sending pace is a whole number: {n} messages a minute, {n2} a day (empty: {n3} a minute and {n4} a day).",
            ),
            Invalid::NoRecipients => (
                "Ajoutez au moins un destinataire.",
                "Add at least one recipient.",
            ),
            Invalid::TooManyRecipients => (
                "{n} destinataires au plus par envoi : partagez la liste en plusieurs envois.",
                "{n} recipients at most per send: split the list into several sends.",
            ),
            Invalid::AttachmentsTooLarge => (
                "Les pièces jointes dépassent {n} au total : retirez-en ou compressez-les.",
                "The attachments exceed {n} in total: remove or compress some.",
            ),
            Invalid::TooManyAttachments => (
                "{n} pièces jointes au plus par message.",
                "{n} attachments at most per message.",
            ),
            Invalid::AttachmentNameMalformed => (
                "Le nom d'une pièce jointe est vide, trop long ({n} caractères au plus) ou contient des caractères interdits (/, \\, caractères invisibles ou de contrôle) : renommez le fichier et ajoutez-le de nouveau.",
                "An attachment's name is empty, too long ({n} characters at most) or contains forbidden characters (/, \\, invisible or control characters): rename the file and add it again.",
            ),
            Invalid::UploadUnreadable => (
                "Le formulaire n'a pas pu être lu jusqu'au bout (souvent le nom d'un fichier) : le texte est gardé ; renommez les fichiers joints et ajoutez-les de nouveau.",
                "The form could not be read to its end (often a file's name): the text is kept; rename the attached files and add them again.",
            ),
            Invalid::TooManyDrafts => (
                "Vous avez déjà {n} brouillons non envoyés dans cet établissement : celui-ci n'a pas été enregistré (revenir à la page précédente du navigateur retrouve souvent le texte). Un brouillon non modifié est effacé au bout du délai que fixe l'hébergeur.",
                "You already have {n} unsent drafts in this school: this one was not saved (going back to the browser's previous page often recovers the text). A draft left unchanged is deleted after a time the host sets.",
            ),
            Invalid::MessagePurged => (
                "Cet envoi ne peut plus être renvoyé : passé le délai de conservation, son texte, ses pièces jointes et les valeurs propres à chaque destinataire ont été effacés. Écrivez un nouveau message ; l'archive du compte en garde une copie scellée.",
                "This send can no longer be retried: after the retention period its text, attachments and each recipient's values were deleted. Write a new message; the account's archive keeps a sealed copy.",
            ),
            Invalid::WrongStep => (
                "Cette étape n'est pas (ou plus) celle du compte : la page a été mise à jour.",
                "This is not (or no longer) the account's current step: the page has been refreshed.",
            ),
            Invalid::TestRequired => (
                "Le compte n'a pas été validé : testez d'abord l'envoi avec ces paramètres. Il ne peut être validé qu'après un test réussi des paramètres choisis, tels quels.",
                "The account was not validated: test sending with these settings first. It can be validated only after a passing test of the chosen settings, exactly as they are.",
            ),
        };
        let mut sentence = lang.t_owned(fr, en);
        for (slot, figure) in ["{n}", "{n2}", "{n3}", "{n4}"]
            .into_iter()
            .zip(figures(self, lang))
        {
            sentence = sentence.replace(slot, &figure);
        }
        sentence
    }
}

/// The limits an [`Invalid`] sentence states, in the order of its `{n}`, `{n2}`… slots,
/// taken from the rules themselves ([`vocabulary::limits`]).
fn figures(problem: Invalid, lang: Lang) -> Vec<String> {
    use vocabulary::limits as L;
    let count = |n: usize| lang.number(n as u64);
    let range = |r: &std::ops::RangeInclusive<u32>| {
        let to = lang.t(" à ", " to ");
        format!(
            "{}{to}{}",
            lang.number(u64::from(*r.start())),
            lang.number(u64::from(*r.end()))
        )
    };
    match problem {
        Invalid::NameTooLong => vec![count(L::NAME_MAX_CHARS)],
        Invalid::PasswordTooShort => vec![count(L::PASSWORD_MIN_CHARS)],
        Invalid::QuestionMalformed => vec![count(L::QUESTION_MAX_CHARS)],
        Invalid::AnswerTooShort => vec![count(L::ANSWER_MIN_CHARS)],
        Invalid::AnswerTooLong => vec![count(L::ANSWER_MAX_CHARS)],
        Invalid::CodeMalformed => vec![count(L::CODE_DIGITS)],
        Invalid::SubjectMalformed => vec![count(L::MAX_SUBJECT_CHARS)],
        Invalid::BodyTooLong => vec![lang.size(L::MAX_BODY_BYTES)],
        Invalid::PaceInvalid => vec![
            range(&L::PACE_PER_MINUTE),
            range(&L::PACE_PER_DAY),
            lang.number(u64::from(L::DEFAULT_PACE_PER_MINUTE)),
            lang.number(u64::from(L::DEFAULT_PACE_PER_DAY)),
        ],
        Invalid::TooManyRecipients => vec![count(L::MAX_RECIPIENTS)],
        Invalid::AttachmentsTooLarge => vec![lang.size(L::MAX_ATTACHMENT_BYTES)],
        Invalid::TooManyAttachments => vec![count(L::MAX_ATTACHMENTS)],
        Invalid::AttachmentNameMalformed => vec![count(L::MAX_FILE_NAME_CHARS)],
        Invalid::TooManyDrafts => vec![lang.number(L::MAX_DRAFTS_PER_PERSON)],
        Invalid::EmailMalformed
        | Invalid::EmailDomainNotPublic
        | Invalid::EmailLocalPartNotAscii
        | Invalid::NameEmpty
        | Invalid::NameControlCharacters
        | Invalid::PasswordTooLong
        | Invalid::PasswordsDiffer
        | Invalid::EmailAlreadyInSchool
        | Invalid::AlreadyRecipient
        | Invalid::LastAdministrator
        | Invalid::CannotRemoveSelf
        | Invalid::RemovalNotConfirmed
        | Invalid::AlreadyJoined
        | Invalid::UnknownCategory
        | Invalid::HostMalformed
        | Invalid::PortInvalid
        | Invalid::SecurityUnknown
        | Invalid::RelayUnknown
        | Invalid::UsernameMalformed
        | Invalid::PasswordRequiredForNewServer
        | Invalid::QuestionEmpty
        | Invalid::AnswersDiffer
        | Invalid::PersonalAccountExists
        | Invalid::OwnSmtpNotAllowed
        | Invalid::WrongStep
        | Invalid::TestRequired
        | Invalid::SubjectEmpty
        | Invalid::BodyEmpty
        | Invalid::BodyControlCharacters
        | Invalid::NoRecipients
        | Invalid::UploadUnreadable
        | Invalid::MessagePurged => Vec::new(),
    }
}

impl Sentence for CodeRefusal {
    fn message(self, lang: Lang) -> String {
        match (self, lang) {
            (CodeRefusal::Wrong { remaining }, Lang::Fr) => format!(
                "Code incorrect. Vérifiez les {digits} chiffres : encore {remaining} essai(s) avant que ce code soit annulé.",
                digits = vocabulary::limits::CODE_DIGITS
            ),
            (CodeRefusal::Wrong { remaining }, Lang::En) => format!(
                "Wrong code. Check the {digits} digits: {remaining} more tr(ies) before this code is voided.",
                digits = vocabulary::limits::CODE_DIGITS
            ),
            (CodeRefusal::Expired { lifetime_secs }, Lang::Fr) => format!(
                "Code expiré (il est valable {}) : demandez-en un nouveau.",
                lang.duration(lifetime_secs)
            ),
            (CodeRefusal::Expired { lifetime_secs }, Lang::En) => format!(
                "Code expired (it is valid for {}): ask for a new one.",
                lang.duration(lifetime_secs)
            ),
            (CodeRefusal::Voided { after_tries }, Lang::Fr) => format!(
                "Ce code est annulé après {after_tries} essais incorrects : demandez-en un nouveau."
            ),
            (CodeRefusal::Voided { after_tries }, Lang::En) => {
                format!("This code was voided after {after_tries} wrong tries: ask for a new one.")
            }
            (CodeRefusal::NonePending, _) => lang.t_owned(
                "Aucun code en attente pour ce compte : demandez un nouveau code.",
                "No code is waiting for this account: ask for a new one.",
            ),
            (CodeRefusal::ResendTooSoon { retry_after_secs }, Lang::Fr) => format!(
                "Un code vient d'être envoyé. Vous pourrez en demander un nouveau dans {retry_after_secs} s ; pensez à regarder dans les courriers indésirables."
            ),
            (CodeRefusal::ResendTooSoon { retry_after_secs }, Lang::En) => format!(
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

    /// Every sentence that states a limit takes it from the rule: change a limit in
    /// `vocabulary::limits` and the sentence follows; no slot is left unfilled.
    #[test]
    fn limits_in_sentences_come_from_the_rules() {
        use vocabulary::limits as L;
        for lang in [Lang::Fr, Lang::En] {
            let said = |p: Invalid| p.message(lang);
            assert!(said(Invalid::NameTooLong).contains(&L::NAME_MAX_CHARS.to_string()));
            assert!(said(Invalid::PasswordTooShort).contains(&L::PASSWORD_MIN_CHARS.to_string()));
            assert!(said(Invalid::AnswerTooShort).contains(&L::ANSWER_MIN_CHARS.to_string()));
            assert!(said(Invalid::SubjectMalformed).contains(&L::MAX_SUBJECT_CHARS.to_string()));
            assert!(said(Invalid::TooManyAttachments).contains(&L::MAX_ATTACHMENTS.to_string()));
            assert!(said(Invalid::BodyTooLong).contains(&lang.size(L::MAX_BODY_BYTES)));
            assert!(
                said(Invalid::AttachmentsTooLarge).contains(&lang.size(L::MAX_ATTACHMENT_BYTES))
            );
            assert!(
                said(Invalid::TooManyRecipients).contains(&lang.number(L::MAX_RECIPIENTS as u64))
            );
            assert!(said(Invalid::TooManyDrafts).contains(&lang.number(L::MAX_DRAFTS_PER_PERSON)));
            let pace = said(Invalid::PaceInvalid);
            assert!(
                pace.contains(&lang.number(u64::from(*L::PACE_PER_DAY.end()))),
                "{pace}"
            );
            assert!(
                pace.contains(&lang.number(u64::from(L::DEFAULT_PACE_PER_DAY))),
                "{pace}"
            );
            for p in [
                Invalid::NameTooLong,
                Invalid::PaceInvalid,
                Invalid::CodeMalformed,
                Invalid::EmailMalformed,
            ] {
                assert!(!said(p).contains('{'), "{p:?}: {}", said(p));
            }
        }
    }

    /// A refused code states the lifetime and the number of tries the domain applied, not
    /// figures typed again here.
    #[test]
    fn a_refused_code_states_the_figures_it_carries() {
        let expired = CodeRefusal::Expired {
            lifetime_secs: 15 * 60,
        };
        assert!(expired.message(Lang::Fr).contains("valable 15 minutes"));
        assert!(expired.message(Lang::En).contains("valid for 15 minutes"));
        let voided = CodeRefusal::Voided { after_tries: 3 };
        assert!(voided.message(Lang::Fr).contains("après 3 essais"));
        assert!(voided.message(Lang::En).contains("after 3 wrong tries"));
    }
}
