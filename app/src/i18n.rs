//! French first, English second. Strings sit in pairs where they are used, so a reader sees
//! the French a secretary will read; [`Lang`] picks one. The server decides the language
//! from the `lang` cookie (then `Accept-Language`) and writes it into `<html lang>`, which
//! the browser build reads back at hydration, so both render the same text.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// The string for this language.
    pub fn t(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// Picks the language from an `Accept-Language` header: English only when the browser
    /// prefers it to French.
    pub fn from_accept_language(header: &str) -> Lang {
        for part in header.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("fr") {
                return Lang::Fr;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Fr
    }
}

/// The page's language, provided by [`crate::App`].
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

impl Lang {
    /// A whole number as each language groups its digits: "10 000" (a narrow no-break
    /// space) in French, "10,000" in English.
    pub fn number(self, n: u64) -> String {
        let digits = n.to_string();
        let separator = match self {
            Lang::Fr => "\u{202F}",
            Lang::En => ",",
        };
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(d);
        }
        out
    }

    /// A size limit in bytes, in whole kilobytes or megabytes as French and English write
    /// them: "100 Ko" / "100 KB", "10 Mo" / "10 MB" (1 Ko = 1,024 bytes, as the limits are).
    pub fn size(self, bytes: usize) -> String {
        let (amount, fr, en) = if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
            (bytes / (1024 * 1024), "Mo", "MB")
        } else {
            (bytes.div_ceil(1024), "Ko", "KB")
        };
        format!("{} {}", self.number(amount as u64), self.t(fr, en))
    }

    /// A length of time in the largest whole unit: "10 minutes", "1 heure", "7 jours".
    pub fn duration(self, secs: i64) -> String {
        let secs = secs.max(0);
        let (n, fr, en) = match secs {
            s if s >= 86_400 && s % 86_400 == 0 => (s / 86_400, "jour", "day"),
            s if s >= 3_600 && s % 3_600 == 0 => (s / 3_600, "heure", "hour"),
            s if s >= 60 => ((s + 59) / 60, "minute", "minute"),
            s => (s, "seconde", "second"),
        };
        let plural = if n > 1 { "s" } else { "" };
        format!("{n} {}{plural}", self.t(fr, en))
    }
}

/// The wizard's suggested secret questions in English, keyed by the domain's French text.
const QUESTIONS_EN: [(&str, &str); 6] = [
    (
        "Quel était le nom de votre premier animal de compagnie ?",
        "What was the name of your first pet?",
    ),
    (
        "Dans quelle ville votre mère est-elle née ?",
        "In which town was your mother born?",
    ),
    (
        "Quel est le prénom de votre meilleur ami d'enfance ?",
        "What is the first name of your best childhood friend?",
    ),
    (
        "Quel était le nom de votre école primaire ?",
        "What was the name of your primary school?",
    ),
    (
        "Quel est le titre de votre livre préféré ?",
        "What is the title of your favourite book?",
    ),
    (
        "Quelle est la marque de votre première voiture ?",
        "What make was your first car?",
    ),
];

impl Lang {
    /// A suggested secret question in this language. The form posts the text shown, so a
    /// person's question is kept as they read it; any other text comes back unchanged.
    pub fn question(self, french: &str) -> String {
        match self {
            Lang::Fr => french.to_owned(),
            Lang::En => QUESTIONS_EN
                .iter()
                .find(|(fr, _)| *fr == french)
                .map_or(french, |(_, en)| en)
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[cfg(feature = "ssr")]
    #[test]
    fn every_suggested_question_has_its_english() {
        for question in domain::accounts::answer::SUGGESTED_QUESTIONS {
            assert_eq!(Lang::Fr.question(question), *question);
            let english = Lang::En.question(question);
            assert_ne!(english, *question, "no English for {question}");
            assert!(english.is_ascii() && english.ends_with('?'), "{english}");
        }
        assert_eq!(
            Lang::En.question("Ma propre question ?"),
            "Ma propre question ?"
        );
    }

    #[test]
    fn sizes_and_durations_in_each_language() {
        assert_eq!(Lang::Fr.size(10 * 1024 * 1024), "10 Mo");
        assert_eq!(Lang::En.size(100 * 1024), "100 KB");
        assert_eq!(Lang::Fr.duration(600), "10 minutes");
        assert_eq!(Lang::Fr.duration(7 * 86_400), "7 jours");
        assert_eq!(Lang::En.duration(3_600), "1 hour");
        assert_eq!(Lang::En.duration(90), "2 minutes");
    }

    #[test]
    fn french_unless_the_browser_prefers_english() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"),
            Lang::Fr
        );
        assert_eq!(Lang::from_accept_language("de-DE"), Lang::Fr);
        assert_eq!(Lang::from_accept_language(""), Lang::Fr);
    }
}
