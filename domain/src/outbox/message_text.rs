//! A message's text with placeholders (`{nom}`, `{identifiant}`…) filled per recipient, and
//! the French starting templates for the three usual messages.

use std::collections::BTreeMap;

use super::recipients::Recipient;

/// Placeholders every message may use besides the recipient's own columns.
pub const BUILT_IN: [&str; 4] = ["nom", "email", "etablissement", "compte"];

/// One piece of a message's text: words as typed, or a `{placeholder}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment<'a> {
    Text(&'a str),
    /// The name between the braces, as typed (compared in lower case).
    Field(&'a str),
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The text cut into segments in one pass: at each `{`, the name characters that follow are
/// scanned once; when they do not end in `}`, all of them are plain text, so no character
/// is looked at more than twice whatever the input (a body of 50,000 `{` included).
fn segments(text: &str) -> impl Iterator<Item = Segment<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(start) = rest.find('{') else {
            return Some(Segment::Text(std::mem::take(&mut rest)));
        };
        if start > 0 {
            let (before, after) = rest.split_at(start);
            rest = after;
            return Some(Segment::Text(before));
        }
        let after = &rest[1..];
        let name_len = after
            .char_indices()
            .find(|&(_, c)| !is_name_char(c))
            .map_or(after.len(), |(i, _)| i);
        if name_len > 0 && after[name_len..].starts_with('}') {
            rest = &after[name_len + 1..];
            return Some(Segment::Field(&after[..name_len]));
        }
        // The `{` and the name characters after it are plain text.
        let (literal, tail) = rest.split_at(1 + name_len);
        rest = tail;
        Some(Segment::Text(literal))
    })
}

/// The `{name}` placeholders used in `text`, in order of first use.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for segment in segments(text) {
        if let Segment::Field(name) = segment {
            let name = name.to_lowercase();
            if !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

/// The placeholders of `text` that the recipient list must provide (the built-in ones
/// aside): the columns a template needs.
pub fn needed_columns(text: &str) -> Vec<String> {
    placeholders(text)
        .into_iter()
        .filter(|p| !BUILT_IN.contains(&p.as_str()))
        .collect()
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

/// The placeholders of `used` without a (non-empty) value in `values`.
pub fn missing<'a>(
    used: &'a [String],
    values: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = &'a str> + 'a {
    used.iter()
        .filter(|p| values.get(p.as_str()).is_none_or(|v| v.trim().is_empty()))
        .map(String::as_str)
}

fn value<'a>(values: &'a BTreeMap<String, String>, name: &str) -> Option<&'a String> {
    values
        .get(name)
        .or_else(|| values.get(&name.to_lowercase()))
}

/// `text` with every known placeholder replaced (unknown ones are left as typed), in one
/// linear pass.
pub fn fill(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    for segment in segments(text) {
        match segment {
            Segment::Text(t) => out.push_str(t),
            Segment::Field(name) => match value(values, name) {
                Some(v) => out.push_str(v),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            },
        }
    }
    out
}

/// The length in bytes of `fill(text, values)`, computed without building it, so a size
/// can be checked before any memory is spent on it.
pub fn filled_len(text: &str, values: &BTreeMap<String, String>) -> usize {
    segments(text)
        .map(|segment| match segment {
            Segment::Text(t) => t.len(),
            Segment::Field(name) => value(values, name).map_or(name.len() + 2, String::len),
        })
        .fold(0, usize::saturating_add)
}

/// [`filled_len`] in characters, for the subject's limit.
pub fn filled_chars(text: &str, values: &BTreeMap<String, String>) -> usize {
    segments(text)
        .map(|segment| match segment {
            Segment::Text(t) => t.chars().count(),
            Segment::Field(name) => {
                value(values, name).map_or(name.chars().count() + 2, |v| v.chars().count())
            }
        })
        .fold(0, usize::saturating_add)
}

/// A starting template: what it is for, its subject and its body, in French and, for
/// staff who use the English interface, in English (same placeholders: they name the
/// list's columns).
#[derive(Clone, Copy, Debug)]
pub struct Starter {
    pub key: &'static str,
    pub title: &'static str,
    pub subject: &'static str,
    pub body: &'static str,
    pub english: Wording,
}

