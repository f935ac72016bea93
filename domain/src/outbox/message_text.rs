//! A message's text with placeholders (`{nom}`, `{identifiant}`…) filled per recipient, and
//! the French starting templates for the three usual messages.

use std::collections::BTreeMap;

use super::recipients::Recipient;

/// Placeholders every message may use besides the recipient's own columns.
pub const BUILT_IN: [&str; 4] = ["nom", "email", "etablissement", "compte"];

/// The `{name}` placeholders used in `text`, in order of first use.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_') =>
            {
                let name = after[..end].to_lowercase();
                if !found.contains(&name) {
                    found.push(name);
                }
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// The values for one recipient: the built-in ones, then its own columns.
pub fn values_for(
    recipient: &Recipient,
    school_name: &str,
    account_label: &str,
) -> BTreeMap<String, String> {
    let mut values = recipient.fields.clone();
    let name = if recipient.name.is_empty() {
        "Madame, Monsieur".to_owned()
    } else {
        recipient.name.clone()
    };
    values.insert("nom".into(), name);
    values.insert("email".into(), recipient.address.clone());
    values.insert("etablissement".into(), school_name.to_owned());
    values.insert("compte".into(), account_label.to_owned());
    values
}

/// The first placeholder of `text` without a (non-empty) value in `values`.
pub fn missing<'a>(used: &'a [String], values: &BTreeMap<String, String>) -> Option<&'a str> {
    used.iter()
        .find(|p| values.get(p.as_str()).is_none_or(|v| v.trim().is_empty()))
        .map(String::as_str)
}

/// `text` with every known placeholder replaced (unknown ones are left as typed).
pub fn fill(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if values.contains_key(&after[..end].to_lowercase()) => {
                out.push_str(&values[&after[..end].to_lowercase()]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A starting template: what it is for, its subject and its body.
#[derive(Clone, Copy, Debug)]
pub struct Starter {
    pub key: &'static str,
    pub title: &'static str,
    pub subject: &'static str,
    pub body: &'static str,
}

pub const STARTERS: [Starter; 3] = [
    Starter {
        key: "identifiants",
        title: "Identifiants de connexion",
        subject: "Vos identifiants de connexion – {etablissement}",
        body: "Bonjour {nom},\n\nVoici vos identifiants pour l'espace numérique de {etablissement} :\n\nIdentifiant : {identifiant}\nMot de passe provisoire : {mot_de_passe}\n\nVous choisirez un nouveau mot de passe à la première connexion.\n\nCordialement,\n{compte}",
    },
    Starter {
        key: "absence",
        title: "Demande de justificatif d'absence",
        subject: "Absence de {eleve} : justificatif demandé",
        body: "Bonjour {nom},\n\n{eleve} a été absent(e) le {date}. Merci de nous faire parvenir un justificatif d'absence dans les meilleurs délais, en répondant à ce message ou par le carnet de liaison.\n\nCordialement,\n{compte}\n{etablissement}",
    },
    Starter {
        key: "bulletin",
        title: "Bulletin scolaire",
        subject: "Bulletin scolaire de {eleve}",
        body: "Bonjour {nom},\n\nVous trouverez ci-joint le bulletin scolaire de {eleve}.\n\nCordialement,\n{compte}\n{etablissement}",
    },
];

pub fn starter(key: &str) -> Option<&'static Starter> {
    STARTERS.iter().find(|s| s.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_filled_and_missing_ones_named() {
        let text = "Bonjour {nom}, {eleve} {Eleve} {pas une} {}";
        let used = placeholders(text);
        assert_eq!(used, ["nom", "eleve"]);
        let recipient = Recipient {
            address: "a@ecole.fr".into(),
            name: String::new(),
            fields: BTreeMap::from([("eleve".to_owned(), "Léa".to_owned())]),
        };
        let values = values_for(&recipient, "Collège", "Secrétariat");
        assert_eq!(missing(&used, &values), None);
        assert_eq!(
            fill(text, &values),
            "Bonjour Madame, Monsieur, Léa Léa {pas une} {}"
        );
        assert_eq!(missing(&["date".to_owned()], &values), Some("date"));
    }

    #[test]
    fn every_starter_uses_only_known_or_column_placeholders() {
        for s in STARTERS {
            assert!(!placeholders(s.body).is_empty(), "{}", s.key);
            assert!(starter(s.key).is_some());
        }
    }
}
