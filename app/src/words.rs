//! The vocabulary's refusals in the user's language: one sentence for each [`Invalid`] and
//! [`CodeRefusal`], stating the limits the rules apply (from `vocabulary::limits`, or the
//! figures the refusal carries), never figures typed again here.

use crate::i18n::Lang;
use vocabulary::{CodeRefusal, Invalid};

/// A value of the shared vocabulary, worded for the user in their language.
pub trait Sentence {
    fn message(self, lang: Lang) -> String;
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

#[cfg(test)]
mod tests {
    use super::*;

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