/// A template's words in one language.
#[derive(Clone, Copy, Debug)]
pub struct Wording {
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
        english: Wording {
            title: "Login details",
            subject: "Your login details – {etablissement}",
            body: "Hello {nom},\n\nHere are your login details for the {etablissement} online space:\n\nUser name: {identifiant}\nTemporary password: {mot_de_passe}\n\nYou will choose a new password when you first sign in.\n\nKind regards,\n{compte}",
        },
    },
    Starter {
        key: "absence",
        title: "Demande de justificatif d'absence",
        subject: "Absence de {eleve} : justificatif demandé",
        body: "Bonjour {nom},\n\n{eleve} a été absent(e) le {date}. Merci de nous faire parvenir un justificatif d'absence dans les meilleurs délais, en répondant à ce message ou par le carnet de liaison.\n\nCordialement,\n{compte}\n{etablissement}",
        english: Wording {
            title: "Absence justification request",
            subject: "Absence of {eleve}: justification requested",
            body: "Hello {nom},\n\n{eleve} was absent on {date}. Please send us a justification for the absence as soon as possible, by replying to this message or through the school diary.\n\nKind regards,\n{compte}\n{etablissement}",
        },
    },
    Starter {
        key: "bulletin",
        title: "Bulletin scolaire",
        subject: "Bulletin scolaire de {eleve}",
        body: "Bonjour {nom},\n\nVous trouverez ci-joint le bulletin scolaire de {eleve}.\n\nCordialement,\n{compte}\n{etablissement}",
        english: Wording {
            title: "School report",
            subject: "School report for {eleve}",
            body: "Hello {nom},\n\nPlease find attached the school report for {eleve}.\n\nKind regards,\n{compte}\n{etablissement}",
        },
    },
];

impl Starter {
    /// Its words in French (`english` false) or English.
    pub fn wording(&self, english: bool) -> Wording {
        if english {
            self.english
        } else {
            Wording {
                title: self.title,
                subject: self.subject,
                body: self.body,
            }
        }
    }

    /// The columns the recipient list must have for this template (`eleve`, `date`…).
    pub fn columns(&self) -> Vec<String> {
        needed_columns(&format!("{}\n{}", self.subject, self.body))
    }
}

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
            line: 1,
        };
        let values = values_for(&recipient, "Collège", "Secrétariat");
        assert_eq!(missing(&used, &values).next(), None);
        assert_eq!(
            fill(text, &values),
            "Bonjour Madame, Monsieur, Léa Léa {pas une} {}"
        );
        let used = ["date".to_owned(), "eleve".to_owned(), "heure".to_owned()];
        assert_eq!(
            missing(&used, &values).collect::<Vec<_>>(),
            ["date", "heure"]
        );
        assert_eq!(filled_len(text, &values), fill(text, &values).len());
    }

    #[test]
    fn braces_that_are_not_placeholders_stay_as_typed() {
        let values = BTreeMap::from([("a".to_owned(), "X".to_owned())]);
        for (text, filled) in [
            ("{{a}}", "{X}"),
            ("{a", "{a"),
            ("a}", "a}"),
            ("{a b} {a}", "{a b} X"),
            ("{é}{A}", "{é}X"),
            ("", ""),
            ("{", "{"),
        ] {
            assert_eq!(fill(text, &values), filled, "{text:?}");
            assert_eq!(filled_len(text, &values), filled.len(), "{text:?}");
        }
    }

    #[test]
    fn fill_is_linear_on_hostile_bodies() {
        // 100 KB of `{`, or of `{aaaa…` without a closing brace: quadratic code took
        // seconds per recipient here; one pass takes well under a millisecond.
        let values = BTreeMap::from([("a".to_owned(), "X".to_owned())]);
        for body in [
            "{".repeat(100 * 1024),
            format!("{{{}", "a".repeat(100 * 1024)),
            "{a}".repeat(34 * 1024),
        ] {
            let started = std::time::Instant::now();
            for _ in 0..20 {
                assert!(filled_len(&body, &values) <= body.len());
                assert!(fill(&body, &values).len() <= body.len());
            }
            // A generous bound (20 passes over 100 KB), far below the quadratic cost.
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn templates_name_the_columns_they_need() {
        assert_eq!(needed_columns(STARTERS[1].body), ["eleve", "date"]);
        assert_eq!(
            needed_columns(STARTERS[0].body),
            ["identifiant", "mot_de_passe"]
        );
    }

    #[test]
    fn every_starter_uses_only_known_or_column_placeholders() {
        for s in STARTERS {
            assert!(!placeholders(s.body).is_empty(), "{}", s.key);
            assert!(starter(s.key).is_some());
        }
    }

    #[test]
    fn the_english_templates_need_the_same_columns() {
        for s in STARTERS {
            let (fr, en) = (s.wording(false), s.wording(true));
            assert_eq!(
                needed_columns(&format!("{}\n{}", en.subject, en.body)),
                s.columns(),
                "{}",
                s.key
            );
            assert_eq!(placeholders(en.body), placeholders(fr.body), "{}", s.key);
            assert_ne!(en.body, fr.body);
            assert!(!en.body.contains("Bonjour"), "{}", s.key);
        }
    }
}
